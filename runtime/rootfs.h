/* The container's filesystem view, built inside its new mount namespace: the rootfs made a mount point
 * without propagating to the host, every config mount in order, /dev, pivot_root, then masked and
 * read-only paths. Every path inside the rootfs is resolved with openat2(RESOLVE_IN_ROOT) and mounted
 * through an O_PATH fd, so no symlink can point an operation at the host. */
#ifndef HUSK_ROOTFS_H
#define HUSK_ROOTFS_H

#include <stdbool.h>

#include "config/spec.h"
#include "base/error.h"

struct rootfs_ctx {
	const struct spec *spec;
	const char *bundle;	 /* absolute; relative bind sources are taken from here */
	const char *rootfs;	 /* absolute host path of root.path */
	const char *cgroup_path; /* the container's cgroup, NULL when cgroups are disabled */
	bool userns;		 /* inside a user namespace: devices are bind-mounted, not mknod'ed */
	bool cgroupns;
	bool no_pivot;
	bool host_mntns;    /* no mount namespace of its own: mounts are made in the runtime's, then chroot */
	int rootfd;	    /* O_PATH fd of the rootfs mount, set by rootfs_prepare */
	const int *src_fds; /* bind sources the parent opened, by mount index (-1: none), or NULL */
	/* called before the cgroup's directories are bound (NULL: they exist already) */
	int (*cgroup_wait)(void *arg, struct error *err);
	void *cgroup_wait_arg;
	/* read-only mounts still written to during setup (/dev, tmpfs): made read-only by rootfs_finish
	 * through the fd of the mount itself, never found again by path */
	struct rootfs_ro_later {
		const char *path; /* for messages */
		int fd;		  /* the mount (fsmount's fd) */
	} * ro_later;
	size_t n_ro_later;
};

/* Open path inside the root at rootfd, never resolving outside it. Returns an fd or -1 (errno set). */
int rootfs_open_in(int rootfd, const char *path, int flags);
/* Create path inside the root (directories, and the last component as a file when file is true). */
int rootfs_mkdir_in(int rootfd, const char *path, bool file, struct error *err);
/* The same, and path opened (O_PATH | flags, resolved as rootfs_open_in does) in one go: one openat2 when
 * path exists, three when only its last component is missing. Returns an fd, or -1 with err set. */
int rootfs_mkdir_open(int rootfd, const char *path, bool file, int flags, struct error *err);

int rootfs_prepare(struct rootfs_ctx *c, struct error *err);
/* The config's mounts in order (defined in mounts.c). */
int rootfs_mount_all(struct rootfs_ctx *c, struct error *err);
/* /dev: default nodes and links, linux.devices (defined in devices.c). */
int rootfs_devices(struct rootfs_ctx *c, struct error *err);
int rootfs_pivot(struct rootfs_ctx *c, struct error *err);
/* After pivot: masked paths, read-only paths, root.readonly, rootfsPropagation. */
int rootfs_finish(struct rootfs_ctx *c, struct error *err);
/* Close what the context still holds (the late read-only mounts' fds). */
void rootfs_ctx_release(struct rootfs_ctx *c);

/* Parent side of a container without a mount namespace, whose mounts live in the runtime's: the id
 * of the mount on top of rootfs (0 if unknown), and the detach of that mount (the container's self-bind
 * and everything on it) only while it is still the one on top. */
uint64_t rootfs_top_mount(const char *rootfs);
void rootfs_detach_top(const char *rootfs, uint64_t mnt_id);

#endif

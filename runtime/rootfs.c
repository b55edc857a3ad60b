/* Rootfs lifecycle: prepare (propagation, self-bind), pivot_root, and the post-pivot hardening of
 * masked and read-only paths. Per-mount work is in mounts.c, device nodes in devices.c. */
#define _GNU_SOURCE
#include "rootfs.h"

#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/log.h"
#include "narrate.h"
#include "base/util.h"

int rootfs_open_in(int rootfd, const char *path, int flags)
{
	/* RESOLVE_IN_ROOT: ".." and absolute symlinks stop at the rootfs, so a symlink planted by the
	 * image cannot send a mount to the host (CVE-2021-30465, CVE-2024-45310); magic links in a
	 * fake /proc are refused too. */
	struct open_how how = { .flags = (uint64_t)(flags | O_CLOEXEC),
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };

	return (int)syscall(SYS_openat2, rootfd, path, &how, sizeof how);
}

static int mkdir_in(int rootfd, const char *path, bool file, int depth, struct error *err)
{
	cleanup_free char *prefix = xcalloc(1, strlen(path) + 2);
	cleanup_free char *copy = xstrdup(path);
	cleanup_close int parent = fcntl(rootfd, F_DUPFD_CLOEXEC, 0);
	char *p = copy, *comp;

	if (parent < 0)
		return error_sys(err, errno, "dup");
	while ((comp = strsep(&p, "/")) != NULL) {
		bool last = p == NULL || strspn(p, "/") == strlen(p);
		char target[4096];
		ssize_t n;
		int fd;

		if (*comp == '\0' || strcmp(comp, ".") == 0)
			continue;
		strcat(prefix, "/");
		strcat(prefix, comp);
		/* each prefix is resolved from the rootfs again, so symlinks in the image work as they
		 * would inside the container but can never lead outside it */
		fd = rootfs_open_in(rootfd, prefix, O_PATH);
		if (fd < 0 && errno == ENOENT &&
		    (n = readlinkat(parent, comp, target, sizeof target - 1)) >= 0) {
			/* a dangling symlink (/etc/resolv.conf -> /run/...): create its target, as the
			 * path the kernel would follow, and again resolved in the rootfs only */
			cleanup_free char *next = NULL;

			if (depth >= 40)
				return error_set(err, ELOOP, "create '%s' in the rootfs: too many symlinks",
						 path);
			target[n] = '\0';
			prefix[strlen(prefix) - strlen(comp) - 1] = '\0';
			next = xasprintf("%s/%s/%s", target[0] == '/' ? "" : prefix, target, p ? p : "");
			return mkdir_in(rootfd, next, file, depth + 1, err);
		}
		if (fd < 0 && errno == ENOENT) {
			/* mkdirat/openat never follow a symlink in the last component, and the parent fd
			 * was resolved in the root: the new entry is inside the rootfs */
			if (last && file) {
				fd = openat(parent, comp,
					    O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
				if (fd >= 0 || errno == EEXIST) {
					if (fd >= 0)
						close(fd);
					fd = rootfs_open_in(rootfd, prefix, O_PATH);
				}
			} else if (mkdirat(parent, comp, 0755) == 0 || errno == EEXIST) {
				fd = rootfs_open_in(rootfd, prefix, O_PATH | O_DIRECTORY);
			}
		}
		if (fd < 0)
			return error_sys(err, errno, "create '%s' in the rootfs", path);
		close(parent);
		parent = fd;
		if (last)
			break;
	}
	return 0;
}

int rootfs_mkdir_in(int rootfd, const char *path, bool file, struct error *err)
{
	/* the common case, an existing destination, costs one openat2 instead of one per component */
	int fd = rootfs_open_in(rootfd, path, O_PATH);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return mkdir_in(rootfd, path, file, 0, err);
}

/* A missing path whose parent exists (the common case: /dev/pts, /sys/fs/cgroup/cpu): the parent
 * resolved in the rootfs once and the last component made in it, instead of the walk that resolves
 * every prefix again. -1 whenever that does not apply (no parent, "." or "..", a dangling symlink in
 * the last place, which mkdirat and O_EXCL report as EEXIST): the caller walks. */
static int make_last(int rootfd, const char *path, bool file, int flags)
{
	cleanup_free char *dir = xstrdup(path);
	cleanup_close int parent = -1;
	size_t n = strlen(dir);
	char *slash, *name;

	while (n > 1 && dir[n - 1] == '/')
		dir[--n] = '\0';
	slash = strrchr(dir, '/');
	name = slash ? slash + 1 : dir;
	if (*name == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return -1;
	if (slash)
		*slash = '\0';
	parent = rootfs_open_in(rootfd, slash && dir[0] ? dir : "/", O_PATH | O_DIRECTORY);
	if (parent < 0)
		return -1;
	/* mkdirat and O_CREAT|O_EXCL never follow a symlink in the last component, and the parent fd
	 * was resolved in the root: the new entry is inside the rootfs */
	if (file) {
		int fd = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
		if (fd < 0)
			return -1;
		close(fd);
	} else if (mkdirat(parent, name, 0755) < 0) {
		return -1;
	}
	return rootfs_open_in(rootfd, path, O_PATH | flags);
}

int rootfs_mkdir_open(int rootfd, const char *path, bool file, int flags, struct error *err)
{
	int fd = rootfs_open_in(rootfd, path, O_PATH | flags);

	if (fd >= 0)
		return fd;
	if (errno == ENOENT && (fd = make_last(rootfd, path, file, flags)) >= 0)
		return fd;
	if (rootfs_mkdir_in(rootfd, path, file, err) < 0)
		return -1;
	fd = rootfs_open_in(rootfd, path, O_PATH | flags);
	if (fd < 0)
		return error_sys(err, errno, "open '%s' in the rootfs", path);
	return fd;
}

static int mnt_id_of(const char *path, uint64_t *ret)
{
	struct statx stx;

	if (statx(AT_FDCWD, path, AT_NO_AUTOMOUNT, STATX_MNT_ID, &stx) < 0)
		return -1;
	*ret = stx.stx_mnt_id;
	return 0;
}

/* The mount point of the mount that holds path (path itself when it is one): walk up while the
 * parent is on the same mount. NULL with errno on failure. */
static char *mount_point_of(const char *path)
{
	char *cur = xstrdup(path);
	uint64_t id, up;

	if (mnt_id_of(cur, &id) < 0) {
		free(cur);
		return NULL;
	}
	while (strcmp(cur, "/") != 0) {
		cleanup_free char *parent = xstrndup_dir(cur, strrchr(cur, '/'));

		if (mnt_id_of(parent, &up) < 0 || up != id)
			break;
		free(cur);
		cur = steal_ptr(&parent);
	}
	return cur;
}

/* No mount namespace of its own: the spec says the runtime's is shared, so the mounts are made there,
 * as runc does. Unlike runc, the propagation of the runtime's "/" is left alone (runc makes it
 * private, for the whole host); only the rootfs' self-bind is made private, so the container's own
 * mounts stay on it and are not copied to other namespaces, and delete detaches it. */
static int prepare_in_host_mntns(struct rootfs_ctx *c, struct error *err)
{
	if (say_mount(c->rootfs, c->rootfs, NULL, NULL, MS_BIND | MS_REC, NULL) < 0)
		return error_sys(err, errno, "bind rootfs '%s' onto itself", c->rootfs);
	if (say_mount(NULL, c->rootfs, NULL, NULL, MS_PRIVATE, NULL) < 0)
		return error_sys(err, errno, "make the rootfs bind '%s' private", c->rootfs);
	c->rootfd = open(c->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (c->rootfd < 0)
		return error_sys(err, errno, "open rootfs '%s'", c->rootfs);
	return 0;
}

uint64_t rootfs_top_mount(const char *rootfs)
{
	uint64_t id;

	return mnt_id_of(rootfs, &id) < 0 ? 0 : id;
}

void rootfs_detach_top(const char *rootfs, uint64_t mnt_id)
{
	/* never an unmount of what someone else mounted there (an engine's overlay under ours) */
	if (mnt_id == 0 || rootfs_top_mount(rootfs) != mnt_id)
		return;
	if (say_umount2(rootfs, MNT_DETACH) < 0)
		log_warn("detach the container's mounts at '%s': %s, ignoring", rootfs, strerror(errno));
}

int rootfs_prepare(struct rootfs_ctx *c, struct error *err)
{
	const struct spec_linux *l = &c->spec->linux_;
	unsigned long prop = MS_SLAVE | MS_REC;

	/* The first step takes rootfsPropagation itself, as runc does: shared keeps the namespace's
	 * copies in the host's peer groups, so an rshared volume propagates both ways (Kubernetes'
	 * mount propagation); the default slave (or private) means mounts made inside the container
	 * never reach the host's mount table. Unbindable is applied after pivot_root only: the
	 * rootfs could not be bound onto itself. */
	if (l->has_rootfs_propagation && l->rootfs_propagation != MS_UNBINDABLE)
		prop = l->rootfs_propagation | MS_REC;
	if (c->host_mntns)
		return prepare_in_host_mntns(c, err);
	if (say_mount(NULL, "/", NULL, NULL, prop, NULL) < 0)
		return error_sys(err, errno, "make / a %s mount",
				 prop & MS_PRIVATE  ? "private"
				 : prop & MS_SHARED ? "shared"
						    : "slave");
	if (prop & MS_SHARED) {
		/* the mount holding the rootfs becomes private in our namespace only: otherwise the
		 * self-bind below, and every mount made on it, would propagate into the host */
		cleanup_free char *top = mount_point_of(c->rootfs);

		if (top == NULL || say_mount(NULL, top, NULL, NULL, MS_PRIVATE, NULL) < 0)
			return error_sys(err, errno, "make the mount holding rootfs '%s' private", c->rootfs);
	}
	/* pivot_root needs the new root to be a mount point: bind the rootfs onto itself */
	if (say_mount(c->rootfs, c->rootfs, NULL, NULL, MS_BIND | MS_REC, NULL) < 0)
		return error_sys(err, errno, "bind rootfs '%s' onto itself", c->rootfs);
	c->rootfd = open(c->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (c->rootfd < 0)
		return error_sys(err, errno, "open rootfs '%s'", c->rootfs);
	return 0;
}

/* Undo mountinfo's octal escapes (\040 for a space) in place. */
static void mountinfo_unescape(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' &&
		    s[3] <= '7') {
			*out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

static bool path_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* --no-pivot leaves the host's mounts in the namespace, under the chroot. A whole procfs or sysfs
 * among them lets the kernel's "fully visible" check pass, so a process in the container that makes
 * its own user namespace could mount a fresh, unmasked procfs (runc's no_pivot test): detach them
 * all first, as runc does, or cover one that cannot be detached with a tmpfs. */
static int hide_full_procfs(struct rootfs_ctx *c, struct error *err)
{
	cleanup_free char *info = NULL;
	size_t len;
	char *line, *save = NULL;

	if (read_file_at(AT_FDCWD, "/proc/self/mountinfo", 16 << 20, &info, &len, err) < 0)
		return -1;
	for (line = strtok_r(info, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char root[4096], point[4096], fstype[64];
		const char *sep = strstr(line, " - ");

		if (sep == NULL || sscanf(line, "%*d %*d %*s %4095s %4095s", root, point) != 2 ||
		    sscanf(sep + 3, "%63s", fstype) != 1)
			continue;
		mountinfo_unescape(point);
		if (strcmp(root, "/") != 0 || (strcmp(fstype, "proc") != 0 && strcmp(fstype, "sysfs") != 0) ||
		    path_under(point, c->rootfs))
			continue;
		/* a slave first, so the detach never propagates to the host */
		if (say_mount(NULL, point, NULL, NULL, MS_SLAVE | MS_REC, NULL) < 0) {
			if (errno == ENOENT || errno == EINVAL)
				continue; /* already gone with a parent detached before */
			return error_sys(err, errno, "make '%s' a slave before hiding it", point);
		}
		if (say_umount2(point, MNT_DETACH) < 0 &&
		    say_mount("tmpfs", point, NULL, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
			      NULL) < 0)
			return error_sys(err, errno, "hide the host's %s at '%s'", fstype, point);
	}
	return 0;
}

int rootfs_pivot(struct rootfs_ctx *c, struct error *err)
{
	/* in the runtime's own mount namespace there is nothing to pivot or hide: the host's /proc
	 * is the host's to keep */
	if (c->no_pivot && !c->host_mntns && hide_full_procfs(c, err) < 0)
		return -1;
	if (fchdir(c->rootfd) < 0)
		return error_sys(err, errno, "chdir to rootfs '%s'", c->rootfs);
	if (c->host_mntns) {
		if (say_chroot(".") < 0)
			return error_sys(err, errno, "chroot");
	} else if (c->no_pivot) {
		if (say_mount(".", "/", NULL, NULL, MS_MOVE, NULL) < 0)
			return error_sys(err, errno, "move rootfs to /");
		if (say_chroot(".") < 0)
			return error_sys(err, errno, "chroot");
	} else {
		cleanup_close int oldroot = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		struct mount_attr slave = { .propagation = MS_SLAVE };

		if (oldroot < 0)
			return error_sys(err, errno, "open the old root");
		if (say_pivot_root(".", ".") < 0)
			return error_sys(err, errno, "pivot_root into '%s'", c->rootfs);
		/* the old root is stacked on "."; make it a slave so detaching it cannot unmount
		 * anything in the host's namespace through propagation. Through its fd: the path "."
		 * names the new root, and MS_SLAVE|MS_REC there would undo the container's own
		 * shared mounts */
		if (say_mount_setattr(oldroot, "(the old root)", AT_RECURSIVE, &slave) < 0)
			return error_sys(err, errno, "make the old root a slave");
		if (say_umount2(".", MNT_DETACH) < 0)
			return error_sys(err, errno, "detach the old root");
	}
	if (chdir("/") < 0)
		return error_sys(err, errno, "chdir /");
	close(c->rootfd);
	c->rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (c->rootfd < 0)
		return error_sys(err, errno, "open new root");
	return 0;
}

static int mask_path(struct rootfs_ctx *c, const char *path, int devnull, struct error *err)
{
	cleanup_close int fd = rootfs_open_in(c->rootfd, path, O_PATH);
	struct stat st;

	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0 || fstat(fd, &st) < 0)
		return error_sys(err, errno, "mask '%s'", path);
	if (S_ISDIR(st.st_mode)) {
		/* attached to the fd itself, never through the container's /proc/self/fd/N: a mount over
		 * /proc/1 in the container would redirect that path (CVE-2025-52881) */
		cleanup_close int mnt = say_fsmount_tmpfs(path, MOUNT_ATTR_RDONLY);
		if (mnt < 0 || say_move_mount(mnt, "tmpfs", fd, path) < 0)
			return error_sys(err, errno, "mask directory '%s'", path);
		return 0;
	}
	cleanup_close int tree = say_open_tree(devnull, "/dev/null", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0 || say_move_mount(tree, "/dev/null", fd, path) < 0)
		return error_sys(err, errno, "mask file '%s'", path);
	return 0;
}

static int readonly_path(struct rootfs_ctx *c, const char *path, struct error *err)
{
	cleanup_close int fd = rootfs_open_in(c->rootfd, path, O_PATH);
	cleanup_close int tree = -1;
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };

	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0)
		return error_sys(err, errno, "make '%s' read-only", path);
	tree = say_open_tree(fd, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (tree < 0 || say_mount_setattr(tree, path, AT_RECURSIVE, &attr) < 0 ||
	    say_move_mount(tree, path, fd, path) < 0)
		return error_sys(err, errno, "make '%s' read-only", path);
	return 0;
}

/* Open the container's /dev/null for masking and check it is the real 1:3 character device: an image
 * that replaces it with a symlink or another node would make masking expose the target instead
 * (CVE-2025-31133). */
static int open_devnull(struct rootfs_ctx *c, struct error *err)
{
	int fd = rootfs_open_in(c->rootfd, "/dev/null", O_PATH | O_NOFOLLOW);
	struct stat st;

	if (fd < 0)
		return error_sys(err, errno, "open the container's /dev/null for masking");
	if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) || major(st.st_rdev) != 1 || minor(st.st_rdev) != 3) {
		close(fd);
		return error_set(err, EPERM,
				 "the container's /dev/null is not the 1:3 character device: refusing "
				 "to use it for masking");
	}
	return fd;
}

int rootfs_finish(struct rootfs_ctx *c, struct error *err)
{
	const struct spec_linux *l = &c->spec->linux_;

	if (l->n_masked_paths) {
		cleanup_close int devnull = open_devnull(c, err);
		if (devnull < 0)
			return -1;
		for (size_t i = 0; i < l->n_masked_paths; i++)
			if (mask_path(c, l->masked_paths[i], devnull, err) < 0)
				return -1;
	}
	for (size_t i = 0; i < c->n_ro_later; i++) {
		struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };

		/* the mount's own fd: a path looked up again may lead, through a volume another
		 * container renames under it, to a different mount (or none) */
		if (say_mount_setattr(c->ro_later[i].fd, c->ro_later[i].path, 0, &attr) < 0)
			return error_sys(err, errno, "make mount '%s' read-only", c->ro_later[i].path);
	}
	for (size_t i = 0; i < l->n_readonly_paths; i++)
		if (readonly_path(c, l->readonly_paths[i], err) < 0)
			return -1;
	if (c->spec->root_readonly) {
		struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
		if (say_mount_setattr(c->rootfd, "/", 0, &attr) < 0)
			return error_sys(err, errno, "make the root filesystem read-only");
	}
	if (l->has_rootfs_propagation && l->rootfs_propagation != MS_PRIVATE) {
		if (say_mount(NULL, "/", NULL, NULL, l->rootfs_propagation | MS_REC, NULL) < 0)
			return error_sys(err, errno, "set rootfsPropagation");
	}
	return 0;
}

void rootfs_ctx_release(struct rootfs_ctx *c)
{
	for (size_t i = 0; i < c->n_ro_later; i++)
		close(c->ro_later[i].fd);
	free(c->ro_later);
	c->ro_later = NULL;
	c->n_ro_later = 0;
}

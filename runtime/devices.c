/* /dev inside the container: the default nodes and links when /dev is a fresh tmpfs, plus
 * linux.devices. Nodes are made with mknod, or bind-mounted from the host inside a user namespace
 * where mknod is not allowed. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/log.h"
#include "rootfs.h"
#include "narrate.h"
#include "base/util.h"
#include "process.h"
#include "sysops.h"

struct dev_node {
	const char *path;
	char type;
	unsigned major, minor;
	mode_t mode;
	uid_t uid;
	gid_t gid;
};

static const struct dev_node default_nodes[] = {
	{ "/dev/null", 'c', 1, 3, 0666, 0, 0 },	   { "/dev/zero", 'c', 1, 5, 0666, 0, 0 },
	{ "/dev/full", 'c', 1, 7, 0666, 0, 0 },	   { "/dev/random", 'c', 1, 8, 0666, 0, 0 },
	{ "/dev/urandom", 'c', 1, 9, 0666, 0, 0 }, { "/dev/tty", 'c', 5, 0, 0666, 0, 0 },
};

static const char *const default_links[][2] = {
	{ "/proc/self/fd", "/dev/fd" },	      { "/proc/self/fd/0", "/dev/stdin" },
	{ "/proc/self/fd/1", "/dev/stdout" }, { "/proc/self/fd/2", "/dev/stderr" },
	{ "pts/ptmx", "/dev/ptmx" },
};

/* The parent directory of path (made when missing) and the last component's name. devfd, when not -1, is
 * the fresh /dev's fd, opened once for the default nodes and links, all of which are directly in it. */
static int split_parent(int rootfd, int devfd, const char *path, int *ret_parent, const char **ret_name,
			struct error *err)
{
	const char *slash = strrchr(path, '/');
	cleanup_free char *dir = xstrndup_dir(path, slash);

	if (devfd >= 0 && strcmp(dir, "/dev") == 0)
		*ret_parent = fcntl(devfd, F_DUPFD_CLOEXEC, 0);
	else
		*ret_parent = rootfs_mkdir_open(rootfd, dir, false, O_DIRECTORY, err);
	if (*ret_parent < 0)
		return devfd >= 0 ? error_sys(err, errno, "dup") : -1;
	*ret_name = slash + 1;
	return 0;
}

/* chmod of the node behind an O_PATH fd: fchmodat2(AT_EMPTY_PATH) (Linux 6.6), else through the
 * fd's link in the pinned procfs (proc_fd_dir). Either way the inode is
 * the one the fd holds, whatever the name points to by now. */
#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif
static int chmod_fd(int fd, mode_t mode)
{
	cleanup_close int dir = -1;
	char name[16];

	if (syscall(SYS_fchmodat2, fd, "", mode, AT_EMPTY_PATH) == 0)
		return 0;
	if (errno != ENOSYS && errno != EINVAL)
		return -1;
	/* the pinned procfs' link, not the joined mount namespace's /proc/self/fd/N (CVE-2025-52881 class) */
	dir = proc_fd_dir();
	if (dir < 0)
		return -1;
	snprintf(name, sizeof name, "%d", fd);
	return fchmodat(dir, name, mode, 0);
}

static bool is_node(const struct stat *st, mode_t type, const struct dev_node *d)
{
	return (st->st_mode & S_IFMT) == type &&
	       (type == S_IFIFO || st->st_rdev == makedev(d->major, d->minor));
}

/* Inside a user namespace mknod is refused: bind the host's node of the same path, as runc does,
 * once it is checked to be the device the config names. */
static int bind_host_node(struct rootfs_ctx *c, const struct dev_node *d, mode_t type, struct error *err)
{
	cleanup_close int src = -1, dst = -1, tree = -1;
	struct stat st;

	dst = rootfs_mkdir_open(c->rootfd, d->path, true, 0, err);
	if (dst < 0)
		return -1;
	src = open(d->path, O_PATH | O_CLOEXEC);
	if (src < 0)
		return error_sys(err, errno, "bind device '%s' from the host", d->path);
	if (fstat(src, &st) < 0 || !is_node(&st, type, d))
		return error_set(err, ENODEV, "bind device '%s' from the host: not the %c %u:%u device",
				 d->path, d->type, d->major, d->minor);
	tree = say_open_tree(src, d->path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0 || say_move_mount(tree, d->path, dst, d->path) < 0)
		return error_sys(err, errno, "bind device '%s' from the host", d->path);
	return 0;
}

static int make_node(struct rootfs_ctx *c, int devfd, const struct dev_node *d, struct error *err)
{
	cleanup_close int parent = -1, node = -1;
	const char *name;
	mode_t type = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR, mask;
	struct stat st;
	int r;

	if (split_parent(c->rootfd, devfd, d->path, &parent, &name, err) < 0)
		return -1;
	if (c->userns && type != S_IFIFO)
		return bind_host_node(c, d, type, err);
	unlinkat(parent, name, 0);
	log_debug("mknod(\"%s\", %s|%04o, makedev(%u, %u))", d->path,
		  type == S_IFBLK   ? "S_IFBLK"
		  : type == S_IFIFO ? "S_IFIFO"
				    : "S_IFCHR",
		  d->mode & 07777, d->major, d->minor);
	mask = umask(0);
	r = sysops->mknodat(parent, name, type | (d->mode & 07777), makedev(d->major, d->minor));
	umask(mask);
	if (r < 0)
		return error_sys(err, errno, "mknod '%s'", d->path);
	/* the directory may be a volume another container writes: its name can be swapped for a symlink
	 * or a hard link to a host file at any moment. Chown and chmod act on an fd of the node we made,
	 * checked to be that node, never on the name (the old fchmodat followed a swapped-in symlink and
	 * made a host file 0666) */
	node = openat(parent, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (node < 0)
		return error_sys(err, errno, "open '%s'", d->path);
	if (fstat(node, &st) < 0 || !is_node(&st, type, d))
		return error_set(err, EPERM, "'%s' was replaced while husk made it: refusing", d->path);
	/* mknod made it ours: a chown only for another owner (the defaults are root's, as husk is) */
	if ((st.st_uid != d->uid || st.st_gid != d->gid) &&
	    fchownat(node, "", d->uid, d->gid, AT_EMPTY_PATH) < 0)
		return error_sys(err, errno, "chown '%s'", d->path);
	/* chown clears set-id bits: the spec's mode is exact */
	if ((d->mode & 06000) && chmod_fd(node, d->mode & 07777) < 0)
		return error_sys(err, errno, "chmod '%s'", d->path);
	return 0;
}

static bool dev_is_fresh(const struct spec *s)
{
	for (size_t i = 0; i < s->n_mounts; i++)
		if (strcmp(s->mounts[i].destination, "/dev") == 0)
			return s->mounts[i].type && strcmp(s->mounts[i].type, "bind") != 0;
	return false;
}

static bool in_config(const struct spec *s, const char *path)
{
	for (size_t i = 0; i < s->linux_.n_devices; i++)
		if (strcmp(s->linux_.devices[i].path, path) == 0)
			return true;
	return false;
}

int rootfs_devices(struct rootfs_ctx *c, struct error *err)
{
	const struct spec *s = c->spec;

	if (dev_is_fresh(s)) {
		/* the tmpfs just mounted there, opened once: nothing mounts over it before the nodes */
		cleanup_close int devfd = rootfs_mkdir_open(c->rootfd, "/dev", false, O_DIRECTORY, err);
		if (devfd < 0)
			return -1;
		for (size_t i = 0; i < ARRAY_SIZE(default_nodes); i++)
			if (!in_config(s, default_nodes[i].path) &&
			    make_node(c, devfd, &default_nodes[i], err) < 0)
				return -1;
		for (size_t i = 0; i < ARRAY_SIZE(default_links); i++) {
			cleanup_close int parent = -1;
			const char *name;
			if (split_parent(c->rootfd, devfd, default_links[i][1], &parent, &name, err) < 0)
				return -1;
			log_debug("symlink(\"%s\", \"%s\")", default_links[i][0], default_links[i][1]);
			if (symlinkat(default_links[i][0], parent, name) < 0 && errno != EEXIST)
				return error_sys(err, errno, "symlink '%s'", default_links[i][1]);
		}
	}
	for (size_t i = 0; i < s->linux_.n_devices; i++) {
		const struct spec_device *d = &s->linux_.devices[i];
		struct dev_node n = { d->path,
				      d->type == 'u' ? 'c' : d->type,
				      (unsigned)d->major,
				      (unsigned)d->minor,
				      d->has_file_mode ? d->file_mode : 0666,
				      d->has_uid ? d->uid : 0,
				      d->has_gid ? d->gid : 0 };
		if (make_node(c, -1, &n, err) < 0)
			return -1;
	}
	return 0;
}

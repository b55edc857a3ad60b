/* The config's mounts, in order, inside the rootfs: binds through open_tree/move_mount (attributes set
 * before the tree is attached, so there is no window with the wrong flags), other filesystems through
 * mount(2) on an O_PATH fd of the resolved destination, and the cgroup filesystem as binds of the
 * container's own cgroup, read-only unless the config says rw. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "cgroup.h"
#include "base/log.h"
#include "config/mountopt.h"
#include "rootfs.h"
#include "narrate.h"
#include "sysops.h"
#include "base/util.h"
#include "process.h"

/* mount(2) onto the directory behind fd, named as "N" relative to the pinned procfs' thread-self/fd made
 * the cwd for that one call: never through the "/proc/self/fd/N" of the mount namespace we are in, which
 * in a mount namespace joined by path is another container's to fake (a tmpfs /proc whose self/fd/N lead
 * elsewhere sent the mounts there: CVE-2025-52881 class). mount(2) takes no directory fd. */
static int mount_on_fd(const char *src, int fd, const char *shown, const char *type, unsigned long flags,
		       const char *data)
{
	cleanup_close int dir = proc_fd_dir(), cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	char name[16];
	int r, e;

	if (dir < 0 || cwd < 0 || fchdir(dir) < 0)
		return -1;
	snprintf(name, sizeof name, "%d", fd);
	r = say_mount(src, name, shown, type, flags, data);
	e = errno;
	if (fchdir(cwd) < 0)
		return -1;
	errno = e;
	return r;
}

/* MS_* flags of a bind mount as mount_setattr attributes (the atime ones share one field). */
static void flags_to_attr(const struct mount_opts *o, struct mount_attr *a)
{
	static const struct {
		unsigned long ms;
		uint64_t attr;
	} map[] = {
		{ MS_RDONLY, MOUNT_ATTR_RDONLY },
		{ MS_NOSUID, MOUNT_ATTR_NOSUID },
		{ MS_NODEV, MOUNT_ATTR_NODEV },
		{ MS_NOEXEC, MOUNT_ATTR_NOEXEC },
		{ MS_NODIRATIME, MOUNT_ATTR_NODIRATIME },
		{ 256 /* MS_NOSYMFOLLOW */, MOUNT_ATTR_NOSYMFOLLOW },
	};

	for (size_t i = 0; i < ARRAY_SIZE(map); i++) {
		if (o->flags & map[i].ms)
			a->attr_set |= map[i].attr;
		if (o->clear & map[i].ms)
			a->attr_clr |= map[i].attr;
	}
	if (o->flags & (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)) {
		a->attr_clr |= MOUNT_ATTR__ATIME;
		a->attr_set |= o->flags & MS_NOATIME	   ? MOUNT_ATTR_NOATIME
			       : o->flags & MS_STRICTATIME ? MOUNT_ATTR_STRICTATIME
							   : MOUNT_ATTR_RELATIME;
	}
}

static int set_rec_attrs(int fd, const struct mount_opts *o, const char *dst, struct error *err)
{
	struct mount_attr a = { .attr_set = o->rec_set, .attr_clr = o->rec_clr };

	if (a.attr_set == 0 && a.attr_clr == 0)
		return 0;
	if (a.attr_set & (MOUNT_ATTR_NOATIME | MOUNT_ATTR_STRICTATIME | MOUNT_ATTR_RELATIME))
		a.attr_clr |= MOUNT_ATTR__ATIME;
	if (say_mount_setattr(fd, dst, AT_RECURSIVE, &a) < 0)
		return error_sys(err, errno, "set recursive mount attributes on '%s'", dst);
	return 0;
}

static int set_propagation(int fd, const struct mount_opts *o, const char *dst, struct error *err)
{
	struct mount_attr a = { .propagation = o->propagation & ~(unsigned long)MS_REC };

	if (o->propagation == 0)
		return 0;
	if (say_mount_setattr(fd, dst, o->propagation & MS_REC ? AT_RECURSIVE : 0, &a) < 0)
		return error_sys(err, errno, "set propagation of '%s'", dst);
	return 0;
}

/* dst: the destination's fd when the caller made it (-1: made and opened here, from the destination path) */
static int bind_mount(struct rootfs_ctx *c, const struct spec_mount *m, const struct mount_opts *o,
		      int hostfd, int dst, struct error *err)
{
	cleanup_free char *src = m->source && m->source[0] != '/' ? xasprintf("%s/%s", c->bundle, m->source)
								  : xstrdup(m->source ? m->source : "");
	/* a source the parent opened with the host's credentials (see mountsrc.c), else our own */
	cleanup_close int own = hostfd < 0 ? open(src, O_PATH | O_CLOEXEC) : -1, dstfd = -1, tree = -1;
	int srcfd = hostfd >= 0 ? hostfd : own;
	struct mount_attr a = { 0 };
	struct stat st;

	if (srcfd < 0 || fstat(srcfd, &st) < 0)
		return error_sys(err, errno, "bind mount source '%s'", src);
	if (dst < 0) {
		dstfd = rootfs_mkdir_open(c->rootfd, m->destination, !S_ISDIR(st.st_mode), 0, err);
		if (dstfd < 0)
			return -1;
	}
	tree = say_open_tree(srcfd, src,
			     OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (o->recursive_bind ? AT_RECURSIVE : 0));
	if (tree < 0)
		return error_sys(err, errno, "bind '%s'", src);
	flags_to_attr(o, &a);
	if ((a.attr_set || a.attr_clr) && say_mount_setattr(tree, m->destination, 0, &a) < 0)
		return error_sys(err, errno, "set flags of bind mount '%s'", m->destination);
	if (set_rec_attrs(tree, o, m->destination, err) < 0 ||
	    set_propagation(tree, o, m->destination, err) < 0)
		return -1;
	if (say_move_mount(tree, src, dst >= 0 ? dst : dstfd, m->destination) < 0)
		return error_sys(err, errno, "bind '%s' on '%s'", src, m->destination);
	return 0;
}

/* tmpcopyup reads a directory a container may share (a volume) and change while husk copies it: */
#define COPY_BUF   65536 /* one buffer for the whole walk, never on the stack of a recursive call */
#define COPY_DEPTH 1024	 /* a deeper tree fails clearly: each level costs stack and two fds */

static int copy_tree(int from, int to, int depth, char *buf, struct error *err);

/* Copy one entry. It is opened O_PATH | O_NOFOLLOW first and every decision is made on that fd: a name
 * swapped meanwhile for a FIFO or a device is never opened (a device's open runs its driver: the tmpcopyup
 * race), nor a symlink to the host followed; the regular file is reopened through the fd's own
 * thread-self/fd link in the pinned procfs (proc_reopen), which is that inode whatever the
 * name names by now. */
static int copy_entry(int from, int to, const char *name, int depth, char *buf, struct error *err)
{
	cleanup_close int pfd = openat(from, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;

	if (pfd < 0 && errno == ENOENT)
		return 0; /* gone since readdir */
	if (pfd < 0 || fstat(pfd, &st) < 0)
		return error_sys(err, errno, "tmpcopyup: '%s'", name);
	if (S_ISDIR(st.st_mode)) {
		cleanup_close int sub_from = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC),
				  sub_to = -1;
		if (sub_from < 0 || (mkdirat(to, name, st.st_mode & 07777) < 0 && errno != EEXIST) ||
		    (sub_to = openat(to, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
			return error_sys(err, errno, "tmpcopyup: '%s'", name);
		if (copy_tree(sub_from, sub_to, depth + 1, buf, err) < 0)
			return -1;
	} else if (S_ISLNK(st.st_mode)) {
		ssize_t n = readlinkat(pfd, "", buf, COPY_BUF - 1);
		if (n < 0)
			return error_sys(err, errno, "tmpcopyup: read symlink '%s'", name);
		buf[n] = '\0';
		if (symlinkat(buf, to, name) < 0)
			return error_sys(err, errno, "tmpcopyup: symlink '%s'", name);
	} else if (S_ISREG(st.st_mode)) {
		cleanup_close int in = -1, out = -1;
		struct stat in_st;
		ssize_t n;
		in = proc_reopen(pfd, O_RDONLY | O_NONBLOCK | O_NOCTTY);
		if (in < 0 || fstat(in, &in_st) < 0)
			return error_sys(err, errno, "tmpcopyup: open '%s'", name);
		if (in_st.st_dev != st.st_dev || in_st.st_ino != st.st_ino || !S_ISREG(in_st.st_mode))
			return error_set(err, EINVAL, "tmpcopyup: '%s' changed while it was opened", name);
		out = openat(to, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			     st.st_mode & 07777);
		if (out < 0)
			return error_sys(err, errno, "tmpcopyup: copy '%s'", name);
		while ((n = read(in, buf, COPY_BUF)) > 0)
			if (write_all(out, buf, (size_t)n) < 0)
				return error_sys(err, errno, "tmpcopyup: write '%s'", name);
		if (n < 0)
			return error_sys(err, errno, "tmpcopyup: read '%s'", name);
	} else {
		/* as runc, which fails on them too: a FIFO, socket or device node is not copied */
		return error_set(
		    err, EINVAL,
		    "tmpcopyup: '%s' is not a regular file, directory or symlink: cannot copy it", name);
	}
	if (fchownat(to, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
		return error_sys(err, errno, "tmpcopyup: chown '%s'", name);
	return 0;
}

/* Copy the directory tree at from into to (tmpcopyup): the tmpfs starts with the image's content. from is
 * consumed (it becomes the walk's DIR): two fds per level. */
static int copy_tree(int from, int to, int depth, char *buf, struct error *err)
{
	cleanup_dir DIR *d = NULL;
	struct dirent *e;
	int r = 0;

	/* why: a tree deeper than the stack (another container can nest directories in a shared volume
	 * without end) crashed the init */
	if (depth > COPY_DEPTH) {
		close(from);
		return error_set(err, ELOOP, "tmpcopyup: more than %d nested directories", COPY_DEPTH);
	}
	d = fdopendir(from);
	if (d == NULL) {
		close(from);
		return error_sys(err, errno, "tmpcopyup: read directory");
	}
	while (r == 0 && (e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			r = copy_entry(dirfd(d), to, e->d_name, depth, buf, err);
	return r;
}

/* MS_* superblock flags as fsconfig(2) flag names, for a mount made with the new API. */
static int set_sb_flags(int fs, unsigned long flags)
{
	static const struct {
		unsigned long ms;
		const char *name;
	} map[] = {
		{ MS_SYNCHRONOUS, "sync" },  { MS_DIRSYNC, "dirsync" }, { MS_MANDLOCK, "mand" },
		{ MS_LAZYTIME, "lazytime" }, { MS_SILENT, "silent" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if ((flags & map[i].ms) && sysops->fsconfig(fs, FSCONFIG_SET_FLAG, map[i].name, NULL, 0) < 0)
			return -1;
	return 0;
}

/* The filesystem's own options ("mode=755,size=64k") one by one, split as mount(2) would
 * (mount_data_next), each handed to fsconfig. */
static int set_data(int fs, const char *type, const char *data)
{
	cleanup_free char *copy = xstrdup(data ? data : "");
	const bool tmpfs = strcmp(type, "tmpfs") == 0;
	char *cursor = copy, *key, *value;

	while (mount_data_next(&cursor, tmpfs, &key, &value))
		if (sysops->fsconfig(fs, value ? FSCONFIG_SET_STRING : FSCONFIG_SET_FLAG, key, value, 0) < 0)
			return -1;
	return 0;
}

/* A new filesystem made detached (fsopen, fsconfig, fsmount) and attached onto dstfd; returns the fd of
 * the mount itself. Everything husk does to the mount afterwards (tmpcopyup, recursive attributes,
 * propagation, the late read-only step) goes through that fd: looked up again by path, the mount could be
 * another one, since a container sharing a volume on the way may rename the directory under it (which
 * detaches the mount here) and put a symlink in its place. */
static int attach_new_fs(const struct spec_mount *m, const struct mount_opts *o, unsigned long flags,
			 int dstfd, struct error *err)
{
	struct mount_opts only = { .flags = flags };
	struct mount_attr a = { 0 };
	cleanup_close int fs = -1, mnt = -1;
	const char *source = m->source ? m->source : m->type;

	flags_to_attr(&only, &a);
	if (log_debug_enabled()) {
		char attrs[128];
		log_debug("fsopen(\"%s\"); fsconfig(source=\"%s\", \"%s\"); fsmount(%s); move_mount(\"%s\")",
			  m->type, source, o->data ? o->data : "",
			  mount_attr_str(a.attr_set, attrs, sizeof attrs), m->destination);
	}
	fs = sysops->fsopen(m->type, FSOPEN_CLOEXEC);
	if (fs < 0 || sysops->fsconfig(fs, FSCONFIG_SET_STRING, "source", source, 0) < 0 ||
	    set_sb_flags(fs, flags) < 0 || set_data(fs, m->type, o->data) < 0 ||
	    sysops->fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return error_sys(err, errno, "mount '%s' (%s) on '%s'", m->source ? m->source : "", m->type,
				 m->destination);
	mnt = sysops->fsmount(fs, FSMOUNT_CLOEXEC, (unsigned)a.attr_set);
	if (mnt < 0 || say_move_mount(mnt, m->type, dstfd, m->destination) < 0)
		return error_sys(err, errno, "mount '%s' (%s) on '%s'", m->source ? m->source : "", m->type,
				 m->destination);
	return steal_fd(&mnt);
}

static int fs_mount(struct rootfs_ctx *c, const struct spec_mount *m, const struct mount_opts *o,
		    struct error *err)
{
	cleanup_close int dstfd = -1, under = -1, newfd = -1, mnt = -1;
	cleanup_free char *clean = path_clean(m->destination);
	/* as runc: /dev is filled (nodes, /dev/pts, the console) and a tmpfs may be copied up into
	 * after the mount, so a read-only one turns read-only only once the rootfs is done */
	bool later = (o->flags & MS_RDONLY) && (strcmp(clean, "/dev") == 0 || strcmp(m->type, "tmpfs") == 0);
	unsigned long flags = o->flags & ~(unsigned long)(MS_REMOUNT | (later ? MS_RDONLY : 0));

	if (strcmp(m->type, "proc") == 0 || strcmp(m->type, "sysfs") == 0) {
		/* /proc or /sys as a symlink in the image would let the mount land elsewhere and expose a
		 * writable host procfs (CVE-2019-19921, CVE-2023-27561, CVE-2023-28642): refuse */
		struct open_how how = { .flags = O_PATH | O_CLOEXEC | O_NOFOLLOW,
					.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
		int lfd = (int)syscall(SYS_openat2, c->rootfd, m->destination, &how, sizeof how);
		struct stat st;
		if (lfd >= 0 && (fstat(lfd, &st) < 0 || !S_ISDIR(st.st_mode))) {
			close(lfd);
			return error_set(err, EPERM,
					 "mount destination '%s' for %s is not a directory (a symlink?): "
					 "refusing",
					 m->destination, m->type);
		}
		/* the directory itself, resolved as rootfs_open_in would: the mount goes on this fd */
		dstfd = lfd;
	}
	if (dstfd < 0)
		dstfd = rootfs_mkdir_open(c->rootfd, m->destination, false, O_DIRECTORY, err);
	if (dstfd < 0)
		return -1;
	if (o->tmpcopyup)
		under = rootfs_open_in(c->rootfd, m->destination, O_RDONLY | O_DIRECTORY);
	if (!later && !o->tmpcopyup && !o->rec_set && !o->rec_clr && !o->propagation) {
		/* nothing more is done to this mount: mount(2) onto the fd */
		if (mount_on_fd(m->source ? m->source : m->type, dstfd, m->destination, m->type, flags,
				o->data) < 0)
			return error_sys(err, errno, "mount '%s' (%s) on '%s'", m->source ? m->source : "",
					 m->type, m->destination);
		return 0;
	}
	mnt = attach_new_fs(m, o, flags, dstfd, err);
	if (mnt < 0)
		return -1;
	newfd = openat(mnt, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (newfd < 0)
		return error_sys(err, errno, "open the new mount on '%s'", m->destination);
	if (o->tmpcopyup && under >= 0) {
		cleanup_free char *buf = xmalloc(COPY_BUF);
		if (copy_tree(steal_fd(&under), newfd, 0, buf, err) < 0)
			return error_wrap(err, "mount '%s'", m->destination);
	}
	if (set_rec_attrs(newfd, o, m->destination, err) < 0 ||
	    set_propagation(newfd, o, m->destination, err) < 0)
		return -1;
	if (later) {
		c->ro_later = xrealloc(c->ro_later, (c->n_ro_later + 1) * sizeof *c->ro_later);
		c->ro_later[c->n_ro_later].path = m->destination;
		c->ro_later[c->n_ro_later++].fd = steal_fd(&mnt);
	}
	return 0;
}

/* The cgroup filesystem: the container sees only its own cgroup, as binds of its directories (or
 * a fresh cgroup2 mount inside a cgroup namespace). Read-only unless the config says rw: a writable
 * cgroupfs lets the container raise its own limits or escape them (CVE-2023-25809). */
static int cgroup_mount(struct rootfs_ctx *c, const struct spec_mount *m, const struct mount_opts *o,
			struct error *err)
{
	const struct cgroup_layout *lay;
	bool ro = !o->has_rw;
	unsigned long common = MS_NOSUID | MS_NODEV | MS_NOEXEC;
	cleanup_close int dstfd = -1, tmp = -1;

	dstfd = rootfs_mkdir_open(c->rootfd, m->destination, false, O_DIRECTORY, err);
	if (dstfd < 0)
		return -1;
	lay = cgroup_layout(err);
	if (lay == NULL)
		return -1;
	if (c->cgroup_path && c->cgroup_wait && c->cgroup_wait(c->cgroup_wait_arg, err) < 0)
		return -1;
	if (c->cgroup_path == NULL) {
		/* no cgroup of its own: an empty, read-only directory */
		if (mount_on_fd("tmpfs", dstfd, m->destination, "tmpfs", common | MS_RDONLY, "mode=755") < 0)
			return error_sys(err, errno, "mount an empty tmpfs on '%s'", m->destination);
		return 0;
	}
	if (lay->mode == CGROUP_MODE_V2 && c->cgroupns) {
		if (mount_on_fd("cgroup2", dstfd, m->destination, "cgroup2", common | (ro ? MS_RDONLY : 0),
				NULL) == 0)
			return 0;
		/* as runc: EBUSY where /sys came in as an rbind of the host's (the same cgroup2 is mounted
		 * right there), EPERM where this namespace may not mount it: bind the cgroup's directory */
		if (errno != EBUSY && errno != EPERM)
			return error_sys(err, errno, "mount cgroup2 on '%s'", m->destination);
	}
	if (lay->mode != CGROUP_MODE_V2) {
		/* made read-only below through this fd, never through the path again (see attach_new_fs) */
		struct spec_mount t = { .destination = m->destination,
					.source = (char *)"tmpfs",
					.type = (char *)"tmpfs" };
		struct mount_opts to = { .data = (char *)"mode=755" };
		tmp = attach_new_fs(&t, &to, common, dstfd, err);
		if (tmp < 0)
			return -1;
	}
	for (size_t i = 0; i < lay->n; i++) {
		const struct cgroup_hierarchy *h = &lay->h[i];
		cleanup_free char *src = xasprintf("%s%s", h->mountpoint, c->cgroup_path);
		cleanup_free char *mp = xstrdup(h->mountpoint);
		cleanup_free char *dst = lay->mode == CGROUP_MODE_V2
					     ? xstrdup(m->destination)
					     : xasprintf("%s/%s", m->destination, basename(mp));
		struct spec_mount bind = { .destination = dst, .source = src };
		struct mount_opts bo = { .bind = true, .flags = common | (ro ? MS_RDONLY : 0) };
		cleanup_close int dir = -1;

		if (tmp >= 0) {
			/* the hierarchy's directory made in the tmpfs just mounted, through that mount's own
			 * fd: no path in the rootfs is resolved again */
			const char *name = basename(mp);
			if (mkdirat(tmp, name, 0755) < 0 && errno != EEXIST)
				return error_sys(err, errno, "cgroup mount: create '%s'", dst);
			dir = openat(tmp, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (dir < 0)
				return error_sys(err, errno, "cgroup mount: open '%s'", dst);
		}
		if (bind_mount(c, &bind, &bo, -1, dir, err) < 0)
			return error_wrap(err, "cgroup mount");
	}
	if (lay->mode != CGROUP_MODE_V2 && ro) {
		/* the tmpfs holding the hierarchy directories is read-only too */
		struct mount_attr a = { .attr_set = MOUNT_ATTR_RDONLY };
		if (say_mount_setattr(tmp, m->destination, 0, &a) < 0)
			return error_sys(err, errno, "make '%s' read-only", m->destination);
	}
	return 0;
}

int rootfs_mount_all(struct rootfs_ctx *c, struct error *err)
{
	for (size_t i = 0; i < c->spec->n_mounts; i++) {
		const struct spec_mount *m = &c->spec->mounts[i];
		const struct mount_opts *o = &m->opts; /* parsed and checked by config/ */
		int r;

		if (o->bind || (m->type && strcmp(m->type, "bind") == 0))
			r = bind_mount(c, m, o, c->src_fds ? c->src_fds[i] : -1, -1, err);
		else if (m->type && (strcmp(m->type, "cgroup") == 0 || strcmp(m->type, "cgroup2") == 0))
			r = cgroup_mount(c, m, o, err);
		else
			r = fs_mount(c, m, o, err);
		if (r < 0)
			return -1;
	}
	return 0;
}

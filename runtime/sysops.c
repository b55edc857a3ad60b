/* The kernel behind the sysops seam (sysops.h): thin adaptors to libc and raw system calls. */
#define _GNU_SOURCE
#include "sysops.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int k_mount(const char *src, const char *target, const char *type, unsigned long flags,
		   const void *data)
{
	return mount(src, target, type, flags, data);
}

static int k_pivot_root(const char *new_root, const char *put_old)
{
	return (int)syscall(SYS_pivot_root, new_root, put_old);
}

static int k_open_tree(int dfd, const char *path, unsigned flags)
{
	return (int)syscall(SYS_open_tree, dfd, path, flags);
}

static int k_mount_setattr(int dfd, const char *path, unsigned flags, struct mount_attr *attr, size_t size)
{
	return (int)syscall(SYS_mount_setattr, dfd, path, flags, attr, size);
}

static int k_move_mount(int from_dfd, const char *from, int to_dfd, const char *to, unsigned flags)
{
	return (int)syscall(SYS_move_mount, from_dfd, from, to_dfd, to, flags);
}

static int k_fsopen(const char *fsname, unsigned flags)
{
	return (int)syscall(SYS_fsopen, fsname, flags);
}

static int k_fsconfig(int fd, unsigned cmd, const char *key, const void *value, int aux)
{
	return (int)syscall(SYS_fsconfig, fd, cmd, key, value, aux);
}

static int k_fsmount(int fd, unsigned flags, unsigned attr)
{
	return (int)syscall(SYS_fsmount, fd, flags, attr);
}

static long k_clone3(struct clone_args *args, size_t size)
{
	return syscall(SYS_clone3, args, size);
}

static int k_prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5)
{
	return prctl(option, a2, a3, a4, a5);
}

const struct sys_ops sys_ops_kernel = {
	.mount = k_mount,
	.umount2 = umount2,
	.pivot_root = k_pivot_root,
	.chroot = chroot,
	.open_tree = k_open_tree,
	.mount_setattr = k_mount_setattr,
	.move_mount = k_move_mount,
	.fsopen = k_fsopen,
	.fsconfig = k_fsconfig,
	.fsmount = k_fsmount,
	.mknodat = mknodat,
	.clone3 = k_clone3,
	.setns = setns,
	.unshare = unshare,
	.sethostname = sethostname,
	.setdomainname = setdomainname,
	.prctl = k_prctl,
	.cap_get_proc = cap_get_proc,
	.cap_set_proc = cap_set_proc,
};

const struct sys_ops *sysops = &sys_ops_kernel;

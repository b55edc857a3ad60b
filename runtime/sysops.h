/* The seam under the setup system calls of the mount, namespace and capability code: every such call
 * goes through `sysops`, a table of function pointers that is the kernel in husk and a recorder in the
 * unit tests, which check the exact calls and their order without root. The say_*() wrappers of
 * narrate.c print a call, then make it through here. */
#ifndef HUSK_SYSOPS_H
#define HUSK_SYSOPS_H

#include <linux/mount.h>
#include <linux/sched.h>
#include <stddef.h>
#include <sys/capability.h>
#include <sys/types.h>

struct sys_ops {
	/* mounts */
	int (*mount)(const char *src, const char *target, const char *type, unsigned long flags,
		     const void *data);
	int (*umount2)(const char *target, int flags);
	int (*pivot_root)(const char *new_root, const char *put_old);
	int (*chroot)(const char *path);
	int (*open_tree)(int dfd, const char *path, unsigned flags);
	int (*mount_setattr)(int dfd, const char *path, unsigned flags, struct mount_attr *attr, size_t size);
	int (*move_mount)(int from_dfd, const char *from, int to_dfd, const char *to, unsigned flags);
	int (*fsopen)(const char *fsname, unsigned flags);
	int (*fsconfig)(int fd, unsigned cmd, const char *key, const void *value, int aux);
	int (*fsmount)(int fd, unsigned flags, unsigned attr);
	int (*mknodat)(int dfd, const char *name, mode_t mode, dev_t dev);
	/* namespaces */
	long (*clone3)(struct clone_args *args, size_t size);
	int (*setns)(int fd, int nstype);
	int (*unshare)(int flags);
	int (*sethostname)(const char *name, size_t len);
	int (*setdomainname)(const char *name, size_t len);
	/* capabilities: the bounding and ambient sets, no_new_privs, keepcaps go through prctl */
	int (*prctl)(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5);
	cap_t (*cap_get_proc)(void);
	int (*cap_set_proc)(cap_t caps);
};

/* The kernel's calls. */
extern const struct sys_ops sys_ops_kernel;
/* What husk calls through: &sys_ops_kernel, except in unit tests. */
extern const struct sys_ops *sysops;

#endif

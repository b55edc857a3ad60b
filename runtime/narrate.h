/* --debug narration that cannot drift from what is done. Each say_*() wrapper prints the system call
 * it is about to make, one line, with symbolic flags, from the very arguments it then passes to the
 * kernel; without --debug it is the bare call. fd-based calls take a `shown` path: the name a student
 * would write for the object the fd holds (the fd itself means nothing to a reader). */
#ifndef HUSK_NARRATE_H
#define HUSK_NARRATE_H

#include <linux/sched.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/types.h>

/* "CLONE_NEWNS|CLONE_NEWPID"; "0" for none; unknown bits in hex. */
const char *clone_flags_str(uint64_t flags, char *buf, size_t size);
/* "MOUNT_ATTR_RDONLY|MOUNT_ATTR_NOSUID" */
const char *mount_attr_str(uint64_t attr, char *buf, size_t size);

int say_mount(const char *src, const char *target, const char *shown_target, const char *type,
	      unsigned long flags, const char *data);
int say_umount2(const char *target, int flags);
int say_pivot_root(const char *new_root, const char *put_old);
int say_chroot(const char *path);
pid_t say_clone3(struct clone_args *args);
int say_setns(int fd, int nstype, const char *shown);
int say_unshare(int flags);
int say_sethostname(const char *name);
int say_setdomainname(const char *name);
/* The new mount API: open_tree clones a mount (a bind), mount_setattr changes its flags, move_mount
 * attaches it; fsopen/fsmount make a fresh filesystem mount. */
int say_open_tree(int dfd, const char *shown, unsigned flags);
int say_mount_setattr(int fd, const char *shown, unsigned flags, struct mount_attr *attr);
int say_move_mount(int from, const char *shown_from, int to, const char *shown_to);
int say_fsmount_tmpfs(const char *shown, uint64_t attr);
int say_no_new_privs(void);
/* execve(path, ["arg0", ...], [N variables]): returns only on failure */
int say_execve(const char *path, char *const argv[], char *const envp[]);
/* write(2) of a small text file (/proc/PID/uid_map, cgroup files): narrated as `write PATH "TEXT"` */
void say_write(const char *path, const char *text, size_t len);

#endif

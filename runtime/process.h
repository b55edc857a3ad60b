/* The container process's attributes (process.* and a few linux.* fields): limits, scheduling, user and
 * groups, capabilities, cwd, environment, fds, and the final execve. Shared by the init and `exec`. */
#ifndef HUSK_PROCESS_H
#define HUSK_PROCESS_H

#include <stdbool.h>

#include "config/spec.h"
#include "base/error.h"

/* Pin the procfs at /proc (its root, verified) before joining any namespace: later /proc/... writes
 * go through it, so a /proc the container built (a tmpfs, or bind mounts of other procfs files over
 * /proc/self/oom_score_adj) never receives them. proc_unpin closes it (the fd close before execve does). */
int proc_pin(struct error *err);
void proc_unpin(void);
/* Open /proc/REST (REST without magic links: /proc/thread-self/attr/exec) through the pinned procfs, no
 * other mount on the way; /proc itself when nothing is pinned. O_CLOEXEC and O_NOFOLLOW are added. A
 * joined mount namespace's /proc (another container's: a tmpfs with its own "self") never answers. */
int proc_open(const char *path, int flags);
/* Open the magic link NAME (an fd number, a namespace) in DIR of the pinned procfs ("thread-self/ns"),
 * following it: only NAME itself is a link, and it is procfs' own. -1 with errno. */
int proc_open_link(const char *dir, const char *name, int flags);
/* An O_PATH fd of the pinned procfs' thread-self/fd: its entry N, resolved from it (fchmodat(dir, "N"), or
 * as a relative path with it as the cwd for mount(2)), is our fd N's own file, whatever the /proc of the
 * mount namespace we are in says. -1 with errno. */
int proc_fd_dir(void);
/* Write into a file under /proc, through the pinned procfs when there is one, after checking that the
 * fd really is on procfs: a fake /proc must not absorb security writes (CVE-2019-16884,
 * CVE-2025-52881). */
int proc_write(const char *path, const char *data, struct error *err);
/* Open the node behind the O_PATH fd with flags (O_CLOEXEC added), through the pinned procfs'
 * thread-self/fd/N (the host's /proc when nothing is pinned): the very inode the fd holds, whatever its
 * name names by now and whatever /proc the container built. The caller checks the O_PATH fd's type
 * first, so a device or FIFO planted where husk expects its own node is never opened. -1 with errno. */
int proc_reopen(int fd, int flags);

/* linux.sysctl, refusing keys that are not isolated by a namespace the container owns (a host-wide
 * sysctl written from a container would change the host). */
int process_sysctl(const struct spec *spec, struct error *err);
/* rlimits, oomScoreAdj, scheduler, ioPriority, personality, memoryPolicy (execCPUAffinity.final is set
 * later, in final_exec, after the cgroup join). */
int process_limits(const struct spec_process *p, const struct spec_linux *l, struct error *err);
/* sched_setaffinity(0, a->cpus), the set config/ parsed (a->cpus must not be NULL); stage ("initial",
 * "final") names the execCPUAffinity field in errors. */
int process_set_affinity(const struct spec_cpu_affinity *a, const char *stage, struct error *err);
/* A new session keyring named after the container, so containers never share kernel keys. */
int process_new_keyring(const char *id, struct error *err);
/* Groups, gid, uid with capabilities kept across the switch, then the capability sets. */
int process_set_user(const struct spec_process *p, bool setgroups_allowed, bool hold_admin,
		     struct error *err);
/* Loading a seccomp filter without no_new_privs needs CAP_SYS_ADMIN: process_set_user(hold_admin)
 * keeps it effective until the filter is loaded, then process_final_caps sets the exact sets (one
 * capset after the filter: the filter itself stays the last thing before execve). */
bool process_seccomp_needs_admin(const struct spec_process *p, bool has_seccomp);
int process_final_caps(const struct spec_process *p, struct error *err);
/* chdir(cwd) and verify the result is inside the container root: a cwd such as /proc/self/fd/N
 * pointing at a leaked host directory must not start the process outside it (CVE-2024-21626). */
int process_chdir(const char *cwd, struct error *err);
/* Resolve args[0] through PATH of the process env, inside the container's filesystem. */
int process_find_exec(const struct spec_process *p, char **ret_path, struct error *err);
/* The process env plus HOME from /etc/passwd when unset; LISTEN_FDS when fds are passed. */
char **process_env(const struct spec_process *p, int listen_fds);
/* Refuse to exec the husk binary itself (directly or through up to 5 "#!" interpreters): only an early,
 * clear error; the defence against CVE-2019-5736 is the unwritable image (sealed.h). */
int process_refuse_runtime_binary(const char *exe, struct error *err);
/* Our pid in the PID namespace of the procfs mounted on /proc (the host's, before pivot_root or
 * setns into the container's mount namespace): the first NSpid field of /proc/self/status. */
pid_t process_host_pid(void);
/* Whether setgroups(2) is allowed in our user namespace (/proc/self/setgroups says "allow"). */
bool process_setgroups_allowed(void);

#endif

/* Process attributes of the container's program. Everything here runs in the container init (or the
 * exec'd process) just before execve. */
#define _GNU_SOURCE
#include "process.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "caps.h"
#include "base/log.h"
#include "narrate.h"
#include "sealed.h"
#include "base/util.h"
#include "sysops.h"

/* The procfs husk saw before joining any namespace, or -1 (see proc_pin). */
static int proc_root = -1;

int proc_pin(struct error *err)
{
	struct statfs sfs;
	struct stat st;
	int fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return error_sys(err, errno, "open /proc");
	/* the root of a procfs (inode 1), not a directory of one mounted there */
	if (fstatfs(fd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC || fstat(fd, &st) < 0 || st.st_ino != 1) {
		close(fd);
		return error_set(err, EPERM, "/proc is not the root of a procfs: refusing to use it");
	}
	proc_unpin();
	proc_root = fd;
	return 0;
}

void proc_unpin(void)
{
	if (proc_root >= 0)
		close(proc_root);
	proc_root = -1;
}

/* Open /proc/REST through the pinned procfs: RESOLVE_NO_XDEV keeps every step on that one procfs mount,
 * so no bind mount (of another procfs file, CVE-2025-52881 style) placed anywhere can stand in. */
int proc_open(const char *path, int flags)
{
	struct open_how how = { .flags = (uint64_t)(flags | O_CLOEXEC | O_NOFOLLOW),
				.resolve = RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS | RESOLVE_BENEATH };

	if (proc_root < 0 || strncmp(path, "/proc/", 6) != 0)
		return open(path, flags | O_CLOEXEC | O_NOFOLLOW);
	return (int)syscall(SYS_openat2, proc_root, path + 6, &how, sizeof how);
}

int proc_open_link(const char *dir, const char *name, int flags)
{
	struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
				.resolve = RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS | RESOLVE_BENEATH };
	cleanup_close int dirfd = -1;

	/* the directory through the pinned procfs, no other mount on the way; its entry is a magic link
	 * (which openat2's RESOLVE_* would refuse to follow) to the fd's file or the namespace */
	if (proc_root >= 0) {
		dirfd = (int)syscall(SYS_openat2, proc_root, dir, &how, sizeof how);
	} else {
		cleanup_free char *path = xasprintf("/proc/%s", dir);
		dirfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	}
	if (dirfd < 0)
		return -1;
	return openat(dirfd, name, flags | O_CLOEXEC);
}

int proc_fd_dir(void)
{
	return proc_open_link("thread-self", "fd", O_PATH | O_DIRECTORY);
}

int proc_reopen(int fd, int flags)
{
	char name[16];

	snprintf(name, sizeof name, "%d", fd);
	return proc_open_link("thread-self/fd", name, flags);
}

int proc_write(const char *path, const char *data, struct error *err)
{
	cleanup_close int fd = proc_open(path, O_WRONLY);
	struct statfs sfs;

	if (fd < 0)
		return error_sys(err, errno, "open '%s'", path);
	if (fstatfs(fd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC)
		return error_set(err, EPERM, "'%s' is not on procfs: refusing to write to it", path);
	say_write(path, data, strlen(data));
	if (write_all(fd, data, strlen(data)) < 0)
		return error_sys(err, errno, "write '%s' to '%s'", data, path);
	return 0;
}

int process_sysctl(const struct spec *spec, struct error *err)
{
	const struct spec_map *m = &spec->linux_.sysctl;

	/* config/ has checked every name and its namespace (spec_validate), before anything existed */
	for (size_t i = 0; i < m->n; i++) {
		cleanup_free char *path = NULL;
		path = xasprintf("/proc/sys/%s", m->keys[i]);
		for (char *p = path + 10; *p; p++)
			if (*p == '.')
				*p = '/';
		if (proc_write(path, m->values[i], err) < 0)
			return error_wrap(err, "sysctl '%s'", m->keys[i]);
	}
	return 0;
}

struct sched_attr_v1 {
	uint32_t size;
	uint32_t sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime;
	uint64_t sched_deadline;
	uint64_t sched_period;
};

static int set_scheduler(const struct spec_scheduler *s, struct error *err)
{
	struct sched_attr_v1 a = { .size = sizeof a,
				   .sched_policy = (uint32_t)s->policy,
				   .sched_flags = s->flags,
				   .sched_nice = s->has_nice ? s->nice : 0,
				   .sched_priority = s->has_priority ? (uint32_t)s->priority : 0,
				   .sched_runtime = s->runtime,
				   .sched_deadline = s->deadline,
				   .sched_period = s->period };

	log_debug("sched_setattr(0, {policy=%d, priority=%u, nice=%d})", s->policy, a.sched_priority,
		  a.sched_nice);
	if (syscall(SYS_sched_setattr, 0, &a, 0) < 0)
		return error_sys(err, errno, "set the scheduler (process.scheduler)");
	return 0;
}

/* linux.memoryPolicy: the policy every page this process (and its children) allocates follows;
 * validated in config/ (nodes a mode needs, flags that go together, nodes this host has). */
static int set_memory_policy(const struct spec_memory_policy *m, struct error *err)
{
	/* maxnode counts one past the last bit the kernel reads */
	unsigned long maxnode = m->highest_node >= 0 ? (unsigned long)m->highest_node + 2 : 0;

	log_debug("set_mempolicy(%d | %#x, nodes '%s')", m->mode, m->flags, m->nodes ? m->nodes : "");
	if (syscall(SYS_set_mempolicy, m->mode | (int)m->flags, maxnode ? m->node_mask : NULL, maxnode) < 0)
		return error_sys(err, errno, "linux.memoryPolicy: set_mempolicy(mode %d, nodes '%s')",
				 m->mode, m->nodes ? m->nodes : "");
	return 0;
}

int process_limits(const struct spec_process *p, const struct spec_linux *l, struct error *err)
{
	for (size_t i = 0; i < p->n_rlimits; i++) {
		struct rlimit rl = { p->rlimits[i].soft, p->rlimits[i].hard };
		log_debug("setrlimit(%s, {%llu, %llu})", p->rlimits[i].type, (unsigned long long)rl.rlim_cur,
			  (unsigned long long)rl.rlim_max);
		if (setrlimit(p->rlimits[i].resource, &rl) < 0)
			return error_sys(err, errno, "set %s to %llu/%llu%s", p->rlimits[i].type,
					 (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max,
					 errno == EPERM ? " (raising a hard limit needs CAP_SYS_RESOURCE)"
							: "");
	}
	if (p->has_oom_score_adj) {
		char buf[16];
		snprintf(buf, sizeof buf, "%d", p->oom_score_adj);
		if (proc_write("/proc/self/oom_score_adj", buf, err) < 0)
			return error_wrap(err, "set oomScoreAdj");
	}
	if (p->has_scheduler && set_scheduler(&p->scheduler, err) < 0)
		return -1;
	if (p->has_io_priority) {
		int v = (p->io_priority.ioprio_class << 13) | p->io_priority.priority;
		log_debug("ioprio_set(IOPRIO_WHO_PROCESS, 0, %#x)", v);
		if (syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, v) < 0)
			return error_sys(err, errno, "set the I/O priority");
	}
	if (l->has_personality) {
		unsigned long pers = l->personality.domain | l->personality.flags;

		log_debug("personality(%#lx)", pers);
		if (personality(pers) < 0)
			return error_sys(err, errno, "set personality %#lx", pers);
	}
	if (l->has_memory_policy && set_memory_policy(&l->memory_policy, err) < 0)
		return -1;
	return 0;
}

int process_set_affinity(const struct spec_cpu_affinity *a, const char *stage, struct error *err)
{
	log_debug("execCPUAffinity.%s: sched_setaffinity(%s)", stage, a->list);
	if (sched_setaffinity(0, a->size, a->cpus) < 0)
		return error_sys(
		    err, errno, "process.execCPUAffinity.%s: set the CPU affinity to '%s'%s", stage, a->list,
		    errno == EINVAL ? " (none of these CPUs is online or allowed by the cpuset)" : "");
	return 0;
}

int process_new_keyring(const char *id, struct error *err)
{
	char name[256];

	snprintf(name, sizeof name, "_ses.%s", id);
	log_debug("keyctl(KEYCTL_JOIN_SESSION_KEYRING, \"%s\")", name);
	/* KEYCTL_JOIN_SESSION_KEYRING = 1; ENOSYS/EACCES mean keyrings are unavailable or masked by
	 * seccomp on the host: the container then shares nothing new, which runc also tolerates */
	if (syscall(SYS_keyctl, 1, name, 0, 0, 0) < 0 && errno != ENOSYS && errno != EACCES)
		return error_sys(err, errno, "create a session keyring");
	return 0;
}

bool process_seccomp_needs_admin(const struct spec_process *p, bool has_seccomp)
{
	return has_seccomp && !p->no_new_privileges &&
	       !(p->has_capabilities && (p->capabilities.sets[CAPSET_EFFECTIVE] & (1ULL << CAP_SYS_ADMIN)));
}

int process_final_caps(const struct spec_process *p, struct error *err)
{
	struct spec_capabilities none = { 0 };

	return caps_apply(p->has_capabilities ? &p->capabilities : &none, err);
}

int process_set_user(const struct spec_process *p, bool setgroups_allowed, bool hold_admin, struct error *err)
{
	const struct spec_user *u = &p->user;
	struct spec_capabilities none = { 0 }, held;
	const struct spec_capabilities *caps = p->has_capabilities ? &p->capabilities : &none;

	if (caps_drop_bounding(caps, err) < 0)
		return -1;
	/* always set the list, also in a user namespace: the caller's supplementary groups (disk,
	 * docker, ...) must not follow the program in and grant it their files */
	log_debug("setgroups(%zu, [...])", u->n_additional_gids);
	if (setgroups(u->n_additional_gids, (const gid_t *)u->additional_gids) < 0) {
		if (setgroups_allowed || errno != EPERM)
			return error_sys(err, errno, "setgroups");
		/* a user namespace whose setgroups file says "deny" (made by an unprivileged
		 * process): the groups cannot change, only a request for more is an error */
		if (u->n_additional_gids)
			return error_set(
			    err, EPERM,
			    "additionalGids cannot be set: setgroups is denied in this user namespace");
	}
	/* keep the permitted set across the uid change; capset below then sets it exactly */
	if (sysops->prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return error_sys(err, errno, "prctl(PR_SET_KEEPCAPS)");
	log_debug("setresgid(%u, %u, %u); setresuid(%u, %u, %u)", u->gid, u->gid, u->gid, u->uid, u->uid,
		  u->uid);
	/* EINVAL: the id has no mapping in the user namespace */
	if (setresgid(u->gid, u->gid, u->gid) < 0)
		return error_sys(
		    err, errno, "setresgid(%u)%s", u->gid,
		    errno == EINVAL ? ": gid not mapped in the user namespace (.linux.gidMappings)" : "");
	if (setresuid(u->uid, u->uid, u->uid) < 0)
		return error_sys(
		    err, errno, "setresuid(%u)%s", u->uid,
		    errno == EINVAL ? ": uid not mapped in the user namespace (.linux.uidMappings)" : "");
	if (sysops->prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return error_sys(err, errno, "prctl(PR_SET_KEEPCAPS)");
	/* runc's default when the config has none: the caller's umask (077 under some sudo
	 * setups) would otherwise make the container's files unreadable to others */
	umask(u->has_umask ? (mode_t)u->umask : 0022);
	if (!hold_admin)
		return caps_apply(caps, err);
	/* without no_new_privs the kernel lets only CAP_SYS_ADMIN load a seccomp filter: keep it (outside
	 * the bounding set, which is already final) until the filter is in, then process_final_caps */
	held = *caps;
	held.sets[CAPSET_EFFECTIVE] |= 1ULL << CAP_SYS_ADMIN;
	held.sets[CAPSET_PERMITTED] |= 1ULL << CAP_SYS_ADMIN;
	return caps_apply(&held, err);
}

int process_chdir(const char *cwd, struct error *err)
{
	char buf[4096];

	log_debug("chdir(\"%s\")", cwd);
	if (chdir(cwd) < 0)
		/* runc's words: podman and CRI-O read "no such file or directory" as a missing file */
		return error_sys_lc(err, errno, "chdir to cwd (\"%s\") set in config.json failed", cwd);
	/* getcwd returns "(unreachable)/..." (or fails) when the directory is outside our root */
	if (getcwd(buf, sizeof buf) == NULL || buf[0] != '/')
		return error_set(err, EPERM, "cwd '%s' is outside the container root: refusing", cwd);
	return 0;
}

static const char *env_get(char *const *env, size_t n, const char *key)
{
	size_t len = strlen(key);

	for (size_t i = 0; i < n; i++)
		if (strncmp(env[i], key, len) == 0 && env[i][len] == '=')
			return env[i] + len + 1;
	return NULL;
}

int process_find_exec(const struct spec_process *p, char **ret_path, struct error *err)
{
	const char *name = p->args[0];
	const char *path = env_get(p->env, p->n_env, "PATH");
	cleanup_free char *copy = NULL;
	struct stat st;

	if (strchr(name, '/')) {
		if (stat(name, &st) < 0)
			return error_sys_lc(err, errno, "exec: \"%s\": stat %s", name, name);
		/* refused at create, as runc does, not later at start */
		if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111))
			return error_set(err, EACCES, "exec: \"%s\": permission denied", name);
		*ret_path = xstrdup(name);
		return 0;
	}
	copy = xstrdup(path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	for (char *s = copy, *dir; (dir = strsep(&s, ":")) != NULL;) {
		cleanup_free char *full = xasprintf("%s/%s", *dir ? dir : ".", name);
		if (stat(full, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111)) {
			*ret_path = steal_ptr(&full);
			return 0;
		}
	}
	/* the wording matches runc's: podman maps "executable file not found" to exit code 127 */
	return error_set(err, ENOENT, "exec: \"%s\": executable file not found in $PATH", name);
}

char **process_env(const struct spec_process *p, int listen_fds)
{
	char **env = xcalloc(p->n_env + 4, sizeof(char *));
	size_t n = 0;

	for (size_t i = 0; i < p->n_env; i++)
		env[n++] = xstrdup(p->env[i]);
	if (env_get(p->env, p->n_env, "HOME") == NULL) {
		cleanup_free char *home = passwd_field(p->user.uid, 5);
		env[n++] = xasprintf("HOME=%s", home && home[0] == '/' ? home : "/");
	}
	if (listen_fds > 0) {
		env[n++] = xasprintf("LISTEN_FDS=%d", listen_fds);
		env[n++] = xstrdup("LISTEN_PID=1");
	}
	env[n] = NULL;
	return env;
}

/* The program's identity and, for a "#!" script, its interpreter line: for regular files only, opened
 * without blocking and read within a bound, so a FIFO or a device named as a program or interpreter can
 * neither hang husk nor feed it without end. Returns 1 with the interpreter in buf, 0 otherwise. */
static int read_interpreter(const char *path, struct stat *st, char *buf, size_t size)
{
	cleanup_close int fd = -1;
	struct stat o;
	ssize_t n;

	if (stat(path, st) < 0) {
		st->st_ino = 0;
		return 0;
	}
	if (!S_ISREG(st->st_mode))
		return 0;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &o) < 0 || !S_ISREG(o.st_mode) || o.st_dev != st->st_dev ||
	    o.st_ino != st->st_ino)
		return 0;
	/* the kernel reads no more of a "#!" line either (BINPRM_BUF_SIZE) */
	n = read(fd, buf, size - 1 < 256 ? size - 1 : 256);
	if (n < 3 || buf[0] != '#' || buf[1] != '!')
		return 0;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	char *interp = buf + 2 + strspn(buf + 2, " \t");
	interp[strcspn(interp, " \t")] = '\0';
	memmove(buf, interp, strlen(interp) + 1);
	return 1;
}

int process_refuse_runtime_binary(const char *exe, struct error *err)
{
	char path[4096];
	struct stat st = { 0 };

	snprintf(path, sizeof path, "%s", exe);
	/* the kernel follows up to 5 "#!" interpreters after the program (fs/exec.c, depth > 5 is ELOOP):
	 * look at all 6 files */
	for (int depth = 0; depth <= 5; depth++) {
		int more = read_interpreter(path, &st, path, sizeof path);
		if (st.st_ino && sealed_is_runtime_binary(st.st_dev, st.st_ino))
			return error_set(
			    err, EPERM,
			    "exec \"%s\": the program is the husk runtime binary itself: refusing "
			    "(CVE-2019-5736)",
			    exe);
		if (!more)
			return 0;
		memset(&st, 0, sizeof st);
	}
	return 0;
}

bool process_setgroups_allowed(void)
{
	char buf[16] = "";
	cleanup_close int fd = proc_open("/proc/self/setgroups", O_RDONLY);

	if (fd < 0 || read(fd, buf, sizeof buf - 1) <= 0)
		return true;
	return strncmp(buf, "allow", 5) == 0;
}

pid_t process_host_pid(void)
{
	cleanup_file FILE *f = fopen("/proc/self/status", "re");
	cleanup_free char *line = NULL;
	size_t cap = 0;

	while (f && getline(&line, &cap, f) > 0)
		if (strncmp(line, "NSpid:", 6) == 0)
			return (pid_t)strtol(line + 6, NULL, 10);
	return getpid();
}

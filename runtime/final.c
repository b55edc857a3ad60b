/* The one sequence that turns a husk process inside the container into the container's program. The
 * order is the security argument, written once here for the init and for `husk exec`:
 *   1. limits         rlimits, oomScoreAdj, scheduler, I/O priority, personality, memory policy: while husk
 *                     still holds the capabilities that raising them needs; /proc writes go through the
 *                     procfs pinned before any namespace was joined (proc_pin), so a container's /proc
 *                     covered with other procfs files cannot redirect them (issue 13)
 *   2. non-dumpable   from here on /proc/PID/exe, fd/, cwd of this process are closed to the container's
 *                     processes (CVE-2019-5736, CVE-2024-21626); after step 1, the last write to
 *                     /proc/self, which a non-dumpable process in a user namespace no longer owns
 *   3. LSM label      written through the attr fd opened in the host's procfs (CVE-2019-16884); it applies
 *                     at the execve, and its fd is closed with it
 *   4. close fds      every fd above the preserved ones, except husk's own sockets (no path can start at a
 *                     socket): before anything resolves a path, so neither the cwd nor the program can be
 *                     reached through /proc/self/fd/N of a host fd (CVE-2024-21626, issue 13)
 *   5. chdir          as root, so a cwd only root may enter works; the result is checked inside the root
 *   6. user           bounding set, groups, uid/gid, capabilities (CAP_SYS_ADMIN held if seccomp needs it)
 *   7. no_new_privs   before the program lookup and the filter, which needs it or CAP_SYS_ADMIN
 *   8. find program   as the final user, so permission errors are the program's own; the CVE-2019-5736
 *                     check here is only an early clear error: the defence is the sealed image (sealed.c)
 *   9. environment    HOME from the image's /etc/passwd, LISTEN_FDS
 *  10. gate           the caller's wait (init: ready, `start`, startContainer hooks; exec: a frozen cgroup)
 *  10a. affinity     execCPUAffinity.final, after the gate: the init may enter its cgroup (and an exec a
 *                     frozen one) only at the gate, and before Linux 6.2 entering a cpuset cgroup resets
 *                     the affinity to the cpuset's CPUs, so one set earlier is lost (kernel 6.1 showed it)
 *  11. signals        every disposition back to default and an empty mask: execve keeps ignored signals and
 *                     the mask, and the caller's (a systemd service ignores SIGPIPE) are not the program's
 *  12. seccomp        last of husk's own system calls, so the filter never breaks the setup above
 *  13. final caps     drops the CAP_SYS_ADMIN held for step 12
 *  14. execve */
#define _GNU_SOURCE
#include "final.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/log.h"
#include "lsm.h"
#include "narrate.h"
#include "process.h"
#include "base/util.h"

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static int close_range_from(unsigned from, unsigned to, struct error *err)
{
	if (from <= to && syscall(SYS_close_range, from, to, 0) < 0)
		return error_sys(err, errno, "close inherited file descriptors");
	return 0;
}

/* A kept fd must be one no path can start at and no execve can run: a socket, or a regular file with no
 * exec bit (root too needs one to execute a file or use it as a "#!" interpreter). */
static bool harmless_fd(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return false;
	return S_ISSOCK(st.st_mode) || (S_ISREG(st.st_mode) && !(st.st_mode & 0111));
}

/* The --debug copy of stderr may be a tty or a pipe: kept so the narration goes on to execve. Why safe: it
 * is CLOEXEC, and no program or cwd lookup can go through it (not a directory, not an executable file). */
static bool narration_fd(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return false;
	return !S_ISDIR(st.st_mode) && !(S_ISREG(st.st_mode) && (st.st_mode & 0111));
}

/* Step 4. Kept: husk's own sockets and files it still needs (sync, start, seccomp agent, a frozen
 * cgroup's cgroup.procs, the --log file), all CLOEXEC, so the program never gets them. */
static int close_fds(const struct final_args *f, struct error *err)
{
	unsigned first = 3u + (unsigned)f->preserve_fds, from = first;
	int keep[32], lfd = log_file_fd(), efd = log_err_fd();
	size_t n = 0;

	for (size_t i = 0; i < f->n_keep && n < ARRAY_SIZE(keep) - 2; i++) {
		if (f->keep[i] < (int)first)
			continue;
		if (!harmless_fd(f->keep[i]))
			return error_set(err, EBADF,
					 "internal: fd %d kept across the close is neither a socket nor a "
					 "non-executable file",
					 f->keep[i]);
		keep[n++] = f->keep[i];
	}
	if (lfd >= (int)first && harmless_fd(lfd))
		keep[n++] = lfd;
	if (efd >= (int)first && narration_fd(efd))
		keep[n++] = efd;
	qsort(keep, n, sizeof keep[0], cmp_int);
	log_debug("close_range(%u, ~0U, 0) (keeping %zu of husk's own fds)", first, n);
	for (size_t i = 0; i < n; i++) {
		if (keep[i] < (int)from) /* listed twice */
			continue;
		if (close_range_from(from, (unsigned)keep[i] - 1, err) < 0)
			return -1;
		from = (unsigned)keep[i] + 1;
	}
	if (close_range_from(from, ~0U, err) < 0)
		return -1;
	proc_unpin();
	return 0;
}

/* Step 11. */
static void reset_signals(void)
{
	struct sigaction sa = { .sa_handler = SIG_DFL };
	sigset_t none;

	log_debug("sigaction(1..%d, SIG_DFL); sigprocmask(SIG_SETMASK, {})", NSIG - 1);
	/* SIGKILL, SIGSTOP and the C library's own signals refuse a change: nothing to reset there */
	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

int final_exec(const struct final_args *f, struct error *err)
{
	const struct spec_process *p = f->p;
	bool hold_admin = process_seccomp_needs_admin(p, f->linux_->has_seccomp);
	cleanup_free char *exe = NULL;
	char **env;

	if (process_limits(p, f->linux_, err) < 0)
		return -1;
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return error_sys(err, errno, "prctl(PR_SET_DUMPABLE)");
	if (f->label_fd >= 0) {
		int r = lsm_set_exec_label(f->label_fd, p->apparmor_profile, p->selinux_label, err);
		close(f->label_fd);
		if (r < 0)
			return -1;
	}
	if (close_fds(f, err) < 0 || process_chdir(p->cwd, err) < 0 ||
	    process_set_user(p, f->setgroups_allowed, hold_admin, err) < 0)
		return -1;
	if (p->no_new_privileges && say_no_new_privs() < 0)
		return error_sys(err, errno, "set no_new_privs");
	if (process_find_exec(p, &exe, err) < 0 || process_refuse_runtime_binary(exe, err) < 0)
		return -1;
	env = process_env(p, f->listen_fds);
	if (f->gate && f->gate(f->ctx, err) < 0)
		return -1;
	/* empty: the spec's "do not change the affinity" */
	if (p->exec_cpu_affinity_final.cpus &&
	    process_set_affinity(&p->exec_cpu_affinity_final, "final", err) < 0)
		return -1;
	reset_signals();
	if (f->linux_->has_seccomp && seccomp_load_spec(&f->linux_->seccomp, f->agent, err) < 0)
		return -1;
	if (hold_admin && process_final_caps(p, err) < 0)
		return -1;
	say_execve(exe, p->args, env);
	return error_sys_lc(err, errno, "exec: \"%s\"", exe);
}

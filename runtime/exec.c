/* `husk exec`. The parent points its pid_for_children at the container's PID namespace and forks once,
 * so the new process is husk's own child (a descendant of the caller's subreaper once husk exits) and
 * already counts in the container's PID namespace. The child joins the cgroup while it still sees the
 * host's /sys, then the namespaces (user first, mount last), applies the process, and execs. */
#define _GNU_SOURCE
#include "exec.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "config/spec.h"
#include "fault.h"
#include "final.h"
#include "base/log.h"
#include "namespaces.h"
#include "narrate.h"
#include "lsm.h"
#include "process.h"
#include "sealed.h"
#include "relay.h"
#include "rootfs.h"
#include "seccomp.h"
#include "state.h"
#include "sync.h"
#include "terminal.h"
#include "base/util.h"
#include "sysops.h"

struct exec_ctx {
	const struct exec_opts *o;
	struct spec *spec;	      /* the container's config (for seccomp, rlimits, defaults) */
	struct spec_process *process; /* what runs */
	struct state_record *rec;
	int ns_fds[NS_TYPE_COUNT]; /* by enum spec_ns_type; pid is fork_into_pidns's */
	bool userns;
	int console_fd;
	bool own_relay; /* console_fd leads to husk's relay, not to a --console-socket */
	int sync[2];
	int procs_fds[16]; /* tasks or cgroup.procs of every hierarchy, opened in the host's view */
	size_t n_procs;
	char *procs_names; /* their paths, one per line (for errors) */
	int v2_dir;	   /* the v2 cgroup's directory, for CLONE_INTO_CGROUP, or -1 */
	size_t v2_index;   /* which procs_fds entry is that tree's */
	bool born_in_v2;   /* the child was cloned into it: that entry needs no write */
	bool join_late;	   /* paused container: join (and freeze) only once ready to exec */
	int agent_fd;	   /* connected to the seccomp listenerPath, or -1 */
	int root_fd;	   /* the init's root when it shares our mount namespace (chroot there), or -1 */
};

static int join_cgroup(struct exec_ctx *c, struct error *err)
{
	size_t n = c->n_procs;

	c->n_procs = 0;
	return cgroup_join_self(c->procs_fds, n, c->procs_names, c->born_in_v2 ? c->v2_index : SIZE_MAX, err);
}

/* pids.max holds at fork, not at attach: a child moved into a full cgroup would exceed it. Refuse
 * as a fork inside the container would fail (runc's exec, whose init forks inside, fails there). */
static int check_pids_limit(const char *cgroup_path, struct error *err)
{
	const struct cgroup_hierarchy *h = cgroup_find("pids");
	cleanup_free char *cur_file = NULL, *max_file = NULL, *cur = NULL, *max = NULL;
	uint64_t c, m;
	struct error e = { 0 };

	if (h == NULL)
		h = cgroup_find(NULL);
	if (h == NULL || cgroup_path == NULL)
		return 0;
	cur_file = xasprintf("%s%s/pids.current", h->mountpoint, cgroup_path);
	max_file = xasprintf("%s%s/pids.max", h->mountpoint, cgroup_path);
	if (read_file_at(AT_FDCWD, max_file, 64, &max, NULL, &e) < 0 ||
	    read_file_at(AT_FDCWD, cur_file, 64, &cur, NULL, &e) < 0) {
		error_clear(&e);
		return 0;
	}
	max[strcspn(max, "\n")] = '\0';
	cur[strcspn(cur, "\n")] = '\0';
	if (parse_u64(max, &m) == 0 && parse_u64(cur, &c) == 0 && c > m)
		return error_set(err, EAGAIN, "the container's pids limit (%llu) is reached",
				 (unsigned long long)m);
	return 0;
}

/* *ret_fd: an fd of /proc/<pid>/ns/<name> when it differs from ours, else -1 (nothing to join). */
static int ns_to_join(pid_t pid, const char *name, int *ret_fd, struct error *err)
{
	char path[64], own[64];
	struct stat a, b;
	int fd;

	snprintf(path, sizeof path, "/proc/%d/ns/%s", pid, name);
	snprintf(own, sizeof own, "/proc/self/ns/%s", name);
	if (stat(path, &a) < 0) {
		if (errno != ENOENT)
			return error_sys(err, errno, "open '%s'", path);
		*ret_fd = -1; /* the kernel lacks this namespace type */
		return 0;
	}
	if (stat(own, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev) {
		*ret_fd = -1;
		return 0;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return error_sys(err, errno, "open '%s'", path);
	*ret_fd = fd;
	return 0;
}

/* exec's gate in final_exec: a paused container's cgroup is frozen, so the parent learns we started
 * first and we freeze with the cgroup until resume; the death signal is cleared here (it survives
 * execve, and a detached process must outlive husk). */
static int exec_gate(void *ctx, struct error *err)
{
	struct exec_ctx *c = ctx;

	/* a paused container's exec: the death signal is cleared before READY, on which a detached husk
	 * exits at once: cleared after, it killed the process mid-join (a zombie, partly in the cgroup,
	 * the program never run). A parent already gone fails the send (EPIPE), and we exit */
	prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
	if (c->join_late && (sync_send(c->sync[1], SYNC_READY, NULL, 0, err) < 0 || join_cgroup(c, err) < 0))
		return -1;
	return 0;
}

/* In the child: join the container's namespaces in ns_table's order (user first, mount last), then its
 * root when it has no mount namespace of its own. */
static int enter_namespaces(struct exec_ctx *c, struct error *err)
{
	for (size_t i = 0; i < NS_TYPE_COUNT; i++) {
		const struct ns_kind *k = &ns_table[i];
		if (c->ns_fds[k->type] < 0)
			continue;
		char shown[64];
		snprintf(shown, sizeof shown, "/proc/%d/ns/%s", c->rec->pid, k->proc);
		if (say_setns(c->ns_fds[k->type], k->flag, shown) < 0)
			return error_sys(err, errno, "join the container's %s namespace", k->proc);
		close(c->ns_fds[k->type]);
	}
	fault_point("exec.child-joined");
	/* a container without a mount namespace of its own is only chrooted: so is its exec, or the
	 * program would run in the host's root */
	if (c->root_fd >= 0 && (fchdir(c->root_fd) < 0 || say_chroot(".") < 0 || chdir("/") < 0))
		return error_sys(err, errno, "chroot into the container's root");
	return 0;
}

/* In the child, inside the container: the terminal as the controlling one, or a session of its own. */
static int own_session(struct exec_ctx *c, struct error *err)
{
	if (c->console_fd >= 0) {
		cleanup_close int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (terminal_setup(root, c->console_fd, c->process, false, err) < 0)
			return -1;
		close(c->console_fd);
		/* before the program can write: the relay's own clearing comes too late for exec */
		if (c->own_relay)
			terminal_clear_onlcr(STDIN_FILENO);
	} else if (setsid() < 0) {
		/* its own session, as runc's exec'd processes: not the caller's group (see init.c) */
		return error_sys(err, errno, "setsid");
	}
	return 0;
}

/* Runs in the child: never returns. */
static void exec_child(struct exec_ctx *c)
{
	struct error err = { 0 };
	struct spec_process *p = c->process;

	log_set_role("exec child");
	close(c->sync[0]);
	/* while husk is inside the container its /proc/<pid>/exe is husk's (sealed) image and its fds are
	 * the caller's: non-dumpable, they are closed to container processes (CVE-2019-5736,
	 * CVE-2024-21626) */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	/* the host's procfs, before any namespace is joined: writes to /proc (oom_score_adj) go there
	 * only, whatever the container mounted over its /proc */
	if (proc_pin(&err) < 0)
		goto fail;
	/* execCPUAffinity.initial: where this process runs until it is in the container's cgroup (runc
	 * 1.2 starts its exec'd init there), so it never lands on the container's exclusive CPUs */
	if (p->exec_cpu_affinity_initial.cpus &&
	    process_set_affinity(&p->exec_cpu_affinity_initial, "initial", &err) < 0)
		goto fail;
	if (!c->join_late && (join_cgroup(c, &err) < 0 || check_pids_limit(c->rec->cgroup_path, &err) < 0))
		goto fail;
	pid_t host_pid = process_host_pid();
	/* the label's attr file is opened while the host's procfs is still the one we see */
	int label_fd = -1;
	if (lsm_open_exec_attr(p->apparmor_profile, p->selinux_label, &label_fd, &err) < 0)
		goto fail;
	if (enter_namespaces(c, &err) < 0 || own_session(c, &err) < 0)
		goto fail;
	struct seccomp_agent agent = { .sock = c->agent_fd, .state = c->rec, .pid = host_pid };
	/* the sync socket is CLOEXEC: its closing at execve tells the parent the program started */
	int keep[2 + ARRAY_SIZE(c->procs_fds)] = { c->sync[1], c->agent_fd };
	size_t n_keep = 2;
	for (size_t i = 0; c->join_late && i < c->n_procs; i++)
		keep[n_keep++] = c->procs_fds[i];
	struct final_args f = { .p = p,
				.linux_ = &c->spec->linux_,
				.setgroups_allowed = !c->userns || process_setgroups_allowed(),
				.preserve_fds = c->o->preserve_fds,
				.label_fd = label_fd,
				.keep = keep,
				.n_keep = n_keep,
				.agent = &agent,
				.gate = exec_gate,
				.ctx = c };
	final_exec(&f, &err);
fail:
	sync_send_error(c->sync[1], &err);
	_exit(255);
}

static int open_namespaces(struct exec_ctx *c, struct error *err)
{
	for (size_t i = 0; i < NS_TYPE_COUNT; i++) {
		const struct ns_kind *k = &ns_table[i];
		if (k->type == NS_PID)
			continue; /* fork_into_pidns */
		if (ns_to_join(c->rec->pid, k->proc, &c->ns_fds[k->type], err) < 0)
			return -1;
	}
	c->userns = c->ns_fds[NS_USER] >= 0;
	if (c->ns_fds[NS_MOUNT] < 0) {
		char path[64];

		snprintf(path, sizeof path, "/proc/%d/root", c->rec->pid);
		c->root_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (c->root_fd < 0)
			return error_sys(err, errno, "open the container's root '%s'", path);
	}
	return 0;
}

static void exec_child_joined(void *arg)
{
	struct exec_ctx *c = arg;

	/* joined already by clone_parent_in: a second setns into one's own user namespace is EINVAL */
	close(c->ns_fds[NS_USER]);
	c->ns_fds[NS_USER] = -1;
	exec_child(c);
}

/* The child, born in the container's v2 cgroup where it can be (CLONE_INTO_CGROUP: no migration by a
 * cgroup.procs write, and its fork is held to the cgroup's pids.max by the kernel itself); a kernel
 * that refuses gets a plain fork and the write, as before. */
static pid_t fork_child(struct exec_ctx *c)
{
	struct clone_args args = { .flags = CLONE_INTO_CGROUP, .exit_signal = SIGCHLD };
	pid_t pid;

	if (c->v2_dir < 0)
		return fork();
	args.cgroup = (uint64_t)c->v2_dir;
	pid = say_clone3(&args);
	/* both sides: the host's cgroup directory is no descriptor for the container */
	close(c->v2_dir);
	c->v2_dir = -1;
	if (pid >= 0) {
		c->born_in_v2 = true;
		return pid;
	}
	log_debug("clone3 with CLONE_INTO_CGROUP: %s: forking, then writing cgroup.procs", strerror(errno));
	return fork();
}

static pid_t fork_into_pidns(struct exec_ctx *c, struct error *err)
{
	cleanup_close int target = -1, own = -1;
	pid_t pid;

	if (ns_to_join(c->rec->pid, "pid", &target, err) < 0)
		return -1;
	if (target >= 0) {
		/* pid_for_children only: husk itself stays where it is */
		own = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
		if (own < 0)
			return error_sys(err, errno, "open /proc/self/ns/pid"), -1;
		char shown[64];
		snprintf(shown, sizeof shown, "/proc/%d/ns/pid", c->rec->pid);
		if (say_setns(target, CLONE_NEWPID, shown) < 0) {
			/* without CAP_SYS_ADMIN of its own (rootless), husk may enter the container's PID
			 * namespace only from inside its user namespace, which husk itself must stay out of
			 */
			if (errno == EPERM && c->ns_fds[NS_USER] >= 0) {
				/* the helper forks from inside the user namespace: joined by cgroup.procs */
				if (c->v2_dir >= 0) {
					close(c->v2_dir);
					c->v2_dir = -1;
				}
				pid =
				    clone_parent_in(c->ns_fds[NS_USER], target, 0, exec_child_joined, c, err);
				if (pid < 0)
					error_wrap(err, "exec");
				return pid;
			}
			return error_sys(err, errno, "join the container's pid namespace"), -1;
		}
	}
	pid = fork_child(c);
	if (pid == 0)
		exec_child(c);
	if (pid < 0)
		error_sys(err, errno, "fork");
	if (own >= 0 && sysops->setns(own, CLONE_NEWPID) < 0)
		log_warn("return to husk's pid namespace: %s, ignoring", strerror(errno));
	return pid;
}

static void exec_ctx_free(struct exec_ctx *c)
{
	spec_free(c->spec);
	spec_process_free(c->process);
	state_record_free(c->rec);
	for (size_t i = 0; i < NS_TYPE_COUNT; i++)
		if (c->ns_fds[i] >= 0)
			close(c->ns_fds[i]);
	for (int i = 0; i < 2; i++)
		if (c->sync[i] >= 0)
			close(c->sync[i]);
	for (size_t i = 0; i < c->n_procs; i++)
		close(c->procs_fds[i]);
	free(c->procs_names);
	if (c->v2_dir >= 0)
		close(c->v2_dir);
	if (c->console_fd >= 0)
		close(c->console_fd);
	if (c->agent_fd >= 0)
		close(c->agent_fd);
	if (c->root_fd >= 0)
		close(c->root_fd);
}

static int wait_exit(pid_t pid, int *ret_status, struct error *err)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return error_sys(err, errno, "wait for the exec'd process");
	*ret_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	return 0;
}

/* Read the container's record under the shared lock, refuse a container exec cannot enter, and open
 * what must be opened while the record is known to be current (the cgroup's procs files). The lock is
 * not held while the process runs: delete and kill must stay possible. */
static int open_for_exec(struct exec_ctx *c, struct error *err)
{
	const struct exec_opts *o = c->o;
	cleanup_close int dirfd = -1;
	enum container_status st;

	if (state_open_dir(o->root, o->id, false, &dirfd, err) < 0 ||
	    state_read(dirfd, o->id, &c->rec, err) < 0)
		return -1;
	st = state_status(dirfd, c->rec);
	if (st == STATUS_STOPPED)
		return error_set(err, EINVAL, "cannot exec in a stopped container ('%s')", o->id);
	if (st == STATUS_PAUSED && !o->ignore_paused)
		return error_set(
		    err, EINVAL,
		    "cannot exec in a paused container ('%s'): resume it, or use --ignore-paused to "
		    "override (the process then waits, frozen, for resume)",
		    o->id);
	if (exec_load_process(o, c->rec, &c->spec, &c->process, err) < 0)
		return -1;
	c->join_late = st == STATUS_PAUSED;
	if (c->rec->cgroup_path &&
	    cgroup_open_procs(c->rec->cgroup_path, o->cgroup, ~0UL, c->procs_fds, ARRAY_SIZE(c->procs_fds),
			      &c->n_procs, &c->procs_names, err) < 0)
		return -1;
	/* born in the v2 cgroup (fork_child), unless the join must wait (a paused container: the process
	 * must not freeze before it reports) or the process first runs elsewhere (execCPUAffinity.initial
	 * holds until the join) */
	if (c->rec->cgroup_path && !c->join_late && !c->process->exec_cpu_affinity_initial.cpus)
		c->v2_dir = cgroup_open_v2_join_dir(c->rec->cgroup_path, o->cgroup, &c->v2_index);
	return 0;
}

/* The sockets the child needs: the console socket (or, in the foreground without one, a pair over which
 * the child sends the pty master to husk's relay: *ret_relay_sock), the seccomp agent, the sync pair. */
static int open_sockets(struct exec_ctx *c, int *ret_relay_sock, struct error *err)
{
	const struct exec_opts *o = c->o;
	const struct spec_seccomp *sc = &c->spec->linux_.seccomp;

	if (o->console_socket &&
	    (c->console_fd = terminal_connect(o->console_socket, "console socket", err)) < 0)
		return -1;
	if (c->process->terminal && o->console_socket == NULL) {
		/* in the foreground without a console socket, husk holds the terminal, as run does */
		int pair[2];
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
			return error_sys(err, errno, "socketpair");
		*ret_relay_sock = pair[0];
		c->console_fd = pair[1];
		c->own_relay = true;
	}
	if (c->spec->linux_.has_seccomp && seccomp_uses_notify(sc) && sc->listener_path &&
	    (c->agent_fd = terminal_connect(sc->listener_path, "seccomp agent", err)) < 0)
		return error_wrap(err, "config.json: .linux.seccomp.listenerPath");
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, c->sync) < 0)
		return error_sys(err, errno, "socketpair");
	return 0;
}

/* EOF (the socket closed at execve) means started, and so does READY (a paused container's exec, which
 * then waits frozen for the thaw); a message is the child's error. Any other failure to read is
 * reported, never taken for "started": the child's own exit status (255) would otherwise be husk's, with
 * no word said. On failure the child is killed and reaped. */
static int wait_started(struct exec_ctx *c, pid_t pid, struct error *err)
{
	enum sync_msg type;
	cleanup_free char *msg = NULL;
	size_t len = 0;
	struct error e = { 0 };
	int rr = sync_recv(c->sync[0], &type, &msg, &len, &e);

	if ((rr == 0 && type == SYNC_READY) || (rr < 0 && e.errnum == EPIPE)) {
		error_clear(&e);
		return 0;
	}
	if (rr < 0)
		error_set(err, e.errnum, "exec: waiting for the process to start: %s", e.msg);
	else if (type == SYNC_ERROR)
		sync_error_from(msg, len, err);
	else
		error_set(err, EPROTO, "exec: unexpected message %d", type);
	error_clear(&e);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

/* The pty master the child sent (before its execve: queued by now), sized like husk's own terminal.
 * SIGCHLD is blocked only here, after the fork: the child must not inherit the mask. */
static int take_master(struct exec_ctx *c, int relay_sock, pid_t pid, struct error *err)
{
	struct winsize ws;
	int master;

	close(c->console_fd);
	c->console_fd = -1;
	relay_block_signals();
	fcntl(relay_sock, F_SETFL, O_NONBLOCK);
	master = relay_recv_master(relay_sock, err);
	if (master < 0) {
		waitpid(pid, NULL, 0);
		return -1;
	}
	if (isatty(STDIN_FILENO) && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		ioctl(master, TIOCSWINSZ, &ws);
	return master;
}

int container_exec(const struct exec_opts *o, int *ret_status, struct error *err)
{
	struct exec_ctx c = {
		.o = o, .console_fd = -1, .sync = { -1, -1 }, .agent_fd = -1, .root_fd = -1, .v2_dir = -1
	};
	cleanup_close int relay_sock = -1, master = -1;
	pid_t pid = -1;
	int r = -1;

	for (size_t i = 0; i < NS_TYPE_COUNT; i++)
		c.ns_fds[i] = -1;
	if (open_for_exec(&c, err) < 0 || exec_apply_overrides(o, c.process, err) < 0 ||
	    open_namespaces(&c, err) < 0 || open_sockets(&c, &relay_sock, err) < 0)
		goto out;
	/* non-dumpable before the fork, so the child is never visible in the container's PID namespace
	 * with its exe (the host's husk binary) open to others, not even for a few instructions
	 * (CVE-2019-5736); husk exec itself never runs container code */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	pid = fork_into_pidns(&c, err);
	if (pid < 0)
		goto out;
	fault_point("exec.forked");
	close(c.sync[1]);
	c.sync[1] = -1;
	if (wait_started(&c, pid, err) < 0)
		goto out;
	fault_point("exec.started");
	if (relay_sock >= 0 && (master = take_master(&c, relay_sock, pid, err)) < 0)
		goto out;
	if (o->pid_file && write_pid_file(o->pid_file, pid, err) < 0) {
		/* as runc's exec: a process nobody can track (its pid file is missing) is killed, not left
		 * running behind a failed command */
		kill(pid, SIGKILL);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		goto out;
	}
	if (o->detach) {
		*ret_status = 0;
		r = 0;
		goto out;
	}
	sealed_reap(false); /* no zombie of the seal's closer while the process runs */
	r = master >= 0 ? relay_run(master, pid, ret_status, err) : wait_exit(pid, ret_status, err);
out:
	exec_ctx_free(&c);
	return r;
}

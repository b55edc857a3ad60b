/* The container init, from clone to execve. Order matters and follows runtime-spec runtime.md:
 * namespaces, mounts, createRuntime/createContainer hooks, pivot_root, hardening, process attributes,
 * ready, wait for start, startContainer hooks, seccomp last, execve. */
#define _GNU_SOURCE
#include "init.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup.h"
#include "config/state-json.h"
#include "fault.h"
#include "final.h"
#include "hooks.h"
#include "base/log.h"
#include "namespaces.h"
#include "narrate.h"
#include "lsm.h"
#include "mountsrc.h"
#include "process.h"
#include "rootfs.h"
#include "seccomp.h"
#include "sync.h"
#include "terminal.h"
#include "base/util.h"

/* The config's path of a namespace to join, for the narration. */
static const char *ns_path(const struct init_args *a, enum spec_ns_type t)
{
	for (size_t i = 0; i < a->spec->linux_.n_namespaces; i++)
		if (a->spec->linux_.namespaces[i].type == t && a->spec->linux_.namespaces[i].path)
			return a->spec->linux_.namespaces[i].path;
	return "?";
}

static int join_late_namespaces(struct init_args *a, struct error *err)
{
	for (size_t i = 0; i < NS_TYPE_COUNT; i++) {
		const struct ns_kind *k = &ns_table[i];
		/* user and pid were joined by whoever cloned us; time by setup_time_ns */
		if (k->type == NS_USER || k->type == NS_PID || k->type == NS_TIME || a->ns_fds[k->type] < 0)
			continue;
		if (say_setns(a->ns_fds[k->type], k->flag, ns_path(a, k->type)) < 0)
			return error_sys(err, errno, "join the %s namespace", k->name);
		close(a->ns_fds[k->type]);
		a->ns_fds[k->type] = -1;
	}
	return 0;
}

/* Join the container's cgroup: "0" written to each descriptor the parent opened (their paths in names,
 * for the error) moves this process, a single thread. */
static int join_cgroup(int *fds, size_t n, const char *names, struct error *err)
{
	if (cgroup_join_self(fds, n, names, SIZE_MAX, err) < 0)
		return -1;
	if (n > 0)
		log_debug("write(\"0\") to the %zu descriptors of CGROUP_JOIN: in the container's cgroup", n);
	return 0;
}

/* Wait for message `want` from the parent. SYNC_CGROUP_MADE and SYNC_CGROUP_JOIN may arrive first at any
 * point: the parent makes the cgroup while we build the rootfs, so they are acted on the way. */
static int init_expect(struct init_args *a, enum sync_msg want, struct error *err)
{
	for (;;) {
		enum sync_msg type;
		cleanup_free char *msg = NULL;
		size_t len = 0, n_fds = 0;
		int fds[SYNC_MAX_FDS];

		if (want == SYNC_CGROUP_JOIN && (a->cgroup_joined || !a->wait_cgroup))
			return 0;
		if (want == SYNC_CGROUP_MADE && (a->cgroup_made || !a->wait_cgroup_made))
			return 0;
		if (sync_recv_fds(a->sync_fd, &type, &msg, &len, fds, &n_fds, err) < 0)
			return -1;
		if (type == SYNC_CGROUP_JOIN) {
			if (join_cgroup(fds, n_fds, msg, err) < 0)
				return -1;
			a->cgroup_joined = true;
			continue;
		}
		/* no other message of these carries descriptors */
		for (size_t i = 0; i < n_fds; i++)
			close(fds[i]);
		if (type == SYNC_CGROUP_MADE) {
			a->cgroup_made = true;
			continue;
		}
		if (type == SYNC_ERROR)
			return sync_error_from(msg, len, err);
		if (type != want)
			return error_set(err, EPROTO, "sync: expected message %d, got %d", want, type);
		return 0;
	}
}

/* The cgroup mount binds the cgroup's directories: an init cloned before they existed waits for them. */
static int wait_cgroup_made(void *arg, struct error *err)
{
	return init_expect(arg, SYNC_CGROUP_MADE, err);
}

/* A new cgroup namespace is made only once we are in the container's cgroup, so that cgroup becomes
 * the namespace root. */
static int enter_cgroup(struct init_args *a, struct error *err)
{
	if (init_expect(a, SYNC_CGROUP_JOIN, err) < 0)
		return -1;
	/* new_ns[NS_CGROUP] itself is kept: setup_filesystem reads it to mount a fresh cgroup2 (rooted at
	 * the namespace) instead of binding the host's directory, a slave of the host's mount */
	if (a->new_ns[NS_CGROUP] && !a->cgroupns_made) {
		if (say_unshare(CLONE_NEWCGROUP) < 0)
			return error_sys(err, errno, "create a cgroup namespace");
		a->cgroupns_made = true;
	}
	return 0;
}

static int setup_time_ns(struct init_args *a, struct error *err)
{
	const struct spec_linux *l = &a->spec->linux_;
	char buf[128];
	int len = 0, fd;

	if (a->ns_fds[NS_TIME] >= 0) {
		if (say_setns(a->ns_fds[NS_TIME], CLONE_NEWTIME, ns_path(a, NS_TIME)) < 0)
			return error_sys(err, errno, "join the time namespace");
		return 0;
	}
	if (!a->new_ns[NS_TIME])
		return 0;
	/* offsets can only be written before any process enters the namespace: unshare (which
	 * affects children only), write them, then move ourselves in through time_for_children */
	if (say_unshare(CLONE_NEWTIME) < 0)
		return error_sys(err, errno, "create a time namespace");
	if (l->time_monotonic.set)
		len += snprintf(buf + len, sizeof buf - (size_t)len, "monotonic %lld %u\n",
				(long long)l->time_monotonic.secs, l->time_monotonic.nanosecs);
	if (l->time_boottime.set)
		len += snprintf(buf + len, sizeof buf - (size_t)len, "boottime %lld %u\n",
				(long long)l->time_boottime.secs, l->time_boottime.nanosecs);
	if (len && proc_write("/proc/self/timens_offsets", buf, err) < 0)
		return error_wrap(err, "timeOffsets");
	/* through the procfs pinned at the start: a mount namespace joined by path may be another
	 * container's, whose /proc (a tmpfs, "self" its own directory) would hand us its time namespace
	 * in place of the one just made (CVE-2025-52881 class) */
	fd = proc_open_link("thread-self/ns", "time_for_children", O_RDONLY);
	if (fd < 0 || say_setns(fd, CLONE_NEWTIME, "/proc/thread-self/ns/time_for_children") < 0)
		return error_sys(err, errno, "enter the new time namespace");
	close(fd);
	return 0;
}

/* The bind sources the parent opened for us (mountsrc.c), up to the empty message that ends them. */
static int receive_mount_sources(struct init_args *a, struct error *err)
{
	size_t n = a->spec->n_mounts;

	a->src_fds = xmalloc((n ? n : 1) * sizeof *a->src_fds);
	for (size_t i = 0; i < n; i++)
		a->src_fds[i] = -1;
	for (;;) {
		enum sync_msg type;
		cleanup_free char *msg = NULL;
		int fds[SYNC_MAX_FDS];
		size_t len = 0, n_fds = 0;

		if (sync_recv_fds(a->sync_fd, &type, &msg, &len, fds, &n_fds, err) < 0)
			return -1;
		if (type == SYNC_MOUNT_FDS && len == 0 && n_fds == 0)
			return 0;
		if (type == SYNC_MOUNT_FDS && mountsrc_take(msg, len, fds, n_fds, a->src_fds, n) == 0)
			continue;
		for (size_t k = 0; k < n_fds; k++)
			close(fds[k]);
		if (type == SYNC_ERROR)
			return error_set(err, EIO, "%s", msg);
		return error_set(err, EPROTO, "sync: expected the mount sources, got message %d", type);
	}
}

/* The container as the init knows it, for the state that hooks and the seccomp agent are given. */
static struct state_record init_record(const struct init_args *a)
{
	return (struct state_record){ .id = (char *)a->id,
				      .bundle = (char *)a->bundle,
				      .rootfs = (char *)a->rootfs,
				      .created = (char *)"",
				      .oci_version = a->spec->oci_version,
				      .annotations = a->spec->annotations };
}

static char *state_for_hooks(struct init_args *a, const char *status)
{
	struct state_record s = init_record(a);

	return state_oci_json(&s, status, getpid(), false);
}

/* runc's reOpenDevNull: a stdio that is /dev/null (conmon's stdin, the host's node) becomes the
 * container's own /dev/null, so the container can be checkpointed: CRIU cannot save an fd of a mount
 * outside the container's mount namespace. Opened without following links and without blocking, and
 * used only if it is the 1:3 character device: the image cannot slip a FIFO or a file in as stdio. */
static void reopen_dev_null(void)
{
	struct stat st, own;
	unsigned wanted = 0; /* which of 0-2 are another /dev/null */
	/* O_PATH first: the image's /dev/null may be another device, whose driver's open must not run */
	cleanup_close int node = open("/dev/null", O_PATH | O_NOFOLLOW | O_CLOEXEC), fd = -1;

	if (node < 0 || fstat(node, &own) < 0 || !S_ISCHR(own.st_mode) || own.st_rdev != makedev(1, 3))
		return;
	for (int i = 0; i < 3; i++)
		if (fstat(i, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3) &&
		    (st.st_dev != own.st_dev || st.st_ino != own.st_ino))
			wanted |= 1U << i;
	/* the inode checked, through the pinned procfs (never the container's /proc) */
	if (wanted == 0 || (fd = proc_reopen(node, O_RDWR)) < 0)
		return;
	for (int i = 0; i < 3; i++)
		if (wanted & (1U << i))
			dup3(fd, i, 0);
}

static int setup_filesystem(struct init_args *a, struct error *err)
{
	struct rootfs_ctx c = { .spec = a->spec,
				.bundle = a->bundle,
				.rootfs = a->rootfs,
				.cgroup_path = a->cgroup_path,
				.userns = a->userns,
				.cgroupns = a->new_ns[NS_CGROUP] || a->ns_fds[NS_CGROUP] >= 0,
				.no_pivot = a->no_pivot,
				.host_mntns = !a->new_ns[NS_MOUNT] && a->ns_fds[NS_MOUNT] < 0,
				.rootfd = -1,
				.src_fds = a->src_fds,
				.cgroup_wait = wait_cgroup_made,
				.cgroup_wait_arg = a };
	const struct spec_hooks *h = &a->spec->hooks;

	if (rootfs_prepare(&c, err) < 0 || rootfs_mount_all(&c, err) < 0)
		return -1;
	if (a->src_fds) {
		/* host directories: held no longer than the mounts needed them */
		for (size_t i = 0; i < a->spec->n_mounts; i++)
			if (a->src_fds[i] >= 0)
				close(a->src_fds[i]);
		free(a->src_fds);
		a->src_fds = NULL;
		c.src_fds = NULL;
	}
	if (rootfs_devices(&c, err) < 0)
		return -1;
	if (a->console_fd >= 0) {
		if (terminal_setup(c.rootfd, a->console_fd, &a->spec->process, true, err) < 0)
			return -1;
		close(a->console_fd);
		a->console_fd = -1;
	} else if (setsid() < 0) {
		/* its own session and process group, as runc's every process: otherwise it shares the
		 * caller's (conmon's), and a "kill the group" meant for the container kills conmon too */
		return error_sys(err, errno, "setsid");
	}
	if (a->parent_hooks) {
		if (sync_send(a->sync_fd, SYNC_HOOKS_RUN, NULL, 0, err) < 0 ||
		    init_expect(a, SYNC_HOOKS_DONE, err) < 0)
			return -1;
	}
	if (h->n[HOOK_CREATE_CONTAINER]) {
		/* still part of create: the container is not "created" before create returns */
		cleanup_free char *state = state_for_hooks(a, "creating");
		/* in the container's cgroup first, as runc's hooks (its init is moved before it starts): a
		 * hook forked outside would run the image's code (ldconfig -r . and its libraries) with none
		 * of the limits, and anything it leaves running would escape the cgroup, and delete's kill,
		 * for good */
		if (enter_cgroup(a, err) < 0)
			return -1;
		/* in the rootfs, as runc runs them: `ldconfig -r .` and friends name it relative */
		if (fchdir(c.rootfd) < 0)
			return error_sys(err, errno, "chdir to rootfs '%s'", a->rootfs);
		if (hooks_run(h, HOOK_CREATE_CONTAINER, state, err) < 0)
			return -1;
	}
	/* sysctls go through the host's procfs pinned at the start (proc_pin); /proc/sys/net and
	 * friends act on our own namespaces */
	if (process_sysctl(a->spec, err) < 0)
		return -1;
	if (rootfs_pivot(&c, err) < 0)
		return -1;
	/* a missing cwd is created, as runc does, before the root may turn read-only */
	if (rootfs_mkdir_in(c.rootfd, a->spec->process.cwd, false, err) < 0)
		return error_wrap(err, "process.cwd");
	if (rootfs_finish(&c, err) < 0)
		return -1;
	reopen_dev_null();
	rootfs_ctx_release(&c);
	close(c.rootfd);
	return 0;
}

/* A new network namespace has only a loopback device, and it starts down: bring it up, as runc and
 * crun do, so 127.0.0.1 works in the container. */
static int loopback_up(struct error *err)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	cleanup_close int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (sock < 0 || ioctl(sock, SIOCGIFFLAGS, &ifr) < 0)
		return error_sys(err, errno, "read the flags of the loopback device");
	if (ifr.ifr_flags & IFF_UP)
		return 0;
	ifr.ifr_flags |= IFF_UP;
	log_debug("ioctl(socket(AF_INET), SIOCSIFFLAGS, {\"lo\", IFF_UP})");
	if (ioctl(sock, SIOCSIFFLAGS, &ifr) < 0)
		return error_sys(err, errno, "bring the loopback device up");
	return 0;
}

static int setup_identity(struct init_args *a, struct error *err)
{
	const struct spec *s = a->spec;

	if (a->new_ns[NS_NETWORK] && loopback_up(err) < 0)
		return -1;

	if (s->hostname) {
		if (say_sethostname(s->hostname) < 0)
			return error_sys(err, errno, "set hostname '%s'", s->hostname);
	}
	if (s->domainname) {
		if (say_setdomainname(s->domainname) < 0)
			return error_sys(err, errno, "set domainname '%s'", s->domainname);
	}
	return 0;
}

/* Until husk has written state.json, nothing on the host knows this process: a create killed between
 * "ready" and that write must not leave it waiting forever. So the sync socket stays open until the
 * parent's SYNC_COMMITTED; its end without that word means the create died, and so do we. */
static void wait_for_commit(struct init_args *a)
{
	struct error err = { 0 };
	enum sync_msg type;

	if (sync_recv(a->sync_fd, &type, NULL, NULL, &err) < 0 || type != SYNC_COMMITTED)
		_exit(1);
	close(a->sync_fd);
	a->sync_fd = -1;
}

/* A signal that would end the program ends the created container too, with the status the program
 * would have had (128 + the signal, as conmon and the runc shim report a death by signal). */
static void die_of_signal(int sig)
{
	_exit(128 + sig);
}

/* While the init waits for `start` it is the PID namespace's init, to which the kernel delivers only
 * the signals it has a handler for (pid_namespaces(7)): without these, `kill ID TERM` of a created
 * container did nothing and podman's stop or the CRI's StopContainer waited out their whole timeout
 * before SIGKILL. runc's init (a Go program, which handles every signal) dies of them. The signals
 * whose default action ends a process, less the synchronous faults (SIGSEGV...) and SIGPIPE, which
 * the init's own writes must not turn into an exit; final_exec resets them all before execve. */
static void die_on_signals_while_created(void)
{
	static const int deadly[] = { SIGHUP,  SIGINT,	  SIGQUIT, SIGABRT,   SIGUSR1,
				      SIGUSR2, SIGALRM,	  SIGTERM, SIGSTKFLT, SIGXCPU,
				      SIGXFSZ, SIGVTALRM, SIGPROF, SIGIO,     SIGPWR };
	struct sigaction sa = { .sa_handler = die_of_signal };

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_SIZE(deadly); i++)
		sigaction(deadly[i], &sa, NULL);
	for (int sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
		sigaction(sig, &sa, NULL);
}

/* Block until `start` connects; returns the connection (its close at execve tells start we went on). */
static int wait_for_start(struct init_args *a, struct error *err)
{
	int conn;

	log_debug("accept(exec.sock): waiting for `husk start`");
	/* usually queued already: create sends it right after the fsync of state.json */
	wait_for_commit(a);
	do
		conn = accept4(a->exec_listen_fd, NULL, NULL, SOCK_CLOEXEC);
	while (conn < 0 && errno == EINTR);
	if (conn < 0)
		return error_sys(err, errno, "wait for start");
	close(a->exec_listen_fd);
	a->exec_listen_fd = -1;
	return conn;
}

static void fail_after_start(int conn, struct error *err)
{
	const char *msg = err->msg ? err->msg : "unknown error";
	int32_t errnum = err->errnum ? err->errnum : EIO;

	/* `start` reports what it reads here (the errno, then the message); only without it is the
	 * container's own stderr the witness (printing both would show the error twice under `husk run`) */
	if (conn < 0 || write_all(conn, &errnum, sizeof errnum) < 0 || write_all(conn, msg, strlen(msg)) < 0)
		fprintf(stderr, "husk: %s\n", msg);
	_exit(err->errnum == ENOENT ? 127 : 126);
}

struct init_gate {
	struct init_args *a;
	int conn; /* `start`'s connection, once accepted */
	bool started;
};

/* The init's gate in final_exec: limits apply before any of the user's code, so ready only from inside
 * the cgroup; the death signal is cleared first, since `husk create` exits as soon as it reads "ready";
 * then wait for `start` and run the startContainer hooks. */
static int init_gate(void *ctx, struct error *err)
{
	struct init_gate *g = ctx;
	struct init_args *a = g->a;

	if (enter_cgroup(a, err) < 0)
		return -1;
	prctl(PR_SET_PDEATHSIG, 0);
	/* before "ready": a kill right after `husk create` returns must find the handlers */
	die_on_signals_while_created();
	fault_point("init.ready");
	if (sync_send(a->sync_fd, SYNC_READY, NULL, 0, err) < 0)
		return -1;
	g->started = true;
	g->conn = wait_for_start(a, err);
	if (g->conn < 0)
		return -1;
	fault_point("init.started");
	if (a->spec->hooks.n[HOOK_START_CONTAINER]) {
		/* "running" only once the program is exec'd (runtime-spec state), as runc reports */
		cleanup_free char *state = state_for_hooks(a, "created");
		if (hooks_run(&a->spec->hooks, HOOK_START_CONTAINER, state, err) < 0)
			return -1;
	}
	return 0;
}

/* In a new user namespace (its maps written): root there, without the caller's supplementary groups. */
static int become_userns_root(struct error *err)
{
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		return error_sys(err, errno, "become root in the user namespace (is uid/gid 0 mapped?)");
	/* the caller's supplementary groups (a sudo or login shell has group 0) must not decide what
	 * the rootfs work may reach: a bundle under a 0701 root:root directory is refused to a
	 * group-0 member, and granted to others, by the group bits. Dropped as runc does; a user
	 * namespace whose setgroups is denied (rootless) cannot, and keeps them as overflow ids. */
	if (setgroups(0, NULL) < 0 && errno != EPERM)
		return error_sys(err, errno, "drop the supplementary groups");
	return 0;
}

/* The container's side of the final sequence (final.c): what the init keeps open until execve, the
 * seccomp agent's view of the container, the start gate. Returns only on failure. */
static void run_final(struct init_args *a, struct init_gate *gate, int label_fd, pid_t host_pid,
		      struct error *err)
{
	struct state_record agent_state = init_record(a);
	struct seccomp_agent agent = { .sock = a->seccomp_agent_fd, .state = &agent_state, .pid = host_pid };
	/* conn (accepted at the gate) is CLOEXEC: its close at execve tells `start` the program runs */
	const int keep[] = { a->sync_fd, a->exec_listen_fd, a->seccomp_agent_fd };
	struct final_args f = { .p = &a->spec->process,
				.linux_ = &a->spec->linux_,
				/* in a user namespace setgroups may be denied (see /proc/PID/setgroups) */
				.setgroups_allowed = !a->userns,
				.preserve_fds = a->preserve_fds,
				.listen_fds = a->listen_fds,
				.label_fd = label_fd,
				.keep = keep,
				.n_keep = ARRAY_SIZE(keep),
				.agent = &agent,
				.gate = init_gate,
				.ctx = gate };
	final_exec(&f, err);
}

void init_main(struct init_args *a)
{
	struct error err = { 0 };
	const struct spec_process *p = &a->spec->process;
	struct init_gate gate = { .a = a, .conn = -1 };
	int label_fd = -1;

	log_set_role("init");
	static char *const no_env[] = { NULL };
	hooks_set_container_env(p->env ? p->env : no_env);
	/* flock belongs to the open file: holding the parent's state dir fd would keep the container
	 * locked for as long as the init lives */
	close(a->lock_fd);
	close(a->parent_sync_fd);
	/* a container joined by path (a pod's PID namespace) sees us from the start: non-dumpable, our
	 * /proc/PID/{root,fd,mem} (the host's /, the caller's fds) and exe are closed to it
	 * (CVE-2024-21626); born so (spawn_init). Only a rootless user namespace waits for final_exec: its
	 * unprivileged caller must still own our /proc to write the maps and join our namespaces */
	if (!a->dumpable_setup)
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	/* the procfs of the host, before any namespace is joined: writes to /proc go there only */
	if (proc_pin(&err) < 0)
		goto fail;
	/* only the seccomp agent's state names it; read here, through the host's /proc. Not otherwise: the
	 * stdio read writes pages shared with the parent since the clone, each a copy-on-write fault */
	pid_t host_pid = a->seccomp_agent_fd >= 0 ? process_host_pid() : 0;
	/* die with the parent during setup: a half-built container must not outlive a killed husk */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (a->wait_maps && init_expect(a, SYNC_MAPS_DONE, &err) < 0)
		goto fail;
	if (a->userns && become_userns_root(&err) < 0)
		goto fail;
	/* before the sysctls and hooks, which may name the devices (net.ipv4.conf.eth1.forwarding) */
	if (a->wait_netdevs && init_expect(a, SYNC_NETDEV_DONE, &err) < 0)
		goto fail;
	if (a->mount_srcs && receive_mount_sources(a, &err) < 0)
		goto fail;
	if (join_late_namespaces(a, &err) < 0 || setup_time_ns(a, &err) < 0 || setup_identity(a, &err) < 0)
		goto fail;
	/* a new cgroup namespace needs the cgroup now (its mount shows the namespace root), and so does a
	 * systemd scope (made by systemd once we exist: the cgroup mount binds it); otherwise the join
	 * overlaps the filesystem setup below */
	if ((a->new_ns[NS_CGROUP] || a->cgroup_before_mounts) && enter_cgroup(a, &err) < 0)
		goto fail;
	/* opened before pivot_root, while /proc is the host's verified procfs (CVE-2019-16884) */
	if (lsm_open_exec_attr(p->apparmor_profile, p->selinux_label, &label_fd, &err) < 0)
		goto fail;
	if (setup_filesystem(a, &err) < 0)
		goto fail;
	fault_point("init.filesystem");
	if (!a->no_new_keyring && process_new_keyring(a->id, &err) < 0)
		goto fail;
	/* the join (CGROUP_JOIN came long ago, right after CGROUP_MADE) before final_exec switches to the
	 * process's user: v1 lets the descriptors' opener move only a process of its own uid, and a
	 * rootless opener's uid is the container's root, not process.user's */
	if (enter_cgroup(a, &err) < 0)
		goto fail;
	run_final(a, &gate, label_fd, host_pid, &err);
	if (gate.started)
		fail_after_start(gate.conn, &err);
fail:
	sync_send_error(a->sync_fd, &err);
	_exit(1);
}

/* The parent side of create (the later lifecycle commands are in lifecycle.c; the checks and the
 * preparation before anything exists are in create-prep.c): the state directory, the cgroup, the init's
 * clone, the parent's half of the sync protocol and state.json. Every piece of outside state is rolled
 * back on failure. */
#define _GNU_SOURCE
#include "container.h"
#include "create.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "config/spec.h"
#include "fault.h"
#include "hooks.h"
#include "idmap.h"
#include "init.h"
#include "base/log.h"
#include "namespaces.h"
#include "narrate.h"
#include "netdev.h"
#include "seccomp.h"
#include "mountsrc.h"
#include "rootfs.h"
#include "state.h"
#include "sync.h"
#include "systemd.h"
#include "base/util.h"
#include "sysops.h"

/* The stack below this frame holds nothing live, but its pages hold what deeper calls left there, so the
 * clone would share them copy-on-write: the next deep call on either side (printf, scanf, the init's
 * mounts) then copies a page, the dearest fault of a guest whose page tables the host shadows. Dropped
 * before the clone, such a page is a zero-filled first touch in each process instead
 * (docs/performance.md, issue 18). Only on the main thread's stack (__libc_stack_end is its top): below
 * any other stack there may be live data. Never inlined: __builtin_frame_address(0) must be this
 * function's own frame, not a caller's whose locals can reach more than the 1 KiB margin below it (inlined,
 * the madvise would zero the live locals of container_create once its frame grew past 1 KiB). */
static __attribute__((noinline)) void drop_stack_below(void)
{
	extern void *__libc_stack_end;
	const uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE), span = 256 * 1024;
	/* the frame, not a local's address: ASan may keep locals on a heap "fake stack" */
	uintptr_t here = (uintptr_t)__builtin_frame_address(0), top = (uintptr_t)__libc_stack_end;

	if (here >= top || top - here > 8 * 1024 * 1024)
		return;
	/* this frame is a few words, madvise's call one more: 1 KiB under its base covers both */
	here = (here - 1024) & ~(page - 1);
	/* the part below the stack's mapping, if any, is unmapped (the guard gap): ENOMEM, nothing else */
	madvise((void *)(here - span), span, MADV_DONTNEED);
}

/* Where husk made the container's v2 cgroup, the init is born in it (CLONE_INTO_CGROUP, Linux 5.7):
 * no cgroup.procs write, so no migration and no wait for its RCU grace period, and every page and fork
 * of the init is charged to the container from the first instant. A kernel that refuses (older than
 * 5.7: E2BIG or EINVAL; a cgroup that cannot take a process: EOPNOTSUPP, EBUSY; a full parent's
 * pids.max: EAGAIN) gets the plain clone and the cgroup.procs write runc does. */
static pid_t clone_init(struct create_ctx *c, uint64_t flags)
{
	struct clone_args args = { .flags = flags, .exit_signal = SIGCHLD };
	bool wait = c->init.wait_cgroup;
	pid_t pid;

	drop_stack_below();
	if (c->cgroup_fd >= 0) {
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = (uint64_t)c->cgroup_fd;
		/* the init's copy of this flag is the one it reads: born in the only hierarchy, it has
		 * no migration to wait for */
		c->init.wait_cgroup = wait && !c->cgroup_v2_only;
		pid = say_clone3(&args);
		if (pid >= 0) {
			/* both sides: the host's cgroup directory is no descriptor for the container */
			close(c->cgroup_fd);
			c->cgroup_fd = -1;
			c->born_in_cgroup = true;
			return pid;
		}
		log_debug("clone3 with CLONE_INTO_CGROUP: %s: cloning without it, then writing cgroup.procs",
			  strerror(errno));
		c->init.wait_cgroup = wait;
		close(c->cgroup_fd);
		c->cgroup_fd = -1;
		args.flags &= ~(uint64_t)CLONE_INTO_CGROUP;
		args.cgroup = 0;
	}
	return say_clone3(&args);
}

static void run_init(void *arg)
{
	init_main(arg);
}

static pid_t spawn_init(struct create_ctx *c, uint64_t flags, struct error *err)
{
	cleanup_close int own_pidns = -1;
	pid_t pid;

	/* born non-dumpable: in a PID namespace joined by path, the other container's root saw a dumpable
	 * init (waiting for its id maps) and read the host through /proc/<init>/root, fd/ and mem */
	if (!c->init.dumpable_setup)
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	/* joining a user namespace must come before the other namespaces are created (they must
	 * belong to it), but husk itself keeps its host credentials */
	if (c->init.ns_fds[NS_USER] >= 0) {
		/* the helper clones from inside the joined user namespace: it joins through cgroup.procs */
		if (c->cgroup_fd >= 0) {
			close(c->cgroup_fd);
			c->cgroup_fd = -1;
		}
		pid = clone_parent_in(c->init.ns_fds[NS_USER], c->init.ns_fds[NS_PID],
				      flags & ~(uint64_t)CLONE_NEWUSER, run_init, &c->init, err);
		if (pid < 0)
			error_wrap(err, "start the container init");
		return pid;
	}
	if (c->init.ns_fds[NS_PID] >= 0) {
		/* setns on a PID namespace affects only children: join for the clone, then go back so
		 * hooks husk runs later stay in the host's PID namespace */
		own_pidns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
		if (own_pidns < 0 || sysops->setns(c->init.ns_fds[NS_PID], CLONE_NEWPID) < 0)
			return error_sys(err, errno, "join the pid namespace"), -1;
	}
	pid = clone_init(c, flags);
	if (pid == 0)
		init_main(&c->init);
	if (pid < 0)
		error_sys(err, errno, "clone the container init");
	if (own_pidns >= 0 && sysops->setns(own_pidns, CLONE_NEWPID) < 0 && pid > 0)
		log_warn("return to husk's pid namespace: %s, ignoring", strerror(errno));
	return pid;
}

/* The socket lives in the state directory; it is named through /proc/self/fd/<dirfd> so that no
 * --root, however long, overflows sun_path. It is made before the clone, so that the init holds it, and
 * bound and put to listen here once the init runs: on ext4 the bind's new inode can cost the create a
 * scan of the recently deleted ones, and the init builds its rootfs meanwhile. The init accepts on it only
 * after COMMITTED. */
static int bind_exec_socket(struct create_ctx *c, struct error *err)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };

	snprintf(addr.sun_path, sizeof addr.sun_path, "/proc/self/fd/%d/%s", c->dirfd, EXEC_SOCK);
	log_debug("bind(\"%s/%s/%s\"); listen(): `husk start` will connect here", c->o->root, c->o->id,
		  EXEC_SOCK);
	if (bind(c->listen_fd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(c->listen_fd, 1) < 0)
		return error_sys(err, errno, "create the exec socket in '%s/%s'", c->o->root, c->o->id);
	return 0;
}

char *now_rfc3339(void)
{
	char buf[64];

	log_rfc3339(buf, sizeof buf);
	/* Go's RFC3339Nano, as runc's state and list print it: no trailing zeros in the fraction */
	char *z = buf + strlen(buf) - 1, *end = z;
	while (end[-1] == '0')
		end--;
	if (end[-1] == '.')
		end--;
	memmove(end, z, 2);
	return xstrdup(buf);
}

/* The container's cgroup in every hierarchy (but those make_early_cgroup made), with its limits (device
 * rules apart: parent_sync). */
static int make_cgroup(struct create_ctx *c, struct error *err)
{
	if (cgroup_create(c->cgroup_path, c->cgroup_default, ~c->cgroup_early, &c->cgroup_created, err) < 0)
		return -1;
	/* from here the init may be in it: a rollback empties it even when it existed before */
	c->cgroup_touched = true;
	fault_point("create.cgroup");
	/* before the init joins: under a frozen parent the init would freeze at its join (the freezer's
	 * tasks) and create hang forever waiting for READY (the existing-cgroup check sees only the
	 * cgroup itself, and only when it existed before) */
	if (cgroup_refuse_frozen(c->cgroup_path, ~c->cgroup_early, err) < 0)
		return -1;
	if (!c->early_clone)
		c->cgroup_fd = cgroup_open_v2_dir(c->cgroup_path, c->cgroup_created, &c->cgroup_v2_only);
	if (c->spec->linux_.has_resources &&
	    cgroup_apply_resources(c->cgroup_path, &c->spec->linux_.resources, err) < 0)
		return -1;
	return 0;
}

/* Where the init has to join v1 hierarchies anyway (no CLONE_INTO_CGROUP for them), it is cloned before
 * its cgroup exists: the parent makes the directories and writes the limits while the init builds its
 * rootfs (on two CPUs the two overlap instead of following each other); the init binds the directories at
 * /sys/fs/cgroup only after SYNC_CGROUP_MADE, and joins them itself, from SYNC_CGROUP_JOIN's descriptors,
 * before it reports ready, so the limits still hold before any of the container's code runs. The v2 tree
 * of a hybrid host is made before the clone (make_early_cgroup), and the init is born in it. On a host
 * with the v2 tree alone the init is born in its cgroup (no migration at all), which needs the cgroup
 * first; systemd makes its scope around an init that exists already (parent_sync). */
static bool want_early_clone(struct create_ctx *c)
{
	const struct cgroup_layout *lay;
	struct error e = { 0 };

	if (c->cgroup_path == NULL || c->sd.unit)
		return false;
	lay = cgroup_layout(&e);
	error_clear(&e);
	return lay && lay->mode != CGROUP_MODE_V2;
}

/* Send to the init; if it is already gone, its last words (an error it queued before exiting) are
 * the real cause, not the broken pipe. */
static int parent_send_fds(struct create_ctx *c, enum sync_msg type, const char *payload, size_t len_out,
			   const int *fds, size_t n_fds, struct error *err)
{
	enum sync_msg got;
	cleanup_free char *msg = NULL;
	size_t len = 0;
	struct error e = { 0 };

	if (sync_send_fds(c->sync[0], type, payload, len_out, fds, n_fds, err) == 0)
		return 0;
	if (sync_recv(c->sync[0], &got, &msg, &len, &e) == 0 && got == SYNC_ERROR)
		sync_error_from(msg, len, err);
	error_clear(&e);
	return -1;
}

static int parent_send(struct create_ctx *c, enum sync_msg type, struct error *err)
{
	return parent_send_fds(c, type, NULL, 0, NULL, 0, err);
}

/* The init joins its cgroup by itself: it writes "0" to each descriptor sent here (tasks in a v1
 * hierarchy, cgroup.procs in the v2 tree where it was not born). A v1 move of the writer's own thread is
 * made without the global lock that a pid written to cgroup.procs takes for write; taking it waits for an
 * RCU grace period, 10-14 ms on the test host, longer than the init's whole setup. The descriptors are
 * opened here, as the host's root: the kernel checks the opener's credentials, not the init's. */
static int send_cgroup_join(struct create_ctx *c, struct error *err)
{
	int fds[16];
	size_t n = 0;
	unsigned long which = ~0UL;
	cleanup_free char *names = NULL;

	if (c->sd.unit)
		return parent_send(c, SYNC_CGROUP_JOIN, err);
	if (c->born_in_cgroup)
		which &= ~cgroup_v2_bits();
	if (cgroup_open_procs(c->cgroup_path, NULL, which, fds, ARRAY_SIZE(fds), &n, &names, err) < 0)
		return error_wrap(err, "join cgroup");
	log_debug("CGROUP_JOIN carries them (their paths too, for the init's errors): the init writes \"0\" "
		  "to each");
	int r = parent_send_fds(c, SYNC_CGROUP_JOIN, names, names ? strlen(names) : 0, fds, n, err);
	for (size_t i = 0; i < n; i++)
		close(fds[i]);
	return r;
}

/* The init exists, its network namespace too (new, or the one it will join). A new one is pinned in
 * the state directory first: delete moves the devices back after the init is gone, and a veth left in
 * a dying namespace would be destroyed with it. */
static int move_net_devices(struct create_ctx *c, struct error *err)
{
	if (c->init.new_ns[NS_NETWORK]) {
		char path[64];
		snprintf(path, sizeof path, "/proc/%d/ns/net", (int)c->pid);
		c->netns_fd = open(path, O_RDONLY | O_CLOEXEC);
		if (c->netns_fd < 0)
			return error_sys(err, errno, "open the container's network namespace (%s)", path);
		if (netdev_pin_netns(c->netns_fd, c->dirfd, err) < 0)
			return -1;
	} else {
		c->netns_fd = fcntl(c->init.ns_fds[NS_NETWORK], F_DUPFD_CLOEXEC, 0);
		if (c->netns_fd < 0)
			return error_sys(err, errno, "dup");
	}
	return netdev_move_in(&c->spec->linux_, c->netns_fd, c->dirfd, err);
}

/* state.json: one file, written once. The config travels inside it, so a single fsync of the file makes
 * the whole record durable before its name exists. */
static int write_record(struct create_ctx *c, struct error *err)
{
	cleanup_free char *owner = user_name(geteuid());
	struct state_record rec = { .id = (char *)c->o->id,
				    .pid = c->pid,
				    .pid_start = proc_start_time(c->pid, NULL),
				    .bundle = c->bundle,
				    .rootfs = c->rootfs,
				    .created = now_rfc3339(),
				    .owner = owner,
				    .oci_version = c->spec->oci_version,
				    .annotations = c->spec->annotations,
				    .cgroup_path = c->cgroup_path,
				    .systemd_unit = c->sd.unit,
				    .own_pidns = c->init.new_ns[NS_PID],
				    .config = c->raw_config,
				    .has_poststart = c->spec->hooks.n[HOOK_POSTSTART] > 0,
				    .has_poststop = c->spec->hooks.n[HOOK_POSTSTOP] > 0 };
	int r = state_write(c->dirfd, &rec, err);

	free(rec.created);
	fault_point("create.state-written");
	return r;
}

static int parent_sync(struct create_ctx *c, struct error *err)
{
	struct state_record rec = { .id = (char *)c->o->id,
				    .bundle = c->bundle,
				    .rootfs = c->rootfs,
				    .created = (char *)"",
				    .oci_version = c->spec->oci_version,
				    .annotations = c->spec->annotations };
	bool devices_done = false;

	if (c->init.new_ns[NS_USER] && idmap_write(c->pid, &c->spec->linux_, err) < 0)
		return -1;
	fault_point("create.maps");
	if (c->init.wait_maps && parent_send(c, SYNC_MAPS_DONE, err) < 0)
		return -1;
	if (c->init.wait_netdevs &&
	    (move_net_devices(c, err) < 0 || parent_send(c, SYNC_NETDEV_DONE, err) < 0))
		return -1;
	if (c->init.mount_srcs && mountsrc_send(c->spec, c->bundle, c->pid, c->sync[0], err) < 0)
		return -1;
	if (c->early_clone) {
		if (make_cgroup(c, err) < 0 || parent_send(c, SYNC_CGROUP_MADE, err) < 0)
			return -1;
	}
	/* the device rules, now rather than after READY, unless one could refuse a mknod of the init or a
	 * device a createContainer hook uses (runc writes them once the nodes exist and after that hook: a
	 * node the config lists but denies must still be made). Only before the init joins the v1 devices
	 * cgroup: the writes go through states that deny even the default nodes (deny "a" first), which the
	 * init must never see; a v2 program is attached whole. A systemd scope holds the init already. */
	if (c->cgroup_path && !c->sd.unit && c->spec->linux_.has_resources &&
	    c->spec->hooks.n[HOOK_CREATE_CONTAINER] == 0 &&
	    cgroup_devices_allow_nodes(&c->spec->linux_.resources, c->spec->linux_.devices,
				       c->spec->linux_.n_devices)) {
		if (cgroup_devices(c->cgroup_path, &c->spec->linux_.resources, err) < 0)
			return -1;
		devices_done = true;
	}
	/* the init builds its rootfs meanwhile: it needs the cgroup only before it reports ready */
	if (c->sd.unit) {
		/* systemd makes the scope with the init in it (a scope needs a process to exist), then
		 * the limits go into its files, as for cgroupfs, before the init runs anything of the
		 * container's */
		const struct spec_resources *r =
		    c->spec->linux_.has_resources ? &c->spec->linux_.resources : NULL;
		if (systemd_start_owned(&c->sd, c->pid, c->o->id, r, &c->sd_started, &c->cgroup_path, err) <
		    0)
			return -1;
	}
	/* an init born in its only cgroup does not wait for this word */
	if (c->cgroup_path && c->init.wait_cgroup && send_cgroup_join(c, err) < 0)
		return -1;
	fault_point("create.cgroup-enter");
	if (c->init.parent_hooks) {
		cleanup_free char *state = state_oci_json(&rec, "creating", c->pid, false);
		if (sync_expect(c->sync[0], SYNC_HOOKS_RUN, err) < 0)
			return -1;
		if (hooks_run(&c->spec->hooks, HOOK_PRESTART, state, err) < 0 ||
		    hooks_run(&c->spec->hooks, HOOK_CREATE_RUNTIME, state, err) < 0) {
			return -1;
		}
		fault_point("create.hooks");
		if (parent_send(c, SYNC_HOOKS_DONE, err) < 0)
			return -1;
	}
	/* the parent would only wait for READY while the init builds its rootfs: what does not depend on
	 * the rootfs is done meanwhile, off the critical path. The record (its name exists once it is
	 * durable, and COMMITTED still waits for READY: a create dying before is rolled back as ever; a
	 * container without a mount namespace notes its rootfs mount first, after READY) */
	if (bind_exec_socket(c, err) < 0)
		return -1;
	if (!c->host_mntns && write_record(c, err) < 0)
		return -1;
	if (sync_expect(c->sync[0], SYNC_READY, err) < 0)
		return -1;
	fault_point("create.ready");
	/* else only now: the init has made the config's devices */
	if (!devices_done && c->cgroup_path && c->spec->linux_.has_resources &&
	    cgroup_devices(c->cgroup_path, &c->spec->linux_.resources, err) < 0)
		return -1;
	return 0;
}

static int finish_create(struct create_ctx *c, struct error *err)
{
	int r = 0;

	if (c->host_mntns) {
		/* delete detaches the container's mounts from our namespace, if still on top */
		char id[32];
		cleanup_close int fd =
		    openat(c->dirfd, ROOTFS_MOUNT_NOTE, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

		snprintf(id, sizeof id, "%llu", (unsigned long long)rootfs_top_mount(c->rootfs));
		if (fd < 0 || write_all(fd, id, strlen(id)) < 0)
			return error_sys(err, errno, "write %s in the state directory", ROOTFS_MOUNT_NOTE);
		r = write_record(c, err);
	}
	if (r == 0 && c->o->pid_file)
		r = write_pid_file(c->o->pid_file, c->pid, err);
	fault_point("create.pid-file");
	/* the record is durable: only now may the init outlive us (until this word it exits when
	 * the socket closes, so a create killed after "ready" leaves no unrecorded process) */
	if (r == 0)
		r = parent_send(c, SYNC_COMMITTED, err);
	/* the container exists: from now on a delete --force waits for this create like any command */
	if (r == 0)
		state_note_committed(c->notes_fd);
	return r;
}

static void create_ctx_free(struct create_ctx *c)
{
	spec_free(c->spec);
	free(c->raw_config);
	free(c->bundle);
	free(c->rootfs);
	free(c->cgroup_path);
	systemd_unit_free(&c->sd);
	for (int i = 0; i < 2; i++)
		if (c->sync[i] >= 0)
			close(c->sync[i]);
	if (c->listen_fd >= 0)
		close(c->listen_fd);
	if (c->notes_fd >= 0)
		close(c->notes_fd);
	if (c->init.console_fd >= 0)
		close(c->init.console_fd);
	if (c->init.seccomp_agent_fd >= 0)
		close(c->init.seccomp_agent_fd);
	for (int t = 0; t < NS_TYPE_COUNT; t++)
		if (c->init.ns_fds[t] >= 0)
			close(c->init.ns_fds[t]);
	if (c->netns_fd >= 0)
		close(c->netns_fd);
	if (c->cgroup_fd >= 0)
		close(c->cgroup_fd);
	if (c->dirfd >= 0)
		close(c->dirfd);
}

/* An early clone on a hybrid host: the v2 tree's directory alone, before the init exists, so that the
 * init is born in it (CLONE_INTO_CGROUP). It would join it by cgroup.procs otherwise, whose lock waits
 * for the RCU grace period that the early clone and the init's own v1 joins avoid. Its limits come
 * with the others' (make_cgroup). */
static int make_early_cgroup(struct create_ctx *c, struct error *err)
{
	c->cgroup_early = cgroup_v2_bits();
	if (c->cgroup_early == 0)
		return 0;
	if (cgroup_create(c->cgroup_path, c->cgroup_default, c->cgroup_early, &c->cgroup_created, err) < 0)
		return -1;
	/* from here the init may be in it: a rollback empties it even when it existed before */
	c->cgroup_touched = true;
	/* an init born in a frozen v2 cgroup would never report: refused before the clone */
	if (cgroup_refuse_frozen(c->cgroup_path, c->cgroup_early, err) < 0)
		return -1;
	c->cgroup_fd = cgroup_open_v2_dir(c->cgroup_path, c->cgroup_created, &c->cgroup_v2_only);
	return 0;
}

/* Before the init exists, the outside state it needs: the notes a delete --force goes by (the
 * creator, the cgroup path, the systemd unit), the cgroup with its limits (unless early_clone: then
 * parent_sync makes it, but for a hybrid host's v2 tree), the exec socket (bound in parent_sync) and the
 * sync socketpair. */
static int make_outside_state(struct create_ctx *c, struct error *err)
{
	/* after the id is ours: a second create of a running id says "already exists", never looks at (or
	 * warns about) the first one's cgroup */
	if (c->cgroup_path && cgroup_check_existing(c->cgroup_path, c->cgroup_default, err) < 0)
		return -1;
	/* one file, before anything below can hang or leave something behind: a create stuck in a hook
	 * holds the lock for as long as it lives, and its pid is how delete --force finds it to kill it; a
	 * create killed before state.json exists leaves the cgroup path and the scope's name (systemd makes
	 * the scope once the init exists: parent_sync) */
	if (state_note_create(c->dirfd, true, c->cgroup_path, c->sd.unit, &c->notes_fd, err) < 0)
		return -1;
	if (c->cgroup_path && !c->sd.unit && !c->early_clone && make_cgroup(c, err) < 0)
		return -1;
	if (c->cgroup_path && !c->sd.unit && c->early_clone && make_early_cgroup(c, err) < 0)
		return -1;
	c->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->listen_fd < 0)
		return error_sys(err, errno, "create the exec socket");
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, c->sync) < 0)
		return error_sys(err, errno, "socketpair");
	return 0;
}

/* An init that died without a word: the OOM killer is the usual reason, say so. */
static void explain_silent_init(struct create_ctx *c, struct error *err)
{
	int st;

	if (err->errnum != EPIPE || c->cgroup_path == NULL || waitpid(c->pid, &st, 0) != c->pid)
		return;
	c->pid = -1;
	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL && cgroup_oom_kills(c->cgroup_path) > 0) {
		error_clear(err);
		error_set(err, ENOMEM,
			  "container init was killed by the OOM killer during setup "
			  "(linux.resources.memory.limit too low?)");
	}
}

/* Undo, in reverse order, what create made: the init, its mounts in our namespace, the cgroup, the
 * systemd scope, the state directory. */
static void rollback(struct create_ctx *c)
{
	/* the cleanup below needs descriptors of its own: after an EMFILE there are none unless the
	 * ones only the init needed go first */
	for (int i = 0; i < 2; i++)
		if (c->sync[i] >= 0) {
			close(c->sync[i]);
			c->sync[i] = -1;
		}
	if (c->listen_fd >= 0) {
		close(c->listen_fd);
		c->listen_fd = -1;
	}
	if (c->notes_fd >= 0) {
		close(c->notes_fd);
		c->notes_fd = -1;
	}
	/* the v2 directory was for the clone only (a failure before it leaves it open) */
	if (c->cgroup_fd >= 0) {
		close(c->cgroup_fd);
		c->cgroup_fd = -1;
	}
	if (c->pid > 0) {
		kill(c->pid, SIGKILL);
		waitpid(c->pid, NULL, 0);
	}
	if (c->netns_fd >= 0) {
		/* the held descriptor keeps the namespace alive after the init: every device the create
		 * moved goes back, a veth too */
		netdev_return(c->dirfd, c->netns_fd);
		netdev_unpin_netns(c->dirfd);
	}
	if (c->host_mntns && rootfs_top_mount(c->rootfs) != c->rootfs_mnt_before)
		rootfs_detach_top(c->rootfs, rootfs_top_mount(c->rootfs));
	/* an early clone's init was in no cgroup of ours before make_cgroup: a cgroup that existed before
	 * (and its processes) is left alone when that was never reached */
	if (c->cgroup_path && (c->cgroup_created || (c->pid > 0 && (!c->early_clone || c->cgroup_touched)))) {
		struct error e = { 0 };
		/* a cgroup that existed before is emptied of what we put in it, never removed */
		if (cgroup_destroy_some(c->cgroup_path, c->cgroup_created, &e) < 0)
			log_warn("rollback: %s, ignoring", e.msg);
		error_clear(&e);
	}
	if (c->sd_started) {
		/* its processes are dead (above): stopping removes the unit and its cgroup, so a failed
		 * create leaves nothing in systemctl list-units */
		struct error e = { 0 };
		if (systemd_stop(c->sd.unit, &e) < 0)
			log_warn("rollback: %s, ignoring", e.msg);
		error_clear(&e);
	}
	state_remove_dir(c->o->root, c->o->id, c->dirfd, NULL);
}

int container_create(const struct create_opts *o, pid_t *ret_pid, struct error *err)
{
	struct create_ctx c = { .o = o,
				.dirfd = -1,
				.sync = { -1, -1 },
				.listen_fd = -1,
				.notes_fd = -1,
				.pid = -1,
				.netns_fd = -1,
				.cgroup_fd = -1,
				.init = { .console_fd = -1, .seccomp_agent_fd = -1 } };
	uint64_t flags = 0;
	int r = -1;

	for (int t = 0; t < NS_TYPE_COUNT; t++)
		c.init.ns_fds[t] = -1;
	/* everything that can be refused is, before anything exists */
	if (create_load_bundle(&c, err) < 0 || create_check_config(&c, err) < 0 ||
	    create_prepare_namespaces(&c, &flags, err) < 0 || netdev_check_host(&c.spec->linux_, err) < 0 ||
	    create_resolve_cgroup(&c, err) < 0)
		goto out;
	c.early_clone = want_early_clone(&c);
	if (state_create_dir(o->root, o->id, &c.dirfd, err) < 0)
		goto out;
	fault_point("create.state-dir");
	/* from here on, outside state exists: every failure goes to rollback */
	if (make_outside_state(&c, err) < 0 || create_init_args(&c, err) < 0)
		goto rollback;
	c.init.wait_cgroup_made = c.early_clone;
	c.pid = spawn_init(&c, flags, err);
	if (c.pid < 0)
		goto rollback;
	fault_point("create.spawned");
	close(c.sync[1]);
	c.sync[1] = -1;
	if (parent_sync(&c, err) < 0 || finish_create(&c, err) < 0) {
		explain_silent_init(&c, err);
		goto rollback;
	}
	*ret_pid = c.pid;
	r = 0;
	goto out;
rollback:
	rollback(&c);
out:
	create_ctx_free(&c);
	return r;
}

/* The parent side of create (the later lifecycle commands are in lifecycle.c). create registers an undo
 * for every piece of outside state (state dir, cgroup, init process) and rolls all of it back on
 * failure. */
#define _GNU_SOURCE
#include "container.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
#include "lsm.h"
#include "mountsrc.h"
#include "rootfs.h"
#include "state.h"
#include "sync.h"
#include "systemd.h"
#include "terminal.h"
#include "base/util.h"
#include "sysops.h"

struct create_ctx {
	const struct create_opts *o;
	struct spec *spec;
	char *raw_config;
	size_t raw_len;
	char *bundle;
	char *rootfs;
	char *cgroup_path;
	struct systemd_unit sd; /* --systemd-cgroup: the scope (sd.unit NULL otherwise) */
	bool sd_started;	/* the scope was asked for: a rollback stops it */
	int dirfd;
	int sync[2];
	int listen_fd;
	pid_t pid;
	unsigned long cgroup_created; /* hierarchies where create made the cgroup */
	bool host_mntns;	      /* no mount namespace: the init mounts in ours (rootfs.c) */
	uint64_t rootfs_mnt_before;   /* then: the mount on top of the rootfs before the init ran */
	int netns_fd;		      /* linux.netDevices: where they go (a new namespace: held here) */
	struct init_args init;
};

static int load_bundle(struct create_ctx *c, struct error *err)
{
	const char *b = c->o->bundle ? c->o->bundle : ".";
	cleanup_free char *root = NULL, *clean = NULL;

	c->bundle = realpath(b, NULL);
	if (c->bundle == NULL)
		return error_sys(err, errno, "bundle '%s'", b);
	if (spec_load(c->bundle, &c->spec, &c->raw_config, &c->raw_len, err) < 0)
		return -1;
	if (!c->spec->has_process)
		return error_set(err, EINVAL, "config.json: .process: required to create a container");
	if (c->spec->root_path == NULL)
		return error_set(err, EINVAL, "config.json: .root.path: required on Linux");
	root = c->spec->root_path[0] == '/' ? xstrdup(c->spec->root_path)
					    : xasprintf("%s/%s", c->bundle, c->spec->root_path);
	c->rootfs = realpath(root, NULL);
	if (c->rootfs == NULL)
		return error_sys(err, errno, "config.json: .root.path: '%s'", root);
	clean = path_clean(root);
	if (strcmp(clean, c->rootfs) != 0)
		/* as runc ("invalid rootfs: not an absolute path, or a symlink"): a symlink can be swapped
		 * between this check and the mounts, and the state would name a rootfs other than the
		 * one the container got */
		return error_set(err, EINVAL,
				 "config.json: .root.path: invalid rootfs '%s': it is a symlink or passes "
				 "through one (it resolves to '%s'); give the real path",
				 clean, c->rootfs);
	struct stat st;
	if (stat(c->rootfs, &st) < 0 || !S_ISDIR(st.st_mode))
		return error_set(err, ENOTDIR, "config.json: .root.path: '%s' is not a directory", c->rootfs);
	return 0;
}

/* Prefix a message that starts with a JSON path without its dot ("linux.resources.x: ...") with
 * the file name and the dot, so it reads like every other config error. */
static int error_json_path(struct error *err, const char *file)
{
	cleanup_free char *msg = err->msg;

	err->msg = NULL;
	return error_set(err, err->errnum, "%s: .%s", file, msg ? msg : "");
}

/* Cross-field checks that need the whole config, before anything touches the system. */
static int check_config(struct create_ctx *c, struct error *err)
{
	const struct spec *s = c->spec;
	bool has[NS_TYPE_COUNT] = { 0 };

	for (size_t i = 0; i < s->linux_.n_namespaces; i++)
		has[s->linux_.namespaces[i].type] = true;
	if (!has[NS_MOUNT] && (s->linux_.n_masked_paths || s->linux_.n_readonly_paths))
		/* runc's words: "unable to restrict sys entries without a private MNT namespace" */
		return error_set(err, EINVAL,
				 "config.json: .linux.%s: unable to restrict sys entries without a private "
				 "mount namespace: add {\"type\": \"mount\"} to .linux.namespaces or remove "
				 "maskedPaths and readonlyPaths",
				 s->linux_.n_masked_paths ? "maskedPaths" : "readonlyPaths");
	if (!has[NS_MOUNT] && has[NS_USER])
		/* the runtime's mount namespace belongs to the host's user namespace */
		return error_set(err, EINVAL,
				 "config.json: .linux.namespaces: a user namespace needs a mount namespace "
				 "too: its root cannot mount in the runtime's mount namespace");
	if ((s->hostname || s->domainname) && !has[NS_UTS])
		return error_set(err, EINVAL,
				 "config.json: .hostname: setting a hostname needs a new uts namespace");
	if (s->linux_.has_resources && c->o->cgroups_disabled)
		log_warn("linux.resources: cgroups are disabled (--cgroup-manager disabled), ignoring");
	else if (s->linux_.has_resources && cgroup_check_resources(&s->linux_.resources, err) < 0)
		return error_json_path(err, "config.json");
	if (s->linux_.has_seccomp && seccomp_uses_notify(&s->linux_.seccomp)) {
		/* every syscall, exec included, would wait for an agent that cannot exist yet */
		if (s->linux_.seccomp.default_action == SECCOMP_ACT_NOTIFY)
			return error_set(err, EINVAL,
					 "config.json: .linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot "
					 "be the default action");
		if (s->linux_.seccomp.listener_path == NULL)
			return error_set(err, EINVAL,
					 "config.json: .linux.seccomp.listenerPath: required when a rule "
					 "uses SCMP_ACT_NOTIFY");
	}
	if (lsm_check(s->process.apparmor_profile, s->process.selinux_label, s->linux_.mount_label,
		      "config.json: .process", err) < 0)
		return -1;
	if (s->linux_.n_net_devices && c->o->rootless)
		return error_set(
		    err, EPERM,
		    "config.json: .linux.netDevices: not supported for rootless containers: moving "
		    "a host network interface needs CAP_NET_ADMIN in the host's network namespace");
	if (s->process.terminal && c->o->console_socket == NULL && !c->o->has_console_fd)
		return error_set(err, EINVAL,
				 "config.json: .process.terminal is true: a detached container needs "
				 "--console-socket to receive its terminal");
	if (!s->process.terminal && c->o->console_socket)
		return error_set(err, EINVAL,
				 "--console-socket was given but config.json: .process.terminal is false");
	return 0;
}

/* net.* sysctls go to the network namespace the init joins: checked on the very descriptor it will
 * join, so a namespace file swapped after config/'s look cannot carry them into the host's. */
static int refuse_host_net_sysctl(struct create_ctx *c, int netfd, struct error *err)
{
	const struct spec_map *m = &c->spec->linux_.sysctl;
	struct stat host, joined;

	for (size_t i = 0; i < m->n; i++)
		if (spec_sysctl_namespace(m->keys[i]) == NS_NETWORK &&
		    (stat("/proc/self/ns/net", &host) < 0 || fstat(netfd, &joined) < 0 ||
		     (host.st_dev == joined.st_dev && host.st_ino == joined.st_ino)))
			return error_set(
			    err, EPERM,
			    "config.json: .linux.sysctl[\"%s\"]: not allowed in the host's network "
			    "namespace (joined by path)",
			    m->keys[i]);
	return 0;
}

/* netDevices go to the network namespace the init joins: moving them into husk's own would only
 * rename them on the host. Checked on the descriptor they are moved with. */
static int refuse_host_net_devices(struct create_ctx *c, int netfd, struct error *err)
{
	struct stat host, joined;

	if (c->spec->linux_.n_net_devices == 0)
		return 0;
	if (stat("/proc/self/ns/net", &host) < 0 || fstat(netfd, &joined) < 0 ||
	    (host.st_dev == joined.st_dev && host.st_ino == joined.st_ino))
		return error_set(err, EINVAL,
				 "config.json: .linux.netDevices: unable to move network devices into the "
				 "host's network namespace (the one joined by path is husk's own)");
	return 0;
}

/* Open every namespace path now (in the host's view) and note which namespaces are new. */
static int prepare_namespaces(struct create_ctx *c, uint64_t *ret_flags, struct error *err)
{
	const struct spec_linux *l = &c->spec->linux_;
	uint64_t flags = 0;

	for (size_t i = 0; i < l->n_namespaces; i++) {
		const struct spec_namespace *ns = &l->namespaces[i];
		if (ns->path) {
			/* the very fd the init joins is checked again: config/ looked at a name, which may
			 * since have become a FIFO (an open that hangs) or another namespace */
			int problem;
			c->init.ns_fds[ns->type] = ns_open(ns->path, ns_kind_of(ns->type)->flag, &problem);
			if (c->init.ns_fds[ns->type] < 0)
				return problem == NS_OPEN_ERRNO
					   ? error_sys(err, errno,
						       "config.json: .linux.namespaces[%zu].path: '%s'", i,
						       ns->path)
					   : error_set(
						 err, EINVAL,
						 "config.json: .linux.namespaces[%zu].path: '%s': not a %s "
						 "namespace",
						 i, ns->path, spec_ns_type_name(ns->type));
			if (ns->type == NS_NETWORK &&
			    (refuse_host_net_sysctl(c, c->init.ns_fds[NS_NETWORK], err) < 0 ||
			     refuse_host_net_devices(c, c->init.ns_fds[NS_NETWORK], err) < 0))
				return -1;
		} else {
			c->init.new_ns[ns->type] = true;
			/* cgroup and time namespaces are made by the init itself (see init.c) */
			if (ns->type != NS_CGROUP && ns->type != NS_TIME)
				flags |= (uint64_t)ns_kind_of(ns->type)->flag;
		}
	}
	c->init.userns = c->init.new_ns[NS_USER] || c->init.ns_fds[NS_USER] >= 0;
	*ret_flags = flags;
	return 0;
}

static pid_t clone_init(uint64_t flags)
{
	struct clone_args args = { .flags = flags, .exit_signal = SIGCHLD };

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

	/* joining a user namespace must come before the other namespaces are created (they must
	 * belong to it), but husk itself keeps its host credentials */
	if (c->init.ns_fds[NS_USER] >= 0) {
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
	pid = clone_init(flags);
	if (pid == 0)
		init_main(&c->init);
	if (pid < 0)
		error_sys(err, errno, "clone the container init");
	if (own_pidns >= 0 && sysops->setns(own_pidns, CLONE_NEWPID) < 0 && pid > 0)
		log_warn("return to husk's pid namespace: %s, ignoring", strerror(errno));
	return pid;
}

/* The socket lives in the state directory; it is named through /proc/self/fd/<dirfd> so that no
 * --root, however long, overflows sun_path. */
static int bind_exec_socket(struct create_ctx *c, struct error *err)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };

	snprintf(addr.sun_path, sizeof addr.sun_path, "/proc/self/fd/%d/%s", c->dirfd, EXEC_SOCK);
	log_debug("socket(AF_UNIX); bind(\"%s/%s/%s\"); listen(): `husk start` will connect here", c->o->root,
		  c->o->id, EXEC_SOCK);
	c->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->listen_fd < 0 || bind(c->listen_fd, (struct sockaddr *)&addr, sizeof addr) < 0 ||
	    listen(c->listen_fd, 1) < 0)
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

/* Send to the init; if it is already gone, its last words (an error it queued before exiting) are
 * the real cause, not the broken pipe. */
static int parent_send(struct create_ctx *c, enum sync_msg type, struct error *err)
{
	enum sync_msg got;
	cleanup_free char *msg = NULL;
	size_t len = 0;
	struct error e = { 0 };

	if (sync_send(c->sync[0], type, NULL, 0, err) == 0)
		return 0;
	if (sync_recv(c->sync[0], &got, &msg, &len, &e) == 0 && got == SYNC_ERROR)
		sync_error_from(msg, len, err);
	error_clear(&e);
	return -1;
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

static int parent_sync(struct create_ctx *c, struct error *err)
{
	struct state_record rec = { .id = (char *)c->o->id,
				    .bundle = c->bundle,
				    .rootfs = c->rootfs,
				    .created = (char *)"",
				    .oci_version = c->spec->oci_version,
				    .annotations = c->spec->annotations };

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
	/* the init builds its rootfs meanwhile: it needs the cgroup only before it reports ready */
	if (c->sd.unit) {
		/* systemd makes the scope with the init in it (a scope needs a process to exist), then
		 * the limits go into its files, as for cgroupfs, before the init runs anything of the
		 * container's */
		const struct spec_resources *r =
		    c->spec->linux_.has_resources ? &c->spec->linux_.resources : NULL;
		c->sd_started = true;
		if (systemd_start(&c->sd, c->pid, c->o->id, r, err) < 0) {
			if (err->errnum == EEXIST) {
				/* the scope of this name is another container's: the rollback must neither
				 * stop it nor kill what is in its cgroup (that would kill the other one) */
				c->sd_started = false;
				free(c->cgroup_path);
				c->cgroup_path = NULL;
			}
			return -1;
		}
		if (r && cgroup_apply_resources(c->cgroup_path, r, err) < 0)
			return -1;
	} else if (c->cgroup_path && cgroup_enter(c->cgroup_path, c->pid, err) < 0) {
		return -1;
	}
	if (c->cgroup_path && parent_send(c, SYNC_CGROUP_DONE, err) < 0)
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
	if (sync_expect(c->sync[0], SYNC_READY, err) < 0)
		return -1;
	fault_point("create.ready");
	/* device rules only now: the init had to mknod the config's devices first */
	if (c->cgroup_path && c->spec->linux_.has_resources &&
	    cgroup_devices(c->cgroup_path, &c->spec->linux_.resources, err) < 0)
		return -1;
	return 0;
}

static int finish_create(struct create_ctx *c, struct error *err)
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
				    .own_pidns = c->init.new_ns[NS_PID] };
	int r;

	/* one file, written once: the config travels inside state.json, so a single fsync of the file
	 * makes the whole record durable before its name exists */
	if (c->host_mntns) {
		/* delete detaches the container's mounts from our namespace, if still on top */
		char id[32];
		cleanup_close int fd =
		    openat(c->dirfd, ROOTFS_MOUNT_NOTE, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

		snprintf(id, sizeof id, "%llu", (unsigned long long)rootfs_top_mount(c->rootfs));
		if (fd < 0 || write_all(fd, id, strlen(id)) < 0)
			return error_sys(err, errno, "write %s in the state directory", ROOTFS_MOUNT_NOTE);
	}
	rec.config = c->raw_config;
	rec.has_poststart = c->spec->hooks.n[HOOK_POSTSTART] > 0;
	rec.has_poststop = c->spec->hooks.n[HOOK_POSTSTOP] > 0;
	r = state_write(c->dirfd, &rec, err);
	free(rec.created);
	fault_point("create.state-written");
	if (r == 0 && c->o->pid_file)
		r = write_pid_file(c->o->pid_file, c->pid, err);
	fault_point("create.pid-file");
	/* the record is durable: only now may the init outlive us (until this word it exits when
	 * the socket closes, so a create killed after "ready" leaves no unrecorded process) */
	if (r == 0)
		r = parent_send(c, SYNC_COMMITTED, err);
	/* the container exists: from now on a delete --force waits for this create like any command */
	if (r == 0)
		state_unnote_creator(c->dirfd);
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
	if (c->init.console_fd >= 0)
		close(c->init.console_fd);
	if (c->init.seccomp_agent_fd >= 0)
		close(c->init.seccomp_agent_fd);
	for (int t = 0; t < 8; t++)
		if (c->init.ns_fds[t] >= 0)
			close(c->init.ns_fds[t]);
	if (c->netns_fd >= 0)
		close(c->netns_fd);
	if (c->dirfd >= 0)
		close(c->dirfd);
}

/* Rootless: a cgroup only where the user was delegated one. Without it the container runs in the
 * caller's cgroup, which is fine for a config that asks no limits and an error for one that does:
 * a limit must never be silently dropped. */
static int rootless_skip_cgroup(struct create_ctx *c, struct error *err)
{
	const struct spec_resources *r = &c->spec->linux_.resources;
	const char *field = NULL;

	if (cgroup_writable(c->cgroup_path))
		return 0;
	if (c->spec->linux_.has_resources) {
		field = r->has_memory	       ? "memory"
			: r->has_cpu	       ? "cpu"
			: r->has_pids	       ? "pids"
			: r->has_blkio	       ? "blockIO"
			: r->n_hugepage_limits ? "hugepageLimits"
			: r->has_network       ? "network"
			: r->n_rdma	       ? "rdma"
			: r->unified.n	       ? "unified"
					       : NULL;
	}
	if (field)
		return error_set(
		    err, EPERM,
		    "config.json: .linux.resources.%s: rootless: no writable cgroup at '%s' to "
		    "enforce it (an administrator can delegate one, see docs/rootless.md, or remove the "
		    "limit)",
		    field, c->cgroup_path);
	log_warn("rootless: no writable cgroup at '%s', so no limits, pause, update or stats%s, ignoring",
		 c->cgroup_path,
		 r->n_devices ? " (and the device rules are left to the bind-mounted /dev)" : "");
	free(c->cgroup_path);
	c->cgroup_path = NULL;
	return 0;
}

static bool has_parent_hooks(const struct spec *s)
{
	return s->hooks.n[HOOK_PRESTART] || s->hooks.n[HOOK_CREATE_RUNTIME];
}

int container_create(const struct create_opts *o, pid_t *ret_pid, struct error *err)
{
	struct create_ctx c = { .o = o,
				.dirfd = -1,
				.sync = { -1, -1 },
				.listen_fd = -1,
				.pid = -1,
				.netns_fd = -1,
				.init = { .console_fd = -1, .seccomp_agent_fd = -1 } };
	uint64_t flags = 0;
	int r = -1;

	for (int t = 0; t < 8; t++)
		c.init.ns_fds[t] = -1;
	if (load_bundle(&c, err) < 0 || check_config(&c, err) < 0 ||
	    prepare_namespaces(&c, &flags, err) < 0 || netdev_check_host(&c.spec->linux_, err) < 0)
		goto out;
	if (!o->cgroups_disabled && o->systemd_cgroup) {
		/* the host is checked before anything exists: no state dir, no unit on a refusal */
		if (systemd_parse_path(c.spec->linux_.cgroups_path, o->id, &c.sd, err) < 0 ||
		    systemd_check_host(err) < 0)
			goto out;
		c.cgroup_path = xstrdup(c.sd.path);
	} else if (!o->cgroups_disabled &&
		   cgroup_resolve_path(c.spec->linux_.cgroups_path, o->id, &c.cgroup_path, err) < 0) {
		goto out;
	}
	if (c.cgroup_path && !c.sd.unit && o->rootless && rootless_skip_cgroup(&c, err) < 0)
		goto out;
	if (state_create_dir(o->root, o->id, &c.dirfd, err) < 0)
		goto out;
	fault_point("create.state-dir");
	/* from here on, outside state exists: every failure goes to rollback */
	/* a create stuck in a hook holds the lock for as long as it lives: the note is how delete
	 * --force finds it to kill it */
	if (state_note_creator(c.dirfd, err) < 0)
		goto rollback;
	/* after the id is ours: a second create of a running id says "already exists", never looks at (or
	 * warns about) the first one's cgroup */
	if (c.cgroup_path && cgroup_check_existing(c.cgroup_path, err) < 0)
		goto rollback;
	if (c.cgroup_path) {
		/* a create killed before state.json exists leaves this note for delete --force */
		if (state_note_cgroup(c.dirfd, c.cgroup_path, err) < 0)
			goto rollback;
	}
	if (c.sd.unit) {
		/* the scope is made once the init exists (parent_sync); noted first, for the same reason */
		if (state_note_unit(c.dirfd, c.sd.unit, err) < 0)
			goto rollback;
	} else if (c.cgroup_path) {
		if (cgroup_create(c.cgroup_path, &c.cgroup_created, err) < 0)
			goto rollback;
		fault_point("create.cgroup");
		if (c.spec->linux_.has_resources &&
		    cgroup_apply_resources(c.cgroup_path, &c.spec->linux_.resources, err) < 0)
			goto rollback;
	}
	if (bind_exec_socket(&c, err) < 0)
		goto rollback;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, c.sync) < 0) {
		error_sys(err, errno, "socketpair");
		goto rollback;
	}
	c.init.spec = c.spec;
	c.init.id = o->id;
	c.init.bundle = c.bundle;
	c.init.rootfs = c.rootfs;
	c.init.cgroup_path = c.cgroup_path;
	c.init.sync_fd = c.sync[1];
	c.init.parent_sync_fd = c.sync[0];
	c.init.lock_fd = c.dirfd;
	c.init.exec_listen_fd = c.listen_fd;
	c.init.console_fd = -1;
	c.init.seccomp_agent_fd = -1;
	if (c.spec->linux_.has_seccomp && seccomp_uses_notify(&c.spec->linux_.seccomp)) {
		/* connected here, in the host's view: the init hands the listener over after pivot_root */
		c.init.seccomp_agent_fd =
		    terminal_connect(c.spec->linux_.seccomp.listener_path, "seccomp agent", err);
		if (c.init.seccomp_agent_fd < 0) {
			error_wrap(err, "config.json: .linux.seccomp.listenerPath");
			goto rollback;
		}
	}
	if (o->has_console_fd && c.spec->process.terminal &&
	    (c.init.console_fd = fcntl(o->console_fd, F_DUPFD_CLOEXEC, 0)) < 0) {
		error_sys(err, errno, "dup");
		goto rollback;
	}
	if (o->console_socket && !o->has_console_fd) {
		c.init.console_fd = terminal_connect(o->console_socket, "console socket", err);
		if (c.init.console_fd < 0)
			goto rollback;
	}
	c.init.no_pivot = o->no_pivot;
	c.init.no_new_keyring = o->no_new_keyring;
	c.init.preserve_fds = o->preserve_fds;
	{
		/* systemd socket activation: the LISTEN_FDS sockets (fds 3..) pass through ahead of the
		 * --preserve-fds ones, and the container's process learns how many there are */
		const char *lf = getenv("LISTEN_FDS"), *lp = getenv("LISTEN_PID");
		uint64_t n, pid;
		/* only when they are addressed to us, as sd_listen_fds checks: a stale LISTEN_FDS
		 * inherited from a parent would hand the container whatever fds 3.. are (a host
		 * directory, from which ../.. reaches the host's root) */
		if (lf && lp && parse_u64(lp, &pid) == 0 && pid == (uint64_t)getpid() &&
		    parse_u64(lf, &n) == 0 && n > 0 && n < 1024) {
			c.init.listen_fds = (int)n;
			c.init.preserve_fds += (int)n;
		}
	}
	c.init.wait_maps = c.init.new_ns[NS_USER];
	c.init.wait_cgroup = c.cgroup_path != NULL;
	c.init.cgroup_before_mounts = c.sd.unit != NULL;
	c.init.parent_hooks = has_parent_hooks(c.spec);
	c.init.wait_netdevs = c.spec->linux_.n_net_devices > 0;
	/* a new mount namespace only: one joined by path may belong to another container, whose paths
	 * a host-root helper must not resolve */
	c.init.mount_srcs = c.init.new_ns[NS_MOUNT] && mountsrc_wanted(c.spec, c.init.userns);
	c.host_mntns = !c.init.new_ns[NS_MOUNT] && c.init.ns_fds[NS_MOUNT] < 0;
	if (c.host_mntns)
		c.rootfs_mnt_before = rootfs_top_mount(c.rootfs);
	c.pid = spawn_init(&c, flags, err);
	if (c.pid < 0)
		goto rollback;
	fault_point("create.spawned");
	close(c.sync[1]);
	c.sync[1] = -1;
	if (parent_sync(&c, err) < 0 || finish_create(&c, err) < 0) {
		int st;
		/* an init that died without a word: the OOM killer is the usual reason, say so */
		if (err->errnum == EPIPE && c.cgroup_path && waitpid(c.pid, &st, 0) == c.pid) {
			c.pid = -1;
			if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL &&
			    cgroup_oom_kills(c.cgroup_path) > 0) {
				error_clear(err);
				error_set(err, ENOMEM,
					  "container init was killed by the OOM killer during setup "
					  "(linux.resources.memory.limit too low?)");
			}
		}
		goto rollback;
	}
	*ret_pid = c.pid;
	r = 0;
	goto out;
rollback:
	/* the cleanup below needs descriptors of its own: after an EMFILE there are none unless the
	 * ones only the init needed go first */
	for (int i = 0; i < 2; i++)
		if (c.sync[i] >= 0) {
			close(c.sync[i]);
			c.sync[i] = -1;
		}
	if (c.listen_fd >= 0) {
		close(c.listen_fd);
		c.listen_fd = -1;
	}
	if (c.pid > 0) {
		kill(c.pid, SIGKILL);
		waitpid(c.pid, NULL, 0);
	}
	if (c.netns_fd >= 0) {
		/* the held descriptor keeps the namespace alive after the init: every device the create
		 * moved goes back, a veth too */
		netdev_return(c.dirfd, c.netns_fd);
		netdev_unpin_netns(c.dirfd);
	}
	if (c.host_mntns && rootfs_top_mount(c.rootfs) != c.rootfs_mnt_before)
		rootfs_detach_top(c.rootfs, rootfs_top_mount(c.rootfs));
	if (c.cgroup_path && (c.cgroup_created || c.pid > 0)) {
		struct error e = { 0 };
		/* a cgroup that existed before is emptied of what we put in it, never removed */
		if (cgroup_destroy_some(c.cgroup_path, c.cgroup_created, &e) < 0)
			log_warn("rollback: %s, ignoring", e.msg);
		error_clear(&e);
	}
	if (c.sd_started) {
		/* its processes are dead (above): stopping removes the unit and its cgroup, so a failed
		 * create leaves nothing in systemctl list-units */
		struct error e = { 0 };
		if (systemd_stop(c.sd.unit, &e) < 0)
			log_warn("rollback: %s, ignoring", e.msg);
		error_clear(&e);
	}
	state_remove_dir(o->root, o->id, c.dirfd, NULL);
out:
	create_ctx_free(&c);
	return r;
}

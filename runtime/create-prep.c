/* What create checks and prepares before anything exists on the system (no state directory, no cgroup,
 * no process): the bundle, the cross-field rules that need the whole config, the namespaces to join
 * (opened now, in the host's view) or create, the cgroup path; and the init's arguments. */
#define _GNU_SOURCE
#include "create.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "config/spec.h"
#include "base/log.h"
#include "lsm.h"
#include "mountsrc.h"
#include "namespaces.h"
#include "rootfs.h"
#include "seccomp.h"
#include "terminal.h"
#include "base/util.h"

int create_load_bundle(struct create_ctx *c, struct error *err)
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
int create_check_config(struct create_ctx *c, struct error *err)
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
int create_prepare_namespaces(struct create_ctx *c, uint64_t *ret_flags, struct error *err)
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

int create_resolve_cgroup(struct create_ctx *c, struct error *err)
{
	const struct create_opts *o = c->o;

	if (o->cgroups_disabled)
		return 0;
	if (o->systemd_cgroup) {
		/* the host is checked before anything exists: no state dir, no unit on a refusal */
		if (systemd_parse_path(c->spec->linux_.cgroups_path, o->id, &c->sd, err) < 0 ||
		    systemd_unit_annotations(&c->sd, &c->spec->annotations, err) < 0 ||
		    systemd_check_host(err) < 0)
			return -1;
		c->cgroup_path = xstrdup(c->sd.path);
		return 0;
	}
	if (cgroup_resolve_path(c->spec->linux_.cgroups_path, o->id, &c->cgroup_path, err) < 0)
		return -1;
	c->cgroup_default = cgroup_path_is_default(c->spec->linux_.cgroups_path);
	return c->cgroup_path && o->rootless ? rootless_skip_cgroup(c, err) : 0;
}

static bool has_parent_hooks(const struct spec *s)
{
	return s->hooks.n[HOOK_PRESTART] || s->hooks.n[HOOK_CREATE_RUNTIME];
}

/* systemd socket activation: the LISTEN_FDS sockets (fds 3..) pass through ahead of the --preserve-fds
 * ones, and the container's process learns how many there are. */
static void pass_listen_fds(struct init_args *a)
{
	const char *lf = getenv("LISTEN_FDS"), *lp = getenv("LISTEN_PID");
	uint64_t n, pid;

	/* only when they are addressed to us, as sd_listen_fds checks: a stale LISTEN_FDS inherited from
	 * a parent would hand the container whatever fds 3.. are (a host directory, from which ../..
	 * reaches the host's root) */
	if (lf && lp && parse_u64(lp, &pid) == 0 && pid == (uint64_t)getpid() && parse_u64(lf, &n) == 0 &&
	    n > 0 && n < 1024) {
		a->listen_fds = (int)n;
		a->preserve_fds += (int)n;
	}
}

int create_init_args(struct create_ctx *c, struct error *err)
{
	const struct create_opts *o = c->o;
	struct init_args *a = &c->init;

	a->spec = c->spec;
	a->id = o->id;
	a->bundle = c->bundle;
	a->rootfs = c->rootfs;
	a->cgroup_path = c->cgroup_path;
	a->sync_fd = c->sync[1];
	a->parent_sync_fd = c->sync[0];
	a->lock_fd = c->dirfd;
	a->exec_listen_fd = c->listen_fd;
	a->console_fd = -1;
	a->seccomp_agent_fd = -1;
	if (c->spec->linux_.has_seccomp && seccomp_uses_notify(&c->spec->linux_.seccomp)) {
		/* connected here, in the host's view: the init hands the listener over after pivot_root */
		a->seccomp_agent_fd =
		    terminal_connect(c->spec->linux_.seccomp.listener_path, "seccomp agent", err);
		if (a->seccomp_agent_fd < 0)
			return error_wrap(err, "config.json: .linux.seccomp.listenerPath");
	}
	if (o->has_console_fd && c->spec->process.terminal &&
	    (a->console_fd = fcntl(o->console_fd, F_DUPFD_CLOEXEC, 0)) < 0)
		return error_sys(err, errno, "dup");
	if (o->console_socket && !o->has_console_fd) {
		a->console_fd = terminal_connect(o->console_socket, "console socket", err);
		if (a->console_fd < 0)
			return -1;
	}
	a->no_pivot = o->no_pivot;
	a->no_new_keyring = o->no_new_keyring;
	a->preserve_fds = o->preserve_fds;
	pass_listen_fds(a);
	a->wait_maps = a->new_ns[NS_USER];
	/* an unprivileged caller writes the maps and reads /proc/<init>/ns: it must own the init's /proc */
	a->dumpable_setup = a->userns && geteuid() != 0;
	a->wait_cgroup = c->cgroup_path != NULL;
	a->cgroup_before_mounts = c->sd.unit != NULL;
	a->parent_hooks = has_parent_hooks(c->spec);
	a->wait_netdevs = c->spec->linux_.n_net_devices > 0;
	/* a new mount namespace only: one joined by path may belong to another container, whose paths
	 * a host-root helper must not resolve */
	a->mount_srcs = a->new_ns[NS_MOUNT] && mountsrc_wanted(c->spec, a->userns);
	c->host_mntns = !a->new_ns[NS_MOUNT] && a->ns_fds[NS_MOUNT] < 0;
	if (c->host_mntns)
		c->rootfs_mnt_before = rootfs_top_mount(c->rootfs);
	return 0;
}

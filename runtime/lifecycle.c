/* start, state, kill, pause, update, list and ps: the commands after create (delete is in delete.c, run
 * in run.c). Each takes the container's directory lock (shared to read, exclusive to change), derives the
 * status from the live process, and signals the init through a pidfd checked against the recorded start
 * time, so a reused pid is never mistaken for the container. */
#define _GNU_SOURCE
#include "container.h"
#include "lifecycle.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "cgroup.h"
#include "config/spec.h"
#include "fault.h"
#include "hooks.h"
#include "base/log.h"
#include "base/util.h"
#include "systemd.h"

/* runc's wording: containerd's shim (checkKillError) treats an error containing "container not running"
 * as "already gone"; any other text leaves the task RUNNING and StopPodSandbox hangs */
#define NOT_RUNNING "container not running"

void container_close(struct opened_container *o)
{
	if (o->dirfd >= 0)
		close(o->dirfd);
	state_record_free(o->rec);
}

int container_open(const char *root, const char *id, bool exclusive, struct opened_container *ret,
		   struct error *err)
{
	cleanup_close int dirfd = -1;
	struct state_record *rec = NULL;

	if (state_open_dir(root, id, exclusive, &dirfd, err) < 0 || state_read(dirfd, id, &rec, err) < 0)
		return -1;
	ret->status = state_status(dirfd, rec);
	ret->rec = rec;
	ret->dirfd = steal_fd(&dirfd);
	return 0;
}

/* *ret_fd: a pidfd for the init, or -1 when the pid now belongs to another process (or none). Opening
 * the pidfd first and checking the start time after closes the pid-reuse race. */
int container_init_pidfd(const struct state_record *rec, int *ret_fd, struct error *err)
{
	cleanup_close int fd = (int)syscall(SYS_pidfd_open, rec->pid, 0);

	if (fd < 0 && errno != ESRCH)
		return error_sys(err, errno, "pidfd_open %d", rec->pid);
	if (fd >= 0 && !state_init_alive(rec)) {
		if (errno && errno != ENOENT && errno != ESRCH)
			return error_sys(err, errno, "read the start time of %d", rec->pid);
		close(steal_fd(&fd));
	}
	*ret_fd = steal_fd(&fd);
	return 0;
}

int container_state_hooks(const struct state_record *rec, enum spec_hook_kind kind, const char *status)
{
	cleanup_free char *state = NULL;
	struct spec *spec = NULL;
	struct error err = { 0 };

	/* most containers have no such hooks: then the saved config is not even parsed */
	if (!(kind == HOOK_POSTSTART ? rec->has_poststart : rec->has_poststop))
		return 0;
	if (rec->config == NULL ||
	    spec_parse(rec->config, strlen(rec->config), "config.json", &spec, &err) < 0) {
		log_warn("%s hooks: %s, ignoring", spec_hook_kind_name(kind),
			 err.msg ? err.msg : "no saved config");
		error_clear(&err);
		return 0;
	}
	state = state_oci_json(rec, status, kind == HOOK_POSTSTOP ? 0 : rec->pid, false);
	hooks_run_warn(&spec->hooks, kind, state);
	spec_free(spec);
	return 0;
}

int container_start(const char *root, const char *id, struct error *err)
{
	struct opened_container c;
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	cleanup_close int sock = -1;
	char buf[4096];
	size_t got = 0;
	ssize_t n;
	int r = -1;

	if (container_open(root, id, true, &c, err) < 0)
		return -1;
	if (c.status != STATUS_CREATED) {
		error_set(err, EINVAL, "cannot start container '%s': it is %s, not created", id,
			  status_name(c.status));
		goto out;
	}
	snprintf(addr.sun_path, sizeof addr.sun_path, "/proc/self/fd/%d/%s", c.dirfd, EXEC_SOCK);
	log_debug("connect(\"%s\"): the init goes on to execve", EXEC_SOCK);
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0 || connect(sock, (struct sockaddr *)&addr, sizeof addr) < 0) {
		error_sys(err, errno, "start container '%s'", id);
		goto out;
	}
	/* from now on the container is running: the socket's absence is what `state` reads */
	unlinkat(c.dirfd, EXEC_SOCK, 0);
	fault_point("start.connected");
	/* the init closes the connection at execve; anything it writes first is its error */
	while (got < sizeof buf - 1 && (n = read(sock, buf + got, sizeof buf - 1 - got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		got += (size_t)n;
	}
	if (got) {
		int32_t errnum = EIO;
		/* the init's errno, then its message */
		buf[got] = '\0';
		if (got > sizeof errnum)
			memcpy(&errnum, buf, sizeof errnum);
		error_set(err, errnum, "%s",
			  got > sizeof errnum ? buf + sizeof errnum : "the container init failed");
		goto out;
	}
	fault_point("start.running");
	container_state_hooks(c.rec, HOOK_POSTSTART, "running");
	r = 0;
out:
	container_close(&c);
	return r;
}

int container_state_json(const char *root, const char *id, char **ret_json, struct error *err)
{
	struct opened_container c;

	if (container_open(root, id, false, &c, err) < 0)
		return -1;
	*ret_json =
	    state_oci_json(c.rec, status_name(c.status), c.status == STATUS_STOPPED ? 0 : c.rec->pid, true);
	container_close(&c);
	return 0;
}

/* The processes of a container without a cgroup (rootless, --cgroup-manager disabled): those in the
 * init's PID namespace when it has its own, else the init alone. */
static void pidns_members(const struct state_record *rec, pid_t **ret, size_t *ret_n)
{
	char path[64];
	struct stat init_ns, st;
	cleanup_dir DIR *d = NULL;
	struct dirent *e;
	pid_t *pids = NULL;
	size_t n = 0;

	snprintf(path, sizeof path, "/proc/%d/ns/pid", rec->pid);
	if (!rec->own_pidns || stat(path, &init_ns) < 0 || (d = opendir("/proc")) == NULL) {
		pids = xmalloc(sizeof(pid_t));
		pids[n++] = rec->pid;
		goto out;
	}
	while ((e = readdir(d)) != NULL) {
		int64_t v;
		if (parse_i64(e->d_name, &v) < 0 || v <= 0)
			continue;
		snprintf(path, sizeof path, "/proc/%d/ns/pid", (int)v);
		if (stat(path, &st) == 0 && st.st_ino == init_ns.st_ino && st.st_dev == init_ns.st_dev) {
			pids = xrealloc(pids, (n + 1) * sizeof(*pids));
			pids[n++] = (pid_t)v;
		}
	}
out:
	*ret = pids;
	*ret_n = n;
}

/* kill --all without a cgroup: through a pidfd each, checked to be in the namespace after it was
 * opened, so a pid reused since the scan is never signalled */
static int signal_pidns(const struct state_record *rec, int sig, struct error *err)
{
	cleanup_free pid_t *pids = NULL;
	size_t n;
	char path[64];
	struct stat init_ns, st;

	snprintf(path, sizeof path, "/proc/%d/ns/pid", rec->pid);
	if (stat(path, &init_ns) < 0)
		return error_set(err, ESRCH, "cannot signal '%s': " NOT_RUNNING, rec->id);
	pidns_members(rec, &pids, &n);
	for (size_t i = 0; i < n; i++) {
		cleanup_close int pidfd = (int)syscall(SYS_pidfd_open, pids[i], 0);
		snprintf(path, sizeof path, "/proc/%d/ns/pid", pids[i]);
		if (pidfd < 0 || stat(path, &st) < 0 || st.st_ino != init_ns.st_ino)
			continue;
		if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0 && errno != ESRCH)
			return error_sys(err, errno, "signal %d to process %d", sig, pids[i]);
	}
	return 0;
}

/* kill --all: every process, with runc's answers. A stopped container is not an error (containerd
 * sends "kill --all ID 9" to a pod's containers after they exit), and a paused one is thawed after
 * the signal is sent, as runc's signalAllProcesses does, so the signal is delivered. */
static int kill_all(struct opened_container *c, int sig, struct error *err)
{
	int r;

	if (c->status == STATUS_STOPPED) {
		/* only stragglers of a shared PID namespace can remain; the init is gone either way */
		if (c->rec->cgroup_path) {
			struct error e = { 0 };
			cgroup_signal_all(c->rec->cgroup_path, sig, &e);
			error_clear(&e);
		}
		return 0;
	}
	r = c->rec->cgroup_path ? cgroup_signal_all(c->rec->cgroup_path, sig, err)
				: signal_pidns(c->rec, sig, err);
	if (c->status == STATUS_PAUSED && c->rec->cgroup_path) {
		struct error e = { 0 };
		if (cgroup_freeze(c->rec->cgroup_path, false, &e) < 0)
			log_warn("%s, ignoring", e.msg);
		error_clear(&e);
	}
	return r;
}

int container_kill(const char *root, const char *id, int sig, bool all, struct error *err)
{
	struct opened_container c;
	int r = -1;

	if (container_open(root, id, false, &c, err) < 0)
		return -1;
	if (all) {
		r = kill_all(&c, sig, err);
		goto out;
	}
	if (c.status == STATUS_STOPPED) {
		error_set(err, ESRCH, "cannot signal '%s': " NOT_RUNNING, id);
		goto out;
	}
	{
		cleanup_close int pidfd = -1;
		if (container_init_pidfd(c.rec, &pidfd, err) < 0) {
			error_wrap(err, "check the init of container '%s'", id);
			goto out;
		}
		if (pidfd < 0) {
			error_set(err, ESRCH, "cannot signal '%s': " NOT_RUNNING, id);
			goto out;
		}
		log_debug("pidfd_send_signal(%d, %d)", c.rec->pid, sig);
		if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0) {
			error_sys(err, errno, "signal %d to container '%s'", sig, id);
			goto out;
		}
	}
	/* a frozen task never acts on SIGKILL: thaw, as runc does, or "ctr task rm -f" and a pod's stop
	 * wait forever on a paused container. Other signals stay pending until resume, as in runc. */
	if (sig == SIGKILL && c.status == STATUS_PAUSED && c.rec->cgroup_path) {
		struct error e = { 0 };
		if (cgroup_freeze(c.rec->cgroup_path, false, &e) < 0)
			log_warn("%s, ignoring", e.msg);
		error_clear(&e);
	}
	r = 0;
out:
	container_close(&c);
	return r;
}

int container_pause(const char *root, const char *id, bool pause, struct error *err)
{
	struct opened_container c;
	int r = -1;

	if (container_open(root, id, true, &c, err) < 0)
		return -1;
	if (c.rec->cgroup_path == NULL)
		error_set(err, ENOTSUP,
			  "container '%s' has no cgroup (cgroups disabled, or rootless without a delegated "
			  "one): it cannot be %s",
			  id, pause ? "paused" : "resumed");
	else if (pause && c.status != STATUS_RUNNING && c.status != STATUS_CREATED)
		error_set(err, EINVAL, "cannot pause container '%s': it is %s", id, status_name(c.status));
	else if (!pause && c.status != STATUS_PAUSED)
		error_set(err, EINVAL, "cannot resume container '%s': it is %s, not paused", id,
			  status_name(c.status));
	else
		r = cgroup_freeze(c.rec->cgroup_path, pause, err);
	container_close(&c);
	return r;
}

/* checkBeforeUpdate: refuse a memory limit below what the container already uses (on v2 the kernel
 * would OOM-kill instead of refusing, as v1 does). */
static int check_memory_usage(const char *path, const struct spec_resources *r, struct error *err)
{
	const struct cgroup_hierarchy *h = cgroup_find("memory");
	cleanup_free char *file = NULL, *data = NULL;
	uint64_t usage;

	if (!r->has_memory || !r->memory.check_before_update || !r->memory.has_limit || r->memory.limit < 0)
		return 0;
	file = h ? xasprintf("%s%s/memory.usage_in_bytes", h->mountpoint, path)
		 : xasprintf("%s%s/memory.current", cgroup_find(NULL) ? cgroup_find(NULL)->mountpoint : "",
			     path);
	if (read_file_at(AT_FDCWD, file, 64, &data, NULL, err) < 0)
		return -1;
	data[strcspn(data, "\n")] = '\0';
	if (parse_u64(data, &usage) == 0 && (uint64_t)r->memory.limit < usage)
		return error_set(err, EINVAL,
				 "memory limit %lld is below the current usage %llu (checkBeforeUpdate)",
				 (long long)r->memory.limit, (unsigned long long)usage);
	return 0;
}

int container_update(const char *root, const char *id, const struct spec_resources *r, struct error *err)
{
	struct opened_container c;
	int ret = -1;

	if (container_open(root, id, true, &c, err) < 0)
		return -1;
	if (c.status == STATUS_STOPPED)
		error_set(err, EINVAL, "cannot update container '%s': it is stopped", id);
	else if (c.rec->cgroup_path == NULL)
		error_set(err, ENOTSUP,
			  "container '%s' has no cgroup (cgroups disabled, or rootless without a delegated "
			  "one): nothing to update",
			  id);
	else if (cgroup_check_resources(r, err) == 0 && check_memory_usage(c.rec->cgroup_path, r, err) == 0 &&
		 /* systemd first, so a later re-apply by systemd (daemon-reload) keeps the new values */
		 (c.rec->systemd_unit == NULL || systemd_set(c.rec->systemd_unit, r, err) == 0))
		ret = cgroup_apply_resources(c.rec->cgroup_path, r, err) < 0
			  ? -1
			  : cgroup_devices(c.rec->cgroup_path, r, err);
	container_close(&c);
	return ret;
}

static int info_cmp(const void *a, const void *b)
{
	return strcmp(((const struct container_info *)a)->id, ((const struct container_info *)b)->id);
}

int container_list(const char *root, struct container_info **ret, size_t *ret_n, struct error *err)
{
	cleanup_dir DIR *d = opendir(root);
	struct dirent *e;
	struct container_info *v = NULL;
	size_t n = 0;

	if (d == NULL) {
		if (errno == ENOENT) {
			*ret = NULL;
			*ret_n = 0;
			return 0;
		}
		return error_sys(err, errno, "open state root '%s'", root);
	}
	while ((e = readdir(d)) != NULL) {
		struct opened_container c;
		struct error e2 = { 0 };
		if (e->d_name[0] == '.' || state_validate_id(e->d_name, &e2) < 0) {
			error_clear(&e2);
			continue;
		}
		if (container_open(root, e->d_name, false, &c, &e2) < 0) {
			log_warn("%s, ignoring", e2.msg);
			error_clear(&e2);
			continue;
		}
		v = xrealloc(v, (n + 1) * sizeof(*v));
		v[n++] = (struct container_info){ .id = xstrdup(c.rec->id),
						  .pid = c.status == STATUS_STOPPED ? 0 : c.rec->pid,
						  .status = c.status,
						  .bundle = xstrdup(c.rec->bundle),
						  .created = xstrdup(c.rec->created),
						  .owner = xstrdup(c.rec->owner ? c.rec->owner : ""),
						  .state_json = state_oci_json(
						      c.rec, status_name(c.status),
						      c.status == STATUS_STOPPED ? 0 : c.rec->pid, false) };
		container_close(&c);
	}
	/* by id, as runc (it reads the root with ReadDir, which sorts) */
	if (n > 1)
		qsort(v, n, sizeof(*v), info_cmp);
	*ret = v;
	*ret_n = n;
	return 0;
}

void container_info_free(struct container_info *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].id);
		free(v[i].bundle);
		free(v[i].created);
		free(v[i].owner);
		free(v[i].state_json);
	}
	free(v);
}

int container_pids(const char *root, const char *id, pid_t **ret, size_t *ret_n, struct error *err)
{
	struct opened_container c;
	int r = 0;

	if (container_open(root, id, false, &c, err) < 0)
		return -1;
	if (c.status == STATUS_STOPPED) {
		*ret = NULL;
		*ret_n = 0;
	} else if (c.rec->cgroup_path) {
		r = cgroup_pids(c.rec->cgroup_path, ret, ret_n, err);
	} else {
		pidns_members(c.rec, ret, ret_n);
	}
	container_close(&c);
	return r;
}

int signal_parse(const char *s, int *ret)
{
	int64_t n;

	if (parse_i64(s, &n) == 0) {
		/* 0 is a liveness probe (kill(2) checks only that the target exists), accepted as by runc */
		if (n < 0 || n > SIGRTMAX)
			return -1;
		*ret = (int)n;
		return 0;
	}
	/* names in any case, with or without SIG, as runc's parseSignal (strings.ToUpper) */
	char up[32];
	size_t i;
	for (i = 0; s[i] && i < sizeof up - 1; i++)
		up[i] = (char)toupper((unsigned char)s[i]);
	up[i] = '\0';
	s = up;
	if (strncmp(s, "SIG", 3) == 0)
		s += 3;
	for (int sig = 1; sig < NSIG; sig++) {
		const char *abbrev = sigabbrev_np(sig);
		if (abbrev && strcmp(abbrev, s) == 0) {
			*ret = sig;
			return 0;
		}
	}
	if (strncmp(s, "RTMIN", 5) == 0 || strncmp(s, "RTMAX", 5) == 0) {
		int64_t off = 0;
		if (s[5] && (s[5] != '+' && s[5] != '-'))
			return -1;
		if (s[5] && parse_i64(s + 6, &off) < 0)
			return -1;
		int sig = s[3] == 'I' ? SIGRTMIN + (s[5] == '-' ? -(int)off : (int)off)
				      : SIGRTMAX + (s[5] == '-' ? -(int)off : (int)off);
		if (sig < SIGRTMIN || sig > SIGRTMAX)
			return -1;
		*ret = sig;
		return 0;
	}
	return -1;
}

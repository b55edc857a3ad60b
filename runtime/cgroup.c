/* A container's cgroup directories in the host's hierarchies: create, enter, list, signal, freeze,
 * destroy. The layout (which hierarchies exist, path resolution) is cgroup-layout.c's; resource limits
 * are planned by cgroup-plan.c and written by cgroup-apply.c. */
#define _GNU_SOURCE
#include "cgroup.h"

#include "cgroup-plan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "narrate.h"
#include "base/util.h"

/* v1 cpuset: a new cgroup starts with empty cpus/mems and refuses tasks until they are copied. */
static void cpuset_inherit(const char *dir)
{
	static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		cleanup_free char *parent = xasprintf("%s/../%s", dir, files[i]);
		cleanup_free char *mine = xasprintf("%s/%s", dir, files[i]);
		cleanup_free char *val = NULL;
		struct error e = { 0 };

		if (read_file_at(AT_FDCWD, mine, 4096, &val, NULL, &e) == 0 && val[0] != '\n' &&
		    val[0] != '\0')
			continue;
		free(val);
		val = NULL;
		if (read_file_at(AT_FDCWD, parent, 4096, &val, NULL, &e) == 0)
			write_file_at(AT_FDCWD, mine, val, strlen(val), &e);
		error_clear(&e);
	}
}

/* The refusal of a default cgroup that exists already (cgroup_check_existing, cgroup_create). */
static int refuse_existing_default(const char *path, const char *dir, struct error *err)
{
	return error_set(err, EEXIST,
			 "config.json: .linux.cgroupsPath is not set and its default cgroup '%s' exists "
			 "already ('%s'): husk joins only a default cgroup it made (set .linux.cgroupsPath "
			 "to run in an existing one)",
			 path, dir);
}

static int mkdir_cgroup(const struct cgroup_hierarchy *h, const char *path, bool fresh, bool *ret_created,
			struct error *err)
{
	cleanup_free char *full = xasprintf("%s%s", h->mountpoint, path);
	bool cpuset = !h->v2 && strstr(h->controllers, "cpuset") != NULL;
	int retries = 3;

again:
	for (char *p = full + strlen(h->mountpoint) + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		if (mkdir(full, 0755) == 0) {
			log_debug("mkdir(\"%s\", 0755)", full);
			if (saved == '\0')
				*ret_created = true;
			if (cpuset)
				cpuset_inherit(full);
		} else if (errno == EEXIST && fresh && saved == '\0') {
			/* made by someone else since cgroup_check_existing: not ours to join */
			return refuse_existing_default(path, full, err);
		} else if (errno == EEXIST && cpuset) {
			/* a concurrent create may have made this parent and not yet copied its cpus and
			 * mems: fill them now (a no-op when set), or our child copies empty values and
			 * refuses every task (ENOSPC) */
			cpuset_inherit(full);
		} else if (errno == ENOENT && retries-- > 0) {
			/* a concurrent delete removed an empty parent between our two mkdirs (an older
			 * husk's /husk, see cgroup_destroy_some) */
			*p = saved;
			goto again;
		} else if (errno != EEXIST) {
			return error_sys(err, errno, "create cgroup '%s'", full);
		}
		*p = saved;
		if (saved == '\0')
			break;
	}
	return 0;
}

/* Pure v2: enable every controller the tree has for the container's cgroup, as runc does, so that
 * stats, update and limits set later find their files. Best effort: an ancestor that holds processes
 * (a relative cgroupsPath under a service's cgroup) refuses, and a controller the config needs is
 * enabled again, with errors, when its limits are written. */
static void v2_enable_all(const struct cgroup_layout *layout, const char *path)
{
	unsigned long mask = cgroup_v2_mask();
	struct error e = { 0 };

	if (layout->mode != CGROUP_MODE_V2 || cgroup_v2_enable(path, mask, &e) == 0)
		return;
	error_clear(&e);
	for (int c = 0; c < CG_CONTROLLER_COUNT; c++) {
		if ((mask & (1UL << c)) && cgroup_v2_enable(path, 1UL << c, &e) < 0)
			log_debug("%s", e.msg);
		error_clear(&e);
	}
}

unsigned long cgroup_v2_bits(void)
{
	struct error e = { 0 };
	const struct cgroup_layout *layout = cgroup_layout(&e);
	unsigned long bits = 0;

	error_clear(&e);
	for (size_t i = 0; layout && i < layout->n; i++)
		if (layout->h[i].v2)
			bits |= 1UL << i;
	return bits;
}

int cgroup_create(const char *path, bool fresh, unsigned long which, unsigned long *ret_created,
		  struct error *err)
{
	const struct cgroup_layout *layout;
	unsigned long mine = 0;

	if ((layout = cgroup_layout(err)) == NULL)
		return -1;
	for (size_t i = 0; i < layout->n; i++) {
		bool created = false;
		if (!(which & (1UL << i)))
			continue;
		if (mkdir_cgroup(&layout->h[i], path, fresh, &created, err) < 0) {
			/* the empty directories this call made go at once, so the rollback (which kills
			 * what the cgroup holds) never looks at the one that was there before */
			for (size_t j = 0; fresh && j < i; j++) {
				cleanup_free char *dir = xasprintf("%s%s", layout->h[j].mountpoint, path);
				if ((mine & (1UL << j)) && rmdir(dir) < 0)
					log_warn("remove cgroup '%s': %s, ignoring", dir, strerror(errno));
			}
			if (fresh)
				*ret_created &= ~mine;
			return -1;
		}
		if (created) {
			mine |= 1UL << i;
			*ret_created |= 1UL << i;
		}
	}
	v2_enable_all(layout, path);
	return 0;
}

int cgroup_enter(const char *path, pid_t pid, struct error *err)
{
	char buf[32];
	int len = snprintf(buf, sizeof buf, "%d", pid);
	const struct cgroup_layout *layout;

	if ((layout = cgroup_layout(err)) == NULL)
		return -1;
	for (size_t i = 0; i < layout->n; i++) {
		cleanup_free char *procs = xasprintf("%s%s/cgroup.procs", layout->h[i].mountpoint, path);
		say_write(procs, buf, (size_t)len);
		if (write_file_at(AT_FDCWD, procs, buf, (size_t)len, err) < 0)
			return error_wrap(err, "join cgroup");
	}
	return 0;
}

/* A v2 cgroup directory for clone3's CLONE_INTO_CGROUP, or -1 (who, "init" or "process", then joins
 * through cgroup.procs). O_RDONLY, not O_PATH: older kernels take the clone3 cgroup fd with fdget, which
 * refuses an O_PATH descriptor. */
static int open_clone_dir(const char *dir, const char *who)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		log_debug("open(\"%s\"): %s: the %s joins through cgroup.procs", dir, strerror(errno), who);
	else
		log_debug("open(\"%s\", O_DIRECTORY) = %d: the %s is cloned into it", dir, fd, who);
	return fd;
}

int cgroup_open_v2_dir(const char *path, unsigned long created, bool *ret_all)
{
	struct error e = { 0 };
	const struct cgroup_layout *layout = cgroup_layout(&e);

	*ret_all = false;
	if (layout == NULL) {
		error_clear(&e);
		return -1;
	}
	for (size_t i = 0; i < layout->n; i++) {
		if (!layout->h[i].v2 || !(created & (1UL << i)))
			continue;
		cleanup_free char *dir = xasprintf("%s%s", layout->h[i].mountpoint, path);
		int fd = open_clone_dir(dir, "init");

		*ret_all = fd >= 0 && layout->n == 1;
		return fd;
	}
	return -1;
}

/* The k-th hierarchy in the order cgroup_open_procs opens them. */
static size_t procs_order(const struct cgroup_layout *layout, size_t k)
{
	const struct cgroup_hierarchy *fz = cgroup_find("freezer");

	return fz == NULL		       ? k
	       : k == layout->n - 1	       ? (size_t)(fz - layout->h)
	       : k >= (size_t)(fz - layout->h) ? k + 1
					       : k;
}

/* Whether exec --cgroup's controller list ("cpu,memory", NULL: every hierarchy) names hierarchy h: a v1
 * hierarchy holding one of them, or the v2 tree when one of them is a controller it has. */
static bool sub_applies(const struct cgroup_hierarchy *h, const char *ctrls, size_t len)
{
	cleanup_free char *list = ctrls ? xasprintf("%.*s", (int)len, ctrls) : NULL;

	if (list == NULL)
		return true;
	for (char *s = list, *c; (c = strsep(&s, ",")) != NULL;) {
		const struct cgroup_hierarchy *found = *c ? cgroup_find(c) : NULL;
		if (found == h)
			return true;
		if (h->v2 && *c && found == NULL) {
			cleanup_free char *file = xasprintf("%s/cgroup.controllers", h->mountpoint),
					  *data = NULL;
			struct error e = { 0 };
			size_t n = strlen(c);
			if (read_file_at(AT_FDCWD, file, 4096, &data, NULL, &e) == 0)
				for (char *p = strstr(data, c); p; p = strstr(p + 1, c))
					if ((p == data || p[-1] == ' ') &&
					    (p[n] == ' ' || p[n] == '\n' || !p[n]))
						return true;
			error_clear(&e);
		}
	}
	return false;
}

int cgroup_open_procs(const char *path, const char *sub, unsigned long which, int *fds, size_t max,
		      size_t *ret_n, char **ret_names, struct error *err)
{
	size_t n = 0, n_v2 = 0;
	const char *colon = sub ? strchr(sub, ':') : NULL, *subpath = colon ? colon + 1 : sub;
	const struct cgroup_layout *layout;

	if ((layout = cgroup_layout(err)) == NULL)
		return -1;
	if (sub) {
		/* runc's [CONTROLLER[,CONTROLLER]:]PATH, a cgroup below the container's: never above it */
		while (*subpath == '/')
			subpath++;
		for (const char *p = subpath; (p = strstr(p, "..")) != NULL; p += 2)
			if ((p == subpath || p[-1] == '/') && (p[2] == '\0' || p[2] == '/'))
				return error_set(err, EINVAL, "exec --cgroup '%s': '..' is not allowed", sub);
		if (*subpath == '\0')
			return error_set(err, EINVAL, "exec --cgroup '%s': expected [CONTROLLER:]PATH", sub);
	}
	/* a host with more hierarchies than the caller has room for is refused, never joined in part
	 * (the freezer, opened last, would be the one left out) */
	size_t wanted = 0;
	for (size_t i = 0; i < layout->n; i++)
		wanted += (which & (1UL << i)) != 0;
	if (wanted > max)
		return error_set(err, E2BIG, "%zu cgroup hierarchies, husk joins at most %zu", wanted, max);
	/* the freezer's hierarchy last: a process joining a frozen cgroup stops there, and it must
	 * already be in every other hierarchy (pids, memory...) when it does */
	for (size_t k = 0; k < layout->n; k++) {
		size_t i = procs_order(layout, k);
		if (!(which & (1UL << i)))
			continue;
		bool in_sub =
		    sub && sub_applies(&layout->h[i], colon ? sub : NULL, colon ? (size_t)(colon - sub) : 0);
		/* v1: "0" written to tasks moves the writer's own thread, which the kernel does without
		 * the global cgroup_threadgroup_rwsem; cgroup.procs (a whole process) takes it for write,
		 * and that waits for an RCU grace period (10-14 ms measured). The writer is always a
		 * single-threaded process about to exec, so its one thread is the whole process. v2 has
		 * no such file for a process (cgroup.threads moves threads only inside a domain). */
		const char *file = layout->h[i].v2 ? "cgroup.procs" : "tasks";
		cleanup_free char *procs =
		    in_sub ? xasprintf("%s%s/%s/%s", layout->h[i].mountpoint, path, subpath, file)
			   : xasprintf("%s%s/%s", layout->h[i].mountpoint, path, file);
		fds[n] = open(procs, O_WRONLY | O_CLOEXEC);
		if (fds[n] < 0) {
			int e = errno;
			while (n > 0)
				close(fds[--n]);
			if (in_sub && e == ENOENT)
				return error_set(
				    err, ENOENT,
				    "exec --cgroup '%s': the sub-cgroup '%s/%s' does not exist in %s", sub,
				    path, subpath, layout->h[i].mountpoint);
			return error_sys(err, e, "open '%s'", procs);
		}
		n++;
		n_v2 += layout->h[i].v2;
		if (ret_names) {
			char *names = xasprintf("%s%s\n", *ret_names ? *ret_names : "", procs);
			free(*ret_names);
			*ret_names = names;
		}
	}
	log_debug("open, for a join by \"0\": tasks in %zu v1 hierarchies%s of %s%s%s", n - n_v2,
		  n_v2 ? " and cgroup.procs in the v2 tree" : "", path, sub ? ", exec --cgroup " : "",
		  sub ? sub : "");
	*ret_n = n;
	return 0;
}

int cgroup_join_self(int *fds, size_t n, const char *names, size_t skip, struct error *err)
{
	const char *name = names;
	int r = 0;

	for (size_t i = 0; i < n; i++) {
		const char *nl = name ? strchr(name, '\n') : NULL;
		/* "0" moves the writer itself, whatever pid namespace it is in: in a v1 hierarchy through
		 * tasks, its one thread, without the lock a cgroup.procs write takes (cgroup_open_procs) */
		if (r == 0 && i != skip && write_all(fds[i], "0", 1) < 0)
			r = error_sys(err, errno, "join cgroup: write '0' to '%.*s'",
				      nl ? (int)(nl - name) : 1, nl ? name : "?");
		close(fds[i]);
		fds[i] = -1;
		name = nl ? nl + 1 : NULL;
	}
	return r;
}

/* The hierarchy whose cgroup.procs lists every process of the container. */
static const struct cgroup_hierarchy *tracking_hierarchy(const struct cgroup_layout *layout)
{
	const struct cgroup_hierarchy *h = cgroup_find("pids");

	if (h == NULL)
		h = cgroup_find("freezer");
	if (h == NULL)
		h = cgroup_find(NULL);
	if (h == NULL && layout->n)
		h = &layout->h[0];
	return h;
}

/* Append the pids of dir's cgroup.procs and of every cgroup below it (runc's GetAllPids: a process the
 * container moved into a sub-cgroup is still the container's). */
static int pids_below(const char *dir, int depth, pid_t **pids, size_t *n, struct error *err)
{
	cleanup_free char *procs = xasprintf("%s/cgroup.procs", dir), *data = NULL;
	cleanup_dir DIR *d = NULL;
	struct dirent *de;

	if (read_file_at(AT_FDCWD, procs, 16 << 20, &data, NULL, err) < 0) {
		if (err->errnum != ENOENT && err->errnum != ENODEV)
			return -1;
		error_clear(err); /* removed while we looked */
		return 0;
	}
	for (char *p = data, *tok; (tok = strsep(&p, "\n")) != NULL;) {
		int64_t v;
		if (parse_i64(tok, &v) < 0 || v <= 0)
			continue;
		*pids = xrealloc(*pids, (*n + 1) * sizeof(**pids));
		(*pids)[(*n)++] = (pid_t)v;
	}
	if (depth >= 32 || (d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		cleanup_free char *sub = xasprintf("%s/%s", dir, de->d_name);
		if (pids_below(sub, depth + 1, pids, n, err) < 0)
			return -1;
	}
	return 0;
}

int cgroup_pids(const char *path, pid_t **ret, size_t *ret_n, struct error *err)
{
	const struct cgroup_hierarchy *h;
	cleanup_free char *dir = NULL;
	const struct cgroup_layout *layout;
	pid_t *pids = NULL;
	size_t n = 0;

	if ((layout = cgroup_layout(err)) == NULL)
		return -1;
	h = tracking_hierarchy(layout);
	if (h == NULL)
		return error_set(err, ENOENT, "no cgroup hierarchy to list processes from");
	dir = xasprintf("%s%s", h->mountpoint, path);
	if (pids_below(dir, 0, &pids, &n, err) < 0) {
		free(pids);
		return -1;
	}
	*ret = pids;
	*ret_n = n;
	return 0;
}

/* rmdir dir after every cgroup below it, deepest first (a cgroup with children cannot be removed). */
static int rmdir_tree(const char *dir, int depth)
{
	cleanup_dir DIR *d = NULL;
	struct dirent *de;

	/* the common case, no cgroup below: one rmdir, no listing (issue 18) */
	if (rmdir(dir) == 0)
		return 0;
	if (errno != EBUSY && errno != ENOTEMPTY)
		return -1;
	d = depth < 32 ? opendir(dir) : NULL;
	while (d && (de = readdir(d)) != NULL) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		cleanup_free char *sub = xasprintf("%s/%s", dir, de->d_name);
		rmdir_tree(sub, depth + 1);
	}
	return rmdir(dir);
}

int cgroup_signal_all(const char *path, int sig, struct error *err)
{
	cleanup_free pid_t *pids = NULL;
	size_t n;
	const struct cgroup_hierarchy *v2 = cgroup_find(NULL);

	/* cgroup.kill (v2, Linux 5.14) kills every member atomically, forks in flight included; only on a
	 * host where the v2 tree tracks the container's processes (not hybrid, where v1 does). A v2 tree
	 * found means the layout is loaded: cgroup_layout cannot fail here */
	if (sig == SIGKILL && v2 && cgroup_layout(err)->mode == CGROUP_MODE_V2) {
		cleanup_free char *kill_file = xasprintf("%s%s/cgroup.kill", v2->mountpoint, path);
		if (access(kill_file, F_OK) == 0) {
			log_debug("write %s \"1\"", kill_file);
			return write_file_at(AT_FDCWD, kill_file, "1", 1, err);
		}
	}

	if (cgroup_pids(path, &pids, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (kill(pids[i], sig) < 0 && errno != ESRCH)
			return error_sys(err, errno, "signal %d to pid %d", sig, pids[i]);
	return 0;
}

int cgroup_destroy(const char *path, struct error *err)
{
	return cgroup_destroy_some(path, ~0UL, err);
}

int cgroup_destroy_some(const char *path, unsigned long which, struct error *err)
{
	const struct cgroup_layout *layout;

	if ((layout = cgroup_layout(err)) == NULL)
		return -1;
	/* a frozen cgroup cannot deliver SIGKILL: thaw first so delete --force of a paused container works */
	const struct cgroup_hierarchy *fz = cgroup_find("freezer");
	if (fz) {
		cleanup_free char *state = xasprintf("%s%s/freezer.state", fz->mountpoint, path);
		struct error e = { 0 };
		write_file_at(AT_FDCWD, state, "THAWED", 6, &e);
		error_clear(&e);
	}
	for (int attempt = 0; attempt < 500; attempt++) {
		size_t left = 0;
		cleanup_free pid_t *pids = NULL;
		size_t n = 0;

		if (cgroup_pids(path, &pids, &n, err) < 0)
			return -1;
		for (size_t i = 0; i < n; i++)
			kill(pids[i], SIGKILL);
		for (size_t i = layout->n; i-- > 0;) {
			if (!(which & (1UL << i)))
				continue;
			cleanup_free char *dir = xasprintf("%s%s", layout->h[i].mountpoint, path);
			if (rmdir_tree(dir, 0) < 0 && errno != ENOENT) {
				if (errno != EBUSY)
					return error_sys(err, errno, "remove cgroup '%s'", dir);
				left++;
			}
		}
		if (left == 0) {
			/* an older husk made its default cgroups under a parent /husk and removed it
			 * with the last one: a container it made and recorded there is still deleted
			 * the same way (rmdir fails harmlessly while others remain) */
			if (strncmp(path, "/husk/", 6) == 0 && strchr(path + 6, '/') == NULL)
				for (size_t i = 0; i < layout->n; i++) {
					cleanup_free char *dir =
					    xasprintf("%s/husk", layout->h[i].mountpoint);
					rmdir(dir);
				}
			return 0;
		}
		struct timespec ts = { 0, 2 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	return error_set(err, EBUSY, "remove cgroup '%s': processes did not exit within 1 s", path);
}

uint64_t cgroup_oom_kills(const char *path)
{
	const struct cgroup_hierarchy *h = cgroup_find("memory");
	cleanup_free char *file = NULL, *data = NULL;
	struct error e = { 0 };
	uint64_t n = 0;
	char *p;

	if (h == NULL && (h = cgroup_find(NULL)) == NULL)
		return 0;
	file = xasprintf("%s%s/%s", h->mountpoint, path, h->v2 ? "memory.events" : "memory.oom_control");
	if (read_file_at(AT_FDCWD, file, 4096, &data, NULL, &e) < 0) {
		error_clear(&e);
		return 0;
	}
	for (p = strstr(data, "oom_kill "); p; p = strstr(p + 1, "oom_kill "))
		if (p == data || p[-1] == '\n')
			n = strtoull(p + 9, NULL, 10);
	return n;
}

bool cgroup_is_frozen(const char *path)
{
	const struct cgroup_hierarchy *h = cgroup_find("freezer");
	cleanup_free char *file = NULL, *data = NULL;
	struct error e = { 0 };

	if (h) {
		file = xasprintf("%s%s/freezer.state", h->mountpoint, path);
		if (read_file_at(AT_FDCWD, file, 64, &data, NULL, &e) == 0)
			return strncmp(data, "FROZEN", 6) == 0 || strncmp(data, "FREEZING", 8) == 0;
	} else if ((h = cgroup_find(NULL)) != NULL) {
		file = xasprintf("%s%s/cgroup.freeze", h->mountpoint, path);
		if (read_file_at(AT_FDCWD, file, 64, &data, NULL, &e) == 0)
			return data[0] == '1';
	}
	error_clear(&e);
	return false;
}

int cgroup_refuse_frozen(const char *path, unsigned long which, struct error *err)
{
	struct error e = { 0 };
	const struct cgroup_layout *layout = cgroup_layout(&e);
	const struct cgroup_hierarchy *fz = cgroup_find("freezer"), *v2 = cgroup_find(NULL);
	cleanup_free char *state = NULL, *events = NULL, *data = NULL, *ev = NULL;
	const char *p;

	error_clear(&e);
	/* directly under the root (the default /<id>): no ancestor but the root, which cannot be frozen,
	 * and the cgroup's own state was checked before it was joined (cgroup_check_existing) */
	if (layout == NULL || strchr(path + 1, '/') == NULL)
		return 0;
	if (fz && (which & (1UL << (fz - layout->h))))
		state = xasprintf("%s%s/freezer.state", fz->mountpoint, path);
	if (v2 && (which & (1UL << (v2 - layout->h))))
		events = xasprintf("%s%s/cgroup.events", v2->mountpoint, path);

	/* the effective states: v1's freezer.state reads FROZEN under a frozen ancestor, v2's
	 * cgroup.events says "frozen 1" (cgroup.freeze is the cgroup's own wish only) */
	if (state && read_file_at(AT_FDCWD, state, 64, &data, NULL, &e) == 0 &&
	    (strncmp(data, "FROZEN", 6) == 0 || strncmp(data, "FREEZING", 8) == 0)) {
		data[strcspn(data, "\n")] = '\0';
		return error_set(
		    err, EBUSY,
		    "container's cgroup is frozen ('%s' reads %s: a parent cgroup is frozen; thaw "
		    "it, or use another linux.cgroupsPath)",
		    state, data);
	}
	error_clear(&e);
	if (events && read_file_at(AT_FDCWD, events, 4096, &ev, NULL, &e) == 0 &&
	    (p = strstr(ev, "frozen 1")) != NULL && (p == ev || p[-1] == '\n'))
		return error_set(
		    err, EBUSY,
		    "container's cgroup is frozen ('%s' says frozen 1: a parent cgroup is frozen; "
		    "thaw it, or use another linux.cgroupsPath)",
		    events);
	error_clear(&e);
	return 0;
}

int cgroup_check_existing(const char *path, bool fresh, struct error *err)
{
	cleanup_free pid_t *pids = NULL;
	size_t n = 0;
	struct error e = { 0 };
	const struct cgroup_layout *layout;

	if ((layout = cgroup_layout(err)) == NULL)
		return -1;
	/* the default path is /<id> at the root of every hierarchy: an id such as "system.slice" would
	 * otherwise join systemd's cgroup of that name, and delete or kill --all kill all it holds */
	for (size_t i = 0; fresh && i < layout->n; i++) {
		cleanup_free char *dir = xasprintf("%s%s", layout->h[i].mountpoint, path);
		if (faccessat(AT_FDCWD, dir, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
			return refuse_existing_default(path, dir, err);
	}
	/* none exists: none can be frozen or hold processes (no reads that can only fail with ENOENT) */
	if (fresh)
		return 0;

	/* a process joining a frozen cgroup stops at once: the init would never report back, and create
	 * would wait forever. runc refuses with these words before it makes anything */
	const struct cgroup_hierarchy *v2 = cgroup_find(NULL);
	cleanup_free char *freeze = v2 ? xasprintf("%s%s/cgroup.freeze", v2->mountpoint, path) : NULL;
	cleanup_free char *data = NULL;
	/* on a hybrid host the v2 tree freezes its members too, whatever the v1 freezer says */
	bool v2_frozen = freeze && read_file_at(AT_FDCWD, freeze, 64, &data, NULL, &e) == 0 && data[0] == '1';

	error_clear(&e);
	if (cgroup_is_frozen(path) || v2_frozen)
		return error_set(
		    err, EBUSY,
		    "container's cgroup unexpectedly frozen (cgroup '%s': thaw it, or use another "
		    "linux.cgroupsPath)",
		    path);
	if (cgroup_pids(path, &pids, &n, &e) == 0 && n > 0) {
		log_warn("container's cgroup is not empty: %zu process(es) found", n);
		log_warn("DEPRECATED: running container in a non-empty cgroup won't be supported in runc 1.2 "
			 "(cgroup '%s')",
			 path);
	}
	error_clear(&e);
	return 0;
}

int cgroup_check_resources(const struct spec_resources *r, struct error *err)
{
	struct cg_plan plan;

	if (cgroup_layout(err) == NULL || cgroup_plan_build(r, cgroup_v2_mask(), &plan, err) < 0)
		return -1;
	for (size_t i = 0; i < plan.n; i++) {
		enum cg_controller c = plan.w[i].controller;
		bool v2 = plan.v2_mask & (1UL << c);
		/* a limit the config asks for must be enforced or refused, never silently dropped */
		if (cgroup_find(v2 ? NULL : cg_controller_name(c, false)) == NULL) {
			error_set(
			    err, ENOTSUP,
			    "linux.resources.%s: the %s cgroup controller is not available on this host",
			    plan.w[i].field, cg_controller_name(c, v2));
			cgroup_plan_free(&plan);
			return -1;
		}
	}
	cgroup_plan_free(&plan);
	return 0;
}

int cgroup_apply_resources(const char *path, const struct spec_resources *r, struct error *err)
{
	struct cg_plan plan;
	unsigned long used_v2 = 0;
	int ret;

	if (cgroup_plan_build(r, cgroup_v2_mask(), &plan, err) < 0)
		return -1;
	for (size_t i = 0; i < plan.n; i++)
		used_v2 |= plan.v2_mask & (1UL << plan.w[i].controller);
	ret = cgroup_v2_enable(path, used_v2, err);
	if (ret == 0)
		ret = cgroup_plan_apply(&plan, path, err);
	cgroup_plan_free(&plan);
	return ret;
}

int cgroup_freeze(const char *path, bool freeze, struct error *err)
{
	const struct cgroup_hierarchy *h = cgroup_find("freezer");
	bool v2 = h == NULL;
	cleanup_free char *file = NULL;

	if (v2 && (h = cgroup_find(NULL)) == NULL)
		return error_set(err, ENOTSUP,
				 "no freezer: neither a v1 freezer hierarchy nor cgroup v2 is mounted");
	file = v2 ? xasprintf("%s%s/cgroup.freeze", h->mountpoint, path)
		  : xasprintf("%s%s/freezer.state", h->mountpoint, path);
	log_debug("write %s \"%s\"", file, v2 ? (freeze ? "1" : "0") : (freeze ? "FROZEN" : "THAWED"));
	if (write_file_at(AT_FDCWD, file, v2 ? (freeze ? "1" : "0") : (freeze ? "FROZEN" : "THAWED"),
			  v2 ? 1 : (freeze ? 6 : 6), err) < 0)
		return error_wrap(err, "%s the container", freeze ? "freeze" : "thaw");
	/* v1 reports FREEZING until every task has stopped; wait (bounded) for the final state */
	for (int i = 0; i < 1000; i++) {
		if (cgroup_is_frozen(path) == freeze) {
			cleanup_free char *data = NULL;
			struct error e = { 0 };
			if (v2 || !freeze ||
			    (read_file_at(AT_FDCWD, file, 64, &data, NULL, &e) == 0 &&
			     strncmp(data, "FROZEN", 6) == 0))
				return 0;
			error_clear(&e);
		}
		struct timespec ts = { 0, 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	return error_set(err, ETIMEDOUT, "%s the container: the kernel did not finish within 1 s",
			 freeze ? "freeze" : "thaw");
}

int cgroup_open_v2_join_dir(const char *path, const char *sub, size_t *ret_index)
{
	const char *colon = sub ? strchr(sub, ':') : NULL, *subpath = colon ? colon + 1 : sub;
	struct error e = { 0 };
	const struct cgroup_layout *layout = cgroup_layout(&e);

	if (layout == NULL) {
		error_clear(&e);
		return -1;
	}
	while (subpath && *subpath == '/')
		subpath++;
	/* cgroup_open_procs refused a bad sub before this is called */
	for (size_t k = 0; k < layout->n; k++) {
		size_t i = procs_order(layout, k);
		if (!layout->h[i].v2)
			continue;
		bool in_sub =
		    sub && sub_applies(&layout->h[i], colon ? sub : NULL, colon ? (size_t)(colon - sub) : 0);
		cleanup_free char *dir = in_sub ? xasprintf("%s%s/%s", layout->h[i].mountpoint, path, subpath)
						: xasprintf("%s%s", layout->h[i].mountpoint, path);
		int fd = open_clone_dir(dir, "process");

		if (fd >= 0)
			*ret_index = k;
		return fd;
	}
	return -1;
}

/* Statistics and OOM notification of a container's cgroup, from whichever hierarchy holds each
 * controller (v1 file names or v2 file names). */
#define _GNU_SOURCE
#include "cgroup-stats.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "cgroup.h"
#include "base/util.h"

static char *dir_of(const char *controller, const char *path, bool *ret_v2)
{
	const struct cgroup_hierarchy *h = cgroup_find(controller);

	*ret_v2 = false;
	if (h == NULL) {
		h = cgroup_find(NULL);
		*ret_v2 = true;
	}
	return h ? xasprintf("%s%s", h->mountpoint, path) : NULL;
}

static char *read_text(const char *dir, const char *file)
{
	cleanup_free char *p = xasprintf("%s/%s", dir, file);
	char *data = NULL;
	struct error e = { 0 };

	if (read_file_at(AT_FDCWD, p, 1 << 20, &data, NULL, &e) < 0) {
		error_clear(&e);
		return NULL;
	}
	return data;
}

/* A single number; "max" reads as UINT64_MAX. Missing files leave *v untouched. */
static void read_u64(const char *dir, const char *file, uint64_t *v)
{
	cleanup_free char *data = read_text(dir, file);

	if (data == NULL)
		return;
	data[strcspn(data, "\n")] = '\0';
	if (strcmp(data, "max") == 0)
		*v = UINT64_MAX;
	else
		parse_u64(data, v);
}

/* "key value" lines: the value of key, or 0. */
static uint64_t kv(const char *text, const char *key)
{
	size_t len = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, key, len) == 0 && (p[len] == ' ' || p[len] == '='))
			return strtoull(p + len + 1, NULL, 10);
	return 0;
}

/* A v1 file of space-separated numbers, one per CPU (cpuacct.usage_percpu and its _sys/_user). */
static void read_list(const char *dir, const char *name, uint64_t **ret, size_t *ret_n)
{
	cleanup_free char *text = read_text(dir, name);

	for (char *p = text, *tok; p && (tok = strsep(&p, " \n")) != NULL;) {
		uint64_t v;
		if (parse_u64(tok, &v) < 0)
			continue;
		*ret = xrealloc(*ret, (*ret_n + 1) * sizeof(uint64_t));
		(*ret)[(*ret_n)++] = v;
	}
}

static void cpu_stats(const char *path, struct container_stats *s)
{
	bool v2;
	cleanup_free char *dir = dir_of("cpuacct", path, &v2), *cpudir = NULL, *stat = NULL;

	if (dir == NULL)
		return;
	s->has_cpu = true;
	if (v2) {
		stat = read_text(dir, "cpu.stat");
		if (stat == NULL)
			return;
		s->cpu_total = kv(stat, "usage_usec") * 1000;
		s->cpu_user = kv(stat, "user_usec") * 1000;
		s->cpu_kernel = kv(stat, "system_usec") * 1000;
		s->periods = kv(stat, "nr_periods");
		s->throttled_periods = kv(stat, "nr_throttled");
		s->throttled_time = kv(stat, "throttled_usec") * 1000;
		return;
	}
	cleanup_free char *acct = read_text(dir, "cpuacct.stat");
	long hz = sysconf(_SC_CLK_TCK);
	read_u64(dir, "cpuacct.usage", &s->cpu_total);
	read_list(dir, "cpuacct.usage_percpu", &s->percpu, &s->n_percpu);
	/* runc's percpu_kernel and percpu_user (it reads cpuacct.usage_all; these hold the same) */
	read_list(dir, "cpuacct.usage_percpu_sys", &s->percpu_kernel, &s->n_percpu_kernel);
	read_list(dir, "cpuacct.usage_percpu_user", &s->percpu_user, &s->n_percpu_user);
	if (acct && hz > 0) {
		s->cpu_user = kv(acct, "user") * (1000000000ull / (uint64_t)hz);
		s->cpu_kernel = kv(acct, "system") * (1000000000ull / (uint64_t)hz);
	}
	cpudir = dir_of("cpu", path, &v2);
	stat = cpudir ? read_text(cpudir, "cpu.stat") : NULL;
	if (stat) {
		s->periods = kv(stat, "nr_periods");
		s->throttled_periods = kv(stat, "nr_throttled");
		s->throttled_time = kv(stat, "throttled_time");
	}
}

static void mem_entry_v1(const char *dir, const char *prefix, struct stats_mem_entry *e)
{
	char f[96];

	snprintf(f, sizeof f, "%s.usage_in_bytes", prefix);
	read_u64(dir, f, &e->usage);
	snprintf(f, sizeof f, "%s.max_usage_in_bytes", prefix);
	read_u64(dir, f, &e->max);
	snprintf(f, sizeof f, "%s.limit_in_bytes", prefix);
	read_u64(dir, f, &e->limit);
	snprintf(f, sizeof f, "%s.failcnt", prefix);
	read_u64(dir, f, &e->failcnt);
}

static void memory_stats(const char *path, struct container_stats *s)
{
	bool v2;
	cleanup_free char *dir = dir_of("memory", path, &v2), *raw = NULL;

	if (dir == NULL)
		return;
	s->has_memory = true;
	if (v2) {
		cleanup_free char *events = read_text(dir, "memory.events");
		read_u64(dir, "memory.current", &s->mem.usage);
		read_u64(dir, "memory.peak", &s->mem.max);
		read_u64(dir, "memory.max", &s->mem.limit);
		s->mem.failcnt = events ? kv(events, "max") : 0;
		read_u64(dir, "memory.swap.current", &s->swap.usage);
		read_u64(dir, "memory.swap.max", &s->swap.limit);
		/* as runc: v1's memsw counts memory plus swap, v2's swap files swap alone; report the v1
		 * meaning so clients see the same numbers on both (swap limit = memory.max + swap.max) */
		s->swap.usage += s->mem.usage;
		if (s->swap.limit != UINT64_MAX)
			s->swap.limit =
			    s->mem.limit == UINT64_MAX ? UINT64_MAX : s->swap.limit + s->mem.limit;
	} else {
		mem_entry_v1(dir, "memory", &s->mem);
		mem_entry_v1(dir, "memory.memsw", &s->swap);
		mem_entry_v1(dir, "memory.kmem", &s->kernel);
		mem_entry_v1(dir, "memory.kmem.tcp", &s->kernel_tcp);
	}
	raw = read_text(dir, "memory.stat");
	for (char *p = raw, *line; p && (line = strsep(&p, "\n")) != NULL;) {
		char *sp = strchr(line, ' ');
		if (sp == NULL)
			continue;
		*sp = '\0';
		struct spec_map *m = &s->mem_raw;
		m->keys = xrealloc(m->keys, (m->n + 1) * sizeof(char *));
		m->values = xrealloc(m->values, (m->n + 1) * sizeof(char *));
		m->keys[m->n] = xstrdup(line);
		m->values[m->n++] = xstrdup(sp + 1);
	}
}

static void add_blkio(struct stats_blkio_entry **v, size_t *n, uint64_t maj, uint64_t min, const char *op,
		      uint64_t val)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[*n] = (struct stats_blkio_entry){ .major = maj, .minor = min, .value = val };
	snprintf((*v)[*n].op, sizeof((*v)[*n].op), "%s", op);
	(*n)++;
}

static void blkio_v1_file(const char *dir, const char *file, struct stats_blkio_entry **v, size_t *n)
{
	cleanup_free char *text = read_text(dir, file);

	for (char *p = text, *line; p && (line = strsep(&p, "\n")) != NULL;) {
		unsigned long long maj, min, val;
		char op[16];
		if (sscanf(line, "%llu:%llu %15s %llu", &maj, &min, op, &val) == 4)
			add_blkio(v, n, maj, min, op, val);
	}
}

static void blkio_stats(const char *path, struct container_stats *s)
{
	bool v2;
	cleanup_free char *dir = dir_of("blkio", path, &v2), *text = NULL;

	if (dir == NULL)
		return;
	if (!v2) {
		blkio_v1_file(dir, "blkio.throttle.io_service_bytes_recursive", &s->io_bytes, &s->n_io_bytes);
		blkio_v1_file(dir, "blkio.throttle.io_serviced_recursive", &s->io_ops, &s->n_io_ops);
		return;
	}
	text = read_text(dir, "io.stat");
	for (char *p = text, *line; p && (line = strsep(&p, "\n")) != NULL;) {
		unsigned long long maj, min;
		if (sscanf(line, "%llu:%llu", &maj, &min) != 2)
			continue;
		add_blkio(&s->io_bytes, &s->n_io_bytes, maj, min, "Read",
			  kv(strchr(line, ' ') + 1, "rbytes"));
		add_blkio(&s->io_bytes, &s->n_io_bytes, maj, min, "Write",
			  kv(strstr(line, "wbytes"), "wbytes"));
		add_blkio(&s->io_ops, &s->n_io_ops, maj, min, "Read", kv(strstr(line, "rios"), "rios"));
		add_blkio(&s->io_ops, &s->n_io_ops, maj, min, "Write", kv(strstr(line, "wios"), "wios"));
	}
}

static void hugetlb_stats(const char *path, struct container_stats *s)
{
	bool v2;
	cleanup_free char *dir = dir_of("hugetlb", path, &v2);
	cleanup_dir DIR *d = opendir("/sys/kernel/mm/hugepages");
	struct dirent *e;

	while (dir && d && (e = readdir(d)) != NULL) {
		unsigned long kb;
		char size[16], f[96];
		struct stats_hugetlb h = { 0 };
		if (sscanf(e->d_name, "hugepages-%lukB", &kb) != 1)
			continue;
		if (kb >= 1024 * 1024)
			snprintf(size, sizeof size, "%uGB", (unsigned)(kb / (1024 * 1024)));
		else if (kb >= 1024)
			snprintf(size, sizeof size, "%uMB", (unsigned)(kb / 1024));
		else
			snprintf(size, sizeof size, "%uKB", (unsigned)kb);
		snprintf(h.page_size, sizeof h.page_size, "%s", size);
		snprintf(f, sizeof f, v2 ? "hugetlb.%s.current" : "hugetlb.%s.usage_in_bytes", size);
		read_u64(dir, f, &h.usage);
		snprintf(f, sizeof f, v2 ? "hugetlb.%s.max" : "hugetlb.%s.limit_in_bytes", size);
		read_u64(dir, f, &h.max);
		if (v2) {
			snprintf(f, sizeof f, "hugetlb.%s.events", size);
			cleanup_free char *ev = read_text(dir, f);
			h.failcnt = ev ? kv(ev, "max") : 0;
		} else {
			snprintf(f, sizeof f, "hugetlb.%s.failcnt", size);
			read_u64(dir, f, &h.failcnt);
		}
		s->hugetlb = xrealloc(s->hugetlb, (s->n_hugetlb + 1) * sizeof(*s->hugetlb));
		s->hugetlb[s->n_hugetlb++] = h;
	}
}

int cgroup_stats(const char *path, struct container_stats *s, struct error *err)
{
	bool v2;
	cleanup_free char *pids = NULL;

	memset(s, 0, sizeof *s);
	if (cgroup_layout(err) == NULL)
		return -1;
	cpu_stats(path, s);
	memory_stats(path, s);
	pids = dir_of("pids", path, &v2);
	if (pids) {
		s->has_pids = true;
		read_u64(pids, "pids.current", &s->pids_current);
		read_u64(pids, "pids.max", &s->pids_limit);
		if (s->pids_limit == UINT64_MAX)
			s->pids_limit = 0;
	}
	blkio_stats(path, s);
	hugetlb_stats(path, s);
	return 0;
}

int cgroup_oom_open(const char *path, struct cgroup_oom *ret, struct error *err)
{
	bool v2;
	cleanup_free char *dir = dir_of("memory", path, &v2);

	ret->fd = -1;
	ret->v2 = v2;
	ret->events = NULL;
	if (dir == NULL)
		return error_set(err, ENOTSUP, "no memory controller: OOM events are not available");
	if (v2) {
		/* memory.events changes (and raises IN_MODIFY) on every oom_kill */
		cleanup_free char *text = read_text(dir, "memory.events");
		ret->events = xasprintf("%s/memory.events", dir);
		ret->last = text ? kv(text, "oom_kill") : 0;
		ret->fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
		if (ret->fd < 0 || inotify_add_watch(ret->fd, ret->events, IN_MODIFY) < 0)
			return error_sys(err, errno, "watch '%s'", ret->events);
		return 0;
	}
	/* v1: an eventfd registered on memory.oom_control through cgroup.event_control */
	cleanup_free char *ctl = xasprintf("%s/memory.oom_control", dir),
			  *evc = xasprintf("%s/cgroup.event_control", dir);
	cleanup_close int oomfd = open(ctl, O_RDONLY | O_CLOEXEC);
	cleanup_free char *text = read_text(dir, "memory.oom_control");
	char buf[64];
	/* the eventfd also fires when the cgroup is removed (delete): the oom_kill count tells a real
	 * OOM from that, as runc checks */
	ret->events = xstrdup(ctl);
	ret->last = text ? kv(text, "oom_kill") : 0;
	ret->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (oomfd < 0 || ret->fd < 0)
		return error_sys(err, errno, "open '%s'", ctl);
	snprintf(buf, sizeof buf, "%d %d", ret->fd, oomfd);
	return write_file_at(AT_FDCWD, evc, buf, strlen(buf), err);
}

int cgroup_oom_read(struct cgroup_oom *o)
{
	char buf[4096];
	cleanup_free char *text = NULL;
	struct error e = { 0 };
	uint64_t now;
	int n;

	/* drain the wake-up (inotify events or the eventfd counter), then count: a wake-up alone is no
	 * OOM (v1 signals the removal of the cgroup, v2 every change of memory.events) */
	while (read(o->fd, buf, sizeof buf) > 0)
		;
	/* v1 signals when the cgroup enters OOM, a moment before the killer counts its kill: while the
	 * cgroup exists, give the count up to 100 ms to grow */
	for (int tries = o->v2 ? 1 : 20;; tries--) {
		if (read_file_at(AT_FDCWD, o->events, 4096, &text, NULL, &e) < 0) {
			error_clear(&e); /* the cgroup is gone: no OOM */
			return 0;
		}
		now = kv(text, "oom_kill");
		if (now > o->last || tries <= 1)
			break;
		free(text);
		text = NULL;
		usleep(5000);
	}
	n = now > o->last ? (int)(now - o->last) : 0;
	o->last = now;
	return n;
}

void cgroup_oom_close(struct cgroup_oom *o)
{
	if (o->fd >= 0)
		close(o->fd);
	free(o->events);
	o->fd = -1;
	o->events = NULL;
}

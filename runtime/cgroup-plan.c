/* The OCI resource -> cgroup file table (docs/cgroups.md has it as a table): the plan only, built
 * without touching the system; cgroup-apply.c carries it out. */
#define _GNU_SOURCE
#include "cgroup-plan.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"

const char *cg_controller_name(enum cg_controller c, bool v2)
{
	static const char *const v1[] = { "memory",  "cpu",	"cpuset",   "pids", "blkio",
					  "hugetlb", "net_cls", "net_prio", "rdma" };
	static const char *const v2n[] = { "memory",  "cpu",	 "cpuset",   "pids", "io",
					   "hugetlb", "net_cls", "net_prio", "rdma" };

	return v2 ? v2n[c] : v1[c];
}

static void add(struct cg_plan *p, enum cg_controller c, const char *field, const char *file, const char *fmt,
		...) __attribute__((format(printf, 5, 6)));

static void add(struct cg_plan *p, enum cg_controller c, const char *field, const char *file, const char *fmt,
		...)
{
	va_list ap;
	char *value;

	va_start(ap, fmt);
	if (vasprintf(&value, fmt, ap) < 0)
		abort();
	va_end(ap);
	p->w = xrealloc(p->w, (p->n + 1) * sizeof(*p->w));
	p->w[p->n++] =
	    (struct cg_write){ .controller = c, .file = xstrdup(file), .value = value, .field = field };
}

static bool is_v2(const struct cg_plan *p, enum cg_controller c)
{
	return p->v2_mask & (1UL << c);
}

/* v1 memory files take -1 for "no limit"; v2 files take "max". */
static void limit_str(int64_t v, bool v2, char buf[32])
{
	if (v < 0)
		snprintf(buf, 32, "%s", v2 ? "max" : "-1");
	else
		snprintf(buf, 32, "%" PRId64, v);
}

/* memory.swap: v1's memsw is memory plus swap as the spec says; v2's swap.max is swap alone (swap -
 * limit), so it needs the limit and cannot be below it. */
static int plan_swap(struct cg_plan *p, const struct spec_memory *m, bool v2, struct error *err)
{
	char val[32];

	if (!v2) {
		limit_str(m->swap, false, val);
		/* memsw must stay >= the memory limit: the executor orders the pair as the kernel
		 * needs */
		if (m->has_limit && m->limit != 0)
			p->w[p->n - 1].swap_pair = true;
		add(p, CG_MEMORY, "memory.swap", "memory.memsw.limit_in_bytes", "%s", val);
	} else if (m->swap < 0) {
		add(p, CG_MEMORY, "memory.swap", "memory.swap.max", "max");
	} else if (!m->has_limit || m->limit <= 0) {
		return error_set(err, EINVAL,
				 "linux.resources.memory.swap: on cgroup v2 it needs a memory.limit "
				 "(memory.swap.max = swap - limit)");
	} else if (m->swap < m->limit) {
		return error_set(err, EINVAL,
				 "linux.resources.memory.swap: %" PRId64 " is below the memory limit "
				 "%" PRId64 " (swap counts memory plus swap)",
				 m->swap, m->limit);
	} else {
		add(p, CG_MEMORY, "memory.swap", "memory.swap.max", "%" PRId64, m->swap - m->limit);
	}
	return 0;
}

static int plan_memory(struct cg_plan *p, const struct spec_memory *m, struct error *err)
{
	bool v2 = is_v2(p, CG_MEMORY);
	char lim[32], val[32];

	/* 0 is "not set" for the limit, swap and reservation, as runc reads them: runc's own `update
	 * --help` document lists every field as 0 for "leave it", and a 0 limit would be refused (EBUSY) */
	if (m->has_limit && m->limit != 0) {
		limit_str(m->limit, v2, lim);
		add(p, CG_MEMORY, "memory.limit", v2 ? "memory.max" : "memory.limit_in_bytes", "%s", lim);
	}
	if (m->has_swap && m->swap != 0 && plan_swap(p, m, v2, err) < 0)
		return -1;
	if (m->has_reservation && m->reservation != 0) {
		limit_str(m->reservation, v2, val);
		add(p, CG_MEMORY, "memory.reservation", v2 ? "memory.low" : "memory.soft_limit_in_bytes",
		    "%s", v2 && m->reservation < 0 ? "0" : val);
	}
	if (m->has_kernel || m->has_kernel_tcp) {
		if (v2) {
			log_warn(
			    "linux.resources.memory.kernel/kernelTCP: not supported on cgroup v2, ignoring");
		} else {
			if (m->has_kernel) {
				limit_str(m->kernel, false, val);
				add(p, CG_MEMORY, "memory.kernel", "memory.kmem.limit_in_bytes", "%s", val);
				p->w[p->n - 1].best_effort = true;
			}
			if (m->has_kernel_tcp) {
				limit_str(m->kernel_tcp, false, val);
				add(p, CG_MEMORY, "memory.kernelTCP", "memory.kmem.tcp.limit_in_bytes", "%s",
				    val);
				p->w[p->n - 1].best_effort = true;
			}
		}
	}
	if (m->has_swappiness) { /* 0..100: checked by config/parse-resources.c */
		if (v2)
			return error_set(err, ENOTSUP,
					 "linux.resources.memory.swappiness: cgroup v2 has no per-cgroup "
					 "swappiness");
		add(p, CG_MEMORY, "memory.swappiness", "memory.swappiness", "%" PRIu64, m->swappiness);
	}
	if (m->has_disable_oom_killer && m->disable_oom_killer) {
		if (v2)
			return error_set(err, ENOTSUP,
					 "linux.resources.memory.disableOOMKiller: cgroup v2 cannot disable "
					 "the OOM killer");
		add(p, CG_MEMORY, "memory.disableOOMKiller", "memory.oom_control", "1");
	}
	if (m->has_use_hierarchy) {
		if (v2 && !m->use_hierarchy)
			return error_set(err, ENOTSUP,
					 "linux.resources.memory.useHierarchy: cgroup v2 is always "
					 "hierarchical");
		if (!v2)
			add(p, CG_MEMORY, "memory.useHierarchy", "memory.use_hierarchy", "%d",
			    m->use_hierarchy);
	}
	return 0;
}

unsigned long long cgroup_shares_to_weight(unsigned long long shares)
{
	if (shares < 2)
		shares = 2;
	if (shares > 262144)
		shares = 262144;
	return 1 + ((shares - 2) * 9999) / 262142;
}

unsigned long long cgroup_blkio_to_io_weight(unsigned long long weight)
{
	if (weight < 10)
		weight = 10;
	if (weight > 1000)
		weight = 1000;
	return 1 + (weight - 10) * 9999 / 990;
}

static int plan_cpu(struct cg_plan *p, const struct spec_cpu *c, struct error *err)
{
	bool v2 = is_v2(p, CG_CPU);
	/* 0 leaves the quota, period and realtime values alone, as in runc (its `update --help` says
	 * "0 to use system default"; the kernel refuses a 0 period) */
	bool quota = c->has_quota && c->quota != 0, period = c->has_period && c->period != 0;
	bool rt_period = c->has_realtime_period && c->realtime_period != 0;
	bool rt_runtime = c->has_realtime_runtime && c->realtime_runtime != 0;

	if (c->has_burst && c->has_quota && c->quota > 0 && c->burst > (uint64_t)c->quota)
		return error_set(err, EINVAL,
				 "linux.resources.cpu.burst: %" PRIu64 " is larger than the quota %" PRId64,
				 c->burst, c->quota);
	if (c->has_shares && c->shares > 0) {
		if (v2)
			add(p, CG_CPU, "cpu.shares", "cpu.weight", "%llu",
			    cgroup_shares_to_weight(c->shares));
		else
			add(p, CG_CPU, "cpu.shares", "cpu.shares", "%" PRIu64, c->shares);
	}
	if (v2 && (quota || period)) {
		char q[32] = "max";
		if (quota && c->quota > 0)
			snprintf(q, sizeof q, "%" PRId64, c->quota);
		add(p, CG_CPU, "cpu.quota", "cpu.max", "%s %" PRIu64, q, period ? c->period : 100000);
	} else {
		/* the period first: a quota is checked against the period already in place. Under a
		 * parent with a quota, old quota / new period may exceed the parent's ratio (a shorter
		 * period) or new quota / old period may (a longer one): the executor retries the pair in
		 * the other order, as runc does */
		if (period) {
			add(p, CG_CPU, "cpu.period", "cpu.cfs_period_us", "%" PRIu64, c->period);
			p->w[p->n - 1].swap_pair = quota;
		}
		if (quota)
			add(p, CG_CPU, "cpu.quota", "cpu.cfs_quota_us", "%" PRId64,
			    c->quota > 0 ? c->quota : -1);
	}
	if (c->has_burst)
		add(p, CG_CPU, "cpu.burst", v2 ? "cpu.max.burst" : "cpu.cfs_burst_us", "%" PRIu64, c->burst);
	if (rt_period || rt_runtime) {
		if (v2)
			return error_set(err, ENOTSUP,
					 "linux.resources.cpu.realtimeRuntime/realtimePeriod: cgroup v2 has "
					 "no realtime CPU controller");
		/* the runtime may not exceed the period, nor the parent's share: the same pair */
		if (rt_period) {
			add(p, CG_CPU, "cpu.realtimePeriod", "cpu.rt_period_us", "%" PRIu64,
			    c->realtime_period);
			p->w[p->n - 1].swap_pair = rt_runtime;
		}
		if (rt_runtime)
			add(p, CG_CPU, "cpu.realtimeRuntime", "cpu.rt_runtime_us", "%" PRId64,
			    c->realtime_runtime);
	}
	if (c->has_idle)
		add(p, CG_CPU, "cpu.idle", "cpu.idle", "%" PRId64, c->idle);
	if (c->cpus && *c->cpus)
		add(p, CG_CPUSET, "cpu.cpus", "cpuset.cpus", "%s", c->cpus);
	if (c->mems && *c->mems)
		add(p, CG_CPUSET, "cpu.mems", "cpuset.mems", "%s", c->mems);
	return 0;
}

static int plan_blkio(struct cg_plan *p, const struct spec_blkio *b, struct error *err)
{
	static const char *const v1_files[] = { "blkio.throttle.read_bps_device",
						"blkio.throttle.write_bps_device",
						"blkio.throttle.read_iops_device",
						"blkio.throttle.write_iops_device" };
	static const char *const v2_keys[] = { "rbps", "wbps", "riops", "wiops" };
	bool v2 = is_v2(p, CG_IO);

	/* a 0 weight is "not set", as in runc (the kernel takes 10 to 1000) */
	if (b->has_weight && b->weight != 0) {
		if (v2)
			add(p, CG_IO, "blockIO.weight", "io.weight", "default %llu",
			    cgroup_blkio_to_io_weight(b->weight));
		else
			add(p, CG_IO, "blockIO.weight", "blkio.weight|blkio.bfq.weight", "%u", b->weight);
	}
	if (b->has_leaf_weight && b->leaf_weight != 0) {
		if (v2)
			return error_set(err, ENOTSUP,
					 "linux.resources.blockIO.leafWeight: cgroup v2 has no leaf weight");
		add(p, CG_IO, "blockIO.leafWeight", "blkio.leaf_weight", "%u", b->leaf_weight);
	}
	for (size_t i = 0; i < b->n_weight_devices; i++) {
		const struct spec_blkio_weight_device *d = &b->weight_devices[i];
		if (d->has_weight)
			add(p, CG_IO, "blockIO.weightDevice",
			    v2 ? "io.weight" : "blkio.weight_device|blkio.bfq.weight",
			    "%" PRId64 ":%" PRId64 " %llu", d->major, d->minor,
			    v2 ? cgroup_blkio_to_io_weight(d->weight) : d->weight);
		if (d->has_leaf_weight) {
			if (v2)
				return error_set(err, ENOTSUP,
						 "linux.resources.blockIO.weightDevice[%zu].leafWeight: "
						 "cgroup v2 has no leaf weight",
						 i);
			add(p, CG_IO, "blockIO.weightDevice", "blkio.leaf_weight_device",
			    "%" PRId64 ":%" PRId64 " %u", d->major, d->minor, d->leaf_weight);
		}
	}
	for (int k = 0; k < THROTTLE_KIND_COUNT; k++)
		for (size_t i = 0; i < b->n_throttle[k]; i++) {
			const struct spec_blkio_throttle *t = &b->throttle[k][i];
			if (v2)
				add(p, CG_IO, "blockIO.throttle", "io.max",
				    "%" PRId64 ":%" PRId64 " %s=%" PRIu64, t->major, t->minor, v2_keys[k],
				    t->rate);
			else
				add(p, CG_IO, "blockIO.throttle", v1_files[k],
				    "%" PRId64 ":%" PRId64 " %" PRIu64, t->major, t->minor, t->rate);
		}
	return 0;
}

static int plan_unified(struct cg_plan *p, const struct spec_map *u, struct error *err)
{
	static const struct {
		const char *prefix;
		enum cg_controller c;
	} known[] = { { "memory", CG_MEMORY }, { "cpu", CG_CPU }, { "cpuset", CG_CPUSET },
		      { "pids", CG_PIDS },     { "io", CG_IO },	  { "hugetlb", CG_HUGETLB },
		      { "rdma", CG_RDMA } };

	for (size_t i = 0; i < u->n; i++) {
		const char *k = u->keys[i], *dot = strchr(k, '.');
		int c = -1;
		/* a key names a controller file of the container's own cgroup and nothing else: no paths, and
		 * no cgroup.* core files (cgroup.procs would move arbitrary processes) */
		if (dot == NULL || strchr(k, '/') || strncmp(k, "cgroup.", 7) == 0)
			return error_set(err, EINVAL,
					 "linux.resources.unified[\"%s\"]: not a controller file of the "
					 "container's cgroup",
					 k);
		for (size_t j = 0; j < ARRAY_SIZE(known); j++)
			if (strlen(known[j].prefix) == (size_t)(dot - k) &&
			    strncmp(k, known[j].prefix, (size_t)(dot - k)) == 0)
				c = (int)known[j].c;
		if (c < 0 || !is_v2(p, (enum cg_controller)c))
			return error_set(err, ENOTSUP,
					 "linux.resources.unified[\"%s\"]: invalid configuration: the "
					 "'%.*s' controller is not available in the cgroup v2 hierarchy "
					 "(cannot use unified for a cgroup v1 controller)",
					 k, (int)(dot - k), k);
		add(p, (enum cg_controller)c, "unified", k, "%s", u->values[i]);
	}
	return 0;
}

int cgroup_plan_build(const struct spec_resources *r, unsigned long v2_mask, struct cg_plan *ret,
		      struct error *err)
{
	struct cg_plan p = { .v2_mask = v2_mask };

	if ((r->has_memory && plan_memory(&p, &r->memory, err) < 0) ||
	    (r->has_cpu && plan_cpu(&p, &r->cpu, err) < 0))
		goto fail;
	if (r->has_pids) {
		char v[32] = "max";
		if (r->pids_limit > 0)
			snprintf(v, sizeof v, "%" PRId64, r->pids_limit);
		add(&p, CG_PIDS, "pids.limit", "pids.max", "%s", v);
	}
	if (r->has_blkio && plan_blkio(&p, &r->blkio, err) < 0)
		goto fail;
	for (size_t i = 0; i < r->n_hugepage_limits; i++) {
		const struct spec_hugepage_limit *h = &r->hugepage_limits[i];
		bool v2 = is_v2(&p, CG_HUGETLB);
		cleanup_free char *fault =
		    xasprintf(v2 ? "hugetlb.%s.max" : "hugetlb.%s.limit_in_bytes", h->page_size);
		cleanup_free char *rsvd =
		    xasprintf(v2 ? "hugetlb.%s.rsvd.max" : "hugetlb.%s.rsvd.limit_in_bytes", h->page_size);
		/* both the page-fault limit and, where the kernel has it, the reservation limit (which fails
		 * at mmap time instead of with SIGBUS) */
		add(&p, CG_HUGETLB, "hugepageLimits", fault, "%" PRIu64, h->limit);
		add(&p, CG_HUGETLB, "hugepageLimits", rsvd, "%" PRIu64, h->limit);
		p.w[p.n - 1].optional = true;
	}
	if (r->has_network && r->has_class_id)
		add(&p, CG_NET_CLS, "network.classID", "net_cls.classid", "%u", r->class_id);
	for (size_t i = 0; r->has_network && i < r->n_net_priorities; i++)
		add(&p, CG_NET_PRIO, "network.priorities", "net_prio.ifpriomap", "%s %u",
		    r->net_priorities[i].name, r->net_priorities[i].priority);
	for (size_t i = 0; i < r->n_rdma; i++) {
		const struct spec_rdma *d = &r->rdma[i];
		char hh[24] = "max", ho[24] = "max";
		if (d->has_hca_handles)
			snprintf(hh, sizeof hh, "%u", d->hca_handles);
		if (d->has_hca_objects)
			snprintf(ho, sizeof ho, "%u", d->hca_objects);
		add(&p, CG_RDMA, "rdma", "rdma.max", "%s hca_handle=%s hca_object=%s", d->device, hh, ho);
	}
	if (plan_unified(&p, &r->unified, err) < 0)
		goto fail;
	*ret = p;
	return 0;
fail:
	cgroup_plan_free(&p);
	return -1;
}

void cgroup_plan_free(struct cg_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->w[i].file);
		free(p->w[i].value);
	}
	free(p->w);
	p->w = NULL;
	p->n = 0;
}

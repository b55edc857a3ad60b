/* linux.resources as an ordered list of cgroup file writes, for v1 and v2 controllers alike. Building
 * the plan touches nothing (unit-tested without root); cgroup_plan_apply (cgroup-apply.c, declared in
 * cgroup.h) carries it out. On a hybrid host
 * each controller is written where it lives: a v1 hierarchy if one holds it, else the v2 tree. */
#ifndef HUSK_CGROUP_PLAN_H
#define HUSK_CGROUP_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "config/spec.h"
#include "base/error.h"

enum cg_controller {
	CG_MEMORY,
	CG_CPU,
	CG_CPUSET,
	CG_PIDS,
	CG_IO, /* blkio on v1 */
	CG_HUGETLB,
	CG_NET_CLS,
	CG_NET_PRIO,
	CG_RDMA,
	CG_CONTROLLER_COUNT,
};

struct cg_write {
	enum cg_controller controller;
	char *file;	   /* "memory.max"; "a|b" means the first of a or b that exists */
	char *value;	   /* what is written */
	const char *field; /* the config field it comes from, for errors: "memory.limit" */
	bool best_effort;  /* a failure is a warning ending in ", ignoring" (kernel memory) */
	bool optional;	   /* skipped when the kernel lacks the file (hugetlb reservations) */
	bool swap_pair;	   /* with the next write: on EINVAL, write the next first, then retry this one */
};

struct cg_plan {
	struct cg_write *w;
	size_t n;
	unsigned long v2_mask; /* bit c set: controller c was planned for the v2 tree */
};

const char *cg_controller_name(enum cg_controller c, bool v2);
/* Build the writes for r; bit c of v2_mask says controller c lives in the v2 tree. */
int cgroup_plan_build(const struct spec_resources *r, unsigned long v2_mask, struct cg_plan *ret,
		      struct error *err);
void cgroup_plan_free(struct cg_plan *p);
/* cpu.weight (v2) from cpu.shares (v1), as runc converts it. */
unsigned long long cgroup_shares_to_weight(unsigned long long shares);
/* io.weight (v2) from blkio.weight (v1, 10-1000). */
unsigned long long cgroup_blkio_to_io_weight(unsigned long long weight);

#endif

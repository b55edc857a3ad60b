/* linux.resources of config.json, also the whole document of `update --resources`: device cgroup
 * rules, memory, cpu, pids, block IO, huge pages, network, RDMA and the cgroup v2 unified map. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/base/util.h"
#include "parse-util.h"
#include "spec.h"

static int parse_device_rule(struct spec_ctx *c, json_t *o, void *out)
{
	struct spec_device_cgroup *d = out;
	cleanup_free char *type = NULL;

	if (spec_get_bool(c, o, "allow", SPEC_REQ, NULL, &d->allow) ||
	    spec_get_str(c, o, "type", SPEC_OPT, &type) ||
	    spec_get_i64(c, o, "major", SPEC_OPT, &d->has_major, &d->major) ||
	    spec_get_i64(c, o, "minor", SPEC_OPT, &d->has_minor, &d->minor) ||
	    spec_get_str(c, o, "access", SPEC_OPT, &d->access))
		return -1;
	d->type = 'a';
	if (type) {
		if (strlen(type) != 1 || strchr("acb", type[0]) == NULL)
			return spec_fail_at_value(c, "type", "expected one of \"a\", \"c\" or \"b\", got",
						  type);
		d->type = type[0];
	}
	if (d->access && d->access[strspn(d->access, "rwm")] != '\0')
		return spec_fail_at_value(c, "access",
					  "expected a combination of \"r\", \"w\" and \"m\", got", d->access);
	return 0;
}

static int parse_memory(struct spec_ctx *c, json_t *o, void *out)
{
	struct spec_memory *m = out;

	if (spec_get_i64(c, o, "limit", SPEC_OPT, &m->has_limit, &m->limit) ||
	    spec_get_i64(c, o, "reservation", SPEC_OPT, &m->has_reservation, &m->reservation) ||
	    spec_get_i64(c, o, "swap", SPEC_OPT, &m->has_swap, &m->swap) ||
	    spec_get_i64(c, o, "kernel", SPEC_OPT, &m->has_kernel, &m->kernel) ||
	    spec_get_i64(c, o, "kernelTCP", SPEC_OPT, &m->has_kernel_tcp, &m->kernel_tcp) ||
	    spec_get_u64(c, o, "swappiness", SPEC_OPT, &m->has_swappiness, &m->swappiness) ||
	    spec_get_bool(c, o, "disableOOMKiller", SPEC_OPT, &m->has_disable_oom_killer,
			  &m->disable_oom_killer) ||
	    spec_get_bool(c, o, "useHierarchy", SPEC_OPT, &m->has_use_hierarchy, &m->use_hierarchy) ||
	    spec_get_bool(c, o, "checkBeforeUpdate", SPEC_OPT, &m->has_check_before_update,
			  &m->check_before_update))
		return -1;
	/* runc's range ("valid memory swappiness range is 0-100"), checked before anything exists */
	if (m->has_swappiness && m->swappiness > 100)
		return spec_fail_at(c, "swappiness", "expected an integer from 0 to 100, got %" PRIu64,
				    m->swappiness);
	return 0;
}

static int parse_cpu(struct spec_ctx *c, json_t *o, void *out)
{
	struct spec_cpu *p = out;

	if (spec_get_u64(c, o, "shares", SPEC_OPT, &p->has_shares, &p->shares) ||
	    spec_get_i64(c, o, "quota", SPEC_OPT, &p->has_quota, &p->quota) ||
	    spec_get_u64(c, o, "burst", SPEC_OPT, &p->has_burst, &p->burst) ||
	    spec_get_u64(c, o, "period", SPEC_OPT, &p->has_period, &p->period) ||
	    spec_get_i64(c, o, "realtimeRuntime", SPEC_OPT, &p->has_realtime_runtime, &p->realtime_runtime) ||
	    spec_get_u64(c, o, "realtimePeriod", SPEC_OPT, &p->has_realtime_period, &p->realtime_period) ||
	    spec_get_str(c, o, "cpus", SPEC_OPT, &p->cpus) ||
	    spec_get_str(c, o, "mems", SPEC_OPT, &p->mems) ||
	    spec_get_i64(c, o, "idle", SPEC_OPT, &p->has_idle, &p->idle))
		return -1;
	return 0;
}

static int parse_pids(struct spec_ctx *c, json_t *o, void *out)
{
	return spec_get_i64(c, o, "limit", SPEC_REQ, NULL, out);
}

static int parse_weight_device(struct spec_ctx *c, json_t *o, void *out)
{
	struct spec_blkio_weight_device *w = out;

	if (spec_get_i64(c, o, "major", SPEC_REQ, NULL, &w->major) ||
	    spec_get_i64(c, o, "minor", SPEC_REQ, NULL, &w->minor) ||
	    spec_get_uint(c, o, "weight", SPEC_OPT, UINT16_MAX, &w->has_weight, &w->weight) ||
	    spec_get_uint(c, o, "leafWeight", SPEC_OPT, UINT16_MAX, &w->has_leaf_weight, &w->leaf_weight))
		return -1;
	if (!w->has_weight && !w->has_leaf_weight)
		return spec_fail(c, "expected \"weight\" or \"leafWeight\"");
	return 0;
}

static int parse_throttle(struct spec_ctx *c, json_t *o, void *out)
{
	struct spec_blkio_throttle *t = out;

	if (spec_get_i64(c, o, "major", SPEC_REQ, NULL, &t->major) ||
	    spec_get_i64(c, o, "minor", SPEC_REQ, NULL, &t->minor) ||
	    spec_get_u64(c, o, "rate", SPEC_REQ, NULL, &t->rate))
		return -1;
	return 0;
}

static const char *const throttle_keys[THROTTLE_KIND_COUNT] = {
	[THROTTLE_READ_BPS] = "throttleReadBpsDevice",
	[THROTTLE_WRITE_BPS] = "throttleWriteBpsDevice",
	[THROTTLE_READ_IOPS] = "throttleReadIOPSDevice",
	[THROTTLE_WRITE_IOPS] = "throttleWriteIOPSDevice",
};

static int parse_blkio(struct spec_ctx *c, json_t *o, void *out)
{
	struct spec_blkio *b = out;

	if (spec_get_uint(c, o, "weight", SPEC_OPT, UINT16_MAX, &b->has_weight, &b->weight) ||
	    spec_get_uint(c, o, "leafWeight", SPEC_OPT, UINT16_MAX, &b->has_leaf_weight, &b->leaf_weight) ||
	    spec_get_array(c, o, "weightDevice", SPEC_OPT, sizeof *b->weight_devices, parse_weight_device,
			   &b->weight_devices, &b->n_weight_devices))
		return -1;
	for (int k = 0; k < THROTTLE_KIND_COUNT; k++)
		if (spec_get_array(c, o, throttle_keys[k], SPEC_OPT, sizeof *b->throttle[k], parse_throttle,
				   &b->throttle[k], &b->n_throttle[k]) < 0)
			return -1;
	return 0;
}

/* "2MB": the schema's ^[1-9][0-9]*[KMG]B$, which is also the name of the hugetlb.<size>.* files. */
static bool valid_page_size(const char *s)
{
	size_t digits = strspn(s, "0123456789");

	return digits > 0 && s[0] != '0' && s[digits] != '\0' && strchr("KMG", s[digits]) != NULL &&
	       strcmp(s + digits + 1, "B") == 0;
}

static int parse_hugepage_limit(struct spec_ctx *c, json_t *o, void *out)
{
	struct spec_hugepage_limit *h = out;

	if (spec_get_str(c, o, "pageSize", SPEC_REQ, &h->page_size) ||
	    spec_get_u64(c, o, "limit", SPEC_REQ, NULL, &h->limit))
		return -1;
	if (!valid_page_size(h->page_size))
		return spec_fail_at_value(
		    c, "pageSize", "expected a size like \"2MB\" (^[1-9][0-9]*[KMG]B$), got", h->page_size);
	return 0;
}

static int parse_net_priority(struct spec_ctx *c, json_t *o, void *out)
{
	struct spec_net_priority *p = out;

	if (spec_get_str(c, o, "name", SPEC_REQ | SPEC_NONEMPTY, &p->name) ||
	    spec_get_uint(c, o, "priority", SPEC_REQ, UINT32_MAX, NULL, &p->priority))
		return -1;
	return 0;
}

static int parse_network(struct spec_ctx *c, json_t *o, void *out)
{
	struct spec_resources *r = out;

	if (spec_get_uint(c, o, "classID", SPEC_OPT, UINT32_MAX, &r->has_class_id, &r->class_id) ||
	    spec_get_array(c, o, "priorities", SPEC_OPT, sizeof *r->net_priorities, parse_net_priority,
			   &r->net_priorities, &r->n_net_priorities))
		return -1;
	return 0;
}

static int parse_rdma(struct spec_ctx *c, const char *key, json_t *o, void *out)
{
	struct spec_rdma *d = out;

	d->device = xstrdup(key);
	if (spec_expect(c, o, JSON_OBJECT, "an object") ||
	    spec_get_uint(c, o, "hcaHandles", SPEC_OPT, UINT32_MAX, &d->has_hca_handles, &d->hca_handles) ||
	    spec_get_uint(c, o, "hcaObjects", SPEC_OPT, UINT32_MAX, &d->has_hca_objects, &d->hca_objects))
		return -1;
	if (!d->has_hca_handles && !d->has_hca_objects)
		return spec_fail(c, "expected \"hcaHandles\" or \"hcaObjects\"");
	return 0;
}

int spec_parse_resources_section(struct spec_ctx *c, json_t *o, void *out)
{
	struct spec_resources *r = out;

	if (spec_get_array(c, o, "devices", SPEC_OPT, sizeof *r->devices, parse_device_rule, &r->devices,
			   &r->n_devices) ||
	    spec_get_object(c, o, "memory", SPEC_OPT, parse_memory, &r->memory, &r->has_memory) ||
	    spec_get_object(c, o, "cpu", SPEC_OPT, parse_cpu, &r->cpu, &r->has_cpu) ||
	    spec_get_object(c, o, "pids", SPEC_OPT, parse_pids, &r->pids_limit, &r->has_pids) ||
	    spec_get_object(c, o, "blockIO", SPEC_OPT, parse_blkio, &r->blkio, &r->has_blkio) ||
	    spec_get_array(c, o, "hugepageLimits", SPEC_OPT, sizeof *r->hugepage_limits, parse_hugepage_limit,
			   &r->hugepage_limits, &r->n_hugepage_limits) ||
	    spec_get_object(c, o, "network", SPEC_OPT, parse_network, r, &r->has_network) ||
	    spec_get_entries(c, o, "rdma", sizeof *r->rdma, parse_rdma, &r->rdma, &r->n_rdma) ||
	    spec_get_map(c, o, "unified", &r->unified))
		return -1;
	return 0;
}

void spec_resources_clear(struct spec_resources *r)
{
	for (size_t i = 0; i < r->n_devices; i++)
		free(r->devices[i].access);
	free(r->devices);
	free(r->cpu.cpus);
	free(r->cpu.mems);
	free(r->blkio.weight_devices);
	for (int k = 0; k < THROTTLE_KIND_COUNT; k++)
		free(r->blkio.throttle[k]);
	for (size_t i = 0; i < r->n_hugepage_limits; i++)
		free(r->hugepage_limits[i].page_size);
	free(r->hugepage_limits);
	for (size_t i = 0; i < r->n_net_priorities; i++)
		free(r->net_priorities[i].name);
	free(r->net_priorities);
	for (size_t i = 0; i < r->n_rdma; i++)
		free(r->rdma[i].device);
	free(r->rdma);
	spec_map_free(&r->unified);
	memset(r, 0, sizeof *r);
}

int spec_parse_resources(const char *data, size_t len, const char *name, struct spec_resources **ret,
			 struct error *err)
{
	struct spec_resources *r = xcalloc(1, sizeof *r);
	struct spec_ctx c;
	json_auto_t *root = NULL;
	int rc;

	spec_ctx_init(&c, name, err);
	rc = spec_json_load(&c, data, len, &root);
	if (rc == 0)
		rc = spec_parse_resources_section(&c, root, r);
	spec_ctx_fini(&c);
	if (rc < 0) {
		spec_resources_free(r);
		return -1;
	}
	*ret = r;
	return 0;
}

void spec_resources_free(struct spec_resources *r)
{
	if (r == NULL)
		return;
	spec_resources_clear(r);
	free(r);
}

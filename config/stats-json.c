/* JSON of `husk events`, matching the field names runc's events use so existing consumers parse it. */
#define _GNU_SOURCE
#include "stats-json.h"

#include <jansson.h>
#include <stdlib.h>

static json_t *mem_entry(const struct stats_mem_entry *e)
{
	return json_pack("{s:I, s:I, s:I, s:I}", "limit", (json_int_t)e->limit, "usage", (json_int_t)e->usage,
			 "max", (json_int_t)e->max, "failcnt", (json_int_t)e->failcnt);
}

static json_t *blkio_list(const struct stats_blkio_entry *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:I, s:I, s:s, s:I}", "major", (json_int_t)v[i].major,
						   "minor", (json_int_t)v[i].minor, "op", v[i].op, "value",
						   (json_int_t)v[i].value));
	return a;
}

/* runc's per-CPU lists are omitempty: absent rather than [] (cgroup v2 has none) */
static void set_u64_list(json_t *o, const char *key, const uint64_t *v, size_t n)
{
	json_t *a;

	if (n == 0)
		return;
	a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_integer((json_int_t)v[i]));
	json_object_set_new(o, key, a);
}

char *stats_event_json(const char *id, const struct container_stats *s)
{
	json_t *data = json_object(), *usage, *raw = json_object(), *huge = json_object();
	char *out;

	usage = json_pack("{s:I}", "total", (json_int_t)s->cpu_total);
	set_u64_list(usage, "percpu", s->percpu, s->n_percpu);
	set_u64_list(usage, "percpu_kernel", s->percpu_kernel, s->n_percpu_kernel);
	set_u64_list(usage, "percpu_user", s->percpu_user, s->n_percpu_user);
	json_object_set_new(usage, "kernel", json_integer((json_int_t)s->cpu_kernel));
	json_object_set_new(usage, "user", json_integer((json_int_t)s->cpu_user));
	json_object_set_new(data, "cpu",
			    json_pack("{s:o, s:{s:I, s:I, s:I}}", "usage", usage, "throttling", "periods",
				      (json_int_t)s->periods, "throttledPeriods",
				      (json_int_t)s->throttled_periods, "throttledTime",
				      (json_int_t)s->throttled_time));
	for (size_t i = 0; i < s->mem_raw.n; i++)
		json_object_set_new(raw, s->mem_raw.keys[i],
				    json_integer(strtoll(s->mem_raw.values[i], NULL, 10)));
	json_object_set_new(data, "memory",
			    json_pack("{s:o, s:o, s:o, s:o, s:o}", "usage", mem_entry(&s->mem), "swap",
				      mem_entry(&s->swap), "kernel", mem_entry(&s->kernel), "kernelTCP",
				      mem_entry(&s->kernel_tcp), "raw", raw));
	json_object_set_new(data, "pids",
			    json_pack("{s:I, s:I}", "current", (json_int_t)s->pids_current, "limit",
				      (json_int_t)s->pids_limit));
	json_object_set_new(data, "blkio",
			    json_pack("{s:o, s:o}", "ioServiceBytesRecursive",
				      blkio_list(s->io_bytes, s->n_io_bytes), "ioServicedRecursive",
				      blkio_list(s->io_ops, s->n_io_ops)));
	for (size_t i = 0; i < s->n_hugetlb; i++)
		json_object_set_new(huge, s->hugetlb[i].page_size,
				    json_pack("{s:I, s:I, s:I}", "usage", (json_int_t)s->hugetlb[i].usage,
					      "max", (json_int_t)s->hugetlb[i].max, "failcnt",
					      (json_int_t)s->hugetlb[i].failcnt));
	json_object_set_new(data, "hugetlb", huge);
	json_auto_t *ev = json_pack("{s:s, s:s, s:o}", "type", "stats", "id", id, "data", data);
	out = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (out == NULL)
		abort();
	return out;
}

char *oom_event_json(const char *id)
{
	json_auto_t *ev = json_pack("{s:s, s:s}", "type", "oom", "id", id);
	char *out = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER);

	if (out == NULL)
		abort();
	return out;
}

void container_stats_free(struct container_stats *s)
{
	free(s->percpu);
	free(s->percpu_kernel);
	free(s->percpu_user);
	for (size_t i = 0; i < s->mem_raw.n; i++) {
		free(s->mem_raw.keys[i]);
		free(s->mem_raw.values[i]);
	}
	free(s->mem_raw.keys);
	free(s->mem_raw.values);
	free(s->io_bytes);
	free(s->io_ops);
	free(s->hugetlb);
}

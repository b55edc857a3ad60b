/* Resource statistics of a container, in the shape of runc's `events` data ({"cpu","memory","pids",
 * "blkio","hugetlb"}), and their JSON. runtime/cgroup-stats.c fills the struct from cgroup files. */
#ifndef HUSK_STATS_JSON_H
#define HUSK_STATS_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec.h"

struct stats_mem_entry {
	uint64_t usage, max, limit, failcnt;
};

struct stats_blkio_entry {
	uint64_t major, minor;
	char op[16]; /* "Read", "Write", "Sync", "Async", "Discard", "Total" */
	uint64_t value;
};

struct stats_hugetlb {
	char page_size[16]; /* "2MB" */
	uint64_t usage, max, failcnt;
};

struct container_stats {
	bool has_cpu;
	uint64_t cpu_total, cpu_user, cpu_kernel;	/* nanoseconds */
	uint64_t *percpu, *percpu_kernel, *percpu_user; /* v1 only, as runc */
	size_t n_percpu, n_percpu_kernel, n_percpu_user;
	uint64_t periods, throttled_periods, throttled_time;
	bool has_memory;
	struct stats_mem_entry mem, swap, kernel, kernel_tcp;
	struct spec_map mem_raw; /* memory.stat */
	bool has_pids;
	uint64_t pids_current, pids_limit;
	struct stats_blkio_entry *io_bytes, *io_ops;
	size_t n_io_bytes, n_io_ops;
	struct stats_hugetlb *hugetlb;
	size_t n_hugetlb;
};

void container_stats_free(struct container_stats *s);
/* {"type":"stats","id":ID,"data":{...}} on one line. */
char *stats_event_json(const char *id, const struct container_stats *s);
/* {"type":"oom","id":ID} */
char *oom_event_json(const char *id);

#endif

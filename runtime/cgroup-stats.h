/* Container statistics and OOM notification from the cgroup (for `husk events`). */
#ifndef HUSK_CGROUP_STATS_H
#define HUSK_CGROUP_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include "config/stats-json.h"
#include "base/error.h"

int cgroup_stats(const char *path, struct container_stats *ret, struct error *err);

struct cgroup_oom {
	int fd; /* pollable: eventfd (v1) or inotify on memory.events (v2) */
	bool v2;
	char *events;
	uint64_t last;
};
int cgroup_oom_open(const char *path, struct cgroup_oom *ret, struct error *err);
/* After fd polled readable: how many OOM kills happened since the last call. */
int cgroup_oom_read(struct cgroup_oom *o);
void cgroup_oom_close(struct cgroup_oom *o);

#endif

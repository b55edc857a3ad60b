/* `husk events`: the stats and OOM stream of one container. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cgroup-stats.h"
#include "container.h"
#include "base/util.h"

static int print_stats(const char *id, const char *path, struct error *err)
{
	struct container_stats s;
	char *json;

	if (cgroup_stats(path, &s, err) < 0)
		return -1;
	json = stats_event_json(id, &s);
	printf("%s\n", json);
	fflush(stdout);
	free(json);
	container_stats_free(&s);
	return 0;
}

int container_events(const char *root, const char *id, bool stats_once, int interval_ms, struct error *err)
{
	struct state_record *rec = NULL;
	struct cgroup_oom oom = { .fd = -1 };
	cleanup_close int dirfd = -1;
	int r = -1;

	if (state_open_dir(root, id, false, &dirfd, err) < 0 || state_read(dirfd, id, &rec, err) < 0)
		goto out;
	/* the shared lock is for the read only: a long-lived stream must not block delete */
	close(dirfd);
	dirfd = -1;
	if (rec->cgroup_path == NULL) {
		error_set(err, ENOTSUP,
			  "container '%s' has no cgroup (cgroups disabled, or rootless without a delegated "
			  "one): no events",
			  id);
		goto out;
	}
	/* runc refuses a stopped container ("is not running"): stats of its leftovers would read as a
	 * live one's to a poller */
	if (!state_init_alive(rec)) {
		error_set(err, ESRCH, "container '%s' is not running (it is stopped): no events", id);
		goto out;
	}
	if (stats_once) {
		r = print_stats(id, rec->cgroup_path, err);
		goto out;
	}
	if (cgroup_oom_open(rec->cgroup_path, &oom, err) < 0)
		goto out;
	while (state_init_alive(rec)) {
		struct pollfd p = { oom.fd, POLLIN, 0 };
		int n = poll(&p, 1, interval_ms);
		if (n < 0 && errno != EINTR) {
			error_sys(err, errno, "poll");
			goto out;
		}
		if (n > 0) {
			for (int k = cgroup_oom_read(&oom); k > 0; k--) {
				char *json = oom_event_json(id);
				printf("%s\n", json);
				fflush(stdout);
				free(json);
			}
			continue;
		}
		if (n == 0 && print_stats(id, rec->cgroup_path, err) < 0)
			goto out;
	}
	r = 0;
out:
	cgroup_oom_close(&oom);
	state_record_free(rec);
	return r;
}

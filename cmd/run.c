/* husk run: create + start; in the foreground husk waits and returns the container's exit status. */
#include <errno.h>
#include <string.h>

#include "cli.h"
#include "runtime/container.h"

int cmd_create_flags(int argc, char **argv, int *index, struct create_opts *o, bool *detach, bool *keep,
		     const char *usage, const char *summary, struct error *err);

VERB_FN(run)
{
	struct create_opts o = { .root = g->root,
				 .cgroups_disabled = strcmp(g->cgroup_manager, "disabled") == 0,
				 .rootless = g->is_rootless,
				 .systemd_cgroup = g->systemd_cgroup };
	bool detach = false, keep = false;
	int index, r, status = 0;

	r = cmd_create_flags(argc, argv, &index, &o, &detach, &keep, "[options] ID",
			     "Create and start a container; without --detach, wait and exit with its status.",
			     err);
	if (r != 0)
		return r < 0 ? 1 : 0;
	o.foreground = !detach;
	if (container_run(&o, detach, keep, &status, err) < 0)
		return 1;
	return status;
}

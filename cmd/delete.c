/* husk delete: remove a stopped container (or, with --force, kill and remove any container). */
#include "cli.h"
#include "runtime/base/util.h"
#include "runtime/container.h"

VERB_FN(delete)
{
	bool force = false;
	const struct opt opts[] = {
		{ "force", 'f', OPT_BOOL, &force, "kill the container if it is still running" },
	};
	const char *id;
	int index, r = cli_verb_flags(argc, argv, &index, "[--force] ID",
				      "Delete the container: its processes, cgroup and state.", opts,
				      ARRAY_SIZE(opts), err);

	if (r != 0)
		return r < 0 ? 1 : 0;
	if (cli_one_id(argc, argv, index, &id, err) < 0)
		return 1;
	return container_delete(g->root, id, force, err) < 0 ? 1 : 0;
}

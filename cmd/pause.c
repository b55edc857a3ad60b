/* husk pause: freeze every process of the container (v1 freezer or cgroup.freeze). */
#include "cli.h"
#include "runtime/container.h"

VERB_FN(pause)
{
	const char *id;
	int index, r = cli_verb_flags(argc, argv, &index, "ID", "Pause all processes of the container.", NULL,
				      0, err);

	if (r != 0)
		return r < 0 ? 1 : 0;
	if (cli_one_id(argc, argv, index, &id, err) < 0)
		return 1;
	return container_pause(g->root, id, true, err) < 0 ? 1 : 0;
}

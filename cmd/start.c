/* husk start: release a created container's init; returns as soon as the program is exec'd. */
#include "cli.h"
#include "runtime/container.h"

VERB_FN(start)
{
	const char *id;
	int index, r = cli_verb_flags(argc, argv, &index, "ID", "Start the program of a created container.",
				      NULL, 0, err);

	if (r != 0)
		return r < 0 ? 1 : 0;
	if (cli_one_id(argc, argv, index, &id, err) < 0)
		return 1;
	return container_start(g->root, id, err) < 0 ? 1 : 0;
}

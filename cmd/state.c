/* husk state: print the OCI state of a container. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "runtime/container.h"

VERB_FN(state)
{
	const char *id;
	char *json;
	int index, r = cli_verb_flags(argc, argv, &index, "ID", "Print the state of a container (JSON).",
				      NULL, 0, err);

	if (r != 0)
		return r < 0 ? 1 : 0;
	if (cli_one_id(argc, argv, index, &id, err) < 0 || container_state_json(g->root, id, &json, err) < 0)
		return 1;
	puts(json);
	free(json);
	return 0;
}

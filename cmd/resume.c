/* husk resume: thaw a paused container. */
#include "cli.h"
#include "runtime/container.h"

VERB_FN(resume)
{
	const char *id;
	int index, r = cli_verb_flags(argc, argv, &index, "ID", "Resume all processes of a paused container.",
				      NULL, 0, err);

	if (r != 0)
		return r < 0 ? 1 : 0;
	if (cli_one_id(argc, argv, index, &id, err) < 0)
		return 1;
	return container_pause(g->root, id, false, err) < 0 ? 1 : 0;
}

/* husk checkpoint: CRIU checkpoint/restore is outside husk's scope; fail clearly instead of pretending. */
#include <errno.h>
#include <string.h>

#include "cli.h"

VERB_FN(checkpoint)
{
	/* -h still answers, as on every verb: scripts probe a runtime's verbs with it */
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			cli_print_help(argv[0], "[options] ID",
				       "Not supported: husk has no CRIU checkpoint/restore.", NULL, 0);
			return 0;
		}
	return error_set(err, ENOTSUP, "checkpoint: checkpoint/restore (CRIU) is not supported by husk"), 1;
}

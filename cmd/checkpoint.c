/* husk checkpoint: CRIU checkpoint/restore is outside husk's scope; fail clearly instead of pretending. */
#include <errno.h>

#include "cli.h"

VERB_FN(checkpoint)
{
	return error_set(err, ENOTSUP, "checkpoint: checkpoint/restore (CRIU) is not supported by husk"), 1;
}

/* husk restore: CRIU checkpoint/restore is outside husk's scope; fail clearly instead of pretending. */
#include <errno.h>

#include "cli.h"

VERB_FN(restore)
{
	return error_set(err, ENOTSUP, "restore: checkpoint/restore (CRIU) is not supported by husk"), 1;
}

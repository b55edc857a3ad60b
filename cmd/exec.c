/* husk exec: lands with its issue; until then it fails clearly. */
#include <errno.h>

#include "cli.h"

VERB_FN(exec)
{
	return error_set(err, ENOSYS, "exec: not implemented yet"), 1;
}

/* husk update: lands with its issue; until then it fails clearly. */
#include <errno.h>

#include "cli.h"

VERB_FN(update)
{
	return error_set(err, ENOSYS, "update: not implemented yet"), 1;
}

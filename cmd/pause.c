/* husk pause: lands with its issue; until then it fails clearly. */
#include <errno.h>

#include "cli.h"

VERB_FN(pause)
{
	return error_set(err, ENOSYS, "pause: not implemented yet"), 1;
}

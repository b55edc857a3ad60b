/* husk events: lands with its issue; until then it fails clearly. */
#include <errno.h>

#include "cli.h"

VERB_FN(events)
{
	return error_set(err, ENOSYS, "events: not implemented yet"), 1;
}

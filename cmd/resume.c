/* husk resume: lands with its issue; until then it fails clearly. */
#include <errno.h>

#include "cli.h"

VERB_FN(resume)
{
	return error_set(err, ENOSYS, "resume: not implemented yet"), 1;
}

/* See fault.h. Compiled in only for the crash tests. */
#ifdef HUSK_FAULT_INJECTION
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fault.h"

void fault_point(const char *step)
{
	const char *want = getenv("HUSK_FAULT");

	if (want && strcmp(want, step) == 0) {
		kill(getpid(), SIGKILL);
		/* a PID namespace's init ignores even SIGKILL from inside: die without a word instead */
		_exit(128 + SIGKILL);
	}
}
#endif

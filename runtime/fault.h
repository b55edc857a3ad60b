/* Fault injection for the crash tests (tests/integration/faults.bats): with -DHUSK_FAULT_INJECTION=ON,
 * fault_point("create.cgroup") kills the calling process with SIGKILL when the environment variable
 * HUSK_FAULT names that step, exactly as `kill -9` at that instant would. Release builds compile every
 * point to nothing. The steps are the string literals at the call sites; the test finds them with grep. */
#ifndef HUSK_FAULT_H
#define HUSK_FAULT_H

#ifdef HUSK_FAULT_INJECTION
void fault_point(const char *step);
#else
static inline void fault_point(const char *step)
{
	(void)step;
}
#endif

#endif

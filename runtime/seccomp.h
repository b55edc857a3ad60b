/* linux.seccomp translated to a libseccomp filter and loaded just before execve. */
#ifndef HUSK_SECCOMP_H
#define HUSK_SECCOMP_H

#include <seccomp.h>
#include <stdbool.h>
#include <sys/types.h>

#include "config/spec.h"
#include "base/error.h"

/* Where a SCMP_ACT_NOTIFY listener goes: a socket connected to linux.seccomp.listenerPath and the
 * container state that accompanies the fd. */
struct seccomp_agent {
	int sock; /* -1: no listener */
	const struct state_record *state;
	pid_t pid; /* the process, in the runtime's PID namespace */
};

struct state_record;

static inline void seccomp_releasep(scmp_filter_ctx *ctx)
{
	if (*ctx)
		seccomp_release(*ctx);
}
#define cleanup_seccomp __attribute__((cleanup(seccomp_releasep)))

/* Build the filter (unit-testable: no load). Unknown syscall names are skipped with a debug note,
 * as runc does, so one profile serves several kernels. */
int seccomp_build(const struct spec_seccomp *s, scmp_filter_ctx *ret, struct error *err);
/* Build and load; with SCMP_ACT_NOTIFY, hand the listener fd to the agent. */
int seccomp_load_spec(const struct spec_seccomp *s, const struct seccomp_agent *agent, struct error *err);
/* Whether any rule (or the default) uses SCMP_ACT_NOTIFY. */
bool seccomp_uses_notify(const struct spec_seccomp *s);

#endif

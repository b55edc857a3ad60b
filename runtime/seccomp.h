/* linux.seccomp translated to a libseccomp filter and loaded just before execve. */
#ifndef HUSK_SECCOMP_H
#define HUSK_SECCOMP_H

#include <seccomp.h>

#include "config/spec.h"
#include "error.h"

struct init_args;

/* Build the filter (unit-testable: no load). Unknown syscall names are skipped with a debug note,
 * as runc does, so one profile serves several kernels. */
int seccomp_build(const struct spec_seccomp *s, scmp_filter_ctx *ret, struct error *err);
/* Build and load; with SCMP_ACT_NOTIFY, hand the listener fd to listenerPath. */
int seccomp_load_spec(const struct spec_seccomp *s, const struct init_args *a, struct error *err);

#endif

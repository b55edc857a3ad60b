/* OCI hooks: each runs with the container's state JSON on stdin, its own args and env, and an
 * optional timeout after which it is killed. */
#ifndef HUSK_HOOKS_H
#define HUSK_HOOKS_H

#include "config/spec.h"
#include "base/error.h"

/* The environment of a hook without "env" (default: husk's own, as runc's hooks get runc's). The init
 * sets process.env: runc's init has switched to it before it runs createContainer/startContainer. */
void hooks_set_default_env(char *const *env);
/* Run every hook of one kind in order; the first failure stops and is returned. */
int hooks_run(const struct spec_hooks *hooks, enum spec_hook_kind kind, const char *state_json,
	      struct error *err);
/* poststart/poststop: failures are warnings ending in ", ignoring". */
void hooks_run_warn(const struct spec_hooks *hooks, enum spec_hook_kind kind, const char *state_json);

#endif

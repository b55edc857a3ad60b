/* OCI hooks: each runs with the container's state JSON on stdin, its own args and env, and an
 * optional timeout after which it is killed. */
#ifndef HUSK_HOOKS_H
#define HUSK_HOOKS_H

#include "config/spec.h"
#include "base/error.h"

/* The environment a startContainer hook without "env" gets: process.env, set by the init (runc's init
 * has switched to it). Every other hook without "env" gets husk's own, as runc's host hooks get runc's. */
void hooks_set_container_env(char *const *env);
/* Run every hook of one kind in order; the first failure stops and is returned. */
int hooks_run(const struct spec_hooks *hooks, enum spec_hook_kind kind, const char *state_json,
	      struct error *err);
/* poststart/poststop: failures are warnings ending in ", ignoring". */
void hooks_run_warn(const struct spec_hooks *hooks, enum spec_hook_kind kind, const char *state_json);

#endif

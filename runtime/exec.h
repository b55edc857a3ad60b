/* `husk exec`: a new process inside a running container, joining all its namespaces and its cgroup,
 * with the container's process defaults (or a --process document) and the caller's overrides. */
#ifndef HUSK_EXEC_H
#define HUSK_EXEC_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

struct exec_opts {
	const char *root;
	const char *id;
	const char *process_file; /* a bare Process JSON document, replaces the defaults */
	bool detach;
	const char *pid_file;
	const char *console_socket;
	int tty; /* -1: as the process says, 0/1: --tty given */
	const char *cwd;
	const char **env;
	size_t n_env;
	const char *user; /* UID[:GID] */
	const char **additional_gids;
	size_t n_additional_gids;
	const char **caps;
	size_t n_caps;
	bool no_new_privs;
	int preserve_fds;
	const char *process_label;
	const char *apparmor;
	const char *cgroup; /* [CTRL:]PATH under the container's cgroup */
	bool ignore_paused;
	char **args;
	size_t n_args;
};

/* Run the process; in the foreground *ret_status is its exit status (128+N for a signal). A process
 * that could not be started returns -1 with the cause (the CLI exits 255, as runc does). */
int container_exec(const struct exec_opts *o, int *ret_status, struct error *err);

/* exec-process.c: the process to run, before anything is opened. */
struct spec;
struct spec_process;
struct state_record;
/* The container's config from its record and the process exec starts from: --process's document, or
 * the config's process (moved out of *ret_spec) without its terminal. *ret_spec and *ret_process are
 * the caller's to free; untouched on failure. */
int exec_load_process(const struct exec_opts *o, const struct state_record *rec, struct spec **ret_spec,
		      struct spec_process **ret_process, struct error *err);
/* exec's flags (args, --env, --cwd, --user, --cap, ...) written over p; a bad value is an error naming
 * its flag. */
int exec_apply_overrides(const struct exec_opts *o, struct spec_process *p, struct error *err);

#endif

/* The OCI lifecycle (runtime-spec runtime.md) as husk's library API: create, start, state, kill,
 * delete, list, ps, and run (create + start + wait). cmd/ parses flags and calls these. */
#ifndef HUSK_CONTAINER_H
#define HUSK_CONTAINER_H

#include <stdbool.h>
#include <sys/types.h>

#include "base/error.h"
#include "state.h"

struct create_opts {
	const char *root;
	const char *id;
	const char *bundle; /* NULL: the current directory */
	const char *pid_file;
	const char *console_socket;
	bool has_console_fd; /* run's own relay: a connected socket to send the pty master over */
	int console_fd;
	int preserve_fds;
	bool no_pivot;
	bool no_new_keyring;
	bool cgroups_disabled;
	bool rootless;	     /* --rootless (auto: not root): cgroups only where delegated */
	bool systemd_cgroup; /* --systemd-cgroup: the cgroup is a systemd scope (runtime/systemd.h) */
	bool foreground;     /* run without --detach: husk stays the parent */
};

/* Create the container; on success the init is blocked waiting for start and *ret_pid is its pid.
 * On failure everything is rolled back. */
int container_create(const struct create_opts *o, pid_t *ret_pid, struct error *err);
int container_start(const char *root, const char *id, struct error *err);
/* The OCI state JSON of a container (pretty-printed). */
int container_state_json(const char *root, const char *id, char **ret_json, struct error *err);
int container_kill(const char *root, const char *id, int sig, bool all, struct error *err);
int container_pause(const char *root, const char *id, bool pause, struct error *err);
/* Apply new resource limits to a created, running or paused container. */
int container_update(const char *root, const char *id, const struct spec_resources *r, struct error *err);
/* `events`: print stats every interval_ms (or once with stats_once) and OOM events as they happen, one
 * JSON object per line, until the container stops. */
int container_events(const char *root, const char *id, bool stats_once, int interval_ms, struct error *err);
int container_delete(const char *root, const char *id, bool force, struct error *err);
/* `run`: create, start, forward signals, wait; returns the exit status (128+N for a signal). */
int container_run(const struct create_opts *o, bool detach, bool keep, int *ret_status, struct error *err);
/* `run` holds the container's mount namespace while it waits, so that the init's exit does not wait for
 * its teardown; this lets go of it and waits until it is gone (no-op without a holder). delete calls it
 * before poststop hooks. */
void mntns_release(void);

struct container_info {
	char *id;
	pid_t pid;
	enum container_status status;
	char *bundle;
	char *created;
	char *owner;
	char *state_json; /* the OCI state, compact (for list --format json) */
};
int container_list(const char *root, struct container_info **ret, size_t *ret_n, struct error *err);
void container_info_free(struct container_info *v, size_t n);
int container_pids(const char *root, const char *id, pid_t **ret, size_t *ret_n, struct error *err);

/* Parse "TERM", "SIGTERM", "15". */
int signal_parse(const char *s, int *ret);

/* The current time as Go's RFC3339Nano (runc's state "created"), newly allocated. */
char *now_rfc3339(void);

#endif

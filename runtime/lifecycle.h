/* Internal to the lifecycle commands (lifecycle.c, delete.c): a container opened under its lock, and
 * the init's pidfd. */
#ifndef HUSK_LIFECYCLE_H
#define HUSK_LIFECYCLE_H

#include <stdbool.h>

#include "config/spec.h"
#include "state.h"

/* A container's directory, locked, with its record and the status derived from the live process. */
struct opened_container {
	int dirfd;
	struct state_record *rec;
	enum container_status status;
};

/* Open and lock (shared, or exclusive to change it) root/id and read its record; *ret is untouched on
 * failure. */
int container_open(const char *root, const char *id, bool exclusive, struct opened_container *ret,
		   struct error *err);
void container_close(struct opened_container *o);
/* *ret_fd: a pidfd for the init, or -1 when the pid now belongs to another process (or none). */
int container_init_pidfd(const struct state_record *rec, int *ret_fd, struct error *err);
/* Run the record's poststart or poststop hooks (from the config saved at create), warnings only. */
int container_state_hooks(const struct state_record *rec, enum spec_hook_kind kind, const char *status);

#endif

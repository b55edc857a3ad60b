/* The state directory of one container, <root>/<id>/: state.json (written once, atomically), a copy of
 * the exec socket while the container is "created". The directory itself is the lock:
 * flock on its fd serializes commands on one container and never blocks other containers. */
#ifndef HUSK_STATE_H
#define HUSK_STATE_H

#include <stdbool.h>
#include <sys/types.h>

#include "config/state-json.h"
#include "base/error.h"

enum container_status {
	STATUS_CREATING,
	STATUS_CREATED,
	STATUS_RUNNING,
	STATUS_PAUSED,
	STATUS_STOPPED,
};

#define STATE_FILE "state.json"
#define EXEC_SOCK  "exec.sock" /* listening socket of a created init; start connects to it */
/* what a create notes before anything it could leave behind: its pid and start time until it commits,
 * the systemd driver's scope, the cgroup path */
#define CREATE_NOTES	  "notes"
#define ROOTFS_MOUNT_NOTE "rootfs.mnt" /* without a mount namespace: the id of the rootfs self-bind */
/* state.json holds the raw config as a JSON string (each byte escapes to at most 2: `"`, `\\`, and the
 * whitespace newline, tab and return) and its annotations once more (at most their size in the config),
 * so 3 times the largest config plus the small fields bounds it: whatever create accepts, every later
 * command can read back. */
#define STATE_MAX_SIZE (3 * (size_t)SPEC_MAX_SIZE + (1u << 20))

const char *status_name(enum container_status s);

/* Container ids become directory names: letters, digits, "_+.-", at most 200 bytes, never "." or "..",
 * so a hostile id cannot make a state path escape --root. */
int state_validate_id(const char *id, struct error *err);
/* Create <root>/<id> exclusively (two creates of one id: exactly one wins) and lock it. */
int state_create_dir(const char *root, const char *id, int *ret_dirfd, struct error *err);
/* Open and lock an existing container's directory; "container 'x' does not exist" when missing. */
int state_open_dir(const char *root, const char *id, bool exclusive, int *ret_dirfd, struct error *err);
int state_remove_dir(const char *root, const char *id, int dirfd, struct error *err);
int state_write(int dirfd, const struct state_record *s, struct error *err);
/* The notes of a create (restore's too), written before the cgroup or the systemd scope is made, for a
 * delete --force after a create that died before state.json: the cgroup path and the unit name (NULL:
 * none). Not fsynced (cgroups do not survive a reboot either). With creator, the note also holds husk's
 * own pid and start time, and the file stays open in *ret_fd until state_note_committed marks the
 * container committed: so delete --force can tell a create stuck in a hook or on a console socket (which
 * may hold the lock for ever) from a short command (which it waits for). */
int state_note_create(int dirfd, bool creator, const char *cgroup_path, const char *unit, int *ret_fd,
		      struct error *err);
void state_note_committed(int fd);
/* What the notes name: NULL when none (or when the note is not in the shape create writes). */
char *state_noted_cgroup(int dirfd);
char *state_noted_unit(int dirfd);
/* delete --force: when root/id's lock is held by the create noted there, still alive (same start time),
 * kill that create and wait until it has died, so the lock can be taken; otherwise do nothing. */
int state_break_create(const char *root, const char *id, struct error *err);
int state_read(int dirfd, const char *id, struct state_record **ret, struct error *err);

/* Start time (clock ticks since boot) of pid, 0 when the process is gone. */
uint64_t proc_start_time(pid_t pid, char *ret_state);
/* Status derived from the live process (pid + start time), the freezer and the exec fifo. */
enum container_status state_status(int dirfd, const struct state_record *s);
/* True when pid is still the container's init (same start time, not a zombie). */
bool state_init_alive(const struct state_record *s);

#endif

/* Typed messages between husk (the parent) and the container init over a SOCK_SEQPACKET socketpair.
 * Each message is one datagram: a 4-byte type followed by an optional payload (an error text travels
 * whole, whatever its length, so `husk create` reports the init's real cause). */
#ifndef HUSK_SYNC_H
#define HUSK_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

enum sync_msg {
	SYNC_MAPS_DONE = 1, /* parent -> init: uid/gid maps written: go on */
	SYNC_HOOKS_RUN,	    /* init -> parent: mounts ready; run prestart/createRuntime hooks now */
	SYNC_HOOKS_DONE,    /* parent -> init: hooks succeeded */
	SYNC_READY,	    /* init -> parent: fully set up, about to wait for start */
	SYNC_ERROR,	    /* init -> parent: payload is the errno (int32) then the message */
	SYNC_COMMITTED,	    /* parent -> init: state.json is written; the init may outlive husk now */
	SYNC_CGROUP_JOIN,   /* parent -> init: join the container's cgroup by writing "0" to each
			     * descriptor attached (SCM_RIGHTS; none: the init is in it already) */
	SYNC_MOUNT_FDS,	    /* parent -> init: bind sources opened on the host (SCM_RIGHTS), payload
			     * their mount indexes (uint32_t each); an empty payload ends the list */
	SYNC_NETDEV_DONE,   /* parent -> init: linux.netDevices are in the network namespace */
	SYNC_CGROUP_MADE,   /* parent -> init: the cgroup's directories exist (an init cloned before
			     * them waits for this word before it binds them at /sys/fs/cgroup) */
};

int sync_send(int fd, enum sync_msg type, const void *payload, size_t len, struct error *err);
/* Receive one message; *ret_payload (NUL-terminated, malloc'd) may be NULL when not wanted.
 * A peer that exits without a word gives an error saying so. */
int sync_recv(int fd, enum sync_msg *ret_type, char **ret_payload, size_t *ret_len, struct error *err);
/* sync_send with up to SYNC_MAX_FDS descriptors attached (SCM_RIGHTS). */
#define SYNC_MAX_FDS 200
int sync_send_fds(int fd, enum sync_msg type, const void *payload, size_t len, const int *fds, size_t n_fds,
		  struct error *err);
/* sync_recv that also takes the attached descriptors (CLOEXEC) into fds (room for SYNC_MAX_FDS). */
int sync_recv_fds(int fd, enum sync_msg *ret_type, char **ret_payload, size_t *ret_len, int *fds,
		  size_t *ret_n_fds, struct error *err);
/* Receive and require type `want`; a SYNC_ERROR from the peer becomes err with its message. */
int sync_expect(int fd, enum sync_msg want, struct error *err);
/* The error a SYNC_ERROR payload carries, into err (errno and message); returns -1. */
int sync_error_from(const char *payload, size_t len, struct error *err);
/* In the init: report err, its errno and message, to the parent (best effort). */
void sync_send_error(int fd, const struct error *err);

#endif

/* Bind-mount sources opened on the host's side for an init in a user namespace (see mountsrc.c). */
#ifndef HUSK_MOUNTSRC_H
#define HUSK_MOUNTSRC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "config/spec.h"
#include "base/error.h"

/* Whether create should open the bind sources for the init: a user namespace, husk running as root,
 * and at least one bind mount. */
bool mountsrc_wanted(const struct spec *s, bool userns);
/* Parent: open every bind source in the init's new mount namespace (/proc/INIT/ns/mnt) and send the
 * descriptors on sock as SYNC_MOUNT_FDS messages, then the empty one that ends them. */
int mountsrc_send(const struct spec *s, const char *bundle, pid_t init, int sock, struct error *err);
/* Init: file the descriptors of one SYNC_MOUNT_FDS message into src_fds (indexed by mount, -1 where
 * none). -1 for a malformed message. */
int mountsrc_take(const char *payload, size_t len, const int *fds, size_t n_fds, int *src_fds,
		  size_t n_mounts);

#endif

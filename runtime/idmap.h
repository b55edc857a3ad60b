/* The uid and gid maps of a new user namespace. Root writes /proc/PID/uid_map and gid_map itself. An
 * unprivileged user may write one line mapping its own id (after "deny" in /proc/PID/setgroups, which
 * the kernel requires for gid_map); anything more goes through the setuid helpers newuidmap and
 * newgidmap (Debian package uidmap), which check the ranges against /etc/subuid and /etc/subgid. */
#ifndef HUSK_IDMAP_H
#define HUSK_IDMAP_H

#include <sys/types.h>

#include "config/spec.h"
#include "base/error.h"

int idmap_write(pid_t pid, const struct spec_linux *l, struct error *err);

#endif

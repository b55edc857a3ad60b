/* The husk image that enters a container must not be the host's writable binary (CVE-2019-5736 and its
 * whole class): create, run and exec move onto (or re-execute from) a read-only, detached bind mount of
 * their own binary (or, where husk may not mount, re-execute from a sealed memfd copy) before anything
 * else. */
#ifndef HUSK_SEALED_H
#define HUSK_SEALED_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/error.h"

/* Returns 0 when the running image is unwritable (read-only mount or write-sealed memfd), already or
 * after moving onto such a mount; otherwise re-executes husk with argv from such a copy and does not
 * return, or fails with err set. */
int sealed_ensure(char **argv, struct error *err);
/* Whether (dev, ino) is the husk binary: the host's file or the copy husk runs from. Recorded by
 * sealed_ensure in the host's mount namespace, never read through a container's /proc. */
bool sealed_is_runtime_binary(dev_t dev, ino_t ino);
/* The directory of husk's binary on the host, as it was before the move or the sealed re-exec hid it
 * (NULL when husk ran from an unwritable image already: then /proc/self/exe still names it). */
const char *sealed_host_dir(void);
/* This process's start time (proc(5) field 22) as sealed_ensure read it from /proc/self/stat while moving
 * onto the read-only mount, 0 when it did not (another process since, or no move). */
uint64_t sealed_self_start_time(void);
/* Reaps the child sealed_ensure left to close the read-only clone's last fd (see close_elsewhere in
 * sealed.c): with wait, blocks until it is gone (done at exit in any case); without, only if it is. */
void sealed_reap(bool wait);

#endif

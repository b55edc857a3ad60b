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

/* A process that keeps one fd for husk and drops it off husk's path: the last close of an fd that pins
 * a mount namespace waits for an RCU grace period (close_elsewhere here, run.c's namespace holder).
 * It shares husk's memory (CLONE_VM; not CLONE_THREAD, CLONE_FS or CLONE_FILES, so setns/unshare of a
 * user namespace still see a lone thread with its own fs), blocks every signal, closes every fd but fd
 * and gate (a caller reading husk's output through a pipe never waits on it), and exits, dropping fd,
 * when gate reads EOF. It has no exit signal (no stray SIGCHLD for relay.c's signalfd): its starter
 * reaps it. k must outlive it (static storage). Returns the pid or -1; the caller then closes its own
 * copies of fd and gate. */
struct fd_keeper {
	int fd, gate;
	char stack[16384] __attribute__((aligned(16)));
};
pid_t fd_keeper_start(struct fd_keeper *k, int fd, int gate);

#endif

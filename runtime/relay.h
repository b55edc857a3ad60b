/* husk's own terminal relay for `run` (no --console-socket): raw mode, window size, copy both ways. */
#ifndef HUSK_RELAY_H
#define HUSK_RELAY_H

#include <sys/types.h>

#include "base/error.h"

/* Block SIGCHLD and SIGWINCH (before the container starts) so relay_run's signalfd sees them. */
void relay_block_signals(void);
/* Receive the pty master the init sent over sock. */
int relay_recv_master(int sock, struct error *err);
/* Relay between stdin/stdout and master until pid exits; *ret_status is its exit status. */
int relay_run(int master, pid_t pid, int *ret_status, struct error *err);

#endif

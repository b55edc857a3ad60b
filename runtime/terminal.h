/* process.terminal: a pty from the container's own devpts, made the controlling terminal of the init,
 * bound to /dev/console, with the master handed to the caller's console socket (SCM_RIGHTS). */
#ifndef HUSK_TERMINAL_H
#define HUSK_TERMINAL_H

#include <stdbool.h>

#include "config/spec.h"
#include "base/error.h"

/* Connect to the unix socket at path (in the parent, host view); what names it in errors ("console
 * socket", "seccomp agent"). */
int terminal_connect(const char *path, const char *what, struct error *err);
/* In the init, after devpts is mounted and before pivot_root (bind_console: also bind the pty to
 * /dev/console); in exec, inside the container's mount namespace without it. */
int terminal_setup(int rootfd, int console_fd, const struct spec_process *p, bool bind_console,
		   struct error *err);
/* Clear ONLCR on a terminal (pty master or slave: they share the modes), as runc's relay does. */
void terminal_clear_onlcr(int fd);
/* Send fd over a unix socket with SCM_RIGHTS and name as the payload. */
int terminal_send_fd(int sock, int fd, const char *name, struct error *err);

#endif

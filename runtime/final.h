/* The last steps before the container's program runs, in one security-ordered sequence shared by the
 * container init (init.c) and `husk exec` (exec.c). */
#ifndef HUSK_FINAL_H
#define HUSK_FINAL_H

#include <stdbool.h>
#include <stddef.h>

#include "config/spec.h"
#include "base/error.h"
#include "seccomp.h"

struct final_args {
	const struct spec_process *p;
	const struct spec_linux *linux_; /* personality and seccomp */
	bool setgroups_allowed;		 /* false in a user namespace whose setgroups says deny */
	int preserve_fds;		 /* fds 3 .. 3+preserve_fds-1 go to the program */
	int listen_fds;			 /* LISTEN_FDS for the program (0: none) */
	int label_fd;			 /* from lsm_open_exec_attr, or -1 */
	const int *keep;		 /* husk's own sockets that must outlive the fd close, CLOEXEC */
	size_t n_keep;
	const struct seccomp_agent *agent;
	/* The caller's step once the program is known and everything but the filter is set (the init
	 * reports ready and waits for start; exec joins a frozen cgroup). NULL: none. */
	int (*gate)(void *ctx, struct error *err);
	void *ctx;
};

/* Runs the sequence and execs the program; returns only on failure, with err set. */
int final_exec(const struct final_args *f, struct error *err);

#endif

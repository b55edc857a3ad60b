/* The flags checkpoint and restore share, with runc's names and help texts. */
#ifndef HUSK_CRIU_OPTS_H
#define HUSK_CRIU_OPTS_H

#include <stdbool.h>
#include <stddef.h>

#include "cli.h"
#include "runtime/criu.h"

/* Room for the shared flags in a verb's table. */
#define CRIU_SHARED_OPTS 10

/* Append the shared flags to opts (n entries so far; at least CRIU_SHARED_OPTS free) and return the new
 * count. restore only changes the help of --image-path. --empty-ns collects into *empty_ns. */
size_t criu_shared_opts(struct opt *opts, size_t n, struct criu_args *a, struct strlist *empty_ns,
			bool restore);

#endif

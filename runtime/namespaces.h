/* The helper that clones a child inside a user namespace the caller stays out of, and the checked open
 * of a namespace file; the namespace table (ns_table, ns_kind_of) is nstable.h, included here. */
#ifndef HUSK_NAMESPACES_H
#define HUSK_NAMESPACES_H

#include <stdint.h>
#include <sys/types.h>

#include "nstable.h"
#include "base/error.h"

/* A child of the caller inside a user namespace (and a PID namespace, when pidns >= 0) that the caller
 * itself must stay out of, keeping its host credentials: a short-lived helper joins them and clones
 * with CLONE_PARENT|flags, so the child is still the caller's. The child runs child(arg), which must
 * not return. */
pid_t clone_parent_in(int userns, int pidns, uint64_t flags, void (*child)(void *), void *arg,
		      struct error *err);

/* Open a namespace file named by the config (linux.namespaces[].path) for setns: nothing but an nsfs
 * file of type nstype (a CLONE_NEW* flag) is ever opened readable. Returns the fd, or -1 with
 * *ret_problem NS_OPEN_ERRNO (errno tells), NS_OPEN_NOT_NSFS or NS_OPEN_WRONG_TYPE. */
enum {
	NS_OPEN_ERRNO,
	NS_OPEN_NOT_NSFS,
	NS_OPEN_WRONG_TYPE
};
int ns_open(const char *path, int nstype, int *ret_problem);

#endif

/* The one table of namespace types (config name, /proc name, clone flag, join order) and the
 * helper that clones a child inside a user namespace the caller stays out of. */
#ifndef HUSK_NAMESPACES_H
#define HUSK_NAMESPACES_H

#include <stdint.h>
#include <sys/types.h>

#include "config/spec.h"
#include "base/error.h"

struct ns_kind {
	enum spec_ns_type type;
	const char *name;      /* config.json's name: "network" */
	const char *proc;      /* /proc/<pid>/ns/<proc>: "net" */
	int flag;	       /* CLONE_NEW* */
	const char *flag_name; /* "CLONE_NEWNET", for --debug */
};

/* Every type once, in the order a process joins them (ns_table[0] first). */
extern const struct ns_kind ns_table[NS_TYPE_COUNT];

/* The entry of type t (NULL when t is out of range). */
const struct ns_kind *ns_kind_of(enum spec_ns_type t);

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

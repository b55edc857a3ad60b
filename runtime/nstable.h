/* The one table of namespace types (config name, /proc name, clone flag, join order): data only, a leaf
 * that includes nothing of runtime/ but config/spec.h's enum, so the narration (narrate.c), config/ and
 * the code that creates or joins namespaces (namespaces.c, container.c, init.c, exec.c) all read it
 * without depending on one another. */
#ifndef HUSK_NSTABLE_H
#define HUSK_NSTABLE_H

#include "config/spec.h"

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

#endif

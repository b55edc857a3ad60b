/* See nstable.h. */
#define _GNU_SOURCE
#include "nstable.h"

#include <sched.h>
#include <stddef.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* The join order: the user namespace first (the others belong to it); pid next (setns on it only
 * affects children, so it is joined before the fork or clone); the mount namespace last (it changes
 * what every path means). The time namespace is joined by the init on its own (init.c). */
#define NS(type, name, proc, flag)                                                                           \
	{                                                                                                    \
		type, name, proc, flag, #flag                                                                \
	}
const struct ns_kind ns_table[NS_TYPE_COUNT] = {
	NS(NS_USER, "user", "user", CLONE_NEWUSER),	NS(NS_PID, "pid", "pid", CLONE_NEWPID),
	NS(NS_IPC, "ipc", "ipc", CLONE_NEWIPC),		NS(NS_UTS, "uts", "uts", CLONE_NEWUTS),
	NS(NS_NETWORK, "network", "net", CLONE_NEWNET), NS(NS_CGROUP, "cgroup", "cgroup", CLONE_NEWCGROUP),
	NS(NS_TIME, "time", "time", CLONE_NEWTIME),	NS(NS_MOUNT, "mount", "mnt", CLONE_NEWNS),
};
#undef NS

const struct ns_kind *ns_kind_of(enum spec_ns_type t)
{
	for (size_t i = 0; i < NS_TYPE_COUNT; i++)
		if (ns_table[i].type == t)
			return &ns_table[i];
	return NULL;
}

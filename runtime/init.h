/* The container init: the process husk clones into the new namespaces. It finishes the isolation from
 * the inside, reports "ready" (or its whole error) to the parent, waits for `start` on the exec socket,
 * and execs the user's program. */
#ifndef HUSK_INIT_H
#define HUSK_INIT_H

#include <stdbool.h>

#include "config/spec.h"

struct init_args {
	const struct spec *spec;
	const char *id;
	const char *bundle;
	const char *rootfs;
	const char *cgroup_path;    /* NULL when cgroups are disabled */
	int sync_fd;		    /* our end of the socketpair with the parent */
	int lock_fd;		    /* the parent's locked state dir: closed first, the lock is not ours */
	int parent_sync_fd;	    /* the parent's end of the socketpair: closed first */
	int exec_listen_fd;	    /* listening socket that `start` connects to */
	int console_fd;		    /* connected --console-socket, or -1 */
	int seccomp_agent_fd;	    /* connected to linux.seccomp.listenerPath, or -1 */
	int ns_fds[NS_TYPE_COUNT];  /* fds of namespaces to join by path (indexed by enum spec_ns_type), or -1
				     */
	bool new_ns[NS_TYPE_COUNT]; /* namespaces created for the container */
	bool userns;		    /* inside a user namespace (new or joined) */
	bool wait_maps;	     /* new user namespace: the parent writes the id maps, then SYNC_MAPS_DONE */
	bool dumpable_setup; /* rootless user namespace: dumpable until final_exec (see init_main) */
	bool wait_cgroup;    /* SYNC_CGROUP_JOIN comes while we set up: we join the cgroup before READY */
	bool cgroup_joined;
	bool wait_cgroup_made; /* cloned before the cgroup existed: SYNC_CGROUP_MADE comes before the
				* cgroup mount may bind its directories (container.c, early_clone) */
	bool cgroup_made;
	bool cgroupns_made; /* new_ns[NS_CGROUP]'s unshare is done (new_ns stays: the mounts read it) */
	bool cgroup_before_mounts; /* the cgroup exists only once the parent says so (systemd's scope) */
	bool parent_hooks;	   /* prestart/createRuntime hooks run by the parent mid-setup */
	bool mount_srcs;	   /* the parent opens the bind sources and sends them (SYNC_MOUNT_FDS) */
	bool wait_netdevs;	   /* linux.netDevices: the parent moves them in, then SYNC_NETDEV_DONE */
	int *src_fds; /* those descriptors by mount index (-1: none), while the mounts are made */
	bool no_pivot;
	bool no_new_keyring;
	int preserve_fds;
	int listen_fds; /* LISTEN_FDS passed through (socket activation) */
};

/* Never returns: execs the program or exits non-zero after reporting the error. */
__attribute__((noreturn)) void init_main(struct init_args *a);

#endif

/* Internal to create (container.c, create-prep.c): the state of one create while it runs. */
#ifndef HUSK_CREATE_H
#define HUSK_CREATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "container.h"
#include "init.h"
#include "systemd.h"

struct create_ctx {
	const struct create_opts *o;
	struct spec *spec;
	char *raw_config;
	size_t raw_len;
	char *bundle;
	char *rootfs;
	char *cgroup_path;
	bool cgroup_default;	/* linux.cgroupsPath missing: /<id>, which must not exist yet */
	struct systemd_unit sd; /* --systemd-cgroup: the scope (sd.unit NULL otherwise) */
	bool sd_started;	/* the scope was asked for: a rollback stops it */
	int dirfd;
	int sync[2];
	int listen_fd; /* the exec socket: made before the clone, bound once the init runs */
	int notes_fd;  /* the notes, until the commit marks them */
	pid_t pid;
	unsigned long cgroup_created; /* hierarchies where create made the cgroup */
	unsigned long cgroup_early;   /* hierarchies made before the early clone (the v2 tree) */
	int cgroup_fd;		      /* its v2 directory, for CLONE_INTO_CGROUP (-1: none, or used) */
	bool cgroup_v2_only;	      /* the v2 tree is the only hierarchy: born there, the init is in */
	bool born_in_cgroup;	      /* the init was cloned into the v2 cgroup (no cgroup.procs write) */
	bool early_clone;	      /* the init is cloned before its cgroup exists (want_early_clone) */
	bool cgroup_touched;	      /* the cgroup was made: the init may be in it (rollback empties it) */
	bool host_mntns;	      /* no mount namespace: the init mounts in ours (rootfs.c) */
	uint64_t rootfs_mnt_before;   /* then: the mount on top of the rootfs before the init ran */
	int netns_fd;		      /* linux.netDevices: where they go (a new namespace: held here) */
	struct init_args init;
};

/* create-prep.c: what create checks and prepares before anything exists on the system. */
/* The bundle and its config: realpath of the bundle, config.json, a rootfs that is a real directory. */
int create_load_bundle(struct create_ctx *c, struct error *err);
/* Cross-field checks that need the whole config (and create's flags). */
int create_check_config(struct create_ctx *c, struct error *err);
/* Open every namespace path now (in the host's view); *ret_flags: the clone flags of the new ones. */
int create_prepare_namespaces(struct create_ctx *c, uint64_t *ret_flags, struct error *err);
/* The cgroup path (cgroupfs or a systemd scope), or none (disabled, or rootless without delegation). */
int create_resolve_cgroup(struct create_ctx *c, struct error *err);
/* The init's arguments, once the state directory, the sockets and the cgroup exist; connects the console
 * and seccomp agent sockets. */
int create_init_args(struct create_ctx *c, struct error *err);

#endif

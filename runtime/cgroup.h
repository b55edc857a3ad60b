/* Cgroups: the hierarchies this host mounts (v1 controllers, the v2 unified tree, or both), and a
 * container's cgroup in each of them: create, enter, list, freeze, kill, destroy. */
#ifndef HUSK_CGROUP_H
#define HUSK_CGROUP_H

#include <stdbool.h>
#include <sys/types.h>

#include "cgroup-plan.h"
#include "config/spec.h"
#include "base/error.h"

enum cgroup_mode {
	CGROUP_MODE_V1,	    /* only v1 controllers */
	CGROUP_MODE_HYBRID, /* v1 controllers plus a v2 tree (e.g. /sys/fs/cgroup/unified) */
	CGROUP_MODE_V2,	    /* the unified hierarchy only */
};

struct cgroup_hierarchy {
	char *mountpoint;  /* /sys/fs/cgroup/memory */
	char *controllers; /* "memory", "cpu,cpuacct", "name=systemd"; "" for v2 */
	bool v2;
};

struct cgroup_layout {
	enum cgroup_mode mode;
	struct cgroup_hierarchy *h;
	size_t n;
};

/* Read the host's layout from /proc/self/mountinfo (cached for the process). */
const struct cgroup_layout *cgroup_layout(struct error *err);
/* The mountpoint of the hierarchy holding controller (or the v2 tree when controller is NULL). */
const struct cgroup_hierarchy *cgroup_find(const char *controller);

/* Whether linux.cgroupsPath is missing or "": the cgroup is then husk's to make, at /<id>. */
bool cgroup_path_is_default(const char *cgroups_path);
/* Resolve linux.cgroupsPath: absolute as given, relative under husk's own cgroup, missing as /<id>;
 * ".." components are refused so a path cannot leave the hierarchy. */
int cgroup_resolve_path(const char *cgroups_path, const char *id, char **ret, struct error *err);
/* Whether the caller may make (or already has) the cgroup in every hierarchy: for a rootless
 * container, true only in a subtree delegated to the user (e.g. a writable cgroup v2 directory). */
bool cgroup_writable(const char *path);
/* Bit i set for each hierarchy i of the layout that is the v2 tree (0: none, or no layout). */
unsigned long cgroup_v2_bits(void);
/* Create the cgroup in the hierarchies of mask which (bit i: hierarchy i; ~0UL: every one); bit i of
 * *ret_created (the caller's, starts at 0) is set where hierarchy i had no such cgroup before (a
 * rollback removes only those: a cgroup that existed before is not ours). fresh (the default path): a
 * cgroup that exists already in any of them is refused, and the ones this call made before that are
 * removed again (their bits cleared). */
int cgroup_create(const char *path, bool fresh, unsigned long which, unsigned long *ret_created,
		  struct error *err);
/* Move pid, a whole process, into the cgroup in every hierarchy (cgroup.procs: on a host with v1
 * hierarchies each write waits for an RCU grace period; a process that joins by itself uses
 * cgroup_open_procs instead). */
int cgroup_enter(const char *path, pid_t pid, struct error *err);
/* A directory fd (O_CLOEXEC) of the cgroup in the v2 tree, for clone3's CLONE_INTO_CGROUP, when that
 * directory is one cgroup_create made (bit set in created); -1 otherwise (no v2 tree, or a cgroup that
 * existed before, which is joined through cgroup.procs as runc does). *ret_all: the v2 tree is the only
 * hierarchy, so a process born there needs no migration at all. */
int cgroup_open_v2_dir(const char *path, unsigned long created, bool *ret_all);
/* Open, in the hierarchies of mask which (at most max), the file through which a single-threaded
 * process joins the cgroup by writing "0": tasks in a v1 hierarchy (the kernel moves the writer's own
 * thread without the global lock whose taking waits for an RCU grace period), cgroup.procs in the v2
 * tree. The freezer's hierarchy comes last. sub (exec --cgroup, runc's [CONTROLLER[,CONTROLLER]:]PATH,
 * may be NULL) names an existing cgroup below path to use instead, in the hierarchies of the listed
 * controllers (all without a list). ret_names (may be NULL; *ret_names NULL on entry): the files' paths,
 * one per line, in the fds' order (malloc'd). */
int cgroup_open_procs(const char *path, const char *sub, unsigned long which, int *fds, size_t max,
		      size_t *ret_n, char **ret_names, struct error *err);
/* Join by writing "0" to each of cgroup_open_procs' n descriptors (but the skip-th: SIZE_MAX for none),
 * in order, closing every one (set to -1) whatever happens; names: their paths from ret_names, for the
 * error ("join cgroup: write '0' to 'PATH': ..."). The caller must be a single thread. */
int cgroup_join_self(int *fds, size_t n, const char *names, size_t skip, struct error *err);
/* The same cgroup's directory in the v2 tree (the sub-cgroup where sub applies to it), for clone3's
 * CLONE_INTO_CGROUP, or -1 (no v2 tree, or it cannot be opened: the join is by cgroup.procs then).
 * *ret_index: which of cgroup_open_procs' fds is that tree's cgroup.procs. */
int cgroup_open_v2_join_dir(const char *path, const char *sub, size_t *ret_index);
/* All pids in the cgroup (host view). */
int cgroup_pids(const char *path, pid_t **ret, size_t *ret_n, struct error *err);
/* Signal every process of the cgroup. */
int cgroup_signal_all(const char *path, int sig, struct error *err);
/* Kill everything and remove the directories, waiting (bounded) for processes to leave. */
int cgroup_destroy(const char *path, struct error *err);
/* The same, removing the directory only in the hierarchies of mask `which`. */
int cgroup_destroy_some(const char *path, unsigned long which, struct error *err);
bool cgroup_is_frozen(const char *path);
/* Refuse (EBUSY, naming the file) a cgroup just made, or joined, that is frozen in effect, e.g. under a
 * frozen parent: a process joining it stops at once, and create would wait for the init forever. Only
 * the freezer and v2 hierarchies of mask which are read. */
int cgroup_refuse_frozen(const char *path, unsigned long which, struct error *err);
/* Before create makes anything: refuse a cgroup that is already frozen (runc's "container's cgroup
 * unexpectedly frozen"), warn as runc when it already holds processes. fresh (the default path): refuse
 * a cgroup that exists at all, in any hierarchy. */
int cgroup_check_existing(const char *path, bool fresh, struct error *err);
/* OOM kills counted in the container's memory cgroup (0 when unknown). */
uint64_t cgroup_oom_kills(const char *path);
/* Freeze or thaw every process of the cgroup and wait until the kernel reports it done. */
int cgroup_freeze(const char *path, bool freeze, struct error *err);
/* Write the limits of linux.resources into the cgroup (device rules apart: cgroup_devices); a resource
 * husk cannot enforce is an error naming it. */
int cgroup_apply_resources(const char *path, const struct spec_resources *r, struct error *err);
/* Check r against this host before anything is created: every controller it needs must exist. */
int cgroup_check_resources(const struct spec_resources *r, struct error *err);
/* Device rules, followed by the devices every container needs (/dev/null, ptys...) as runc does: the
 * v1 devices controller, or an eBPF program on cgroup v2. Applied once the init has made its /dev
 * nodes (runc applies them at the same point). */
int cgroup_devices(const char *path, const struct spec_resources *r, struct error *err);

/* Whether the device rules (and the defaults after them) allow the mknod of every node in `nodes`: then
 * the init's mknods do the same whether the rules are in place yet or not, and they may be written while
 * it builds its rootfs instead of after it reported ready. */
bool cgroup_devices_allow_nodes(const struct spec_resources *r, const struct spec_device *nodes,
				size_t n_nodes);

/* One write to devices.allow (allow) or devices.deny of the v1 controller. */
struct cg_dev_rule {
	bool allow;
	char type; /* 'a' (all: the default changes), 'c', 'b' */
	char major[24], minor[24];
	char access[4];
};
/* The writes that take a v1 devices cgroup whose devices.list reads `list` to the state of the rules
 * (followed by the always-allowed devices) applied on top of it: what was allowed before and after
 * stays allowed at every step. runc's devices emulator computes the same transition. */
int cgroup_devices_transition(const char *list, const struct spec_device_cgroup *rules, size_t n,
			      struct cg_dev_rule **ret, size_t *ret_n, struct error *err);

/* cgroup-apply.c: carry out a plan of cgroup-plan.c on the container's cgroup at path. */
int cgroup_plan_apply(const struct cg_plan *p, const char *path, struct error *err);
/* Which controllers live only in the v2 tree on this host. */
unsigned long cgroup_v2_mask(void);
/* Enable the controllers of mask in the cgroup.subtree_control of every ancestor of path (v2). */
int cgroup_v2_enable(const char *path, unsigned long mask, struct error *err);

#endif

/* The OCI runtime-spec config (v1.0 - v1.3) as plain C structs. config/ parses config.json into these,
 * validates the whole thing, and nothing outside config/ ever sees a jansson value.
 * Optional scalars carry a has_ flag; strings are NULL when absent; arrays are (pointer, count). */
#ifndef HUSK_SPEC_H
#define HUSK_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "mountopt.h"
#include "runtime/base/error.h"

/* The largest config.json husk accepts: large enough for any real config (seccomp profiles are the big
 * part, ~30 KiB), small enough that a runaway file cannot eat the host's memory. */
#define SPEC_MAX_SIZE (64u << 20)

/* Keys and values of a JSON object of strings, in document order. */
struct spec_map {
	char **keys;
	char **values;
	size_t n;
};

struct spec_id_mapping {
	uint32_t container_id;
	uint32_t host_id;
	uint32_t size;
};

struct spec_mount {
	char *destination; /* required; absolute for Linux */
	char *type;	   /* NULL means bind when options contain bind/rbind */
	char *source;
	char **options; /* as written (state, CRIU and --debug show them) */
	size_t n_options;
	struct mount_opts opts; /* the same, parsed once here: flags, attributes, data */
	struct spec_id_mapping *uid_mappings;
	size_t n_uid_mappings;
	struct spec_id_mapping *gid_mappings;
	size_t n_gid_mappings;
};

struct spec_user {
	uint32_t uid;
	uint32_t gid;
	bool has_umask;
	uint32_t umask;
	uint32_t *additional_gids;
	size_t n_additional_gids;
	char *username; /* Windows only in the spec; kept for completeness */
};

enum spec_cap_set {
	CAPSET_BOUNDING,
	CAPSET_EFFECTIVE,
	CAPSET_INHERITABLE,
	CAPSET_PERMITTED,
	CAPSET_AMBIENT,
	CAPSET_COUNT,
};

struct spec_capabilities {
	uint64_t sets[CAPSET_COUNT]; /* bit N = capability N (CAP_CHOWN is bit 0) */
};

struct spec_rlimit {
	int resource; /* RLIMIT_* */
	char *type;   /* "RLIMIT_NOFILE" */
	uint64_t soft;
	uint64_t hard;
};

struct spec_io_priority {
	int ioprio_class; /* IOPRIO_CLASS_RT/BE/IDLE */
	int priority;
};

struct spec_scheduler {
	int policy; /* SCHED_* */
	bool has_nice;
	int32_t nice;
	bool has_priority;
	int32_t priority;
	uint64_t flags; /* SCHED_FLAG_* */
	uint64_t runtime;
	uint64_t deadline;
	uint64_t period;
};

/* process.execCPUAffinity.initial or .final, parsed once (config/parse.c): cpus is a cpu_set_t from
 * CPU_ALLOC (void * so that this header needs no _GNU_SOURCE) of size bytes, holding exactly the CPUs of
 * the list; NULL when the field is absent or empty (the spec's "do not change the affinity"). list is
 * the config's text, kept only for --debug and error messages. */
struct spec_cpu_affinity {
	char *list;
	void *cpus;
	size_t size;
};

struct spec_process {
	bool terminal;
	bool has_console_size;
	uint32_t console_height;
	uint32_t console_width;
	struct spec_user user;
	char **args;
	size_t n_args;
	char *command_line; /* Windows only */
	char **env;
	size_t n_env;
	char *cwd; /* required, absolute */
	bool has_capabilities;
	struct spec_capabilities capabilities;
	struct spec_rlimit *rlimits;
	size_t n_rlimits;
	bool no_new_privileges;
	char *apparmor_profile;
	char *selinux_label;
	bool has_oom_score_adj;
	int oom_score_adj;
	bool has_io_priority;
	struct spec_io_priority io_priority;
	bool has_scheduler;
	struct spec_scheduler scheduler;
	struct spec_cpu_affinity exec_cpu_affinity_initial;
	struct spec_cpu_affinity exec_cpu_affinity_final;
};

struct spec_hook {
	char *path;
	char **args;
	size_t n_args;
	char **env;
	size_t n_env;
	bool has_timeout;
	int64_t timeout; /* seconds, 1..INT32_MAX */
};

enum spec_hook_kind {
	HOOK_PRESTART,
	HOOK_CREATE_RUNTIME,
	HOOK_CREATE_CONTAINER,
	HOOK_START_CONTAINER,
	HOOK_POSTSTART,
	HOOK_POSTSTOP,
	HOOK_KIND_COUNT,
};

struct spec_hooks {
	struct spec_hook *hooks[HOOK_KIND_COUNT];
	size_t n[HOOK_KIND_COUNT];
};

enum spec_ns_type {
	NS_PID,
	NS_NETWORK,
	NS_MOUNT,
	NS_IPC,
	NS_UTS,
	NS_USER,
	NS_CGROUP,
	NS_TIME,
	NS_TYPE_COUNT,
};

struct spec_namespace {
	enum spec_ns_type type;
	char *path; /* NULL: create a new one */
};

struct spec_time_offset {
	bool set;
	int64_t secs;
	uint32_t nanosecs;
};

struct spec_device {
	char type; /* 'c', 'b', 'u', 'p' */
	char *path;
	int64_t major;
	int64_t minor;
	bool has_file_mode;
	uint32_t file_mode;
	bool has_uid;
	uint32_t uid;
	bool has_gid;
	uint32_t gid;
};

struct spec_device_cgroup {
	bool allow;
	char type; /* 'a', 'c', 'b'; 'a' when absent */
	bool has_major;
	int64_t major; /* absent means any (-1 in the kernel's terms) */
	bool has_minor;
	int64_t minor;
	char *access; /* subset of "rwm"; NULL means "rwm" */
};

struct spec_memory {
	bool has_limit;
	int64_t limit;
	bool has_reservation;
	int64_t reservation;
	bool has_swap;
	int64_t swap;
	bool has_kernel;
	int64_t kernel;
	bool has_kernel_tcp;
	int64_t kernel_tcp;
	bool has_swappiness;
	uint64_t swappiness;
	bool has_disable_oom_killer;
	bool disable_oom_killer;
	bool has_use_hierarchy;
	bool use_hierarchy;
	bool has_check_before_update;
	bool check_before_update;
};

struct spec_cpu {
	bool has_shares;
	uint64_t shares;
	bool has_quota;
	int64_t quota;
	bool has_burst;
	uint64_t burst;
	bool has_period;
	uint64_t period;
	bool has_realtime_runtime;
	int64_t realtime_runtime;
	bool has_realtime_period;
	uint64_t realtime_period;
	char *cpus;
	char *mems;
	bool has_idle;
	int64_t idle;
};

struct spec_blkio_weight_device {
	int64_t major;
	int64_t minor;
	bool has_weight;
	uint32_t weight; /* at most UINT16_MAX, as runc's *uint16 */
	bool has_leaf_weight;
	uint32_t leaf_weight;
};

struct spec_blkio_throttle {
	int64_t major;
	int64_t minor;
	uint64_t rate;
};

enum spec_throttle_kind {
	THROTTLE_READ_BPS,
	THROTTLE_WRITE_BPS,
	THROTTLE_READ_IOPS,
	THROTTLE_WRITE_IOPS,
	THROTTLE_KIND_COUNT,
};

struct spec_blkio {
	bool has_weight;
	uint32_t weight; /* at most UINT16_MAX, as runc's *uint16 */
	bool has_leaf_weight;
	uint32_t leaf_weight;
	struct spec_blkio_weight_device *weight_devices;
	size_t n_weight_devices;
	struct spec_blkio_throttle *throttle[THROTTLE_KIND_COUNT];
	size_t n_throttle[THROTTLE_KIND_COUNT];
};

struct spec_hugepage_limit {
	char *page_size; /* "2MB" */
	uint64_t limit;
};

struct spec_net_priority {
	char *name;
	uint32_t priority;
};

struct spec_rdma {
	char *device;
	bool has_hca_handles;
	uint32_t hca_handles;
	bool has_hca_objects;
	uint32_t hca_objects;
};

struct spec_resources {
	struct spec_device_cgroup *devices;
	size_t n_devices;
	bool has_memory;
	struct spec_memory memory;
	bool has_cpu;
	struct spec_cpu cpu;
	bool has_pids;
	int64_t pids_limit;
	bool has_blkio;
	struct spec_blkio blkio;
	struct spec_hugepage_limit *hugepage_limits;
	size_t n_hugepage_limits;
	bool has_network;
	bool has_class_id;
	uint32_t class_id;
	struct spec_net_priority *net_priorities;
	size_t n_net_priorities;
	struct spec_rdma *rdma;
	size_t n_rdma;
	struct spec_map unified;
};

enum spec_seccomp_action {
	SECCOMP_ACT_KILL, /* SCMP_ACT_KILL == KILL_THREAD */
	SECCOMP_ACT_KILL_PROCESS,
	SECCOMP_ACT_KILL_THREAD,
	SECCOMP_ACT_TRAP,
	SECCOMP_ACT_ERRNO,
	SECCOMP_ACT_TRACE,
	SECCOMP_ACT_ALLOW,
	SECCOMP_ACT_LOG,
	SECCOMP_ACT_NOTIFY,
	SECCOMP_ACT_COUNT,
};

enum spec_seccomp_op {
	SECCOMP_OP_NE,
	SECCOMP_OP_LT,
	SECCOMP_OP_LE,
	SECCOMP_OP_EQ,
	SECCOMP_OP_GE,
	SECCOMP_OP_GT,
	SECCOMP_OP_MASKED_EQ,
	SECCOMP_OP_COUNT,
};

/* Flag bits of linux.seccomp.flags. */
#define SPEC_SECCOMP_FLAG_TSYNC		     (1u << 0)
#define SPEC_SECCOMP_FLAG_LOG		     (1u << 1)
#define SPEC_SECCOMP_FLAG_SPEC_ALLOW	     (1u << 2)
#define SPEC_SECCOMP_FLAG_WAIT_KILLABLE_RECV (1u << 3)

struct spec_seccomp_arg {
	uint32_t index;
	uint64_t value;
	uint64_t value_two;
	enum spec_seccomp_op op;
};

struct spec_seccomp_syscall {
	char **names;
	size_t n_names;
	enum spec_seccomp_action action;
	bool has_errno_ret;
	uint32_t errno_ret;
	struct spec_seccomp_arg *args;
	size_t n_args;
};

struct spec_seccomp {
	enum spec_seccomp_action default_action;
	bool has_default_errno_ret;
	uint32_t default_errno_ret;
	char **architectures; /* "SCMP_ARCH_X86_64", validated against libseccomp */
	size_t n_architectures;
	uint32_t flags; /* SPEC_SECCOMP_FLAG_* */
	char *listener_path;
	char *listener_metadata;
	struct spec_seccomp_syscall *syscalls;
	size_t n_syscalls;
};

struct spec_intel_rdt {
	char *clos_id;
	char **schemata;
	size_t n_schemata;
	char *l3_cache_schema;
	char *mem_bw_schema;
	bool enable_cmt;
	bool enable_mbm;
	bool enable_monitoring;
};

struct spec_personality {
	unsigned long domain; /* PER_LINUX or PER_LINUX32 */
	unsigned long flags;  /* ADDR_NO_RANDOMIZE, ...: the bits personality(2) takes */
};

/* <linux/mempolicy.h> is missing or incomplete on many systems: the kernel's values. */
#define HUSK_MPOL_DEFAULT	      0
#define HUSK_MPOL_PREFERRED	      1
#define HUSK_MPOL_BIND		      2
#define HUSK_MPOL_INTERLEAVE	      3
#define HUSK_MPOL_LOCAL		      4
#define HUSK_MPOL_PREFERRED_MANY      5
#define HUSK_MPOL_WEIGHTED_INTERLEAVE 6
#define HUSK_MPOL_F_NUMA_BALANCING    (1 << 13)
#define HUSK_MPOL_F_RELATIVE_NODES    (1 << 14)
#define HUSK_MPOL_F_STATIC_NODES      (1 << 15)
#define SPEC_MAX_NUMA_NODES	      1024 /* the kernel's largest MAX_NUMNODES (NODES_SHIFT 10) */

struct spec_memory_policy {
	int mode; /* MPOL_* */
	char *nodes;
	unsigned int flags; /* MPOL_F_* */
	/* nodes as set_mempolicy's mask: bit n is node n; highest_node is -1 when nodes is empty */
	unsigned long node_mask[SPEC_MAX_NUMA_NODES / (8 * sizeof(unsigned long))];
	int highest_node;
};

struct spec_net_device {
	char *host_name; /* the key in netDevices */
	char *name;	 /* name inside the container; NULL (or "" in the config) keeps the host name */
};

/* A network interface name the kernel accepts (dev_valid_name: 1 to 15 bytes, no '/', ':' or
 * whitespace, not "." or ".."); template_ok: one "%d" lets the kernel pick a free number. */
bool spec_valid_ifname(const char *s, bool template_ok);

struct spec_linux {
	struct spec_namespace *namespaces;
	size_t n_namespaces;
	struct spec_id_mapping *uid_mappings;
	size_t n_uid_mappings;
	struct spec_id_mapping *gid_mappings;
	size_t n_gid_mappings;
	struct spec_time_offset time_boottime;
	struct spec_time_offset time_monotonic;
	struct spec_device *devices;
	size_t n_devices;
	char *cgroups_path;
	bool has_resources;
	struct spec_resources resources;
	bool has_intel_rdt;
	struct spec_intel_rdt intel_rdt;
	struct spec_map sysctl;
	bool has_seccomp;
	struct spec_seccomp seccomp;
	bool has_rootfs_propagation;
	unsigned long rootfs_propagation; /* MS_SHARED, MS_SLAVE, MS_PRIVATE or MS_UNBINDABLE */
	char **masked_paths;
	size_t n_masked_paths;
	char **readonly_paths;
	size_t n_readonly_paths;
	char *mount_label;
	bool has_personality;
	struct spec_personality personality;
	bool has_memory_policy;
	struct spec_memory_policy memory_policy;
	struct spec_net_device *net_devices;
	size_t n_net_devices;
};

struct spec {
	char *oci_version;
	char *root_path; /* as written; may be relative to the bundle */
	bool root_readonly;
	bool has_process;
	struct spec_process process;
	char *hostname;
	char *domainname;
	struct spec_mount *mounts;
	size_t n_mounts;
	struct spec_hooks hooks;
	struct spec_map annotations;
	bool has_linux;
	struct spec_linux linux_;
};

/* Parse a complete config.json held in data. `name` is the file name used in error messages
 * ("config.json"). Validates everything that does not need the running system; see spec_validate. */
int spec_parse(const char *data, size_t len, const char *name, struct spec **ret, struct error *err);
/* Read and parse bundle/config.json, then spec_validate it. */
int spec_load(const char *bundle, struct spec **ret, char **ret_raw, size_t *ret_len, struct error *err);
/* Checks that need the host: namespace paths exist, capabilities known to the kernel. */
int spec_validate(const struct spec *spec, const char *name, struct error *err);
void spec_free(struct spec *spec);

/* Partial documents used by `update --resources` and `exec --process`. */
int spec_parse_resources(const char *data, size_t len, const char *name, struct spec_resources **ret,
			 struct error *err);
void spec_resources_free(struct spec_resources *r);
int spec_parse_process(const char *data, size_t len, const char *name, struct spec_process **ret,
		       struct error *err);
void spec_process_free(struct spec_process *p);

/* Name tables shared with `features`, the runtime and the tests. */
const char *spec_ns_type_name(enum spec_ns_type t); /* "pid", "network", ... */
/* The namespace that isolates sysctl `key`; NS_TYPE_COUNT when none does (it would change the host). */
enum spec_ns_type spec_sysctl_namespace(const char *key);
int spec_ns_type_from_name(const char *name); /* -1 when unknown */
const char *spec_hook_kind_name(enum spec_hook_kind k);
const char *spec_seccomp_action_name(enum spec_seccomp_action a); /* "SCMP_ACT_ERRNO" */
const char *spec_seccomp_op_name(enum spec_seccomp_op op);	  /* "SCMP_CMP_EQ" */
/* NULL-terminated lists for `features`. */
extern const char *const spec_seccomp_flag_names[];
extern const char *const spec_rlimit_names[];
int spec_rlimit_from_name(const char *name); /* -1 when unknown */
/* Capability names (CAP_CHOWN...) via libcap; -1 when unknown. */
int spec_cap_from_name(const char *name);
/* Highest capability number the running kernel knows (from /proc/sys/kernel/cap_last_cap). */
int spec_cap_last_cap(void);

#endif

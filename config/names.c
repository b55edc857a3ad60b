/* Name tables of the runtime-spec: namespace types, hook kinds, seccomp actions, operators and flags,
 * mount options, rlimits, capabilities (through libcap) and the Linux constants the names stand for. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/resource.h>

#include "runtime/base/util.h"
#include "runtime/nstable.h"
#include "parse-util.h"
#include "spec.h"

/* Constants older libc headers lack; values from the kernel's uapi headers. */
#ifndef SCHED_ISO
#define SCHED_ISO 4
#endif
#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE 6
#endif
#ifndef SCHED_FLAG_RESET_ON_FORK
#define SCHED_FLAG_RESET_ON_FORK  0x01
#define SCHED_FLAG_RECLAIM	  0x02
#define SCHED_FLAG_DL_OVERRUN	  0x04
#define SCHED_FLAG_KEEP_POLICY	  0x08
#define SCHED_FLAG_KEEP_PARAMS	  0x10
#define SCHED_FLAG_UTIL_CLAMP_MIN 0x20
#define SCHED_FLAG_UTIL_CLAMP_MAX 0x40
#endif
/* <linux/ioprio.h> and <linux/mempolicy.h> are missing or incomplete on many systems. */
#define HUSK_IOPRIO_CLASS_RT   1
#define HUSK_IOPRIO_CLASS_BE   2
#define HUSK_IOPRIO_CLASS_IDLE 3

static const char *const hook_names[HOOK_KIND_COUNT] = {
	[HOOK_PRESTART] = "prestart",
	[HOOK_CREATE_RUNTIME] = "createRuntime",
	[HOOK_CREATE_CONTAINER] = "createContainer",
	[HOOK_START_CONTAINER] = "startContainer",
	[HOOK_POSTSTART] = "poststart",
	[HOOK_POSTSTOP] = "poststop",
};

const struct spec_name spec_seccomp_action_table[] = {
	{ "SCMP_ACT_KILL", SECCOMP_ACT_KILL },
	{ "SCMP_ACT_KILL_PROCESS", SECCOMP_ACT_KILL_PROCESS },
	{ "SCMP_ACT_KILL_THREAD", SECCOMP_ACT_KILL_THREAD },
	{ "SCMP_ACT_TRAP", SECCOMP_ACT_TRAP },
	{ "SCMP_ACT_ERRNO", SECCOMP_ACT_ERRNO },
	{ "SCMP_ACT_TRACE", SECCOMP_ACT_TRACE },
	{ "SCMP_ACT_ALLOW", SECCOMP_ACT_ALLOW },
	{ "SCMP_ACT_LOG", SECCOMP_ACT_LOG },
	{ "SCMP_ACT_NOTIFY", SECCOMP_ACT_NOTIFY },
	{ NULL, 0 },
};

const struct spec_name spec_seccomp_op_table[] = {
	{ "SCMP_CMP_NE", SECCOMP_OP_NE },
	{ "SCMP_CMP_LT", SECCOMP_OP_LT },
	{ "SCMP_CMP_LE", SECCOMP_OP_LE },
	{ "SCMP_CMP_EQ", SECCOMP_OP_EQ },
	{ "SCMP_CMP_GE", SECCOMP_OP_GE },
	{ "SCMP_CMP_GT", SECCOMP_OP_GT },
	{ "SCMP_CMP_MASKED_EQ", SECCOMP_OP_MASKED_EQ },
	{ NULL, 0 },
};

const struct spec_name spec_seccomp_flag_table[] = {
	{ "SECCOMP_FILTER_FLAG_TSYNC", SPEC_SECCOMP_FLAG_TSYNC },
	{ "SECCOMP_FILTER_FLAG_LOG", SPEC_SECCOMP_FLAG_LOG },
	{ "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SPEC_SECCOMP_FLAG_SPEC_ALLOW },
	{ "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SPEC_SECCOMP_FLAG_WAIT_KILLABLE_RECV },
	{ NULL, 0 },
};

/* The spec names four values; runc also takes the recursive spellings that docker writes ("rslave").
 * The runtime applies rootfs propagation recursively either way, so both map to the same flag. */
const struct spec_name spec_propagation_table[] = {
	{ "shared", MS_SHARED },
	{ "slave", MS_SLAVE },
	{ "private", MS_PRIVATE },
	{ "unbindable", MS_UNBINDABLE },
	{ "rshared", MS_SHARED },
	{ "rslave", MS_SLAVE },
	{ "rprivate", MS_PRIVATE },
	{ "runbindable", MS_UNBINDABLE },
	{ NULL, 0 },
};

const struct spec_name spec_personality_table[] = {
	{ "LINUX", PER_LINUX },
	{ "LINUX32", PER_LINUX32 },
	{ NULL, 0 },
};

/* The flags of <sys/personality.h> (the spec defines none; husk applies the kernel's). */
const struct spec_name spec_personality_flag_table[] = {
	{ "ADDR_NO_RANDOMIZE", ADDR_NO_RANDOMIZE },
	{ "ADDR_COMPAT_LAYOUT", ADDR_COMPAT_LAYOUT },
	{ "READ_IMPLIES_EXEC", READ_IMPLIES_EXEC },
	{ "ADDR_LIMIT_32BIT", ADDR_LIMIT_32BIT },
	{ "SHORT_INODE", SHORT_INODE },
	{ "WHOLE_SECONDS", WHOLE_SECONDS },
	{ "STICKY_TIMEOUTS", STICKY_TIMEOUTS },
	{ "ADDR_LIMIT_3GB", ADDR_LIMIT_3GB },
	{ "MMAP_PAGE_ZERO", MMAP_PAGE_ZERO },
	{ "UNAME26", 0x0020000 },
	{ "FDPIC_FUNCPTRS", FDPIC_FUNCPTRS },
	{ NULL, 0 },
};

const struct spec_name spec_ioprio_class_table[] = {
	{ "IOPRIO_CLASS_RT", HUSK_IOPRIO_CLASS_RT },
	{ "IOPRIO_CLASS_BE", HUSK_IOPRIO_CLASS_BE },
	{ "IOPRIO_CLASS_IDLE", HUSK_IOPRIO_CLASS_IDLE },
	{ NULL, 0 },
};

const struct spec_name spec_sched_policy_table[] = {
	{ "SCHED_OTHER", SCHED_OTHER },
	{ "SCHED_FIFO", SCHED_FIFO },
	{ "SCHED_RR", SCHED_RR },
	{ "SCHED_BATCH", SCHED_BATCH },
	{ "SCHED_ISO", SCHED_ISO },
	{ "SCHED_IDLE", SCHED_IDLE },
	{ "SCHED_DEADLINE", SCHED_DEADLINE },
	{ NULL, 0 },
};

const struct spec_name spec_sched_flag_table[] = {
	{ "SCHED_FLAG_RESET_ON_FORK", SCHED_FLAG_RESET_ON_FORK },
	{ "SCHED_FLAG_RECLAIM", SCHED_FLAG_RECLAIM },
	{ "SCHED_FLAG_DL_OVERRUN", SCHED_FLAG_DL_OVERRUN },
	{ "SCHED_FLAG_KEEP_POLICY", SCHED_FLAG_KEEP_POLICY },
	{ "SCHED_FLAG_KEEP_PARAMS", SCHED_FLAG_KEEP_PARAMS },
	{ "SCHED_FLAG_UTIL_CLAMP_MIN", SCHED_FLAG_UTIL_CLAMP_MIN },
	{ "SCHED_FLAG_UTIL_CLAMP_MAX", SCHED_FLAG_UTIL_CLAMP_MAX },
	{ NULL, 0 },
};

const struct spec_name spec_mpol_mode_table[] = {
	{ "MPOL_DEFAULT", HUSK_MPOL_DEFAULT },
	{ "MPOL_BIND", HUSK_MPOL_BIND },
	{ "MPOL_INTERLEAVE", HUSK_MPOL_INTERLEAVE },
	{ "MPOL_WEIGHTED_INTERLEAVE", HUSK_MPOL_WEIGHTED_INTERLEAVE },
	{ "MPOL_PREFERRED", HUSK_MPOL_PREFERRED },
	{ "MPOL_PREFERRED_MANY", HUSK_MPOL_PREFERRED_MANY },
	{ "MPOL_LOCAL", HUSK_MPOL_LOCAL },
	{ NULL, 0 },
};

const struct spec_name spec_mpol_flag_table[] = {
	{ "MPOL_F_NUMA_BALANCING", HUSK_MPOL_F_NUMA_BALANCING },
	{ "MPOL_F_RELATIVE_NODES", HUSK_MPOL_F_RELATIVE_NODES },
	{ "MPOL_F_STATIC_NODES", HUSK_MPOL_F_STATIC_NODES },
	{ NULL, 0 },
};

/* In bit order of SPEC_SECCOMP_FLAG_*. */
const char *const spec_seccomp_flag_names[] = {
	"SECCOMP_FILTER_FLAG_TSYNC",
	"SECCOMP_FILTER_FLAG_LOG",
	"SECCOMP_FILTER_FLAG_SPEC_ALLOW",
	"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
	NULL,
};

const char *const spec_rlimit_names[] = {
	"RLIMIT_AS",
	"RLIMIT_CORE",
	"RLIMIT_CPU",
	"RLIMIT_DATA",
	"RLIMIT_FSIZE",
	"RLIMIT_LOCKS",
	"RLIMIT_MEMLOCK",
	"RLIMIT_MSGQUEUE",
	"RLIMIT_NICE",
	"RLIMIT_NOFILE",
	"RLIMIT_NPROC",
	"RLIMIT_RSS",
	"RLIMIT_RTPRIO",
	"RLIMIT_RTTIME",
	"RLIMIT_SIGPENDING",
	"RLIMIT_STACK",
	NULL,
};

/* Same order as spec_rlimit_names. */
static const int rlimit_values[] = {
	RLIMIT_AS,	RLIMIT_CORE,	 RLIMIT_CPU,	    RLIMIT_DATA,   RLIMIT_FSIZE, RLIMIT_LOCKS,
	RLIMIT_MEMLOCK, RLIMIT_MSGQUEUE, RLIMIT_NICE,	    RLIMIT_NOFILE, RLIMIT_NPROC, RLIMIT_RSS,
	RLIMIT_RTPRIO,	RLIMIT_RTTIME,	 RLIMIT_SIGPENDING, RLIMIT_STACK,
};

const char *spec_ns_type_name(enum spec_ns_type t)
{
	const struct ns_kind *k = ns_kind_of(t);

	return k ? k->name : NULL;
}

int spec_ns_type_from_name(const char *name)
{
	for (size_t i = 0; name && i < NS_TYPE_COUNT; i++)
		if (strcmp(ns_table[i].name, name) == 0)
			return (int)ns_table[i].type;
	return -1;
}

const char *spec_hook_kind_name(enum spec_hook_kind k)
{
	return (unsigned)k < HOOK_KIND_COUNT ? hook_names[k] : NULL;
}

const char *spec_seccomp_action_name(enum spec_seccomp_action a)
{
	return spec_name_of(spec_seccomp_action_table, a);
}

const char *spec_seccomp_op_name(enum spec_seccomp_op op)
{
	return spec_name_of(spec_seccomp_op_table, op);
}

int spec_rlimit_from_name(const char *name)
{
	for (size_t i = 0; name && spec_rlimit_names[i]; i++)
		if (strcmp(spec_rlimit_names[i], name) == 0)
			return rlimit_values[i];
	return -1;
}

/* libcap also takes "cap_chown", "CAP_chown" and "0"; the spec's names are "CAP_" and upper case. */
int spec_cap_from_name(const char *name)
{
	cap_value_t v;

	if (name == NULL || strncmp(name, "CAP_", 4) != 0 || name[4] == '\0')
		return -1;
	for (const char *p = name + 4; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return -1;
	if (cap_from_name(name, &v) < 0 || v < 0 || v > 63)
		return -1;
	return v;
}

int spec_cap_last_cap(void)
{
	struct error err = { 0 };
	cleanup_free char *data = NULL;
	int64_t v;

	if (read_file_at(AT_FDCWD, "/proc/sys/kernel/cap_last_cap", 64, &data, NULL, &err) < 0) {
		error_clear(&err);
		return CAP_LAST_CAP;
	}
	data[strcspn(data, "\n")] = '\0';
	if (parse_i64(data, &v) < 0 || v < 0 || v > 63)
		return CAP_LAST_CAP;
	return (int)v;
}

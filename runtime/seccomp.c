/* OCI seccomp profiles through libseccomp. */
#define _GNU_SOURCE
#include "seccomp.h"

#include <errno.h>
#include <limits.h>
#include <linux/filter.h>
#include <stddef.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "config/state-json.h"
#include "base/log.h"
#include "terminal.h"
#include "base/util.h"

static int action_of(enum spec_seccomp_action a, bool has_errno, uint32_t errno_ret, uint32_t *ret,
		     struct error *err)
{
	switch (a) {
	case SECCOMP_ACT_KILL:
	case SECCOMP_ACT_KILL_THREAD:
		*ret = SCMP_ACT_KILL_THREAD;
		return 0;
	case SECCOMP_ACT_KILL_PROCESS:
		*ret = SCMP_ACT_KILL_PROCESS;
		return 0;
	case SECCOMP_ACT_TRAP:
		*ret = SCMP_ACT_TRAP;
		return 0;
	case SECCOMP_ACT_ERRNO:
		/* runc's default errno for SCMP_ACT_ERRNO without errnoRet is EPERM */
		*ret = SCMP_ACT_ERRNO(has_errno ? errno_ret : EPERM);
		return 0;
	case SECCOMP_ACT_TRACE:
		*ret = SCMP_ACT_TRACE(has_errno ? errno_ret : EPERM);
		return 0;
	case SECCOMP_ACT_ALLOW:
		*ret = SCMP_ACT_ALLOW;
		return 0;
	case SECCOMP_ACT_LOG:
		*ret = SCMP_ACT_LOG;
		return 0;
	case SECCOMP_ACT_NOTIFY:
		*ret = SCMP_ACT_NOTIFY;
		return 0;
	case SECCOMP_ACT_COUNT:
		break;
	}
	return error_set(err, EINVAL, "unknown seccomp action %d", a);
}

static enum scmp_compare op_of(enum spec_seccomp_op op)
{
	static const enum scmp_compare map[] = {
		[SECCOMP_OP_NE] = SCMP_CMP_NE,
		[SECCOMP_OP_LT] = SCMP_CMP_LT,
		[SECCOMP_OP_LE] = SCMP_CMP_LE,
		[SECCOMP_OP_EQ] = SCMP_CMP_EQ,
		[SECCOMP_OP_GE] = SCMP_CMP_GE,
		[SECCOMP_OP_GT] = SCMP_CMP_GT,
		[SECCOMP_OP_MASKED_EQ] = SCMP_CMP_MASKED_EQ,
	};
	return map[op];
}

/* "SCMP_ARCH_X86_64" to libseccomp's token (SCMP_ARCH_X86_64, the kernel's AUDIT_ARCH value), or 0 */
static uint32_t arch_token(const char *name)
{
	char lower[64];
	size_t i;

	if (strncmp(name, "SCMP_ARCH_", 10) != 0)
		return 0;
	for (i = 0; name[10 + i] && i < sizeof lower - 1; i++)
		lower[i] = (char)(name[10 + i] >= 'A' && name[10 + i] <= 'Z' ? name[10 + i] - 'A' + 'a'
									     : name[10 + i]);
	lower[i] = '\0';
	return seccomp_arch_resolve_name(lower);
}

static int add_arch(scmp_filter_ctx ctx, const char *name, struct error *err)
{
	uint32_t arch = arch_token(name);

	if (arch == 0)
		return error_set(err, EINVAL, "unknown seccomp architecture '%s'", name);
	int r = seccomp_arch_add(ctx, arch);
	if (r < 0 && r != -EEXIST)
		return error_sys(err, -r, "add seccomp architecture '%s'", name);
	return 0;
}

static int add_rule(scmp_filter_ctx ctx, uint32_t def, const struct spec_seccomp_syscall *sc,
		    const char *name, unsigned *n_rules, struct error *err)
{
	struct scmp_arg_cmp cmps[6];
	uint32_t action;
	int nr = seccomp_syscall_resolve_name(name), r;

	if (nr == __NR_SCMP_ERROR) {
		log_debug("seccomp: unknown syscall '%s' skipped", name);
		return 0;
	}
	if (action_of(sc->action, sc->has_errno_ret, sc->errno_ret, &action, err) < 0)
		return -1;
	if (action == def)
		return 0;
	if (sc->n_args > 6)
		return error_set(err, EINVAL, "seccomp rule for '%s' has more than 6 argument conditions",
				 name);
	for (size_t i = 0; i < sc->n_args; i++) {
		const struct spec_seccomp_arg *a = &sc->args[i];
		cmps[i] = (struct scmp_arg_cmp){ a->index, op_of(a->op), a->value, a->value_two };
	}
	r = seccomp_rule_add_array(ctx, action, nr, (unsigned)sc->n_args, cmps);
	if (r == -EINVAL && sc->n_args > 1) {
		/* libseccomp refuses two conditions on one argument in one rule: add one rule per
		 * condition instead, as runc does */
		r = 0;
		for (size_t i = 0; i < sc->n_args && r == 0; i++)
			if ((r = seccomp_rule_add_array(ctx, action, nr, 1, &cmps[i])) == 0)
				(*n_rules)++;
	} else if (r == 0) {
		(*n_rules)++;
	}
	if (r < 0)
		return error_sys(err, -r, "seccomp rule for '%s'", name);
	return 0;
}

static int build(const struct spec_seccomp *s, scmp_filter_ctx *ret, unsigned *ret_rules, struct error *err)
{
	uint32_t def;
	cleanup_seccomp scmp_filter_ctx ctx = NULL;
	unsigned n_rules = 0;

	if (action_of(s->default_action, s->has_default_errno_ret, s->default_errno_ret, &def, err) < 0)
		return -1;
	ctx = seccomp_init(def);
	if (ctx == NULL)
		return error_set(err, ENOMEM, "seccomp_init failed");
	/* the filter is loaded by a process that already has no_new_privs or CAP_SYS_ADMIN; libseccomp
	 * must not set no_new_privs on its own when the config did not ask for it */
	seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	/* the kernel's own errno instead of libseccomp's catch-all ECANCELED */
	seccomp_attr_set(ctx, SCMP_FLTATR_API_SYSRAWRC, 1);
	if (s->flags & SPEC_SECCOMP_FLAG_TSYNC)
		seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (s->flags & SPEC_SECCOMP_FLAG_LOG)
		seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1);
	if (s->flags & SPEC_SECCOMP_FLAG_SPEC_ALLOW)
		seccomp_attr_set(ctx, SCMP_FLTATR_CTL_SSB, 1);
	for (size_t i = 0; i < s->n_architectures; i++)
		if (add_arch(ctx, s->architectures[i], err) < 0)
			return -1;
	for (size_t i = 0; i < s->n_syscalls; i++)
		for (size_t j = 0; j < s->syscalls[i].n_names; j++)
			if (add_rule(ctx, def, &s->syscalls[i], s->syscalls[i].names[j], &n_rules, err) < 0)
				return -1;
	*ret = steal_ptr(&ctx);
	*ret_rules = n_rules;
	return 0;
}

int seccomp_build(const struct spec_seccomp *s, scmp_filter_ctx *ret, struct error *err)
{
	unsigned n;

	return build(s, ret, &n, err);
}

bool seccomp_uses_notify(const struct spec_seccomp *s)
{
	if (s->default_action == SECCOMP_ACT_NOTIFY)
		return true;
	for (size_t i = 0; i < s->n_syscalls; i++)
		if (s->syscalls[i].action == SECCOMP_ACT_NOTIFY)
			return true;
	return false;
}

/* The -ENOSYS stub runc puts in front of every filter (libcontainer/seccomp/patchbpf): a syscall
 * numbered above every syscall the profile names, per architecture, is one the profile cannot know
 * (newer than the profile, or no syscall at all), so it fails with ENOSYS instead of the default
 * errno. libc falls back to an older call on ENOSYS only (clone3 to clone, faccessat2 to faccessat,
 * openat2 to openat): EPERM there breaks programs. Skipped when the default already allows (ALLOW,
 * LOG, TRACE) or is ENOSYS, as runc does. An empty "architectures" stands for the native one, which
 * is what the filter then covers (runc 1.1 adds no stub there: docs/orchestrators.md). */
#define ENOSYS_MAX_ARCHES 24
#define X32_SYSCALL_BIT	  0x40000000u

struct enosys_arch {
	uint32_t audit; /* AUDIT_ARCH_*, what seccomp_data.arch holds */
	uint32_t max;	/* highest syscall number the profile names for it */
};

static bool default_allows(const struct spec_seccomp *s)
{
	return s->default_action == SECCOMP_ACT_ALLOW || s->default_action == SECCOMP_ACT_LOG ||
	       s->default_action == SECCOMP_ACT_TRACE ||
	       (s->has_default_errno_ret && s->default_errno_ret == ENOSYS);
}

static size_t enosys_arches(const struct spec_seccomp *s, struct enosys_arch *out)
{
	size_t n = 0, n_names = s->n_architectures ? s->n_architectures : 1;

	if (default_allows(s))
		return 0;
	for (size_t i = 0; i < n_names && n < ENOSYS_MAX_ARCHES; i++) {
		uint32_t arch = s->n_architectures ? arch_token(s->architectures[i]) : seccomp_arch_native();
		uint32_t max = 0;
		bool seen = false;

		/* x32 shares x86_64's AUDIT_ARCH; its numbers carry bit 30 and go to the filter as they
		 * did (the x86_64 section below lets them through) */
		if (arch == 0 || arch == SCMP_ARCH_X32)
			continue;
		for (size_t k = 0; k < n; k++)
			seen = seen || out[k].audit == arch;
		if (seen)
			continue;
		for (size_t r = 0; r < s->n_syscalls; r++)
			for (size_t j = 0; j < s->syscalls[r].n_names; j++) {
				int nr = seccomp_syscall_resolve_name_arch(arch, s->syscalls[r].names[j]);
				if (nr >= 0 && (uint32_t)nr > max)
					max = (uint32_t)nr;
			}
		if (max > 0)
			out[n++] = (struct enosys_arch){ arch, max };
	}
	return n;
}

static size_t enosys_section_len(const struct enosys_arch *a)
{
	bool prefix =
	    a->audit == SCMP_ARCH_X86_64 || a->audit == SCMP_ARCH_S390 || a->audit == SCMP_ARCH_S390X;
	return 4 + (prefix ? 1 : 0);
}

/* Writes the stub into out (room for 2 + 6 * ENOSYS_MAX_ARCHES instructions); returns its length.
 * Layout: load arch; one jeq per architecture to its section; ja to the filter. A section: load the
 * syscall number; [x86_64: x32 numbers to the filter; s390: the multiplexer 0 is ENOSYS]; jgt max;
 * ret ENOSYS; ja to the filter. All conditional jumps stay within the stub (< 256). */
static size_t enosys_stub(const struct enosys_arch *a, size_t n, struct sock_filter *out)
{
	size_t sect[ENOSYS_MAX_ARCHES], len = n + 2, pos = 0;

	for (size_t i = 0; i < n; i++) {
		sect[i] = len;
		len += enosys_section_len(&a[i]);
	}
	out[pos++] =
	    (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	for (size_t i = 0; i < n; i++, pos++)
		out[pos] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, a[i].audit,
							(uint8_t)(sect[i] - pos - 1), 0);
	out[pos] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA, (uint32_t)(len - pos - 1), 0, 0);
	pos++;
	for (size_t i = 0; i < n; i++) {
		size_t ret_at = sect[i] + enosys_section_len(&a[i]) - 2;

		out[pos++] =
		    (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
		if (a[i].audit == SCMP_ARCH_X86_64) {
			out[pos] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, X32_SYSCALL_BIT,
								(uint8_t)(ret_at + 1 - pos - 1), 0);
			pos++;
		} else if (a[i].audit == SCMP_ARCH_S390 || a[i].audit == SCMP_ARCH_S390X) {
			/* unknown numbers arrive as setup(2), 0, through s390's multiplexer */
			out[pos] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0,
								(uint8_t)(ret_at - pos - 1), 0);
			pos++;
		}
		out[pos++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, a[i].max, 0, 1);
		out[pos++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
		out[pos] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA, (uint32_t)(len - pos - 1), 0, 0);
		pos++;
	}
	return pos;
}

/* libseccomp cannot express "every number above N" nor prepend code, and knows no
 * SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (Linux 5.19) before 2.6: export the compiled program, put the
 * stub in front, and load it with seccomp(2) with the flags libseccomp would have set. Returns the
 * listener fd with notify, else 0. */
static int load_raw(scmp_filter_ctx ctx, const struct spec_seccomp *s, const struct sock_filter *stub,
		    size_t n_stub, bool notify, struct error *err)
{
	cleanup_close int mfd = memfd_create("husk-seccomp-bpf", MFD_CLOEXEC);
	cleanup_free struct sock_filter *insns = NULL;
	unsigned int flags = 0;
	struct sock_fprog prog;
	off_t size;
	size_t n;
	int r;

	if (mfd < 0)
		return error_sys(err, errno, "seccomp: memfd_create");
	r = seccomp_export_bpf(ctx, mfd);
	if (r < 0)
		return error_sys(err, -r, "seccomp: export the filter");
	size = lseek(mfd, 0, SEEK_END);
	if (size <= 0 || size % (off_t)sizeof *insns)
		return error_set(err, EINVAL, "seccomp: exported filter has a bad size (%lld bytes)",
				 (long long)size);
	n = (size_t)size / sizeof *insns + n_stub;
	if (n > BPF_MAXINSNS)
		return error_set(err, E2BIG, "seccomp: the filter has %zu instructions, the kernel takes %d",
				 n, BPF_MAXINSNS);
	insns = xmalloc(n * sizeof *insns);
	if (n_stub)
		memcpy(insns, stub, n_stub * sizeof *insns);
	if (pread(mfd, insns + n_stub, (size_t)size, 0) != size)
		return error_sys(err, errno, "seccomp: read the exported filter");
	prog = (struct sock_fprog){ .len = (unsigned short)n, .filter = insns };
	if (notify) {
		flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
		if (s->flags & SPEC_SECCOMP_FLAG_WAIT_KILLABLE_RECV)
			flags |= SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
	}
	/* TSYNC and NEW_LISTENER exclude each other unless TSYNC_ESRCH (Linux 5.7) says how a
	 * failed sync is reported */
	if (s->flags & SPEC_SECCOMP_FLAG_TSYNC)
		flags |= SECCOMP_FILTER_FLAG_TSYNC | (notify ? SECCOMP_FILTER_FLAG_TSYNC_ESRCH : 0);
	if (s->flags & SPEC_SECCOMP_FLAG_LOG)
		flags |= SECCOMP_FILTER_FLAG_LOG;
	if (s->flags & SPEC_SECCOMP_FLAG_SPEC_ALLOW)
		flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
	log_debug("seccomp(SECCOMP_SET_MODE_FILTER, %#x, %u instructions, %zu of them the ENOSYS stub)",
		  flags, prog.len, n_stub);
	r = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
	if (r < 0)
		return error_sys(err, errno, "load the seccomp filter");
	return notify ? r : 0;
}

int seccomp_load_spec(const struct spec_seccomp *s, const struct seccomp_agent *agent, struct error *err)
{
	cleanup_seccomp scmp_filter_ctx ctx = NULL;
	cleanup_close int nfd = -1;
	int r;
	bool notify = seccomp_uses_notify(s);
	unsigned n_rules;

	struct enosys_arch arches[ENOSYS_MAX_ARCHES];
	struct sock_filter stub[2 + 6 * ENOSYS_MAX_ARCHES];
	size_t n_stub = enosys_stub(arches, enosys_arches(s, arches), stub);

	if (build(s, &ctx, &n_rules, err) < 0)
		return -1;
	if (n_stub > 2 || ((s->flags & SPEC_SECCOMP_FLAG_WAIT_KILLABLE_RECV) && notify)) {
		/* 0: loaded, and no listener to hand over */
		r = load_raw(ctx, s, n_stub > 2 ? stub : NULL, n_stub > 2 ? n_stub : 0, notify, err);
		if (r <= 0)
			return r;
		nfd = r;
		goto send;
	}
	if (s->flags & SPEC_SECCOMP_FLAG_WAIT_KILLABLE_RECV)
		log_debug(
		    "seccomp: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV without SCMP_ACT_NOTIFY, ignoring");
	log_debug("seccomp(SECCOMP_SET_MODE_FILTER, %u rules, default %s)", n_rules,
		  spec_seccomp_action_name(s->default_action));
	r = seccomp_load(ctx);
	if (r < 0)
		return error_sys(err, -r, "load the seccomp filter");
	if (agent == NULL || agent->sock < 0 || !notify)
		return 0;
	r = seccomp_notify_fd(ctx);
	if (r < 0)
		return error_sys(err, -r, "get the seccomp notify fd");
	nfd = r;
send:
	if (agent == NULL || agent->sock < 0)
		return 0;
	cleanup_free char *json =
	    state_seccomp_agent_json(agent->state, "running", agent->pid, s->listener_metadata);
	r = terminal_send_fd(agent->sock, nfd, json, err);
	return r < 0 ? error_wrap(err, "hand the seccomp listener to '%s'", s->listener_path) : 0;
}

/* OCI seccomp profiles through libseccomp. */
#define _GNU_SOURCE
#include "seccomp.h"

#include <errno.h>
#include <limits.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "config/state-json.h"
#include "log.h"
#include "terminal.h"
#include "util.h"

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

static int add_arch(scmp_filter_ctx ctx, const char *name, struct error *err)
{
	char lower[64];
	uint32_t arch;
	size_t i;

	for (i = 0; name[10 + i] && i < sizeof lower - 1; i++)
		lower[i] = (char)(name[10 + i] >= 'A' && name[10 + i] <= 'Z' ? name[10 + i] - 'A' + 'a'
									     : name[10 + i]);
	lower[i] = '\0';
	arch = seccomp_arch_resolve_name(lower);
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
	scmp_filter_ctx ctx;
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
			goto fail;
	for (size_t i = 0; i < s->n_syscalls; i++)
		for (size_t j = 0; j < s->syscalls[i].n_names; j++)
			if (add_rule(ctx, def, &s->syscalls[i], s->syscalls[i].names[j], &n_rules, err) < 0)
				goto fail;
	*ret = ctx;
	*ret_rules = n_rules;
	return 0;
fail:
	seccomp_release(ctx);
	return -1;
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

/* SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (Linux 5.19) is unknown to libseccomp before 2.6: export the
 * compiled program and load it with seccomp(2) ourselves, with the flags libseccomp would have set.
 * Returns the listener fd. */
static int load_raw_with_listener(scmp_filter_ctx ctx, const struct spec_seccomp *s, struct error *err)
{
	cleanup_close int mfd = memfd_create("husk-seccomp-bpf", MFD_CLOEXEC);
	cleanup_free struct sock_filter *insns = NULL;
	unsigned int flags = SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
	struct sock_fprog prog;
	off_t size;
	int r;

	if (mfd < 0)
		return error_sys(err, errno, "seccomp: memfd_create");
	r = seccomp_export_bpf(ctx, mfd);
	if (r < 0)
		return error_sys(err, -r, "seccomp: export the filter");
	size = lseek(mfd, 0, SEEK_END);
	if (size <= 0 || size % (off_t)sizeof *insns || size / (off_t)sizeof *insns > USHRT_MAX)
		return error_set(err, EINVAL, "seccomp: exported filter has a bad size (%lld bytes)",
				 (long long)size);
	insns = xmalloc((size_t)size);
	if (pread(mfd, insns, (size_t)size, 0) != size)
		return error_sys(err, errno, "seccomp: read the exported filter");
	prog = (struct sock_fprog){ .len = (unsigned short)(size / (off_t)sizeof *insns), .filter = insns };
	/* TSYNC and NEW_LISTENER exclude each other unless TSYNC_ESRCH (Linux 5.7) says how a
	 * failed sync is reported */
	if (s->flags & SPEC_SECCOMP_FLAG_TSYNC)
		flags |= SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
	if (s->flags & SPEC_SECCOMP_FLAG_LOG)
		flags |= SECCOMP_FILTER_FLAG_LOG;
	if (s->flags & SPEC_SECCOMP_FLAG_SPEC_ALLOW)
		flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
	log_debug("seccomp(SECCOMP_SET_MODE_FILTER, %#x, %u instructions)", flags, prog.len);
	r = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
	if (r < 0)
		return error_sys(err, errno, "load the seccomp filter (with WAIT_KILLABLE_RECV)");
	return r;
}

int seccomp_load_spec(const struct spec_seccomp *s, const struct seccomp_agent *agent, struct error *err)
{
	scmp_filter_ctx ctx;
	int r, nfd;
	bool notify = seccomp_uses_notify(s);
	unsigned n_rules;

	if (build(s, &ctx, &n_rules, err) < 0)
		return -1;
	if ((s->flags & SPEC_SECCOMP_FLAG_WAIT_KILLABLE_RECV) && notify) {
		nfd = load_raw_with_listener(ctx, s, err);
		seccomp_release(ctx);
		if (nfd < 0)
			return -1;
		goto send;
	}
	if (s->flags & SPEC_SECCOMP_FLAG_WAIT_KILLABLE_RECV)
		log_debug(
		    "seccomp: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV without SCMP_ACT_NOTIFY, ignoring");
	log_debug("seccomp(SECCOMP_SET_MODE_FILTER, %u rules, default %s)", n_rules,
		  spec_seccomp_action_name(s->default_action));
	r = seccomp_load(ctx);
	if (r < 0) {
		seccomp_release(ctx);
		return error_sys(err, -r, "load the seccomp filter");
	}
	if (agent == NULL || agent->sock < 0 || !notify) {
		seccomp_release(ctx);
		return 0;
	}
	nfd = seccomp_notify_fd(ctx);
	seccomp_release(ctx);
	if (nfd < 0)
		return error_sys(err, -nfd, "get the seccomp notify fd");
send:
	if (agent == NULL || agent->sock < 0) {
		close(nfd);
		return 0;
	}
	cleanup_free char *json =
	    state_seccomp_agent_json(agent->state, "running", agent->pid, s->listener_metadata);
	r = terminal_send_fd(agent->sock, nfd, json, err);
	close(nfd);
	return r < 0 ? error_wrap(err, "hand the seccomp listener to '%s'", s->listener_path) : 0;
}

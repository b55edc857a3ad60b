/* linux.seccomp of config.json: actions, errno returns, architectures libseccomp knows, flags, the
 * listener and the syscall rules with their argument comparisons. */
#define _GNU_SOURCE
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/base/util.h"
#include "parse-util.h"
#include "spec.h"

static int get_action(struct spec_ctx *c, json_t *o, const char *key, enum spec_seccomp_action *ret)
{
	long v = 0;

	if (spec_get_enum(c, o, key, SPEC_REQ, spec_seccomp_action_table, "seccomp action", NULL, &v) < 0)
		return -1;
	*ret = (enum spec_seccomp_action)v;
	return 0;
}

/* The spec: an errno for an action that returns none MUST be an error. */
static int check_errno_ret(struct spec_ctx *c, const char *key, bool has, enum spec_seccomp_action a)
{
	if (has && a != SECCOMP_ACT_ERRNO && a != SECCOMP_ACT_TRACE)
		return spec_fail_at(c, key, "only allowed with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not %s",
				    spec_seccomp_action_name(a));
	return 0;
}

static int parse_seccomp_arg(struct spec_ctx *c, json_t *o, void *out)
{
	struct spec_seccomp_arg *a = out;
	int64_t index = 0;
	long op = 0;

	/* A system call has at most six arguments. */
	if (spec_get_int(c, o, "index", SPEC_REQ, 0, 5, "an integer from 0 to 5", NULL, &index) ||
	    spec_get_u64(c, o, "value", SPEC_REQ, NULL, &a->value) ||
	    spec_get_u64(c, o, "valueTwo", SPEC_OPT, NULL, &a->value_two) ||
	    spec_get_enum(c, o, "op", SPEC_REQ, spec_seccomp_op_table, "seccomp operator", NULL, &op))
		return -1;
	a->index = (uint32_t)index;
	a->op = (enum spec_seccomp_op)op;
	return 0;
}

static int parse_syscall(struct spec_ctx *c, json_t *o, void *out)
{
	struct spec_seccomp_syscall *s = out;

	if (spec_get_strv(c, o, "names", SPEC_REQ | SPEC_NONEMPTY, &s->names, &s->n_names) ||
	    get_action(c, o, "action", &s->action) ||
	    spec_get_uint(c, o, "errnoRet", SPEC_OPT, UINT32_MAX, &s->has_errno_ret, &s->errno_ret) ||
	    check_errno_ret(c, "errnoRet", s->has_errno_ret, s->action) ||
	    spec_get_array(c, o, "args", SPEC_OPT, sizeof *s->args, parse_seccomp_arg, &s->args, &s->n_args))
		return -1;
	return 0;
}

/* "SCMP_ARCH_X86_64" -> libseccomp's "x86_64"; anything libseccomp cannot resolve is unknown. */
static bool valid_arch(const char *name)
{
	char buf[32];
	size_t n;

	if (strncmp(name, "SCMP_ARCH_", 10) != 0)
		return false;
	name += 10;
	n = strlen(name);
	if (n == 0 || n >= sizeof buf)
		return false;
	for (size_t i = 0; i <= n; i++) {
		char ch = name[i];

		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		else if (ch != '\0' && !(ch >= '0' && ch <= '9') && ch != '_')
			return false;
		buf[i] = ch;
	}
	return seccomp_arch_resolve_name(buf) != 0;
}

static int check_architectures(struct spec_ctx *c, const struct spec_seccomp *s)
{
	for (size_t i = 0; i < s->n_architectures; i++) {
		if (!valid_arch(s->architectures[i])) {
			size_t mark = spec_path_key(c, "architectures");

			spec_path_index(c, i);
			spec_fail_value(c, "unknown seccomp architecture", s->architectures[i]);
			spec_path_pop(c, mark);
			return -1;
		}
	}
	return 0;
}

int spec_parse_seccomp_section(struct spec_ctx *c, json_t *o, void *out)
{
	struct spec_seccomp *s = out;
	uint64_t flags = 0;

	if (get_action(c, o, "defaultAction", &s->default_action) ||
	    spec_get_uint(c, o, "defaultErrnoRet", SPEC_OPT, UINT32_MAX, &s->has_default_errno_ret,
			  &s->default_errno_ret) ||
	    check_errno_ret(c, "defaultErrnoRet", s->has_default_errno_ret, s->default_action) ||
	    spec_get_strv(c, o, "architectures", SPEC_OPT, &s->architectures, &s->n_architectures) ||
	    check_architectures(c, s) ||
	    spec_get_flags(c, o, "flags", spec_seccomp_flag_table, "seccomp flag", &flags) ||
	    spec_get_str(c, o, "listenerPath", SPEC_OPT, &s->listener_path) ||
	    spec_get_str(c, o, "listenerMetadata", SPEC_OPT, &s->listener_metadata) ||
	    spec_get_array(c, o, "syscalls", SPEC_OPT, sizeof *s->syscalls, parse_syscall, &s->syscalls,
			   &s->n_syscalls))
		return -1;
	s->flags = (uint32_t)flags;
	if (s->listener_metadata && s->listener_path == NULL)
		return spec_fail_at(c, "listenerMetadata", "requires listenerPath");
	return 0;
}

void spec_seccomp_clear(struct spec_seccomp *s)
{
	strv_free(s->architectures);
	free(s->listener_path);
	free(s->listener_metadata);
	for (size_t i = 0; i < s->n_syscalls; i++) {
		strv_free(s->syscalls[i].names);
		free(s->syscalls[i].args);
	}
	free(s->syscalls);
}

/* config.json to struct spec: the top level, process, mounts and hooks (linux is in parse-linux.c,
 * resources in parse-resources.c), spec_load and spec_free; the host checks of spec_validate are in
 * validate-host.c. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/base/util.h"
#include "parse-util.h"
#include "spec.h"

/* --- process --- */

static int parse_console_size(struct spec_ctx *c, json_t *o, void *out)
{
	struct spec_process *p = out;

	if (spec_get_uint(c, o, "height", SPEC_REQ, UINT32_MAX, NULL, &p->console_height) ||
	    spec_get_uint(c, o, "width", SPEC_REQ, UINT32_MAX, NULL, &p->console_width))
		return -1;
	return 0;
}

static int parse_user(struct spec_ctx *c, json_t *o, void *out)
{
	struct spec_user *u = out;
	int64_t umask = 0;

	if (spec_get_uint(c, o, "uid", SPEC_REQ, UINT32_MAX, NULL, &u->uid) ||
	    spec_get_uint(c, o, "gid", SPEC_REQ, UINT32_MAX, NULL, &u->gid) ||
	    spec_get_int(c, o, "umask", SPEC_OPT, 0, 0777, "an integer from 0 to 511 (0777)", &u->has_umask,
			 &umask) ||
	    spec_get_u32v(c, o, "additionalGids", &u->additional_gids, &u->n_additional_gids) ||
	    spec_get_str(c, o, "username", SPEC_OPT, &u->username))
		return -1;
	u->umask = (uint32_t)umask;
	return 0;
}

/* runc refuses to create a container without a command; so do we, before anything exists. */
static int parse_args(struct spec_ctx *c, json_t *o, struct spec_process *p)
{
	json_t *v = json_object_get(o, "args");

	if (v == NULL || json_is_null(v) || (json_is_array(v) && json_array_size(v) == 0))
		return spec_fail_at(c, "args", "expected a non-empty array of strings");
	return spec_get_strv(c, o, "args", SPEC_REQ | SPEC_NONEMPTY, &p->args, &p->n_args);
}

static int parse_cap_set(struct spec_ctx *c, json_t *o, const char *key, uint64_t *ret)
{
	cleanup_strv char **names = NULL;
	size_t n = 0, mark;
	int r = 0;

	if (spec_get_strv(c, o, key, SPEC_OPT, &names, &n) < 0)
		return -1;
	mark = spec_path_key(c, key);
	for (size_t i = 0; i < n && r == 0; i++) {
		int cap = spec_cap_from_name(names[i]);

		if (cap < 0) {
			spec_path_index(c, i);
			r = spec_fail_value(c, "unknown capability", names[i]);
		} else {
			*ret |= 1ull << cap;
		}
	}
	spec_path_pop(c, mark);
	return r;
}

static int parse_capabilities(struct spec_ctx *c, json_t *o, void *out)
{
	struct spec_capabilities *caps = out;

	if (parse_cap_set(c, o, "bounding", &caps->sets[CAPSET_BOUNDING]) ||
	    parse_cap_set(c, o, "effective", &caps->sets[CAPSET_EFFECTIVE]) ||
	    parse_cap_set(c, o, "inheritable", &caps->sets[CAPSET_INHERITABLE]) ||
	    parse_cap_set(c, o, "permitted", &caps->sets[CAPSET_PERMITTED]) ||
	    parse_cap_set(c, o, "ambient", &caps->sets[CAPSET_AMBIENT]))
		return -1;
	return 0;
}

static int parse_rlimit(struct spec_ctx *c, json_t *o, void *out)
{
	struct spec_rlimit *r = out;

	if (spec_get_str(c, o, "type", SPEC_REQ, &r->type) ||
	    spec_get_u64(c, o, "soft", SPEC_REQ, NULL, &r->soft) ||
	    spec_get_u64(c, o, "hard", SPEC_REQ, NULL, &r->hard))
		return -1;
	r->resource = spec_rlimit_from_name(r->type);
	if (r->resource < 0)
		return spec_fail_at_value(c, "type", "unknown rlimit type", r->type);
	/* setrlimit(2) would fail with EINVAL inside the container, after the point of no return. */
	if (r->soft > r->hard)
		return spec_fail_at(c, "soft", "soft limit %" PRIu64 " is greater than hard limit %" PRIu64,
				    r->soft, r->hard);
	return 0;
}

/* The spec: duplicated rlimit types MUST be an error. */
static int check_rlimits(struct spec_ctx *c, const struct spec_process *p)
{
	for (size_t i = 1; i < p->n_rlimits; i++) {
		for (size_t j = 0; j < i; j++) {
			if (p->rlimits[i].resource == p->rlimits[j].resource) {
				size_t mark = spec_path_key(c, "rlimits");

				spec_path_index(c, i);
				spec_fail_at_value(c, "type", "duplicate rlimit type", p->rlimits[i].type);
				spec_path_pop(c, mark);
				return -1;
			}
		}
	}
	return 0;
}

static int parse_io_priority(struct spec_ctx *c, json_t *o, void *out)
{
	struct spec_io_priority *io = out;
	long class = 0;
	int64_t prio = 0;

	if (spec_get_enum(c, o, "class", SPEC_REQ, spec_ioprio_class_table, "io priority class", NULL,
			  &class) ||
	    spec_get_int(c, o, "priority", SPEC_OPT, 0, 7, "an integer from 0 to 7", NULL, &prio))
		return -1;
	io->ioprio_class = (int)class;
	io->priority = (int)prio;
	return 0;
}

static int parse_scheduler(struct spec_ctx *c, json_t *o, void *out)
{
	struct spec_scheduler *s = out;
	long policy = 0;

	if (spec_get_enum(c, o, "policy", SPEC_REQ, spec_sched_policy_table, "scheduler policy", NULL,
			  &policy) ||
	    spec_get_i32(c, o, "nice", SPEC_OPT, &s->has_nice, &s->nice) ||
	    spec_get_i32(c, o, "priority", SPEC_OPT, &s->has_priority, &s->priority) ||
	    spec_get_flags(c, o, "flags", spec_sched_flag_table, "scheduler flag", &s->flags) ||
	    spec_get_u64(c, o, "runtime", SPEC_OPT, NULL, &s->runtime) ||
	    spec_get_u64(c, o, "deadline", SPEC_OPT, NULL, &s->deadline) ||
	    spec_get_u64(c, o, "period", SPEC_OPT, NULL, &s->period))
		return -1;
	s->policy = (int)policy;
	return 0;
}

/* The schema's ^[0-9, -]*$: a cpu list like "0-3, 7", parsed into the cpu_set_t that sched_setaffinity
 * is given (runtime/ never reads the text). */
static int get_cpu_list(struct spec_ctx *c, json_t *o, const char *key, struct spec_cpu_affinity *ret)
{
	const size_t per = 8 * sizeof(unsigned long);
	unsigned long mask[CPU_SETSIZE / (8 * sizeof(unsigned long))] = { 0 };
	int highest;

	if (spec_get_str(c, o, key, SPEC_OPT, &ret->list) < 0)
		return -1;
	if (ret->list == NULL)
		return 0;
	/* the bound is glibc's cpu_set_t, what sched_setaffinity is given */
	if (spec_parse_id_list(ret->list, mask, CPU_SETSIZE, &highest) < 0)
		return spec_fail_at_value(c, key, "expected a cpu list like \"0-3,7\", got", ret->list);
	if (highest < 0)
		return 0; /* empty: the spec's "do not change the affinity" */
	ret->cpus = CPU_ALLOC((size_t)highest + 1);
	if (ret->cpus == NULL)
		return spec_fail_at_value(c, key, "out of memory for the cpu list", ret->list);
	ret->size = CPU_ALLOC_SIZE((size_t)highest + 1);
	CPU_ZERO_S(ret->size, (cpu_set_t *)ret->cpus);
	for (size_t n = 0; n <= (size_t)highest; n++)
		if (mask[n / per] & (1UL << (n % per)))
			CPU_SET_S(n, ret->size, (cpu_set_t *)ret->cpus);
	return 0;
}

static int parse_cpu_affinity(struct spec_ctx *c, json_t *o, void *out)
{
	struct spec_process *p = out;

	if (get_cpu_list(c, o, "initial", &p->exec_cpu_affinity_initial) ||
	    get_cpu_list(c, o, "final", &p->exec_cpu_affinity_final))
		return -1;
	return 0;
}

int spec_parse_process_section(struct spec_ctx *c, json_t *o, void *out)
{
	struct spec_process *p = out;
	int64_t oom = 0;

	if (spec_get_bool(c, o, "terminal", SPEC_OPT, NULL, &p->terminal) ||
	    spec_get_object(c, o, "consoleSize", SPEC_OPT, parse_console_size, p, &p->has_console_size) ||
	    spec_get_object(c, o, "user", SPEC_OPT, parse_user, &p->user, NULL) || parse_args(c, o, p) ||
	    spec_get_str(c, o, "commandLine", SPEC_OPT, &p->command_line) ||
	    spec_get_strv(c, o, "env", SPEC_ENV, &p->env, &p->n_env) ||
	    spec_get_str(c, o, "cwd", SPEC_REQ | SPEC_ABS, &p->cwd) ||
	    spec_get_object(c, o, "capabilities", SPEC_OPT, parse_capabilities, &p->capabilities,
			    &p->has_capabilities) ||
	    spec_get_array(c, o, "rlimits", SPEC_OPT, sizeof *p->rlimits, parse_rlimit, &p->rlimits,
			   &p->n_rlimits) ||
	    check_rlimits(c, p) ||
	    spec_get_bool(c, o, "noNewPrivileges", SPEC_OPT, NULL, &p->no_new_privileges) ||
	    spec_get_str(c, o, "apparmorProfile", SPEC_OPT, &p->apparmor_profile) ||
	    spec_get_str(c, o, "selinuxLabel", SPEC_OPT, &p->selinux_label) ||
	    spec_get_int(c, o, "oomScoreAdj", SPEC_OPT, -1000, 1000, "an integer from -1000 to 1000",
			 &p->has_oom_score_adj, &oom) ||
	    spec_get_object(c, o, "ioPriority", SPEC_OPT, parse_io_priority, &p->io_priority,
			    &p->has_io_priority) ||
	    spec_get_object(c, o, "scheduler", SPEC_OPT, parse_scheduler, &p->scheduler, &p->has_scheduler) ||
	    spec_get_object(c, o, "execCPUAffinity", SPEC_OPT, parse_cpu_affinity, p, NULL))
		return -1;
	p->oom_score_adj = (int)oom;
	return 0;
}

void spec_process_clear(struct spec_process *p)
{
	free(p->user.additional_gids);
	free(p->user.username);
	strv_free(p->args);
	free(p->command_line);
	strv_free(p->env);
	free(p->cwd);
	for (size_t i = 0; i < p->n_rlimits; i++)
		free(p->rlimits[i].type);
	free(p->rlimits);
	free(p->apparmor_profile);
	free(p->selinux_label);
	free(p->exec_cpu_affinity_initial.list);
	free(p->exec_cpu_affinity_final.list);
	if (p->exec_cpu_affinity_initial.cpus)
		CPU_FREE(p->exec_cpu_affinity_initial.cpus);
	if (p->exec_cpu_affinity_final.cpus)
		CPU_FREE(p->exec_cpu_affinity_final.cpus);
	memset(p, 0, sizeof *p);
}

/* --- mounts, hooks --- */

/* What the runtime's mount code would refuse inside the init (after the state directory and the cgroup
 * exist), refused here with its JSON path instead (idmap, parsed but not supported: spec_validate). */
static int check_mount_options(struct spec_ctx *c, const struct spec_mount *m)
{
	bool bind = m->type && strcmp(m->type, "bind") == 0;
	const char *bad = NULL;
	size_t i, mark;

	for (i = 0; i < m->n_options && bad == NULL; i++) {
		if (m->options[i][0] == '\0')
			bad = "expected a non-empty mount option";
		bind = bind || strcmp(m->options[i], "bind") == 0 || strcmp(m->options[i], "rbind") == 0;
	}
	if (bad) {
		mark = spec_path_key(c, "options");
		spec_path_index(c, i - 1);
		spec_fail(c, "%s", bad);
		spec_path_pop(c, mark);
		return -1;
	}
	if (m->type == NULL && !bind)
		return spec_fail_at(c, "type", "required unless options has \"bind\" or \"rbind\"");
	return 0;
}

static int parse_mount(struct spec_ctx *c, json_t *o, void *out)
{
	struct spec_mount *m = out;
	struct error e = { 0 };

	if (spec_get_str(c, o, "destination", SPEC_REQ | SPEC_ABS, &m->destination) ||
	    spec_get_str(c, o, "type", SPEC_OPT, &m->type) ||
	    spec_get_str(c, o, "source", SPEC_OPT, &m->source) ||
	    spec_get_strv(c, o, "options", SPEC_OPT, &m->options, &m->n_options) ||
	    spec_get_array(c, o, "uidMappings", SPEC_OPT, sizeof *m->uid_mappings, spec_parse_id_mapping,
			   &m->uid_mappings, &m->n_uid_mappings) ||
	    spec_get_array(c, o, "gidMappings", SPEC_OPT, sizeof *m->gid_mappings, spec_parse_id_mapping,
			   &m->gid_mappings, &m->n_gid_mappings) ||
	    check_mount_options(c, m))
		return -1;
	/* runtime/ takes the flags, never the strings: one parse, before anything exists */
	if (mount_opts_parse(m->options, m->n_options, &m->opts, &e) < 0) {
		spec_fail_at(c, "options", "%s", e.msg);
		error_clear(&e);
		return -1;
	}
	return 0;
}

static int parse_hook(struct spec_ctx *c, json_t *o, void *out)
{
	struct spec_hook *h = out;
	if (spec_get_str(c, o, "path", SPEC_REQ | SPEC_ABS, &h->path) ||
	    spec_get_strv(c, o, "args", SPEC_OPT, &h->args, &h->n_args) ||
	    spec_get_strv(c, o, "env", SPEC_ENV, &h->env, &h->n_env) ||
	    spec_get_int(c, o, "timeout", SPEC_OPT, 1, INT32_MAX, "a positive integer", &h->has_timeout,
			 &h->timeout))
		return -1;
	return 0;
}

static int parse_hooks(struct spec_ctx *c, json_t *o, void *out)
{
	struct spec_hooks *hooks = out;

	for (int k = 0; k < HOOK_KIND_COUNT; k++)
		if (spec_get_array(c, o, spec_hook_kind_name(k), SPEC_OPT, sizeof *hooks->hooks[k],
				   parse_hook, &hooks->hooks[k], &hooks->n[k]) < 0)
			return -1;
	return 0;
}

/* --- the document --- */

static int parse_root(struct spec_ctx *c, json_t *o, void *out)
{
	struct spec *s = out;

	if (spec_get_str(c, o, "path", SPEC_REQ | SPEC_NONEMPTY, &s->root_path) ||
	    spec_get_bool(c, o, "readonly", SPEC_OPT, NULL, &s->root_readonly))
		return -1;
	return 0;
}

/* SemVer MAJOR.MINOR.PATCH with optional -prerelease and +build; numbers without leading zeros. */
static bool parse_semver(const char *v, unsigned long *major, unsigned long *minor)
{
	unsigned long parts[3];
	const char *p = v;

	for (int i = 0; i < 3; i++) {
		size_t n = strspn(p, "0123456789");

		if (n == 0 || n > 9 || (n > 1 && p[0] == '0'))
			return false;
		parts[i] = strtoul(p, NULL, 10);
		p += n;
		if (i < 2 && *p++ != '.')
			return false;
	}
	if (*p == '-' || *p == '+') {
		p++;
		if (*p == '\0' ||
		    p[strspn(p, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-.+")] != '\0')
			return false;
	} else if (*p != '\0') {
		return false;
	}
	*major = parts[0];
	*minor = parts[1];
	return true;
}

static int check_version(struct spec_ctx *c, const char *v)
{
	cleanup_free char *q = spec_quote(v);
	unsigned long major, minor;

	if (!parse_semver(v, &major, &minor))
		return spec_fail_at(c, "ociVersion", "invalid version %s (expected MAJOR.MINOR.PATCH)", q);
	if (major != 1 || minor > 3)
		return spec_fail_at(c, "ociVersion", "unsupported version %s (husk supports 1.0.0 to 1.3.x)",
				    q);
	return 0;
}

static bool has_namespace(const struct spec *s, enum spec_ns_type t)
{
	for (size_t i = 0; i < s->linux_.n_namespaces; i++)
		if (s->linux_.namespaces[i].type == t)
			return true;
	return false;
}

static int parse_document(struct spec_ctx *c, json_t *o, struct spec *s)
{
	if (spec_get_str(c, o, "ociVersion", SPEC_REQ, &s->oci_version) || check_version(c, s->oci_version) ||
	    spec_get_object(c, o, "root", SPEC_OPT, parse_root, s, NULL) ||
	    spec_get_object(c, o, "process", SPEC_OPT, spec_parse_process_section, &s->process,
			    &s->has_process) ||
	    spec_get_str(c, o, "hostname", SPEC_OPT, &s->hostname) ||
	    spec_get_str(c, o, "domainname", SPEC_OPT, &s->domainname) ||
	    spec_get_array(c, o, "mounts", SPEC_OPT, sizeof *s->mounts, parse_mount, &s->mounts,
			   &s->n_mounts) ||
	    spec_get_object(c, o, "hooks", SPEC_OPT, parse_hooks, &s->hooks, NULL) ||
	    spec_get_map(c, o, "annotations", &s->annotations) ||
	    spec_get_object(c, o, "linux", SPEC_OPT, spec_parse_linux_section, &s->linux_, &s->has_linux))
		return -1;
	/* Setting them without a UTS namespace would rename the host (runc refuses the same). */
	if (s->hostname && s->hostname[0] && !has_namespace(s, NS_UTS))
		return spec_fail_at(c, "hostname", "requires a UTS namespace");
	if (s->domainname && s->domainname[0] && !has_namespace(s, NS_UTS))
		return spec_fail_at(c, "domainname", "requires a UTS namespace");
	return 0;
}

int spec_parse(const char *data, size_t len, const char *name, struct spec **ret, struct error *err)
{
	struct spec *s = xcalloc(1, sizeof *s);
	struct spec_ctx c;
	json_auto_t *root = NULL;
	int rc;

	spec_ctx_init(&c, name, err);
	rc = spec_json_load(&c, data, len, &root);
	if (rc == 0)
		rc = parse_document(&c, root, s);
	spec_ctx_fini(&c);
	if (rc < 0) {
		spec_free(s);
		return -1;
	}
	*ret = s;
	return 0;
}

int spec_parse_process(const char *data, size_t len, const char *name, struct spec_process **ret,
		       struct error *err)
{
	struct spec_process *p = xcalloc(1, sizeof *p);
	struct spec_ctx c;
	json_auto_t *root = NULL;
	int rc;

	spec_ctx_init(&c, name, err);
	rc = spec_json_load(&c, data, len, &root);
	if (rc == 0)
		rc = spec_parse_process_section(&c, root, p);
	spec_ctx_fini(&c);
	if (rc < 0) {
		spec_process_free(p);
		return -1;
	}
	*ret = p;
	return 0;
}

void spec_process_free(struct spec_process *p)
{
	if (p == NULL)
		return;
	spec_process_clear(p);
	free(p);
}

void spec_free(struct spec *s)
{
	if (s == NULL)
		return;
	free(s->oci_version);
	free(s->root_path);
	spec_process_clear(&s->process);
	free(s->hostname);
	free(s->domainname);
	for (size_t i = 0; i < s->n_mounts; i++) {
		free(s->mounts[i].destination);
		free(s->mounts[i].type);
		free(s->mounts[i].source);
		strv_free(s->mounts[i].options);
		mount_opts_free(&s->mounts[i].opts);
		free(s->mounts[i].uid_mappings);
		free(s->mounts[i].gid_mappings);
	}
	free(s->mounts);
	for (int k = 0; k < HOOK_KIND_COUNT; k++) {
		for (size_t i = 0; i < s->hooks.n[k]; i++) {
			free(s->hooks.hooks[k][i].path);
			strv_free(s->hooks.hooks[k][i].args);
			strv_free(s->hooks.hooks[k][i].env);
		}
		free(s->hooks.hooks[k]);
	}
	spec_map_free(&s->annotations);
	spec_linux_clear(&s->linux_);
	free(s);
}

int spec_load(const char *bundle, struct spec **ret, char **ret_raw, size_t *ret_len, struct error *err)
{
	cleanup_free char *path = xasprintf("%s/config.json", bundle);
	cleanup_free char *data = NULL;
	struct spec *s = NULL;
	size_t len = 0;

	if (read_file_at(AT_FDCWD, path, SPEC_MAX_SIZE, &data, &len, err) < 0)
		return -1;
	if (spec_parse(data, len, "config.json", &s, err) < 0)
		return -1;
	if (spec_validate(s, "config.json", err) < 0) {
		spec_free(s);
		return -1;
	}
	*ret = s;
	if (ret_raw) {
		*ret_raw = steal_ptr(&data);
		*ret_len = len;
	}
	return 0;
}

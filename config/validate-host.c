/* spec_validate: the checks of a parsed config that need the running host or husk's own abilities
 * (namespace files joined by path, the host's network namespace, capabilities the kernel knows, NUMA
 * nodes online, fields husk parses but cannot apply), run before anything of the container exists so
 * that each error names its JSON path. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/stat.h>

#include "runtime/base/util.h"
#include "runtime/namespaces.h"
#include "parse-util.h"
#include "spec.h"

/* The spec: a path that is not a namespace of the given type MUST be an error. Checked here so that
 * a typo fails before a cgroup or a state directory exists. */
static int check_ns_path(struct spec_ctx *c, const struct spec_namespace *ns)
{
	cleanup_free char *q = spec_quote(ns->path);
	int problem;
	cleanup_close int fd = ns_open(ns->path, ns_kind_of(ns->type)->flag, &problem);

	if (fd >= 0)
		return 0;
	if (problem == NS_OPEN_NOT_NSFS)
		return spec_fail_at(c, "path", "%s: not a namespace file", q);
	if (problem == NS_OPEN_WRONG_TYPE)
		return spec_fail_at(c, "path", "%s: not a %s namespace", q, spec_ns_type_name(ns->type));
	return spec_fail_at(c, "path", "%s: %s", q, strerror(errno));
}

static int check_namespace_paths(struct spec_ctx *c, const struct spec_linux *l)
{
	size_t mark = spec_path_key(c, "linux");
	int r = 0;

	spec_path_key(c, "namespaces");
	for (size_t i = 0; i < l->n_namespaces && r == 0; i++) {
		size_t imark;

		if (l->namespaces[i].path == NULL)
			continue;
		imark = spec_path_index(c, i);
		r = check_ns_path(c, &l->namespaces[i]);
		spec_path_pop(c, imark);
	}
	spec_path_pop(c, mark);
	return r;
}

/* net.* sysctls in a network namespace joined by path: refused when that namespace is husk's own
 * (the host's), as runc does, or they would be written into the host. runtime/container.c checks
 * the descriptor it actually joins again; this names the JSON path early. */
static int check_sysctl_netns(struct spec_ctx *c, const struct spec_linux *l)
{
	const struct spec_namespace *net = NULL;
	struct stat host, joined;

	for (size_t i = 0; i < l->n_namespaces; i++)
		if (l->namespaces[i].type == NS_NETWORK)
			net = &l->namespaces[i];
	if (net == NULL || net->path == NULL)
		return 0;
	for (size_t i = 0; i < l->sysctl.n; i++) {
		size_t mark;

		if (spec_sysctl_namespace(l->sysctl.keys[i]) != NS_NETWORK)
			continue;
		if (stat("/proc/self/ns/net", &host) < 0 || stat(net->path, &joined) < 0 ||
		    (host.st_dev == joined.st_dev && host.st_ino == joined.st_ino)) {
			mark = spec_path_key(c, "linux");
			spec_path_key(c, "sysctl");
			spec_path_map_key(c, l->sysctl.keys[i]);
			spec_fail(c, "not allowed in the host's network namespace (joined by path)");
			spec_path_pop(c, mark);
			return -1;
		}
	}
	return 0;
}

static const char *const capset_keys[CAPSET_COUNT] = {
	[CAPSET_BOUNDING] = "bounding",	      [CAPSET_EFFECTIVE] = "effective",
	[CAPSET_INHERITABLE] = "inheritable", [CAPSET_PERMITTED] = "permitted",
	[CAPSET_AMBIENT] = "ambient",
};

/* libcap may know capabilities the running kernel does not; granting those would fail late. */
static int check_capabilities(struct spec_ctx *c, const struct spec_capabilities *caps)
{
	int last = spec_cap_last_cap();

	for (int set = 0; set < CAPSET_COUNT; set++) {
		for (int cap = last + 1; cap < 64; cap++) {
			char *name;
			size_t mark;

			if (!(caps->sets[set] & (1ull << cap)))
				continue;
			name = cap_to_name(cap);
			for (char *p = name; p && *p; p++)
				*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
			mark = spec_path_key(c, "process");
			spec_path_key(c, "capabilities");
			spec_fail_at(c, capset_keys[set],
				     "%s is unknown to the running kernel (cap_last_cap is %d)",
				     name ? name : "capability", last);
			spec_path_pop(c, mark);
			cap_free(name);
			return -1;
		}
	}
	return 0;
}

/* Fields husk parses (so a typo is still reported) but cannot apply: refused by name, never ignored, and
 * `husk features` reports each as disabled (runtime/support.c). */
static int check_unsupported_linux(struct spec_ctx *c, const struct spec_linux *l)
{
	const char *key = l->has_intel_rdt ? "intelRdt" : NULL;
	size_t mark;

	if (key == NULL)
		return 0;
	mark = spec_path_key(c, "linux");
	spec_fail_at(c, key, "not supported by husk (see `husk features`): remove it from the config");
	spec_path_pop(c, mark);
	return -1;
}

/* idmapped mounts (idmap, ridmap) are parsed but not implemented: refused by name before anything
 * exists, as check_unsupported_linux, rather than by the init's mount code after the cgroup exists. */
static int check_unsupported_mounts(struct spec_ctx *c, const struct spec *s)
{
	for (size_t i = 0; i < s->n_mounts; i++)
		for (size_t j = 0; j < s->mounts[i].n_options; j++) {
			const char *o = s->mounts[i].options[j];
			size_t mark;

			if (strcmp(o, "idmap") != 0 && strcmp(o, "ridmap") != 0)
				continue;
			mark = spec_path_key(c, "mounts");
			spec_path_index(c, i);
			spec_path_key(c, "options");
			spec_path_index(c, j);
			spec_fail(c, "idmapped mounts (%s) are not supported by husk (see `husk features`)",
				  o);
			spec_path_pop(c, mark);
			return -1;
		}
	return 0;
}

int spec_validate(const struct spec *spec, const char *name, struct error *err)
{
	struct spec_ctx c;
	int r = 0;

	spec_ctx_init(&c, name, err);
	if (spec->has_linux)
		r = check_namespace_paths(&c, &spec->linux_) ?: check_sysctl_netns(&c, &spec->linux_)
							     ?: check_unsupported_linux(&c, &spec->linux_)
							     ?: spec_check_memory_policy_host(&c, &spec->linux_);
	if (r == 0)
		r = check_unsupported_mounts(&c, spec);
	if (r == 0 && spec->has_process && spec->process.has_capabilities)
		r = check_capabilities(&c, &spec->process.capabilities);
	spec_ctx_fini(&c);
	return r;
}

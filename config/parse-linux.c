/* The linux section of config.json: namespaces, id mappings, time offsets, devices, intelRdt,
 * personality, memory policy, network devices and the checks that tie these fields together (seccomp is
 * in parse-seccomp.c, resources in parse-resources.c). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/base/util.h"
#include "parse-util.h"
#include "spec.h"

static int parse_namespace(struct spec_ctx *c, json_t *o, void *out)
{
	struct spec_namespace *ns = out;
	cleanup_free char *name = NULL;
	int type;

	if (spec_get_str(c, o, "type", SPEC_REQ, &name) < 0)
		return -1;
	type = spec_ns_type_from_name(name);
	if (type < 0)
		return spec_fail_at_value(c, "type", "unknown namespace type", name);
	ns->type = (enum spec_ns_type)type;
	return spec_get_str(c, o, "path", SPEC_ABS, &ns->path);
}

/* The spec: duplicated namespace types MUST be an error. */
static int check_namespaces(struct spec_ctx *c, const struct spec_linux *l)
{
	unsigned seen = 0;

	for (size_t i = 0; i < l->n_namespaces; i++) {
		unsigned bit = 1u << l->namespaces[i].type;

		if (seen & bit) {
			size_t mark = spec_path_key(c, "namespaces");

			spec_path_index(c, i);
			spec_fail_at_value(c, "type", "duplicate namespace type",
					   spec_ns_type_name(l->namespaces[i].type));
			spec_path_pop(c, mark);
			return -1;
		}
		seen |= bit;
	}
	return 0;
}

static const struct spec_namespace *find_namespace(const struct spec_linux *l, enum spec_ns_type t)
{
	for (size_t i = 0; i < l->n_namespaces; i++)
		if (l->namespaces[i].type == t)
			return &l->namespaces[i];
	return NULL;
}

int spec_parse_id_mapping(struct spec_ctx *c, json_t *o, void *out)
{
	struct spec_id_mapping *m = out;
	int64_t size = 0;

	if (spec_get_uint(c, o, "containerID", SPEC_REQ, UINT32_MAX, NULL, &m->container_id) ||
	    spec_get_uint(c, o, "hostID", SPEC_REQ, UINT32_MAX, NULL, &m->host_id) ||
	    spec_get_int(c, o, "size", SPEC_REQ, 1, UINT32_MAX, "an integer from 1 to 4294967295", NULL,
			 &size))
		return -1;
	m->size = (uint32_t)size;
	return 0;
}

static int parse_time_offset(struct spec_ctx *c, json_t *o, void *out)
{
	struct spec_time_offset *t = out;
	int64_t ns = 0;

	t->set = true;
	if (spec_get_i64(c, o, "secs", SPEC_OPT, NULL, &t->secs) ||
	    spec_get_int(c, o, "nanosecs", SPEC_OPT, 0, 999999999, "an integer from 0 to 999999999", NULL,
			 &ns))
		return -1;
	t->nanosecs = (uint32_t)ns;
	return 0;
}

static int parse_time_offsets(struct spec_ctx *c, json_t *o, void *out)
{
	struct spec_linux *l = out;

	if (spec_get_object(c, o, "boottime", SPEC_OPT, parse_time_offset, &l->time_boottime, NULL) ||
	    spec_get_object(c, o, "monotonic", SPEC_OPT, parse_time_offset, &l->time_monotonic, NULL))
		return -1;
	return 0;
}

/* A node is made at this path in the rootfs (and, in a user namespace, the host's node of the same
 * path is bound there): it must name a file, not "/", nor step through "." or "..". */
static bool device_path_ok(const char *path)
{
	const char *p = path;
	size_t n;

	if (path[0] != '/' || path[strlen(path) - 1] == '/')
		return false;
	while (*p) {
		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p += n;
	}
	return true;
}

static int parse_device(struct spec_ctx *c, json_t *o, void *out)
{
	struct spec_device *d = out;
	cleanup_free char *type = NULL;
	int need;

	if (spec_get_str(c, o, "type", SPEC_REQ, &type) ||
	    spec_get_str(c, o, "path", SPEC_REQ | SPEC_ABS, &d->path))
		return -1;
	if (strlen(type) != 1 || strchr("cbup", type[0]) == NULL)
		return spec_fail_at_value(c, "type", "expected one of \"c\", \"b\", \"u\" or \"p\", got",
					  type);
	d->type = type[0];
	if (!device_path_ok(d->path))
		return spec_fail_at_value(c, "path",
					  "expected a path to a file, without \".\" or \"..\", got", d->path);
	need = d->type == 'p' ? SPEC_OPT : SPEC_REQ;
	if (spec_get_i64(c, o, "major", need, NULL, &d->major) ||
	    spec_get_i64(c, o, "minor", need, NULL, &d->minor) ||
	    spec_get_uint(c, o, "fileMode", SPEC_OPT, UINT32_MAX, &d->has_file_mode, &d->file_mode) ||
	    spec_get_uint(c, o, "uid", SPEC_OPT, UINT32_MAX, &d->has_uid, &d->uid) ||
	    spec_get_uint(c, o, "gid", SPEC_OPT, UINT32_MAX, &d->has_gid, &d->gid))
		return -1;
	return 0;
}

/* --- intelRdt, personality, memory policy, network devices --- */

static int parse_intel_rdt(struct spec_ctx *c, json_t *o, void *out)
{
	struct spec_intel_rdt *r = out;

	if (spec_get_str(c, o, "closID", SPEC_OPT, &r->clos_id) ||
	    spec_get_strv(c, o, "schemata", SPEC_OPT, &r->schemata, &r->n_schemata) ||
	    spec_get_str(c, o, "l3CacheSchema", SPEC_OPT, &r->l3_cache_schema) ||
	    spec_get_str(c, o, "memBwSchema", SPEC_OPT, &r->mem_bw_schema) ||
	    spec_get_bool(c, o, "enableCMT", SPEC_OPT, NULL, &r->enable_cmt) ||
	    spec_get_bool(c, o, "enableMBM", SPEC_OPT, NULL, &r->enable_mbm) ||
	    spec_get_bool(c, o, "enableMonitoring", SPEC_OPT, NULL, &r->enable_monitoring))
		return -1;
	/* closID names a directory under /sys/fs/resctrl: a "/" or ".." would escape it. */
	if (r->clos_id && (r->clos_id[0] == '\0' || strchr(r->clos_id, '/') || strcmp(r->clos_id, ".") == 0 ||
			   strcmp(r->clos_id, "..") == 0))
		return spec_fail_at_value(c, "closID", "expected a resctrl group name, got", r->clos_id);
	if (r->mem_bw_schema && (strncmp(r->mem_bw_schema, "MB:", 3) != 0 || strchr(r->mem_bw_schema, '\n')))
		return spec_fail_at_value(c, "memBwSchema", "expected one line starting with \"MB:\", got",
					  r->mem_bw_schema);
	return 0;
}

static int parse_personality(struct spec_ctx *c, json_t *o, void *out)
{
	struct spec_personality *p = out;
	uint64_t flags = 0;
	long domain = 0;

	if (spec_get_enum(c, o, "domain", SPEC_REQ, spec_personality_table, "personality domain", NULL,
			  &domain) ||
	    spec_get_flags(c, o, "flags", spec_personality_flag_table, "personality flag", &flags))
		return -1;
	p->domain = (unsigned long)domain;
	p->flags = (unsigned long)flags;
	return 0;
}

int spec_parse_id_list(const char *list, unsigned long *mask, size_t bits, int *ret_highest)
{
	const size_t per = 8 * sizeof(unsigned long);
	const char *p = list;

	*ret_highest = -1;
	while (*p) {
		char *end;
		unsigned long a, b;

		p += strspn(p, " ");
		if (*p < '0' || *p > '9')
			return -1;
		a = b = strtoul(p, &end, 10);
		p = end;
		if (*p == '-') {
			if (p[1] < '0' || p[1] > '9')
				return -1;
			b = strtoul(p + 1, &end, 10);
			p = end;
		}
		if (b < a || b >= bits)
			return -1;
		for (unsigned long n = a; mask && n <= b; n++)
			mask[n / per] |= 1UL << (n % per);
		if ((int)b > *ret_highest)
			*ret_highest = (int)b;
		p += strspn(p, " ");
		if (*p == ',' && p[1] != '\0')
			p++;
		else if (*p)
			return -1;
	}
	return 0;
}

static int parse_node_list(const char *list, struct spec_memory_policy *m)
{
	return spec_parse_id_list(list, m->node_mask, SPEC_MAX_NUMA_NODES, &m->highest_node);
}

/* set_mempolicy(2)'s rules, so a policy the kernel would refuse fails here, naming the field: which
 * modes need nodes and which take none, and which flags go together. */
static int parse_memory_policy(struct spec_ctx *c, json_t *o, void *out)
{
	struct spec_memory_policy *m = out;
	long mode = 0;
	uint64_t flags = 0;
	bool needs_nodes, no_nodes;

	if (spec_get_enum(c, o, "mode", SPEC_REQ, spec_mpol_mode_table, "memory policy mode", NULL, &mode) ||
	    spec_get_str(c, o, "nodes", SPEC_OPT, &m->nodes) ||
	    spec_get_flags(c, o, "flags", spec_mpol_flag_table, "memory policy flag", &flags))
		return -1;
	m->mode = (int)mode;
	m->flags = (unsigned int)flags;
	if (parse_node_list(m->nodes ? m->nodes : "", m) < 0)
		return spec_fail_at_value(
		    c, "nodes", "expected a node list like \"0-3,7\" (nodes below 1024), got", m->nodes);
	needs_nodes = mode == HUSK_MPOL_BIND || mode == HUSK_MPOL_INTERLEAVE ||
		      mode == HUSK_MPOL_WEIGHTED_INTERLEAVE || mode == HUSK_MPOL_PREFERRED_MANY;
	no_nodes = mode == HUSK_MPOL_DEFAULT || mode == HUSK_MPOL_LOCAL;
	if (needs_nodes && m->highest_node < 0)
		return spec_fail_at(c, "nodes", "required by mode %s: expected a node list like \"0-3,7\"",
				    spec_name_of(spec_mpol_mode_table, mode));
	if (no_nodes && m->highest_node >= 0)
		return spec_fail_at(c, "nodes", "mode %s takes no nodes, got \"%s\"",
				    spec_name_of(spec_mpol_mode_table, mode), m->nodes);
	if (no_nodes && (flags & (HUSK_MPOL_F_STATIC_NODES | HUSK_MPOL_F_RELATIVE_NODES)))
		return spec_fail_at(c, "flags", "mode %s takes no node flags",
				    spec_name_of(spec_mpol_mode_table, mode));
	if ((flags & HUSK_MPOL_F_STATIC_NODES) && (flags & HUSK_MPOL_F_RELATIVE_NODES))
		return spec_fail_at(c, "flags",
				    "MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES exclude each other");
	if ((flags & HUSK_MPOL_F_NUMA_BALANCING) && mode != HUSK_MPOL_BIND &&
	    mode != HUSK_MPOL_PREFERRED_MANY)
		return spec_fail_at(c, "flags",
				    "MPOL_F_NUMA_BALANCING needs mode MPOL_BIND or MPOL_PREFERRED_MANY");
	return 0;
}

int spec_check_memory_policy_host(struct spec_ctx *c, const struct spec_linux *l)
{
	struct spec_memory_policy online = { 0 };
	const struct spec_memory_policy *m = &l->memory_policy;
	cleanup_free char *data = NULL;
	struct error e = { 0 };
	size_t mark;

	/* relative and static node numbers are not this host's node numbers */
	if (!l->has_memory_policy || m->highest_node < 0 ||
	    (m->flags & (HUSK_MPOL_F_STATIC_NODES | HUSK_MPOL_F_RELATIVE_NODES)))
		return 0;
	if (read_file_at(AT_FDCWD, "/sys/devices/system/node/online", 4096, &data, NULL, &e) < 0) {
		error_clear(&e); /* no NUMA in sysfs: the kernel judges */
		return 0;
	}
	data[strcspn(data, "\n")] = '\0';
	if (parse_node_list(data, &online) < 0)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(m->node_mask); i++) {
		if ((m->node_mask[i] & ~online.node_mask[i]) == 0)
			continue;
		mark = spec_path_key(c, "linux");
		spec_path_key(c, "memoryPolicy");
		spec_fail_at(c, "nodes", "\"%s\" names a node this host does not have (online: %s)", m->nodes,
			     data);
		spec_path_pop(c, mark);
		return -1;
	}
	return 0;
}

bool spec_valid_ifname(const char *s, bool template_ok)
{
	const char *pct = strchr(s, '%');

	/* the kernel's dev_valid_name(): the name is a directory of /sys/class/net */
	if (s[0] == '\0' || strlen(s) >= IFNAMSIZ || strcmp(s, ".") == 0 || strcmp(s, "..") == 0 ||
	    strpbrk(s, "/: \t\n\v\f\r") != NULL)
		return false;
	/* and its dev_alloc_name(): one "%d", the kernel's pick of a free number (runtime-spec allows it
	 * for the name in the container); a host interface never has one */
	return pct == NULL || (template_ok && pct[1] == 'd' && strchr(pct + 2, '%') == NULL);
}

static int parse_net_device(struct spec_ctx *c, const char *key, json_t *o, void *out)
{
	struct spec_net_device *d = out;

	d->host_name = xstrdup(key);
	if (!spec_valid_ifname(key, false))
		return spec_fail_value(c, "invalid network interface name", key);
	if (spec_expect(c, o, JSON_OBJECT, "an object") || spec_get_str(c, o, "name", SPEC_OPT, &d->name))
		return -1;
	if (d->name && d->name[0] == '\0') {
		/* runc's reading: an empty name keeps the host's */
		free(d->name);
		d->name = NULL;
	}
	if (d->name && !spec_valid_ifname(d->name, true))
		return spec_fail_at_value(c, "name", "invalid network interface name", d->name);
	return 0;
}

/* At the entry's .name when it has one, else at the entry. */
__attribute__((format(printf, 3, 4))) static int
fail_at_name(struct spec_ctx *c, const struct spec_net_device *d, const char *fmt, ...)
{
	cleanup_free char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	va_end(ap);
	return d->name ? spec_fail_at(c, "name", "%s", msg) : spec_fail(c, "%s", msg);
}

/* Two devices cannot take one name in the container, and a new namespace already has "lo". */
static int check_net_devices(struct spec_ctx *c, const struct spec_linux *l)
{
	const struct spec_namespace *net = find_namespace(l, NS_NETWORK);
	size_t mark;
	int r = 0;

	if (l->n_net_devices == 0)
		return 0;
	if (net == NULL)
		/* runc: "unable to move network devices without a NET namespace" */
		return spec_fail_at(c, "netDevices",
				    "unable to move network devices without a network namespace of the "
				    "container's own: add {\"type\": \"network\"} to .linux.namespaces");
	mark = spec_path_key(c, "netDevices");
	for (size_t i = 0; i < l->n_net_devices && r == 0; i++) {
		const struct spec_net_device *d = &l->net_devices[i];
		const char *name = d->name ? d->name : d->host_name;
		size_t kmark = spec_path_map_key(c, d->host_name);

		if (strchr(name, '%'))
			; /* the kernel picks a free name */
		else if (net->path == NULL && strcmp(name, "lo") == 0)
			r = fail_at_name(
			    c, d, "name clash: the container's new network namespace has its own 'lo'");
		for (size_t j = 0; j < i && r == 0 && !strchr(name, '%'); j++) {
			const struct spec_net_device *o = &l->net_devices[j];
			if (strcmp(name, o->name ? o->name : o->host_name) == 0)
				r = fail_at_name(c, d,
						 "name clash: .linux.netDevices[\"%s\"] is named '%s' in the "
						 "container too",
						 o->host_name, name);
		}
		spec_path_pop(c, kmark);
	}
	spec_path_pop(c, mark);
	return r;
}

/* --- the section --- */

/* cgroupsPath is joined under each hierarchy's mount point: a ".." component would leave it and
 * let the config pick (and write limits into) any cgroup of the host. runtime/cgroup.c refuses it
 * too; checking here names the JSON path and fails before anything exists. */
static int check_cgroups_path(struct spec_ctx *c, const char *path)
{
	for (const char *p = path; p && (p = strstr(p, "..")) != NULL; p += 2)
		if ((p == path || p[-1] == '/') && (p[2] == '\0' || p[2] == '/'))
			return spec_fail_at_value(c, "cgroupsPath", "expected a path without \"..\", got",
						  path);
	return 0;
}

static int get_propagation(struct spec_ctx *c, json_t *o, struct spec_linux *l)
{
	long v = 0;

	if (spec_get_enum(c, o, "rootfsPropagation", SPEC_OPT, spec_propagation_table, "rootfs propagation",
			  &l->has_rootfs_propagation, &v) < 0)
		return -1;
	l->rootfs_propagation = (unsigned long)v;
	return 0;
}

/* The namespace a sysctl belongs to, or NS_TYPE_COUNT for one no namespace isolates (runc's list). */
enum spec_ns_type spec_sysctl_namespace(const char *key)
{
	static const char *const ipc_keys[] = { "kernel.msgmax", "kernel.msgmnb",	   "kernel.msgmni",
						"kernel.sem",	 "kernel.shmall",	   "kernel.shmmax",
						"kernel.shmmni", "kernel.shm_rmid_forced", NULL };

	for (const char *const *k = ipc_keys; *k; k++)
		if (strcmp(key, *k) == 0)
			return NS_IPC;
	if (strncmp(key, "fs.mqueue.", 10) == 0)
		return NS_IPC;
	if (strncmp(key, "net.", 4) == 0)
		return NS_NETWORK;
	if (strcmp(key, "kernel.hostname") == 0 || strcmp(key, "kernel.domainname") == 0)
		return NS_UTS;
	return NS_TYPE_COUNT;
}

/* A sysctl is written through the init's /proc/sys: one that no namespace of the container isolates
 * would change the host. Checked here, before any hook runs or the state directory exists. */
static int check_sysctl(struct spec_ctx *c, const struct spec_linux *l)
{
	const struct spec_map *m = &l->sysctl;
	size_t mark = spec_path_key(c, "sysctl");
	int r = 0;

	for (size_t i = 0; i < m->n && r == 0; i++) {
		const char *key = m->keys[i];
		enum spec_ns_type need = spec_sysctl_namespace(key);
		size_t kmark = spec_path_map_key(c, key);

		/* the name becomes a path under /proc/sys: ".." would leave it */
		if (key[0] == '\0' || strstr(key, ".."))
			r = spec_fail(c, "invalid sysctl name");
		else if (need == NS_TYPE_COUNT)
			r = spec_fail(c, "not isolated by a namespace: it would change the host");
		else if (find_namespace(l, need) == NULL)
			r = spec_fail(c, "needs the container's own %s namespace", spec_ns_type_name(need));
		spec_path_pop(c, kmark);
	}
	spec_path_pop(c, mark);
	return r;
}

/* Fields that only mean something together with a namespace. */
static int check_linux(struct spec_ctx *c, const struct spec_linux *l)
{
	const struct spec_namespace *time = find_namespace(l, NS_TIME);

	/* Offsets can only be written into a time namespace before its first process: never a joined one. */
	if ((l->time_boottime.set || l->time_monotonic.set) && (time == NULL || time->path))
		return spec_fail_at(c, "timeOffsets", "requires a new time namespace");
	if (l->n_uid_mappings && find_namespace(l, NS_USER) == NULL)
		return spec_fail_at(c, "uidMappings", "requires a user namespace");
	if (l->n_gid_mappings && find_namespace(l, NS_USER) == NULL)
		return spec_fail_at(c, "gidMappings", "requires a user namespace");
	return check_sysctl(c, l) ?: check_net_devices(c, l);
}

int spec_parse_linux_section(struct spec_ctx *c, json_t *o, void *out)
{
	struct spec_linux *l = out;

	if (spec_get_array(c, o, "namespaces", SPEC_OPT, sizeof *l->namespaces, parse_namespace,
			   &l->namespaces, &l->n_namespaces) ||
	    check_namespaces(c, l) ||
	    spec_get_array(c, o, "uidMappings", SPEC_OPT, sizeof *l->uid_mappings, spec_parse_id_mapping,
			   &l->uid_mappings, &l->n_uid_mappings) ||
	    spec_get_array(c, o, "gidMappings", SPEC_OPT, sizeof *l->gid_mappings, spec_parse_id_mapping,
			   &l->gid_mappings, &l->n_gid_mappings) ||
	    spec_get_object(c, o, "timeOffsets", SPEC_OPT, parse_time_offsets, l, NULL) ||
	    spec_get_array(c, o, "devices", SPEC_OPT, sizeof *l->devices, parse_device, &l->devices,
			   &l->n_devices) ||
	    spec_get_str(c, o, "cgroupsPath", SPEC_OPT, &l->cgroups_path) ||
	    check_cgroups_path(c, l->cgroups_path) ||
	    spec_get_object(c, o, "resources", SPEC_OPT, spec_parse_resources_section, &l->resources,
			    &l->has_resources) ||
	    spec_get_object(c, o, "intelRdt", SPEC_OPT, parse_intel_rdt, &l->intel_rdt, &l->has_intel_rdt) ||
	    spec_get_map(c, o, "sysctl", &l->sysctl) ||
	    spec_get_object(c, o, "seccomp", SPEC_OPT, spec_parse_seccomp_section, &l->seccomp,
			    &l->has_seccomp) ||
	    get_propagation(c, o, l) ||
	    spec_get_strv(c, o, "maskedPaths", SPEC_ABS, &l->masked_paths, &l->n_masked_paths) ||
	    spec_get_strv(c, o, "readonlyPaths", SPEC_ABS, &l->readonly_paths, &l->n_readonly_paths) ||
	    spec_get_str(c, o, "mountLabel", SPEC_OPT, &l->mount_label) ||
	    spec_get_object(c, o, "personality", SPEC_OPT, parse_personality, &l->personality,
			    &l->has_personality) ||
	    spec_get_object(c, o, "memoryPolicy", SPEC_OPT, parse_memory_policy, &l->memory_policy,
			    &l->has_memory_policy) ||
	    spec_get_entries(c, o, "netDevices", sizeof *l->net_devices, parse_net_device, &l->net_devices,
			     &l->n_net_devices))
		return -1;
	return check_linux(c, l);
}

void spec_linux_clear(struct spec_linux *l)
{
	for (size_t i = 0; i < l->n_namespaces; i++)
		free(l->namespaces[i].path);
	free(l->namespaces);
	free(l->uid_mappings);
	free(l->gid_mappings);
	for (size_t i = 0; i < l->n_devices; i++)
		free(l->devices[i].path);
	free(l->devices);
	free(l->cgroups_path);
	spec_resources_clear(&l->resources);
	free(l->intel_rdt.clos_id);
	strv_free(l->intel_rdt.schemata);
	free(l->intel_rdt.l3_cache_schema);
	free(l->intel_rdt.mem_bw_schema);
	spec_map_free(&l->sysctl);
	spec_seccomp_clear(&l->seccomp);
	strv_free(l->masked_paths);
	strv_free(l->readonly_paths);
	free(l->mount_label);
	free(l->memory_policy.nodes);
	for (size_t i = 0; i < l->n_net_devices; i++) {
		free(l->net_devices[i].host_name);
		free(l->net_devices[i].name);
	}
	free(l->net_devices);
	memset(l, 0, sizeof *l);
}

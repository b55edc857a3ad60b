/* Serialization of the state record and the OCI state document. */
#define _GNU_SOURCE
#include "state-json.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/base/util.h"

static json_t *annotations_json(const struct spec_map *m)
{
	json_t *o = json_object();

	for (size_t i = 0; i < m->n; i++)
		json_object_set_new(o, m->keys[i], json_string(m->values[i]));
	return o;
}

static char *dump(const json_t *o, size_t flags)
{
	char *out = json_dumps(o, flags | JSON_PRESERVE_ORDER);

	if (out == NULL)
		abort();
	return out;
}

char *state_record_to_json(const struct state_record *s)
{
	json_auto_t *o = json_object();

	json_object_set_new(o, "id", json_string(s->id));
	json_object_set_new(o, "pid", json_integer(s->pid));
	json_object_set_new(o, "pidStart", json_integer((json_int_t)s->pid_start));
	json_object_set_new(o, "bundle", json_string(s->bundle));
	json_object_set_new(o, "rootfs", json_string(s->rootfs));
	json_object_set_new(o, "created", json_string(s->created));
	json_object_set_new(o, "owner", json_string(s->owner ? s->owner : ""));
	json_object_set_new(o, "ociVersion", json_string(s->oci_version));
	json_object_set_new(o, "annotations", annotations_json(&s->annotations));
	if (s->cgroup_path)
		json_object_set_new(o, "cgroupPath", json_string(s->cgroup_path));
	if (s->systemd_unit)
		json_object_set_new(o, "systemdUnit", json_string(s->systemd_unit));
	json_object_set_new(o, "ownPidns", json_boolean(s->own_pidns));
	json_object_set_new(o, "hasPoststart", json_boolean(s->has_poststart));
	json_object_set_new(o, "hasPoststop", json_boolean(s->has_poststop));
	/* kept as text: it is parsed only by the commands that need it (exec, delete with hooks) */
	if (s->config)
		json_object_set_new(o, "config", json_string(s->config));
	return dump(o, JSON_COMPACT);
}

static int get_str(json_t *o, const char *key, bool required, char **ret, const char *name, struct error *err)
{
	json_t *v = json_object_get(o, key);

	if (v == NULL && !required)
		return 0;
	if (!json_is_string(v))
		return error_set(err, EINVAL, "%s: .%s: expected a string", name, key);
	*ret = xstrdup(json_string_value(v));
	return 0;
}

int state_record_parse(const char *data, size_t len, const char *name, struct state_record **ret,
		       struct error *err)
{
	json_error_t jerr;
	json_auto_t *o = json_loadb(data, len, 0, &jerr);
	json_t *v;
	struct state_record *s;
	int r = -1;

	if (!json_is_object(o))
		return error_set(err, EINVAL, "%s: not a valid state record (%s)", name,
				 o ? "expected an object" : jerr.text);
	s = xcalloc(1, sizeof(*s));
	if (get_str(o, "id", true, &s->id, name, err) < 0 ||
	    get_str(o, "bundle", true, &s->bundle, name, err) < 0 ||
	    get_str(o, "rootfs", true, &s->rootfs, name, err) < 0 ||
	    get_str(o, "created", true, &s->created, name, err) < 0 ||
	    get_str(o, "owner", false, &s->owner, name, err) < 0 ||
	    get_str(o, "ociVersion", true, &s->oci_version, name, err) < 0 ||
	    get_str(o, "cgroupPath", false, &s->cgroup_path, name, err) < 0 ||
	    get_str(o, "systemdUnit", false, &s->systemd_unit, name, err) < 0 ||
	    get_str(o, "config", false, &s->config, name, err) < 0)
		goto out;
	v = json_object_get(o, "pid");
	if (!json_is_integer(v) || json_integer_value(v) <= 0 || json_integer_value(v) > 0x7fffffff) {
		error_set(err, EINVAL, "%s: .pid: expected a positive integer", name);
		goto out;
	}
	s->pid = (pid_t)json_integer_value(v);
	v = json_object_get(o, "pidStart");
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		error_set(err, EINVAL, "%s: .pidStart: expected a non-negative integer", name);
		goto out;
	}
	s->pid_start = (uint64_t)json_integer_value(v);
	s->own_pidns = json_is_true(json_object_get(o, "ownPidns"));
	s->has_poststart = json_is_true(json_object_get(o, "hasPoststart"));
	s->has_poststop = json_is_true(json_object_get(o, "hasPoststop"));
	v = json_object_get(o, "annotations");
	if (json_is_object(v)) {
		const char *k;
		json_t *val;
		size_t n = json_object_size(v), i = 0;
		s->annotations.keys = xcalloc(n + 1, sizeof(char *));
		s->annotations.values = xcalloc(n + 1, sizeof(char *));
		json_object_foreach(v, k, val)
		{
			if (!json_is_string(val))
				continue;
			s->annotations.keys[i] = xstrdup(k);
			s->annotations.values[i++] = xstrdup(json_string_value(val));
		}
		s->annotations.n = i;
	}
	*ret = s;
	s = NULL;
	r = 0;
out:
	state_record_free(s);
	return r;
}

void state_record_free(struct state_record *s)
{
	if (s == NULL)
		return;
	free(s->id);
	free(s->bundle);
	free(s->rootfs);
	free(s->created);
	free(s->owner);
	free(s->oci_version);
	free(s->cgroup_path);
	free(s->systemd_unit);
	free(s->config);
	for (size_t i = 0; i < s->annotations.n; i++) {
		free(s->annotations.keys[i]);
		free(s->annotations.values[i]);
	}
	free(s->annotations.keys);
	free(s->annotations.values);
	free(s);
}

char *state_oci_json(const struct state_record *s, const char *status, pid_t pid, bool pretty)
{
	json_auto_t *o = json_object();

	json_object_set_new(o, "ociVersion", json_string(s->oci_version));
	json_object_set_new(o, "id", json_string(s->id));
	json_object_set_new(o, "status", json_string(status));
	json_object_set_new(o, "pid", json_integer(pid));
	json_object_set_new(o, "bundle", json_string(s->bundle));
	json_object_set_new(o, "rootfs", json_string(s->rootfs));
	json_object_set_new(o, "created", json_string(s->created));
	json_object_set_new(o, "owner", json_string(s->owner ? s->owner : ""));
	json_object_set_new(o, "annotations", annotations_json(&s->annotations));
	return dump(o, pretty ? JSON_INDENT(2) : JSON_COMPACT);
}

char *state_seccomp_agent_json(const struct state_record *s, const char *status, pid_t pid,
			       const char *metadata)
{
	json_auto_t *o = json_object();
	json_t *state;
	char *inner = state_oci_json(s, status, pid, false);

	state = json_loads(inner, 0, NULL);
	free(inner);
	json_object_set_new(o, "ociVersion", json_string(s->oci_version));
	json_object_set_new(o, "fds", json_pack("[s]", "seccompFd"));
	json_object_set_new(o, "pid", json_integer(pid));
	if (metadata)
		json_object_set_new(o, "metadata", json_string(metadata));
	json_object_set_new(o, "state", state);
	return dump(o, JSON_COMPACT);
}

char *state_pids_json(const pid_t *pids, size_t n)
{
	json_auto_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_integer(pids[i]));
	return dump(a, JSON_COMPACT);
}

char *descriptors_to_json(const char *const *fds, size_t n)
{
	json_auto_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(fds[i]));
	return dump(a, JSON_COMPACT);
}

int descriptors_parse(const char *data, size_t len, char ***ret, size_t *ret_n, struct error *err)
{
	json_error_t je;
	json_auto_t *a = json_loadb(data, len, 0, &je);
	json_t *v;
	char **out;
	size_t i;

	if (a == NULL || !json_is_array(a))
		return error_set(err, EINVAL, "descriptors.json: expected an array of strings");
	out = xcalloc(json_array_size(a) + 1, sizeof(char *));
	json_array_foreach(a, i, v) out[i] = xstrdup(json_is_string(v) ? json_string_value(v) : "");
	*ret = out;
	*ret_n = json_array_size(a);
	return 0;
}

/* The typed getters of config/: one checked line per field (type, range, required or not, absolute path,
 * environment form), the error naming the field's jq-like path; name tables, maps, arrays and objects. */
#define _GNU_SOURCE
#include "parse-util.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/base/util.h"

/* --- Getters --- */

int spec_member(struct spec_ctx *c, json_t *o, const char *key, int flags, json_t **ret)
{
	json_t *v = json_object_get(o, key);

	*ret = NULL;
	if (v && json_is_null(v) && !(flags & SPEC_REQ))
		v = NULL;
	if (v == NULL)
		return (flags & SPEC_REQ) ? spec_fail_at(c, key, "required field missing") : 0;
	*ret = v;
	return 1;
}

static int check_string(struct spec_ctx *c, const char *s, int flags)
{
	if ((flags & SPEC_NONEMPTY) && s[0] == '\0')
		return spec_fail(c, "expected a non-empty string");
	if ((flags & SPEC_ABS) && s[0] != '/')
		return spec_fail_value(c, "expected an absolute path, got", s);
	if ((flags & SPEC_ENV) && (s[0] == '=' || strchr(s, '=') == NULL))
		return spec_fail_value(c, "expected KEY=VALUE, got", s);
	return 0;
}

int spec_get_str(struct spec_ctx *c, json_t *o, const char *key, int flags, char **ret)
{
	json_t *v;
	size_t mark;
	int r = spec_member(c, o, key, flags, &v);

	if (r <= 0)
		return r;
	mark = spec_path_key(c, key);
	r = spec_expect(c, v, JSON_STRING, "a string");
	if (r == 0)
		r = check_string(c, json_string_value(v), flags);
	spec_path_pop(c, mark);
	if (r == 0) {
		free(*ret);
		*ret = xstrdup(json_string_value(v));
	}
	return r;
}

int spec_get_bool(struct spec_ctx *c, json_t *o, const char *key, int flags, bool *has, bool *ret)
{
	json_t *v;
	size_t mark;
	int r = spec_member(c, o, key, flags, &v);

	if (r <= 0)
		return r;
	mark = spec_path_key(c, key);
	r = spec_expect(c, v, JSON_TRUE, "a boolean");
	spec_path_pop(c, mark);
	if (r == 0) {
		*ret = json_is_true(v);
		if (has)
			*has = true;
	}
	return r;
}

/* Checks an integer value at the current path against [min, max]. */
static int value_int(struct spec_ctx *c, const json_t *v, int64_t min, int64_t max, const char *what,
		     int64_t *ret)
{
	int64_t n;

	if (spec_json_is_big(v))
		return spec_fail(c, "expected %s, got %s", what, json_string_value(v) + 1);
	if (spec_expect(c, v, JSON_INTEGER, "an integer") < 0)
		return -1;
	n = json_integer_value(v);
	if (n < min || n > max)
		return spec_fail(c, "expected %s, got %" PRId64, what, n);
	*ret = n;
	return 0;
}

int spec_get_int(struct spec_ctx *c, json_t *o, const char *key, int flags, int64_t min, int64_t max,
		 const char *what, bool *has, int64_t *ret)
{
	json_t *v;
	size_t mark;
	int r = spec_member(c, o, key, flags, &v);

	if (r <= 0)
		return r;
	mark = spec_path_key(c, key);
	r = value_int(c, v, min, max, what, ret);
	spec_path_pop(c, mark);
	if (r == 0 && has)
		*has = true;
	return r;
}

int spec_get_i64(struct spec_ctx *c, json_t *o, const char *key, int flags, bool *has, int64_t *ret)
{
	return spec_get_int(c, o, key, flags, INT64_MIN, INT64_MAX, "an integer", has, ret);
}

int spec_get_i32(struct spec_ctx *c, json_t *o, const char *key, int flags, bool *has, int32_t *ret)
{
	bool present = false;
	int64_t v;

	if (spec_get_int(c, o, key, flags, INT32_MIN, INT32_MAX, "a 32-bit integer", &present, &v) < 0)
		return -1;
	if (present) {
		*ret = (int32_t)v;
		if (has)
			*has = true;
	}
	return 0;
}

int spec_value_u64(struct spec_ctx *c, const json_t *v, uint64_t *ret)
{
	int64_t n = 0;

	if (spec_json_is_big(v))
		return parse_u64(json_string_value(v) + 1, ret) == 0 ? 0 : spec_fail(c, "invalid number");
	if (value_int(c, v, 0, INT64_MAX, "an unsigned 64-bit integer", &n) < 0)
		return -1;
	*ret = (uint64_t)n;
	return 0;
}

int spec_get_u64(struct spec_ctx *c, json_t *o, const char *key, int flags, bool *has, uint64_t *ret)
{
	json_t *v;
	size_t mark;
	int r = spec_member(c, o, key, flags, &v);

	if (r <= 0)
		return r;
	mark = spec_path_key(c, key);
	r = spec_value_u64(c, v, ret);
	spec_path_pop(c, mark);
	if (r == 0 && has)
		*has = true;
	return r;
}

int spec_get_uint(struct spec_ctx *c, json_t *o, const char *key, int flags, uint32_t max, bool *has,
		  uint32_t *ret)
{
	bool present = false;
	char what[48];
	int64_t v;

	if (max == UINT32_MAX || max == UINT16_MAX)
		snprintf(what, sizeof what, "an unsigned %d-bit integer", max == UINT16_MAX ? 16 : 32);
	else
		snprintf(what, sizeof what, "an integer from 0 to %" PRIu32, max);
	if (spec_get_int(c, o, key, flags, 0, max, what, &present, &v) < 0)
		return -1;
	if (present) {
		*ret = (uint32_t)v;
		if (has)
			*has = true;
	}
	return 0;
}

/* Looks up an array member; *ret NULL when absent. */
static int member_array(struct spec_ctx *c, json_t *o, const char *key, int flags, const char *what,
			json_t **ret)
{
	json_t *v;
	int r = 0;

	if (spec_member(c, o, key, flags, &v) < 0)
		return -1;
	if (v && !json_is_array(v)) {
		size_t mark = spec_path_key(c, key);
		r = spec_expect(c, v, JSON_ARRAY, what);
		spec_path_pop(c, mark);
	}
	*ret = v;
	return r;
}

int spec_get_strv(struct spec_ctx *c, json_t *o, const char *key, int flags, char ***ret, size_t *ret_n)
{
	const char *what = (flags & SPEC_NONEMPTY) ? "a non-empty array of strings" : "an array of strings";
	json_t *arr;
	size_t i, n, mark;
	char **strv;

	if (member_array(c, o, key, flags, what, &arr) < 0)
		return -1;
	if (arr == NULL)
		return 0;
	n = json_array_size(arr);
	if (n == 0 && (flags & SPEC_NONEMPTY))
		return spec_fail_at(c, key, "expected %s", what);
	strv = xcalloc(n + 1, sizeof *strv);
	strv_free(*ret);
	*ret = strv;
	*ret_n = n;
	mark = spec_path_key(c, key);
	for (i = 0; i < json_array_size(arr); i++) {
		json_t *v = json_array_get(arr, i);
		size_t imark = spec_path_index(c, i);
		int r = spec_expect(c, v, JSON_STRING, "a string");

		if (r == 0)
			r = check_string(c, json_string_value(v), flags & (SPEC_ABS | SPEC_ENV));
		spec_path_pop(c, imark);
		if (r < 0) {
			spec_path_pop(c, mark);
			return -1;
		}
		strv[i] = xstrdup(json_string_value(v));
	}
	spec_path_pop(c, mark);
	return 0;
}

int spec_get_u32v(struct spec_ctx *c, json_t *o, const char *key, uint32_t **ret, size_t *ret_n)
{
	json_t *arr;
	size_t i, mark;
	int r = 0;

	if (member_array(c, o, key, SPEC_OPT, "an array of integers", &arr) < 0)
		return -1;
	if (arr == NULL)
		return 0;
	free(*ret);
	*ret = xcalloc(json_array_size(arr) + 1, sizeof **ret);
	*ret_n = json_array_size(arr);
	mark = spec_path_key(c, key);
	for (i = 0; i < json_array_size(arr); i++) {
		json_t *v = json_array_get(arr, i);
		size_t imark = spec_path_index(c, i);
		int64_t n = 0;

		r = value_int(c, v, 0, UINT32_MAX, "an unsigned 32-bit integer", &n);
		spec_path_pop(c, imark);
		if (r < 0)
			break;
		(*ret)[i] = (uint32_t)n;
	}
	spec_path_pop(c, mark);
	return r;
}

static int map_entry(struct spec_ctx *c, const char *key, json_t *v, void *out)
{
	char **value = out;

	if (spec_expect(c, v, JSON_STRING, "a string") < 0)
		return -1;
	*value = xstrdup(json_string_value(v));
	return 0;
}

/* Walks the members of the object at key, calling fn on each with the path at ["key"]. */
static int each_entry(struct spec_ctx *c, json_t *obj, spec_entry_fn fn, char **keys, char *items,
		      size_t size)
{
	size_t i = 0;

	for (void *it = json_object_iter(obj); it; it = json_object_iter_next(obj, it)) {
		const char *k = json_object_iter_key(it);
		json_t *v = json_object_iter_value(it);
		size_t mark = spec_path_map_key(c, k);
		int r = k[0] == '\0' ? spec_fail(c, "expected a non-empty key") : 0;

		if (keys)
			keys[i] = xstrdup(k);
		if (r == 0)
			r = fn(c, k, v, items + i * size);
		spec_path_pop(c, mark);
		if (r < 0)
			return -1;
		i++;
	}
	return 0;
}

static int member_object(struct spec_ctx *c, json_t *o, const char *key, int flags, json_t **ret)
{
	json_t *v;
	int r = 0;

	if (spec_member(c, o, key, flags, &v) < 0)
		return -1;
	if (v && !json_is_object(v)) {
		size_t mark = spec_path_key(c, key);
		r = spec_expect(c, v, JSON_OBJECT, "an object");
		spec_path_pop(c, mark);
	}
	*ret = v;
	return r;
}

int spec_get_map(struct spec_ctx *c, json_t *o, const char *key, struct spec_map *ret)
{
	json_t *obj;
	size_t n, mark;
	int r;

	if (member_object(c, o, key, SPEC_OPT, &obj) < 0)
		return -1;
	if (obj == NULL)
		return 0;
	spec_map_free(ret);
	n = json_object_size(obj);
	ret->keys = xcalloc(n + 1, sizeof *ret->keys);
	ret->values = xcalloc(n + 1, sizeof *ret->values);
	ret->n = n;
	mark = spec_path_key(c, key);
	r = each_entry(c, obj, map_entry, ret->keys, (char *)ret->values, sizeof *ret->values);
	spec_path_pop(c, mark);
	return r;
}

int spec_get_enum(struct spec_ctx *c, json_t *o, const char *key, int flags, const struct spec_name *table,
		  const char *what, bool *has, long *ret)
{
	cleanup_free char *msg = NULL;
	json_t *v;
	size_t mark;
	int r = spec_member(c, o, key, flags, &v);

	if (r <= 0)
		return r;
	mark = spec_path_key(c, key);
	r = spec_expect(c, v, JSON_STRING, "a string");
	if (r == 0 && !spec_name_lookup(table, json_string_value(v), ret)) {
		msg = xasprintf("unknown %s", what);
		r = spec_fail_value(c, msg, json_string_value(v));
	}
	spec_path_pop(c, mark);
	if (r == 0 && has)
		*has = true;
	return r;
}

int spec_get_flags(struct spec_ctx *c, json_t *o, const char *key, const struct spec_name *table,
		   const char *what, uint64_t *ret)
{
	cleanup_free char *msg = xasprintf("unknown %s", what);
	json_t *arr;
	size_t i, mark;
	uint64_t mask = 0;
	int r = 0;

	if (member_array(c, o, key, SPEC_OPT, "an array of strings", &arr) < 0)
		return -1;
	if (arr == NULL)
		return 0;
	mark = spec_path_key(c, key);
	for (i = 0; i < json_array_size(arr); i++) {
		json_t *v = json_array_get(arr, i);
		size_t imark = spec_path_index(c, i);
		long bit = 0;

		r = spec_expect(c, v, JSON_STRING, "a string");
		if (r == 0 && !spec_name_lookup(table, json_string_value(v), &bit))
			r = spec_fail_value(c, msg, json_string_value(v));
		spec_path_pop(c, imark);
		if (r < 0)
			break;
		mask |= (uint64_t)bit;
	}
	spec_path_pop(c, mark);
	if (r == 0)
		*ret = mask;
	return r;
}

int spec_get_object(struct spec_ctx *c, json_t *o, const char *key, int flags, spec_parse_fn fn, void *out,
		    bool *has)
{
	json_t *obj;
	size_t mark;
	int r;

	if (member_object(c, o, key, flags, &obj) < 0)
		return -1;
	if (obj == NULL)
		return 0;
	if (has)
		*has = true;
	mark = spec_path_key(c, key);
	r = fn(c, obj, out);
	spec_path_pop(c, mark);
	return r;
}

int spec_get_array(struct spec_ctx *c, json_t *o, const char *key, int flags, size_t size, spec_parse_fn fn,
		   void *ret_items, size_t *ret_n)
{
	json_t *arr;
	size_t i, n, mark;
	char *items;
	int r = 0;

	if (member_array(c, o, key, flags, "an array", &arr) < 0)
		return -1;
	if (arr == NULL)
		return 0;
	n = json_array_size(arr);
	if (n == 0 && (flags & SPEC_NONEMPTY))
		return spec_fail_at(c, key, "expected a non-empty array");
	items = n ? xcalloc(n, size) : NULL;
	memcpy(ret_items, &items, sizeof items);
	*ret_n = n;
	mark = spec_path_key(c, key);
	for (i = 0; i < json_array_size(arr); i++) {
		json_t *v = json_array_get(arr, i);
		size_t imark = spec_path_index(c, i);

		r = spec_expect(c, v, JSON_OBJECT, "an object");
		if (r == 0)
			r = fn(c, v, items + i * size);
		spec_path_pop(c, imark);
		if (r < 0)
			break;
	}
	spec_path_pop(c, mark);
	return r;
}

int spec_get_entries(struct spec_ctx *c, json_t *o, const char *key, size_t size, spec_entry_fn fn,
		     void *ret_items, size_t *ret_n)
{
	json_t *obj;
	size_t n, mark;
	char *items;
	int r;

	if (member_object(c, o, key, SPEC_OPT, &obj) < 0)
		return -1;
	if (obj == NULL)
		return 0;
	n = json_object_size(obj);
	items = n ? xcalloc(n, size) : NULL;
	memcpy(ret_items, &items, sizeof items);
	*ret_n = n;
	mark = spec_path_key(c, key);
	r = each_entry(c, obj, fn, NULL, items, size);
	spec_path_pop(c, mark);
	return r;
}

void spec_map_free(struct spec_map *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->keys[i]);
		free(m->values[i]);
	}
	free(m->keys);
	free(m->values);
	m->keys = m->values = NULL;
	m->n = 0;
}

bool spec_name_lookup(const struct spec_name *table, const char *name, long *ret)
{
	for (const struct spec_name *e = table; e->name; e++) {
		if (strcmp(e->name, name) == 0) {
			*ret = e->value;
			return true;
		}
	}
	return false;
}

const char *spec_name_of(const struct spec_name *table, long value)
{
	for (const struct spec_name *e = table; e->name; e++)
		if (e->value == value)
			return e->name;
	return NULL;
}

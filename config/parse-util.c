/* The parse context and typed getters behind config/: jq-like paths in every message, one checked
 * line per field, and loading of unsigned 64-bit numbers that jansson's int64 cannot hold. */
#define _GNU_SOURCE
#include "parse-util.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/base/util.h"

/* Numbers above INT64_MAX are rewritten into strings made of this byte and the digits (see
 * big_number_rewrite): runtime-spec's uint64 fields use 2^64-1 for "unlimited" (docker writes it
 * for `--ulimit core=-1`), and jansson rejects it as "too big integer". */
#define BIG_MARK     '\x01'
#define BIG_MARK_ESC "\\u0001"

void spec_ctx_init(struct spec_ctx *c, const char *name, struct error *err)
{
	c->name = name ? name : "config.json";
	c->err = err;
	c->cap = 128;
	c->len = 0;
	c->path = xmalloc(c->cap);
	c->path[0] = '\0';
}

void spec_ctx_fini(struct spec_ctx *c)
{
	free(c->path);
	c->path = NULL;
}

static void path_append(struct spec_ctx *c, const char *s, size_t n)
{
	if (c->len + n + 1 > c->cap) {
		while (c->len + n + 1 > c->cap)
			c->cap *= 2;
		c->path = xrealloc(c->path, c->cap);
	}
	memcpy(c->path + c->len, s, n);
	c->len += n;
	c->path[c->len] = '\0';
}

size_t spec_path_key(struct spec_ctx *c, const char *key)
{
	size_t mark = c->len;

	path_append(c, ".", 1);
	path_append(c, key, strlen(key));
	return mark;
}

size_t spec_path_index(struct spec_ctx *c, size_t i)
{
	char buf[32];
	size_t mark = c->len;
	int n = snprintf(buf, sizeof buf, "[%zu]", i);

	path_append(c, buf, (size_t)n);
	return mark;
}

size_t spec_path_map_key(struct spec_ctx *c, const char *key)
{
	cleanup_free char *q = spec_quote(key);
	size_t mark = c->len;

	path_append(c, "[", 1);
	path_append(c, q, strlen(q));
	path_append(c, "]", 1);
	return mark;
}

void spec_path_pop(struct spec_ctx *c, size_t mark)
{
	c->len = mark;
	c->path[mark] = '\0';
}

char *spec_quote(const char *s)
{
	size_t n = strlen(s);
	char *out = xmalloc(n * 6 + 3), *p = out;

	*p++ = '"';
	for (const unsigned char *q = (const unsigned char *)s; *q; q++) {
		if (*q == '"' || *q == '\\') {
			*p++ = '\\';
			*p++ = (char)*q;
		} else if (*q < 0x20 || *q == 0x7f) {
			p += sprintf(p, "\\u%04x", *q);
		} else {
			*p++ = (char)*q;
		}
	}
	*p++ = '"';
	*p = '\0';
	return out;
}

__attribute__((format(printf, 2, 0))) static int vfail(struct spec_ctx *c, const char *fmt, va_list ap)
{
	cleanup_free char *msg = NULL;

	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	return error_set(c->err, EINVAL, "%s: %s: %s", c->name, c->len ? c->path : ".", msg);
}

int spec_fail(struct spec_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(c, fmt, ap);
	va_end(ap);
	return -1;
}

int spec_fail_at(struct spec_ctx *c, const char *key, const char *fmt, ...)
{
	size_t mark = spec_path_key(c, key);
	va_list ap;

	va_start(ap, fmt);
	vfail(c, fmt, ap);
	va_end(ap);
	spec_path_pop(c, mark);
	return -1;
}

int spec_fail_value(struct spec_ctx *c, const char *what, const char *value)
{
	cleanup_free char *q = spec_quote(value);

	return spec_fail(c, "%s %s", what, q);
}

int spec_fail_at_value(struct spec_ctx *c, const char *key, const char *what, const char *value)
{
	size_t mark = spec_path_key(c, key);

	spec_fail_value(c, what, value);
	spec_path_pop(c, mark);
	return -1;
}

static bool is_big(const json_t *v)
{
	const char *s = json_is_string(v) ? json_string_value(v) : NULL;

	return s && s[0] == BIG_MARK;
}

const char *spec_json_type(const json_t *v)
{
	if (is_big(v))
		return "an integer";
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a real";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "an unknown value";
}

int spec_expect(struct spec_ctx *c, const json_t *v, json_type t, const char *what)
{
	bool ok = json_typeof(v) == t || (t == JSON_TRUE && json_is_boolean(v));

	if (ok && !is_big(v))
		return 0;
	return spec_fail(c, "expected %s, got %s", what, spec_json_type(v));
}

/* --- Numbers beyond int64 --- */

/* Where the rewrite inserted text, to report syntax errors at the columns of the original. */
struct big_rewrite {
	size_t n;
	size_t cap;
	size_t *at; /* offsets of rewritten tokens in the new buffer */
	int *lines; /* their lines */
};

/* A token of unsigned digits worth rewriting: above INT64_MAX, at most UINT64_MAX. Tokens jansson
 * would reject anyway (leading zero, beyond uint64) are left for jansson to report. */
static bool big_token(const char *s, size_t n)
{
	char buf[32];
	uint64_t v;

	if (n < 19 || n > 20 || s[0] == '0')
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return parse_u64(buf, &v) == 0 && v > (uint64_t)INT64_MAX;
}

static bool is_number_char(char ch)
{
	return (ch >= '0' && ch <= '9') || ch == '-' || ch == '+' || ch == '.' || ch == 'e' || ch == 'E';
}

static void big_note(struct big_rewrite *rw, size_t at, int line)
{
	if (rw->n == rw->cap) {
		rw->cap = rw->cap ? rw->cap * 2 : 8;
		rw->at = xrealloc(rw->at, rw->cap * sizeof *rw->at);
		rw->lines = xrealloc(rw->lines, rw->cap * sizeof *rw->lines);
	}
	rw->at[rw->n] = at;
	rw->lines[rw->n++] = line;
}

/* Returns a copy of data with every number above INT64_MAX in a value position turned into a string
 * of BIG_MARK and its digits, or NULL when there is none. Only value positions (after ':', '[', or
 * ',' inside an array) are touched, so an invalid document stays invalid. A document that already
 * holds "\u0001" is left alone: every marked string must be one we made. */
static char *big_number_rewrite(const char *data, size_t len, size_t *ret_len, struct big_rewrite *rw)
{
	cleanup_free char *out = NULL;
	cleanup_free char *stack = NULL; /* 'o' or 'a' per open container */
	size_t o = 0, depth = 0;
	bool in_string = false;
	char prev = 0; /* last significant character outside strings */
	int line = 1;

	if (memmem(data, len, BIG_MARK_ESC, strlen(BIG_MARK_ESC)) != NULL)
		return NULL;
	/* Each rewritten token has at least 19 digits plus a separator, and grows by 8. */
	out = xmalloc(len + 8 * (len / 19 + 1) + 1);
	stack = xmalloc(len + 1);
	for (size_t i = 0; i < len;) {
		char ch = data[i];
		size_t end = i;

		if (in_string) {
			out[o++] = data[i++];
			if (ch == '\\' && i < len)
				out[o++] = data[i++];
			else if (ch == '"')
				in_string = false;
			continue;
		}
		if ((ch >= '0' && ch <= '9') || ch == '-') {
			bool value =
			    prev == ':' || prev == '[' || (prev == ',' && depth && stack[depth - 1] == 'a');
			bool big;

			while (end < len && is_number_char(data[end]))
				end++;
			big = value && big_token(data + i, end - i);
			if (big) {
				big_note(rw, o, line);
				memcpy(out + o, "\"" BIG_MARK_ESC, 7);
				o += 7;
			}
			memcpy(out + o, data + i, end - i);
			o += end - i;
			if (big)
				out[o++] = '"';
			prev = data[end - 1];
			i = end;
			continue;
		}
		if (ch == '"')
			in_string = true;
		else if (ch == '{' || ch == '[')
			stack[depth++] = ch == '{' ? 'o' : 'a';
		else if ((ch == '}' || ch == ']') && depth)
			depth--;
		else if (ch == '\n')
			line++;
		if (ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r')
			prev = ch;
		out[o++] = data[i++];
	}
	if (rw->n == 0)
		return NULL;
	out[o] = '\0';
	*ret_len = o;
	return steal_ptr(&out);
}

int spec_json_load(struct spec_ctx *c, const char *data, size_t len, json_t **ret)
{
	struct big_rewrite rw = { 0 };
	cleanup_free char *copy = NULL;
	size_t copy_len = 0;
	json_error_t jerr;
	json_t *root;
	int column;

	copy = big_number_rewrite(data, len, &copy_len, &rw);
	root = copy ? json_loadb(copy, copy_len, 0, &jerr) : json_loadb(data, len, 0, &jerr);
	column = root ? 0 : jerr.column;
	/* Report the column of the document as written, not of the rewritten copy. */
	for (size_t i = 0; root == NULL && i < rw.n; i++)
		if (rw.lines[i] == jerr.line && rw.at[i] < (size_t)jerr.position)
			column -= 8;
	free(rw.at);
	free(rw.lines);
	if (root == NULL)
		return error_set(c->err, EINVAL, "%s: line %d column %d: %s", c->name, jerr.line, column,
				 jerr.text);
	if (!json_is_object(root)) {
		spec_expect(c, root, JSON_OBJECT, "an object");
		json_decref(root);
		return -1;
	}
	*ret = root;
	return 0;
}

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

	if (is_big(v))
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

	if (is_big(v))
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

int spec_get_u32(struct spec_ctx *c, json_t *o, const char *key, int flags, bool *has, uint32_t *ret)
{
	bool present = false;
	int64_t v;

	if (spec_get_int(c, o, key, flags, 0, UINT32_MAX, "an unsigned 32-bit integer", &present, &v) < 0)
		return -1;
	if (present) {
		*ret = (uint32_t)v;
		if (has)
			*has = true;
	}
	return 0;
}

int spec_get_u16(struct spec_ctx *c, json_t *o, const char *key, int flags, bool *has, uint16_t *ret)
{
	bool present = false;
	int64_t v;

	if (spec_get_int(c, o, key, flags, 0, UINT16_MAX, "an unsigned 16-bit integer", &present, &v) < 0)
		return -1;
	if (present) {
		*ret = (uint16_t)v;
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

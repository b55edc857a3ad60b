/* The parse context behind config/: jq-like paths in every message, the error helpers, and loading of
 * unsigned 64-bit numbers that jansson's int64 cannot hold. The typed getters are in parse-get.c. */
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

bool spec_json_is_big(const json_t *v)
{
	const char *s = json_is_string(v) ? json_string_value(v) : NULL;

	return s && s[0] == BIG_MARK;
}

const char *spec_json_type(const json_t *v)
{
	if (spec_json_is_big(v))
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

	if (ok && !spec_json_is_big(v))
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
	json_auto_t *root;
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
		return spec_expect(c, root, JSON_OBJECT, "an object");
	}
	*ret = steal_ptr(&root);
	return 0;
}

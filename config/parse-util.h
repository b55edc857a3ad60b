/* Internal to config/: the parse context (file name, error, jq-like path of the value being read) and
 * the typed getters that turn one JSON member into one C field in one line, each failing with
 * "<name>: <path>: expected ..., got ...". Also the name tables the parsers share. */
#ifndef HUSK_CONFIG_PARSE_UTIL_H
#define HUSK_CONFIG_PARSE_UTIL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec.h"

/* Getter flags. */
enum {
	SPEC_OPT = 0,
	SPEC_REQ = 1 << 0,	/* missing is an error ("required field missing") */
	SPEC_ABS = 1 << 1,	/* the string (each string of an array) must be an absolute path */
	SPEC_ENV = 1 << 2,	/* each string of the array must be KEY=VALUE */
	SPEC_NONEMPTY = 1 << 3, /* the string or the array must not be empty */
};

struct spec_ctx {
	const char *name;  /* "config.json", the prefix of every message */
	struct error *err; /* where failures go */
	char *path;	   /* ".linux.resources.memory"; "" at the top */
	size_t len;
	size_t cap;
};

/* One entry of a name table; tables end with a NULL name. */
struct spec_name {
	const char *name;
	long value;
};

/* Parses one JSON object into out (a zeroed struct the caller's free function can always free). */
typedef int (*spec_parse_fn)(struct spec_ctx *c, json_t *o, void *out);
/* Same for the values of a JSON object used as a map ("rdma": {"mlx5_1": {...}}). */
typedef int (*spec_entry_fn)(struct spec_ctx *c, const char *key, json_t *o, void *out);

void spec_ctx_init(struct spec_ctx *c, const char *name, struct error *err);
void spec_ctx_fini(struct spec_ctx *c);

/* Load a document whose top level must be an object. Syntax errors read
 * "<name>: line L column C: <jansson's text>". */
int spec_json_load(struct spec_ctx *c, const char *data, size_t len, json_t **ret);

/* Path components: each returns a mark to hand back to spec_path_pop. */
size_t spec_path_key(struct spec_ctx *c, const char *key);     /* .key */
size_t spec_path_index(struct spec_ctx *c, size_t i);	       /* [i] */
size_t spec_path_map_key(struct spec_ctx *c, const char *key); /* ["key"] */
void spec_path_pop(struct spec_ctx *c, size_t mark);

/* Fail at the current path: "<name>: <path>: <message>"; return -1. */
int spec_fail(struct spec_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Fail at the current path plus .key. */
int spec_fail_at(struct spec_ctx *c, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Fail with `<what> "<value>"`, the value quoted and escaped. */
int spec_fail_value(struct spec_ctx *c, const char *what, const char *value);
/* Same at the current path plus .key. */
int spec_fail_at_value(struct spec_ctx *c, const char *key, const char *what, const char *value);
/* s quoted and escaped like a JSON string; the caller frees it. */
char *spec_quote(const char *s);

/* "a string", "an integer", "a real", "a boolean", "an object", "an array", "null". */
/* A number above INT64_MAX that spec_json_load turned into a marked string. */
bool spec_json_is_big(const json_t *v);
const char *spec_json_type(const json_t *v);
/* Fail with "expected <what>, got <type of v>" unless v has JSON type t. */
int spec_expect(struct spec_ctx *c, const json_t *v, json_type t, const char *what);

/* Look up key: 1 when present, 0 when absent, -1 when required and missing. An optional member set to
 * null counts as absent, as for Go's decoder (Go programs write nearly every config.json). */
int spec_member(struct spec_ctx *c, json_t *o, const char *key, int flags, json_t **ret);

/* Typed getters: *ret and *has (may be NULL) are written only when the member is present. */
int spec_get_str(struct spec_ctx *c, json_t *o, const char *key, int flags, char **ret);
int spec_get_bool(struct spec_ctx *c, json_t *o, const char *key, int flags, bool *has, bool *ret);
int spec_get_int(struct spec_ctx *c, json_t *o, const char *key, int flags, int64_t min, int64_t max,
		 const char *what, bool *has, int64_t *ret);
int spec_get_i64(struct spec_ctx *c, json_t *o, const char *key, int flags, bool *has, int64_t *ret);
int spec_get_i32(struct spec_ctx *c, json_t *o, const char *key, int flags, bool *has, int32_t *ret);
int spec_get_u64(struct spec_ctx *c, json_t *o, const char *key, int flags, bool *has, uint64_t *ret);
/* An unsigned integer from 0 to max (UINT32_MAX, UINT16_MAX for a 16-bit field of the spec). */
int spec_get_uint(struct spec_ctx *c, json_t *o, const char *key, int flags, uint32_t max, bool *has,
		  uint32_t *ret);
/* An unsigned 64-bit value already looked up (for values beyond jansson's int64). */
int spec_value_u64(struct spec_ctx *c, const json_t *v, uint64_t *ret);
/* Array of strings, NULL-terminated on top of the count. */
int spec_get_strv(struct spec_ctx *c, json_t *o, const char *key, int flags, char ***ret, size_t *ret_n);
/* Array of unsigned 32-bit integers. */
int spec_get_u32v(struct spec_ctx *c, json_t *o, const char *key, uint32_t **ret, size_t *ret_n);
/* Object of strings. */
int spec_get_map(struct spec_ctx *c, json_t *o, const char *key, struct spec_map *ret);
/* A string from a name table. what names the kind in the message: unknown <what> "<value>". */
int spec_get_enum(struct spec_ctx *c, json_t *o, const char *key, int flags, const struct spec_name *table,
		  const char *what, bool *has, long *ret);
/* An array of names from a table, OR-ed together. */
int spec_get_flags(struct spec_ctx *c, json_t *o, const char *key, const struct spec_name *table,
		   const char *what, uint64_t *ret);
/* A nested object parsed by fn into out. */
int spec_get_object(struct spec_ctx *c, json_t *o, const char *key, int flags, spec_parse_fn fn, void *out,
		    bool *has);
/* An array of objects: allocates count zeroed items of size bytes into *ret_items (a pointer to the
 * typed array pointer) before parsing them, so a failure leaves everything to the free function. */
int spec_get_array(struct spec_ctx *c, json_t *o, const char *key, int flags, size_t size, spec_parse_fn fn,
		   void *ret_items, size_t *ret_n);
/* An object of objects, same ownership rules; fn gets each key. */
int spec_get_entries(struct spec_ctx *c, json_t *o, const char *key, size_t size, spec_entry_fn fn,
		     void *ret_items, size_t *ret_n);

void spec_map_free(struct spec_map *m);
bool spec_name_lookup(const struct spec_name *table, const char *name, long *ret);
const char *spec_name_of(const struct spec_name *table, long value);

/* Name tables (names.c). */
extern const struct spec_name spec_seccomp_action_table[];
extern const struct spec_name spec_seccomp_op_table[];
extern const struct spec_name spec_seccomp_flag_table[];
extern const struct spec_name spec_propagation_table[];
extern const struct spec_name spec_personality_table[];
extern const struct spec_name spec_personality_flag_table[];
extern const struct spec_name spec_ioprio_class_table[];
extern const struct spec_name spec_sched_policy_table[];
extern const struct spec_name spec_sched_flag_table[];
extern const struct spec_name spec_mpol_mode_table[];
/* A CPU or node list ("0-3, 7") into mask (bit n: id n; mask may be NULL to only check it); every id
 * below bits, ranges ascending. The highest id, -1 for an empty list. */
int spec_parse_id_list(const char *list, unsigned long *mask, size_t bits, int *ret_highest);
/* linux.memoryPolicy.nodes against the nodes online on this host (spec_validate). */
struct spec_linux;
int spec_check_memory_policy_host(struct spec_ctx *c, const struct spec_linux *l);
extern const struct spec_name spec_mpol_flag_table[];

/* The sections, shared between parse.c, parse-linux.c, parse-seccomp.c and parse-resources.c. */
int spec_parse_linux_section(struct spec_ctx *c, json_t *o, void *out); /* struct spec_linux */
void spec_linux_clear(struct spec_linux *l);
struct spec_seccomp;
int spec_parse_seccomp_section(struct spec_ctx *c, json_t *o, void *out); /* struct spec_seccomp */
void spec_seccomp_clear(struct spec_seccomp *s);
int spec_parse_resources_section(struct spec_ctx *c, json_t *o, void *out); /* struct spec_resources */
void spec_resources_clear(struct spec_resources *r);
int spec_parse_process_section(struct spec_ctx *c, json_t *o, void *out); /* struct spec_process */
void spec_process_clear(struct spec_process *p);
int spec_parse_id_mapping(struct spec_ctx *c, json_t *o, void *out);

#endif

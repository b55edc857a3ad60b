/* Flag parsing with the syntax runc's urfave/cli accepts, so orchestrators' command lines parse as-is. */
#define _GNU_SOURCE
#include "cli.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/base/util.h"

static const struct opt *find_opt(const char *name, size_t len, const struct opt *opts, size_t n_opts)
{
	for (size_t i = 0; i < n_opts; i++) {
		if (len == 1 && opts[i].short_name == name[0])
			return &opts[i];
		if (strlen(opts[i].name) == len && strncmp(opts[i].name, name, len) == 0)
			return &opts[i];
	}
	return NULL;
}

size_t cli_distance(const char *a, size_t la, const char *b)
{
	size_t lb = strlen(b), d[3][64], *prev2 = d[0], *prev = d[1], *cur = d[2];

	if (la >= 63 || lb >= 63)
		return SIZE_MAX;
	/* optimal string alignment: insertions, deletions, substitutions and swaps of two neighbours
	 * cost one each, so "rnu" is one edit from "run" */
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1], v = prev[j - 1] + cost;

			if (prev[j] + 1 < v)
				v = prev[j] + 1;
			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < v)
				v = prev2[j - 2] + 1;
			cur[j] = v;
		}
		size_t *t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[lb];
}

size_t cli_typo_score(const char *word, size_t len, const char *name)
{
	size_t d = cli_distance(word, len, name);
	bool prefix = len >= 2 && strncmp(word, name, len) == 0;

	/* a typo: one edit in a short word, two in a longer one; or the start of the name. Between two
	 * names as close, the one the word starts ("stat": state, not start) wins */
	if (d > (len <= 4 ? 1 : 2) && !prefix)
		return SIZE_MAX;
	return prefix ? 2 * d : 2 * d + 1;
}

/* the flag of opts nearest to name, if it is close enough to be a typo of it */
static const char *suggest_opt(const char *name, size_t len, const struct opt *opts, size_t n_opts)
{
	const char *best = NULL;
	size_t best_score = SIZE_MAX;

	for (size_t i = 0; i < n_opts; i++) {
		size_t score = cli_typo_score(name, len, opts[i].name);

		if (score < best_score) {
			best = opts[i].name;
			best_score = score;
		}
	}
	return best;
}

static int set_value(const struct opt *o, const char *value, struct error *err)
{
	switch (o->kind) {
	case OPT_BOOL:
		if (value == NULL || strcmp(value, "true") == 0 || strcmp(value, "1") == 0)
			*(bool *)o->target = true;
		else if (strcmp(value, "false") == 0 || strcmp(value, "0") == 0)
			*(bool *)o->target = false;
		else
			return error_set(err, EINVAL, "flag --%s: expected true or false, got \"%s\"",
					 o->name, value);
		return 0;
	case OPT_STRING:
		*(const char **)o->target = value;
		return 0;
	case OPT_MULTI: {
		struct strlist *l = o->target;
		l->v = xrealloc(l->v, (l->n + 2) * sizeof(*l->v));
		l->v[l->n++] = value;
		l->v[l->n] = NULL;
		return 0;
	}
	case OPT_INT: {
		int64_t v;
		if (parse_i64(value, &v) < 0 || v < -2147483648LL || v > 2147483647LL)
			return error_set(err, EINVAL, "flag --%s: expected an integer, got \"%s\"", o->name,
					 value);
		*(int *)o->target = (int)v;
		return 0;
	}
	}
	return 0;
}

int cli_parse(int argc, char **argv, int *index, const struct opt *opts, size_t n_opts, struct error *err)
{
	int i = *index;

	while (i < argc) {
		const char *a = argv[i], *name, *eq;
		const struct opt *o;
		size_t len;

		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (a[0] != '-' || a[1] == '\0')
			break;
		name = a + (a[1] == '-' ? 2 : 1);
		eq = strchr(name, '=');
		len = eq ? (size_t)(eq - name) : strlen(name);
		o = find_opt(name, len, opts, n_opts);
		if (o == NULL) {
			const char *near = suggest_opt(name, len, opts, n_opts);

			if (near != NULL)
				return error_set(err, EINVAL, "unknown flag '%.*s' (did you mean '--%s'?)",
						 (int)(len + (size_t)(name - a)), a, near);
			return error_set(err, EINVAL, "unknown flag '%.*s'", (int)(len + (size_t)(name - a)),
					 a);
		}
		if (eq) {
			if (set_value(o, eq + 1, err) < 0)
				return -1;
		} else if (o->kind == OPT_BOOL) {
			set_value(o, NULL, err);
		} else {
			if (i + 1 >= argc)
				return error_set(err, EINVAL, "flag --%s needs a value", o->name);
			if (set_value(o, argv[++i], err) < 0)
				return -1;
		}
		i++;
	}
	*index = i;
	return 0;
}

void cli_print_help(const char *verb, const char *usage, const char *summary, const struct opt *opts,
		    size_t n_opts)
{
	printf("Usage: husk %s %s\n\n%s\n", verb, usage, summary);
	if (n_opts)
		printf("\nOptions:\n");
	for (size_t i = 0; i < n_opts; i++) {
		char left[64], shortname[5] = "    ";

		/* "-b, --bundle" over "    --pid-file": long names line up with or without a short one */
		if (opts[i].short_name)
			snprintf(shortname, sizeof shortname, "-%c, ", opts[i].short_name);
		snprintf(left, sizeof left, "%s--%s%s", shortname, opts[i].name,
			 opts[i].kind == OPT_BOOL ? "" : " VALUE");
		printf("  %-32s %s\n", left, opts[i].help);
	}
}

/* urfave/cli's argIsFlag: "-x", "--x" or "--x=v" naming one of the verb's flags (help included) */
static bool arg_is_flag(const char *a, const struct opt *opts, size_t n_opts)
{
	const char *name;

	if (a[0] != '-' || strcmp(a, "-") == 0 || strcmp(a, "--") == 0)
		return false;
	name = a + (a[1] == '-' ? 2 : 1);
	if (strncmp(name, "help", strcspn(name, "=")) == 0 && strcspn(name, "=") == 4)
		return true;
	if (strcspn(name, "=") == 1 && name[0] == 'h')
		return true;
	return find_opt(name, strcspn(name, "="), opts, n_opts) != NULL;
}

/* runc (urfave/cli v1) moves the verb's own flags in front of the positional arguments before parsing,
 * so "update ID --cpuset-cpus 1" and "delete ID --force" work; a word right after a flag without "="
 * moves with it (as its possible value), and nothing after "--" moves. Done exactly as urfave's
 * reorderArgs, quirks included: "kill ID --all 9" reads 9 as the id there too. exec and ps are
 * exempt in runc (SkipArgReorder): what follows their id belongs to the program or to ps(1). */
static void reorder_args(int argc, char **argv, const struct opt *opts, size_t n_opts)
{
	cleanup_free char **flags = xcalloc((size_t)argc, sizeof(char *));
	cleanup_free char **rest = xcalloc((size_t)argc + 1, sizeof(char *));
	size_t nf = 0, nr = 0;
	bool maybe_value = false;

	for (int i = 1; i < argc; i++) {
		char *a = argv[i];

		if (maybe_value && !arg_is_flag(a, opts, n_opts)) {
			maybe_value = false;
			flags[nf++] = a;
		} else if (strcmp(a, "--") == 0) {
			memmove(rest + 1, rest, nr * sizeof(char *));
			rest[0] = a;
			nr++;
			for (i++; i < argc; i++)
				rest[nr++] = argv[i];
			break;
		} else if (arg_is_flag(a, opts, n_opts)) {
			flags[nf++] = a;
			maybe_value = strchr(a, '=') == NULL;
		} else {
			rest[nr++] = a;
		}
	}
	memcpy(argv + 1, flags, nf * sizeof(char *));
	memcpy(argv + 1 + nf, rest, nr * sizeof(char *));
}

int cli_verb_flags(int argc, char **argv, int *index, const char *usage, const char *summary,
		   const struct opt *opts, size_t n_opts, struct error *err)
{
	if (strcmp(argv[0], "exec") != 0 && strcmp(argv[0], "ps") != 0)
		reorder_args(argc, argv, opts, n_opts);
	/* --help anywhere among the flags wins, even after a bad one; a flag's value is skipped so that
	 * "--bundle DIR --help" is seen as help, as in runc */
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *name;
		const struct opt *o;

		if (strcmp(a, "--") == 0 || a[0] != '-' || a[1] == '\0')
			break;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			cli_print_help(argv[0], usage, summary, opts, n_opts);
			return 1;
		}
		name = a + (a[1] == '-' ? 2 : 1);
		o = strchr(name, '=') ? NULL : find_opt(name, strlen(name), opts, n_opts);
		if (o && o->kind != OPT_BOOL)
			i++;
	}
	*index = 1;
	if (cli_parse(argc, argv, index, opts, n_opts, err) < 0)
		return error_wrap(err, "%s", argv[0]);
	return 0;
}

int cli_one_id(int argc, char **argv, int index, const char **ret_id, struct error *err)
{
	if (index >= argc)
		return error_set(err, EINVAL, "%s: missing container id", argv[0]);
	if (index + 1 < argc)
		return error_set(err, EINVAL, "%s: unexpected argument '%s' after the container id", argv[0],
				 argv[index + 1]);
	*ret_id = argv[index];
	return 0;
}

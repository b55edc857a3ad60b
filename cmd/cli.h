/* The CLI layer: global options, the verb table, and a runc-compatible flag parser
 * (--flag value, --flag=value, -flag value, -f; booleans take an optional =true/=false). */
#ifndef HUSK_CLI_H
#define HUSK_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "runtime/base/error.h"

struct global_opts {
	const char *root;	/* --root, state directory */
	const char *log;	/* --log FILE */
	const char *log_format; /* text | json */
	bool debug;
	bool systemd_cgroup;
	const char *rootless;	    /* auto | true | false */
	bool is_rootless;	    /* resolved: true, or auto and not root of the host */
	const char *cgroup_manager; /* cgroupfs | disabled */
};

enum opt_kind {
	OPT_BOOL,   /* bool *target */
	OPT_STRING, /* const char **target */
	OPT_MULTI,  /* struct strlist *target: may repeat */
	OPT_INT,    /* int *target */
};

struct strlist {
	const char **v;
	size_t n;
};

struct opt {
	const char *name; /* long name without dashes */
	char short_name;  /* 0 for none */
	enum opt_kind kind;
	void *target;
	const char *help;
};

/* Parse flags from argv[*index] on; stops at the first positional argument or "--".
 * On return *index points at the first positional. */
int cli_parse(int argc, char **argv, int *index, const struct opt *opts, size_t n_opts, struct error *err);
/* Edit distance between a[0..la) and b (SIZE_MAX when either is too long to be a name). */
size_t cli_distance(const char *a, size_t la, const char *b);
/* How likely word (len bytes) is a typo of name, lower is likelier; SIZE_MAX when it is not one
 * ("did you mean"). */
size_t cli_typo_score(const char *word, size_t len, const char *name);
/* Print "Usage: husk VERB USAGE" and the flag help to stdout. */
void cli_print_help(const char *verb, const char *usage, const char *summary, const struct opt *opts,
		    size_t n_opts);

/* Every verb: argv[0] is the verb name; returns the process exit status. Errors are returned through
 * err with status 1 unless the handler picks another. */
struct verb {
	const char *name;
	const char *summary;
	int (*fn)(const struct global_opts *g, int argc, char **argv, struct error *err);
};

#define VERB_FN(name) int cmd_##name(const struct global_opts *g, int argc, char **argv, struct error *err)
VERB_FN(checkpoint);
VERB_FN(create);
VERB_FN(delete);
VERB_FN(events);
VERB_FN(exec);
VERB_FN(features);
VERB_FN(kill);
VERB_FN(list);
VERB_FN(pause);
VERB_FN(ps);
VERB_FN(restore);
VERB_FN(resume);
VERB_FN(run);
VERB_FN(spec);
VERB_FN(start);
VERB_FN(state);
VERB_FN(update);

/* Parse a verb's flags with --help handling; returns 1 when help was printed (caller returns 0),
 * 0 on success, -1 on error. */
int cli_verb_flags(int argc, char **argv, int *index, const char *usage, const char *summary,
		   const struct opt *opts, size_t n_opts, struct error *err);
/* Exactly one positional ID must remain. */
int cli_one_id(int argc, char **argv, int index, const char **ret_id, struct error *err);

#endif

/* husk list: the containers under --root, as a table or JSON. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "runtime/base/util.h"
#include "runtime/container.h"

/* runc's containerState fields in its order; annotations only when there are some (omitempty) */
static void print_json(const struct container_info *v, size_t n)
{
	static const char *const keys[] = { "ociVersion", "id",	     "pid",	    "status", "bundle",
					    "rootfs",	  "created", "annotations", "owner" };
	json_auto_t *a = NULL;
	cleanup_free char *s = NULL;

	/* runc marshals its empty slice as null, and scripts written for it expect that */
	if (n == 0) {
		puts("null");
		return;
	}
	a = json_array();
	for (size_t i = 0; i < n; i++) {
		json_auto_t *state = json_loads(v[i].state_json ? v[i].state_json : "{}", 0, NULL);
		json_t *o = json_object();

		for (size_t k = 0; state && k < ARRAY_SIZE(keys); k++) {
			json_t *val = json_object_get(state, keys[k]);
			if (val && !(json_is_object(val) && json_object_size(val) == 0))
				json_object_set(o, keys[k], val);
		}
		json_array_append_new(a, o);
	}
	s = json_dumps(a, JSON_COMPACT | JSON_PRESERVE_ORDER);
	puts(s ? s : "null");
}

/* runc's table: Go's tabwriter (minwidth 12, padding 3), the last column unpadded */
static void print_table(const struct container_info *v, size_t n)
{
	int w[5] = { 2, 3, 6, 6, 7 };
	char pid[16];

	for (size_t i = 0; i < n; i++) {
		int len[5] = { (int)strlen(v[i].id), snprintf(pid, sizeof pid, "%d", v[i].pid),
			       (int)strlen(status_name(v[i].status)), (int)strlen(v[i].bundle),
			       (int)strlen(v[i].created) };
		for (int c = 0; c < 5; c++)
			if (len[c] > w[c])
				w[c] = len[c];
	}
	for (int c = 0; c < 5; c++)
		w[c] = w[c] + 3 < 12 ? 12 : w[c] + 3;
	printf("%-*s%-*s%-*s%-*s%-*s%s\n", w[0], "ID", w[1], "PID", w[2], "STATUS", w[3], "BUNDLE", w[4],
	       "CREATED", "OWNER");
	for (size_t i = 0; i < n; i++) {
		snprintf(pid, sizeof pid, "%d", v[i].pid);
		printf("%-*s%-*s%-*s%-*s%-*s%s\n", w[0], v[i].id, w[1], pid, w[2], status_name(v[i].status),
		       w[3], v[i].bundle, w[4], v[i].created, v[i].owner);
	}
}

VERB_FN(list)
{
	const char *format = "table";
	bool quiet = false;
	const struct opt opts[] = {
		{ "format", 'f', OPT_STRING, &format, "table or json" },
		{ "quiet", 'q', OPT_BOOL, &quiet, "print only the ids" },
	};
	struct container_info *v;
	size_t n;
	int index, r = cli_verb_flags(argc, argv, &index, "[--format table|json] [-q]", "List containers.",
				      opts, ARRAY_SIZE(opts), err);

	if (r != 0)
		return r < 0 ? 1 : 0;
	/* runc: "list" takes no arguments; one here is a mistake (a container id?), not a filter */
	if (index < argc)
		return error_set(err, EINVAL, "list: unexpected argument '%s'", argv[index]), 1;
	if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0)
		return error_set(err, EINVAL, "list: --format: expected table or json, got \"%s\"", format),
		       1;
	if (container_list(g->root, &v, &n, err) < 0)
		return 1;
	if (quiet) {
		for (size_t i = 0; i < n; i++)
			puts(v[i].id);
	} else if (strcmp(format, "json") == 0) {
		print_json(v, n);
	} else {
		print_table(v, n);
	}
	container_info_free(v, n);
	return 0;
}

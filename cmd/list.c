/* husk list: the containers under --root, as a table or JSON. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "runtime/util.h"
#include "runtime/container.h"

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
		json_t *a = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(a, json_pack("{s:s, s:i, s:s, s:s, s:s, s:s}", "id", v[i].id,
							   "pid", v[i].pid, "status",
							   status_name(v[i].status), "bundle", v[i].bundle,
							   "created", v[i].created, "owner", v[i].owner));
		char *s = json_dumps(a, JSON_COMPACT);
		puts(s ? s : "[]");
		free(s);
		json_decref(a);
	} else {
		printf("%-24s %-8s %-10s %-40s %-32s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED",
		       "OWNER");
		for (size_t i = 0; i < n; i++)
			printf("%-24s %-8d %-10s %-40s %-32s %s\n", v[i].id, v[i].pid,
			       status_name(v[i].status), v[i].bundle, v[i].created, v[i].owner);
	}
	container_info_free(v, n);
	return 0;
}

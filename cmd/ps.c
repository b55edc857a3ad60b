/* husk ps: the processes of a container (json: a bare array of host pids). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "runtime/util.h"
#include "config/state-json.h"
#include "runtime/container.h"

VERB_FN(ps)
{
	const char *format = "table";
	const struct opt opts[] = {
		{ "format", 'f', OPT_STRING, &format, "table or json" },
	};
	pid_t *pids = NULL;
	size_t n = 0;
	int index, r = cli_verb_flags(argc, argv, &index, "[--format table|json] ID",
				      "List the processes of a container.", opts, ARRAY_SIZE(opts), err);

	if (r != 0)
		return r < 0 ? 1 : 0;
	if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0)
		return error_set(err, EINVAL, "ps: --format: expected table or json, got \"%s\"", format), 1;
	if (index >= argc)
		return error_set(err, EINVAL, "ps: missing container id"), 1;
	/* runc passes arguments after the id to ps(1); husk reads /proc itself and has no ps options */
	if (index + 1 < argc)
		return error_set(err, EINVAL, "ps: unexpected argument '%s' (ps options are not supported)",
				 argv[index + 1]),
		       1;
	if (container_pids(g->root, argv[index], &pids, &n, err) < 0)
		return 1;
	if (strcmp(format, "json") == 0) {
		char *s = state_pids_json(pids, n);
		puts(s);
		free(s);
	} else {
		printf("%-8s %s\n", "PID", "CMD");
		for (size_t i = 0; i < n; i++) {
			char path[64], cmd[256] = "";
			FILE *f;
			snprintf(path, sizeof path, "/proc/%d/comm", pids[i]);
			if ((f = fopen(path, "re")) != NULL) {
				if (fgets(cmd, sizeof cmd, f))
					cmd[strcspn(cmd, "\n")] = '\0';
				fclose(f);
			}
			printf("%-8d %s\n", pids[i], cmd);
		}
	}
	free(pids);
	return 0;
}

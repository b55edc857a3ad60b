/* husk events: runc's JSON event stream (stats every interval, oom when it happens). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "runtime/container.h"
#include "runtime/base/util.h"

/* "5s", "500ms", "1m", or plain seconds. */
static int parse_interval(const char *s, int *ret_ms)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || v <= 0)
		return -1;
	if (strcmp(end, "ms") == 0)
		*ret_ms = (int)v;
	else if (strcmp(end, "s") == 0 || *end == '\0')
		*ret_ms = (int)(v * 1000);
	else if (strcmp(end, "m") == 0)
		*ret_ms = (int)(v * 60000);
	else
		return -1;
	return *ret_ms > 0 ? 0 : -1;
}

VERB_FN(events)
{
	bool stats = false;
	const char *interval = "5s", *id;
	const struct opt opts[] = {
		{ "stats", 0, OPT_BOOL, &stats, "print the stats once and exit" },
		{ "interval", 0, OPT_STRING, &interval, "stats interval (default 5s)" },
	};
	int index, ms,
	    r = cli_verb_flags(argc, argv, &index, "[--stats] [--interval D] ID",
			       "Stream container events (stats and oom) as JSON lines.", opts,
			       ARRAY_SIZE(opts), err);

	if (r != 0)
		return r < 0 ? 1 : 0;
	if (cli_one_id(argc, argv, index, &id, err) < 0)
		return 1;
	if (parse_interval(interval, &ms) < 0)
		return error_set(err, EINVAL,
				 "events: --interval: expected a duration like 5s or 500ms, got \"%s\"",
				 interval),
		       1;
	return container_events(g->root, id, stats, ms, err) < 0 ? 1 : 0;
}

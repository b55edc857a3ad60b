/* husk kill: send a signal to the init, or with --all to every process of the container. */
#include <errno.h>

#include "cli.h"
#include "runtime/base/util.h"
#include "runtime/container.h"

VERB_FN(kill)
{
	bool all = false;
	const struct opt opts[] = {
		{ "all", 'a', OPT_BOOL, &all, "signal every process in the container's cgroup" },
	};
	const char *sig_name = "TERM";
	int index, sig,
	    r = cli_verb_flags(argc, argv, &index, "[--all] ID [SIGNAL]",
			       "Send SIGNAL (name or number, default TERM) to the container.", opts,
			       ARRAY_SIZE(opts), err);

	if (r != 0)
		return r < 0 ? 1 : 0;
	if (index >= argc)
		return error_set(err, EINVAL, "kill: missing container id"), 1;
	if (index + 2 < argc)
		return error_set(err, EINVAL, "kill: unexpected argument '%s'", argv[index + 2]), 1;
	if (index + 1 < argc)
		sig_name = argv[index + 1];
	if (signal_parse(sig_name, &sig) < 0)
		return error_set(err, EINVAL, "kill: unknown signal '%s'", sig_name), 1;
	return container_kill(g->root, argv[index], sig, all, err) < 0 ? 1 : 0;
}

/* husk checkpoint: save a running container's processes into CRIU images (runc's flags). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "criu-opts.h"
#include "runtime/criu.h"
#include "runtime/base/util.h"

VERB_FN(checkpoint)
{
	struct criu_args a = { .root = g->root, .status_fd = -1 };
	struct strlist empty_ns = { 0 };
	const struct opt own[] = {
		{ "parent-path", 0, OPT_STRING, &a.parent_path,
		  "path for previous criu image files in pre-dump (relative to --image-path)" },
		{ "leave-running", 0, OPT_BOOL, &a.leave_running,
		  "leave the process running after checkpointing" },
		{ "status-fd", 0, OPT_INT, &a.status_fd,
		  "criu writes \\0 to this FD once lazy-pages is ready" },
		{ "page-server", 0, OPT_STRING, &a.page_server, "ADDRESS:PORT of the page server" },
		{ "pre-dump", 0, OPT_BOOL, &a.pre_dump,
		  "dump container's memory information only, leave the container running after this" },
	};
	/* the shared flags first, as runc's help lists them */
	struct opt opts[CRIU_SHARED_OPTS + ARRAY_SIZE(own)];
	size_t n = criu_shared_opts(opts, 0, &a, &empty_ns, false);

	memcpy(opts + n, own, sizeof own);
	n += ARRAY_SIZE(own);
	int index,
	    r = cli_verb_flags(argc, argv, &index, "[options] ID",
			       "Checkpoint a running container with CRIU: its processes are saved into image "
			       "files (and stopped, unless --leave-running or --pre-dump).",
			       opts, n, err);

	if (r != 0)
		return r < 0 ? 1 : 0;
	if (cli_one_id(argc, argv, index, &a.id, err) < 0)
		return 1;
	a.empty_ns = empty_ns.v;
	a.n_empty_ns = empty_ns.n;
	r = container_checkpoint(&a, err);
	free(empty_ns.v);
	return r < 0 ? 1 : 0;
}

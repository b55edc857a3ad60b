/* husk checkpoint: save a running container's processes into CRIU images (runc's flags). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "runtime/criu.h"
#include "runtime/base/util.h"

VERB_FN(checkpoint)
{
	struct criu_args a = { .root = g->root, .status_fd = -1 };
	struct strlist empty_ns = { 0 };
	const struct opt opts[] = {
		{ "image-path", 0, OPT_STRING, &a.image_path,
		  "path for saving criu image files (default: ./checkpoint)" },
		{ "work-path", 0, OPT_STRING, &a.work_path,
		  "path for saving work files and logs (default: the image path)" },
		{ "parent-path", 0, OPT_STRING, &a.parent_path,
		  "path for previous criu image files in pre-dump (relative to --image-path)" },
		{ "leave-running", 0, OPT_BOOL, &a.leave_running,
		  "leave the process running after checkpointing" },
		{ "tcp-established", 0, OPT_BOOL, &a.tcp_established, "allow open tcp connections" },
		{ "ext-unix-sk", 0, OPT_BOOL, &a.ext_unix_sk, "allow external unix sockets" },
		{ "shell-job", 0, OPT_BOOL, &a.shell_job, "allow shell jobs" },
		{ "lazy-pages", 0, OPT_BOOL, &a.lazy_pages,
		  "use userfaultfd to lazily restore memory pages" },
		{ "status-fd", 0, OPT_INT, &a.status_fd,
		  "criu writes \\0 to this FD once lazy-pages is ready" },
		{ "page-server", 0, OPT_STRING, &a.page_server, "ADDRESS:PORT of the page server" },
		{ "file-locks", 0, OPT_BOOL, &a.file_locks, "handle file locks, for safety" },
		{ "pre-dump", 0, OPT_BOOL, &a.pre_dump,
		  "dump container's memory information only, leave the container running after this" },
		{ "manage-cgroups-mode", 0, OPT_STRING, &a.manage_cgroups_mode,
		  "cgroups mode: soft (default), full, strict or ignore" },
		{ "empty-ns", 0, OPT_MULTI, &empty_ns,
		  "create a namespace, but don't restore its properties (network)" },
		{ "auto-dedup", 0, OPT_BOOL, &a.auto_dedup, "enable auto deduplication of memory images" },
	};
	int index,
	    r = cli_verb_flags(argc, argv, &index, "[options] ID",
			       "Checkpoint a running container with CRIU: its processes are saved into image "
			       "files (and stopped, unless --leave-running or --pre-dump).",
			       opts, ARRAY_SIZE(opts), err);

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

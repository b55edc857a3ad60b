/* The flags checkpoint and restore share (runc's checkpoint.go and restore.go repeat them). */
#include "criu-opts.h"

size_t criu_shared_opts(struct opt *opts, size_t n, struct criu_args *a, struct strlist *empty_ns,
			bool restore)
{
	const struct opt shared[CRIU_SHARED_OPTS] = {
		{ "image-path", 0, OPT_STRING, &a->image_path,
		  restore ? "path to criu image files for restoring (default: ./checkpoint)"
			  : "path for saving criu image files (default: ./checkpoint)" },
		{ "work-path", 0, OPT_STRING, &a->work_path,
		  "path for saving work files and logs (default: the image path)" },
		{ "tcp-established", 0, OPT_BOOL, &a->tcp_established, "allow open tcp connections" },
		{ "ext-unix-sk", 0, OPT_BOOL, &a->ext_unix_sk, "allow external unix sockets" },
		{ "shell-job", 0, OPT_BOOL, &a->shell_job, "allow shell jobs" },
		{ "file-locks", 0, OPT_BOOL, &a->file_locks, "handle file locks, for safety" },
		{ "manage-cgroups-mode", 0, OPT_STRING, &a->manage_cgroups_mode,
		  "cgroups mode: soft (default), full, strict or ignore" },
		{ "empty-ns", 0, OPT_MULTI, empty_ns,
		  "create a namespace, but don't restore its properties (network)" },
		{ "auto-dedup", 0, OPT_BOOL, &a->auto_dedup, "enable auto deduplication of memory images" },
		{ "lazy-pages", 0, OPT_BOOL, &a->lazy_pages,
		  "use userfaultfd to lazily restore memory pages" },
	};

	for (size_t i = 0; i < CRIU_SHARED_OPTS; i++)
		opts[n++] = shared[i];
	return n;
}

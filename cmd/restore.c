/* husk restore: a new container from a bundle whose processes come back from CRIU images. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "runtime/criu.h"
#include "runtime/base/util.h"

VERB_FN(restore)
{
	struct criu_args a = { .root = g->root,
			       .status_fd = -1,
			       .cgroups_disabled = strcmp(g->cgroup_manager, "disabled") == 0 };
	struct strlist empty_ns = { 0 };
	const char *lsm_profile = NULL, *lsm_mount_context = NULL;
	const struct opt opts[] = {
		{ "console-socket", 0, OPT_STRING, &a.console_socket,
		  "unix socket that receives the pty master of a restored terminal" },
		{ "image-path", 0, OPT_STRING, &a.image_path,
		  "path to criu image files for restoring (default: ./checkpoint)" },
		{ "work-path", 0, OPT_STRING, &a.work_path,
		  "path for saving work files and logs (default: the image path)" },
		{ "tcp-established", 0, OPT_BOOL, &a.tcp_established, "allow open tcp connections" },
		{ "ext-unix-sk", 0, OPT_BOOL, &a.ext_unix_sk, "allow external unix sockets" },
		{ "shell-job", 0, OPT_BOOL, &a.shell_job, "allow shell jobs" },
		{ "file-locks", 0, OPT_BOOL, &a.file_locks, "handle file locks, for safety" },
		{ "manage-cgroups-mode", 0, OPT_STRING, &a.manage_cgroups_mode,
		  "cgroups mode: soft (default), full, strict or ignore" },
		{ "bundle", 'b', OPT_STRING, &a.bundle, "path to the bundle (default: current directory)" },
		{ "detach", 'd', OPT_BOOL, &a.detach, "detach from the container's process" },
		{ "pid-file", 0, OPT_STRING, &a.pid_file, "write the restored init's pid here" },
		{ "no-subreaper", 0, OPT_BOOL, &a.no_subreaper,
		  "accepted for runc compatibility (husk does not become a subreaper)" },
		{ "no-pivot", 0, OPT_BOOL, &a.no_pivot,
		  "accepted for runc compatibility (CRIU restores the mounts)" },
		{ "empty-ns", 0, OPT_MULTI, &empty_ns,
		  "create a namespace, but don't restore its properties (network)" },
		{ "auto-dedup", 0, OPT_BOOL, &a.auto_dedup, "enable auto deduplication of memory images" },
		{ "lazy-pages", 0, OPT_BOOL, &a.lazy_pages,
		  "use userfaultfd to lazily restore memory pages" },
		{ "lsm-profile", 0, OPT_STRING, &lsm_profile, "not supported: refused" },
		{ "lsm-mount-context", 0, OPT_STRING, &lsm_mount_context, "not supported: refused" },
	};
	int index, status = 0,
		   r = cli_verb_flags(argc, argv, &index, "[options] ID",
				      "Restore a container from a CRIU checkpoint: a new container ID from "
				      "the bundle's config, its processes from the images.",
				      opts, ARRAY_SIZE(opts), err);

	if (r != 0)
		return r < 0 ? 1 : 0;
	if (cli_one_id(argc, argv, index, &a.id, err) < 0)
		return 1;
	if (lsm_profile || lsm_mount_context)
		return error_set(err, ENOTSUP, "restore: --%s is not supported by husk",
				 lsm_profile ? "lsm-profile" : "lsm-mount-context"),
		       1;
	if (g->systemd_cgroup)
		return error_set(err, ENOTSUP, "%s", HUSK_NO_SYSTEMD_DRIVER), 1;
	a.empty_ns = empty_ns.v;
	a.n_empty_ns = empty_ns.n;
	r = container_restore(&a, &status, err);
	free(empty_ns.v);
	return r < 0 ? 1 : status;
}

/* husk restore: a new container from a bundle whose processes come back from CRIU images. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "criu-opts.h"
#include "runtime/criu.h"
#include "runtime/base/util.h"

VERB_FN(restore)
{
	struct criu_args a = { .root = g->root,
			       .status_fd = -1,
			       .cgroups_disabled = strcmp(g->cgroup_manager, "disabled") == 0,
			       .systemd_cgroup = g->systemd_cgroup };
	struct strlist empty_ns = { 0 };
	const char *lsm_profile = NULL, *lsm_mount_context = NULL;
	const struct opt own[] = {
		{ "console-socket", 0, OPT_STRING, &a.console_socket,
		  "unix socket that receives the pty master of a restored terminal" },
		{ "bundle", 'b', OPT_STRING, &a.bundle, "path to the bundle (default: current directory)" },
		{ "detach", 'd', OPT_BOOL, &a.detach, "detach from the container's process" },
		{ "pid-file", 0, OPT_STRING, &a.pid_file, "write the restored init's pid here" },
		{ "no-subreaper", 0, OPT_BOOL, &a.no_subreaper,
		  "accepted for runc compatibility (husk does not become a subreaper)" },
		{ "no-pivot", 0, OPT_BOOL, &a.no_pivot,
		  "accepted for runc compatibility (CRIU restores the mounts)" },
		{ "lsm-profile", 0, OPT_STRING, &lsm_profile, "not supported: refused" },
		{ "lsm-mount-context", 0, OPT_STRING, &lsm_mount_context, "not supported: refused" },
	};
	/* the shared flags first, as runc's help lists them */
	struct opt opts[CRIU_SHARED_OPTS + ARRAY_SIZE(own)];
	size_t n = criu_shared_opts(opts, 0, &a, &empty_ns, true);

	memcpy(opts + n, own, sizeof own);
	n += ARRAY_SIZE(own);
	int index, status = 0,
		   r = cli_verb_flags(argc, argv, &index, "[options] ID",
				      "Restore a container from a CRIU checkpoint: a new container ID from "
				      "the bundle's config, its processes from the images.",
				      opts, n, err);

	if (r != 0)
		return r < 0 ? 1 : 0;
	if (cli_one_id(argc, argv, index, &a.id, err) < 0)
		return 1;
	if (lsm_profile || lsm_mount_context)
		return error_set(err, ENOTSUP, "restore: --%s is not supported by husk",
				 lsm_profile ? "lsm-profile" : "lsm-mount-context"),
		       1;
	a.empty_ns = empty_ns.v;
	a.n_empty_ns = empty_ns.n;
	r = container_restore(&a, &status, err);
	free(empty_ns.v);
	return r < 0 ? 1 : status;
}

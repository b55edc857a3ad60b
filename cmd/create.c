/* husk create: set up the container and leave its init waiting for `start`. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "runtime/container.h"
#include "runtime/base/util.h"

/* Flags shared by create and run. */
int cmd_create_flags(int argc, char **argv, int *index, struct create_opts *o, bool *detach, bool *keep,
		     const char *usage, const char *summary, struct error *err)
{
	const char *bundle = NULL;
	bool dummy = false;
	const struct opt opts[] = {
		{ "bundle", 'b', OPT_STRING, &bundle, "path to the bundle (default: current directory)" },
		{ "pid-file", 0, OPT_STRING, &o->pid_file,
		  "write the init's pid here (no trailing newline)" },
		{ "console-socket", 0, OPT_STRING, &o->console_socket,
		  "unix socket that receives the pty master" },
		{ "preserve-fds", 0, OPT_INT, &o->preserve_fds,
		  "pass N extra fds (3..3+N-1) to the container" },
		{ "no-pivot", 0, OPT_BOOL, &o->no_pivot, "use MS_MOVE + chroot instead of pivot_root" },
		{ "no-new-keyring", 0, OPT_BOOL, &o->no_new_keyring, "keep the caller's session keyring" },
		{ "detach", 'd', OPT_BOOL, detach ? detach : &dummy, "run: do not wait for the container" },
		{ "keep", 0, OPT_BOOL, keep ? keep : &dummy, "run: keep the stopped container" },
	};
	size_t n = detach ? ARRAY_SIZE(opts) : ARRAY_SIZE(opts) - 2;
	int r = cli_verb_flags(argc, argv, index, usage, summary, opts, n, err);

	if (r != 0)
		return r;
	o->bundle = bundle;
	if (o->preserve_fds < 0)
		return error_set(err, EINVAL, "%s: --preserve-fds: expected a non-negative number, got %d",
				 argv[0], o->preserve_fds);
	if (cli_one_id(argc, argv, *index, &o->id, err) < 0)
		return -1;
	return 0;
}

VERB_FN(create)
{
	struct create_opts o = { .root = g->root,
				 .cgroups_disabled = strcmp(g->cgroup_manager, "disabled") == 0,
				 .rootless = g->is_rootless,
				 .systemd_cgroup = g->systemd_cgroup };
	int index, r;
	pid_t pid;

	r = cmd_create_flags(argc, argv, &index, &o, NULL, NULL, "[options] ID",
			     "Create a container from a bundle; its program starts with `husk start`.", err);
	if (r != 0)
		return r < 0 ? 1 : 0;
	return container_create(&o, &pid, err) < 0 ? 1 : 0;
}

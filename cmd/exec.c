/* husk exec: run a new process in a running container. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "runtime/exec.h"
#include "runtime/base/util.h"

VERB_FN(exec)
{
	struct exec_opts o = { .root = g->root, .tty = -1 };
	struct strlist env = { 0 }, gids = { 0 }, caps = { 0 };
	bool tty = false;
	const struct opt opts[] = {
		{ "process", 'p', OPT_STRING, &o.process_file, "a Process JSON document to run" },
		{ "detach", 'd', OPT_BOOL, &o.detach, "do not wait for the process" },
		{ "pid-file", 0, OPT_STRING, &o.pid_file, "write the process's pid here (no newline)" },
		{ "console-socket", 0, OPT_STRING, &o.console_socket,
		  "unix socket that receives the pty master" },
		{ "tty", 't', OPT_BOOL, &tty, "allocate a pseudo-terminal" },
		{ "cwd", 0, OPT_STRING, &o.cwd, "working directory in the container" },
		{ "env", 'e', OPT_MULTI, &env, "set an environment variable (KEY=VALUE), repeatable" },
		{ "user", 'u', OPT_STRING, &o.user, "UID[:GID] to run as" },
		{ "additional-gids", 'g', OPT_MULTI, &gids, "an additional group id, repeatable" },
		{ "cap", 'c', OPT_MULTI, &caps,
		  "add a capability (never to the inheritable set), repeatable" },
		{ "no-new-privs", 0, OPT_BOOL, &o.no_new_privs, "set no_new_privs" },
		{ "preserve-fds", 0, OPT_INT, &o.preserve_fds, "pass N extra fds (3..3+N-1)" },
		{ "process-label", 0, OPT_STRING, &o.process_label, "SELinux label" },
		{ "apparmor", 0, OPT_STRING, &o.apparmor, "AppArmor profile" },
		{ "cgroup", 0, OPT_STRING, &o.cgroup,
		  "run the process in an existing sub-cgroup: [CTRL[,CTRL]:]PATH" },
		{ "ignore-paused", 0, OPT_BOOL, &o.ignore_paused, "exec even if the container is paused" },
	};
	int index, r, status = 0;
	bool tty_given = false;

	for (int i = 1; i < argc && argv[i][0] == '-'; i++)
		if (strcmp(argv[i], "-t") == 0 || strncmp(argv[i], "--tty", 5) == 0 ||
		    strncmp(argv[i], "-tty", 4) == 0)
			tty_given = true;
	r = cli_verb_flags(argc, argv, &index, "[options] ID [COMMAND [ARG...]]",
			   "Run a new process inside a running container.", opts, ARRAY_SIZE(opts), err);
	if (r != 0)
		return r < 0 ? 255 : 0;
	if (index >= argc)
		return error_set(err, EINVAL, "exec: missing container id"), 255;
	if (o.preserve_fds < 0)
		return error_set(err, EINVAL, "exec: --preserve-fds: expected a non-negative number"), 255;
	/* runc's words and status; running the container's own process.args again would start a second
	 * copy of its service */
	if (index + 1 >= argc && o.process_file == NULL)
		return error_set(
			   err, EINVAL,
			   "exec: process args cannot be empty: give a COMMAND after the id, or --process"),
		       255;
	o.id = argv[index];
	o.args = argv + index + 1;
	o.n_args = (size_t)(argc - index - 1);
	o.env = env.v;
	o.n_env = env.n;
	o.additional_gids = gids.v;
	o.n_additional_gids = gids.n;
	o.caps = caps.v;
	o.n_caps = caps.n;
	if (tty_given)
		o.tty = tty;
	r = container_exec(&o, &status, err);
	free(env.v);
	free(gids.v);
	free(caps.v);
	/* a process that could not be started: 255 with the cause, as runc */
	return r < 0 ? 255 : status;
}

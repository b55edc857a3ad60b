/* husk's entry point: global flags, then one table routes each runc verb to its handler in cmd/<verb>.c.
 * This is the only place that turns an error into output and an exit status. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "runtime/log.h"
#include "runtime/util.h"

static const struct verb verbs[] = {
	{ "checkpoint", "checkpoint a running container (not supported)", cmd_checkpoint },
	{ "create", "create a container", cmd_create },
	{ "delete", "delete any resources held by the container", cmd_delete },
	{ "events", "display container events such as OOM notifications and resource stats", cmd_events },
	{ "exec", "execute new process inside the container", cmd_exec },
	{ "features", "show the enabled features", cmd_features },
	{ "kill", "send a signal to the container's init process", cmd_kill },
	{ "list", "list containers started by husk with the given root", cmd_list },
	{ "pause", "pause all processes inside the container", cmd_pause },
	{ "ps", "display the processes running inside a container", cmd_ps },
	{ "restore", "restore a container from a checkpoint (not supported)", cmd_restore },
	{ "resume", "resume all processes that have been previously paused", cmd_resume },
	{ "run", "create and run a container", cmd_run },
	{ "spec", "create a new specification file", cmd_spec },
	{ "start", "execute the user defined process in a created container", cmd_start },
	{ "state", "output the state of a container", cmd_state },
	{ "update", "update container resource constraints", cmd_update },
};

static void print_usage(FILE *out)
{
	fprintf(out, "Usage: husk [global options] COMMAND [command options] [arguments...]\n\n"
		     "husk is a small, hardened OCI container runtime, command-line compatible with runc.\n\n"
		     "Commands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
		fprintf(out, "  %-12s %s\n", verbs[i].name, verbs[i].summary);
	fprintf(out,
		"\nGlobal options:\n"
		"  --root DIR              state directory (default /run/husk, or $XDG_RUNTIME_DIR/husk)\n"
		"  --log FILE              also write log records to FILE\n"
		"  --log-format FORMAT     text (default) or json\n"
		"  --debug                 narrate each setup step\n"
		"  --systemd-cgroup        use the systemd cgroup driver (not available: fails clearly)\n"
		"  --cgroup-manager MGR    cgroupfs (default) or disabled\n"
		"  --rootless VALUE        auto (default), true or false\n"
		"  -v, --version           print the version\n"
		"  -h, --help              print this help\n");
}

static void print_version(void)
{
	printf("husk version %s\nspec: 1.3.0\n", HUSK_VERSION);
}

static int default_root(const char **ret, struct error *err)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	static char buf[4096];

	*ret = "/run/husk";
	if (geteuid() == 0)
		return 0;
	/* an unprivileged user cannot write /run: its containers live in its own runtime directory */
	if (xdg == NULL || *xdg != '/')
		return error_set(err, EINVAL,
				 "XDG_RUNTIME_DIR is not set (or not an absolute path): an unprivileged user "
				 "needs it for container state, or --root DIR");
	snprintf(buf, sizeof buf, "%s/husk", xdg);
	*ret = buf;
	return 0;
}

/* root of the host: uid 0 in the initial user namespace, whose uid_map maps every id to itself */
static bool host_root(void)
{
	char map[128] = "";
	FILE *f;
	unsigned a = 1, b = 1, n = 0;

	if (geteuid() != 0)
		return false;
	f = fopen("/proc/self/uid_map", "re");
	if (f == NULL)
		return true;
	if (fgets(map, sizeof map, f) == NULL || sscanf(map, "%u %u %u", &a, &b, &n) != 3)
		n = 0;
	fclose(f);
	return a == 0 && b == 0 && n == 4294967295U;
}

int main(int argc, char **argv)
{
	struct global_opts g = { .log_format = "text", .rootless = "auto", .cgroup_manager = "cgroupfs" };
	bool help = false, version = false;
	const struct opt global_flags[] = {
		{ "root", 0, OPT_STRING, &g.root, "" },
		{ "log", 0, OPT_STRING, &g.log, "" },
		{ "log-format", 0, OPT_STRING, &g.log_format, "" },
		{ "debug", 0, OPT_BOOL, &g.debug, "" },
		{ "systemd-cgroup", 0, OPT_BOOL, &g.systemd_cgroup, "" },
		{ "rootless", 0, OPT_STRING, &g.rootless, "" },
		{ "cgroup-manager", 0, OPT_STRING, &g.cgroup_manager, "" },
		{ "help", 'h', OPT_BOOL, &help, "" },
		{ "version", 'v', OPT_BOOL, &version, "" },
	};
	struct error err = { 0 };
	int index = 1, status = 1;
	const struct verb *verb = NULL;

	if (cli_parse(argc, argv, &index, global_flags, ARRAY_SIZE(global_flags), &err) < 0)
		goto fail;
	if (version) {
		print_version();
		return 0;
	}
	if (help || index >= argc) {
		print_usage(help ? stdout : stderr);
		return help ? 0 : 1;
	}
	if (strcmp(g.log_format, "text") != 0 && strcmp(g.log_format, "json") != 0) {
		error_set(&err, EINVAL, "--log-format: expected text or json, got \"%s\"", g.log_format);
		goto fail;
	}
	if (log_init(g.log, strcmp(g.log_format, "json") == 0, g.debug, &err) < 0)
		goto fail;
	if (strcmp(g.rootless, "auto") != 0 && strcmp(g.rootless, "true") != 0 &&
	    strcmp(g.rootless, "false") != 0) {
		error_set(&err, EINVAL, "--rootless: expected auto, true or false, got \"%s\"", g.rootless);
		goto fail;
	}
	if (strcmp(g.cgroup_manager, "cgroupfs") != 0 && strcmp(g.cgroup_manager, "disabled") != 0) {
		error_set(&err, EINVAL, "--cgroup-manager: expected cgroupfs or disabled, got \"%s\"",
			  g.cgroup_manager);
		goto fail;
	}
	g.is_rootless = strcmp(g.rootless, "true") == 0 || (strcmp(g.rootless, "auto") == 0 && !host_root());
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
		if (strcmp(argv[index], verbs[i].name) == 0)
			verb = &verbs[i];
	if (verb == NULL) {
		error_set(&err, EINVAL, "unknown command '%s' (see husk --help)", argv[index]);
		goto fail;
	}
	log_set_role(verb->name);
	/* spec and features keep no state: they work without XDG_RUNTIME_DIR */
	if (g.root == NULL && strcmp(verb->name, "spec") != 0 && strcmp(verb->name, "features") != 0 &&
	    default_root(&g.root, &err) < 0)
		goto fail;
	status = verb->fn(&g, argc - index, argv + index, &err);
	if (err.msg == NULL)
		return status;
	if (status == 0)
		status = 1;
fail:
	log_error_report(err.msg ? err.msg : "unknown error");
	error_clear(&err);
	return status;
}

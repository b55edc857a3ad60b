/* husk's entry point: global flags, then one table routes each runc verb to its handler in cmd/<verb>.c.
 * This is the only place that turns an error into output and an exit status. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <seccomp.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cli.h"
#include "runtime/base/log.h"
#include "runtime/criu.h"
#include "runtime/sealed.h"
#include "runtime/base/util.h"

static const struct verb verbs[] = {
	{ "checkpoint", "checkpoint a running container (CRIU)", cmd_checkpoint },
	{ "create", "create a container", cmd_create },
	{ "delete", "delete any resources held by the container", cmd_delete },
	{ "events", "display container events such as OOM notifications and resource stats", cmd_events },
	{ "exec", "execute new process inside the container", cmd_exec },
	{ "features", "show the enabled features", cmd_features },
	{ "kill", "send a signal to the container's init process", cmd_kill },
	{ "list", "list containers started by husk with the given root", cmd_list },
	{ "pause", "pause all processes inside the container", cmd_pause },
	{ "ps", "display the processes running inside a container", cmd_ps },
	{ "restore", "restore a container from a checkpoint (CRIU)", cmd_restore },
	{ "resume", "resume all processes that have been previously paused", cmd_resume },
	{ "run", "create and run a container", cmd_run },
	{ "spec", "create a new specification file", cmd_spec },
	{ "start", "execute the user defined process in a created container", cmd_start },
	{ "state", "output the state of a container", cmd_state },
	{ "update", "update container resource constraints", cmd_update },
};
static int help(const struct global_opts *g, int argc, char **argv, struct error *err);
static const struct verb help_verb = { "help", "show the commands, or one command's options", help };

static void print_usage(FILE *out)
{
	fprintf(out, "Usage: husk [global options] COMMAND [command options] [arguments...]\n\n"
		     "husk is a small, hardened OCI container runtime, command-line compatible with runc.\n\n"
		     "Commands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
		fprintf(out, "  %-12s %s\n", verbs[i].name, verbs[i].summary);
	fprintf(out, "  %-12s %s\n", help_verb.name, help_verb.summary);
	fprintf(out,
		"\nGlobal options:\n"
		"  --root DIR              state directory (default /run/husk, or $XDG_RUNTIME_DIR/husk)\n"
		"  --log FILE              also write log records to FILE\n"
		"  --log-format FORMAT     text (default) or json\n"
		"  --debug                 narrate each setup step\n"
		"  --systemd-cgroup        use the systemd cgroup driver (cgroupsPath slice:prefix:name)\n"
		"  --cgroup-manager MGR    cgroupfs (default) or disabled\n"
		"  --rootless VALUE        auto (default), true or false\n"
		"  --criu PATH             CRIU binary for checkpoint/restore (default: criu)\n"
		"  -v, --version           print the version\n"
		"  -h, --help              print this help\n");
}

/* the verb nearest to a mistyped name, if it is close enough to be a typo of it */
static const char *suggest_verb(const char *name)
{
	const char *best = NULL;
	size_t len = strlen(name), best_score = cli_typo_score(name, len, "help");

	if (best_score != SIZE_MAX)
		best = "help";
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++) {
		size_t score = cli_typo_score(name, len, verbs[i].name);

		if (score < best_score) {
			best = verbs[i].name;
			best_score = score;
		}
	}
	return best;
}

static const struct verb *find_verb(const char *name, struct error *err)
{
	const char *near;

	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
		if (strcmp(name, verbs[i].name) == 0)
			return &verbs[i];
	near = suggest_verb(name);
	if (near != NULL)
		error_set(err, EINVAL, "unknown command '%s': did you mean '%s'? (see husk --help)", name,
			  near);
	else
		error_set(err, EINVAL, "unknown command '%s' (see husk --help)", name);
	return NULL;
}

/* husk help [COMMAND], as runc: the global usage, or the command's own --help */
static int help(const struct global_opts *g, int argc, char **argv, struct error *err)
{
	const struct verb *verb;
	char *args[] = { NULL, "--help", NULL };

	if (argc < 2) {
		print_usage(stdout);
		return 0;
	}
	if (argc > 2)
		return error_set(err, EINVAL, "help: expected one command, got %d", argc - 1), 1;
	verb = find_verb(argv[1], err);
	if (verb == NULL)
		return 1;
	args[0] = argv[1];
	return verb->fn(g, 2, args, err);
}

/* Every system call husk cannot do without came in Linux 5.12 or earlier (mount_setattr is the newest:
 * 5.12; close_range with CLOSE_RANGE_CLOEXEC 5.11, openat2 5.6, clone3 and pidfd_open 5.3). Checked
 * only once something failed with ENOSYS, so a supported kernel pays nothing for the check. */
static void explain_enosys(const struct error *err)
{
	struct utsname u;
	char msg[256];

	if (err->errnum != ENOSYS && (err->msg == NULL || strstr(err->msg, strerror(ENOSYS)) == NULL))
		return;
	if (uname(&u) < 0)
		return;
	snprintf(msg, sizeof msg,
		 "a system call husk needs is missing: husk needs Linux 5.12 or later (mount_setattr, "
		 "close_range, openat2, clone3, pidfd_open); this kernel is %s",
		 u.release);
	log_error_report(msg);
}

/* The kernel floor, checked before create, run and exec touch anything: one uname(2), so that an old
 * kernel fails with this line rather than halfway through a container's setup. */
static int check_kernel(struct error *err)
{
	struct utsname u;
	int major = 0, minor = 0;

	if (uname(&u) < 0 || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return 0; /* unknown: the calls themselves will tell (explain_enosys) */
	if (major > 5 || (major == 5 && minor >= 12))
		return 0;
	return error_set(err, 0,
			 "husk needs Linux 5.12 or later (mount_setattr, close_range, openat2, clone3, "
			 "pidfd_open); this kernel is %s",
			 u.release);
}

static void print_version(void)
{
	/* runc's lines, in runc's order: scripts read "X version V" on the first, then key: value */
	printf("husk version %s\ncommit: %s\nspec: 1.3.0\nlibseccomp: %u.%u.%u\n", HUSK_VERSION, HUSK_COMMIT,
	       seccomp_version()->major, seccomp_version()->minor, seccomp_version()->micro);
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
	const char *criu = NULL;
	const struct opt global_flags[] = {
		{ "root", 0, OPT_STRING, &g.root, "" },
		{ "log", 0, OPT_STRING, &g.log, "" },
		{ "log-format", 0, OPT_STRING, &g.log_format, "" },
		{ "debug", 0, OPT_BOOL, &g.debug, "" },
		{ "systemd-cgroup", 0, OPT_BOOL, &g.systemd_cgroup, "" },
		{ "rootless", 0, OPT_STRING, &g.rootless, "" },
		{ "cgroup-manager", 0, OPT_STRING, &g.cgroup_manager, "" },
		{ "criu", 0, OPT_STRING, &criu, "" },
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
	if (criu != NULL) {
		if (*criu == '\0') {
			error_set(&err, EINVAL, "--criu: expected the path or name of the criu binary");
			goto fail;
		}
		criu_set_binary(criu);
	}
	g.is_rootless = strcmp(g.rootless, "true") == 0 || (strcmp(g.rootless, "auto") == 0 && !host_root());
	verb = strcmp(argv[index], "help") == 0 ? &help_verb : find_verb(argv[index], &err);
	if (verb == NULL)
		goto fail;
	log_set_role(verb->name);
	/* the verbs whose processes enter a container run from an image no container can write
	 * (CVE-2019-5736): first thing, before any state or namespace is touched */
	if ((strcmp(verb->name, "create") == 0 || strcmp(verb->name, "run") == 0 ||
	     strcmp(verb->name, "exec") == 0) &&
	    (check_kernel(&err) < 0 || sealed_ensure(argv, &err) < 0)) {
		status = strcmp(verb->name, "exec") == 0 ? 255 : 1; /* exec's own failures are 255, as runc */
		goto fail;
	}
	/* spec, features and help keep no state: they work without XDG_RUNTIME_DIR */
	if (g.root == NULL && strcmp(verb->name, "spec") != 0 && strcmp(verb->name, "features") != 0 &&
	    verb != &help_verb && default_root(&g.root, &err) < 0)
		goto fail;
	status = verb->fn(&g, argc - index, argv + index, &err);
	if (err.msg == NULL)
		return status;
	if (status == 0)
		status = 1;
fail:
	log_error_report(err.msg ? err.msg : "unknown error");
	explain_enosys(&err);
	error_clear(&err);
	return status;
}

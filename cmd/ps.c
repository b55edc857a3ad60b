/* husk ps: the processes of a container: the output of ps(1) filtered to them, as runc does, or a JSON
 * array of host pids. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "runtime/base/util.h"
#include "config/state-json.h"
#include "runtime/container.h"

static bool has_pid(const pid_t *pids, size_t n, long pid)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

/* The n-th whitespace-separated field of line, as a number, or -1. */
static long field_pid(const char *line, int col)
{
	cleanup_free char *copy = xstrdup(line);
	char *f, *save = NULL, *end;
	int i = 0;

	for (f = strtok_r(copy, " \t", &save); f; f = strtok_r(NULL, " \t", &save), i++)
		if (i == col) {
			long pid = strtol(f, &end, 10);
			return *end ? -1 : pid;
		}
	return -1;
}

static int pid_column(const char *header)
{
	cleanup_free char *copy = xstrdup(header);
	char *f, *save = NULL;
	int i = 0;

	for (f = strtok_r(copy, " \t", &save); f; f = strtok_r(NULL, " \t", &save), i++)
		if (strcmp(f, "PID") == 0)
			return i;
	return -1;
}

/* ps(1)'s stdout and stderr together, as runc reads them (CombinedOutput). */
static int run_ps(char **av, char **ret_out, struct error *err)
{
	cleanup_free char *out = NULL;
	size_t len = 0, cap = 0;
	int pipefd[2], status;
	pid_t child;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return error_sys(err, errno, "ps: pipe");
	child = fork();
	if (child < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return error_sys(err, errno, "ps: fork");
	}
	if (child == 0) {
		dup2(pipefd[1], STDOUT_FILENO);
		dup2(pipefd[1], STDERR_FILENO);
		execvp("ps", av);
		fprintf(stderr, "exec: \"ps\": %s\n", strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	for (;;) {
		ssize_t got;
		if (cap - len < 4096)
			out = xrealloc(out, cap = cap ? cap * 2 : 8192);
		got = read(pipefd[0], out + len, cap - len - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		len += (size_t)got;
	}
	out[len] = '\0';
	close(pipefd[0]);
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return error_set(err, EIO, "ps: ps(1) failed (exit status %d): %s",
				 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), out);
	*ret_out = out;
	out = NULL;
	return 0;
}

/* Run ps(1) with the caller's options and keep its header and the lines of the container's
 * processes, found by the PID column, as runc's ps does. */
static int ps_table(char **args, int n_args, const pid_t *pids, size_t n, struct error *err)
{
	cleanup_free char **av = xcalloc((size_t)n_args + 3, sizeof(char *));
	cleanup_free char *out = NULL;
	char *line, *save = NULL;
	int pid_col = -1;

	av[0] = (char *)"ps";
	if (n_args == 0)
		av[1] = (char *)"-ef";
	else
		memcpy(av + 1, args, (size_t)n_args * sizeof(char *));
	if (run_ps(av, &out, err) < 0)
		return -1;
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		long pid;
		if (pid_col < 0) {
			if ((pid_col = pid_column(line)) < 0)
				return error_set(err, EINVAL, "ps: couldn't find PID field in ps output");
			puts(line);
			continue;
		}
		if ((pid = field_pid(line, pid_col)) < 0)
			return error_set(err, EINVAL, "ps: unable to parse pid in \"%s\"", line);
		if (has_pid(pids, n, pid))
			puts(line);
	}
	return 0;
}

VERB_FN(ps)
{
	const char *format = "table";
	const struct opt opts[] = {
		{ "format", 'f', OPT_STRING, &format, "table or json" },
	};
	pid_t *pids = NULL;
	size_t n = 0;
	int index,
	    r = cli_verb_flags(argc, argv, &index, "[--format table|json] ID [-- PS_OPTIONS...]",
			       "List the processes of a container: the output of ps(1) (default ps -ef) "
			       "filtered to them, or with --format json a JSON array of their host pids.",
			       opts, ARRAY_SIZE(opts), err);

	if (r != 0)
		return r < 0 ? 1 : 0;
	if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0)
		return error_set(err, EINVAL, "ps: --format: expected table or json, got \"%s\"", format), 1;
	if (index >= argc)
		return error_set(err, EINVAL, "ps: missing container id"), 1;
	if (container_pids(g->root, argv[index], &pids, &n, err) < 0)
		return 1;
	if (strcmp(format, "json") == 0) {
		/* runc encodes its nil slice: a container without processes is "null", as in list */
		char *s = n ? state_pids_json(pids, n) : NULL;
		puts(s ? s : "null");
		free(s);
		r = 0;
	} else {
		/* runc: what follows the id goes to ps(1) (default -ef); a "--" before them is dropped
		 * (runc 1.1 hands it to ps, which refuses it) */
		char **ps_args = argv + index + 1;
		int n_ps = argc - index - 1;
		if (n_ps > 0 && strcmp(ps_args[0], "--") == 0)
			ps_args++, n_ps--;
		r = ps_table(ps_args, n_ps, pids, n, err) < 0 ? 1 : 0;
	}
	free(pids);
	return r;
}

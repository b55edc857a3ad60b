/* See idmap.h. */
#define _GNU_SOURCE
#include "idmap.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/log.h"
#include "narrate.h"
#include "base/util.h"

extern char **environ;

struct idmap_kind {
	const char *file;   /* uid_map */
	const char *field;  /* uidMappings */
	const char *helper; /* newuidmap */
	const char *subids; /* /etc/subuid */
	const struct spec_id_mapping *m;
	size_t n;
	unsigned self; /* the caller's effective id */
};

/* One line per mapping, "containerID hostID size\n", as the kernel reads it. */
static size_t format_map(const struct idmap_kind *k, char *buf, size_t size)
{
	size_t len = 0;

	for (size_t j = 0; j < k->n && len < size - 40; j++)
		len += (size_t)snprintf(buf + len, size - len, "%u %u %u\n", k->m[j].container_id,
					k->m[j].host_id, k->m[j].size);
	return len;
}

/* newuidmap PID C H S [C H S...]; its stderr becomes the error, which names the /etc/sub?id rule. */
static int run_helper(const struct idmap_kind *k, pid_t pid, struct error *err)
{
	char **argv = xcalloc(2 + 3 * k->n + 1, sizeof(*argv));
	size_t a = 0;
	int pipefd[2] = { -1, -1 }, status, r = -1;
	char out[1024];
	ssize_t got = 0, n;
	pid_t child;
	posix_spawn_file_actions_t fa;

	argv[a++] = xstrdup(k->helper);
	argv[a++] = xasprintf("%d", pid);
	for (size_t j = 0; j < k->n; j++) {
		argv[a++] = xasprintf("%u", k->m[j].container_id);
		argv[a++] = xasprintf("%u", k->m[j].host_id);
		argv[a++] = xasprintf("%u", k->m[j].size);
	}
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		error_sys(err, errno, "pipe");
		goto out;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDERR_FILENO);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
	r = posix_spawnp(&child, k->helper, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (r != 0) {
		error_set(err, r,
			  "config.json: .linux.%s: mapping more than your own id needs %s (Debian package "
			  "uidmap) and a range in %s: %s",
			  k->field, k->helper, k->subids, strerror(r));
		r = -1;
		goto out;
	}
	while (got < (ssize_t)sizeof out - 1 &&
	       (n = read(pipefd[0], out + got, sizeof out - 1 - (size_t)got)) != 0)
		if (n > 0)
			got += n;
		else if (errno != EINTR)
			break;
	out[got] = '\0';
	while (got > 0 && out[got - 1] == '\n')
		out[--got] = '\0';
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		error_set(err, EPERM, "config.json: .linux.%s: %s refused the mapping (check %s): %s",
			  k->field, k->helper, k->subids, got ? out : "no message");
		r = -1;
		goto out;
	}
	r = 0;
out:
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	for (size_t j = 0; j < a; j++)
		free(argv[j]);
	free(argv);
	return r;
}

int idmap_write(pid_t pid, const struct spec_linux *l, struct error *err)
{
	const struct idmap_kind kinds[] = {
		{ "uid_map", "uidMappings", "newuidmap", "/etc/subuid", l->uid_mappings, l->n_uid_mappings,
		  geteuid() },
		{ "gid_map", "gidMappings", "newgidmap", "/etc/subgid", l->gid_mappings, l->n_gid_mappings,
		  getegid() },
	};
	bool root = geteuid() == 0;

	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		const struct idmap_kind *k = &kinds[i];
		char path[64], buf[4096];
		size_t len = format_map(k, buf, sizeof buf);

		if (len == 0)
			return error_set(err, EINVAL,
					 "config.json: .linux.%s: a new user namespace needs id mappings",
					 k->field);
		if (!root && !(k->n == 1 && k->m[0].size == 1 && k->m[0].host_id == k->self)) {
			log_debug("%s %d \"%.*s\"", k->helper, pid, (int)len - 1, buf);
			if (run_helper(k, pid, err) < 0)
				return -1;
			continue;
		}
		if (!root && i == 1) {
			/* an unprivileged gid_map is accepted only once setgroups is denied for good:
			 * otherwise dropping a supplementary group would let a process read files that
			 * group was denied (CVE-2014-8989) */
			snprintf(path, sizeof path, "/proc/%d/setgroups", pid);
			say_write(path, "deny", 4);
			if (write_file_at(AT_FDCWD, path, "deny", 4, err) < 0)
				return error_wrap(err, "write user namespace setgroups");
		}
		snprintf(path, sizeof path, "/proc/%d/%s", pid, k->file);
		say_write(path, buf, len);
		if (write_file_at(AT_FDCWD, path, buf, len, err) < 0)
			return error_wrap(err, "write user namespace %s", k->file);
	}
	return 0;
}

/* Running OCI hooks: fork, state on stdin, execve, wait with a deadline through a pidfd. */
#define _GNU_SOURCE
#include "hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

/* Wait until pidfd is readable (1) or `seconds` have passed (0). The timeout may be up to INT32_MAX
 * seconds: counted in 64 bits and waited in slices poll() can take, so a large one never wraps into
 * a short (or no) deadline. */
static int wait_deadline(int pidfd, int64_t seconds)
{
	struct timespec now;
	int64_t end_ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	end_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000 + seconds * 1000;
	for (;;) {
		struct pollfd pfd = { pidfd, POLLIN, 0 };
		int64_t left;
		int r;

		clock_gettime(CLOCK_MONOTONIC, &now);
		left = end_ms - ((int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000);
		if (left <= 0)
			return 0;
		r = poll(&pfd, 1, left > 3600000 ? 3600000 : (int)left);
		if (r > 0)
			return 1;
		if (r < 0 && errno != EINTR)
			return 1; /* cannot wait with a deadline: fall back to waitpid */
	}
}

extern char **environ;

static char *const *default_env;

void hooks_set_default_env(char *const *env)
{
	default_env = env;
}

static int run_one(const struct spec_hook *h, const char *kind, const char *state_json, struct error *err)
{
	int in[2];
	pid_t pid;
	cleanup_close int pidfd = -1;
	int status;
	char *const argv0[] = { h->path, NULL };
	/* no "env": the runner's environment, as Go's exec gives runc's hooks (a hook script that
	 * calls ldconfig by name needs PATH) */
	char *const *env = h->env ? h->env : default_env ? default_env : environ;
	void (*old_pipe)(int);

	if (pipe2(in, O_CLOEXEC) < 0)
		return error_sys(err, errno, "%s hook '%s': pipe", kind, h->path);
	log_debug("run %s hook %s", kind, h->path);
	pid = fork();
	if (pid < 0) {
		close(in[0]);
		close(in[1]);
		return error_sys(err, errno, "%s hook '%s': fork", kind, h->path);
	}
	if (pid == 0) {
		/* the hook starts with the default SIGPIPE, whatever husk inherited */
		signal(SIGPIPE, SIG_DFL);
		dup2(in[0], 0);
		/* the hook must not inherit husk's descriptors (state dir lock, sync socket) */
		syscall(SYS_close_range, 3, ~0U, 0);
		execve(h->path, h->n_args ? h->args : argv0, env);
		_exit(127);
	}
	close(in[0]);
	/* the hook may not read stdin at all: a closed pipe must not kill husk. Only for this
	 * write: the init runs startContainer hooks, and an ignored SIGPIPE would survive its
	 * execve into the container's program */
	old_pipe = signal(SIGPIPE, SIG_IGN);
	write_all(in[1], state_json, strlen(state_json));
	close(in[1]);
	signal(SIGPIPE, old_pipe);
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd >= 0 && h->has_timeout && wait_deadline(pidfd, h->timeout) == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return error_set(err, ETIMEDOUT, "%s hook '%s' timed out after %" PRId64 " s", kind, h->path,
				 h->timeout);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return error_sys(err, errno, "%s hook '%s': wait", kind, h->path);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return error_set(err, ENOENT, "%s hook '%s' could not be executed (exit status 127)", kind,
				 h->path);
	if (WIFEXITED(status))
		return error_set(err, EIO, "%s hook '%s' failed with exit status %d", kind, h->path,
				 WEXITSTATUS(status));
	return error_set(err, EIO, "%s hook '%s' was killed by signal %d", kind, h->path, WTERMSIG(status));
}

int hooks_run(const struct spec_hooks *hooks, enum spec_hook_kind kind, const char *state_json,
	      struct error *err)
{
	for (size_t i = 0; i < hooks->n[kind]; i++)
		if (run_one(&hooks->hooks[kind][i], spec_hook_kind_name(kind), state_json, err) < 0)
			return -1;
	return 0;
}

void hooks_run_warn(const struct spec_hooks *hooks, enum spec_hook_kind kind, const char *state_json)
{
	for (size_t i = 0; i < hooks->n[kind]; i++) {
		struct error err = { 0 };
		if (run_one(&hooks->hooks[kind][i], spec_hook_kind_name(kind), state_json, &err) < 0)
			log_warn("%s, ignoring", err.msg);
		error_clear(&err);
	}
}

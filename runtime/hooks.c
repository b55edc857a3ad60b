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

#include "base/log.h"
#include "base/util.h"

static int64_t now_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* The deadline of a hook: `seconds` from now, or none (INT64_MAX). The timeout may be up to INT32_MAX
 * seconds: counted in 64 bits and waited in slices poll() can take, so a large one never wraps into
 * a short (or no) deadline. */
static int64_t deadline_ms(const struct spec_hook *h)
{
	return h->has_timeout ? now_ms() + h->timeout * 1000 : INT64_MAX;
}

/* poll() until one of fds is ready (1) or end_ms has passed (0). */
static int poll_until(struct pollfd *pfd, nfds_t n, int64_t end_ms)
{
	for (;;) {
		int64_t left = end_ms == INT64_MAX ? 3600000 : end_ms - now_ms();
		int r;

		if (left <= 0)
			return 0;
		r = poll(pfd, n, left > 3600000 ? 3600000 : (int)left);
		if (r > 0)
			return 1;
		if (r < 0 && errno != EINTR)
			return 1; /* cannot wait with a deadline: fall back to blocking calls */
	}
}

/* Wait until pidfd is readable (1) or end_ms has passed (0). */
static int wait_deadline(int pidfd, int64_t end_ms)
{
	struct pollfd pfd = { pidfd, POLLIN, 0 };

	return poll_until(&pfd, 1, end_ms);
}

/* The state on the hook's stdin, within the hook's deadline: a hook that never reads it (its
 * program may come from the container's image) must not block husk in write() past the timeout once
 * the state is larger than the pipe. Stops early when the hook exits. */
static void feed_state(int fd, int pidfd, const char *data, size_t len, int64_t end_ms)
{
	if (pidfd < 0 || fcntl(fd, F_SETFL, O_NONBLOCK) < 0) {
		write_all(fd, data, len);
		return;
	}
	while (len > 0) {
		struct pollfd pfd[2] = { { fd, POLLOUT, 0 }, { pidfd, POLLIN, 0 } };
		ssize_t n;

		if (poll_until(pfd, 2, end_ms) == 0 || (pfd[1].revents & POLLIN))
			return;
		n = write(fd, data, len);
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return;
		if (n > 0) {
			data += n;
			len -= (size_t)n;
		}
	}
}

extern char **environ;

static char *const *container_env;

void hooks_set_container_env(char *const *env)
{
	container_env = env;
}

static int run_one(const struct spec_hook *h, enum spec_hook_kind k, const char *state_json,
		   struct error *err)
{
	const char *kind = spec_hook_kind_name(k);
	int in[2];
	pid_t pid;
	cleanup_close int pidfd = -1;
	int status;
	char *const argv0[] = { h->path, NULL };
	/* no "env": the runner's environment, as Go's exec gives runc's hooks (a hook script that
	 * calls ldconfig by name needs PATH). The image's env (process.env) only for startContainer,
	 * which is the image's own code: a createContainer hook is a host binary run as root before
	 * pivot_root, and an image's LD_PRELOAD=/proc/self/cwd/x.so, PATH or BASH_ENV would run the
	 * image's code in it with the host's / (CVE-2025-23266, NVIDIAScape); runc passes it there */
	char *const *env = environ;
	void (*old_pipe)(int);
	int64_t end_ms;

	if (h->env)
		env = h->env;
	else if (k == HOOK_START_CONTAINER && container_env)
		env = container_env;
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
		/* the hook starts with the default SIGPIPE and no blocked signal, whatever husk inherited
		 * or blocked for itself (run -t's relay blocks SIGCHLD and SIGWINCH): a hook with SIGCHLD
		 * blocked inherits that into every program it starts */
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		dup2(in[0], 0);
		/* the hook must not inherit husk's descriptors (state dir lock, sync socket) */
		syscall(SYS_close_range, 3, ~0U, 0);
		execve(h->path, h->n_args ? h->args : argv0, env);
		_exit(127);
	}
	close(in[0]);
	end_ms = deadline_ms(h);
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	/* the hook may not read stdin at all: a closed pipe must not kill husk. Only for this
	 * write: the init runs startContainer hooks, and an ignored SIGPIPE would survive its
	 * execve into the container's program */
	old_pipe = signal(SIGPIPE, SIG_IGN);
	feed_state(in[1], pidfd, state_json, strlen(state_json), end_ms);
	close(in[1]);
	signal(SIGPIPE, old_pipe);
	if (pidfd >= 0 && h->has_timeout && wait_deadline(pidfd, end_ms) == 0) {
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
		if (run_one(&hooks->hooks[kind][i], kind, state_json, err) < 0)
			return -1;
	return 0;
}

void hooks_run_warn(const struct spec_hooks *hooks, enum spec_hook_kind kind, const char *state_json)
{
	for (size_t i = 0; i < hooks->n[kind]; i++) {
		struct error err = { 0 };
		if (run_one(&hooks->hooks[kind][i], kind, state_json, &err) < 0)
			log_warn("%s, ignoring", err.msg);
		error_clear(&err);
	}
}

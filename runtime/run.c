/* run: create, start and, in the foreground, stay the init's parent: forward signals to it (or relay
 * its terminal), wait for it, delete the container and return its exit status. */
#define _GNU_SOURCE
#include "container.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "relay.h"
#include "sealed.h"
#include "base/util.h"

static volatile sig_atomic_t forward_pid;

static void forward_signal(int sig)
{
	if (forward_pid > 0)
		kill(forward_pid, sig);
}

/* husk stays the parent: the signals it gets go to the container's init (those that stop or crash husk
 * itself, SIGCHLD and SIGWINCH excepted) */
static void forward_signals_to(pid_t pid)
{
	struct sigaction sa = { .sa_handler = forward_signal, .sa_flags = SA_RESTART };

	forward_pid = pid;
	sigemptyset(&sa.sa_mask);
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP && sig != SIGCHLD && sig != SIGSEGV && sig != SIGBUS &&
		    sig != SIGFPE && sig != SIGILL && sig != SIGPIPE && sig != SIGTTIN && sig != SIGTTOU &&
		    sig != SIGTSTP && sig != SIGWINCH)
			sigaction(sig, &sa, NULL);
}

/* The pty master the init sent (if the config asks for a terminal), sized like the caller's terminal; -1
 * without one. The init sent it before it reported ready: it is queued by now. */
static int take_relay_master(int relay_sock)
{
	struct error e = { 0 };
	struct winsize ws;
	int master;

	fcntl(relay_sock, F_SETFL, O_NONBLOCK);
	master = relay_recv_master(relay_sock, &e);
	error_clear(&e);
	/* the program must see the caller's window size from its first instruction */
	if (master >= 0 && isatty(STDIN_FILENO) && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		ioctl(master, TIOCSWINSZ, &ws);
	return master;
}

int container_run(const struct create_opts *o, bool detach, bool keep, int *ret_status, struct error *err)
{
	struct create_opts opts = *o;
	cleanup_close int relay_sock = -1, master = -1;
	int pair[2] = { -1, -1 };
	pid_t pid;
	int status;

	/* in the foreground without a console socket, husk itself holds the terminal (if the config
	 * asks for one): the init sends the pty master over this pair */
	if (!detach && o->console_socket == NULL) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
			return error_sys(err, errno, "socketpair");
		opts.has_console_fd = true;
		opts.console_fd = pair[1];
		relay_sock = pair[0];
	}
	if (container_create(&opts, &pid, err) < 0) {
		if (pair[1] >= 0)
			close(pair[1]);
		return -1;
	}
	if (pair[1] >= 0)
		close(pair[1]);
	if (relay_sock >= 0)
		master = take_relay_master(relay_sock);
	if (!detach)
		forward_signals_to(pid);
	if (master >= 0)
		relay_block_signals();
	if (container_start(o->root, o->id, err) < 0) {
		struct error e = { 0 };
		if (!keep)
			container_delete(o->root, o->id, true, &e);
		error_clear(&e);
		if (!detach)
			waitpid(pid, NULL, WNOHANG);
		return -1;
	}
	if (detach) {
		*ret_status = 0;
		return 0;
	}
	sealed_reap(false); /* no zombie of the seal's closer while the container runs */
	if (master >= 0) {
		if (relay_run(master, pid, ret_status, err) < 0)
			return -1;
	} else {
		while (waitpid(pid, &status, 0) < 0)
			if (errno != EINTR)
				return error_sys(err, errno, "wait for the container");
		*ret_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
	forward_pid = 0;
	if (!keep && container_delete(o->root, o->id, true, err) < 0)
		return -1;
	return 0;
}

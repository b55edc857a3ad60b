/* The terminal relay of `husk run` with process.terminal and no --console-socket: husk holds the pty
 * master and copies between it and its own stdin/stdout, with its terminal in raw mode (restored on
 * every exit path) and window-size changes passed on, so an interactive shell just works. */
#define _GNU_SOURCE
#include "relay.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "terminal.h"
#include "base/util.h"

void relay_block_signals(void)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGWINCH);
	sigprocmask(SIG_BLOCK, &mask, NULL);
}

int relay_recv_master(int sock, struct error *err)
{
	char control[CMSG_SPACE(sizeof(int))], name[256];
	struct iovec iov = { name, sizeof name };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control
	};
	struct cmsghdr *c;
	int fd;

	while (recvmsg(sock, &mh, MSG_CMSG_CLOEXEC) < 0)
		if (errno != EINTR)
			return error_sys(err, errno, "receive the container's terminal");
	c = CMSG_FIRSTHDR(&mh);
	if (c == NULL || c->cmsg_type != SCM_RIGHTS)
		return error_set(err, EPROTO, "the container init sent no terminal");
	memcpy(&fd, CMSG_DATA(c), sizeof fd);
	/* husk's own relay gets the program's "\n" as written, as runc's relay does (ClearONLCR):
	 * output piped on to a file or a script has no "\r" added. A --console-socket receiver sets
	 * the modes it wants itself, so terminal_setup leaves them at the kernel's default. */
	terminal_clear_onlcr(fd);
	return fd;
}

static void copy_winsize(int from, int to)
{
	struct winsize ws;

	if (ioctl(from, TIOCGWINSZ, &ws) == 0)
		ioctl(to, TIOCSWINSZ, &ws);
}

/* Whether the program's side of the terminal has nothing waiting to be read: its input queue through
 * a descriptor of the peer that TIOCGPTPEER opens from the master (no path is looked up), closed again
 * at once (held, it would hide the hangup of a program that closes its terminal). */
static bool peer_input_empty(int master)
{
	int peer = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC), queued = 1;

	if (peer < 0)
		return false;
	if (ioctl(peer, TIOCINQ, &queued) < 0)
		queued = 1;
	close(peer);
	return queued == 0;
}

/* Piped input has ended: give the program an end-of-file character, and again whenever it switches
 * its terminal between canonical and raw mode. One that arrives in canonical mode before a shell puts
 * the terminal in raw mode for its line editor is lost in the switch (the kernel keeps it as a NUL, or
 * drops it with TCSAFLUSH), and a switch there and back between two looks goes unseen: so in raw mode it
 * is sent again whenever the program's input is empty (a waiting one is counted there, so a program
 * that does not read has at most one). In canonical mode a waiting one is not counted (TIOCINQ skips
 * it), and sending it over and over would fill the terminal's input of a program that does not read. On
 * a pty master, tcgetattr reads the program's side. */
static void send_eof(int master, int *canon, bool *mid_line)
{
	struct termios t;
	int now = tcgetattr(master, &t) == 0 ? (t.c_lflag & ICANON) != 0 : *canon;

	if (*canon != -1 && now == *canon && !(now == 0 && peer_input_empty(master)))
		return;
	*canon = now;
	/* in canonical mode, the first one only ends an unfinished last line */
	write_all(master, "\x04\x04", now && *mid_line ? 2 : 1);
	*mid_line = false;
}

/* Copy what is readable on from to to; returns false at end of input. *mid_line, when given, says
 * whether the data so far ends without a newline. */
static bool pump(int from, int to, bool *mid_line)
{
	char buf[8192];
	ssize_t n = read(from, buf, sizeof buf);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0)
		return false;
	if (mid_line)
		*mid_line = buf[n - 1] != '\n';
	return write_all(to, buf, (size_t)n) == 0;
}

int relay_run(int master, pid_t pid, int *ret_status, struct error *err)
{
	struct termios saved, raw;
	bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
	sigset_t mask;
	cleanup_close int sfd = -1;
	bool in_open = true, out_open = true, mid_line = false;
	int status = 0, r = -1, canon = -1;

	/* the caller blocked SIGCHLD and SIGWINCH before starting the container (relay_block_signals):
	 * a program that exits at once must not have its SIGCHLD lost before this point */
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGWINCH);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0)
		return error_sys(err, errno, "signalfd");
	if (tty) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
		copy_winsize(STDIN_FILENO, master);
	}
	for (;;) {
		/* a side that is done is left out (fd -1), not just asked for no events: poll reports
		 * POLLHUP regardless, and a program that closed its terminal, or input that ended, while
		 * the program runs on would spin this loop */
		struct pollfd p[3] = { { sfd, POLLIN, 0 },
				       { out_open ? master : -1, POLLIN, 0 },
				       { in_open ? STDIN_FILENO : -1, POLLIN, 0 } };
		/* after piped input ended, look at the program's terminal mode now and then (send_eof) */
		if (poll(p, 3, in_open || tty ? -1 : 100) < 0 && errno != EINTR) {
			error_sys(err, errno, "poll");
			break;
		}
		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof si) == sizeof si && si.ssi_signo == SIGWINCH && tty)
				copy_winsize(STDIN_FILENO, master);
		}
		/* checked on every wake-up, not only on SIGCHLD: cheap, and it cannot miss an exit */
		if (waitpid(pid, &status, WNOHANG) == pid) {
			/* drain what the program wrote before it exited */
			while (out_open && poll(&p[1], 1, 0) > 0 && pump(master, STDOUT_FILENO, NULL))
				;
			*ret_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
			r = 0;
			break;
		}
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR))
			out_open = pump(master, STDOUT_FILENO, NULL);
		if (p[2].revents & (POLLIN | POLLHUP | POLLERR))
			in_open = pump(STDIN_FILENO, master, &mid_line);
		if (!in_open && !tty && out_open)
			send_eof(master, &canon, &mid_line);
	}
	if (tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	sigprocmask(SIG_UNBLOCK, &mask, NULL);
	return r;
}

/* run: create, start and, in the foreground, stay the init's parent: forward signals to it (or relay
 * its terminal), wait for it, delete the container and return its exit status. */
#define _GNU_SOURCE
#include "container.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
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

/* The container's mount namespace, held by a second process while `run` waits for the init (issue 18).
 * The exit of an init that was alone in its mount namespace dissolves it before the init becomes a
 * zombie: umount_tree, then namespace_unlock waits for an expedited RCU grace period (traced with
 * bpftrace: synchronize_rcu_expedited < namespace_unlock < free_nsproxy < do_exit, once per run), and
 * husk's waitpid returned only after it. With a reference held elsewhere the init's exit leaves the
 * namespace alone; the holder drops it once the init is reaped and waits for the grace period itself
 * while husk deletes the container. Before poststop hooks run and before husk exits, the holder is
 * reaped (mntns_release), so a hook and husk's caller find the namespace gone, as before.
 * The holder is an fd_keeper (sealed.h), as sealed.c's closer, for the same reasons (a fork would copy
 * husk's page tables and tear them down again): it keeps only the namespace fd and a gate, and exits
 * when the gate's write end closes. */
static pid_t holder = -1;
static int holder_gate = -1;

void mntns_release(void)
{
	if (holder_gate >= 0) {
		close(holder_gate);
		holder_gate = -1;
	}
	if (holder > 0) {
		waitpid(holder, NULL, __WALL);
		holder = -1;
	}
}

/* Only for an init of a mount namespace of its own: none (it mounts in ours) needs no holder. Holding
 * nothing is always correct, so any failure here just leaves the wait where it was. */
static void mntns_hold(pid_t init)
{
	/* static: the holder runs on its stack after this function returned */
	static struct fd_keeper k;
	struct stat ours, theirs;
	char path[64];
	int gate[2], ns;

	snprintf(path, sizeof path, "/proc/%d/ns/mnt", init);
	ns = open(path, O_RDONLY | O_CLOEXEC);
	if (ns < 0)
		return;
	if (fstat(ns, &theirs) < 0 || stat("/proc/self/ns/mnt", &ours) < 0 || theirs.st_ino == ours.st_ino ||
	    pipe2(gate, O_CLOEXEC) < 0) {
		close(ns);
		return;
	}
	/* reaped by mntns_release, at the latest at exit */
	holder = fd_keeper_start(&k, ns, gate[0]);
	close(gate[0]);
	close(ns);
	if (holder < 0) {
		close(gate[1]);
		return;
	}
	holder_gate = gate[1];
	atexit(mntns_release);
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
	if (!detach) {
		forward_signals_to(pid);
		mntns_hold(pid);
	}
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
	/* the init is reaped: the holder drops the namespace while the container is deleted */
	if (holder_gate >= 0) {
		close(holder_gate);
		holder_gate = -1;
	}
	if (!keep && container_delete(o->root, o->id, true, err) < 0)
		return -1;
	mntns_release();
	return 0;
}

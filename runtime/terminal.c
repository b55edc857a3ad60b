/* Console setup. The pty pair is reached without path lookups inside the container: the master is
 * opened through the resolved-in-root /dev/pts/ptmx and the peer with TIOCGPTPEER, so a /dev/pts/N or
 * /dev symlink planted by the image cannot redirect the console (CVE-2025-52565). */
#define _GNU_SOURCE
#include "terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/vfs.h>
#include <termios.h>
#include <unistd.h>

#include "base/log.h"
#include "rootfs.h"
#include "narrate.h"
#include "process.h"
#include "base/util.h"

/* How long a connect to, or a send on, a console or seccomp-agent socket may wait. */
#define SOCKET_TIMEOUT_S 5

int terminal_connect(const char *path, const char *what, struct error *err)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = SOCKET_TIMEOUT_S };
	int fd;

	if (strlen(path) >= sizeof addr.sun_path)
		return error_set(err, ENAMETOOLONG, "%s path '%s' is too long", what, path);
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return error_sys(err, errno, "%s: socket", what);
	/* a listener that never accepts (its backlog full) or never reads must not hang husk: a unix
	 * stream connect and every send on the socket wait at most this long */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) < 0) {
		int e = errno;
		close(fd);
		return error_sys(err, e, "%s: socket", what);
	}
	if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
		int e = errno;
		close(fd);
		if (e == EAGAIN || e == EWOULDBLOCK)
			return error_set(err, ETIMEDOUT,
					 "connect to the %s at '%s': timed out after %d s: the listener does "
					 "not accept",
					 what, path, (int)tv.tv_sec);
		return error_sys(err, e, "connect to the %s at '%s'", what, path);
	}
	return fd;
}

int terminal_send_fd(int sock, int fd, const char *name, struct error *err)
{
	char control[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { (void *)name, strlen(name) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	while (sendmsg(sock, &mh, MSG_NOSIGNAL) < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return error_set(
			    err, ETIMEDOUT,
			    "sendmsg(SCM_RIGHTS): timed out after %d s: the listener does not read",
			    SOCKET_TIMEOUT_S);
		if (errno != EINTR)
			return error_sys(err, errno, "sendmsg(SCM_RIGHTS)");
	}
	return 0;
}

void terminal_clear_onlcr(int fd)
{
	struct termios t;

	if (tcgetattr(fd, &t) == 0) {
		t.c_oflag &= ~(tcflag_t)ONLCR;
		tcsetattr(fd, TCSANOW, &t);
	}
}

static int bind_pty_to_console(int rootfd, int slave, struct error *err)
{
	cleanup_close int dst = -1, tree = -1;

	if (rootfs_mkdir_in(rootfd, "/dev/console", true, err) < 0)
		return -1;
	dst = rootfs_open_in(rootfd, "/dev/console", O_PATH | O_NOFOLLOW);
	tree = say_open_tree(slave, "/dev/pts/N (the pty)", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (dst < 0 || tree < 0 || say_move_mount(tree, "/dev/pts/N", dst, "/dev/console") < 0)
		return error_sys(err, errno, "bind the pty to /dev/console");
	return 0;
}

int terminal_setup(int rootfd, int console_fd, const struct spec_process *p, bool bind_console,
		   struct error *err)
{
	/* looked at before it is opened: an image's (or, before exec, the container's) device or FIFO there
	 * would have its driver's open run by husk; then the checked inode itself is opened */
	cleanup_close int node = rootfs_open_in(rootfd, "/dev/pts/ptmx", O_PATH | O_NOFOLLOW);
	cleanup_close int master = -1, slave = -1;
	struct statfs sfs;
	struct stat st;

	if (node < 0 || fstat(node, &st) < 0 || S_ISLNK(st.st_mode))
		return error_sys(err, node < 0 ? errno : ELOOP,
				 "open /dev/pts/ptmx in the container (is devpts mounted on /dev/pts?)");
	if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != 5 || minor(st.st_rdev) != 2 ||
	    fstatfs(node, &sfs) < 0 || sfs.f_type != DEVPTS_SUPER_MAGIC)
		return error_set(err, EPERM,
				 "the container's /dev/pts/ptmx is not the 5:2 pty multiplexer of a devpts: "
				 "refusing");
	master = proc_reopen(node, O_RDWR | O_NOCTTY);
	if (master < 0)
		return error_sys(err, errno, "open /dev/pts/ptmx in the container");
	if (unlockpt(master) < 0)
		return error_sys(err, errno, "unlock the pty");
	slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		return error_sys(err, errno, "open the pty peer");
	if (p->has_console_size) {
		struct winsize ws = { .ws_row = (unsigned short)p->console_height,
				      .ws_col = (unsigned short)p->console_width };
		if (ioctl(slave, TIOCSWINSZ, &ws) < 0)
			return error_sys(err, errno, "set the console size");
	}
	/* the program's user owns its terminal, as under runc (fixStdioPermissions): uid only, the
	 * group stays devpts' tty group. EINVAL/EPERM (uid not mapped in the user namespace) leave it. */
	log_debug("fchown(pty, %u, -1)", p->user.uid);
	if (fchown(slave, p->user.uid, (gid_t)-1) < 0 && errno != EINVAL && errno != EPERM)
		return error_sys(err, errno, "give the pty to uid %u", p->user.uid);
	if (bind_console && bind_pty_to_console(rootfd, slave, err) < 0)
		return -1;
	log_debug("setsid(); ioctl(pty, TIOCSCTTY)");
	if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0)
		return error_sys(err, errno, "make the pty the controlling terminal");
	for (int fd = 0; fd < 3; fd++)
		if (dup2(slave, fd) < 0)
			return error_sys(err, errno, "dup the pty to fd %d", fd);
	if (terminal_send_fd(console_fd, master, "/dev/ptmx", err) < 0)
		return error_wrap(err, "send the pty master to the console socket");
	return 0;
}

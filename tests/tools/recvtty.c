/* recvtty SOCKET [INPUT]: a console-socket receiver for tests, like runc's recvtty. Listens on SOCKET,
 * takes one pty master over SCM_RIGHTS, prints "recvtty: got fd (NAME)", writes INPUT to the terminal if
 * given, then copies everything the container writes to stdout until its side closes. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

static int recv_fd(int sock, char *name, size_t size)
{
	char control[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { name, size - 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control
	};
	ssize_t n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	int fd;

	if (n < 0 || c == NULL || c->cmsg_type != SCM_RIGHTS)
		return -1;
	name[n] = '\0';
	memcpy(&fd, CMSG_DATA(c), sizeof fd);
	return fd;
}

int main(int argc, char **argv)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int lfd, conn, master;
	char name[256], buf[4096];
	struct winsize ws;
	ssize_t n;

	if (argc < 2 || strlen(argv[1]) >= sizeof addr.sun_path) {
		fprintf(stderr, "usage: recvtty SOCKET [INPUT]\n");
		return 2;
	}
	strcpy(addr.sun_path, argv[1]);
	unlink(argv[1]);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(lfd, 1) < 0) {
		perror("recvtty: listen");
		return 1;
	}
	printf("recvtty: listening\n");
	fflush(stdout);
	conn = accept(lfd, NULL, NULL);
	master = conn < 0 ? -1 : recv_fd(conn, name, sizeof name);
	if (master < 0) {
		perror("recvtty: receive");
		return 1;
	}
	printf("recvtty: got fd (%s)\n", name);
	if (ioctl(master, TIOCGWINSZ, &ws) == 0)
		printf("recvtty: size %ux%u\n", ws.ws_row, ws.ws_col);
	fflush(stdout);
	if (argc > 2 && write(master, argv[2], strlen(argv[2])) < 0)
		perror("recvtty: write");
	while ((n = read(master, buf, sizeof buf)) > 0)
		if (write(1, buf, (size_t)n) < 0)
			break;
	unlink(argv[1]);
	return 0;
}

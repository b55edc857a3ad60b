/* seccomp-agent SOCKET ERRNO [COUNT]: a seccomp notify agent for tests. Listens on SOCKET, receives the
 * listener fd and the containerProcessState JSON (printed on the first line), then answers COUNT
 * notifications (default: until the container goes away) with -ERRNO, printing "notify NAME" for each. */
#define _GNU_SOURCE
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int recv_fd(int sock, char *buf, size_t size)
{
	char control[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { buf, size - 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control
	};
	ssize_t n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	int fd;

	if (n < 0 || c == NULL || c->cmsg_type != SCM_RIGHTS)
		return -1;
	buf[n] = '\0';
	memcpy(&fd, CMSG_DATA(c), sizeof fd);
	return fd;
}

int main(int argc, char **argv)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	static char state[65536];
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	int lfd, conn, nfd, answer, count;

	if (argc < 3 || strlen(argv[1]) >= sizeof addr.sun_path) {
		fprintf(stderr, "usage: seccomp-agent SOCKET ERRNO [COUNT]\n");
		return 2;
	}
	answer = atoi(argv[2]);
	count = argc > 3 ? atoi(argv[3]) : -1;
	strcpy(addr.sun_path, argv[1]);
	unlink(argv[1]);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(lfd, 1) < 0) {
		perror("seccomp-agent: listen");
		return 1;
	}
	conn = accept(lfd, NULL, NULL);
	nfd = conn < 0 ? -1 : recv_fd(conn, state, sizeof state);
	if (nfd < 0) {
		perror("seccomp-agent: receive");
		return 1;
	}
	printf("%s\n", state);
	fflush(stdout);
	if (seccomp_notify_alloc(&req, &resp) < 0)
		return 1;
	while (count != 0) {
		memset(req, 0, sizeof(*req));
		if (seccomp_notify_receive(nfd, req) < 0)
			break; /* the filter's last user is gone */
		char *name = seccomp_syscall_resolve_num_arch(req->data.arch, req->data.nr);
		printf("notify %s\n", name ? name : "?");
		fflush(stdout);
		free(name);
		resp->id = req->id;
		resp->val = 0;
		resp->error = -answer;
		resp->flags = 0;
		seccomp_notify_respond(nfd, resp);
		if (count > 0)
			count--;
	}
	seccomp_notify_free(req, resp);
	unlink(argv[1]);
	return 0;
}

/* deaf-listener SOCKET: a unix stream listener that never accepts, for tests. Its backlog (0) is
 * filled by one connection of its own, so every further connect waits; prints "ready" once listening,
 * then sleeps until killed. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int lfd, self;

	if (argc != 2 || strlen(argv[1]) >= sizeof addr.sun_path) {
		fprintf(stderr, "usage: deaf-listener SOCKET\n");
		return 2;
	}
	strcpy(addr.sun_path, argv[1]);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	self = socket(AF_UNIX, SOCK_STREAM, 0);
	if (lfd < 0 || self < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0 ||
	    listen(lfd, 0) < 0 || connect(self, (struct sockaddr *)&addr, sizeof addr) < 0) {
		perror("deaf-listener");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}

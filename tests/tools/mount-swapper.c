/* mount-swapper NAME TARGET [USEC]: for tests, what a process sharing a directory with husk (another
 * container's volume) can do to a directory a new container mounts on: every USEC microseconds (1000 by
 * default) rename it away, leave a symlink to TARGET in its place for a while, then a new directory, until
 * killed. The rename detaches a mount on NAME in every other mount namespace (Linux 3.18), so a runtime
 * that later finds "its" mount by the path NAME reaches the mount TARGET names instead. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char *side;
	useconds_t pause;

	if (argc < 3 || argc > 4 || asprintf(&side, "%s.swapped", argv[1]) < 0) {
		fprintf(stderr, "usage: mount-swapper NAME TARGET [USEC]\n");
		return 2;
	}
	pause = argc == 4 ? (useconds_t)atoi(argv[3]) : 1000;
	for (;;) {
		if (rename(argv[1], side) == 0)
			rmdir(side);
		if (symlink(argv[2], argv[1]) < 0)
			continue;
		usleep(pause);
		unlink(argv[1]);
		mkdir(argv[1], 0755);
		usleep(pause);
	}
}

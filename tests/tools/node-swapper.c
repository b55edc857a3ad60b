/* node-swapper NAME KIND...: for tests, what a container sharing a directory with a new container can do
 * to a node husk uses there (/dev/null for masking, /dev/console for the terminal): replace NAME, in a
 * tight loop until killed, by each KIND in turn, made at a side name and renamed over NAME (so NAME
 * always exists). KIND is link:TARGET (a symlink), fifo, chr:MAJOR:MINOR (a character device) or file
 * (an empty regular file). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static int make(const char *side, const char *kind)
{
	unsigned maj, min;
	int fd;

	unlink(side);
	if (strncmp(kind, "link:", 5) == 0)
		return symlink(kind + 5, side);
	if (strcmp(kind, "fifo") == 0)
		return mkfifo(side, 0666);
	if (sscanf(kind, "chr:%u:%u", &maj, &min) == 2)
		return mknod(side, S_IFCHR | 0666, makedev(maj, min));
	if (strcmp(kind, "file") == 0) {
		fd = open(side, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		return fd < 0 ? -1 : close(fd);
	}
	fprintf(stderr, "node-swapper: unknown kind '%s'\n", kind);
	exit(2);
}

int main(int argc, char **argv)
{
	char *side;

	if (argc < 3 || asprintf(&side, "%s.swap", argv[1]) < 0) {
		fprintf(stderr, "usage: node-swapper NAME KIND...\n");
		return 2;
	}
	for (unsigned long n = 0;; n++) {
		const char *kind = argv[2 + n % (unsigned long)(argc - 2)];

		if (make(side, kind) == 0)
			rename(side, argv[1]);
	}
}

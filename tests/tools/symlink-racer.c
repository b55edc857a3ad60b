/* symlink-racer NAME TARGET: for tests, what a process sharing a directory with husk can do: replace
 * NAME with a symlink to TARGET in a tight loop (symlink to a side name, then rename over NAME), until
 * killed. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char *side;

	if (argc != 3 || asprintf(&side, "%s.racer", argv[1]) < 0) {
		fprintf(stderr, "usage: symlink-racer NAME TARGET\n");
		return 2;
	}
	for (;;) {
		unlink(side);
		if (symlink(argv[2], side) == 0)
			rename(side, argv[1]);
	}
}

/* rename-swapper A B SECONDS: exchange the files A and B with renameat2(RENAME_EXCHANGE) as fast as it can
 * for SECONDS, the race of issue 13 against a runtime that checks a program's path before execve.
 * Static: runs inside a container by tests/integration/security.bats. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
	time_t end;
	unsigned long n = 0;

	if (argc != 4)
		return 2;
	end = time(NULL) + atoi(argv[3]);
	while (time(NULL) < end)
		for (int i = 0; i < 1000; i++)
			if (renameat2(AT_FDCWD, argv[1], AT_FDCWD, argv[2], RENAME_EXCHANGE) == 0)
				n++;
	printf("%lu swaps\n", n);
	return 0;
}

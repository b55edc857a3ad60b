/* The unit-test runner: runs every case of the binary (or those named on the command line). */
#include "unit.h"

#include <stdlib.h>

int unit_failed_checks;

int main(int argc, char **argv)
{
	int passed = 0, failed = 0;

	for (size_t i = 0; i < unit_n_cases; i++) {
		int before = unit_failed_checks;
		int selected = argc < 2;

		for (int a = 1; a < argc; a++)
			if (strcmp(argv[a], unit_cases[i].name) == 0)
				selected = 1;
		if (!selected)
			continue;
		unit_cases[i].fn();
		if (unit_failed_checks == before) {
			passed++;
			printf("ok   %s\n", unit_cases[i].name);
		} else {
			failed++;
			printf("FAIL %s\n", unit_cases[i].name);
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

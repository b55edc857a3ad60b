/* libFuzzer target for config/mountopt: the input is a list of mount options separated by ',' or NUL
 * bytes (",," makes an empty option, which must be refused), parsed by mount_opts_parse; the flags it
 * yields are printed with mount_flags_str, which must stay inside its buffer. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/mountopt.h"

#define MAX_OPTIONS 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_flags_str(unsigned long flags)
{
	char buf[256];

	mount_flags_str(flags, buf, sizeof buf);
	if (memchr(buf, '\0', sizeof buf) == NULL || buf[0] == '\0')
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1);
	char *options[MAX_OPTIONS];
	size_t n = 0, start = 0;
	struct error err = { 0 };
	struct mount_opts o;

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	/* split in place; an empty input is zero options, not one empty option */
	for (size_t i = 0; i <= size && size > 0 && n < MAX_OPTIONS; i++) {
		if (i == size || copy[i] == ',' || copy[i] == '\0') {
			copy[i] = '\0';
			options[n++] = copy + start;
			start = i + 1;
		}
	}
	if (mount_opts_parse(options, n, &o, &err) == 0) {
		/* what the executor passes to mount(2) and what --debug narrates */
		check_flags_str(o.flags);
		check_flags_str(o.clear);
		check_flags_str(o.flags | o.propagation);
		if (o.data != NULL && strlen(o.data) > size)
			abort(); /* data is the unknown options re-joined: never longer than the input */
		mount_opts_free(&o);
	}
	error_clear(&err);
	/* every flag combination, including bits no option sets */
	if (size >= sizeof(unsigned long)) {
		unsigned long raw;

		memcpy(&raw, data, sizeof raw);
		check_flags_str(raw);
	}
	free(copy);
	return 0;
}

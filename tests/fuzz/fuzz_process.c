/* libFuzzer target for the document of `husk exec --process FILE`: each input goes to
 * spec_parse_process alone, and what it returns is freed, so LeakSanitizer checks the error paths. */
#include <stddef.h>
#include <stdint.h>

#include "config/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct error err = { 0 };
	struct spec_process *proc = NULL;

	if (spec_parse_process((const char *)data, size, "process.json", &proc, &err) == 0)
		spec_process_free(proc);
	error_clear(&err);
	return 0;
}

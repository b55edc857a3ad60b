/* libFuzzer target for config/: each input is a whole config.json for spec_parse, and everything it
 * returns is freed, so LeakSanitizer checks the error paths. spec_validate and spec_load are left out:
 * they look at the host. The partial documents have their own targets (fuzz_resources, fuzz_process). */
#include <stddef.h>
#include <stdint.h>

#include "config/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct error err = { 0 };
	struct spec *spec = NULL;

	if (spec_parse((const char *)data, size, "config.json", &spec, &err) == 0)
		spec_free(spec);
	error_clear(&err);
	return 0;
}

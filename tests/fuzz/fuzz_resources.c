/* libFuzzer target for the document of `husk update --resources FILE`: each input goes to
 * spec_parse_resources alone, and what it returns is freed, so LeakSanitizer checks the error paths. */
#include <stddef.h>
#include <stdint.h>

#include "config/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct error err = { 0 };
	struct spec_resources *res = NULL;

	if (spec_parse_resources((const char *)data, size, "resources.json", &res, &err) == 0)
		spec_resources_free(res);
	error_clear(&err);
	return 0;
}

/* libFuzzer target for config/: the same bytes go through spec_parse, spec_parse_resources and
 * spec_parse_process, and everything they return is freed, so LeakSanitizer checks the error paths.
 * spec_validate and spec_load are left out: they look at the host. */
#include <stddef.h>
#include <stdint.h>

#include "config/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct error err = { 0 };
	struct spec *spec = NULL;
	struct spec_resources *res = NULL;
	struct spec_process *proc = NULL;

	if (spec_parse(text, size, "config.json", &spec, &err) == 0)
		spec_free(spec);
	error_clear(&err);
	if (spec_parse_resources(text, size, "resources.json", &res, &err) == 0)
		spec_resources_free(res);
	error_clear(&err);
	if (spec_parse_process(text, size, "process.json", &proc, &err) == 0)
		spec_process_free(proc);
	error_clear(&err);
	return 0;
}

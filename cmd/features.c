/* husk features: print the runtime-spec features document. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "config/default-spec.h"

VERB_FN(features)
{
	int index, r = cli_verb_flags(argc, argv, &index, "", "Show what this build of husk supports (JSON).",
				      NULL, 0, err);
	char *json;

	if (r != 0)
		return r < 0 ? 1 : 0;
	if (index < argc)
		return error_set(err, EINVAL, "features: unexpected argument '%s'", argv[index]), 1;
	json = spec_features_json();
	puts(json);
	free(json);
	return 0;
}

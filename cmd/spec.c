/* husk spec: write a default config.json into the bundle directory, as `runc spec` does. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config/default-spec.h"
#include "runtime/base/util.h"

VERB_FN(spec)
{
	const char *bundle = ".";
	bool rootless = false;
	const struct opt opts[] = {
		{ "bundle", 'b', OPT_STRING, &bundle, "directory to write config.json into (default: .)" },
		{ "rootless", 0, OPT_BOOL, &rootless, "a config for an unprivileged user (user namespace)" },
	};
	cleanup_free char *json = NULL, *path = NULL;
	cleanup_close int fd = -1;
	int index, r;

	r = cli_verb_flags(argc, argv, &index, "[--bundle DIR] [--rootless]",
			   "Write a default config.json (refuses to overwrite an existing one).", opts,
			   ARRAY_SIZE(opts), err);
	if (r != 0)
		return r < 0 ? 1 : 0;
	if (index < argc)
		return error_set(err, EINVAL, "spec: unexpected argument '%s'", argv[index]), 1;
	json = spec_default_json(rootless, getuid(), getgid());
	path = xasprintf("%s/config.json", bundle);
	/* never clobber a config the user wrote: runc refuses too */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 && errno == EEXIST)
		return error_set(err, EEXIST, "spec: '%s' already exists", path), 1;
	if (fd < 0)
		return error_sys(err, errno, "spec: create '%s'", path), 1;
	if (write_all(fd, json, strlen(json)) < 0 || write_all(fd, "\n", 1) < 0)
		return error_sys(err, errno, "spec: write '%s'", path), 1;
	return 0;
}

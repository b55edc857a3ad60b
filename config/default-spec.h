/* JSON documents husk writes for its users: the default config (`husk spec`) and the features
 * document (`husk features`). */
#ifndef HUSK_DEFAULT_SPEC_H
#define HUSK_DEFAULT_SPEC_H

#include <stdbool.h>
#include <sys/types.h>

/* A complete config.json, pretty-printed; the caller frees it. */
char *spec_default_json(bool rootless, uid_t uid, gid_t gid);

/* The runtime-spec features.md document describing what this build of husk supports. */
char *spec_features_json(void);

#endif

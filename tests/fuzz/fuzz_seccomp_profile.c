/* libFuzzer target for runtime/seccomp, structured: each input is only the linux.seccomp object of a
 * config (seeded with the profiles of tests/unit/corpus/good/), so every mutation lands in the
 * profile. The code is fuzz_seccomp.c's. */
#define FUZZ_SECCOMP_PROFILE 1
#include "fuzz_seccomp.c"

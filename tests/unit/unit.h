/* A minimal unit-test harness for ctest: each test binary lists its cases in a table; a failed CHECK
 * prints file:line and the expression, and the binary exits non-zero. Output ends with
 * "N passed, N failed" so CI can count. */
#ifndef HUSK_UNIT_H
#define HUSK_UNIT_H

#include <stdio.h>
#include <string.h>

struct unit_case {
	const char *name;
	void (*fn)(void);
};

extern int unit_failed_checks;

#define CHECK(expr)                                                                                          \
	do {                                                                                                 \
		if (!(expr)) {                                                                               \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #expr);             \
			unit_failed_checks++;                                                                \
		}                                                                                            \
	} while (0)

#define CHECK_STR(a, b)                                                                                      \
	do {                                                                                                 \
		const char *a_ = (a), *b_ = (b);                                                             \
		if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0) {                                       \
			fprintf(stderr, "%s:%d: expected \"%s\", got \"%s\"\n", __FILE__, __LINE__,          \
				b_ ? b_ : "(null)", a_ ? a_ : "(null)");                                     \
			unit_failed_checks++;                                                                \
		}                                                                                            \
	} while (0)

#define CHECK_CONTAINS(hay, needle)                                                                          \
	do {                                                                                                 \
		const char *h_ = (hay), *n_ = (needle);                                                      \
		if (h_ == NULL || strstr(h_, n_) == NULL) {                                                  \
			fprintf(stderr, "%s:%d: expected \"%s\" to contain \"%s\"\n", __FILE__, __LINE__,    \
				h_ ? h_ : "(null)", n_);                                                     \
			unit_failed_checks++;                                                                \
		}                                                                                            \
	} while (0)

/* Each test file defines this table and its length. */
extern const struct unit_case unit_cases[];
extern const size_t unit_n_cases;

#define UNIT_CASES(...)                                                                                      \
	const struct unit_case unit_cases[] = { __VA_ARGS__ };                                               \
	const size_t unit_n_cases = sizeof(unit_cases) / sizeof(unit_cases[0]);

#endif

/* Logging sink configured by cmd/: --log FILE, --log-format text|json, --debug. runtime/ and config/
 * log only debug narration and ", ignoring" warnings; errors travel up as struct error and cmd/ reports
 * them once with log_error_report. */
#ifndef HUSK_LOG_H
#define HUSK_LOG_H

#include <stdbool.h>

#include "error.h"

enum log_level {
	LOG_LEVEL_ERROR,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

/* path may be NULL (stderr only). json selects one {"level","msg","time"} object per line. */
int log_init(const char *path, bool json, bool debug, struct error *err);
bool log_debug_enabled(void);
/* The --log file's fd, or -1: kept open across the fd close before execve, so narration goes on. */
int log_file_fd(void);
/* The --debug copy of husk's stderr (CLOEXEC), or -1 when there is none. */
int log_err_fd(void);
/* Which process narrates: "create", "init", "exec"... shown before each debug line. */
void log_set_role(const char *role);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Report a fatal error: exactly one error record in the log file (podman parses the whole file as one
 * JSON object) and one line on stderr. */
void log_error_report(const char *msg);
/* Format the current time as RFC 3339 with nanoseconds into buf (at least 40 bytes), in UTC. */
void log_rfc3339(char *buf, unsigned long size);
struct timespec;
/* The same for a given time. */
void log_rfc3339_at(const struct timespec *ts, char *buf, unsigned long size);

#define log_debug(...)                                                                                       \
	do {                                                                                                 \
		if (log_debug_enabled())                                                                     \
			log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__);                                               \
	} while (0)
#define log_warn(...) log_msg(LOG_LEVEL_WARN, __VA_ARGS__)

#endif

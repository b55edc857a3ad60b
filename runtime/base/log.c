/* The log sink: text or JSON lines to the --log file, human text to stderr. */
#define _GNU_SOURCE
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int log_fd = -1;
/* husk's own stderr, kept apart from fd 2: once a terminal is set up fd 2 is the pty, and narration
 * written there would land in the container process's output (exec -t --debug) */
static int err_fd = STDERR_FILENO;
static bool log_json;
static bool log_debug_on;

int log_init(const char *path, bool json, bool debug, struct error *err)
{
	log_json = json;
	log_debug_on = debug;
	if (debug) {
		int fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
		if (fd >= 0)
			err_fd = fd;
	}
	if (path == NULL || *path == '\0')
		return 0;
	/* runc's flags (O_CREAT | O_WRONLY | O_APPEND, following symlinks: `--log /dev/stderr` works),
	 * plus O_NONBLOCK: a FIFO planted at the path with no reader fails the open (ENXIO) instead of
	 * hanging husk, and one whose reader stops reading drops a record instead of blocking husk */
	log_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK | O_NOCTTY, 0640);
	if (log_fd < 0)
		return error_sys(err, errno, "open log file '%s'", path);
	return 0;
}

static const char *log_role;

void log_set_role(const char *role)
{
	log_role = role;
}

int log_file_fd(void)
{
	return log_fd;
}

int log_err_fd(void)
{
	return err_fd == STDERR_FILENO ? -1 : err_fd;
}

bool log_debug_enabled(void)
{
	return log_debug_on;
}

/* UTC by arithmetic, not gmtime_r: libc's first time conversion reads the zone file (/etc/localtime through
 * stdio: a FILE, its buffer and tz state written in a dozen pages), and `create` stamps state.json after the
 * init's clone, where each page written is a copy-on-write fault (docs/performance.md, issue 18). Days to
 * a civil date: the proleptic Gregorian algorithm of H. Hinnant's "chrono-Compatible Low-Level Date
 * Algorithms", eras of 400 years starting on March 1st. */
void log_rfc3339_at(const struct timespec *ts, char *buf, unsigned long size)
{
	long long secs = ts->tv_sec, days = secs / 86400, sod = secs % 86400;

	if (sod < 0) {
		sod += 86400;
		days--;
	}
	days += 719468; /* 0000-03-01 to 1970-01-01 */
	long long era = (days >= 0 ? days : days - 146096) / 146097;
	long long doe = days - era * 146097;				       /* [0, 146096] */
	long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
	long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);	       /* [0, 365] */
	long long mp = (5 * doy + 2) / 153;				       /* [0, 11] */
	long long day = doy - (153 * mp + 2) / 5 + 1, month = mp < 10 ? mp + 3 : mp - 9;
	long long year = yoe + era * 400 + (month <= 2);

	/* room for any long long: GCC checks the worst case, and a year is 4 digits until 9999 */
	char out[160];
	size_t len = (size_t)snprintf(out, sizeof out, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%09ldZ",
				      year, month, day, sod / 3600, sod / 60 % 60, sod % 60, ts->tv_nsec);

	if (size == 0)
		return;
	if (len >= size)
		len = size - 1;
	memcpy(buf, out, len);
	buf[len] = '\0';
}

void log_rfc3339(char *buf, unsigned long size)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	log_rfc3339_at(&ts, buf, size);
}

static const char *level_name(enum log_level level)
{
	switch (level) {
	case LOG_LEVEL_ERROR:
		return "error";
	case LOG_LEVEL_WARN:
		return "warning";
	case LOG_LEVEL_INFO:
		return "info";
	case LOG_LEVEL_DEBUG:
		return "debug";
	}
	return "info";
}

/* Escape msg as a JSON string body (quotes, backslashes and control characters). */
static char *json_escape(const char *msg)
{
	size_t n = strlen(msg);
	char *out = malloc(n * 6 + 1), *o = out;

	if (out == NULL)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)msg; *p; p++) {
		if (*p == '"' || *p == '\\') {
			*o++ = '\\';
			*o++ = (char)*p;
		} else if (*p == '\n') {
			*o++ = '\\';
			*o++ = 'n';
		} else if (*p == '\t') {
			*o++ = '\\';
			*o++ = 't';
		} else if (*p < 0x20) {
			o += sprintf(o, "\\u%04x", *p);
		} else {
			*o++ = (char)*p;
		}
	}
	*o = '\0';
	return out;
}

static void write_record(int fd, enum log_level level, const char *msg)
{
	char when[48], *line = NULL;
	int n;

	log_rfc3339(when, sizeof when);
	if (log_json) {
		char *esc = json_escape(msg);
		n = asprintf(&line, "{\"level\":\"%s\",\"msg\":\"%s\",\"time\":\"%s\"}\n", level_name(level),
			     esc ? esc : "", when);
		free(esc);
	} else {
		char *esc = json_escape(msg);
		n = asprintf(&line, "time=\"%s\" level=%s msg=\"%s\"\n", when, level_name(level),
			     esc ? esc : "");
		free(esc);
	}
	if (n > 0) {
		/* one write() per record: concurrent husk processes appending to one log stay line-atomic */
		ssize_t r = write(fd, line, (size_t)n);
		(void)r;
	}
	free(line);
}

static void log_write_file(enum log_level level, const char *msg)
{
	if (log_fd >= 0)
		write_record(log_fd, level, msg);
}

/* What goes to husk's stderr: "husk: MSG", or, with --log-format json and no --log, runc's JSON
 * record (runc's logrus then writes JSON to stderr, and a client that asked for JSON parses it) */
static void write_stderr(int fd, enum log_level level, const char *msg)
{
	fflush(stderr);
	if (log_json && log_fd < 0)
		write_record(fd, level, msg);
	else
		dprintf(fd, "husk: %s%s\n", level == LOG_LEVEL_WARN ? "warning: " : "", msg);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;
	int saved = errno;

	if (level == LOG_LEVEL_DEBUG && !log_debug_on)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (msg == NULL)
		return;
	if (level == LOG_LEVEL_DEBUG && log_role) {
		char *tagged = NULL;
		if (asprintf(&tagged, "%s[%d]: %s", log_role, getpid(), msg) > 0) {
			free(msg);
			msg = tagged;
		}
	}
	/* In JSON mode only errors and (with --debug) narration go to the file: podman reads a failed
	 * command's whole log as one JSON object, so a stray warning line would hide the error. */
	if (!log_json || level == LOG_LEVEL_ERROR || log_debug_on)
		log_write_file(level, msg);
	if (level <= LOG_LEVEL_WARN || log_fd < 0)
		write_stderr(err_fd, level, msg);
	free(msg);
	errno = saved;
}

void log_error_report(const char *msg)
{
	log_write_file(LOG_LEVEL_ERROR, msg);
	write_stderr(STDERR_FILENO, LOG_LEVEL_ERROR, msg);
}

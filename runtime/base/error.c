/* The error object: one message that gathers context as it travels up the call chain. */
#define _GNU_SOURCE
#include "error.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int error_setv(struct error *err, int errnum, const char *fmt, va_list ap)
{
	char *msg = NULL;

	if (err == NULL)
		return -1;
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	free(err->msg);
	err->msg = msg;
	err->errnum = errnum;
	return -1;
}

int error_set(struct error *err, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_setv(err, errnum, fmt, ap);
	va_end(ap);
	return -1;
}

int error_sys(struct error *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	error_set(err, errnum, "%s: %s", msg ? msg : "(out of memory)", strerror(errnum));
	free(msg);
	return -1;
}

int error_sys_lc(struct error *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL, text[128];

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	snprintf(text, sizeof text, "%s", strerror(errnum));
	text[0] = (char)tolower((unsigned char)text[0]);
	error_set(err, errnum, "%s: %s", msg ? msg : "(out of memory)", text);
	free(msg);
	return -1;
}

int error_wrap(struct error *err, const char *fmt, ...)
{
	va_list ap;
	char *prefix = NULL, *msg = NULL;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	if (vasprintf(&prefix, fmt, ap) < 0)
		prefix = NULL;
	va_end(ap);
	if (prefix && asprintf(&msg, "%s: %s", prefix, err->msg ? err->msg : "unknown error") >= 0) {
		free(err->msg);
		err->msg = msg;
	}
	free(prefix);
	return -1;
}

void error_clear(struct error *err)
{
	if (err == NULL)
		return;
	free(err->msg);
	err->msg = NULL;
	err->errnum = 0;
}

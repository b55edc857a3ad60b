/* The error contract of husk (docs/errors.md): a fallible function returns a negative value and fills
 * the struct error passed as its last parameter; callers add context on the way up with error_wrap.
 * Only cmd/ prints an error and chooses the exit status. */
#ifndef HUSK_ERROR_H
#define HUSK_ERROR_H

#include <stdarg.h>

struct error {
	int errnum; /* errno of the first failure, 0 when the cause is not a system call */
	char *msg;  /* full message, heap-allocated; NULL when no error is set */
};

/* Set the error (replacing any earlier one) and return -1. */
int error_set(struct error *err, int errnum, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Same, appending ": strerror(errnum)" to the message. */
int error_sys(struct error *err, int errnum, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* error_sys with the errno text in lower case, as Go (so runc) prints it: "no such file or directory".
 * For the messages clients match verbatim (ctr shows them; podman and CRI-O classify them). */
int error_sys_lc(struct error *err, int errnum, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int error_setv(struct error *err, int errnum, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
/* Prefix the current message with context ("mount '/proc': " + msg) and return -1. */
int error_wrap(struct error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void error_clear(struct error *err);

#endif

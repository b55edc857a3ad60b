/* Small shared helpers: cleanup attributes for every resource type, ownership "steal" helpers,
 * and checked I/O. Every destructor accepts NULL / -1. */
#ifndef HUSK_UTIL_H
#define HUSK_UTIL_H

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "error.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void freep(void *p);
void closep(int *fd);
void fclosep(FILE **f);
void strvfreep(char ***v);
void strv_free(char **v);

#define cleanup_free  __attribute__((cleanup(freep)))
#define cleanup_close __attribute__((cleanup(closep)))
#define cleanup_file  __attribute__((cleanup(fclosep)))
#define cleanup_strv  __attribute__((cleanup(strvfreep)))
static inline void closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}
#define cleanup_dir __attribute__((cleanup(closedirp)))

/* Take ownership out of a cleanup variable. */
static inline void *steal_ptr(void *pp)
{
	void **p = pp;
	void *v = *p;
	*p = NULL;
	return v;
}
static inline int steal_fd(int *fd)
{
	int v = *fd;
	*fd = -1;
	return v;
}

/* Allocation that aborts on failure: out-of-memory in a short-lived CLI has no recovery path
 * better than a clean abort, and checking every strdup hides the logic that matters. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* path cleaned without touching the filesystem, as Go's filepath.Clean on an absolute path: no "//",
 * "." or trailing "/", and ".." removes the previous component. */
char *path_clean(const char *path);
/* The directory part of path up to slash ("/" when slash is the first character). */
char *xstrndup_dir(const char *path, const char *slash);

/* Read a whole regular file (at most max bytes) into a NUL-terminated buffer. Anything else (a FIFO,
 * a device) is refused at once with EINVAL, and the open never blocks. */
int read_file_at(int dirfd, const char *path, size_t max, char **ret_data, size_t *ret_len,
		 struct error *err);
/* The same for an input the caller names (`--process`, `--resources -`): a pipe or FIFO is read to its
 * end too, still at most max bytes. */
int read_input_at(int dirfd, const char *path, size_t max, char **ret_data, size_t *ret_len,
		  struct error *err);
/* Write all of buf to fd, retrying on EINTR and short writes. */
int write_all(int fd, const void *buf, size_t len);
/* Read exactly len bytes; returns 0, or -1 with errno (EPIPE-like 0 read gives errno=EIO). */
int read_all(int fd, void *buf, size_t len);
/* Write a string to a file at dirfd/path (O_WRONLY|O_TRUNC, no create). */
int write_file_at(int dirfd, const char *path, const char *data, size_t len, struct error *err);
/* Atomically replace dirfd/name with data: temp file, fsync, rename, fsync of the directory. */
int write_file_atomic(int dirfd, const char *name, const char *data, size_t len, mode_t mode,
		      struct error *err);
/* Create dirfd/name, which must not exist, with data: a nameless file (O_TMPFILE), fsync, then linkat.
 * The name never shows a partial file, crash or not; the directory is not fsynced (the record's
 * existence after a power loss is not promised: see docs/reliability.md). Falls back to
 * write_file_atomic where the filesystem has no O_TMPFILE. */
int write_file_new(int dirfd, const char *name, const char *data, size_t len, mode_t mode, struct error *err);

/* Write pid to path atomically, without a trailing newline (containerd parses it with Atoi). */
int write_pid_file(const char *path, pid_t pid, struct error *err);
/* mkdir -p relative to the current directory or absolute. */
int mkdir_p(const char *path, mode_t mode, struct error *err);

/* Parse a decimal integer with full-string and range checking. */
int parse_u64(const char *s, uint64_t *ret);
int parse_i64(const char *s, int64_t *ret);

/* Field `field` (0 name ... 5 home) of uid's entry in /etc/passwd, or NULL (no entry, or no regular
 * file of at most 16 MiB: an image's FIFO or /dev/zero there gives nothing). */
char *passwd_field(uid_t uid, int field);
/* The name of uid from /etc/passwd, or the number as text (no NSS: husk is linked statically). */
char *user_name(uid_t uid);

/* Monotonic time in nanoseconds. */
uint64_t now_ns(void);

#endif

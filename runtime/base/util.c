/* Shared helpers: cleanup destructors, checked allocation, whole-file and atomic I/O. */
#define _GNU_SOURCE
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/sched.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void freep(void *p)
{
	free(*(void **)p);
}

void closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
	*fd = -1;
}

void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
	*f = NULL;
}

void strv_free(char **v)
{
	if (v == NULL)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

void strvfreep(char ***v)
{
	strv_free(*v);
	*v = NULL;
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL)
		abort();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (p == NULL)
		abort();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		abort();
	return p;
}

char *xstrdup(const char *s)
{
	char *r;

	if (s == NULL)
		return NULL;
	r = strdup(s);
	if (r == NULL)
		abort();
	return r;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *r;

	va_start(ap, fmt);
	if (vasprintf(&r, fmt, ap) < 0)
		abort();
	va_end(ap);
	return r;
}

char *path_clean(const char *path)
{
	char *ret = xmalloc(strlen(path) + 2), *out = ret;
	const char *p = path;

	while (*p) {
		const char *end;
		size_t len;

		while (*p == '/')
			p++;
		end = strchrnul(p, '/');
		len = (size_t)(end - p);
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			while (out > ret && *--out != '/')
				;
		} else if (len > 0 && !(len == 1 && p[0] == '.')) {
			*out++ = '/';
			memcpy(out, p, len);
			out += len;
		}
		p = end;
	}
	if (out == ret)
		*out++ = '/';
	*out = '\0';
	return ret;
}

char *xstrndup_dir(const char *path, const char *slash)
{
	if (slash == NULL || slash == path)
		return xstrdup("/");
	return strndup(path, (size_t)(slash - path)) ?: (abort(), NULL);
}

static int read_bounded(int dirfd, const char *path, size_t max, bool allow_stream, char **ret_data,
			size_t *ret_len, struct error *err)
{
	/* O_NONBLOCK: a FIFO (with no writer, or one that never writes) planted where a file is
	 * expected must not hang husk at open; only a regular file is read, so a symlink to /dev/zero
	 * cannot make the read endless either, and every read is bounded by max */
	cleanup_close int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	cleanup_free char *buf = NULL;
	size_t len = 0, cap = 4096;
	struct stat st;

	if (fd < 0)
		return error_sys(err, errno, "open '%s'", path);
	if (fstat(fd, &st) < 0)
		return error_sys(err, errno, "stat '%s'", path);
	if (allow_stream && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || S_ISCHR(st.st_mode))) {
		/* the caller handed us a stream (`-` for stdin, a shell's <(...), a terminal): read it to
		 * its end, still bounded */
		if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0)
			return error_sys(err, errno, "read '%s'", path);
	} else if (!S_ISREG(st.st_mode)) {
		return error_set(err, EINVAL, "read '%s': not a regular file", path);
	}
	buf = xmalloc(cap);
	for (;;) {
		ssize_t n;

		if (len + 1 >= cap) {
			if (cap > max)
				return error_set(err, EFBIG, "read '%s': file larger than %zu bytes", path,
						 max);
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return error_sys(err, errno, "read '%s'", path);
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max)
			return error_set(err, EFBIG, "read '%s': file larger than %zu bytes", path, max);
	}
	buf[len] = '\0';
	*ret_data = steal_ptr(&buf);
	if (ret_len)
		*ret_len = len;
	return 0;
}

int read_file_at(int dirfd, const char *path, size_t max, char **ret_data, size_t *ret_len, struct error *err)
{
	return read_bounded(dirfd, path, max, false, ret_data, ret_len, err);
}

int read_input_at(int dirfd, const char *path, size_t max, char **ret_data, size_t *ret_len,
		  struct error *err)
{
	return read_bounded(dirfd, path, max, true, ret_data, ret_len, err);
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int read_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len > 0) {
		ssize_t n = read(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int write_file_at(int dirfd, const char *path, const char *data, size_t len, struct error *err)
{
	cleanup_close int fd = openat(dirfd, path, O_WRONLY | O_TRUNC | O_CLOEXEC);

	if (fd < 0)
		return error_sys(err, errno, "open '%s'", path);
	if (write_all(fd, data, len) < 0)
		return error_sys(err, errno, "write '%.*s' to '%s'", (int)(len > 64 ? 64 : len), data, path);
	return 0;
}

int write_file_atomic(int dirfd, const char *name, const char *data, size_t len, mode_t mode,
		      struct error *err)
{
	char tmp[NAME_MAX + 1];
	cleanup_close int fd = -1;

	/* a new file of a name nobody can guess, or nothing: a hard link planted at a fixed temporary
	 * name (the pid file's directory may be shared) would have us truncate the file it links to, a
	 * FIFO would block the open, a symlink would redirect it */
	for (int tries = 0; fd < 0 && tries < 16; tries++) {
		uint64_t r = 0;

		if (getrandom(&r, sizeof r, 0) != sizeof r)
			r = now_ns() ^ ((uint64_t)getpid() << 32) ^ (uint64_t)tries;
		if (snprintf(tmp, sizeof tmp, ".%s.%016" PRIx64 ".tmp", name, r) >= (int)sizeof tmp)
			return error_set(err, ENAMETOOLONG, "file name '%s' too long", name);
		fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0)
		return error_sys(err, errno, "create '%s'", tmp);
	if (write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		int e = errno;
		unlinkat(dirfd, tmp, 0);
		return error_sys(err, e, "write '%s'", tmp);
	}
	if (renameat(dirfd, tmp, dirfd, name) < 0) {
		int e = errno;
		unlinkat(dirfd, tmp, 0);
		return error_sys(err, e, "rename '%s' to '%s'", tmp, name);
	}
	if (fsync(dirfd) < 0)
		return error_sys(err, errno, "fsync directory of '%s'", name);
	return 0;
}

int write_file_new(int dirfd, const char *name, const char *data, size_t len, mode_t mode, struct error *err)
{
	char proc[64];
	cleanup_close int fd = openat(dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);

	/* tmpfs, ext4, xfs, btrfs have O_TMPFILE; others (overlayfs on old kernels, NFS, FUSE) say so */
	if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL))
		return write_file_atomic(dirfd, name, data, len, mode, err);
	if (fd < 0)
		return error_sys(err, errno, "create '%s'", name);
	if (write_all(fd, data, len) < 0 || fsync(fd) < 0)
		return error_sys(err, errno, "write '%s'", name);
	/* only now does the name exist, pointing at data already on disk: one cache flush and no
	 * directory writes to wait for, where a temporary name, rename and fsync of the directory cost two
	 * flushes and five synchronous metadata writes on ext4 (docs/performance.md) */
	if (linkat(fd, "", dirfd, name, AT_EMPTY_PATH) == 0)
		return 0;
	if (errno != ENOENT && errno != EPERM)
		return error_sys(err, errno, "link '%s'", name);
	/* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH before Linux 6.10; the /proc link does not */
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	if (linkat(AT_FDCWD, proc, dirfd, name, AT_SYMLINK_FOLLOW) < 0)
		return error_sys(err, errno, "link '%s'", name);
	return 0;
}

int mkdir_p(const char *path, mode_t mode, struct error *err)
{
	cleanup_free char *copy = xstrdup(path);

	for (char *p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, mode) < 0 && errno != EEXIST)
			return error_sys(err, errno, "mkdir '%s'", copy);
		*p = '/';
	}
	if (mkdir(copy, mode) < 0 && errno != EEXIST)
		return error_sys(err, errno, "mkdir '%s'", copy);
	return 0;
}

int parse_u64(const char *s, uint64_t *ret)
{
	char *end;
	unsigned long long v;

	if (s == NULL || *s == '\0' || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*ret = v;
	return 0;
}

int parse_i64(const char *s, int64_t *ret)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0' || *s == ' ' || *s == '+')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end)
		return -1;
	*ret = v;
	return 0;
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int write_pid_file(const char *path, pid_t pid, struct error *err)
{
	char buf[32];
	int len = snprintf(buf, sizeof buf, "%d", pid); /* no newline: containerd parses it with Atoi */
	cleanup_free char *copy = xstrdup(path), *dir = NULL;
	char *slash = strrchr(copy, '/');
	cleanup_close int dfd = -1;

	dir = slash ? xstrndup_dir(copy, slash) : xstrdup(".");
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC); /* fsync needs a real fd, not O_PATH */
	if (dfd < 0)
		return error_sys(err, errno, "pid file directory '%s'", dir);
	if (write_file_atomic(dfd, slash ? slash + 1 : copy, buf, (size_t)len, 0644, err) < 0)
		return error_wrap(err, "pid file '%s'", path);
	return 0;
}

char *passwd_field(uid_t uid, int field)
{
	cleanup_free char *data = NULL;
	struct error e = { 0 };
	char *line, *next;

	/* the image's file when called in the container: regular, at most 16 MiB, or nothing */
	if (read_file_at(AT_FDCWD, "/etc/passwd", 16 << 20, &data, NULL, &e) < 0) {
		error_clear(&e);
		return NULL;
	}
	for (line = data; line && *line; line = next) {
		char *fields[7], *p = line, *end;
		int nf = 0;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		while (nf < 7 && (fields[nf] = strsep(&p, ":")) != NULL)
			nf++;
		if (nf <= field || nf < 3)
			continue;
		if (strtoul(fields[2], &end, 10) == uid && end != fields[2] && *end == '\0')
			return xstrdup(fields[field]);
	}
	return NULL;
}

char *user_name(uid_t uid)
{
	char *name = passwd_field(uid, 0);

	return name ? name : xasprintf("%u", uid);
}

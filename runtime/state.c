/* State directories: exclusive creation, locking, atomic state.json, and status derived from the
 * live process rather than trusted from disk. */
#define _GNU_SOURCE
#include "state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup.h"
#include "fault.h"
#include "sealed.h"
#include "base/log.h"
#include "base/util.h"

const char *status_name(enum container_status s)
{
	static const char *const names[] = { "creating", "created", "running", "paused", "stopped" };
	return names[s];
}

/* The id as it may be shown: control characters become '?', so a hostile id cannot drive the
 * terminal that reads husk's error through escape sequences. */
static const char *printable(const char *id, char *buf, size_t size)
{
	size_t i;

	for (i = 0; id[i] && i + 1 < size; i++)
		buf[i] = (unsigned char)id[i] < 0x20 || (unsigned char)id[i] >= 0x7f ? '?' : id[i];
	buf[i] = '\0';
	return buf;
}

int state_validate_id(const char *id, struct error *err)
{
	size_t len = strlen(id);
	char shown[72];

	if (len == 0 || len > 200)
		return error_set(err, EINVAL, "invalid container id '%.64s': expected 1 to 200 characters",
				 printable(id, shown, sizeof shown));
	if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
		return error_set(err, EINVAL, "invalid container id '%s'",
				 printable(id, shown, sizeof shown));
	for (const char *p = id; *p; p++) {
		char c = *p;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			  c == '_' || c == '+' || c == '-' || c == '.';
		if (!ok)
			return error_set(
			    err, EINVAL,
			    "invalid container id '%.64s': only letters, digits and '_+.-' are allowed",
			    printable(id, shown, sizeof shown));
	}
	return 0;
}

static int open_root(const char *root, bool create, struct error *err)
{
	int fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT && create) {
		/* 0700: other users must not read container state (pids, bundle paths) */
		if (mkdir_p(root, 0700, err) < 0)
			return -1;
		fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	}
	if (fd < 0)
		return error_sys(err, errno, "open state root '%s'", root);
	return fd;
}

int state_create_dir(const char *root, const char *id, int *ret_dirfd, struct error *err)
{
	cleanup_close int rootfd = -1, fd = -1;

	if (state_validate_id(id, err) < 0)
		return -1;
	rootfd = open_root(root, true, err);
	if (rootfd < 0)
		return -1;
	log_debug("mkdir(\"%s/%s\", 0700); flock(LOCK_EX): the container's state directory", root, id);
	if (mkdirat(rootfd, id, 0700) < 0) {
		if (errno == EEXIST)
			return error_set(err, EEXIST, "container '%s' already exists", id);
		return error_sys(err, errno, "create state directory '%s/%s'", root, id);
	}
	fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || flock(fd, LOCK_EX) < 0) {
		int e = errno;
		unlinkat(rootfd, id, AT_REMOVEDIR);
		return error_sys(err, e, "lock state directory '%s/%s'", root, id);
	}
	*ret_dirfd = steal_fd(&fd);
	return 0;
}

int state_open_dir(const char *root, const char *id, bool exclusive, int *ret_dirfd, struct error *err)
{
	cleanup_close int rootfd = -1, fd = -1;

	if (state_validate_id(id, err) < 0)
		return -1;
	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd >= 0)
		fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT)
			return error_set(err, ENOENT, "container '%s' does not exist", id);
		return error_sys(err, errno, "open state directory '%s/%s'", root, id);
	}
	while (flock(fd, exclusive ? LOCK_EX : LOCK_SH) < 0)
		if (errno != EINTR)
			return error_sys(err, errno, "lock state directory '%s/%s'", root, id);
	/* a delete that held the lock while we waited has removed the directory since */
	{
		struct stat st;
		if (fstat(fd, &st) == 0 && st.st_nlink == 0)
			return error_set(err, ENOENT, "container '%s' does not exist", id);
	}
	*ret_dirfd = steal_fd(&fd);
	return 0;
}

int state_remove_dir(const char *root, const char *id, int dirfd, struct error *err)
{
	cleanup_close int rootfd = -1;
	cleanup_dir DIR *d = NULL;
	struct dirent *e;
	int dup_fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);

	if (dup_fd < 0)
		return error_sys(err, errno, "dup");
	d = fdopendir(dup_fd);
	if (d == NULL) {
		close(dup_fd);
		return error_sys(err, errno, "read state directory of '%s'", id);
	}
	/* state.json first: a delete killed midway leaves a directory delete --force knows as such */
	if (unlinkat(dirfd, STATE_FILE, 0) < 0 && errno != ENOENT)
		return error_sys(err, errno, "remove the state of '%s'", id);
	fault_point("delete.state-file");
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			unlinkat(dirfd, e->d_name, 0);
	/* closed before the root is opened: under EMFILE the removal must need no more than one fd */
	closedir(steal_ptr(&d));
	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0 || unlinkat(rootfd, id, AT_REMOVEDIR) < 0)
		if (errno != ENOENT)
			return error_sys(err, errno, "remove state directory '%s/%s'", root, id);
	return 0;
}

int state_write(int dirfd, const struct state_record *s, struct error *err)
{
	cleanup_free char *json = state_record_to_json(s);

	if (strlen(json) > STATE_MAX_SIZE)
		return error_set(err, EFBIG,
				 "state.json would be larger than %zu bytes: config.json too large",
				 (size_t)STATE_MAX_SIZE);

	log_debug("write %s: a nameless file (O_TMPFILE), fsync, linkat", STATE_FILE);

	return write_file_new(dirfd, STATE_FILE, json, strlen(json), 0600, err);
}

/* The notes file: a fixed-width first line, "creator PID START" while a create holds the lock and
 * "creator -" from its commit on (rewritten in place, so the commit neither unlinks nor allocates), then
 * "unit NAME" and last "cgroup PATH" up to the end of the file (a cgroup name may hold any byte but '/'
 * and NUL). One file for all three: on ext4 every new inode of the state directory costs the create a
 * scan of the group's recently deleted inodes. */
#define CREATOR_FIELD 48

static void creator_field(char out[CREATOR_FIELD], const char *text)
{
	snprintf(out, CREATOR_FIELD, "creator %-*s", CREATOR_FIELD - 9, text);
	out[CREATOR_FIELD - 1] = '\n';
}

int state_note_create(int dirfd, bool creator, const char *cgroup_path, const char *unit, int *ret_fd,
		      struct error *err)
{
	char field[CREATOR_FIELD], who[64] = "-";
	cleanup_free char *text = NULL;

	if (creator) {
		uint64_t start = sealed_self_start_time();
		if (start == 0)
			start = proc_start_time(getpid(), NULL);
		if (start == 0)
			return error_sys(err, errno ? errno : EIO, "read husk's own start time");
		snprintf(who, sizeof who, "%d %llu", (int)getpid(), (unsigned long long)start);
	}
	creator_field(field, who);
	text = xasprintf("%.*s%s%s%s%s%s", CREATOR_FIELD, field, unit ? "unit " : "", unit ? unit : "",
			 unit ? "\n" : "", cgroup_path ? "cgroup " : "", cgroup_path ? cgroup_path : "");

	log_debug("open(\"%s\", O_CREAT|O_EXCL), write(\"creator %s...\"): what delete --force needs if this "
		  "create dies (%s)",
		  CREATE_NOTES, who, creator ? "its pid and start time, the cgroup" : "the cgroup");
	int fd = openat(dirfd, CREATE_NOTES, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || write_all(fd, text, strlen(text)) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return error_sys(err, e, "write %s in the state directory", CREATE_NOTES);
	}
	if (ret_fd)
		*ret_fd = fd;
	else
		close(fd);
	return 0;
}

void state_note_committed(int fd)
{
	char field[CREATOR_FIELD];

	creator_field(field, "-");
	log_debug("pwrite(\"creator -\") over the first line of %s: created, no longer a create in progress",
		  CREATE_NOTES);
	if (pwrite(fd, field, sizeof field, 0) != (ssize_t)sizeof field)
		log_warn("mark %s committed: %s, ignoring", CREATE_NOTES, strerror(errno));
}

/* NAME in the state directory as a string: NULL when it cannot be read or holds a NUL. ret_len may be
 * NULL. The older notes an earlier husk wrote, one file each ("cgroup", "systemd-unit", "creator"), are
 * read with it too: a container that husk created may still be deleted by this one. */
static char *read_text(int dirfd, const char *name, size_t max, size_t *ret_len)
{
	struct error err = { 0 };
	char *data = NULL;
	size_t len;

	if (read_file_at(dirfd, name, max, &data, &len, &err) < 0) {
		error_clear(&err);
		return NULL;
	}
	if (strlen(data) != len) {
		free(data);
		return NULL;
	}
	if (ret_len)
		*ret_len = len;
	return data;
}

/* The notes as create wrote them (NULL when missing or not in that shape); *ret_rest points after the
 * creator line. */
static char *read_notes(int dirfd, char **ret_rest)
{
	size_t len;
	char *data = read_text(dirfd, CREATE_NOTES, CREATOR_FIELD + 4096 + 256, &len);

	if (data &&
	    (len < CREATOR_FIELD || strncmp(data, "creator ", 8) != 0 || data[CREATOR_FIELD - 1] != '\n')) {
		free(data);
		return NULL;
	}
	if (data)
		*ret_rest = data + CREATOR_FIELD;
	return data;
}

char *state_noted_cgroup(int dirfd)
{
	cleanup_free char *notes = NULL;
	char *rest = NULL, *path;

	notes = read_notes(dirfd, &rest);
	if (notes) {
		char *nl = strchr(rest, '\n');
		if (strncmp(rest, "unit ", 5) == 0)
			rest = nl ? nl + 1 : rest + strlen(rest);
		path = strncmp(rest, "cgroup ", 7) == 0 ? xstrdup(rest + 7) : NULL;
	} else {
		path = read_text(dirfd, "cgroup", 4096, NULL);
	}
	/* only what create could have written: an absolute path without "..", as resolve made it */
	if (path && (path[0] != '/' || strstr(path, "/../"))) {
		free(path);
		return NULL;
	}
	return path;
}

char *state_noted_unit(int dirfd)
{
	cleanup_free char *notes = NULL;
	char *rest = NULL, *unit;
	size_t len;

	notes = read_notes(dirfd, &rest);
	if (notes) {
		char *nl = strchr(rest, '\n');
		unit = strncmp(rest, "unit ", 5) == 0 && nl
			   ? xasprintf("%.*s", (int)(nl - rest - 5), rest + 5)
			   : NULL;
	} else {
		unit = read_text(dirfd, "systemd-unit", 256, NULL);
	}
	/* only what create could have written: a scope name (husk-systemd checks its characters) */
	if (unit && ((len = strlen(unit)) < 7 || strchr(unit, '/') || strchr(unit, '\n') ||
		     strcmp(unit + len - 6, ".scope") != 0)) {
		free(unit);
		return NULL;
	}
	return unit;
}

/* The pid and start time of the create that holds the lock, from its notes; false once it committed. */
static bool noted_creator(int dirfd, int *ret_pid, unsigned long long *ret_start)
{
	cleanup_free char *notes = NULL, *old = NULL;
	char *rest;

	notes = read_notes(dirfd, &rest);
	if (notes)
		return sscanf(notes, "creator %d %llu", ret_pid, ret_start) == 2 && *ret_pid > 0;
	old = read_text(dirfd, "creator", 64, NULL);
	return old && sscanf(old, "%d %llu", ret_pid, ret_start) == 2 && *ret_pid > 0;
}

int state_break_create(const char *root, const char *id, struct error *err)
{
	cleanup_close int rootfd = -1, fd = -1, pidfd = -1;
	unsigned long long start;
	int pid, n;

	if (state_validate_id(id, err) < 0)
		return -1;
	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd >= 0)
		fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	/* no directory, or a lock nobody holds (dropped again when fd closes): delete's own path
	 * says what there is */
	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) == 0 || errno != EWOULDBLOCK)
		return 0;
	/* no note, one of a committed create, or one of a create that is gone: another command holds
	 * the lock, wait for it */
	if (!noted_creator(fd, &pid, &start))
		return 0;
	/* the pidfd first, the start time after: a pid reused since is never signalled */
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0 || proc_start_time(pid, NULL) != start)
		return 0;
	log_debug("container '%s' is still being created by pid %d, which holds its lock: kill it", id, pid);
	if (syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) < 0 && errno != ESRCH)
		return error_sys(err, errno, "kill the create of '%s' (pid %d)", id, pid);
	/* readable once it has exited, its descriptors (the lock among them) closed */
	struct pollfd p = { pidfd, POLLIN, 0 };
	while ((n = poll(&p, 1, 10000)) < 0 && errno == EINTR)
		;
	if (n <= 0)
		return error_sys(err, n < 0 ? errno : ETIMEDOUT,
				 "wait for the create of '%s' (pid %d) to die", id, pid);
	return 0;
}

int state_read(int dirfd, const char *id, struct state_record **ret, struct error *err)
{
	cleanup_free char *data = NULL;
	size_t len;

	if (read_file_at(dirfd, STATE_FILE, STATE_MAX_SIZE, &data, &len, err) < 0) {
		if (err->errnum == ENOENT)
			return error_set(err, ENOENT, "container '%s' is being created or its state was lost",
					 id);
		return error_wrap(err, "container '%s'", id);
	}
	if (state_record_parse(data, len, STATE_FILE, ret, err) < 0)
		return error_wrap(err, "container '%s': damaged state", id);
	/* a state.json copied from another container's directory would make kill and delete act on
	 * that container's init and cgroup */
	if (strcmp((*ret)->id, id) != 0) {
		error_set(err, EINVAL, "container '%s': damaged state: state.json belongs to '%s'", id,
			  (*ret)->id);
		state_record_free(*ret);
		*ret = NULL;
		return -1;
	}
	return 0;
}

uint64_t proc_start_time(pid_t pid, char *ret_state)
{
	char path[64], buf[1024], *p;
	cleanup_close int fd = -1;
	ssize_t n;
	unsigned long long start = 0;

	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	errno = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0; /* errno tells "gone" (ENOENT, ESRCH) from a failure to look (EMFILE...) */
	n = read(fd, buf, sizeof buf - 1);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* the command name may hold spaces and parentheses: fields start after the last ')' */
	p = strrchr(buf, ')');
	if (p == NULL)
		return 0;
	if (ret_state)
		*ret_state = p[2];
	/* after ')' come: state(3) ... flags(9) ... starttime(22), i.e. 20 fields */
	unsigned int flags = 0;
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
		   &flags, &start) != 2)
		return 0;
	/* PF_EXITING: killed, and only waiting in do_exit for its pid namespace to empty */
	if ((flags & 0x4) && ret_state)
		*ret_state = 'X';
	return start;
}

bool state_init_alive(const struct state_record *s)
{
	char st = 0;
	uint64_t start = proc_start_time(s->pid, &st);

	return start != 0 && start == s->pid_start && st != 'Z' && st != 'X';
}

enum container_status state_status(int dirfd, const struct state_record *s)
{
	if (!state_init_alive(s))
		return STATUS_STOPPED;
	if (s->cgroup_path && cgroup_is_frozen(s->cgroup_path))
		return STATUS_PAUSED;
	if (faccessat(dirfd, EXEC_SOCK, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return STATUS_CREATED;
	return STATUS_RUNNING;
}

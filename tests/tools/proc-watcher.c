/* proc-watcher OUTDIR SECONDS HOSTFILE COMM...: the attacker of a husk process that sits in the container's
 * PID namespace (an exec child before its execve, an init during setup or at the start gate, a hook), run
 * inside a container by tests/integration/security.bats. For SECONDS (or until OUTDIR/stop exists) it spins
 * over /proc and, for every process whose comm is none of COMM (the container's own programs), tries what a
 * hostile container would: open /proc/PID/{exe,root,cwd,mem,environ} and every /proc/PID/fd/N, and
 * PTRACE_SEIZE. Each directory it reaches (root, cwd, a directory fd) is then used to open HOSTFILE (an
 * absolute path on the host, outside the container) through 40 ".." steps: from a directory under the
 * container's root that stops at the root, so a success is an escape. Appends to OUTDIR/log, once per pid
 * and kind: "seen PID COMM", "exe|root|cwd|mem|environ|ptrace PID COMM", "fd PID COMM N TARGET" and
 * "HOSTREAD PID COMM VIA" (HOSTFILE's first line read). The comm is read before and after each try, and a
 * try counts only when both are foreign (the process had not yet become a container program). Static: runs
 * in a bare rootfs. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_SEEN 4096

struct seen {
	int pid;
	unsigned kinds;		     /* bit per kind already logged */
	unsigned char fds[1024 / 8]; /* fd numbers already logged */
};

enum {
	K_SEEN,
	K_EXE,
	K_ROOT,
	K_CWD,
	K_MEM,
	K_ENVIRON,
	K_PTRACE,
	K_FD,
	K_HOSTREAD
};

static struct seen seen[MAX_SEEN];
static int n_seen;
static FILE *out;
static char up_path[4096]; /* "../" x 40 + HOSTFILE without its leading '/' */
static char **allowed;
static int n_allowed;
static int self;

static struct seen *lookup(int pid)
{
	for (int i = 0; i < n_seen; i++)
		if (seen[i].pid == pid)
			return &seen[i];
	if (n_seen == MAX_SEEN)
		return NULL;
	seen[n_seen] = (struct seen){ .pid = pid };
	return &seen[n_seen++];
}

/* The comm from /proc/PID/stat, which anyone may read (comm is closed to others for some processes). */
static int read_comm(int pid, char *buf, size_t size)
{
	char path[64], stat[512], *open_paren, *close_paren;
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, stat, sizeof stat - 1);
	close(fd);
	if (n <= 0)
		return -1;
	stat[n] = '\0';
	open_paren = strchr(stat, '(');
	close_paren = strrchr(stat, ')');
	if (open_paren == NULL || close_paren == NULL || close_paren < open_paren)
		return -1;
	*close_paren = '\0';
	snprintf(buf, size, "%s", open_paren + 1);
	return 0;
}

static int foreign(const char *comm)
{
	for (int i = 0; i < n_allowed; i++)
		if (strcmp(comm, allowed[i]) == 0)
			return 0;
	return 1;
}

/* The process still runs foreign code: its comm now is the one before the try. */
static int still(int pid, const char *comm)
{
	char now[64];

	return read_comm(pid, now, sizeof now) == 0 && strcmp(now, comm) == 0;
}

static void note(struct seen *s, int kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void note(struct seen *s, int kind, const char *fmt, ...)
{
	va_list ap;

	if (s->kinds & (1u << kind))
		return;
	s->kinds |= 1u << kind;
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fflush(out);
}

/* dirfd is a directory of the process: can it reach HOSTFILE? */
static void try_host(struct seen *s, int dirfd, const char *comm, const char *via)
{
	char line[256];
	ssize_t n;
	int fd = openat(dirfd, up_path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return;
	n = read(fd, line, sizeof line - 1);
	close(fd);
	if (n < 0)
		n = 0;
	line[n] = '\0';
	line[strcspn(line, "\n")] = '\0';
	note(s, K_HOSTREAD, "HOSTREAD %d %s %s %s\n", s->pid, comm, via, line);
}

static void try_dir_link(struct seen *s, const char *comm, const char *what, int kind)
{
	char path[64];
	int fd;

	snprintf(path, sizeof path, "/proc/%d/%s", s->pid, what);
	fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (still(s->pid, comm))
		note(s, kind, "%s %d %s\n", what, s->pid, comm);
	try_host(s, fd, comm, what);
	close(fd);
}

static void try_fds(struct seen *s, const char *comm)
{
	char path[64], link[512], via[300];
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof path, "/proc/%d/fd", s->pid);
	d = opendir(path);
	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char fdpath[400];
		struct stat st;
		ssize_t n;
		int fd;

		if (e->d_name[0] == '.')
			continue;
		snprintf(fdpath, sizeof fdpath, "%s/%s", path, e->d_name);
		fd = open(fdpath, O_PATH | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = readlink(fdpath, link, sizeof link - 1);
		link[n > 0 ? n : 0] = '\0';
		int num = atoi(e->d_name);
		int logged = num < 1024 && (s->fds[num / 8] & (1u << (num % 8)));
		if (!logged && still(s->pid, comm)) {
			if (num < 1024)
				s->fds[num / 8] |= (unsigned char)(1u << (num % 8));
			fprintf(out, "fd %d %s %s %s\n", s->pid, comm, e->d_name, link);
			fflush(out);
			s->kinds |= 1u << K_FD;
		}
		if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
			snprintf(via, sizeof via, "fd/%s", e->d_name);
			try_host(s, fd, comm, via);
		}
		close(fd);
	}
	closedir(d);
}

static void try_open(struct seen *s, const char *comm, const char *what, int kind, int flags)
{
	char path[64];
	int fd;

	snprintf(path, sizeof path, "/proc/%d/%s", s->pid, what);
	fd = open(path, flags | O_CLOEXEC);
	if (fd < 0)
		return;
	if (kind == K_ENVIRON) {
		char buf[64];
		if (read(fd, buf, sizeof buf) < 0) {
			close(fd);
			return;
		}
	}
	close(fd);
	if (still(s->pid, comm))
		note(s, kind, "%s %d %s\n", what, s->pid, comm);
}

static void try_ptrace(struct seen *s, const char *comm)
{
	int status, traced;

	if (ptrace(PTRACE_SEIZE, s->pid, NULL, NULL) < 0)
		return;
	traced = still(s->pid, comm);
	/* detach needs a stopped tracee: a tracee left seized (it may have become a container program
	 * meanwhile) would stop at its next signal until we exit, holding its `husk exec` */
	if (ptrace(PTRACE_INTERRUPT, s->pid, NULL, NULL) == 0)
		waitpid(s->pid, &status, __WALL);
	ptrace(PTRACE_DETACH, s->pid, NULL, NULL);
	if (traced)
		note(s, K_PTRACE, "ptrace %d %s\n", s->pid, comm);
}

static void try_pid(int pid)
{
	struct seen *s;
	char comm[64];

	if (pid == self || read_comm(pid, comm, sizeof comm) < 0 || !foreign(comm))
		return;
	s = lookup(pid);
	if (s == NULL)
		return;
	note(s, K_SEEN, "seen %d %s\n", pid, comm);
	try_open(s, comm, "exe", K_EXE, O_PATH);
	try_dir_link(s, comm, "root", K_ROOT);
	try_dir_link(s, comm, "cwd", K_CWD);
	try_fds(s, comm);
	try_open(s, comm, "mem", K_MEM, O_RDONLY);
	try_open(s, comm, "environ", K_ENVIRON, O_RDONLY);
	try_ptrace(s, comm);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	char path[4096];
	double end;
	size_t len = 0;

	if (argc < 5 || argv[3][0] != '/') {
		fprintf(stderr, "usage: proc-watcher OUTDIR SECONDS /HOSTFILE COMM...\n");
		return 2;
	}
	snprintf(path, sizeof path, "%s/log", argv[1]);
	out = fopen(path, "a");
	if (out == NULL)
		return 1;
	for (int i = 0; i < 40; i++)
		len += (size_t)snprintf(up_path + len, sizeof up_path - len, "../");
	snprintf(up_path + len, sizeof up_path - len, "%s", argv[3] + 1);
	allowed = argv + 4;
	n_allowed = argc - 4;
	self = getpid();
	end = now() + atof(argv[2]);
	snprintf(path, sizeof path, "%s/stop", argv[1]);
	fprintf(out, "watching\n");
	fflush(out);
	while (now() < end && access(path, F_OK) != 0) {
		DIR *d = opendir("/proc");
		struct dirent *e;

		if (d == NULL)
			return 1;
		while ((e = readdir(d)) != NULL)
			if (e->d_name[0] >= '1' && e->d_name[0] <= '9')
				try_pid(atoi(e->d_name));
		closedir(d);
	}
	fprintf(out, "done\n");
	fflush(out);
	return 0;
}

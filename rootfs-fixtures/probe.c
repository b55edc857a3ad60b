/* probe: the static helper that integration tests run inside containers to observe what the runtime set up
 * (ids, caps, namespaces, fds, mounts, limits) and to exercise limits (alloc, fork, spin). Only libc: it is
 * copied into a bare busybox rootfs as /bin/probe. Output is plain and line-oriented so tests can grep it. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/file.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MIB    (1024 * 1024)
#define UNUSED __attribute__((unused))

extern char **environ;

struct command {
	const char *name;
	int (*run)(char **argv);
	int min_args;
	int max_args;
	const char *usage;
};

/* Prints "error: [WHAT: ]STRERROR (errno N)" and returns the exit status. Without WHAT this is the failure of
 * the probed operation itself (open, write, stat), which tests grep for: "error: Permission denied". */
static int fail(const char *what)
{
	int err = errno;

	fprintf(stderr, "error: %s%s%s (errno %d)\n", what ? what : "", what ? ": " : "", strerror(err), err);
	return 1;
}

/* Every numeric argument goes through here: integers, or seconds with a fraction ("0.5"). */
static int parse_number(const char *s, double *ret_value)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || v < 0) {
		fprintf(stderr, "error: '%s': expected a non-negative number\n", s);
		return -1;
	}
	*ret_value = v;
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_seconds(double seconds)
{
	struct timespec ts = { .tv_sec = (time_t)seconds,
			       .tv_nsec = (long)((seconds - (double)(time_t)seconds) * 1e9) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Copies a file to stdout byte for byte: /proc files are printed verbatim. */
static int cat_file(const char *path)
{
	char buf[8192];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(NULL);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, stdout);
	if (n < 0)
		return fail(NULL);
	close(fd);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static int cmd_ids(UNUSED char **argv)
{
	gid_t groups[NGROUPS_MAX];
	int n = getgroups(NGROUPS_MAX, groups);

	if (n < 0)
		return fail("getgroups");
	printf("uid=%u gid=%u euid=%u egid=%u groups=", getuid(), getgid(), geteuid(), getegid());
	for (int i = 0; i < n; i++)
		printf("%s%u", i ? "," : "", groups[i]);
	printf("\n");
	return 0;
}

static int cmd_caps(UNUSED char **argv)
{
	static const char *const keys[] = { "CapInh:", "CapPrm:",     "CapEff:", "CapBnd:",
					    "CapAmb:", "NoNewPrivs:", "Seccomp:" };
	char line[512];
	FILE *f = fopen("/proc/self/status", "re");

	if (f == NULL)
		return fail("/proc/self/status");
	while (fgets(line, sizeof(line), f) != NULL) {
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (strncmp(line, keys[i], strlen(keys[i])) == 0)
				fputs(line, stdout);
	}
	fclose(f);
	return 0;
}

static int cmd_ns(UNUSED char **argv)
{
	char *names[64];
	size_t n = 0;
	struct dirent *de;
	DIR *d = opendir("/proc/self/ns");

	if (d == NULL)
		return fail("/proc/self/ns");
	while ((de = readdir(d)) != NULL && n < sizeof(names) / sizeof(names[0]))
		if (de->d_name[0] != '.')
			names[n++] = strdup(de->d_name);
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_str);
	for (size_t i = 0; i < n; i++) {
		char path[PATH_MAX], target[PATH_MAX];
		ssize_t len;

		snprintf(path, sizeof(path), "/proc/self/ns/%s", names[i]);
		len = readlink(path, target, sizeof(target) - 1);
		if (len < 0)
			return fail(path);
		target[len] = '\0';
		printf("%s %s\n", names[i], target);
		free(names[i]);
	}
	return 0;
}

static int cmd_pid(UNUSED char **argv)
{
	printf("pid=%d ppid=%d\n", getpid(), getppid());
	return 0;
}

static int cmd_fds(UNUSED char **argv)
{
	int fds[1024];
	size_t n = 0;
	struct dirent *de;
	DIR *d = opendir("/proc/self/fd");

	if (d == NULL)
		return fail("/proc/self/fd");
	while ((de = readdir(d)) != NULL && n < sizeof(fds) / sizeof(fds[0])) {
		int fd = atoi(de->d_name);

		if (de->d_name[0] != '.' && fd != dirfd(d))
			fds[n++] = fd;
	}
	closedir(d);
	qsort(fds, n, sizeof(fds[0]), cmp_int);
	for (size_t i = 0; i < n; i++)
		printf("%s%d", i ? " " : "", fds[i]);
	printf("\n");
	for (size_t i = 0; i < n; i++) {
		char path[64], target[PATH_MAX];
		ssize_t len;

		snprintf(path, sizeof(path), "/proc/self/fd/%d", fds[i]);
		len = readlink(path, target, sizeof(target) - 1);
		if (len < 0)
			return fail(path);
		target[len] = '\0';
		printf("%d -> %s\n", fds[i], target);
	}
	return 0;
}

static int cmd_mounts(UNUSED char **argv)
{
	return cat_file("/proc/self/mountinfo");
}

static int cmd_limits(UNUSED char **argv)
{
	return cat_file("/proc/self/limits");
}

static int cmd_oom(UNUSED char **argv)
{
	return cat_file("/proc/self/oom_score_adj");
}

static int cmd_read(char **argv)
{
	return cat_file(argv[0]);
}

static int cmd_cwd(UNUSED char **argv)
{
	char buf[PATH_MAX];

	if (getcwd(buf, sizeof(buf)) == NULL)
		return fail("getcwd");
	printf("%s\n", buf);
	return 0;
}

static int cmd_umask(UNUSED char **argv)
{
	mode_t mask = umask(0);

	umask(mask);
	printf("umask=%04o\n", (unsigned)mask);
	return 0;
}

static int cmd_hostname(UNUSED char **argv)
{
	struct utsname u;

	if (uname(&u) < 0)
		return fail("uname");
	printf("hostname=%s domainname=%s\n", u.nodename, u.domainname);
	return 0;
}

static int cmd_env(UNUSED char **argv)
{
	for (char **e = environ; *e != NULL; e++)
		printf("%s\n", *e);
	return 0;
}

static int cmd_alloc(char **argv)
{
	double mib;

	if (parse_number(argv[0], &mib) < 0)
		return 1;
	/* The chunks are never freed: the point is to hold the memory until the cgroup limit hits. */
	for (long i = 1; i <= (long)mib; i++) {
		char *chunk = malloc(MIB);

		if (chunk == NULL)
			return fail("malloc");
		memset(chunk, 0xa5, MIB);
		printf("allocated %ld\n", i);
	}
	printf("done\n");
	return 0;
}

static int cmd_fork(char **argv)
{
	double want;
	long forked = 0;
	int pipefd[2], err = 0;

	if (parse_number(argv[0], &want) < 0)
		return 1;
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return fail("pipe");
	fflush(stdout);
	for (; forked < (long)want; forked++) {
		pid_t pid = fork();

		if (pid < 0) {
			err = errno;
			break;
		}
		if (pid == 0) {
			char c;

			/* Block until the parent closes the write end: every child stays alive while
			 * counting. */
			close(pipefd[1]);
			while (read(pipefd[0], &c, 1) < 0 && errno == EINTR)
				;
			_exit(0);
		}
	}
	printf("forked %ld\n", forked);
	if (err != 0)
		printf("failed: %s\n", strerror(err));
	close(pipefd[1]);
	close(pipefd[0]);
	while (wait(NULL) > 0 || errno == EINTR)
		;
	return 0;
}

static int cmd_spin(char **argv)
{
	double seconds, end;

	if (parse_number(argv[0], &seconds) < 0)
		return 1;
	end = now() + seconds;
	while (now() < end)
		; /* burn CPU: cpu quota and shares tests measure this */
	printf("done\n");
	return 0;
}

static int cmd_count(char **argv)
{
	double seconds;

	if (parse_number(argv[0], &seconds) < 0)
		return 1;
	/* 0 counts until killed, for tests that freeze and thaw a long-running container. */
	for (long i = 0; seconds == 0 || i < (long)(seconds * 10 + 0.5); i++) {
		printf("%ld\n", i);
		sleep_seconds(0.1);
	}
	return 0;
}

static int cmd_sleep(char **argv)
{
	double seconds;

	if (parse_number(argv[0], &seconds) < 0)
		return 1;
	sleep_seconds(seconds);
	return 0;
}

/* tcp PORT PATH: a TCP connection to itself over 127.0.0.1:PORT, kept established; every 0.1 s one byte
 * goes through it and the count so far is written to PATH (truncated), so a test sees the connection
 * carrying data; exits 1 at the first failure (checkpoint --tcp-established). */
static int cmd_tcp(char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	double port;
	int l, c, s, one = 1;
	char byte = 'x';

	if (parse_number(argv[0], &port) < 0 || port < 1 || port > 65535)
		return 1;
	a.sin_port = htons((unsigned short)port);
	l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0 || c < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(l, 1) < 0 ||
	    connect(c, (struct sockaddr *)&a, sizeof(a)) < 0)
		return fail("tcp: connect to itself");
	s = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	if (s < 0)
		return fail("tcp: accept");
	close(l);
	for (unsigned long n = 1;; n++) {
		FILE *f;

		if (write(c, &byte, 1) != 1 || read(s, &byte, 1) != 1)
			return fail("tcp: the connection broke");
		f = fopen(argv[1], "we");
		if (!f)
			return fail(argv[1]);
		fprintf(f, "%lu\n", n);
		fclose(f);
		sleep_seconds(0.1);
	}
}

/* dgram PATH listen|send: a unix datagram socket at PATH that receives and drops whatever comes (listen,
 * run on the host), or one connected to it that sends a byte every 0.1 s (send, in a container: a socket
 * whose peer is outside, for checkpoint --ext-unix-sk); send exits 1 when the peer goes. */
static int cmd_dgram(char **argv)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	bool listen_mode = strcmp(argv[1], "listen") == 0;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	char byte = 'x';

	if (strlen(argv[0]) >= sizeof(a.sun_path) || (!listen_mode && strcmp(argv[1], "send") != 0)) {
		fprintf(stderr, "dgram: PATH too long, or not listen|send\n");
		return 1;
	}
	strcpy(a.sun_path, argv[0]);
	if (fd < 0)
		return fail("dgram: socket");
	if (listen_mode) {
		if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
			return fail(argv[0]);
		for (;;)
			if (recv(fd, &byte, 1, 0) < 0 && errno != EINTR)
				return fail("dgram: recv");
	}
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		return fail(argv[0]);
	for (;;) {
		if (send(fd, &byte, 1, 0) != 1)
			return fail("dgram: send");
		sleep_seconds(0.1);
	}
}

/* lock PATH: create PATH, hold an exclusive flock on it and sleep until killed (checkpoint --file-locks). */
static int cmd_lock(char **argv)
{
	int fd = open(argv[0], O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0 || flock(fd, LOCK_EX) < 0)
		return fail(NULL);
	for (;;)
		pause();
}

static int cmd_exit(char **argv)
{
	double code;

	if (parse_number(argv[0], &code) < 0)
		return 1;
	return (int)code;
}

static int cmd_open(char **argv)
{
	const char *how = argv[1] ? argv[1] : "r";
	int flags, fd;

	if (strcmp(how, "r") == 0)
		flags = O_RDONLY;
	else if (strcmp(how, "w") == 0)
		flags = O_WRONLY;
	else if (strcmp(how, "rw") == 0)
		flags = O_RDWR;
	else {
		fprintf(stderr, "error: '%s': expected r, w or rw\n", how);
		return 1;
	}
	fd = open(argv[0], flags | O_CLOEXEC);
	if (fd < 0)
		return fail(NULL);
	close(fd);
	printf("ok\n");
	return 0;
}

static int cmd_write(char **argv)
{
	size_t len = strlen(argv[1]);
	int fd = open(argv[0], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		return fail(NULL);
	if (write(fd, argv[1], len) != (ssize_t)len || close(fd) < 0)
		return fail(NULL);
	printf("ok\n");
	return 0;
}

static const char *file_type(mode_t mode)
{
	static const struct {
		mode_t type;
		const char *name;
	} types[] = { { S_IFREG, "file" }, { S_IFDIR, "dir" },	{ S_IFLNK, "symlink" }, { S_IFCHR, "chr" },
		      { S_IFBLK, "blk" },  { S_IFIFO, "fifo" }, { S_IFSOCK, "sock" } };

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if ((mode & S_IFMT) == types[i].type)
			return types[i].name;
	return "unknown";
}

static int cmd_stat(char **argv)
{
	struct stat st;

	if (lstat(argv[0], &st) < 0)
		return fail(NULL);
	printf("type=%s mode=%04o uid=%u gid=%u rdev=%u:%u\n", file_type(st.st_mode),
	       (unsigned)(st.st_mode & 07777), st.st_uid, st.st_gid, major(st.st_rdev), minor(st.st_rdev));
	return 0;
}

/* Raw syscall numbers rather than libc wrappers, so a seccomp rule naming "mkdir" matches what runs
 * (glibc's mkdir() calls mkdirat). */
static int cmd_syscall(char **argv)
{
	struct utsname u;
	char buf[PATH_MAX];
	const struct {
		const char *name;
		long nr;
		long a[5];
	} calls[] = {
		{ "getpid", SYS_getpid, { 0 } },
		{ "getppid", SYS_getppid, { 0 } },
		{ "uname", SYS_uname, { (long)&u } },
#ifdef SYS_mkdir
		{ "mkdir", SYS_mkdir, { (long)"/tmp/probe-dir", 0700 } },
		{ "chmod", SYS_chmod, { (long)"/tmp", 01777 } },
#else
		{ "mkdir", SYS_mkdirat, { AT_FDCWD, (long)"/tmp/probe-dir", 0700 } },
		{ "chmod", SYS_fchmodat, { AT_FDCWD, (long)"/tmp", 01777 } },
#endif
		{ "sethostname", SYS_sethostname, { (long)"probe", 5 } },
		{ "unshare", SYS_unshare, { CLONE_NEWUTS } },
		{ "mount", SYS_mount, { (long)"none", (long)"/mnt", (long)"tmpfs", 0, 0 } },
		{ "ptrace", SYS_ptrace, { 0 /* PTRACE_TRACEME */ } },
		{ "personality", SYS_personality, { 0xffffffff } },
		{ "kill", SYS_kill, { getpid(), 0 } },
		{ "chdir", SYS_chdir, { (long)"/" } },
		{ "getcwd", SYS_getcwd, { (long)buf, sizeof(buf) } },
		{ "socket", SYS_socket, { AF_INET, SOCK_STREAM, 0 } },
		{ "setuid", SYS_setuid, { 0 } },
	};

	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		long ret;
		int err;

		if (strcmp(calls[i].name, argv[0]) != 0)
			continue;
		errno = 0;
		ret = syscall(calls[i].nr, calls[i].a[0], calls[i].a[1], calls[i].a[2], calls[i].a[3],
			      calls[i].a[4]);
		err = ret < 0 ? errno : 0;
		/* Leave nothing behind, so running the probe twice gives the same answer. */
		if (ret == 0 && strcmp(calls[i].name, "mkdir") == 0)
			rmdir("/tmp/probe-dir");
		printf("ret=%ld errno=%d (%s)\n", ret, err, strerror(err));
		return ret < 0 ? 1 : 0;
	}
	/* a bare number: that syscall with zero arguments (numbers no filter lists, e.g. 1000) */
	char *end;
	long nr = strtol(argv[0], &end, 10);
	if (*argv[0] != '\0' && *end == '\0' && nr >= 0) {
		errno = 0;
		long ret = syscall(nr, 0, 0, 0, 0, 0);
		int err = ret < 0 ? errno : 0;
		printf("ret=%ld errno=%d (%s)\n", ret, err, strerror(err));
		return ret < 0 ? 1 : 0;
	}
	fprintf(stderr, "error: '%s': unknown syscall\n", argv[0]);
	return 1;
}

static int cmd_sched(UNUSED char **argv)
{
	static const char *const names[] = {
		[SCHED_OTHER] = "SCHED_OTHER", [SCHED_FIFO] = "SCHED_FIFO", [SCHED_RR] = "SCHED_RR",
		[SCHED_BATCH] = "SCHED_BATCH", [SCHED_IDLE] = "SCHED_IDLE", [6] = "SCHED_DEADLINE"
	};
	struct sched_param param;
	int policy = sched_getscheduler(0);
	int base = policy & ~SCHED_RESET_ON_FORK;
	int nice;

	if (policy < 0)
		return fail("sched_getscheduler");
	if (sched_getparam(0, &param) < 0)
		return fail("sched_getparam");
	errno = 0;
	nice = getpriority(PRIO_PROCESS, 0);
	if (nice == -1 && errno != 0)
		return fail("getpriority");
	if (base >= 0 && base < (int)(sizeof(names) / sizeof(names[0])) && names[base] != NULL)
		printf("policy=%s", names[base]);
	else
		printf("policy=%d", base);
	printf(" priority=%d nice=%d%s\n", param.sched_priority, nice,
	       (policy & SCHED_RESET_ON_FORK) ? " reset_on_fork" : "");
	return 0;
}

static int cmd_ioprio(UNUSED char **argv)
{
	static const char *const classes[] = { "IOPRIO_CLASS_NONE", "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE",
					       "IOPRIO_CLASS_IDLE" };
	long prio = syscall(SYS_ioprio_get, 1 /* IOPRIO_WHO_PROCESS */, 0);
	long class = prio >> 13;

	if (prio < 0)
		return fail("ioprio_get");
	if (class < 4)
		printf("class=%s", classes[class]);
	else
		printf("class=%ld", class);
	printf(" data=%ld\n", prio & ((1 << 13) - 1));
	return 0;
}

/* The NUMA memory policy of this process (get_mempolicy): "mempolicy=MODE flags=0xF nodes=LIST", MODE
 * the kernel's MPOL_* number (0 default, 1 preferred, 2 bind, 3 interleave, 4 local...). */
static int cmd_mempolicy(UNUSED char **argv)
{
	unsigned long mask[1024 / (8 * sizeof(unsigned long))] = { 0 };
	const size_t per = 8 * sizeof(unsigned long);
	const char *sep = "";
	int mode = 0;

	if (syscall(SYS_get_mempolicy, &mode, mask, 1024 + 1, NULL, 0) < 0)
		return fail("get_mempolicy");
	printf("mempolicy=%d flags=%#x nodes=", mode & 0xff, (unsigned)mode & ~0xffu);
	for (size_t n = 0; n < 1024; n++)
		if (mask[n / per] & (1UL << (n % per))) {
			printf("%s%zu", sep, n);
			sep = ",";
		}
	printf("\n");
	return 0;
}

static int cmd_affinity(UNUSED char **argv)
{
	cpu_set_t set;
	const char *sep = "";

	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return fail("sched_getaffinity");
	printf("cpus=");
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		int last = cpu;

		if (!CPU_ISSET(cpu, &set))
			continue;
		while (last + 1 < CPU_SETSIZE && CPU_ISSET(last + 1, &set))
			last++;
		if (last == cpu)
			printf("%s%d", sep, cpu);
		else
			printf("%s%d-%d", sep, cpu, last);
		sep = ",";
		cpu = last;
	}
	printf("\n");
	return 0;
}

static int cmd_personality(UNUSED char **argv)
{
	int persona = personality(0xffffffff);

	if (persona < 0)
		return fail("personality");
	printf("personality=0x%x\n", (unsigned)persona);
	return 0;
}

static int cmd_keyring(UNUSED char **argv)
{
	/* KEYCTL_GET_KEYRING_ID (0) of KEY_SPEC_SESSION_KEYRING (-3), without creating one. */
	long id = syscall(SYS_keyctl, 0, -3, 0);

	if (id < 0)
		return fail("keyctl");
	printf("keyring=%ld\n", id);
	return 0;
}

static void ignore_signal(UNUSED int sig)
{
}

static int cmd_wait_signal(UNUSED char **argv)
{
	static const struct {
		int sig;
		const char *name;
	} sigs[] = {
		{ SIGTERM, "SIGTERM" }, { SIGUSR1, "SIGUSR1" }, { SIGHUP, "SIGHUP" }, { SIGINT, "SIGINT" }
	};
	struct sigaction sa = { .sa_handler = ignore_signal };
	sigset_t set;
	int sig;

	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&set, sigs[i].sig);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return fail("sigprocmask");
	/* A handler too: as pid 1 of a pid namespace, signals left at SIG_DFL are dropped by the kernel. */
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i].sig, &sa, NULL);
	printf("waiting\n");
	do
		sig = sigwaitinfo(&set, NULL);
	while (sig < 0 && errno == EINTR);
	if (sig < 0)
		return fail("sigwaitinfo");
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigs[i].sig == sig)
			printf("got %s\n", sigs[i].name);
	return 0;
}

static const struct command commands[] = {
	{ "ids", cmd_ids, 0, 0, "ids" },
	{ "caps", cmd_caps, 0, 0, "caps" },
	{ "ns", cmd_ns, 0, 0, "ns" },
	{ "pid", cmd_pid, 0, 0, "pid" },
	{ "fds", cmd_fds, 0, 0, "fds" },
	{ "mounts", cmd_mounts, 0, 0, "mounts" },
	{ "limits", cmd_limits, 0, 0, "limits" },
	{ "cwd", cmd_cwd, 0, 0, "cwd" },
	{ "umask", cmd_umask, 0, 0, "umask" },
	{ "hostname", cmd_hostname, 0, 0, "hostname" },
	{ "env", cmd_env, 0, 0, "env" },
	{ "alloc", cmd_alloc, 1, 1, "alloc MIB" },
	{ "fork", cmd_fork, 1, 1, "fork N" },
	{ "spin", cmd_spin, 1, 1, "spin SECONDS" },
	{ "count", cmd_count, 1, 1, "count SECONDS (0: until killed)" },
	{ "sleep", cmd_sleep, 1, 1, "sleep SECONDS" },
	{ "exit", cmd_exit, 1, 1, "exit CODE" },
	{ "open", cmd_open, 1, 2, "open PATH [r|w|rw]" },
	{ "write", cmd_write, 2, 2, "write PATH DATA" },
	{ "lock", cmd_lock, 1, 1, "lock PATH (flock, then sleep until killed)" },
	{ "dgram", cmd_dgram, 2, 2, "dgram PATH listen|send (a unix datagram socket)" },
	{ "tcp", cmd_tcp, 2, 2, "tcp PORT PATH (a loopback connection to itself, used every 0.1 s)" },
	{ "read", cmd_read, 1, 1, "read PATH" },
	{ "stat", cmd_stat, 1, 1, "stat PATH" },
	{ "syscall", cmd_syscall, 1, 1, "syscall NAME|NUMBER" },
	{ "sched", cmd_sched, 0, 0, "sched" },
	{ "ioprio", cmd_ioprio, 0, 0, "ioprio" },
	{ "oom", cmd_oom, 0, 0, "oom" },
	{ "affinity", cmd_affinity, 0, 0, "affinity" },
	{ "mempolicy", cmd_mempolicy, 0, 0, "mempolicy" },
	{ "personality", cmd_personality, 0, 0, "personality" },
	{ "keyring", cmd_keyring, 0, 0, "keyring" },
	{ "wait-signal", cmd_wait_signal, 0, 0, "wait-signal" },
};

static int usage(void)
{
	fprintf(stderr, "usage: probe COMMAND [ARGS]\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(stderr, "  %s\n", commands[i].usage);
	return 2;
}

int main(int argc, char **argv)
{
	/* Line-buffered even into a pipe: tests read progress (alloc, count) while the probe runs. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		return usage();
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		const struct command *c = &commands[i];
		int nargs = argc - 2;
		int ret;

		if (strcmp(c->name, argv[1]) != 0)
			continue;
		if (nargs < c->min_args || nargs > c->max_args) {
			fprintf(stderr, "usage: probe %s\n", c->usage);
			return 2;
		}
		ret = c->run(argv + 2);
		if (fflush(stdout) != 0)
			return fail("stdout");
		return ret;
	}
	fprintf(stderr, "error: '%s': unknown command\n", argv[1]);
	return usage();
}

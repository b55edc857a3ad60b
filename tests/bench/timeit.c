/* timeit OUTFILE TAG COMMAND [ARG...]: run COMMAND (fork + execvp), wait for it with wait4, and append one
 * CSV line "TAG,ELAPSED_NS,MAXRSS_KB,STATUS" to OUTFILE (O_APPEND, so concurrent timeits do not interleave
 * lines).
 *
 * ELAPSED_NS is CLOCK_MONOTONIC from just before fork to just after wait4 returns. MAXRSS_KB is ru_maxrss
 * from wait4: the peak resident set of the command's process (across its execs; the kernel also folds in the
 * peak of any child the command itself waited for, but not of children it left running, such as a container's
 * init). STATUS is the exit status, or 128+N for a death by signal N. timeit exits with STATUS, so callers
 * see failures; its own errors exit 125 (bad usage or output file) or 127 (exec failed, as in a shell).
 *
 * Built statically by tests/bench/run.sh when it can be, so its own exec and pre-exec RSS stay small. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	struct rusage ru;
	long long t0, t1;
	int fd, status, code, len;
	pid_t pid, r;
	char line[512];

	if (argc < 4) {
		fprintf(stderr, "usage: timeit OUTFILE TAG COMMAND [ARG...]\n");
		return 125;
	}
	fd = open(argv[1], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "timeit: open '%s': %s\n", argv[1], strerror(errno));
		return 125;
	}

	t0 = now_ns();
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "timeit: fork: %s\n", strerror(errno));
		return 125;
	}
	if (pid == 0) {
		execvp(argv[3], argv + 3);
		fprintf(stderr, "timeit: exec '%s': %s\n", argv[3], strerror(errno));
		_exit(127);
	}
	do
		r = wait4(pid, &status, 0, &ru);
	while (r < 0 && errno == EINTR);
	t1 = now_ns();
	if (r < 0) {
		fprintf(stderr, "timeit: wait4: %s\n", strerror(errno));
		return 125;
	}

	code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	len = snprintf(line, sizeof(line), "%s,%lld,%ld,%d\n", argv[2], t1 - t0, ru.ru_maxrss, code);
	if (len < 0 || len >= (int)sizeof(line) || write(fd, line, (size_t)len) != len) {
		fprintf(stderr, "timeit: could not write the result to '%s'\n", argv[1]);
		return 125;
	}
	close(fd);
	return code;
}

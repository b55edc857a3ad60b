/* open-watch LOG PATH...: for tests, a witness of who opens a node husk must never open (a device or FIFO
 * an image or another container planted where husk expects its own /dev/null or /dev/pts/ptmx; opening a
 * device runs its driver). An inotify IN_OPEN watch on each PATH (the watch is on the inode: a bind mount
 * of it or a rename does not hide the open); each open is a line "opened PATH" in LOG. LOG is created only
 * once every watch is in place, so a test waits for it to exist. Runs until SIGTERM (default action). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <errno.h>
#include <stdio.h>
#include <sys/inotify.h>
#include <unistd.h>

#define MAX_PATHS 16

int main(int argc, char **argv)
{
	const char *name[MAX_PATHS * 4] = { 0 };
	char buf[4096] __attribute__((aligned(8)));
	int ino, logfd;

	if (argc < 3 || argc - 2 > MAX_PATHS) {
		fprintf(stderr, "usage: open-watch LOG PATH... (at most %d paths)\n", MAX_PATHS);
		return 2;
	}
	ino = inotify_init1(IN_CLOEXEC);
	if (ino < 0) {
		perror("open-watch: inotify_init1");
		return 1;
	}
	for (int i = 2; i < argc; i++) {
		int wd = inotify_add_watch(ino, argv[i], IN_OPEN | IN_DONT_FOLLOW);
		if (wd < 0 || wd >= MAX_PATHS * 4) {
			perror(argv[i]);
			return 1;
		}
		name[wd] = argv[i];
	}
	logfd = open(argv[1], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (logfd < 0) {
		perror(argv[1]);
		return 1;
	}
	/* SIGTERM keeps its default action and ends the watcher at once: a handler would only set a flag
	 * while read(2), restarted after it, went on waiting, and the test's teardown would leave the watcher
	 * (and the output pipe bats waits on) behind. Every event is logged as it comes, so nothing is lost.
	 */
	for (;;) {
		ssize_t n = read(ino, buf, sizeof buf);
		if (n < 0 && errno != EINTR)
			return 1; /* never spin on a broken descriptor */
		for (char *p = buf; n > 0 && p < buf + n;) {
			struct inotify_event *e = (struct inotify_event *)p;
			if (e->wd >= 0 && e->wd < MAX_PATHS * 4 && name[e->wd] && (e->mask & IN_OPEN))
				dprintf(logfd, "opened %s\n", name[e->wd]);
			p += sizeof *e + e->len;
		}
	}
}

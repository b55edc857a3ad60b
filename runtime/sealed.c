/* Running husk from an image no container can write (CVE-2019-5736 class). A path check of the program
 * cannot be race-free (#! chains, rename races, /proc views the container controls), so the defence is
 * that /proc/PID/exe of every husk process that enters a container names a file nobody can open for
 * writing: husk re-executes itself once, early, from
 *   1. a detached clone of the mount holding its binary, made read-only (open_tree(OPEN_TREE_CLONE) +
 *      mount_setattr(MOUNT_ATTR_RDONLY) + execveat): the mount is in no namespace, so nothing can remount
 *      it, and a write through /proc/PID/exe gets EROFS; no copy, nothing on disk. Needs CAP_SYS_ADMIN
 *      over husk's mount namespace;
 *   2. otherwise (rootless) a memfd copy sealed against write, shrink and grow, then against new seals
 *      (memfd_create + sendfile + F_ADD_SEALS + execveat): writes get EPERM.
 * Measured (docs/security.md section 6): the re-exec adds about 2.8 ms to a bare husk call with the mount
 * and 4.8 ms with the memfd (copying the 1.5 MB static binary, then an exec from shmem); on `husk run` of
 * `true` the median grew 9 % (mount) and 7 % (memfd) on a loaded machine, the p10 6 % and 34 %. The mount
 * is the cheaper, so it comes first. runc 1.2 also prefers a read-only mount (overlayfs) over a memfd. */
#define _GNU_SOURCE
#include "sealed.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

/* Set across the re-exec: the host binary's identity ("dev:ino"), which a memfd copy no longer shows,
 * and the proof that one re-exec happened (a second one would loop). */
#define SEALED_ENV "_HUSK_SEALED_FROM"
/* Also set across it: the directory of the host binary, where husk finds its helper programs
 * (husk-systemd), which /proc/self/exe of a sealed copy no longer shows. */
#define SEALED_DIR_ENV "_HUSK_SEALED_DIR"

extern char **environ;

static dev_t host_dev, run_dev;
static char *host_dir;

const char *sealed_host_dir(void)
{
	return host_dir;
}
static ino_t host_ino, run_ino;

bool sealed_is_runtime_binary(dev_t dev, ino_t ino)
{
	return (host_ino && dev == host_dev && ino == host_ino) ||
	       (run_ino && dev == run_dev && ino == run_ino);
}

/* The running image cannot be opened for writing: on a read-only mount, or a memfd sealed for writes. */
static bool unwritable(int fd)
{
	const int need = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
	struct statvfs sv;
	int seals = fcntl(fd, F_GET_SEALS);

	if (seals >= 0 && (seals & need) == need)
		return true;
	return fstatvfs(fd, &sv) == 0 && (sv.f_flag & ST_RDONLY);
}

static int exec_from(int fd, char **argv)
{
	syscall(SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
	return -1;
}

static int via_mount(char **argv)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV };
	cleanup_close int tree =
	    (int)syscall(SYS_open_tree, AT_FDCWD, "/proc/self/exe", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);

	if (tree < 0 || syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0)
		return -1;
	log_debug("execveat(open_tree(\"/proc/self/exe\", OPEN_TREE_CLONE) + MOUNT_ATTR_RDONLY, \"\", ...)");
	return exec_from(tree, argv);
}

static int via_memfd(int src, off_t size, char **argv, struct error *err)
{
	const int seals = F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL;
	cleanup_close int mfd = memfd_create("husk", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	off_t off = 0;

	if (mfd < 0 && errno == EINVAL) /* before Linux 6.3, MFD_EXEC is unknown and implied */
		mfd = memfd_create("husk", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0)
		return error_sys(err, errno, "memfd_create for a sealed copy of husk");
	while (off < size) {
		ssize_t n = sendfile(mfd, src, &off, (size_t)(size - off));
		if (n <= 0)
			return error_sys(err, n < 0 ? errno : EIO, "copy husk into a memfd");
	}
	if (fcntl(mfd, F_ADD_SEALS, seals) < 0)
		return error_sys(err, errno, "seal the memfd copy of husk");
	log_debug("execveat(memfd_create(\"husk\") + F_SEAL_WRITE|F_SEAL_SHRINK|F_SEAL_GROW|F_SEAL_SEAL, "
		  "\"\", ...)");
	exec_from(mfd, argv);
	return error_sys(err, errno, "execute the sealed copy of husk");
}

int sealed_ensure(char **argv, struct error *err)
{
	const char *from = getenv(SEALED_ENV);
	const char *mode = getenv("HUSK_SEAL");
	cleanup_close int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	unsigned long long d, i;
	struct stat st;

	if (self < 0 || fstat(self, &st) < 0)
		return error_sys(err, errno, "open husk's own binary (/proc/self/exe)");
	run_dev = st.st_dev;
	run_ino = st.st_ino;
	if (from) {
		if (sscanf(from, "%llu:%llu", &d, &i) == 2) {
			host_dev = (dev_t)d;
			host_ino = (ino_t)i;
		}
		unsetenv(SEALED_ENV);
		if (getenv(SEALED_DIR_ENV) && getenv(SEALED_DIR_ENV)[0] == '/')
			host_dir = xstrdup(getenv(SEALED_DIR_ENV));
		unsetenv(SEALED_DIR_ENV);
		if (!unwritable(self))
			return error_set(err, EPERM,
					 "husk re-executed itself but its image is still writable");
		return 0;
	}
	host_dev = st.st_dev;
	host_ino = st.st_ino;
	if (unwritable(self))
		return 0;
	char ident[64];
	snprintf(ident, sizeof ident, "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	if (setenv(SEALED_ENV, ident, 1) < 0)
		return error_sys(err, errno, "setenv");
	{
		char exe[4096];
		ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
		char *slash;
		if (n > 0 && exe[0] == '/') {
			exe[n] = '\0';
			slash = strrchr(exe, '/');
			*slash = '\0';
			setenv(SEALED_DIR_ENV, slash == exe ? "/" : exe, 1);
		}
	}
	/* HUSK_SEAL=memfd forces the fallback, so tests and tests/bench reach it as root too */
	if (mode == NULL || strcmp(mode, "memfd") != 0)
		via_mount(argv);
	via_memfd(self, st.st_size, argv, err);
	unsetenv(SEALED_ENV);
	unsetenv(SEALED_DIR_ENV);
	return -1;
}

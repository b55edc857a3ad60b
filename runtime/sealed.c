/* Running husk from an image no container can write (CVE-2019-5736 class). A path check of the program
 * cannot be race-free (#! chains, rename races, /proc views the container controls), so the defence is
 * that /proc/PID/exe, and every mapping of the binary, of every husk process that enters a container names
 * a file nobody can open for writing. Early, before any container is touched, husk takes
 *   1. a detached clone of the mount holding its binary, made read-only (open_tree(OPEN_TREE_CLONE) +
 *      mount_setattr(MOUNT_ATTR_RDONLY)): the mount is in no namespace, so nothing can remount it, and a
 *      write through /proc/PID/exe or /proc/PID/map_files gets EROFS; no copy, nothing on disk. Needs
 *      CAP_SYS_ADMIN over husk's mount namespace. Then it either
 *      a. moves onto it without an exec (move_to: each mapping of the binary replaced from the clone,
 *         then PR_SET_MM_MAP's exe_fd), the default: an exec costs a fresh image's page faults, 2-3 ms
 *         on a VM; or
 *      b. re-executes from it (execveat), when the move is refused (no CAP_SYS_ADMIN or
 *         CAP_CHECKPOINT_RESTORE for PR_SET_MM_MAP, a sanitizer build);
 *   2. otherwise (rootless) a memfd copy sealed against write, shrink and grow, then against new seals
 *      (memfd_create + sendfile + F_ADD_SEALS + execveat): writes get EPERM.
 * Measured in docs/security.md section 6. The mount is the cheaper (no 1.5 MB copy, no exec from shmem),
 * so it comes first; runc 1.2 also prefers a read-only mount (overlayfs) over a memfd.
 * HUSK_SEAL=exec or =memfd forces 1b or 2, so tests and tests/bench reach them as root too; HUSK_SEAL=close
 * takes 1a but closes the clone's fd in husk itself (see close_elsewhere). */
#define _GNU_SOURCE
#include "sealed.h"

#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <sched.h>
#include <signal.h>
#include <linux/mount.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SEALED_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(SEALED_ASAN)
#define SEALED_ASAN 1
#endif

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

/* /proc/self/exe, as the kernel now resolves it, is unwritable. */
static bool unwritable_exe(void)
{
	cleanup_close int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);

	return fd >= 0 && unwritable(fd);
}

/* HUSK_SEAL=mode: which way to take, for tests and tests/bench (default: the cheapest that works) */
static bool seal_mode(const char *mode)
{
	const char *v = getenv("HUSK_SEAL");

	return v != NULL && strcmp(v, mode) == 0;
}

static int exec_from(int fd, char **argv)
{
	syscall(SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
	return -1;
}

/* The detached read-only clone of the mount holding husk's binary (see the top of this file). */
static int ro_tree(void)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV };
	int tree =
	    (int)syscall(SYS_open_tree, AT_FDCWD, "/proc/self/exe", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);

	if (tree >= 0 && syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0) {
		close(tree);
		return -1;
	}
	return tree;
}

static int first_object(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	*(struct dl_phdr_info *)data = *info;
	return 1; /* the first object is the program itself */
}

/* Points /proc/self/exe at fd. PR_SET_MM_MAP (CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE) rather than
 * PR_SET_MM_EXE_FILE (CAP_SYS_RESOURCE, which container hosts and VMs often drop); it also sets the mm's
 * layout fields, so they are given back as they are (/proc/self/stat, and brk(0) for the break). */
static pid_t stat_pid;
static uint64_t stat_start;

uint64_t sealed_self_start_time(void)
{
	return stat_pid == getpid() ? stat_start : 0;
}

static int set_exe(int fd)
{
	struct prctl_mm_map map = { .exe_fd = (uint32_t)fd };
	unsigned long long f[53] = { 0 };
	char buf[2048], *p, *end;
	cleanup_close int stat = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	ssize_t n = stat < 0 ? -1 : read(stat, buf, sizeof buf - 1);
	int i;

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* the name before it may hold spaces and parentheses */
	if (p == NULL || p[1] != ' ')
		return -1;
	p += 2;
	for (i = 3; i <= 51 && *p; i++, p = end) { /* proc(5): field 3 (state) onwards */
		if (i == 3) {
			end = p + 1;
			continue;
		}
		f[i] = strtoull(p, &end, 10);
		if (end == p)
			return -1;
	}
	if (i <= 51)
		return -1;
	stat_pid = getpid(); /* the start time, for the create's creator note: /proc/self/stat read once */
	stat_start = f[22];
	map.start_code = f[26];
	map.end_code = f[27];
	map.start_stack = f[28];
	map.start_data = f[45];
	map.end_data = f[46];
	map.start_brk = f[47];
	map.brk = (uint64_t)syscall(SYS_brk, 0UL);
	map.arg_start = f[48];
	map.arg_end = f[49];
	map.env_start = f[50];
	map.env_end = f[51];
	return prctl(PR_SET_MM, PR_SET_MM_MAP, (unsigned long)&map, sizeof map, 0UL);
}

/* Moves the running image onto the read-only clone without an exec: every mapping of the binary is
 * replaced, each by one atomic syscall (so the program never runs on a hole), then /proc/self/exe is
 * pointed at the clone (set_exe). Read-only segments are mapped again from the clone (the same inode, so the
 * same page cache and bytes: the code runs on through its own replacement); the writable segment (relocated
 * data, .data, .got) becomes an anonymous copy (mremap over the original) and RELRO is made read-only
 * again. The kernel refuses a new exe file (EBUSY) while any mapping still names the old one, so a missed
 * mapping fails closed into the exec. */
static int move_to(int tree)
{
	struct dl_phdr_info self = { 0 };
	const uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t relro_lo = 0, relro_hi = 0;

#ifdef SEALED_ASAN
	return -1; /* ASan would flag the copy of the data segment's redzones: re-execute instead */
#endif
	if (dl_iterate_phdr(first_object, &self) != 1 || self.dlpi_phdr == NULL)
		return -1;
	for (size_t i = 0; i < self.dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &self.dlpi_phdr[i];
		if (ph->p_type == PT_GNU_RELRO) { /* glibc's _dl_protect_relro rounds both ends down */
			relro_lo = (self.dlpi_addr + ph->p_vaddr) & ~(page - 1);
			relro_hi = (self.dlpi_addr + ph->p_vaddr + ph->p_memsz) & ~(page - 1);
		}
	}
	for (size_t i = 0; i < self.dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &self.dlpi_phdr[i];
		uintptr_t lo = (self.dlpi_addr + ph->p_vaddr) & ~(page - 1);
		uintptr_t hi = (self.dlpi_addr + ph->p_vaddr + ph->p_filesz + page - 1) & ~(page - 1);
		int prot = (ph->p_flags & PF_R ? PROT_READ : 0) | (ph->p_flags & PF_W ? PROT_WRITE : 0) |
			   (ph->p_flags & PF_X ? PROT_EXEC : 0);
		void *tmp;

		if (ph->p_type != PT_LOAD || ph->p_filesz == 0)
			continue;
		if (!(ph->p_flags & PF_W)) {
			/* MAP_POPULATE: one pass in the kernel instead of a fault per 64 KB touched later */
			if (mmap((void *)lo, hi - lo, prot, MAP_PRIVATE | MAP_FIXED | MAP_POPULATE, tree,
				 (off_t)(ph->p_offset & ~(page - 1))) == MAP_FAILED)
				return -1;
			continue;
		}
		tmp = mmap(NULL, hi - lo, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
			   -1, 0);
		if (tmp == MAP_FAILED)
			return -1;
		memcpy(tmp, (void *)lo, hi - lo);
		if (mremap(tmp, hi - lo, hi - lo, MREMAP_MAYMOVE | MREMAP_FIXED, (void *)lo) == MAP_FAILED) {
			munmap(tmp, hi - lo);
			return -1;
		}
		if (relro_lo >= lo && relro_hi > relro_lo && relro_hi <= hi &&
		    mprotect((void *)relro_lo, relro_hi - relro_lo, PROT_READ) < 0)
			return -1;
	}
	return set_exe(tree);
}

/* The process that drops the open_tree fd's last reference (close_elsewhere), reaped by sealed_reap. */
static pid_t closer, closer_parent;

void sealed_reap(bool wait)
{
	if (closer > 0 && getpid() == closer_parent &&
	    waitpid(closer, NULL, __WALL | (wait ? 0 : WNOHANG)) != 0)
		closer = 0; /* reaped, or gone (ECHILD): either way nothing is left to wait for */
}

static void reap_at_exit(void)
{
	sealed_reap(true);
}

/* What an fd_keeper runs, on its own stack in husk's memory: only system calls that cannot fail here
 * (errno is husk's), no library state. */
static int keeper_main(void *p)
{
	const struct fd_keeper *k = p;
	int lo = k->fd < k->gate ? k->fd : k->gate, hi = k->fd < k->gate ? k->gate : k->fd;
	unsigned long all = ~0UL;
	char c;

	syscall(SYS_rt_sigprocmask, SIG_BLOCK, &all, NULL, sizeof all); /* no handler of husk's runs here */
	/* only the fd and the gate: the caller's pipes (stdout of $(husk ...)) must not wait on it */
	if (lo > 0)
		syscall(SYS_close_range, 0U, (unsigned)lo - 1, 0U);
	if (hi > lo + 1)
		syscall(SYS_close_range, (unsigned)lo + 1, (unsigned)hi - 1, 0U);
	syscall(SYS_close_range, (unsigned)hi + 1, ~0U, 0U);
	syscall(SYS_read, k->gate, &c, 1UL);
	return 0; /* exit: the fd's last reference goes, and the grace period is waited for here */
}

pid_t fd_keeper_start(struct fd_keeper *k, int fd, int gate)
{
	k->fd = fd;
	k->gate = gate;
	/* no exit signal; a process of its own (no CLONE_THREAD, CLONE_FS or CLONE_FILES), see sealed.h */
	return clone(keeper_main, k->stack + sizeof k->stack, CLONE_VM, k);
}

/* Closes the open_tree fd without waiting for what its last close costs. That close dissolves the
 * clone's anonymous mount namespace (dissolve_on_fput: umount_tree, then namespace_unlock), and
 * namespace_unlock waits for an expedited RCU grace period before it frees the unmounted mount (Linux
 * 6.1 and 6.18 alike). Traced (bpftrace on sched_switch): one synchronize_rcu_expedited per
 * create/run/exec in husk's close(2), queued behind any other grace period in flight (the cgroup v1
 * migration's rcu_sync, a container's exit), hence whole rounds 30-49 % slower on a busy host. The
 * kernel has no detached mount without that anonymous namespace (open_tree and fsmount both make one)
 * and no way to drop it without the umount, so the wait is moved off husk's path, not removed: a
 * closer process takes the last reference and waits while husk goes on. Not kept open until husk's
 * exit (the caller waits for the exit, and create has no earlier point where nobody waits); not handed
 * to the init (a created container could see the fd in /proc/1/fd). The closer is a CLONE_VM process,
 * not a thread and not a fork: a fork copies husk's page tables and its exit tears them down, 0.42 ms
 * of CPU against 0.035 ms (measured, sum_exec_runtime at exit), and every page husk writes afterwards
 * faults once more (+16 faults per call); a CLONE_THREAD thread would make setns/unshare of a user
 * namespace fail (they need an empty thread group and an unshared fs), which a CLONE_VM process
 * without CLONE_THREAD, CLONE_FS or CLONE_FILES keeps as they were. It exists in the host's namespaces
 * before any container, never enters one, and holds nothing but the fd and the gate: the clone stays
 * read-only and in no namespace, /proc/self/exe and every mapping still name it. It has no exit signal
 * (no stray SIGCHLD for relay.c's signalfd) and is reaped by sealed_reap, at the latest at exit (an
 * orphan would be left to a PID 1 that may not reap). */
static void close_elsewhere(int tree)
{
	/* static: the closer runs on its stack after this function returned */
	static struct fd_keeper k;
	int gate[2];
	pid_t pid;

	if (pipe2(gate, O_CLOEXEC) < 0) {
		close(tree);
		return;
	}
	/* the gate opens (EOF) once husk closed its copy: the closer's close is then the last */
	pid = fd_keeper_start(&k, tree, gate[0]);
	close(gate[0]);
	close(tree); /* with the closer alive, not the last reference: no dissolve here */
	close(gate[1]);
	if (pid > 0) {
		if (closer_parent == 0)
			atexit(reap_at_exit);
		closer = pid;
		closer_parent = getpid();
	}
}

static int via_mount(char **argv)
{
	int tree = ro_tree();
	cleanup_close int file = -1;
	char path[64];

	if (tree < 0)
		return -1;
	/* open_tree gives an O_PATH fd: mmap and PR_SET_MM_MAP need the file opened for reading */
	snprintf(path, sizeof path, "/proc/self/fd/%d", tree);
	file = open(path, O_RDONLY | O_CLOEXEC);
	if (file >= 0 && !seal_mode("exec") && move_to(file) == 0 && unwritable_exe()) {
		log_debug(
		    "mmap(open_tree(\"/proc/self/exe\", OPEN_TREE_CLONE) + MOUNT_ATTR_RDONLY) over every "
		    "mapping of husk, prctl(PR_SET_MM_MAP, .exe_fd)");
		if (seal_mode("close")) /* the cost before close_elsewhere, for tests/bench */
			close(tree);
		else
			close_elsewhere(tree);
		return 0;
	}
	log_debug("execveat(open_tree(\"/proc/self/exe\", OPEN_TREE_CLONE) + MOUNT_ATTR_RDONLY, \"\", ...)");
	exec_from(tree, argv);
	close(tree);
	return -1;
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
	cleanup_close int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	unsigned long long d, i;
	struct stat st;
	char exe[4096];
	ssize_t n;

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
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0 && exe[0] == '/') {
		char *slash;
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		*slash = '\0';
		host_dir = xstrdup(slash == exe ? "/" : exe);
	}
	char ident[64];
	snprintf(ident, sizeof ident, "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	if (setenv(SEALED_ENV, ident, 1) < 0 || (host_dir && setenv(SEALED_DIR_ENV, host_dir, 1) < 0))
		return error_sys(err, errno, "setenv");
	if (!seal_mode("memfd") && via_mount(argv) == 0) {
		/* moved, not re-executed: the same dev:ino, now on the read-only clone */
		unsetenv(SEALED_ENV);
		unsetenv(SEALED_DIR_ENV);
		return 0;
	}
	via_memfd(self, st.st_size, argv, err);
	unsetenv(SEALED_ENV);
	unsetenv(SEALED_DIR_ENV);
	return -1;
}

/* Running husk from an image no container can write (CVE-2019-5736 class). A path check of the program
 * cannot be race-free (#! chains, rename races, /proc views the container controls), so the defence is
 * that /proc/PID/exe, and every mapping of the binary, of every husk process that enters a container names
 * a file nobody can open for writing. Early, before any container is touched, husk takes
 *   1. a detached clone of the mount holding its binary, made read-only (open_tree(OPEN_TREE_CLONE) +
 *      mount_setattr(MOUNT_ATTR_RDONLY)): the mount is in no namespace, so nothing can remount it, and a
 *      write through /proc/PID/exe or /proc/PID/map_files gets EROFS; no copy, nothing on disk. Needs
 *      CAP_SYS_ADMIN over husk's mount namespace. Then it either
 *      a. moves onto it without an exec (move_to: the image mapped again from the clone, its writable
 *         segment a sealed memfd copy, then PR_SET_MM_MAP's exe_fd), the default: an exec costs a fresh
 *         image's page faults, 2-3 ms on a VM; or
 *      b. re-executes from it (execveat), when the move is refused (no CAP_SYS_ADMIN or
 *         CAP_CHECKPOINT_RESTORE for PR_SET_MM_MAP, a sanitizer build, another architecture than x86-64
 *         and arm64, segments sharing a page);
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
#ifndef SEALED_ASAN
#define SEALED_ASAN 0
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

#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ  22
#define MADV_POPULATE_WRITE 23
#endif

/* A system call made without library code, for move_runs (below): while it runs, the data segment holds
 * the file's unrelocated bytes, and with it the GOT through which glibc's IFUNCs are called and every
 * library's state. Other architectures re-execute instead of moving. */
#if defined(__x86_64__)
#define SEALED_RAW_SYSCALL 1
static inline long raw_syscall(long n, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}
#elif defined(__aarch64__)
#define SEALED_RAW_SYSCALL 1
static inline long raw_syscall(long n, long a, long b, long c, long d, long e, long f)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	register long x4 __asm__("x4") = e;
	register long x5 __asm__("x5") = f;

	__asm__ volatile("svc 0"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
			 : "memory", "cc");
	return x0;
}
#else
#define SEALED_RAW_SYSCALL 0
static inline long raw_syscall(long n, long a, long b, long c, long d, long e, long f)
{
	(void)n, (void)a, (void)b, (void)c, (void)d, (void)e, (void)f;
	return -ENOSYS;
}
#endif

#define MOVE_MAX 16

/* The move, planned from the program headers before anything changes. A run is a stretch of adjacent
 * segments that one mmap of the clone covers (the read-only ones at the run's file offset); each writable
 * segment becomes pieces of a sealed memfd copy (its RELRO part read-only), mapped elsewhere first. */
struct move_plan {
	struct {
		uintptr_t lo, hi;
		off_t off;
		int prot; /* of its read-only segments together */
	} run[MOVE_MAX];
	struct {
		uintptr_t lo, hi;
		int prot;
		size_t run;
	} seg[MOVE_MAX]; /* the read-only segments */
	struct {
		uintptr_t lo, hi, staged;
		off_t off; /* in the memfd */
		int prot;
		size_t run;
	} piece[MOVE_MAX];
	size_t nrun, nseg, npiece;
};

/* -1 for a layout the move does not handle (segments sharing a page, more than MOVE_MAX of anything):
 * husk then re-executes from the clone. */
static int plan_move(struct move_plan *m)
{
	const uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	struct dl_phdr_info self = { 0 };
	uintptr_t relro_lo = 0, relro_hi = 0, prev_hi = 0;
	off_t mem_off = 0;

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
		uintptr_t cut[4] = { lo, lo, hi, hi };
		off_t off = (off_t)(ph->p_offset & ~(page - 1));
		int prot = (ph->p_flags & PF_R ? PROT_READ : 0) | (ph->p_flags & PF_W ? PROT_WRITE : 0) |
			   (ph->p_flags & PF_X ? PROT_EXEC : 0);
		size_t r = m->nrun;

		if (ph->p_type != PT_LOAD || ph->p_filesz == 0)
			continue;
		if (lo < prev_hi)
			return -1;
		prev_hi = hi;
		/* a writable segment's bytes in the run do not matter (its pieces replace them) */
		if (r > 0 && lo == m->run[r - 1].hi &&
		    ((ph->p_flags & PF_W) ||
		     lo - (uintptr_t)off == m->run[r - 1].lo - (uintptr_t)m->run[r - 1].off)) {
			m->run[--r].hi = hi;
		} else {
			if (r == MOVE_MAX)
				return -1;
			m->run[r].lo = lo;
			m->run[r].hi = hi;
			m->run[r].off = off;
			m->run[r].prot = 0;
			m->nrun++;
		}
		if (!(ph->p_flags & PF_W)) {
			if (m->nseg == MOVE_MAX)
				return -1;
			m->seg[m->nseg].lo = lo;
			m->seg[m->nseg].hi = hi;
			m->seg[m->nseg].prot = prot;
			m->seg[m->nseg++].run = r;
			m->run[r].prot |= prot;
			continue;
		}
		if (relro_hi > relro_lo && relro_lo >= lo && relro_hi <= hi) {
			cut[1] = relro_lo;
			cut[2] = relro_hi;
		}
		for (int k = 0; k < 3; k++) {
			if (cut[k + 1] == cut[k])
				continue;
			if (m->npiece == MOVE_MAX)
				return -1;
			m->piece[m->npiece].lo = cut[k];
			m->piece[m->npiece].hi = cut[k + 1];
			m->piece[m->npiece].off = mem_off + (off_t)(cut[k] - lo);
			m->piece[m->npiece].prot = k == 1 ? PROT_READ : prot;
			m->piece[m->npiece++].run = r;
		}
		mem_off += (off_t)(hi - lo);
	}
	return m->nrun > 0 ? 0 : -1;
}

/* Copies the writable segments, as they are now, into a memfd, seals it and maps each piece from it
 * somewhere out of the way, untouched (no page mapped yet). -1 with the image unchanged if any step fails. */
static int stage_pieces(struct move_plan *m)
{
	/* why: a container root with CAP_SYS_ADMIN can open a mapping's file through /proc/PID/map_files;
	 * writing this one would rewrite husk's GOT and data in every husk process that maps it */
	const int seals = F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL;
	cleanup_close int mfd = -1;
	size_t p, q;

	if (m->npiece == 0)
		return 0;
	mfd = memfd_create("husk-data", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_NOEXEC_SEAL);
	if (mfd < 0 && errno == EINVAL) /* before Linux 6.3 */
		mfd = memfd_create("husk-data", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0)
		return -1;
	for (p = 0; p < m->npiece; p = q) { /* one write per segment: its pieces follow on in both */
		size_t len;
		for (q = p + 1; q < m->npiece && m->piece[q].lo == m->piece[q - 1].hi; q++)
			;
		len = m->piece[q - 1].hi - m->piece[p].lo;
		if (pwrite(mfd, (const void *)m->piece[p].lo, len, m->piece[p].off) != (ssize_t)len)
			return -1;
	}
	if (fcntl(mfd, F_ADD_SEALS, seals) < 0)
		return -1;
	for (p = 0; p < m->npiece; p++) {
		void *at = mmap(NULL, m->piece[p].hi - m->piece[p].lo, m->piece[p].prot, MAP_PRIVATE, mfd,
				m->piece[p].off);
		if (at == MAP_FAILED) {
			while (p-- > 0)
				munmap((void *)m->piece[p].staged, m->piece[p].hi - m->piece[p].lo);
			return -1;
		}
		m->piece[p].staged = (uintptr_t)at;
	}
	return 0;
}

/* Per run: the clone over the whole run in one mmap; PROT_EXEC off the read-only segments that have no
 * business with it; their pages mapped; the run's pieces moved in over it and their pages mapped. From
 * the run's mmap until its last piece is in, the data segment holds the file's unrelocated bytes, so
 * nothing here touches it: raw system calls, m on the caller's stack, signals blocked by the caller. A
 * failed mremap there leaves husk unable to go on or to re-execute (its data is gone), so it stops; a
 * failed mmap returns -1 (Linux keeps the old mapping when MAP_FIXED fails before unmapping it) and so
 * does a failed mprotect, after the pieces are in: the caller then re-executes from the clone. */
static __attribute__((noinline)) int move_runs(const struct move_plan *m, int tree)
{
	static const char msg[] =
	    "husk: moving onto the read-only copy of its binary failed halfway (mremap)\n";
	int rc = 0;

	for (size_t r = 0; r < m->nrun; r++) {
		if (raw_syscall(SYS_mmap, (long)m->run[r].lo, (long)(m->run[r].hi - m->run[r].lo),
				m->run[r].prot, MAP_PRIVATE | MAP_FIXED, tree,
				(long)m->run[r].off) != (long)m->run[r].lo)
			return -1;
		/* before any page is mapped: the kernel then has nothing to flush */
		for (size_t i = 0; i < m->nseg; i++)
			if (m->seg[i].run == r && m->seg[i].prot != m->run[r].prot &&
			    raw_syscall(SYS_mprotect, (long)m->seg[i].lo, (long)(m->seg[i].hi - m->seg[i].lo),
					m->seg[i].prot, 0, 0, 0) != 0)
				rc = -1;
		/* failures (EINVAL before Linux 5.14) leave the pages to fault in */
		for (size_t i = 0; i < m->nseg; i++)
			if (m->seg[i].run == r)
				raw_syscall(SYS_madvise, (long)m->seg[i].lo,
					    (long)(m->seg[i].hi - m->seg[i].lo), MADV_POPULATE_READ, 0, 0, 0);
		for (size_t p = 0; p < m->npiece; p++) {
			long len = (long)(m->piece[p].hi - m->piece[p].lo);
			if (m->piece[p].run != r)
				continue;
			if (raw_syscall(SYS_mremap, (long)m->piece[p].staged, len, len,
					MREMAP_MAYMOVE | MREMAP_FIXED, (long)m->piece[p].lo,
					0) != (long)m->piece[p].lo) {
				raw_syscall(SYS_write, 2, (long)msg, (long)sizeof msg - 1, 0, 0, 0);
				raw_syscall(SYS_exit_group, 1, 0, 0, 0, 0, 0);
			}
			raw_syscall(SYS_madvise, (long)m->piece[p].lo, len,
				    m->piece[p].prot & PROT_WRITE ? MADV_POPULATE_WRITE : MADV_POPULATE_READ,
				    0, 0, 0);
		}
	}
	return rc;
}

/* Moves the running image onto the read-only clone without an exec: every mapping of the binary is
 * replaced, then /proc/self/exe is pointed at the clone (set_exe). The read-only segments are mapped again
 * from the clone (the same inode, so the same page cache and bytes: the code runs on through its own
 * replacement); the writable segment (relocated data, .data, .got) becomes a private mapping of a sealed
 * memfd copy of itself (stage_pieces), its RELRO part read-only. The kernel refuses a new exe file (EBUSY)
 * while any mapping still names the old one, so a missed mapping fails closed into the exec.
 * The order is for hosts where changing page tables is costly (docs/performance.md, issue 18): x86 flushes
 * the TLB one page at a time for a range of up to 33 pages, at once above (on a VM whose page tables the
 * host shadows, each flush leaves the guest), so the whole image is unmapped by one mmap, a single flush,
 * and nothing else has a mapped page to flush: the memfd pieces are staged untouched and moved in, PROT_EXEC
 * is dropped before a page is mapped, and the pages are then mapped in the kernel in one pass
 * (MADV_POPULATE_*) rather than by a fault each. */
static int move_to(int tree)
{
	struct move_plan m = { 0 };
	sigset_t all, old;
	int rc;

	if (SEALED_ASAN || !SEALED_RAW_SYSCALL)
		return -1; /* ASan (instrumented code in move_runs) and other architectures re-execute */
	if (plan_move(&m) < 0 || stage_pieces(&m) < 0)
		return -1;
	/* why: a handler would run on move_runs' unrelocated data */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	rc = move_runs(&m, tree);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return rc < 0 ? -1 : set_exe(tree);
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

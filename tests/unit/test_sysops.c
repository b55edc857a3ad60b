/* The setup system calls of the mount, namespace and capability code, checked without root: the
 * sysops seam (runtime/sysops.h) is replaced by a recorder that writes each call as one line and
 * answers it, and each test compares the whole sequence with the calls the config must produce. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/mount.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/spec.h"
#include "runtime/caps.h"
#include "runtime/namespaces.h"
#include "runtime/rootfs.h"
#include "runtime/sysops.h"
#include "unit.h"

/* The record lives in shared memory: clone_parent_in makes its calls in a forked helper. */
struct record {
	size_t len;
	char text[65536];
};
static struct record *rec;

/* fds the recorder or a test made, with the name a line shows for them; other fds show their path */
static struct {
	int fd;
	char name[32];
} labels[32];
static size_t n_labels, n_made;
static int setns_errno; /* setns of this CLONE_NEW* type fails with EPERM */
static unsigned long setns_fail_type;
static cap_t own_caps; /* what cap_get_proc answers */

static __attribute__((format(printf, 1, 2))) void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(rec->text + rec->len, sizeof rec->text - rec->len, fmt, ap);
	va_end(ap);
	if (n > 0 && rec->len + (size_t)n < sizeof rec->text)
		rec->len += (size_t)n;
}

static const char *fd_name(int fd, char *buf, size_t size)
{
	char link[64];
	ssize_t n;

	for (size_t i = 0; i < n_labels; i++)
		if (labels[i].fd == fd)
			return labels[i].name;
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	n = readlink(link, buf, size - 1);
	buf[n < 0 ? 0 : n] = '\0';
	return buf;
}

static int label(int fd, const char *name)
{
	for (size_t i = 0; i < n_labels; i++)
		if (labels[i].fd == fd)
			labels[i].fd = -1; /* closed by the code under test, and its number reused */
	labels[n_labels].fd = fd;
	snprintf(labels[n_labels].name, sizeof labels[n_labels].name, "%s", name);
	n_labels++;
	return fd;
}

/* A new fd for a call that returns one (a mount, a filesystem context): #1, #2, ... */
static int made(void)
{
	char name[16];

	snprintf(name, sizeof name, "#%zu", ++n_made);
	return label(open("/dev/null", O_RDONLY | O_CLOEXEC), name);
}

static int r_mount(const char *src, const char *target, const char *type, unsigned long flags,
		   const void *data)
{
	say("mount(%s, %s, %s, %#lx)\n", src ? src : "NULL", target, type ? type : "NULL", flags);
	return 0;
}

static int r_umount2(const char *target, int flags)
{
	say("umount2(%s, %d)\n", target, flags);
	return 0;
}

static int r_path(const char *path)
{
	say("chroot/pivot_root(%s)\n", path);
	return 0;
}

static int r_pivot_root(const char *new_root, const char *put_old)
{
	return r_path(new_root);
}

static int r_open_tree(int dfd, const char *path, unsigned flags)
{
	char b[PATH_MAX];
	const char *from = fd_name(dfd, b, sizeof b);
	int fd = made();

	say("open_tree(%s, \"%s\", %#x) = %s\n", from, path, flags, fd_name(fd, b, sizeof b));
	return fd;
}

static int r_mount_setattr(int dfd, const char *path, unsigned flags, struct mount_attr *attr, size_t size)
{
	char b[PATH_MAX];

	say("mount_setattr(%s, \"%s\", %#x, set=%#llx)\n", fd_name(dfd, b, sizeof b), path, flags,
	    (unsigned long long)attr->attr_set);
	return 0;
}

static int r_move_mount(int from_dfd, const char *from, int to_dfd, const char *to, unsigned flags)
{
	char a[PATH_MAX], b[PATH_MAX];

	say("move_mount(%s, %s, %#x)\n", fd_name(from_dfd, a, sizeof a), fd_name(to_dfd, b, sizeof b), flags);
	return 0;
}

static int r_fsopen(const char *fsname, unsigned flags)
{
	char b[64];
	int fd = made();

	say("fsopen(%s, %#x) = %s\n", fsname, flags, fd_name(fd, b, sizeof b));
	return fd;
}

static int r_fsconfig(int fd, unsigned cmd, const char *key, const void *value, int aux)
{
	char b[64];

	say("fsconfig(%s, %u)\n", fd_name(fd, b, sizeof b), cmd);
	return 0;
}

static int r_fsmount(int fs, unsigned flags, unsigned attr)
{
	char a[64], b[64];
	int fd = made();

	say("fsmount(%s, %#x, %#x) = %s\n", fd_name(fs, a, sizeof a), flags, attr, fd_name(fd, b, sizeof b));
	return fd;
}

static int r_mknodat(int dfd, const char *name, mode_t mode, dev_t dev)
{
	say("mknodat(%s)\n", name);
	return 0;
}

static long r_clone3(struct clone_args *args, size_t size)
{
	say("clone3(flags=%#llx, exit_signal=%llu)\n", (unsigned long long)args->flags,
	    (unsigned long long)args->exit_signal);
	return 4242; /* a made-up child: nothing is cloned */
}

static int r_setns(int fd, int nstype)
{
	char b[PATH_MAX];

	say("setns(%s, %#x)\n", fd_name(fd, b, sizeof b), nstype);
	if (setns_errno && (unsigned long)nstype == setns_fail_type)
		return errno = setns_errno, -1;
	return 0;
}

static int r_unshare(int flags)
{
	say("unshare(%#x)\n", flags);
	return 0;
}

static int r_hostname(const char *name, size_t len)
{
	say("sethostname(%.*s)\n", (int)len, name);
	return 0;
}

/* reads (PR_CAPBSET_READ, cap_get_proc) are answered, not recorded: they change nothing */
static int r_prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5)
{
	if (option == PR_CAPBSET_READ)
		return 1;
	say("prctl(%d, %lu, %lu)\n", option, a2, a3);
	return 0;
}

static cap_t r_cap_get_proc(void)
{
	return cap_dup(own_caps);
}

static int r_cap_set_proc(cap_t caps)
{
	static const cap_flag_t flags[] = { CAP_EFFECTIVE, CAP_PERMITTED, CAP_INHERITABLE };
	unsigned long long set[3] = { 0 };

	for (size_t f = 0; f < 3; f++)
		for (cap_value_t v = 0; v < 64; v++) {
			cap_flag_value_t on = CAP_CLEAR;
			if (cap_get_flag(caps, v, flags[f], &on) == 0 && on == CAP_SET)
				set[f] |= 1ULL << v;
		}
	say("capset(e=%#llx, p=%#llx, i=%#llx)\n", set[0], set[1], set[2]);
	return 0;
}

static const struct sys_ops recorder = {
	.mount = r_mount,
	.umount2 = r_umount2,
	.pivot_root = r_pivot_root,
	.chroot = r_path,
	.open_tree = r_open_tree,
	.mount_setattr = r_mount_setattr,
	.move_mount = r_move_mount,
	.fsopen = r_fsopen,
	.fsconfig = r_fsconfig,
	.fsmount = r_fsmount,
	.mknodat = r_mknodat,
	.clone3 = r_clone3,
	.setns = r_setns,
	.unshare = r_unshare,
	.sethostname = r_hostname,
	.setdomainname = r_hostname,
	.prctl = r_prctl,
	.cap_get_proc = r_cap_get_proc,
	.cap_set_proc = r_cap_set_proc,
};

static void record_start(void)
{
	if (rec == NULL)
		rec = mmap(NULL, sizeof *rec, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	rec->len = 0;
	rec->text[0] = '\0';
	for (size_t i = 0; i < n_labels; i++)
		close(labels[i].fd);
	n_labels = n_made = 0;
	setns_errno = 0;
	sysops = &recorder;
}

static void record_stop(void)
{
	sysops = &sys_ops_kernel;
}

/* The host's root stands in for a rootfs: its /dev/null is the real 1:3 device, and nothing is
 * mounted, the recorder answers instead of the kernel. */
static struct spec *rootfs_spec(void)
{
	static const char cfg[] =
	    "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\",\"readonly\":true},"
	    "\"linux\":{\"maskedPaths\":[\"/proc/version\",\"/proc/sys/fs\",\"/proc/husk-"
	    "no-such-file\"],\"readonlyPaths\":[\"/proc/sys\",\"/proc/cmdline\"]}}";
	struct spec *s = NULL;
	struct error err = { 0 };

	CHECK(spec_parse(cfg, sizeof cfg - 1, "config.json", &s, &err) == 0);
	error_clear(&err);
	return s;
}

static void test_rootfs_masked_and_readonly_paths(void)
{
	struct spec *s = rootfs_spec();
	struct error err = { 0 };
	char want[4096];
	int r;

	if (s == NULL)
		return;
	struct rootfs_ctx c = { .spec = s, .rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC) };
	record_start();
	r = rootfs_finish(&c, &err);
	record_stop();
	CHECK(r == 0);
	/* a masked file gets a clone of /dev/null, a masked directory a fresh read-only tmpfs (source
	 * "tmpfs" and the "ro" flag on its superblock, as runc's), a missing
	 * path nothing; a read-only path a recursive clone made read-only, moved back on itself; then
	 * the root, in the config's order */
	const unsigned clone = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH;
	const unsigned both = MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH;
	snprintf(want, sizeof want,
		 "open_tree(/dev/null, \"\", %#x) = #1\n"
		 "move_mount(#1, /proc/version, %#x)\n"
		 "fsopen(tmpfs, %#x) = #2\n"
		 "fsconfig(#2, %u)\n"
		 "fsconfig(#2, %u)\n"
		 "fsconfig(#2, %u)\n"
		 "fsmount(#2, %#x, %#x) = #3\n"
		 "move_mount(#3, /proc/sys/fs, %#x)\n"
		 "open_tree(/proc/sys, \"\", %#x) = #4\n"
		 "mount_setattr(#4, \"\", %#x, set=%#x)\n"
		 "move_mount(#4, /proc/sys, %#x)\n"
		 "open_tree(/proc/cmdline, \"\", %#x) = #5\n"
		 "mount_setattr(#5, \"\", %#x, set=%#x)\n"
		 "move_mount(#5, /proc/cmdline, %#x)\n"
		 "mount_setattr(/, \"\", %#x, set=%#x)\n",
		 clone, both, FSOPEN_CLOEXEC, FSCONFIG_SET_STRING, FSCONFIG_SET_FLAG, FSCONFIG_CMD_CREATE,
		 FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY, both, clone | AT_RECURSIVE, AT_RECURSIVE | AT_EMPTY_PATH,
		 MOUNT_ATTR_RDONLY, both, clone | AT_RECURSIVE, AT_RECURSIVE | AT_EMPTY_PATH,
		 MOUNT_ATTR_RDONLY, both, AT_EMPTY_PATH, MOUNT_ATTR_RDONLY);
	CHECK_STR(rec->text, want);
	error_clear(&err);
	close(c.rootfd);
	spec_free(s);
}

/* CVE-2025-31133: a rootfs whose /dev/null is not the 1:3 device is refused before any mount. */
static void test_rootfs_fake_devnull_refused(void)
{
	struct spec *s = rootfs_spec();
	struct error err = { 0 };
	char dir[] = "/tmp/husk-unit-XXXXXX", path[64];
	int r;

	if (s == NULL || mkdtemp(dir) == NULL)
		return;
	snprintf(path, sizeof path, "%s/dev", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/dev/null", dir);
	close(open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
	struct rootfs_ctx c = { .spec = s, .rootfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC) };
	record_start();
	r = rootfs_finish(&c, &err);
	record_stop();
	CHECK(r < 0 && err.errnum == EPERM);
	CHECK_CONTAINS(err.msg, "/dev/null is not the 1:3 character device");
	CHECK_STR(rec->text, "");
	unlink(path);
	snprintf(path, sizeof path, "%s/dev", dir);
	rmdir(path);
	rmdir(dir);
	error_clear(&err);
	close(c.rootfd);
	spec_free(s);
}

static void never_run(void *arg)
{
	_exit(1);
}

/* Joining a user namespace by path (create's init, exec in a rootless container): the helper joins
 * the user namespace first, then the PID one, then clones with CLONE_PARENT and no exit signal. */
static void test_clone_parent_in_joins_user_then_pid(void)
{
	struct error err = { 0 };
	char want[512];
	pid_t pid;

	record_start();
	int userns = label(open("/dev/null", O_RDONLY | O_CLOEXEC), "userns");
	int pidns = label(open("/dev/null", O_RDONLY | O_CLOEXEC), "pidns");
	pid = clone_parent_in(userns, pidns, CLONE_NEWNS | CLONE_NEWNET, never_run, NULL, &err);
	record_stop();
	CHECK(pid == 4242);
	snprintf(want, sizeof want,
		 "setns(userns, %#x)\nsetns(pidns, %#x)\nclone3(flags=%#llx, exit_signal=0)\n", CLONE_NEWUSER,
		 CLONE_NEWPID, (unsigned long long)(CLONE_NEWNS | CLONE_NEWNET | CLONE_PARENT));
	CHECK_STR(rec->text, want);
	error_clear(&err);
}

/* A user namespace that cannot be joined stops everything, with its errno: no PID join, no clone. */
static void test_clone_parent_in_user_refused(void)
{
	struct error err = { 0 };
	char want[128];
	pid_t pid;

	record_start();
	setns_errno = EPERM;
	setns_fail_type = CLONE_NEWUSER;
	int userns = label(open("/dev/null", O_RDONLY | O_CLOEXEC), "userns");
	pid = clone_parent_in(userns, -1, 0, never_run, NULL, &err);
	record_stop();
	CHECK(pid < 0 && err.errnum == EPERM);
	CHECK_CONTAINS(err.msg, "join the user namespace and clone");
	snprintf(want, sizeof want, "setns(userns, %#x)\n", CLONE_NEWUSER);
	CHECK_STR(rec->text, want);
	error_clear(&err);
}

#define BIT(c) (1ULL << (c))

static void test_caps_bounding_then_sets_then_ambient(void)
{
	struct spec_capabilities caps = { 0 };
	struct error err = { 0 };
	char want[8192];
	size_t len = 0;
	int last = spec_cap_last_cap();

	caps.sets[CAPSET_BOUNDING] = BIT(CAP_CHOWN) | BIT(CAP_KILL) | BIT(CAP_NET_BIND_SERVICE);
	caps.sets[CAPSET_PERMITTED] = caps.sets[CAPSET_EFFECTIVE] = BIT(CAP_CHOWN) | BIT(CAP_KILL);
	caps.sets[CAPSET_INHERITABLE] = caps.sets[CAPSET_AMBIENT] = BIT(CAP_KILL);
	own_caps = cap_from_text("=eip");
	record_start();
	CHECK(caps_drop_bounding(&caps, &err) == 0);
	CHECK(caps_apply(&caps, &err) == 0);
	record_stop();
	/* every capability outside the bounding set dropped, lowest first; the three sets in one
	 * capset; the ambient set cleared, then raised */
	for (int cap = 0; cap <= last; cap++)
		if (!(caps.sets[CAPSET_BOUNDING] & BIT(cap)))
			len += (size_t)snprintf(want + len, sizeof want - len, "prctl(%d, %d, 0)\n",
						PR_CAPBSET_DROP, cap);
	snprintf(want + len, sizeof want - len,
		 "capset(e=%#llx, p=%#llx, i=%#llx)\nprctl(%d, %d, 0)\nprctl(%d, %d, %d)\n",
		 BIT(CAP_CHOWN) | BIT(CAP_KILL), BIT(CAP_CHOWN) | BIT(CAP_KILL), BIT(CAP_KILL),
		 PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_KILL);
	CHECK_STR(rec->text, want);
	cap_free(own_caps);
	error_clear(&err);
}

/* A capability husk itself lacks is named, and nothing is set (never granted in part). */
static void test_caps_missing_permitted_refused(void)
{
	struct spec_capabilities caps = { 0 };
	struct error err = { 0 };

	caps.sets[CAPSET_PERMITTED] = caps.sets[CAPSET_EFFECTIVE] = BIT(CAP_CHOWN) | BIT(CAP_SYS_ADMIN);
	own_caps = cap_from_text("cap_chown=eip");
	record_start();
	CHECK(caps_apply(&caps, &err) < 0);
	record_stop();
	CHECK(err.errnum == EPERM);
	CHECK_CONTAINS(err.msg, "capability CAP_SYS_ADMIN is requested in the permitted set");
	CHECK_STR(rec->text, "");
	cap_free(own_caps);
	error_clear(&err);
}

UNIT_CASES({ "rootfs_masked_and_readonly_paths", test_rootfs_masked_and_readonly_paths },
	   { "rootfs_fake_devnull_refused", test_rootfs_fake_devnull_refused },
	   { "clone_parent_in_joins_user_then_pid", test_clone_parent_in_joins_user_then_pid },
	   { "clone_parent_in_user_refused", test_clone_parent_in_user_refused },
	   { "caps_bounding_then_sets_then_ambient", test_caps_bounding_then_sets_then_ambient },
	   { "caps_missing_permitted_refused", test_caps_missing_permitted_refused }, )

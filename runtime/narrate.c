/* See narrate.h. */
#define _GNU_SOURCE
#include "narrate.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/log.h"
#include "config/mountopt.h"
#include "nstable.h"
#include "sysops.h"
#include "base/util.h"

struct flag_name {
	uint64_t flag;
	const char *name;
};

static const char *flags_str(uint64_t v, const struct flag_name *names, size_t n, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && len < size; i++)
		if (names[i].flag && (v & names[i].flag) == names[i].flag) {
			len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? "|" : "", names[i].name);
			v &= ~names[i].flag;
		}
	if (v && len < size)
		len +=
		    (size_t)snprintf(buf + len, size - len, "%s%#llx", len ? "|" : "", (unsigned long long)v);
	if (len == 0)
		snprintf(buf, size, "0");
	return buf;
}

#define FLAG(f)                                                                                              \
	{                                                                                                    \
		(uint64_t)(f), #f                                                                            \
	}

const char *clone_flags_str(uint64_t flags, char *buf, size_t size)
{
	static const struct flag_name other[] = { FLAG(CLONE_PARENT), FLAG(CLONE_INTO_CGROUP),
						  FLAG(CLONE_PIDFD) };
	struct flag_name names[NS_TYPE_COUNT + ARRAY_SIZE(other)];
	uint64_t last = 0;

	/* the namespace flags of ns_table, lowest bit first (CLONE_NEWNS|CLONE_NEWUTS|...), then the rest */
	for (size_t n = 0; n < NS_TYPE_COUNT; n++) {
		const struct ns_kind *next = NULL;
		for (size_t i = 0; i < NS_TYPE_COUNT; i++)
			if ((uint64_t)ns_table[i].flag > last &&
			    (next == NULL || ns_table[i].flag < next->flag))
				next = &ns_table[i];
		names[n] = (struct flag_name){ (uint64_t)next->flag, next->flag_name };
		last = (uint64_t)next->flag;
	}
	memcpy(names + NS_TYPE_COUNT, other, sizeof other);
	return flags_str(flags, names, ARRAY_SIZE(names), buf, size);
}

const char *mount_attr_str(uint64_t attr, char *buf, size_t size)
{
	static const struct flag_name names[] = {
		FLAG(MOUNT_ATTR_RDONLY),     FLAG(MOUNT_ATTR_NOSUID),  FLAG(MOUNT_ATTR_NODEV),
		FLAG(MOUNT_ATTR_NOEXEC),     FLAG(MOUNT_ATTR_NOATIME), FLAG(MOUNT_ATTR_STRICTATIME),
		FLAG(MOUNT_ATTR_NODIRATIME), FLAG(MOUNT_ATTR_IDMAP),   FLAG(MOUNT_ATTR_NOSYMFOLLOW),
	};
	return flags_str(attr, names, ARRAY_SIZE(names), buf, size);
}

static const char *open_tree_flags_str(unsigned flags, char *buf, size_t size)
{
	static const struct flag_name names[] = {
		FLAG(OPEN_TREE_CLONE),
		FLAG(AT_RECURSIVE),
	};
	/* CLOEXEC and AT_EMPTY_PATH are plumbing of the fd, not of the mount */
	return flags_str(flags & ~(unsigned)(OPEN_TREE_CLOEXEC | AT_EMPTY_PATH), names, ARRAY_SIZE(names),
			 buf, size);
}

static const char *ns_flag_str(int nstype)
{
	char buf[64];
	static char out[64];

	snprintf(out, sizeof out, "%s", clone_flags_str((uint64_t)(unsigned)nstype, buf, sizeof buf));
	return out;
}

static const char *quoted(const char *s, char *buf, size_t size)
{
	if (s == NULL)
		return "NULL";
	snprintf(buf, size, "\"%s\"", s);
	return buf;
}

int say_mount(const char *src, const char *target, const char *shown_target, const char *type,
	      unsigned long flags, const char *data)
{
	if (log_debug_enabled()) {
		char f[256], s[4096], t[4096], d[4096], ty[64];
		log_debug("mount(%s, %s, %s, %s, %s)", quoted(src, s, sizeof s),
			  quoted(shown_target ? shown_target : target, t, sizeof t),
			  quoted(type, ty, sizeof ty), mount_flags_str(flags, f, sizeof f),
			  quoted(data && *data ? data : NULL, d, sizeof d));
	}
	return sysops->mount(src, target, type, flags, data);
}

int say_umount2(const char *target, int flags)
{
	log_debug("umount2(\"%s\", %s)", target, flags == MNT_DETACH ? "MNT_DETACH" : "0");
	return sysops->umount2(target, flags);
}

int say_pivot_root(const char *new_root, const char *put_old)
{
	log_debug("pivot_root(\"%s\", \"%s\")", new_root, put_old);
	return sysops->pivot_root(new_root, put_old);
}

int say_chroot(const char *path)
{
	log_debug("chroot(\"%s\")", path);
	return sysops->chroot(path);
}

pid_t say_clone3(struct clone_args *args)
{
	if (log_debug_enabled()) {
		char f[512], sig[32];
		int s = (int)args->exit_signal;
		snprintf(sig, sizeof sig, "%s%s", s ? "SIG" : "0", s ? sigabbrev_np(s) : "");
		char cg[32] = "";
		if (args->flags & CLONE_INTO_CGROUP)
			snprintf(cg, sizeof cg, ", cgroup=%llu", (unsigned long long)args->cgroup);
		log_debug("clone3({flags=%s, exit_signal=%s%s})", clone_flags_str(args->flags, f, sizeof f),
			  sig, cg);
	}
	return (pid_t)sysops->clone3(args, sizeof *args);
}

int say_setns(int fd, int nstype, const char *shown)
{
	log_debug("setns(open(\"%s\"), %s)", shown, ns_flag_str(nstype));
	return sysops->setns(fd, nstype);
}

int say_unshare(int flags)
{
	log_debug("unshare(%s)", ns_flag_str(flags));
	return sysops->unshare(flags);
}

int say_sethostname(const char *name)
{
	log_debug("sethostname(\"%s\")", name);
	return sysops->sethostname(name, strlen(name));
}

int say_setdomainname(const char *name)
{
	log_debug("setdomainname(\"%s\")", name);
	return sysops->setdomainname(name, strlen(name));
}

int say_open_tree(int dfd, const char *shown, unsigned flags)
{
	if (log_debug_enabled()) {
		char f[128];
		log_debug("open_tree(\"%s\", %s)", shown, open_tree_flags_str(flags, f, sizeof f));
	}
	return sysops->open_tree(dfd, "", flags | AT_EMPTY_PATH);
}

int say_mount_setattr(int fd, const char *shown, unsigned flags, struct mount_attr *attr)
{
	if (log_debug_enabled()) {
		char set[256], clr[256], prop[64];
		log_debug("mount_setattr(\"%s\", %s{set=%s, clr=%s%s%s})", shown,
			  flags & AT_RECURSIVE ? "AT_RECURSIVE, " : "",
			  mount_attr_str(attr->attr_set, set, sizeof set),
			  mount_attr_str(attr->attr_clr, clr, sizeof clr),
			  attr->propagation ? ", propagation=" : "",
			  attr->propagation ? mount_flags_str(attr->propagation, prop, sizeof prop) : "");
	}
	return sysops->mount_setattr(fd, "", flags | AT_EMPTY_PATH, attr, sizeof *attr);
}

int say_move_mount(int from, const char *shown_from, int to, const char *shown_to)
{
	log_debug("move_mount(%s, \"%s\")", shown_from, shown_to);
	return sysops->move_mount(from, "", to, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
}

int say_fsmount_tmpfs(const char *shown, uint64_t attr)
{
	char a[128];
	int fs, mnt = -1, e;

	log_debug("fsopen(\"tmpfs\"); fsmount(%s) for \"%s\"", mount_attr_str(attr, a, sizeof a), shown);
	fs = sysops->fsopen("tmpfs", FSOPEN_CLOEXEC);
	if (fs < 0)
		return -1;
	/* source "tmpfs" and a read-only superblock for a read-only mount, as runc's masking
	 * mounts ("none" and "rw" otherwise): /proc/self/mountinfo in the container reads as under
	 * runc */
	if (sysops->fsconfig(fs, FSCONFIG_SET_STRING, "source", "tmpfs", 0) == 0 &&
	    (!(attr & MOUNT_ATTR_RDONLY) || sysops->fsconfig(fs, FSCONFIG_SET_FLAG, "ro", NULL, 0) == 0) &&
	    sysops->fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
		mnt = sysops->fsmount(fs, FSMOUNT_CLOEXEC, (unsigned)attr);
	e = errno;
	close(fs);
	errno = e;
	return mnt;
}

int say_execve(const char *path, char *const argv[], char *const envp[])
{
	if (log_debug_enabled()) {
		char args[1024];
		size_t len = 0, n_env = 0;
		for (size_t i = 0; argv[i] && len < sizeof args; i++)
			len += (size_t)snprintf(args + len, sizeof args - len, "%s\"%s\"", i ? ", " : "",
						argv[i]);
		while (envp[n_env])
			n_env++;
		log_debug("execve(\"%s\", [%s], [%zu variables])", path, len ? args : "", n_env);
	}
	return execve(path, argv, envp);
}

int say_no_new_privs(void)
{
	log_debug("prctl(PR_SET_NO_NEW_PRIVS, 1)");
	return sysops->prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

void say_write(const char *path, const char *text, size_t len)
{
	while (len > 0 && text[len - 1] == '\n')
		len--;
	log_debug("write %s \"%.*s\"", path, (int)len, text);
}

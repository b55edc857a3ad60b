/* AppArmor and SELinux labels of the container's process, set for its execve. */
#define _GNU_SOURCE
#include "lsm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "base/log.h"
#include "process.h"
#include "base/util.h"

bool lsm_apparmor_enabled(void)
{
	char c = 0;
	cleanup_close int fd = open("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC);

	return fd >= 0 && read(fd, &c, 1) == 1 && c == 'Y';
}

bool lsm_selinux_enabled(void)
{
	struct statfs s;

	return statfs("/sys/fs/selinux", &s) == 0 && s.f_type == SELINUX_MAGIC;
}

int lsm_check(const char *apparmor, const char *selinux, const char *mount_label, const char *where,
	      struct error *err)
{
	if (apparmor && *apparmor && !lsm_apparmor_enabled())
		return error_set(err, ENOTSUP,
				 "%s.apparmorProfile: profile \"%s\" requested, but AppArmor is not "
				 "enabled on this kernel",
				 where, apparmor);
	if (selinux && *selinux && !lsm_selinux_enabled())
		return error_set(err, ENOTSUP,
				 "%s.selinuxLabel: label \"%s\" requested, but SELinux is not enabled on "
				 "this kernel",
				 where, selinux);
	if (mount_label && *mount_label && !lsm_selinux_enabled())
		return error_set(err, ENOTSUP,
				 "config.json: .linux.mountLabel: label \"%s\" requested, but SELinux is "
				 "not enabled on this kernel",
				 mount_label);
	return 0;
}

int lsm_open_exec_attr(const char *apparmor, const char *selinux, int *ret_fd, struct error *err)
{
	const char *path = NULL;
	struct statfs s;
	int fd;

	if (apparmor && *apparmor)
		path = "/proc/thread-self/attr/apparmor/exec";
	else if (selinux && *selinux)
		path = "/proc/thread-self/attr/exec";
	if (path == NULL) {
		*ret_fd = -1;
		return 0;
	}
	/* through the procfs pinned before any namespace was joined: the init opens this after joining a
	 * mount namespace given by path, whose /proc may be another container's, with a harmless procfs
	 * file (/proc/self/sched) where the attr should be: fstatfs passes, the label never applies
	 * (CVE-2025-52881) */
	fd = proc_open(path, O_WRONLY);
	if (fd < 0 && errno == ENOENT && apparmor && *apparmor) {
		path = "/proc/thread-self/attr/exec";
		fd = proc_open(path, O_WRONLY);
	}
	if (fd < 0)
		return error_sys(err, errno, "open '%s'", path);
	if (fstatfs(fd, &s) < 0 || s.f_type != PROC_SUPER_MAGIC) {
		close(fd);
		return error_set(err, EPERM,
				 "'%s' is not on procfs: refusing to write a security label to it", path);
	}
	*ret_fd = fd;
	return 0;
}

int lsm_set_exec_label(int fd, const char *apparmor, const char *selinux, struct error *err)
{
	char buf[4096];
	int len;

	if (apparmor && *apparmor)
		len = snprintf(buf, sizeof buf, "exec %s", apparmor);
	else
		len = snprintf(buf, sizeof buf, "%s", selinux);
	if (len <= 0 || (size_t)len >= sizeof buf)
		return error_set(err, EINVAL, "security label too long");
	log_debug("write /proc/thread-self/attr/exec \"%s\"", buf);
	if (write_all(fd, buf, (size_t)len) < 0)
		return error_sys(err, errno, "set the %s label \"%s\"", apparmor ? "AppArmor" : "SELinux",
				 apparmor ? apparmor : selinux);
	return 0;
}

/* clone_parent_in and ns_open; the namespace table itself is nstable.c (a leaf, so that narrate.c, which
 * this file calls, can read it without depending on this file). */
#define _GNU_SOURCE
#include "namespaces.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <linux/sched.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "narrate.h"
#include "base/util.h"
#include "sysops.h"

pid_t clone_parent_in(int userns, int pidns, uint64_t flags, void (*child)(void *), void *arg,
		      struct error *err)
{
	int p[2], status;
	pid_t helper, pid = -1;

	if (pipe2(p, O_CLOEXEC) < 0)
		return error_sys(err, errno, "pipe"), -1;
	helper = fork();
	if (helper < 0) {
		close(p[0]);
		close(p[1]);
		return error_sys(err, errno, "fork"), -1;
	}
	if (helper == 0) {
		/* with CLONE_PARENT the kernel takes the exit signal from the caller and refuses one */
		struct clone_args args = { .flags = flags | CLONE_PARENT };
		close(p[0]);
		if (sysops->setns(userns, CLONE_NEWUSER) < 0 ||
		    (pidns >= 0 && sysops->setns(pidns, CLONE_NEWPID) < 0))
			_exit(errno);
		pid = say_clone3(&args);
		if (pid == 0) {
			close(p[1]);
			child(arg);
			_exit(255);
		}
		write_all(p[1], &pid, sizeof pid);
		_exit(pid < 0 ? errno : 0);
	}
	close(p[1]);
	if (read_all(p[0], &pid, sizeof pid) < 0)
		pid = -1;
	close(p[0]);
	while (waitpid(helper, &status, 0) < 0 && errno == EINTR)
		;
	if (pid <= 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return error_sys(err, WIFEXITED(status) && WEXITSTATUS(status) ? WEXITSTATUS(status) : EIO,
				 "join the user%s namespace and clone", pidns >= 0 ? " and pid" : ""),
		       -1;
	return pid;
}

int ns_open(const char *path, int nstype, int *ret_problem)
{
	/* O_PATH first: a read open of a FIFO planted at the path blocks until a writer comes (husk hung
	 * for ever), and the open of a device has the driver's side effects; only once the file is known
	 * to be on nsfs is it opened for reading, through its own fd, so the file checked is the one
	 * joined (a name swapped in between changes nothing) */
	cleanup_close int pathfd = open(path, O_PATH | O_CLOEXEC);
	cleanup_close int fd = -1;
	struct statfs sfs;
	char self[64];
	int type;

	*ret_problem = NS_OPEN_ERRNO;
	if (pathfd < 0 || fstatfs(pathfd, &sfs) < 0)
		return -1;
	if (sfs.f_type != NSFS_MAGIC) {
		*ret_problem = NS_OPEN_NOT_NSFS;
		return -1;
	}
	snprintf(self, sizeof self, "/proc/self/fd/%d", pathfd);
	fd = open(self, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 || fstatfs(fd, &sfs) < 0)
		return -1;
	if (sfs.f_type != NSFS_MAGIC) {
		*ret_problem = NS_OPEN_NOT_NSFS;
		return -1;
	}
	/* kernels before 4.11 have no NS_GET_NSTYPE: the nsfs check is all they allow */
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type >= 0 && type != nstype) {
		*ret_problem = NS_OPEN_WRONG_TYPE;
		return -1;
	}
	return steal_fd(&fd);
}

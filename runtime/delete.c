/* delete: kill what is left (with --force, also a create stuck holding the lock), wait until the init
 * is gone, remove the cgroup (or the systemd scope), detach the mounts a container without a mount
 * namespace left in ours, run poststop hooks, remove the state directory. */
#define _GNU_SOURCE
#include "container.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup.h"
#include "fault.h"
#include "lifecycle.h"
#include "netdev.h"
#include "base/log.h"
#include "rootfs.h"
#include "base/util.h"
#include "systemd.h"

/* How long delete waits for a killed (or exiting) init to be gone before it gives up, keeping the state
 * so that it can be run again. */
#define GONE_TIMEOUT_MS 10000

static int wait_gone(const char *id, const struct state_record *rec, struct error *err)
{
	/* not container_init_pidfd: a killed init counts as stopped (PF_EXITING) while it waits for the rest
	 * of its PID namespace to die, and that is exactly what must be waited for here. Checked against the
	 * start time after the open, so a reused pid is never waited on. */
	cleanup_close int pidfd = (int)syscall(SYS_pidfd_open, rec->pid, 0);
	struct pollfd p = { pidfd, POLLIN, 0 };
	int n;

	if (pidfd < 0)
		return errno == ESRCH ? 0 : error_sys(err, errno, "pidfd_open %d", rec->pid);
	if (proc_start_time(rec->pid, NULL) != rec->pid_start)
		return errno && errno != ENOENT && errno != ESRCH
			   ? error_sys(err, errno, "read the start time of %d", rec->pid)
			   : 0;
	/* a pidfd becomes readable when the process has exited (its PID namespace emptied, its
	 * cgroup left), also for a process that is not our child */
	while ((n = poll(&p, 1, GONE_TIMEOUT_MS)) < 0 && errno == EINTR)
		;
	if (n < 0)
		return error_sys(err, errno, "wait for the init of '%s' (pid %d)", id, rec->pid);
	if (n == 0)
		return error_set(err, EBUSY,
				 "cannot delete container '%s': its init (pid %d) has not exited within %d s "
				 "(a process of its PID namespace not yet reaped?): try again",
				 id, rec->pid, GONE_TIMEOUT_MS / 1000);
	return 0;
}

/* A state.json that cannot be read back (garbled, truncated, not a regular file, too large): delete
 * --force must still remove the container whatever the file holds. */
static bool state_damaged(int errnum)
{
	return errnum == EINVAL || errnum == EFBIG || errnum == EPROTO;
}

/* delete --force of a container without state: gone already (runc: success), or a directory left
 * by a create that died before writing state.json. The latter is removed once its lock is ours: a
 * create still running holds it, so only a dead one's directory can be taken. */
static int delete_stateless(const char *root, const char *id, struct error *err)
{
	cleanup_close int dirfd = -1;
	struct state_record *rec = NULL;

	error_clear(err);
	if (state_open_dir(root, id, true, &dirfd, err) < 0) {
		if (err->errnum != ENOENT)
			return -1;
		error_clear(err);
		return 0;
	}
	if (state_read(dirfd, id, &rec, err) == 0) {
		/* written after all, between our two looks: an ordinary delete's job */
		state_record_free(rec);
		return error_set(err, EAGAIN, "container '%s' changed while deleting it: try again", id);
	}
	if (err->errnum != ENOENT && !state_damaged(err->errnum))
		return -1;
	log_warn("container '%s': %s: removing what can be found without it", id,
		 err->errnum == ENOENT ? "no state (a create that died?)" : "damaged state");
	error_clear(err);
	{
		/* without the record, the cgroup is the one create noted before making it: kill what is
		 * still in it (the init among them) and remove it */
		cleanup_free char *path = state_noted_cgroup(dirfd), *unit = state_noted_unit(dirfd);
		/* the systemd driver's scope, started or not: killed, then stopped while its cgroup is
		 * still there (systemd waits for that cgroup to empty; a unit that never was is fine) */
		if (unit && path) {
			struct error e = { 0 };
			cgroup_signal_all(path, SIGKILL, &e);
			error_clear(&e);
		}
		if (unit && systemd_stop(unit, err) < 0)
			return -1;
		if (path && cgroup_destroy(path, err) < 0)
			return -1;
	}
	/* a create killed after moving netDevices: the pinned namespace still holds them */
	netdev_return(dirfd, -1);
	netdev_unpin_netns(dirfd);
	return state_remove_dir(root, id, dirfd, err);
}

/* Every process of a container that is not stopped gets SIGKILL: through the cgroup (thawed first: frozen
 * tasks do not die until thawed, and the wait after would wait for nothing), and the init by pidfd. */
static void kill_all(const struct opened_container *c)
{
	cleanup_close int pidfd = -1;
	struct error e = { 0 };

	if (c->status == STATUS_PAUSED) {
		cgroup_freeze(c->rec->cgroup_path, false, &e);
		error_clear(&e);
	}
	if (c->rec->cgroup_path) {
		cgroup_signal_all(c->rec->cgroup_path, SIGKILL, &e);
		error_clear(&e);
	}
	if (container_init_pidfd(c->rec, &pidfd, &e) == 0 && pidfd >= 0)
		syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
	error_clear(&e);
}

/* A container without a mount namespace: its mounts are in ours until detached (the mount noted at
 * create, only while it is still the one on top of the rootfs). */
static void detach_rootfs_mount(const struct opened_container *c)
{
	struct error e = { 0 };
	cleanup_free char *note = NULL;
	size_t len;
	uint64_t mnt;

	if (read_file_at(c->dirfd, ROOTFS_MOUNT_NOTE, 64, &note, &len, &e) == 0 && parse_u64(note, &mnt) == 0)
		rootfs_detach_top(c->rec->rootfs, mnt);
	error_clear(&e);
}

int container_delete(const char *root, const char *id, bool force, struct error *err)
{
	struct opened_container c;
	int r = -1;

	/* runc's contract: delete --force removes any container that exists, also one whose create is
	 * still running and holding the lock (stuck in a hook, say): that create is killed first */
	if (force && state_break_create(root, id, err) < 0)
		return -1;
	if (container_open(root, id, true, &c, err) < 0) {
		if (force && (err->errnum == ENOENT || state_damaged(err->errnum)))
			return delete_stateless(root, id, err);
		return -1;
	}
	if (c.status != STATUS_STOPPED && !force) {
		error_set(err, EBUSY, "cannot delete container '%s' that is %s: stop it or use --force", id,
			  status_name(c.status));
		goto out;
	}
	if (c.status != STATUS_STOPPED)
		kill_all(&c);
	/* also when stopped: an init killed before is stopped as soon as it is exiting, and a create
	 * of the same id, or the cgroup's removal, must not race the rest of its exit */
	if (wait_gone(id, c.rec, err) < 0)
		goto out;
	fault_point("delete.killed");
	if (c.rec->systemd_unit) {
		/* the processes are gone (killed above, or stopped): stopping the scope removes it and
		 * its cgroup, and a failed one is reset, so nothing is left in systemctl list-units */
		if (c.rec->cgroup_path) {
			struct error e = { 0 };
			cgroup_signal_all(c.rec->cgroup_path, SIGKILL, &e);
			error_clear(&e);
		}
		if (systemd_stop(c.rec->systemd_unit, err) < 0)
			goto out;
	}
	if (c.rec->cgroup_path && cgroup_destroy(c.rec->cgroup_path, err) < 0)
		goto out;
	detach_rootfs_mount(&c);
	fault_point("delete.cgroup");
	/* the init is gone: linux.netDevices come back from the namespace pinned for them */
	netdev_return(c.dirfd, -1);
	netdev_unpin_netns(c.dirfd);
	/* a hook finds the container's mount namespace gone, also after a `run` that held it */
	if (c.rec->has_poststop)
		mntns_release();
	container_state_hooks(c.rec, HOOK_POSTSTOP, "stopped");
	fault_point("delete.hooks");
	r = state_remove_dir(root, id, c.dirfd, err);
out:
	container_close(&c);
	return r;
}

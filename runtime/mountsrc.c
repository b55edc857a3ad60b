/* Bind-mount sources opened with the host's credentials, as runc does. In a user namespace the init is
 * no longer host root: a source inside a directory only root may search (0700), or reachable only
 * through the caller's groups, is out of its reach. A helper forked from husk joins the init's mount
 * namespace (so the descriptors name mounts the init may bind from), keeps the host's credentials,
 * opens every bind source O_PATH and hands the descriptors to the init over the sync socket. */
#define _GNU_SOURCE
#include "mountsrc.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/log.h"
#include "config/mountopt.h"
#include "sync.h"
#include "base/util.h"
#include "sysops.h"

static bool is_bind(const struct spec_mount *m)
{
	return m->opts.bind || (m->type && strcmp(m->type, "bind") == 0);
}

bool mountsrc_wanted(const struct spec *s, bool userns)
{
	/* only host root can open what the init cannot; a rootless husk has no more rights than it */
	if (!userns || geteuid() != 0)
		return false;
	for (size_t i = 0; i < s->n_mounts; i++)
		if (is_bind(&s->mounts[i]))
			return true;
	return false;
}

static char *source_path(const struct spec_mount *m, const char *bundle)
{
	const char *src = m->source ? m->source : "";

	return src[0] == '/' ? xstrdup(src) : xasprintf("%s/%s", bundle, src);
}

/* The helper: best effort. A source it cannot open is left to the init, whose own open reports the
 * error as before. */
static __attribute__((noreturn)) void helper(const struct spec *s, const char *bundle, int mntns, int sock)
{
	int fds[SYNC_MAX_FDS];
	uint32_t idx[SYNC_MAX_FDS];
	size_t n = 0;

	if (sysops->setns(mntns, CLONE_NEWNS) < 0)
		_exit(1);
	for (size_t i = 0; i <= s->n_mounts; i++) {
		if (n == SYNC_MAX_FDS || (i == s->n_mounts && n > 0)) {
			if (sync_send_fds(sock, SYNC_MOUNT_FDS, idx, n * sizeof *idx, fds, n, NULL) < 0)
				_exit(1);
			while (n > 0)
				close(fds[--n]);
		}
		if (i == s->n_mounts)
			break;
		if (!is_bind(&s->mounts[i]))
			continue;
		cleanup_free char *src = source_path(&s->mounts[i], bundle);
		int fd = open(src, O_PATH | O_CLOEXEC);
		if (fd < 0)
			continue;
		fds[n] = fd;
		idx[n++] = (uint32_t)i;
	}
	_exit(0);
}

int mountsrc_send(const struct spec *s, const char *bundle, pid_t init, int sock, struct error *err)
{
	char path[64];
	cleanup_close int mntns = -1;
	int st;
	pid_t pid;

	snprintf(path, sizeof path, "/proc/%d/ns/mnt", init);
	mntns = open(path, O_RDONLY | O_CLOEXEC);
	if (mntns < 0)
		return error_sys(err, errno, "open the container's mount namespace");
	log_debug("fork(): open the bind mount sources with the host's credentials in the container's mount "
		  "namespace");
	pid = fork();
	if (pid < 0)
		return error_sys(err, errno, "fork");
	if (pid == 0)
		helper(s, bundle, mntns, sock);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return error_sys(err, errno, "wait for the mount source helper");
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		log_debug("the mount source helper failed: the init opens the sources itself");
	/* the end of the list comes from us, so the init never waits on a helper that died */
	return sync_send(sock, SYNC_MOUNT_FDS, NULL, 0, err);
}

int mountsrc_take(const char *payload, size_t len, const int *fds, size_t n_fds, int *src_fds,
		  size_t n_mounts)
{
	uint32_t idx;

	if (len != n_fds * sizeof idx)
		return -1;
	for (size_t k = 0; k < n_fds; k++) {
		memcpy(&idx, payload + k * sizeof idx, sizeof idx);
		if (idx >= n_mounts || src_fds[idx] >= 0)
			return -1;
		src_fds[idx] = fds[k];
	}
	return 0;
}

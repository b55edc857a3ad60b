/* The parent <-> init message channel. */
#define _GNU_SOURCE
#include "sync.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "base/log.h"
#include "base/util.h"

static const char *const names[] = {
	[SYNC_MAPS_DONE] = "MAPS_DONE",
	[SYNC_HOOKS_RUN] = "HOOKS_RUN",
	[SYNC_HOOKS_DONE] = "HOOKS_DONE",
	[SYNC_READY] = "READY",
	[SYNC_ERROR] = "ERROR",
	[SYNC_COMMITTED] = "COMMITTED",
	[SYNC_CGROUP_JOIN] = "CGROUP_JOIN",
	[SYNC_MOUNT_FDS] = "MOUNT_FDS",
	[SYNC_NETDEV_DONE] = "NETDEV_DONE",
	[SYNC_CGROUP_MADE] = "CGROUP_MADE",
};

int sync_send(int fd, enum sync_msg type, const void *payload, size_t len, struct error *err)
{
	return sync_send_fds(fd, type, payload, len, NULL, 0, err);
}

int sync_send_fds(int fd, enum sync_msg type, const void *payload, size_t len, const int *fds, size_t n_fds,
		  struct error *err)
{
	uint32_t t = (uint32_t)type;
	struct iovec iov[2] = { { &t, sizeof t }, { (void *)payload, len } };
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = payload ? 2 : 1 };
	union {
		char buf[CMSG_SPACE(SYNC_MAX_FDS * sizeof(int))];
		struct cmsghdr align;
	} control;

	if (n_fds > SYNC_MAX_FDS)
		return error_set(err, EINVAL, "sync: too many descriptors in one message");
	if (n_fds) {
		struct cmsghdr *c;

		memset(&control, 0, sizeof control);
		mh.msg_control = control.buf;
		mh.msg_controllen = CMSG_SPACE(n_fds * sizeof(int));
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(n_fds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, n_fds * sizeof(int));
	}

	if (type != SYNC_ERROR && (size_t)type < ARRAY_SIZE(names))
		log_debug("sync: send %s", names[type]);

	for (;;) {
		if (sendmsg(fd, &mh, MSG_NOSIGNAL) >= 0)
			return 0;
		if (errno != EINTR)
			return error_sys(err, errno, "sync: send message %d", type);
	}
}

/* recv() one datagram, or peek its size (MSG_PEEK | MSG_TRUNC). A peer that exits with our last
 * message unread leaves ECONNRESET pending on this socket, and the kernel reports it (once) ahead of
 * the datagrams still queued, the init's error among them. The reset can land before the peek or
 * between the peek and the read: reading the error clears it, so either way try again (the peer
 * closes once, so this ends). */
static ssize_t recv_one(int fd, void *buf, size_t len, int flags)
{
	ssize_t n;
	int resets = 0;

	do
		n = recv(fd, buf, len, flags);
	while (n < 0 && (errno == EINTR || (errno == ECONNRESET && resets++ < 4)));
	return n;
}

/* recv_one for the datagram itself, with room for descriptors. */
static ssize_t recvmsg_one(int fd, struct msghdr *mh, int flags)
{
	ssize_t n;
	int resets = 0;

	do
		n = recvmsg(fd, mh, flags);
	while (n < 0 && (errno == EINTR || (errno == ECONNRESET && resets++ < 4)));
	return n;
}

int sync_recv(int fd, enum sync_msg *ret_type, char **ret_payload, size_t *ret_len, struct error *err)
{
	return sync_recv_fds(fd, ret_type, ret_payload, ret_len, NULL, NULL, err);
}

int sync_recv_fds(int fd, enum sync_msg *ret_type, char **ret_payload, size_t *ret_len, int *fds,
		  size_t *ret_n_fds, struct error *err)
{
	uint32_t t;
	ssize_t n;
	cleanup_free char *buf = NULL;
	union {
		char buf[CMSG_SPACE(SYNC_MAX_FDS * sizeof(int))];
		struct cmsghdr align;
	} control;
	struct iovec iov;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	/* peek the size first so an error text of any length arrives whole */
	n = recv_one(fd, &t, sizeof t, MSG_PEEK | MSG_TRUNC);
	if (n < 0)
		return error_sys(err, errno, "sync: receive");
	if (n == 0)
		return error_set(err, EPIPE, "container init exited during setup without reporting an error");
	if ((size_t)n < sizeof t)
		return error_set(err, EPROTO, "sync: short message");
	buf = xmalloc((size_t)n + 1);
	iov = (struct iovec){ buf, (size_t)n };
	if (fds) {
		mh.msg_control = control.buf;
		mh.msg_controllen = sizeof control.buf;
	}
	n = recvmsg_one(fd, &mh, MSG_CMSG_CLOEXEC);
	if (ret_n_fds)
		*ret_n_fds = 0;
	if (n >= 0 && fds) {
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
				size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
				memcpy(fds + *ret_n_fds, CMSG_DATA(c), k * sizeof(int));
				*ret_n_fds += k;
			}
	}
	if (n < (ssize_t)sizeof t)
		return error_sys(err, n < 0 ? errno : EPROTO, "sync: receive");
	buf[n] = '\0';
	memcpy(&t, buf, sizeof t);
	*ret_type = (enum sync_msg)t;
	if (ret_len)
		*ret_len = (size_t)n - sizeof t;
	if (ret_payload) {
		memmove(buf, buf + sizeof t, (size_t)n - sizeof t + 1);
		*ret_payload = steal_ptr(&buf);
	}
	return 0;
}

int sync_error_from(const char *payload, size_t len, struct error *err)
{
	int32_t errnum = EIO;

	/* the sender's errno first, then its message: the cause keeps its errno across processes */
	if (payload && len >= sizeof errnum) {
		memcpy(&errnum, payload, sizeof errnum);
		return error_set(err, errnum, "%s", payload + sizeof errnum);
	}
	return error_set(err, EIO, "%s", "container init reported an error without a message");
}

int sync_expect(int fd, enum sync_msg want, struct error *err)
{
	enum sync_msg type;
	cleanup_free char *payload = NULL;
	size_t len = 0;

	if (sync_recv(fd, &type, &payload, &len, err) < 0)
		return -1;
	if (type == SYNC_ERROR)
		return sync_error_from(payload, len, err);
	if (type != want)
		return error_set(err, EPROTO, "sync: expected message %d, got %d", want, type);
	return 0;
}

void sync_send_error(int fd, const struct error *err)
{
	const char *msg = err && err->msg ? err->msg : "unknown error";
	int32_t errnum = err && err->errnum ? err->errnum : EIO;
	size_t len = strlen(msg);
	cleanup_free char *payload = xmalloc(sizeof errnum + len + 1);

	memcpy(payload, &errnum, sizeof errnum);
	memcpy(payload + sizeof errnum, msg, len + 1);
	sync_send(fd, SYNC_ERROR, payload, sizeof errnum + len, NULL);
}

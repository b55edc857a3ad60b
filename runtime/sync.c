/* The parent <-> init message channel. */
#define _GNU_SOURCE
#include "sync.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "log.h"
#include "util.h"

static const char *const names[] = {
	[SYNC_MAPS_DONE] = "MAPS_DONE",
	[SYNC_HOOKS_RUN] = "HOOKS_RUN",
	[SYNC_HOOKS_DONE] = "HOOKS_DONE",
	[SYNC_READY] = "READY",
	[SYNC_ERROR] = "ERROR",
	[SYNC_COMMITTED] = "COMMITTED",
	[SYNC_PID] = "PID",
	[SYNC_CGROUP_DONE] = "CGROUP_DONE",
};

int sync_send(int fd, enum sync_msg type, const void *payload, size_t len, struct error *err)
{
	uint32_t t = (uint32_t)type;
	struct iovec iov[2] = { { &t, sizeof t }, { (void *)payload, len } };
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = payload ? 2 : 1 };

	if (type != SYNC_ERROR && (size_t)type < ARRAY_SIZE(names))
		log_debug("sync: send %s", names[type]);

	for (;;) {
		if (sendmsg(fd, &mh, MSG_NOSIGNAL) >= 0)
			return 0;
		if (errno != EINTR)
			return error_sys(err, errno, "sync: send message %d", type);
	}
}

int sync_recv(int fd, enum sync_msg *ret_type, char **ret_payload, size_t *ret_len, struct error *err)
{
	uint32_t t;
	ssize_t n;
	char *buf;
	int avail = 0;

	/* peek the size first so an error text of any length arrives whole. A peer that exits with our
	 * last message unread leaves ECONNRESET pending, and the kernel reports it before the messages
	 * still queued (the init's error among them): reading the error clears it, so try again. */
	int resets = 0;
	do
		n = recv(fd, &t, sizeof t, MSG_PEEK | MSG_TRUNC);
	while (n < 0 && (errno == EINTR || (errno == ECONNRESET && resets++ < 2)));
	if (n < 0)
		return error_sys(err, errno, "sync: receive");
	if (n == 0)
		return error_set(err, EPIPE, "container init exited during setup without reporting an error");
	if ((size_t)n < sizeof t)
		return error_set(err, EPROTO, "sync: short message");
	avail = (int)n;
	buf = xmalloc((size_t)avail + 1);
	do
		n = recv(fd, buf, (size_t)avail, 0);
	while (n < 0 && errno == EINTR);
	if (n < (ssize_t)sizeof t) {
		free(buf);
		return error_sys(err, n < 0 ? errno : EPROTO, "sync: receive");
	}
	buf[n] = '\0';
	memcpy(&t, buf, sizeof t);
	*ret_type = (enum sync_msg)t;
	if (ret_len)
		*ret_len = (size_t)n - sizeof t;
	if (ret_payload) {
		memmove(buf, buf + sizeof t, (size_t)n - sizeof t + 1);
		*ret_payload = buf;
	} else {
		free(buf);
	}
	return 0;
}

int sync_expect(int fd, enum sync_msg want, struct error *err)
{
	enum sync_msg type;
	cleanup_free char *payload = NULL;

	if (sync_recv(fd, &type, &payload, NULL, err) < 0)
		return -1;
	if (type == SYNC_ERROR)
		return error_set(err, EIO, "%s", payload);
	if (type != want)
		return error_set(err, EPROTO, "sync: expected message %d, got %d", want, type);
	return 0;
}

void sync_send_error(int fd, const struct error *err)
{
	const char *msg = err && err->msg ? err->msg : "unknown error";

	sync_send(fd, SYNC_ERROR, msg, strlen(msg), NULL);
}

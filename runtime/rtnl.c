/* rtnetlink for linux.netDevices: the requests of rtnl.h, each one message and its acknowledgement
 * (or a dump up to NLMSG_DONE), on a socket that never waits more than 10 s for the kernel. */
#define _GNU_SOURCE
#include "rtnl.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"
#include "narrate.h"

#define NL_BUF 8192
/* address flags a user may set (ip-address(8)); the others are the kernel's own state */
#define ADDR_USER_FLAGS                                                                                      \
	(IFA_F_NODAD | IFA_F_HOMEADDRESS | IFA_F_MANAGETEMPADDR | IFA_F_NOPREFIXROUTE | IFA_F_MCAUTOJOIN)

struct req {
	struct nlmsghdr h;
	char body[1024];
} __attribute__((aligned(NLMSG_ALIGNTO)));

static void *req_init(struct req *r, int type, int flags, size_t hdr_len)
{
	memset(r, 0, sizeof *r);
	r->h.nlmsg_len = (uint32_t)NLMSG_LENGTH(hdr_len);
	r->h.nlmsg_type = (uint16_t)type;
	r->h.nlmsg_flags = (uint16_t)(NLM_F_REQUEST | flags);
	return NLMSG_DATA(&r->h);
}

static void req_attr(struct req *r, int type, const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *)((char *)r + NLMSG_ALIGN(r->h.nlmsg_len));

	if (NLMSG_ALIGN(r->h.nlmsg_len) + RTA_SPACE(len) > sizeof *r)
		abort(); /* the requests here are a few dozen bytes: a bug, not an input */

	a->rta_type = (unsigned short)type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	r->h.nlmsg_len = (uint32_t)(NLMSG_ALIGN(r->h.nlmsg_len) + RTA_ALIGN(a->rta_len));
}

int rtnl_socket(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	/* the kernel answers at once; a lost answer must fail the command, never hang it */
	struct timeval tv = { .tv_sec = 10 };

	if (fd >= 0 && (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0 ||
			bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0)) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* A socket of the network namespace netfd: it stays there whatever namespace husk is in later. husk
 * steps in only to make it and comes straight back (a failure to come back is an error, so hooks and
 * everything after never run in the container's namespace). */
int rtnl_socket_in(int netfd, struct error *err)
{
	cleanup_close int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	int fd, e;

	if (self < 0)
		return error_sys(err, errno, "open /proc/self/ns/net");
	if (say_setns(netfd, CLONE_NEWNET, "the container's network namespace") < 0)
		return error_sys(err, errno, "enter the container's network namespace");
	fd = rtnl_socket();
	e = errno;
	if (say_setns(self, CLONE_NEWNET, "/proc/self/ns/net") < 0) {
		e = errno;
		if (fd >= 0)
			close(fd);
		return error_sys(err, e, "return to husk's network namespace");
	}
	if (fd < 0)
		return error_sys(err, e, "netlink socket in the container's network namespace");
	return fd;
}

typedef int (*nl_cb)(const struct nlmsghdr *h, void *ctx);

/* Send r and read the answer up to its acknowledgement (or, for a dump, NLMSG_DONE), each data message
 * through cb. Returns 0 or -errno; -EAGAIN for a dump the kernel says was interrupted by a change. */
static int nl_talk(int fd, struct req *r, nl_cb cb, void *ctx)
{
	static uint32_t seq;
	/* NLM_F_DUMP is two bits, one of them NLM_F_REPLACE's: a NEWADDR with REPLACE is no dump */
	bool dump = (r->h.nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP, intr = false;
	cleanup_free char *buf = xmalloc(NL_BUF);

	if (!dump)
		r->h.nlmsg_flags |= NLM_F_ACK;
	r->h.nlmsg_seq = ++seq;
	if (send(fd, &r->h, r->h.nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		ssize_t n = recv(fd, buf, NL_BUF, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EPROTO;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != r->h.nlmsg_seq)
				continue;
			if (h->nlmsg_flags & NLM_F_DUMP_INTR)
				intr = true;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);
				if (h->nlmsg_len < NLMSG_LENGTH(sizeof *e))
					return -EPROTO;
				return e->error;
			}
			if (h->nlmsg_type == NLMSG_DONE)
				return intr ? -EAGAIN : 0;
			if (cb && cb(h, ctx) < 0)
				return -EPROTO;
		}
	}
}

static int parse_link(const struct nlmsghdr *h, void *ctx)
{
	struct rtnl_link *l = ctx;
	const struct ifinfomsg *ifi = NLMSG_DATA(h);
	int len = (int)IFLA_PAYLOAD(h);

	if (h->nlmsg_type != RTM_NEWLINK)
		return 0;
	memset(l, 0, sizeof *l);
	l->index = ifi->ifi_index;
	l->flags = ifi->ifi_flags;
	for (const struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == IFLA_IFNAME)
			snprintf(l->name, sizeof l->name, "%.*s", (int)RTA_PAYLOAD(a),
				 (const char *)RTA_DATA(a));
		if (a->rta_type == IFLA_LINKINFO) {
			int ilen = (int)RTA_PAYLOAD(a);
			for (const struct rtattr *i = RTA_DATA(a); RTA_OK(i, ilen); i = RTA_NEXT(i, ilen))
				if (i->rta_type == IFLA_INFO_KIND)
					snprintf(l->kind, sizeof l->kind, "%.*s", (int)RTA_PAYLOAD(i),
						 (const char *)RTA_DATA(i));
		}
	}
	return 0;
}

/* By name (index 0) or by index. Returns 0 or -errno (-ENODEV: no such link). */
int rtnl_get_link(int fd, const char *name, int index, struct rtnl_link *ret)
{
	struct req r;
	struct ifinfomsg *ifi = req_init(&r, RTM_GETLINK, 0, sizeof *ifi);

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = index;
	if (name)
		req_attr(&r, IFLA_IFNAME, name, strlen(name) + 1);
	ret->index = 0;
	int e = nl_talk(fd, &r, parse_link, ret);
	return e < 0 ? e : ret->index > 0 ? 0 : -ENODEV;
}

static int parse_addr(const struct nlmsghdr *h, void *ctx)
{
	struct rtnl_addrs *as = ctx;
	const struct ifaddrmsg *ifa = NLMSG_DATA(h);
	int len = (int)IFA_PAYLOAD(h);
	struct rtnl_addr a = { .family = ifa->ifa_family,
			       .prefixlen = ifa->ifa_prefixlen,
			       .scope = ifa->ifa_scope,
			       .flags = ifa->ifa_flags };
	size_t size = ifa->ifa_family == AF_INET6 ? 16 : 4;

	if (h->nlmsg_type != RTM_NEWADDR || (int)ifa->ifa_index != as->index)
		return 0;
	for (const struct rtattr *r = IFA_RTA(ifa); RTA_OK(r, len); r = RTA_NEXT(r, len)) {
		if (r->rta_type == IFA_FLAGS && RTA_PAYLOAD(r) == 4)
			memcpy(&a.flags, RTA_DATA(r), 4);
		if (RTA_PAYLOAD(r) != size)
			continue;
		if (r->rta_type == IFA_LOCAL)
			a.has_local = true, memcpy(a.local, RTA_DATA(r), size);
		if (r->rta_type == IFA_ADDRESS)
			a.has_address = true, memcpy(a.address, RTA_DATA(r), size);
		if (r->rta_type == IFA_BROADCAST)
			a.has_brd = true, memcpy(a.brd, RTA_DATA(r), size);
	}
	/* runtime-spec: the permanent addresses of global scope move with the device; the others
	 * (link-local, host, dynamic with a lifetime) belong to where the device was */
	if (!(a.flags & IFA_F_PERMANENT) || a.scope != RT_SCOPE_UNIVERSE ||
	    (a.family != AF_INET && a.family != AF_INET6) || as->n == RTNL_MAX_ADDRS)
		return 0;
	as->v[as->n++] = a;
	return 0;
}

int rtnl_list_addrs(int fd, int index, struct rtnl_addrs *ret)
{
	for (int tries = 0;; tries++) {
		struct req r;
		struct ifaddrmsg *ifa = req_init(&r, RTM_GETADDR, NLM_F_DUMP, sizeof *ifa);
		ifa->ifa_family = AF_UNSPEC;
		ret->index = index;
		ret->n = 0;
		int e = nl_talk(fd, &r, parse_addr, ret);
		if (e != -EAGAIN || tries == 5)
			return e;
	}
}

int rtnl_add_addr(int fd, int index, const struct rtnl_addr *a)
{
	struct req r;
	struct ifaddrmsg *ifa = req_init(&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, sizeof *ifa);
	size_t size = a->family == AF_INET6 ? 16 : 4;
	uint32_t flags = a->flags & ADDR_USER_FLAGS;

	ifa->ifa_family = a->family;
	ifa->ifa_prefixlen = a->prefixlen;
	ifa->ifa_scope = a->scope;
	ifa->ifa_index = (unsigned)index;
	ifa->ifa_flags = (unsigned char)flags;
	if (a->has_local)
		req_attr(&r, IFA_LOCAL, a->local, size);
	if (a->has_address)
		req_attr(&r, IFA_ADDRESS, a->address, size);
	if (a->has_brd)
		req_attr(&r, IFA_BROADCAST, a->brd, size);
	if (flags > 0xff)
		req_attr(&r, IFA_FLAGS, &flags, sizeof flags);
	return nl_talk(fd, &r, NULL, NULL);
}

int rtnl_set_up(int fd, int index, bool up)
{
	struct req r;
	struct ifinfomsg *ifi = req_init(&r, RTM_NEWLINK, 0, sizeof *ifi);

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = index;
	ifi->ifi_flags = up ? IFF_UP : 0;
	ifi->ifi_change = IFF_UP;
	return nl_talk(fd, &r, NULL, NULL);
}

/* One message moves and renames: the name never exists twice on either side. The kernel moves first
 * (under the old name) and renames in the target, so a rename refused there leaves the device moved. */
int rtnl_move_link(int fd, int index, int netfd, const char *name)
{
	struct req r;
	struct ifinfomsg *ifi = req_init(&r, RTM_NEWLINK, 0, sizeof *ifi);
	uint32_t nsfd = (uint32_t)netfd;

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = index;
	req_attr(&r, IFLA_NET_NS_FD, &nsfd, sizeof nsfd);
	req_attr(&r, IFLA_IFNAME, name, strlen(name) + 1);
	log_debug("rtnetlink RTM_NEWLINK {index %d, IFLA_NET_NS_FD, IFLA_IFNAME \"%s\"}", index, name);
	return nl_talk(fd, &r, NULL, NULL);
}

/* linux.netDevices over rtnetlink: find a link, list its addresses, move and rename it in one
 * RTM_NEWLINK (IFLA_NET_NS_FD + IFLA_IFNAME), add addresses, set it up or down. The parent of create does
 * it (the init only waits), delete and a failed create's rollback undo it from the note the move left in
 * the state directory. */
#define _GNU_SOURCE
#include "netdev.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/nsfs.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"
#include "config/spec.h"
#include "narrate.h"

#define NL_BUF	  8192
#define MAX_ADDRS 64
#define NOTE_MAX  (1u << 20)
#define KIND_SIZE 32
/* address flags a user may set (ip-address(8)); the others are the kernel's own state */
#define ADDR_USER_FLAGS                                                                                      \
	(IFA_F_NODAD | IFA_F_HOMEADDRESS | IFA_F_MANAGETEMPADDR | IFA_F_NOPREFIXROUTE | IFA_F_MCAUTOJOIN)

struct link {
	int index;
	unsigned flags;
	char name[IFNAMSIZ];
	char kind[KIND_SIZE]; /* IFLA_INFO_KIND, "" for a physical device */
};

struct addr {
	unsigned char family, prefixlen, scope;
	uint32_t flags;
	unsigned char local[16], address[16], brd[16];
	bool has_local, has_address, has_brd;
};

struct addrs {
	int index;
	size_t n;
	struct addr v[MAX_ADDRS];
};

/* ---- rtnetlink ---- */

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

static int nl_socket(void)
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
static int nl_socket_in(int netfd, struct error *err)
{
	cleanup_close int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	int fd, e;

	if (self < 0)
		return error_sys(err, errno, "open /proc/self/ns/net");
	if (say_setns(netfd, CLONE_NEWNET, "the container's network namespace") < 0)
		return error_sys(err, errno, "enter the container's network namespace");
	fd = nl_socket();
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
	struct link *l = ctx;
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
static int get_link(int fd, const char *name, int index, struct link *ret)
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
	struct addrs *as = ctx;
	const struct ifaddrmsg *ifa = NLMSG_DATA(h);
	int len = (int)IFA_PAYLOAD(h);
	struct addr a = { .family = ifa->ifa_family,
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
	    (a.family != AF_INET && a.family != AF_INET6) || as->n == MAX_ADDRS)
		return 0;
	as->v[as->n++] = a;
	return 0;
}

static int list_addrs(int fd, int index, struct addrs *ret)
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

static int add_addr(int fd, int index, const struct addr *a)
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

static int set_up(int fd, int index, bool up)
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
static int move_link(int fd, int index, int netfd, const char *name)
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

/* ---- the note: one "dev" line per device, its host addresses after it ---- */

struct noted {
	char host[IFNAMSIZ], ctr[IFNAMSIZ], kind[KIND_SIZE];
	int index; /* in the container's namespace */
	bool up;
	struct addrs addrs;
};

static void hex(char **s, const unsigned char *b, size_t n, bool has)
{
	char *old = *s;

	if (!has) {
		*s = xasprintf("%s -", old);
	} else {
		char h[33];
		for (size_t i = 0; i < n; i++)
			snprintf(h + 2 * i, 3, "%02x", b[i]);
		*s = xasprintf("%s %s", old, h);
	}
	free(old);
}

static char *note_line(const struct noted *d)
{
	char *s = xasprintf("dev %s %s %d %d %s\n", d->host, d->ctr, d->index, d->up ? 1 : 0,
			    d->kind[0] ? d->kind : "-");
	for (size_t i = 0; i < d->addrs.n; i++) {
		const struct addr *a = &d->addrs.v[i];
		size_t size = a->family == AF_INET6 ? 16 : 4;
		char *l = xasprintf("addr %u %u %u %u", a->family, a->prefixlen, a->scope, a->flags);
		hex(&l, a->local, size, a->has_local);
		hex(&l, a->address, size, a->has_address);
		hex(&l, a->brd, size, a->has_brd);
		char *t = xasprintf("%s%s\n", s, l);
		free(s);
		free(l);
		s = t;
	}
	return s;
}

static int write_note(int dirfd, const struct noted *v, size_t n, struct error *err)
{
	cleanup_free char *all = xstrdup("");

	for (size_t i = 0; i < n; i++) {
		cleanup_free char *l = note_line(&v[i]);
		char *t = xasprintf("%s%s", all, l);
		free(all);
		all = t;
	}
	return write_file_atomic(dirfd, NETDEV_NOTE, all, strlen(all), 0600, err);
}

static bool unhex(const char *s, unsigned char *b, size_t n, bool *has)
{
	*has = strcmp(s, "-") != 0;
	if (!*has)
		return true;
	if (strlen(s) != 2 * n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (sscanf(s + 2 * i, "%2hhx", &b[i]) != 1)
			return false;
	return true;
}

static size_t read_note(int dirfd, struct noted **ret)
{
	cleanup_free char *data = NULL;
	struct noted *v = NULL;
	size_t n = 0, len;
	struct error e = { 0 };
	char *save = NULL;

	*ret = NULL;
	if (read_file_at(dirfd, NETDEV_NOTE, NOTE_MAX, &data, &len, &e) < 0) {
		error_clear(&e);
		return 0;
	}
	for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char a1[40], a2[40], a3[40], kind[KIND_SIZE];
		unsigned fam, plen, scope, flags;
		int up;
		if (strncmp(line, "dev ", 4) == 0) {
			v = xrealloc(v, (n + 1) * sizeof *v);
			memset(&v[n], 0, sizeof v[n]);
			if (sscanf(line, "dev %15s %15s %d %d %31s", v[n].host, v[n].ctr, &v[n].index, &up,
				   kind) != 5)
				continue;
			v[n].up = up == 1;
			snprintf(v[n].kind, sizeof v[n].kind, "%s", strcmp(kind, "-") == 0 ? "" : kind);
			n++;
		} else if (n > 0 && v[n - 1].addrs.n < MAX_ADDRS &&
			   sscanf(line, "addr %u %u %u %u %39s %39s %39s", &fam, &plen, &scope, &flags, a1,
				  a2, a3) == 7) {
			struct addr *a = &v[n - 1].addrs.v[v[n - 1].addrs.n];
			size_t size = fam == AF_INET6 ? 16 : 4;
			a->family = (unsigned char)fam;
			a->prefixlen = (unsigned char)plen;
			a->scope = (unsigned char)scope;
			a->flags = flags;
			if (unhex(a1, a->local, size, &a->has_local) &&
			    unhex(a2, a->address, size, &a->has_address) &&
			    unhex(a3, a->brd, size, &a->has_brd))
				v[n - 1].addrs.n++;
		}
	}
	*ret = v;
	return n;
}

/* ---- create ---- */

/* "config.json: .linux.netDevices["eth9"]<field>: <message>" */
__attribute__((format(printf, 5, 6))) static int dev_error(struct error *err, int errnum,
							   const struct spec_net_device *d, const char *field,
							   const char *fmt, ...)
{
	cleanup_free char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	return error_set(err, errnum, "config.json: .linux.netDevices[\"%s\"]%s: %s", d->host_name, field,
			 msg ? msg : "out of memory");
}

#define NO_DEVICE "network interface '%s' does not exist on the host"

int netdev_check_host(const struct spec_linux *l, struct error *err)
{
	cleanup_close int fd = -1;

	if (l->n_net_devices == 0)
		return 0;
	fd = nl_socket();
	if (fd < 0)
		return error_sys(err, errno, "config.json: .linux.netDevices: netlink socket");
	for (size_t i = 0; i < l->n_net_devices; i++) {
		const struct spec_net_device *d = &l->net_devices[i];
		struct link k;
		int e = get_link(fd, d->host_name, 0, &k);
		if (e == -ENODEV)
			return dev_error(err, ENODEV, d, "", NO_DEVICE, d->host_name);
		if (e < 0)
			return error_sys(err, -e, "config.json: .linux.netDevices[\"%s\"]: look up '%s'",
					 d->host_name, d->host_name);
	}
	return 0;
}

static int move_one(int host, int ns, int netfd, const struct spec_net_device *d, struct noted *v, size_t *n,
		    int dirfd, struct error *err)
{
	const char *name = d->name ? d->name : d->host_name;
	const char *field = d->name ? ".name" : "";
	struct noted *nd = &v[*n];
	struct link k, in;
	int e;

	if ((e = get_link(host, d->host_name, 0, &k)) < 0)
		return e == -ENODEV
			   ? dev_error(err, ENODEV, d, "", NO_DEVICE, d->host_name)
			   : error_sys(err, -e, "config.json: .linux.netDevices[\"%s\"]", d->host_name);
	/* the spec's "%d" template asks the kernel for a free name: no clash to find beforehand */
	if (strchr(name, '%') == NULL && get_link(ns, name, 0, &in) == 0)
		return dev_error(
		    err, EEXIST, d, field,
		    "name clash: the container's network namespace has an interface '%s' already", name);
	memset(nd, 0, sizeof *nd);
	snprintf(nd->host, sizeof nd->host, "%s", d->host_name);
	snprintf(nd->ctr, sizeof nd->ctr, "%s", name);
	snprintf(nd->kind, sizeof nd->kind, "%s", k.kind);
	nd->index = k.index;
	nd->up = k.flags & IFF_UP;
	if ((e = list_addrs(host, k.index, &nd->addrs)) < 0)
		return error_sys(err, -e, "config.json: .linux.netDevices[\"%s\"]: addresses of '%s'",
				 d->host_name, d->host_name);
	/* noted before the move: a create killed right after it still leaves what brings it back */
	if (write_note(dirfd, v, *n + 1, err) < 0)
		return -1;
	(*n)++;
	/* down first, as runc: nothing on the host keeps using it while it changes namespace */
	if (nd->up && (e = set_up(host, k.index, false)) < 0)
		return error_sys(err, -e, "config.json: .linux.netDevices[\"%s\"]: set '%s' down",
				 d->host_name, d->host_name);
	if ((e = move_link(host, k.index, netfd, name)) < 0)
		return error_sys(
		    err, -e,
		    "config.json: .linux.netDevices[\"%s\"]: move '%s' into the container's network "
		    "namespace as '%s'",
		    d->host_name, d->host_name, name);
	/* the kernel keeps the index unless the target uses it; a "%d" name is found by index too */
	if (get_link(ns, NULL, k.index, &in) < 0 && get_link(ns, name, 0, &in) < 0)
		return error_set(err, ENODEV,
				 "config.json: .linux.netDevices[\"%s\"]: '%s' moved but not found in the "
				 "container's network namespace",
				 d->host_name, name);
	if (in.index != nd->index) {
		nd->index = in.index;
		if (write_note(dirfd, v, *n, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < nd->addrs.n; i++)
		if ((e = add_addr(ns, in.index, &nd->addrs.v[i])) < 0)
			return error_sys(
			    err, -e,
			    "config.json: .linux.netDevices[\"%s\"]: add its address #%zu in the "
			    "container",
			    d->host_name, i + 1);
	/* runtime-spec: up once in the container's namespace */
	if ((e = set_up(ns, in.index, true)) < 0)
		return error_sys(err, -e,
				 "config.json: .linux.netDevices[\"%s\"]: set '%s' up in the container",
				 d->host_name, in.name);
	return 0;
}

int netdev_move_in(const struct spec_linux *l, int netfd, int dirfd, struct error *err)
{
	cleanup_close int host = -1, ns = -1;
	cleanup_free struct noted *v = NULL;
	size_t n = 0;

	if (l->n_net_devices == 0)
		return 0;
	host = nl_socket();
	if (host < 0)
		return error_sys(err, errno, "config.json: .linux.netDevices: netlink socket");
	ns = nl_socket_in(netfd, err);
	if (ns < 0)
		return error_wrap(err, "config.json: .linux.netDevices");
	v = xcalloc(l->n_net_devices, sizeof *v);
	for (size_t i = 0; i < l->n_net_devices; i++)
		if (move_one(host, ns, netfd, &l->net_devices[i], v, &n, dirfd, err) < 0)
			return -1;
	return 0;
}

/* ---- delete, rollback ---- */

int netdev_pin_netns(int netfd, int dirfd, struct error *err)
{
	char src[64], target[64];
	cleanup_close int fd = openat(dirfd, NETNS_PIN, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0400);

	if (fd < 0)
		return error_sys(err, errno, "create %s in the state directory", NETNS_PIN);
	snprintf(src, sizeof src, "/proc/self/fd/%d", netfd);
	snprintf(target, sizeof target, "/proc/self/fd/%d/%s", dirfd, NETNS_PIN);
	if (say_mount(src, target, "<state dir>/" NETNS_PIN, NULL, MS_BIND, NULL) < 0)
		return error_sys(err, errno,
				 "bind the container's network namespace into the state directory");
	return 0;
}

static void return_one(int host, int ns, int hostns, const struct noted *d)
{
	struct link k;
	int e;

	/* by index and kind: the container may have renamed it; a device it made itself (another kind)
	 * never reaches the host */
	if ((get_link(ns, NULL, d->index, &k) < 0 || strcmp(k.kind, d->kind) != 0) &&
	    (get_link(ns, d->ctr, 0, &k) < 0 || strcmp(k.kind, d->kind) != 0)) {
		log_warn("linux.netDevices[\"%s\"]: no longer in the container's network namespace, ignoring",
			 d->host);
		return;
	}
	if (get_link(host, d->host, 0, &(struct link){ 0 }) == 0) {
		log_warn("linux.netDevices[\"%s\"]: the host has an interface '%s' again: '%s' stays in the "
			 "container's network namespace, ignoring",
			 d->host, d->host, k.name);
		return;
	}
	set_up(ns, k.index, false);
	if ((e = move_link(ns, k.index, hostns, d->host)) < 0) {
		log_warn("linux.netDevices[\"%s\"]: move '%s' back to the host: %s, ignoring", d->host,
			 k.name, strerror(-e));
		return;
	}
	if (get_link(host, d->host, 0, &k) < 0)
		return;
	for (size_t i = 0; i < d->addrs.n; i++)
		if ((e = add_addr(host, k.index, &d->addrs.v[i])) < 0)
			log_warn("linux.netDevices[\"%s\"]: restore its address #%zu: %s, ignoring", d->host,
				 i + 1, strerror(-e));
	if (d->up && (e = set_up(host, k.index, true)) < 0)
		log_warn("linux.netDevices[\"%s\"]: set it up again: %s, ignoring", d->host, strerror(-e));
}

void netdev_return(int dirfd, int netfd)
{
	cleanup_close int pinned = -1, host = -1, ns = -1, hostns = -1;
	cleanup_free struct noted *v = NULL;
	struct error e = { 0 };
	size_t n;

	if (netfd < 0) {
		pinned = openat(dirfd, NETNS_PIN, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		/* an empty file: the create died before the bind, so before any move */
		if (pinned < 0 || ioctl(pinned, NS_GET_NSTYPE) != CLONE_NEWNET)
			return;
		netfd = pinned;
	}
	n = read_note(dirfd, &v);
	if (n == 0)
		return;
	host = nl_socket();
	hostns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ns = nl_socket_in(netfd, &e);
	if (host < 0 || hostns < 0 || ns < 0) {
		log_warn(
		    "linux.netDevices: cannot reach the network namespaces (%s): the devices stay in the "
		    "container's, ignoring",
		    e.msg ? e.msg : strerror(errno));
		error_clear(&e);
		return;
	}
	while (n-- > 0)
		return_one(host, ns, hostns, &v[n]);
}

void netdev_unpin_netns(int dirfd)
{
	char target[64];
	struct stat st;

	if (fstatat(dirfd, NETNS_PIN, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return;
	snprintf(target, sizeof target, "/proc/self/fd/%d/%s", dirfd, NETNS_PIN);
	if (say_umount2(target, MNT_DETACH) < 0 && errno != EINVAL)
		log_warn("unmount the container's network namespace from the state directory: %s, ignoring",
			 strerror(errno));
	unlinkat(dirfd, NETNS_PIN, 0);
}

/* linux.netDevices: find each device on the host, move and rename it into the container's network
 * namespace with its addresses, set it up or down (the requests are rtnl.c's). The parent of create does
 * it (the init only waits), delete and a failed create's rollback undo it from the note the move left in
 * the state directory. */
#define _GNU_SOURCE
#include "netdev.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"
#include "config/spec.h"
#include "narrate.h"
#include "rtnl.h"

#define NOTE_MAX (1u << 20)

/* ---- the note: one "dev" line per device, its host addresses after it ---- */

struct noted {
	char host[IFNAMSIZ], ctr[IFNAMSIZ], kind[RTNL_KIND_SIZE];
	int index; /* in the container's namespace */
	bool up;
	struct rtnl_addrs addrs;
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
		const struct rtnl_addr *a = &d->addrs.v[i];
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
		char a1[40], a2[40], a3[40], kind[RTNL_KIND_SIZE];
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
		} else if (n > 0 && v[n - 1].addrs.n < RTNL_MAX_ADDRS &&
			   sscanf(line, "addr %u %u %u %u %39s %39s %39s", &fam, &plen, &scope, &flags, a1,
				  a2, a3) == 7) {
			struct rtnl_addr *a = &v[n - 1].addrs.v[v[n - 1].addrs.n];
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
	fd = rtnl_socket();
	if (fd < 0)
		return error_sys(err, errno, "config.json: .linux.netDevices: netlink socket");
	for (size_t i = 0; i < l->n_net_devices; i++) {
		const struct spec_net_device *d = &l->net_devices[i];
		struct rtnl_link k;
		int e = rtnl_get_link(fd, d->host_name, 0, &k);
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
	struct rtnl_link k, in;
	int e;

	if ((e = rtnl_get_link(host, d->host_name, 0, &k)) < 0)
		return e == -ENODEV
			   ? dev_error(err, ENODEV, d, "", NO_DEVICE, d->host_name)
			   : error_sys(err, -e, "config.json: .linux.netDevices[\"%s\"]", d->host_name);
	/* the spec's "%d" template asks the kernel for a free name: no clash to find beforehand */
	if (strchr(name, '%') == NULL && rtnl_get_link(ns, name, 0, &in) == 0)
		return dev_error(
		    err, EEXIST, d, field,
		    "name clash: the container's network namespace has an interface '%s' already", name);
	memset(nd, 0, sizeof *nd);
	snprintf(nd->host, sizeof nd->host, "%s", d->host_name);
	snprintf(nd->ctr, sizeof nd->ctr, "%s", name);
	snprintf(nd->kind, sizeof nd->kind, "%s", k.kind);
	nd->index = k.index;
	nd->up = k.flags & IFF_UP;
	if ((e = rtnl_list_addrs(host, k.index, &nd->addrs)) < 0)
		return error_sys(err, -e, "config.json: .linux.netDevices[\"%s\"]: addresses of '%s'",
				 d->host_name, d->host_name);
	/* noted before the move: a create killed right after it still leaves what brings it back */
	if (write_note(dirfd, v, *n + 1, err) < 0)
		return -1;
	(*n)++;
	/* down first, as runc: nothing on the host keeps using it while it changes namespace */
	if (nd->up && (e = rtnl_set_up(host, k.index, false)) < 0)
		return error_sys(err, -e, "config.json: .linux.netDevices[\"%s\"]: set '%s' down",
				 d->host_name, d->host_name);
	if ((e = rtnl_move_link(host, k.index, netfd, name)) < 0)
		return error_sys(
		    err, -e,
		    "config.json: .linux.netDevices[\"%s\"]: move '%s' into the container's network "
		    "namespace as '%s'",
		    d->host_name, d->host_name, name);
	/* the kernel keeps the index unless the target uses it; a "%d" name is found by index too */
	if (rtnl_get_link(ns, NULL, k.index, &in) < 0 && rtnl_get_link(ns, name, 0, &in) < 0)
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
		if ((e = rtnl_add_addr(ns, in.index, &nd->addrs.v[i])) < 0)
			return error_sys(
			    err, -e,
			    "config.json: .linux.netDevices[\"%s\"]: add its address #%zu in the "
			    "container",
			    d->host_name, i + 1);
	/* runtime-spec: up once in the container's namespace */
	if ((e = rtnl_set_up(ns, in.index, true)) < 0)
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
	host = rtnl_socket();
	if (host < 0)
		return error_sys(err, errno, "config.json: .linux.netDevices: netlink socket");
	ns = rtnl_socket_in(netfd, err);
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
	struct rtnl_link k;
	int e;

	/* by index and kind: the container may have renamed it; a device it made itself (another kind)
	 * never reaches the host */
	if ((rtnl_get_link(ns, NULL, d->index, &k) < 0 || strcmp(k.kind, d->kind) != 0) &&
	    (rtnl_get_link(ns, d->ctr, 0, &k) < 0 || strcmp(k.kind, d->kind) != 0)) {
		log_warn("linux.netDevices[\"%s\"]: no longer in the container's network namespace, ignoring",
			 d->host);
		return;
	}
	if (rtnl_get_link(host, d->host, 0, &(struct rtnl_link){ 0 }) == 0) {
		log_warn("linux.netDevices[\"%s\"]: the host has an interface '%s' again: '%s' stays in the "
			 "container's network namespace, ignoring",
			 d->host, d->host, k.name);
		return;
	}
	rtnl_set_up(ns, k.index, false);
	if ((e = rtnl_move_link(ns, k.index, hostns, d->host)) < 0) {
		log_warn("linux.netDevices[\"%s\"]: move '%s' back to the host: %s, ignoring", d->host,
			 k.name, strerror(-e));
		return;
	}
	if (rtnl_get_link(host, d->host, 0, &k) < 0)
		return;
	for (size_t i = 0; i < d->addrs.n; i++)
		if ((e = rtnl_add_addr(host, k.index, &d->addrs.v[i])) < 0)
			log_warn("linux.netDevices[\"%s\"]: restore its address #%zu: %s, ignoring", d->host,
				 i + 1, strerror(-e));
	if (d->up && (e = rtnl_set_up(host, k.index, true)) < 0)
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
	host = rtnl_socket();
	hostns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ns = rtnl_socket_in(netfd, &e);
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

/* The few rtnetlink requests linux.netDevices needs (netdev.c): a NETLINK_ROUTE socket (here or in a
 * container's network namespace), a link by name or index, its addresses, an address added, a link set
 * up or down, moved and renamed in one message. Each request returns 0 or -errno. */
#ifndef HUSK_RTNL_H
#define HUSK_RTNL_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"

#define RTNL_MAX_ADDRS 64
#define RTNL_KIND_SIZE 32

struct rtnl_link {
	int index;
	unsigned flags;
	char name[IFNAMSIZ];
	char kind[RTNL_KIND_SIZE]; /* IFLA_INFO_KIND, "" for a physical device */
};

struct rtnl_addr {
	unsigned char family, prefixlen, scope;
	uint32_t flags;
	unsigned char local[16], address[16], brd[16];
	bool has_local, has_address, has_brd;
};

struct rtnl_addrs {
	int index;
	size_t n;
	struct rtnl_addr v[RTNL_MAX_ADDRS];
};

/* A NETLINK_ROUTE socket in husk's network namespace (-1 and errno on failure). */
int rtnl_socket(void);
/* The same in the network namespace netfd; husk comes straight back to its own. */
int rtnl_socket_in(int netfd, struct error *err);
/* By name (index 0) or by index. Returns 0 or -errno (-ENODEV: no such link). */
int rtnl_get_link(int fd, const char *name, int index, struct rtnl_link *ret);
/* Every address of link index. */
int rtnl_list_addrs(int fd, int index, struct rtnl_addrs *ret);
int rtnl_add_addr(int fd, int index, const struct rtnl_addr *a);
int rtnl_set_up(int fd, int index, bool up);
/* Move link index into the network namespace netfd under name, in one message. */
int rtnl_move_link(int fd, int index, int netfd, const char *name);

#endif

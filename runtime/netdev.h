/* linux.netDevices: host network interfaces moved into the container's network namespace at create
 * (renamed, addresses kept, up) and, for a namespace husk made, moved back at delete or when the create
 * fails. rtnetlink only (a NETLINK_ROUTE socket), no ip(8). See docs/config.md, "Network devices". */
#ifndef HUSK_NETDEV_H
#define HUSK_NETDEV_H

#include <stdbool.h>

#include "base/error.h"

struct spec_linux;

#define NETNS_PIN "netns" /* the container's network namespace, bind-mounted until delete */
#define NETDEV_NOTE                                                                                          \
	"netdevices" /* what delete needs to bring the devices back (written before each move)               \
		      */

/* Before anything exists: every host interface the config names is there ("linux.netDevices[...]"). */
int netdev_check_host(const struct spec_linux *l, struct error *err);
/* Move every device of the config into the network namespace netfd: one RTM_NEWLINK moves and renames,
 * then the permanent global addresses are added again and the link is brought up. The note in the state
 * directory dirfd is written before each move, so a rollback or a delete --force finds every device. */
int netdev_move_in(const struct spec_linux *l, int netfd, int dirfd, struct error *err);
/* Keep the namespace netfd reachable after the init dies: bind it onto NETNS_PIN in dirfd. */
int netdev_pin_netns(int netfd, int dirfd, struct error *err);
/* Bring the noted devices back from netfd (-1: the pinned namespace; none pinned: nothing to do) into
 * husk's network namespace under their host names, with their host addresses and up state. Problems are
 * warnings: a delete must not be stopped by a device the container removed. */
void netdev_return(int dirfd, int netfd);
/* Unmount NETNS_PIN (the namespace dies with its last user, so do virtual devices still in it). */
void netdev_unpin_netns(int dirfd);

#endif

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What the kernel tells about a network device of this namespace over netlink: its
 * MTU and RX queues (rtnetlink), and the XDP features its driver advertises (the
 * "netdev" generic netlink family, Linux 6.3). Nothing here changes the device. */
#ifndef PC_KERN_NETDEV_H
#define PC_KERN_NETDEV_H

#include <stdbool.h>
#include <stdint.h>

/* The driver's XDP features (linux/netdev.h's enum netdev_xdp_act, which Debian 12's
 * headers do not have yet). */
enum {
	PC_XDP_ACT_BASIC = 1 << 0, /* native XDP: aborted, drop, pass, tx */
	PC_XDP_ACT_REDIRECT = 1 << 1,
	PC_XDP_ACT_NDO_XMIT = 1 << 2,
	PC_XDP_ACT_XSK_ZEROCOPY = 1 << 3,
	PC_XDP_ACT_HW_OFFLOAD = 1 << 4,
	PC_XDP_ACT_RX_SG = 1 << 5, /* multi-buffer frames on receive */
	PC_XDP_ACT_NDO_XMIT_SG = 1 << 6,
};

/* The names `ip`/ynl give the bits above, in bit order. */
extern const char *const pc_xdp_act_names[7];

struct pc_netdev_link {
	uint32_t mtu;
	uint32_t rx_queues;  /* the queues the device was created with */
	uint32_t link;	     /* the ifindex of the device it is linked to (a veth's peer), 0 */
	bool link_elsewhere; /* that device is in another network namespace */
};

/* RTM_GETLINK of ifindex: 0, or -errno. */
int pc_netdev_link(unsigned ifindex, struct pc_netdev_link *l);

/* The driver's XDP features (PC_XDP_ACT_*) into *features: 0, -ENOENT when the kernel
 * has no netdev family (before Linux 6.3), or another -errno. */
int pc_netdev_xdp_features(unsigned ifindex, uint64_t *features);

#endif /* PC_KERN_NETDEV_H */

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A device's MTU, RX queues and XDP features, read over netlink: unlike
 * /sys/class/net, which shows the namespace sysfs was mounted in, netlink answers for
 * the namespace the command runs in. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "kern/netdev.h"
#include "kern/netlink.h"

/* The netdev family's command and attributes (linux/netdev.h, Linux 6.3). */
#define NETDEV_FAMILY "netdev"
#define NETDEV_CMD_DEV_GET 1
#define NETDEV_A_DEV_IFINDEX 1
#define NETDEV_A_DEV_XDP_FEATURES 3

const char *const pc_xdp_act_names[7] = {
	"basic", "redirect", "ndo-xmit", "xsk-zerocopy", "hw-offload", "rx-sg", "ndo-xmit-sg",
};

static int on_link(const struct nlmsghdr *nh, void *arg)
{
	const struct nlattr *tb[IFLA_LINK_NETNSID + 1];
	struct pc_netdev_link *l = arg;

	if (nh->nlmsg_type != RTM_NEWLINK)
		return 0;
	pc_nl_parse_msg(nh, sizeof(struct ifinfomsg), tb, IFLA_LINK_NETNSID);
	l->mtu = pc_nl_u32(tb[IFLA_MTU]);
	l->rx_queues = pc_nl_u32(tb[IFLA_NUM_RX_QUEUES]);
	l->link = pc_nl_u32(tb[IFLA_LINK]);
	l->link_elsewhere = tb[IFLA_LINK_NETNSID];
	return 0;
}

int pc_netdev_link(unsigned ifindex, struct pc_netdev_link *l)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = (int)ifindex };
	struct pc_nl_req req;

	memset(l, 0, sizeof(*l));
	pc_nl_req_init(&req, RTM_GETLINK, 0, &ifi, sizeof(ifi));
	return pc_nl_talk(NETLINK_ROUTE, &req, on_link, l);
}

static int on_family(const struct nlmsghdr *nh, void *arg)
{
	const struct nlattr *tb[CTRL_ATTR_FAMILY_ID + 1];
	const struct nlattr *id;

	pc_nl_parse_msg(nh, GENL_HDRLEN, tb, CTRL_ATTR_FAMILY_ID);
	id = tb[CTRL_ATTR_FAMILY_ID];
	if (id && pc_nl_len(id) >= sizeof(uint16_t))
		memcpy(arg, pc_nl_data(id), sizeof(uint16_t));
	return 0;
}

/* The id generic netlink gave the family NAME: 0, or -ENOENT when there is none. */
static int family_id(const char *name, uint16_t *id)
{
	struct genlmsghdr g = { .cmd = CTRL_CMD_GETFAMILY, .version = 1 };
	struct pc_nl_req req;
	int err;

	*id = 0;
	pc_nl_req_init(&req, GENL_ID_CTRL, 0, &g, sizeof(g));
	if (pc_nl_req_put(&req, CTRL_ATTR_FAMILY_NAME, name, strlen(name) + 1))
		return -ENOBUFS;
	err = pc_nl_talk(NETLINK_GENERIC, &req, on_family, id);
	if (!err && !*id)
		return -ENOENT;
	return err;
}

struct features {
	uint64_t v;
	int found;
};

static int on_dev(const struct nlmsghdr *nh, void *arg)
{
	const struct nlattr *tb[NETDEV_A_DEV_XDP_FEATURES + 1];
	struct features *f = arg;

	pc_nl_parse_msg(nh, GENL_HDRLEN, tb, NETDEV_A_DEV_XDP_FEATURES);
	if (tb[NETDEV_A_DEV_XDP_FEATURES]) {
		f->v = pc_nl_u64(tb[NETDEV_A_DEV_XDP_FEATURES]);
		f->found = 1;
	}
	return 0;
}

int pc_netdev_xdp_features(unsigned ifindex, uint64_t *features)
{
	struct genlmsghdr g = { .cmd = NETDEV_CMD_DEV_GET, .version = 1 };
	struct features f = { 0 };
	struct pc_nl_req req;
	uint32_t idx = ifindex;
	uint16_t id;
	int err = family_id(NETDEV_FAMILY, &id);

	*features = 0;
	if (err)
		return err;
	pc_nl_req_init(&req, id, 0, &g, sizeof(g));
	pc_nl_req_put(&req, NETDEV_A_DEV_IFINDEX, &idx, sizeof(idx));
	err = pc_nl_talk(NETLINK_GENERIC, &req, on_dev, &f);
	if (!err && !f.found)
		return -ENOENT;
	*features = f.v;
	return err;
}

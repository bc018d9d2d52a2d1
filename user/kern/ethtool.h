/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What `ethtool -i`, `ethtool -k` and `ethtool -l` show, read through the ethtool
 * ioctl (SIOCETHTOOL) of a socket in this network namespace. Only reads. */
#ifndef PC_KERN_ETHTOOL_H
#define PC_KERN_ETHTOOL_H

#include <stdbool.h>

/* ethtool -i: the driver's name and version. 0, or -errno. */
int pc_ethtool_driver(const char *ifname, char *driver, size_t dlen, char *version, size_t vlen);

/* One offload feature, by the name `ethtool -k` shows in its long form
 * ("rx-vlan-hw-parse", "rx-lro"). */
struct pc_ethtool_feature {
	const char *name; /* in */
	bool known;	  /* the kernel has a feature of that name */
	bool active;
	bool fixed; /* the driver does not let it change */
};

/* Fills each of the n features. 0, or -errno (an interface without ethtool). */
int pc_ethtool_features(const char *ifname, struct pc_ethtool_feature *f, unsigned n);

/* ethtool -l: the RX queues in use (rx + combined channels) and the most the driver
 * allows. 0, or -errno (-EOPNOTSUPP: the driver does not say). */
int pc_ethtool_rx_channels(const char *ifname, unsigned *now, unsigned *max);

#endif /* PC_KERN_ETHTOOL_H */

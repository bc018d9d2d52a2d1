// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The ethtool ioctl, read-only commands: driver info, offload features by name,
 * channels. */
#include <errno.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/ethtool.h>
#include <linux/sockios.h>

#include "kern/ethtool.h"

/* One SIOCETHTOOL command on ifname with cmd as its argument: 0, or -errno. */
static int ethtool(const char *ifname, void *cmd)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = cmd;
	if (ioctl(fd, SIOCETHTOOL, &ifr))
		err = -errno;
	close(fd);
	return err;
}

int pc_ethtool_driver(const char *ifname, char *driver, size_t dlen, char *version, size_t vlen)
{
	struct ethtool_drvinfo d = { .cmd = ETHTOOL_GDRVINFO };
	int err = ethtool(ifname, &d);

	if (err)
		return err;
	snprintf(driver, dlen, "%.*s", (int)sizeof(d.driver), d.driver);
	snprintf(version, vlen, "%.*s", (int)sizeof(d.version), d.version);
	return 0;
}

/* How many feature names the kernel has (ETH_SS_FEATURES). */
static int feature_count(const char *ifname, uint32_t *n)
{
	struct {
		struct ethtool_sset_info hdr;
		uint32_t count;
	} s = { .hdr = { .cmd = ETHTOOL_GSSET_INFO, .sset_mask = 1ULL << ETH_SS_FEATURES } };
	int err = ethtool(ifname, &s);

	if (err)
		return err;
	*n = s.hdr.sset_mask ? s.count : 0;
	return *n ? 0 : -EOPNOTSUPP;
}

/* Feature i's state, from ETHTOOL_GFEATURES blocks. */
static void feature_state(const struct ethtool_gfeatures *g, uint32_t i,
			  struct pc_ethtool_feature *f)
{
	const struct ethtool_get_features_block *b = &g->features[i / 32];
	uint32_t bit = 1u << (i % 32);

	f->known = true;
	f->active = b->active & bit;
	/* Not in "available": the driver offers no way to change it. */
	f->fixed = !(b->available & bit);
}

int pc_ethtool_features(const char *ifname, struct pc_ethtool_feature *f, unsigned n)
{
	struct ethtool_gstrings *names = NULL;
	struct ethtool_gfeatures *g = NULL;
	uint32_t count = 0, blocks;
	int err = feature_count(ifname, &count);

	for (unsigned k = 0; k < n; k++)
		f[k].known = f[k].active = f[k].fixed = false;
	if (err)
		return err;
	blocks = (count + 31) / 32;
	names = calloc(1, sizeof(*names) + (size_t)count * ETH_GSTRING_LEN);
	g = calloc(1, sizeof(*g) + blocks * sizeof(g->features[0]));
	if (!names || !g) {
		err = -ENOMEM;
		goto out;
	}
	*names = (struct ethtool_gstrings){ .cmd = ETHTOOL_GSTRINGS,
					    .string_set = ETH_SS_FEATURES,
					    .len = count };
	*g = (struct ethtool_gfeatures){ .cmd = ETHTOOL_GFEATURES, .size = blocks };
	if ((err = ethtool(ifname, names)) || (err = ethtool(ifname, g)))
		goto out;
	for (uint32_t i = 0; i < count && i < names->len; i++) {
		const char *s = (const char *)names->data + (size_t)i * ETH_GSTRING_LEN;

		for (unsigned k = 0; k < n; k++)
			if (!strncmp(s, f[k].name, ETH_GSTRING_LEN))
				feature_state(g, i, &f[k]);
	}
out:
	free(names);
	free(g);
	return err;
}

int pc_ethtool_rx_channels(const char *ifname, unsigned *now, unsigned *max)
{
	struct ethtool_channels c = { .cmd = ETHTOOL_GCHANNELS };
	int err = ethtool(ifname, &c);

	if (err)
		return err;
	*now = c.rx_count + c.combined_count;
	*max = c.max_combined > c.max_rx ? c.max_combined : c.max_rx;
	return *now ? 0 : -EOPNOTSUPP;
}

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* `portcullis flood`: a traffic generator for hosts without pktgen. The frames of a mix
 * are transmitted on an interface with BPF_PROG_TEST_RUN in live-frames mode
 * (BPF_F_TEST_XDP_LIVE_FRAMES): an XDP program that returns XDP_TX runs on each
 * frame as if it had arrived on the interface, and the kernel sends it out there. */
#ifndef PC_TRAFFIC_FLOOD_H
#define PC_TRAFFIC_FLOOD_H

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"

enum pc_flood_via { PC_FLOOD_VIA_AUTO, PC_FLOOD_VIA_LIVE, PC_FLOOD_VIA_PACKET };

struct pc_flood_opts {
	const char *ifname;
	const char *profile;
	const char *mix;
	uint8_t dst_mac[6], src_mac[6];
	bool have_dst, have_src;
	unsigned long long rate;  /* frames per second over all threads; 0: no limit */
	unsigned long long count; /* frames per stream and unit of weight; 0: no limit */
	double duration;	  /* seconds; 0: no limit */
	unsigned long threads;
	unsigned long batch;
	enum pc_flood_via via;
	bool json;
};

/* Sends the mix out of o->ifname as o says, and prints what went (a table, or JSON). */
int pc_flood_run(const struct pc_flood_opts *o, struct pc_err *e);

#endif /* PC_TRAFFIC_FLOOD_H */

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The second transmitter of `portcullis flood`: an AF_PACKET socket on the interface,
 * past the qdisc (PACKET_QDISC_BYPASS), fed with sendmmsg. For kernels that refuse
 * live frames (some refuse BPF_F_TEST_XDP_LIVE_FRAMES with EPERM even to root); it is
 * slower, but the frames, the schedule and the exact per-stream counts are the same. */
#ifndef PC_TRAFFIC_FLOOD_PACKET_H
#define PC_TRAFFIC_FLOOD_PACKET_H

#include <signal.h>
#include <stdint.h>

#include "core/error.h"
#include "traffic/mix.h"

/* Frames one sendmmsg call hands the kernel at the most. */
#define PC_PACKET_BATCH_MAX 256

/* Returns a socket that sends on ifindex, or -1 with e set. */
int pc_packet_tx_open(int ifindex, const char *ifname, struct pc_err *e);

/* What one sender walks: the mix, its schedule of stream indices, and where in the
 * schedule this sender stands. sent[stream] counts what the kernel took. */
struct pc_packet_tx {
	int fd;
	const struct pc_mix *m;
	const uint32_t *schedule;
	uint32_t schedule_len;
	uint32_t pos;
	unsigned batch;
	unsigned long long *sent;
};

/* Sends the next n frames of the schedule, batch at a time, stopping early once *stop
 * is set. Returns the frames the kernel took (each counted in sent), or -1 with e set
 * when it took none for a second or refused them. */
long long pc_packet_tx_send(struct pc_packet_tx *t, unsigned long long n,
			    const volatile sig_atomic_t *stop, const char *ifname,
			    struct pc_err *e);

#endif /* PC_TRAFFIC_FLOOD_PACKET_H */

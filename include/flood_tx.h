/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What `portcullis flood` and its transmitter program (bpf/flood_tx.bpf.c) share: the
 * frames of the mix, the weighted schedule that interleaves them, and the per-stream
 * counts. No logic lives here. */
#ifndef PC_FLOOD_TX_H
#define PC_FLOOD_TX_H

#include <linux/types.h>

/* Longest frame of a mix (user/traffic/mix.h: PC_MIX_FRAME_MAX) and the shortest a frame may
 * be: an Ethernet header. */
#define PC_FLOOD_FRAME_MAX 128
#define PC_FLOOD_FRAME_MIN 14
/* Entries of the schedule: the sum of the mix's weights. */
#define PC_FLOOD_SCHEDULE_MAX (1u << 22)

/* "frames": array, key stream index: the bytes to send. */
struct pc_flood_frame {
	__u32 len;
	__u8 data[PC_FLOOD_FRAME_MAX];
};

/* "schedule": array of stream indices, each stream as often as its weight, spread
 * evenly; every CPU walks it from its own "cursor" (per-CPU array of one __u32), one
 * entry per frame. "sent": per-CPU array of __u64 frames sent, by stream index. */

#endif /* PC_FLOOD_TX_H */

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The live-frames transmitter of `flood` (bpf/flood_tx.bpf.c): a program that
 * returns XDP_TX for frames it rewrites from a schedule, run with
 * BPF_F_TEST_XDP_LIVE_FRAMES so that the kernel sends each one out of an interface,
 * and a per-CPU count of what it sent per stream. */
#ifndef PC_KERN_TRANSMITTER_H
#define PC_KERN_TRANSMITTER_H

#include <stdint.h>

#include "core/error.h"
#include "flood_tx.h"

struct pc_transmitter;

/* Loads the transmitter with n_frames frames and a schedule of their indexes; every
 * run sends frames of run_len bytes (the longest frame's). */
int pc_tx_open(const struct pc_flood_frame *frames, uint32_t n_frames, const uint32_t *schedule,
	       uint32_t schedule_len, uint32_t run_len, struct pc_transmitter **out,
	       struct pc_err *e);
/* One run of n frames, as if they arrived on ifindex, batch frames at a time; frame
 * (len bytes) is the run's first. 0, or -errno of BPF_PROG_TEST_RUN. */
int pc_tx_run(const struct pc_transmitter *t, const void *frame, uint32_t len, int ifindex,
	      unsigned long long n, uint32_t batch);
/* sent[i]: frames of stream i sent so far, over every CPU. */
int pc_tx_sent(const struct pc_transmitter *t, uint32_t n, unsigned long long *sent,
	       struct pc_err *e);
void pc_tx_close(struct pc_transmitter *t);

#endif /* PC_KERN_TRANSMITTER_H */

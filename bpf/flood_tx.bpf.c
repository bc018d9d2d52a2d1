// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The transmitter of `portcullis flood`. A live-frames test run (BPF_F_TEST_XDP_LIVE_FRAMES)
 * calls it once per frame to send; it rewrites the frame into the next stream of the
 * schedule, counts it, and returns XDP_TX, which the test run turns into a transmission
 * on the interface named in its context. One run thus interleaves every stream of the
 * mix at full speed, and the per-stream counts are exact whatever the run's length. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "flood_tx.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by the loader before load: entries of "schedule", and the length of the frame
 * each test run starts from (that of the longest stream). */
const volatile __u32 schedule_len = 1;
const volatile __u32 run_len = PC_FLOOD_FRAME_MAX;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pc_flood_frame);
} frames SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} schedule SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} cursor SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} sent SEC(".maps");

SEC("xdp")
int flood_tx(struct xdp_md *ctx)
{
	__u32 zero = 0, *pos = bpf_map_lookup_elem(&cursor, &zero), *stream, len;
	struct pc_flood_frame *f;
	__u64 *count;

	if (!pos)
		return XDP_ABORTED;
	stream = bpf_map_lookup_elem(&schedule, pos);
	*pos = *pos + 1 < schedule_len ? *pos + 1 : 0;
	if (!stream)
		return XDP_ABORTED;
	f = bpf_map_lookup_elem(&frames, stream);
	count = bpf_map_lookup_elem(&sent, stream);
	if (!f || !count)
		return XDP_ABORTED;
	len = f->len;
	/* The run's frame is as long as the longest stream: shorten it to this one. */
	if (len < PC_FLOOD_FRAME_MIN || len > PC_FLOOD_FRAME_MAX ||
	    bpf_xdp_adjust_tail(ctx, (int)len - (int)run_len) ||
	    bpf_xdp_store_bytes(ctx, 0, f->data, len))
		return XDP_ABORTED;
	*count += 1;
	return XDP_TX;
}

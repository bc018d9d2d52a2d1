// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* XDP drop-all: the floor of what a receiver can do with a frame, which `make stress`
 * measures portcullis and nftables against on the same veth. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("xdp")
int xdp_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}

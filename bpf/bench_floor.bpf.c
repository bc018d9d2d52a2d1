// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The floor `portcullis bench` measures portcullis against: what any port filter pays
 * before it decides anything. portcullis's own parser (Ethernet, VLAN tags, IPv4 and
 * IPv6 with extension headers, TCP, UDP, ICMP), then one per-CPU counter, keyed by
 * what was parsed so that the ports are read and the parse cannot be optimised away.
 * No address is classified and no table is looked up: the distance between this and
 * portcullis is the price of its decisions. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "portcullis.h"
#include "parse.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define FLOOR_SLOTS 8

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PC_CNT_IMPLICIT + FLOOR_SLOTS);
	__type(key, __u32);
	__type(value, struct pc_count);
} floor_counts SEC(".maps");

SEC("xdp")
int pc_bench_floor(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct pc_pkt pkt = {};
	struct pc_count *c;
	__u32 key;
	int implicit = parse_packet(data, data_end, data_end, &pkt);

	if (implicit == PC_PARSED)
		key = PC_CNT_IMPLICIT + ((pkt.sport ^ pkt.dport ^ pkt.tbl) & (FLOOR_SLOTS - 1));
	else
		key = implicit;
	c = bpf_map_lookup_elem(&floor_counts, &key);
	if (c) {
		c->packets++;
		c->bytes += data_end - data;
	}
	return XDP_PASS;
}

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The reference classifier: docs/semantics.md §3 read literally, in plain C, for the differential
 * test. It parses the frame with its own code and walks the parsed rule list in
 * order; it shares nothing with bpf/ or user/compile/compile.c but the parsed profile and the
 * counter layout of include/portcullis.h. Slow and obvious on purpose.
 *
 * It is stateful in two ways, both explicit: the fragment table it keeps itself
 * (frames must be judged in the order the program sees them), and, under `state on`,
 * the flow table the egress hook would have recorded, which the caller supplies. */
#ifndef PC_REF_H
#define PC_REF_H

#include <stddef.h>
#include <stdint.h>

#include "profile/profile.h"

/* A flow the appliance opened and an `out` rule allowed (what the egress hook
 * records under `state on`). Addresses in network order, IPv4 in the first 4 bytes. */
struct ref_flow {
	uint8_t family;	     /* 4 or 6 */
	uint8_t proto;	     /* 6 TCP, 17 UDP, 1 ICMP or 58 ICMPv6 (echo) */
	uint8_t peer[16];    /* the remote end */
	uint8_t local[16];   /* the appliance's address (a reply may come to any of its
			      * addresses: docs/semantics.md §3.13 checks no destination) */
	uint16_t peer_port;  /* TCP/UDP: the peer's port; ICMP: unused */
	uint16_t local_port; /* TCP/UDP: the appliance's port; ICMP: the echo identifier */
	uint32_t rule;	     /* index of the `out` rule that allowed the flow */
};

/* A datagram whose first fragment passed (docs/semantics.md §3.9 "Fragments"). */
struct ref_dgram {
	uint8_t family;
	uint8_t proto; /* IPv4 protocol; 0 for IPv6 */
	uint32_t id;
	uint8_t src[16], dst[16];
	uint64_t created_ns;
	uint32_t counter;
};

struct ref {
	const struct pc_profile *p;
	const struct ref_flow *flows; /* state on: the recorded flows */
	size_t n_flows;
	struct ref_dgram *dgrams;
	size_t n_dgrams, cap_dgrams;
};

struct ref_verdict {
	int action;	  /* XDP_PASS or XDP_DROP */
	uint32_t counter; /* enum pc_counter, or PC_CNT_IMPLICIT + rule index */
	const char *why; /* which step of docs/semantics.md §3 decided, for a difference's report */
};

#define REF_FRAG_TTL_NS (30ULL * 1000000000ULL)

void ref_init(struct ref *r, const struct pc_profile *p);
/* The flow table consulted under `state on` (not copied; keep it alive). */
void ref_set_flows(struct ref *r, const struct ref_flow *flows, size_t n);
/* Judges one frame of len bytes that arrives at now_ns (CLOCK_MONOTONIC, the clock
 * of bpf_ktime_get_ns()). */
void ref_judge(struct ref *r, const void *frame, size_t len, uint64_t now_ns,
	       struct ref_verdict *v);
/* Egress under `state on`: the first `out` rule that matches a packet the appliance
 * sends to peer (family 4 or 6, network order) with this protocol (6, 17, 1, 58) and
 * destination port, or ICMP type; -1 if none. The flow is recorded when that rule
 * allows: a `drop out` rule that matches first keeps it from being recorded. */
long ref_egress_rule(const struct pc_profile *p, int family, const uint8_t *peer, uint8_t proto,
		     uint16_t port_or_type);
/* Forgets every tracked datagram. */
void ref_forget_fragments(struct ref *r);
void ref_free(struct ref *r);

#endif /* PC_REF_H */

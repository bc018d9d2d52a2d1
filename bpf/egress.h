/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The egress hook (tcx): sees what the appliance sends on the interface, records the
 * flows out rules allow (state on) and, under `egress enforce`, drops what no rule
 * allows (docs/semantics.md §5).
 *
 * A header that defines a program (SEC("tc")) and non-static functions: by design,
 * not by accident. portcullis.bpf.c includes it at its end, once, and nothing else
 * may: the XDP program and this hook are one compile unit, hence one BPF object and
 * one skeleton, so that both share every map (flows, the tables, the counters' layout)
 * and every read-only setting without pinning or reusing a map between two objects.
 * (The include guard only keeps a second include in that unit harmless.) */
#ifndef PC_EGRESS_H
#define PC_EGRESS_H

#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>

#include "portcullis.h"
#include "config.h"
#include "flows.h"
#include "lookup.h"
#include "maps.h"
#include "parse.h"

/* tcx verdicts (linux/bpf.h from 6.6; Debian 12's headers are older). NEXT lets
 * whatever else is attached decide, which is "pass" when nothing is. */
#define PC_TCX_NEXT (-1)
#define PC_TCX_DROP 2

/* Headers that locally built packets keep in the linear part; pulled in when a
 * packet's linear part is shorter (rare: a tunnel, a GRO-forwarded skb). */
#define PC_EGRESS_HEADERS 128

static __always_inline int egress_count(struct __sk_buff *skb, struct pc_outcome out)
{
	struct pc_count *c = bpf_map_lookup_elem(&ecounters, &out.counter);

	if (c) {
		c->packets++;
		c->bytes += skb->len;
	}
	return out.action;
}

/* A reply of an inbound flow an in rule allows: TCP with ACK (a bare SYN opens),
 * UDP, an echo-reply, or an ICMP error quoting a packet such a peer sent. */
/* An ICMP error the appliance sends about a packet a peer sent it: the in rule that
 * allows that peer's flow, or 0. A global function, like icmp_error_xdp(). */
__noinline int quote_in_rule_skb(struct __sk_buff *skb, __u32 family, __u32 l4, __u32 end)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct pc_pkt pkt = {};
	struct pc_inner in;
	bool inner_icmp;

	quote_pkt(data, family, l4, end, &pkt);
	if (parse_inner(&pkt, data_end, &in))
		return 0;
	/* The quoted packet came from the peer: its source is the peer, its
	 * destination port the appliance's. */
	inner_icmp = in.proto != IPPROTO_TCP && in.proto != IPPROTO_UDP;
	if (inner_icmp && !is_echo_request(pkt.family, in.type))
		return 0;
	return in_rule_allows(pkt.family, in.proto, ip_addr(pkt.family, in.l3, true),
			      inner_icmp ? in.type : in.dport);
}

static __always_inline pc_verdict_t egress_reply_verdict(struct __sk_buff *skb,
							 const struct pc_pkt *pkt, const __u8 *peer,
							 void *data)
{
	struct pc_quote_at at;

	if (pkt->proto == IPPROTO_TCP)
		return pkt->tcp_flags & PC_TCP_ACK
			       ? in_rule_allows(pkt->family, pkt->proto, peer, pkt->sport)
			       : 0;
	if (pkt->proto == IPPROTO_UDP)
		return in_rule_allows(pkt->family, pkt->proto, peer, pkt->sport);
	if (is_echo_reply(pkt->family, pkt->dport))
		return in_rule_allows(pkt->family, pkt->proto, peer, pkt->family == 4 ? 8 : 128);
	if (!is_icmp_error(pkt->family, pkt->dport))
		return 0;
	at = quote_at(pkt, data);
	return (pc_verdict_t)quote_in_rule_skb(skb, pkt->family, at.l4, at.end);
}

/* The out rule for a packet the appliance sends: by the peer's port, or by type. */
static __always_inline pc_verdict_t egress_out_verdict(const struct pc_pkt *pkt, __u32 class)
{
	__u32 table = pkt->proto == IPPROTO_TCP	  ? PC_TBL_TCP_REPLY
		      : pkt->proto == IPPROTO_UDP ? PC_TBL_UDP_REPLY
		      : pkt->family == 4	  ? PC_TBL_ICMP_OUT
						  : PC_TBL_ICMP6_OUT;

	return table_lookup(class, table, pkt->dport);
}

static __always_inline void egress_record(const struct pc_pkt *pkt, pc_verdict_t v, void *data_end)
{
	struct pc_flow_key key;
	__u32 local[4] = {};

	if (pkt->proto == IPPROTO_TCP || pkt->proto == IPPROTO_UDP)
		flow_key(&key, pkt->family, pkt->proto, pkt->l3, false, pkt->dport, pkt->sport);
	else if (is_echo_request(pkt->family, pkt->dport))
		flow_key(&key, pkt->family, pkt->proto, pkt->l3, false, 0,
			 icmp_echo_id(pkt, data_end));
	else
		return; /* other ICMP opens no flow */
	if (pkt->family == 4)
		__builtin_memcpy(local, ip_addr(4, pkt->l3, true), 4);
	else
		__builtin_memcpy(local, ip_addr(6, pkt->l3, true), 16);
	flow_record(&key, local, (v & PC_VERDICT_RULE) - 1, pkt->tcp_flags);
}

/* Link-local control the stack sends on its own: IGMP and MLD (queries, reports,
 * done). Like neighbour discovery, they always go out, counted as ndp. */
static __always_inline bool is_link_control(const struct pc_pkt *pkt)
{
	if (pkt->family == 4)
		return pkt->proto == IPPROTO_IGMP;
	return pkt->tbl == PC_TBL_ICMP6_IN &&
	       ((pkt->dport >= 130 && pkt->dport <= 132) || pkt->dport == 143);
}

static __always_inline struct pc_outcome egress_judge(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct pc_pkt pkt = {};
	const __u8 *peer;
	pc_verdict_t v;
	__u32 class;
	int implicit;

	implicit = parse_packet(data, data_end, data + skb->len, &pkt);
	if (implicit != PC_PARSED)
		return outcome(implicit, PC_TCX_NEXT); /* non-IP, or unreadable */
	if (pkt.frag == PC_LATER_FRAG)
		return outcome(PC_CNT_FRAGMENT, PC_TCX_NEXT);
	if (is_ndp(&pkt) || is_link_control(&pkt))
		return outcome(PC_CNT_NDP, PC_TCX_NEXT);
	if (pkt.tbl == PC_TBL_COUNT)
		return outcome(PC_CNT_NO_MATCH, cfg_egress_enforce ? PC_TCX_DROP : PC_TCX_NEXT);

	peer = ip_addr(pkt.family, pkt.l3, false);
	v = egress_reply_verdict(skb, &pkt, peer, data);
	if (v)
		return outcome(verdict_counter(v), PC_TCX_NEXT);
	class = classify_cold(pkt.family, peer);
	v = egress_out_verdict(&pkt, class);
	if (verdict_passes(v)) {
		if (cfg_state)
			egress_record(&pkt, v, data_end);
		return outcome(verdict_counter(v), PC_TCX_NEXT);
	}
	/* A drop out rule, or none: out under open, dropped under enforce. */
	return outcome(v & PC_VERDICT_RULE ? verdict_counter(v) : PC_CNT_NO_MATCH,
		       cfg_egress_enforce ? PC_TCX_DROP : PC_TCX_NEXT);
}

SEC("tc")
int portcullis_egress(struct __sk_buff *skb)
{
	if (skb->data_end - skb->data < PC_EGRESS_HEADERS && skb->len > skb->data_end - skb->data)
		bpf_skb_pull_data(skb, skb->len < PC_EGRESS_HEADERS ? skb->len : PC_EGRESS_HEADERS);
	return egress_count(skb, egress_judge(skb));
}

#endif /* PC_EGRESS_H */

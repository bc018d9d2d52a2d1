/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The flow table (state on): keys, freshness, and the two questions ingress asks of
 * a frame the rules would not pass: is it a reply of a recorded flow, or an ICMP error
 * about a flow the appliance opened or an in rule allows? The egress hook records. */
#ifndef PC_FLOWS_H
#define PC_FLOWS_H

#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "portcullis.h"
#include "compat.h"
#include "config.h"
#include "lookup.h"
#include "maps.h"
#include "parse.h"

#define PC_NS 1000000000ULL
#define PC_TCP_FIN 0x01
#define PC_TCP_SYN 0x02
#define PC_TCP_RST 0x04

/* The key of a flow from an IP header: peer_is_src for a packet the peer sent (a reply
 * at ingress), else for one the appliance sent. Zeroed first: the hash covers padding
 * and the unused words of an IPv4 address. */
static __always_inline void flow_key(struct pc_flow_key *k, __u8 family, __u8 proto, const void *l3,
				     bool peer_is_src, __u16 peer_port, __u16 local_port)
{
	__builtin_memset(k, 0, sizeof(*k));
	k->family = family;
	k->proto = proto;
	k->peer_port = peer_port;
	k->local_port = local_port;
	if (family == 4)
		__builtin_memcpy(k->peer, ip_addr(4, l3, peer_is_src), 4);
	else
		__builtin_memcpy(k->peer, ip_addr(6, l3, peer_is_src), 16);
}

/* The coarse clock, read through this CPU's cache: exact, since the coarse clock
 * only moves with jiffies, and a helper call once a tick instead of once a packet. */
static __always_inline __u64 coarse_now(void)
{
	__u32 zero = 0;
	struct pc_clock *c = bpf_map_lookup_elem(&clock, &zero);
	__u64 j = bpf_jiffies64();

	if (!c)
		return clock_coarse_ns();
	if (c->jiffies != j) {
		c->jiffies = j;
		c->ns = clock_coarse_ns();
	}
	return c->ns;
}

static __always_inline __u64 flow_timeout_ns(const struct pc_flow *f, __u8 proto)
{
	if (f->closing)
		return PC_TIMEOUT_CLOSING * PC_NS;
	if (proto == IPPROTO_TCP)
		return cfg_timeout_tcp_ns;
	if (proto == IPPROTO_UDP)
		return cfg_timeout_udp_ns;
	return cfg_timeout_icmp_ns;
}

/* The counter of a live flow's rule, or -1 when the flow is idle past its timeout or
 * its rule is unknown to this program. A flow written by the previous generation is
 * translated through flow_remap until the loader has rewritten it. */
static __always_inline int flow_counter(const struct pc_flow *f, __u8 proto)
{
	__u64 now = coarse_now();
	__u32 rule = f->rule;

	/* Signed: a flow refreshed on another CPU after we read the clock is live. */
	if ((__s64)(now - f->seen_ns) >= (__s64)flow_timeout_ns(f, proto))
		return -1;
	if (f->gen != cfg_gen) {
		__u16 *m;

		if (!cfg_gen_prev || f->gen != cfg_gen_prev)
			return -1;
		m = bpf_map_lookup_elem(&flow_remap, &rule);
		if (!m || !*m)
			return -1;
		rule = *m - 1;
	}
	if (rule >= cfg_n_rules)
		return -1;
	return PC_CNT_IMPLICIT + rule;
}

/* The counter of the recorded flow under key, or -1. A FIN or RST from the peer
 * starts the flow's short timeout. */
static __always_inline int flow_find(const struct pc_flow_key *key, bool closing)
{
	struct pc_flow *f = bpf_map_lookup_elem(&flows, key);
	int counter;

	if (!f)
		return -1;
	counter = flow_counter(f, key->proto);
	if (counter >= 0 && closing && !f->closing)
		f->closing = 1;
	return counter;
}

/* ICMP echo identifier, host order; the parser checked 8 bytes of ICMP header. */
static __always_inline __u16 icmp_echo_id(const struct pc_pkt *pkt, void *data_end)
{
	const struct pc_icmp *ih = pkt->l4;

	if ((void *)(ih + 1) > data_end)
		return 0;
	return bpf_ntohs(((const __be16 *)&ih->rest)[0]);
}

static __always_inline bool is_echo_request(__u8 family, __u8 type)
{
	return type == (family == 4 ? 8 : 128);
}

static __always_inline bool is_echo_reply(__u8 family, __u8 type)
{
	return type == (family == 4 ? 0 : 129);
}

/* Destination unreachable (fragmentation needed among them), time exceeded, parameter
 * problem; for ICMPv6 also packet too big. */
static __always_inline bool is_icmp_error(__u8 family, __u8 type)
{
	if (family == 4)
		return type == 3 || type == 11 || type == 12;
	return type >= 1 && type <= 4;
}

/* The packet an ICMP error quotes: its IP header and the first 8 bytes after it. */
struct pc_inner {
	const void *l3;
	__u8 proto;
	__u8 type;   /* ICMP: type */
	__u16 sport; /* TCP/UDP: ports, host order; ICMP echo: id in both */
	__u16 dport;
};

/* Reads the quoted packet of the error whose ICMP header is pkt->l4: same family as
 * the outer packet, not a later fragment, and an IPv6 header followed directly by its
 * upper layer (a quote with extension headers is not matched), all of it inside the
 * outer IP packet (Ethernet padding is no part of a quote). 0, or -1. */
static __always_inline int parse_inner(const struct pc_pkt *pkt, void *data_end,
				       struct pc_inner *in)
{
	void *pos = pkt->l4 + sizeof(struct pc_icmp), *l4;
	const __u8 *u;

	if (pkt->family == 4) {
		const struct iphdr *ip = pos;

		if ((void *)(ip + 1) > data_end || (void *)(ip + 1) > pkt->end ||
		    ip->version != 4 || ip->ihl < 5 || (bpf_ntohs(ip->frag_off) & PC_IP_OFFSET))
			return -1;
		in->proto = ip->protocol;
		l4 = pos + (ip->ihl & 0xf) * 4;
	} else {
		const struct ipv6hdr *ip6 = pos;

		if ((void *)(ip6 + 1) > data_end || (void *)(ip6 + 1) > pkt->end ||
		    ip6->version != 6)
			return -1;
		in->proto = ip6->nexthdr;
		l4 = (void *)(ip6 + 1);
	}
	if (l4 + 8 > data_end || l4 + 8 > pkt->end)
		return -1;
	u = l4;
	in->l3 = pos;
	in->type = u[0];
	if (in->proto == IPPROTO_TCP || in->proto == IPPROTO_UDP) {
		in->sport = u[0] << 8 | u[1];
		in->dport = u[2] << 8 | u[3];
	} else if (in->proto == (pkt->family == 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6)) {
		in->sport = in->dport = u[4] << 8 | u[5];
	} else {
		return -1;
	}
	return 0;
}

/* An in rule allows the flow a packet belongs to, the peer's address being
 * peer_addr and the appliance's port (or the ICMP type the peer sent) index. */
static __always_inline pc_verdict_t in_rule_allows(__u8 family, __u8 proto, const __u8 *peer_addr,
						   __u16 index)
{
	__u32 table = proto == IPPROTO_TCP   ? PC_TBL_TCP_IN
		      : proto == IPPROTO_UDP ? PC_TBL_UDP_IN
		      : family == 4	     ? PC_TBL_ICMP_IN
					     : PC_TBL_ICMP6_IN;
	pc_verdict_t v = table_lookup(classify_cold(family, peer_addr), table, index);

	return verdict_passes(v) ? v : 0;
}

/* Ingress, an ICMP error: the quoted packet is one the appliance sent. Its flow is
 * recorded, or it answered a peer an in rule allows (an echo-reply answers the peer's
 * echo-request). The counter to count on, or -1. */
static __always_inline int icmp_error_counter(const struct pc_pkt *pkt, void *data_end)
{
	struct pc_flow_key key;
	struct pc_inner in;
	pc_verdict_t v;
	bool icmp;
	int c;

	if (parse_inner(pkt, data_end, &in))
		return -1;
	icmp = in.proto != IPPROTO_TCP && in.proto != IPPROTO_UDP;
	if (icmp && !is_echo_request(pkt->family, in.type) && !is_echo_reply(pkt->family, in.type))
		return -1;
	if (!icmp || is_echo_request(pkt->family, in.type)) {
		flow_key(&key, pkt->family, in.proto, in.l3, false, icmp ? 0 : in.dport, in.sport);
		c = flow_find(&key, false);
		if (c >= 0)
			return c;
		if (icmp)
			return -1;
	}
	v = in_rule_allows(pkt->family, in.proto, ip_addr(pkt->family, in.l3, false),
			   icmp ? (pkt->family == 4 ? 8 : 128) : in.sport);
	return v ? (int)verdict_counter(v) : -1;
}

/* Could the frame be a reply of a flow at all? Flows are recorded only where an out
 * rule allows the peer (this class) and its port, so that lookup, two array loads, is
 * exact, and spares the hash lookup to a flood from ports no out rule names. A TCP
 * reply carries ACK: a SYN flood never gets this far. */
static __always_inline bool may_be_reply(const struct pc_pkt *pkt, __u32 class)
{
	if (pkt->tbl == PC_TBL_TCP_IN && !(pkt->tcp_flags & PC_TCP_ACK))
		return false;
	if (pkt->tbl == PC_TBL_TCP_IN || pkt->tbl == PC_TBL_UDP_IN)
		return verdict_passes(table_lookup(
			class, pkt->tbl == PC_TBL_TCP_IN ? PC_TBL_TCP_REPLY : PC_TBL_UDP_REPLY,
			pkt->sport));
	return verdict_passes(table_lookup(class,
					   pkt->family == 4 ? PC_TBL_ICMP_OUT : PC_TBL_ICMP6_OUT,
					   pkt->family == 4 ? 8 : 128));
}

/* A packet's ICMP header and end as offsets from the start of the frame, for a global
 * function (which takes the context and scalars, not packet pointers). */
struct pc_quote_at {
	__u32 l4;
	__u32 end;
};

static __always_inline struct pc_quote_at quote_at(const struct pc_pkt *pkt, void *data)
{
	return (struct pc_quote_at){ .l4 = pkt->l4 - data, .end = pkt->end - data };
}

/* The pc_pkt an ICMP error's quote needs, rebuilt from offsets. The masks bound them
 * for the verifier, which marks a packet pointer readable only while its largest
 * offset plus the read stays under 64 KiB: an ICMP header lies well within 16 KiB
 * (XDP frames are shorter than 4 KiB; the egress hook reads the linear part). Tests
 * instead of masks would not do: clang merges them into one test on l4 | end. */
static __always_inline void quote_pkt(void *data, __u32 family, __u32 l4, __u32 end,
				      struct pc_pkt *pkt)
{
	pkt->family = family == 4 ? 4 : 6;
	pkt->l4 = data + (l4 & 0x3fff);
	pkt->end = data + (end & 0xffff);
}

/* icmp_error_counter() as a global function: verified once on its own. Inlined, the
 * quote's parsing took the verifier through every path of the parser before it and
 * more than doubled the time a load takes; the errors are rare enough to pay a call. */
__noinline int icmp_error_xdp(struct xdp_md *ctx, __u32 family, __u32 l4, __u32 end)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct pc_pkt pkt = {};

	quote_pkt(data, family, l4, end, &pkt);
	return icmp_error_counter(&pkt, data_end);
}

/* Ingress, state on, for a frame the rules would not pass: the counter of the flow
 * it belongs to, or -1. class is the class of its source. */
static __always_inline int flow_reply_counter(struct xdp_md *ctx, const struct pc_pkt *pkt,
					      __u32 class, void *data, void *data_end)
{
	struct pc_flow_key key;
	__u8 type = pkt->dport;

	if (pkt->tbl == PC_TBL_TCP_IN || pkt->tbl == PC_TBL_UDP_IN) {
		if (!may_be_reply(pkt, class))
			return -1;
		flow_key(&key, pkt->family, pkt->proto, pkt->l3, true, pkt->sport, pkt->dport);
		return flow_find(&key, pkt->tcp_flags & (PC_TCP_FIN | PC_TCP_RST));
	}
	if (is_echo_reply(pkt->family, type)) {
		if (!may_be_reply(pkt, class))
			return -1;
		flow_key(&key, pkt->family, pkt->proto, pkt->l3, true, 0,
			 icmp_echo_id(pkt, data_end));
		return flow_find(&key, false);
	}
	if (is_icmp_error(pkt->family, type)) {
		struct pc_quote_at at = quote_at(pkt, data);

		return icmp_error_xdp(ctx, pkt->family, at.l4, at.end);
	}
	return -1;
}

/* Egress: the appliance sends a packet of a flow out rule `rule` allows. A RST opens
 * nothing; a FIN or RST starts an existing TCP flow's short timeout, a SYN revives
 * a closing one (the port pair is used again). */
static __always_inline void flow_record(const struct pc_flow_key *key, const __u32 *local,
					__u32 rule, __u8 tcp_flags)
{
	bool tcp = key->proto == IPPROTO_TCP;
	bool closing = tcp && (tcp_flags & (PC_TCP_FIN | PC_TCP_RST));
	__u64 now = coarse_now();
	struct pc_flow *f = bpf_map_lookup_elem(&flows, key);
	struct pc_flow n = {};

	if (f) {
		/* Plain stores: a lost race with another CPU costs one refresh. */
		if (f->gen != cfg_gen || f->rule != rule) {
			f->gen = cfg_gen;
			f->rule = rule;
		}
		if (closing)
			f->closing = 1;
		else if (tcp && (tcp_flags & PC_TCP_SYN))
			f->closing = 0;
		f->seen_ns = now;
		return;
	}
	if (tcp && (tcp_flags & PC_TCP_RST))
		return;
	n.seen_ns = now;
	n.created_ns = now;
	n.gen = cfg_gen;
	n.rule = rule;
	n.closing = closing;
	n.origin = PC_FLOW_EGRESS;
	__builtin_memcpy(n.local, local, sizeof(n.local));
	/* The LRU evicts the least recently used flow when the table is full. */
	bpf_map_update_elem(&flows, key, &n, BPF_NOEXIST);
}

#endif /* PC_FLOWS_H */

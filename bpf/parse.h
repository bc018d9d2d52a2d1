/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Cursor parsers for both hooks: Ethernet + VLAN, IPv4, IPv6 + extension headers,
 * TCP/UDP/ICMP. They fill a struct pc_pkt and fail closed on anything they cannot read.
 *
 * Three ends bound every header. data_end ends what can be read. frame_end ends the
 * frame: at XDP it is data_end; at the egress hook the skb's length, of which only the
 * headers need be in the linear part that data_end ends (GSO packets are longer).
 * pkt->end ends the IP packet as its length field says, never beyond frame_end (what
 * follows is Ethernet padding). The semantic checks compare with pkt->end and
 * frame_end; the verifier only learns a packet range from comparisons with data_end,
 * so each read is also checked against data_end. At XDP pkt->end <= data_end, so that
 * test never drops a frame the semantic checks would pass.
 */
#ifndef PC_PARSE_H
#define PC_PARSE_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "portcullis.h"

/* parse_packet()'s answer when the frame goes on to the rules (else: a counter). */
#define PC_PARSED (-1)

/* Where a packet stands with respect to fragmentation. */
enum pc_frag_pos {
	PC_WHOLE = 0,	   /* not a fragment (IPv6 atomic fragments included) */
	PC_FIRST_FRAG = 1, /* offset 0, more fragments: has the L4 header */
	PC_LATER_FRAG = 2, /* offset > 0: no L4 header, only the fragment key */
};

/* What the parsers learn about a frame. */
struct pc_pkt {
	void *l3;	/* IP header: addresses for the trie and the fragment key */
	void *end;	/* end of the IP packet, <= frame_end */
	void *l4;	/* upper-layer header (ICMP: the echo id, the embedded packet) */
	__u32 frag_id;	/* IPv4 ID (zero-extended) or IPv6 ident., as on the wire */
	__u16 sport;	/* host order: TCP/UDP source port, ICMP type */
	__u16 dport;	/* host order: TCP/UDP destination port, ICMP type */
	__u8 family;	/* 4 or 6 */
	__u8 proto;	/* upper-layer protocol, after any IPv6 extension headers */
	__u8 frag;	/* enum pc_frag_pos */
	__u8 frag_hdr;	/* IPv6: a fragment header was seen (rules out NDP) */
	__u8 hop_limit; /* IPv6 hop limit (NDP requires 255) */
	__u8 tcp_flags; /* TCP flag byte (FIN..CWR) */
	__u8 tbl;	/* pc_table to look up for "in" rules; PC_TBL_COUNT: none */
};

struct pc_vlan {
	__be16 tci;
	__be16 proto;
};

/* The common start of hop-by-hop, routing, destination options and AH. */
struct pc_ext {
	__u8 nexthdr;
	__u8 len;
};

struct pc_frag6 {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off; /* offset << 3 | M */
	__be32 id;
};

/* ICMP and ICMPv6 share this 8-byte header. */
struct pc_icmp {
	__u8 type;
	__u8 code;
	__be16 csum;
	__be32 rest;
};

#define PC_IP_MF 0x2000
#define PC_IP_OFFSET 0x1fff
#define PC_IP6_OFFSET 0xfff8
#define PC_IP6_MF 0x0001
#define PC_TCP_ACK 0x10

/* A 16-bit length field in host order. Verifier portability: older verifiers (6.1
 * among them) take a byte swap's result as unknown in all 64 bits, and refuse a
 * packet pointer plus an unbounded value; the mask restores the range, and the barrier keeps clang
 * from dropping the mask it knows to be redundant. */
static __always_inline __u64 be16_len(__be16 field)
{
	__u64 v = bpf_ntohs(field);

	barrier_var(v);
	return v & 0xffff;
}

/* Ethernet and up to PC_MAX_VLAN 802.1Q/802.1ad tags, in either order.
 * Returns the EtherType after the tags (a third tag comes back as such: non-IP), or -1
 * when the frame ends inside them. */
static __always_inline int parse_eth(void **pos, void *data_end)
{
	struct ethhdr *eth = *pos;
	struct pc_vlan *vlan;
	__be16 proto;

	if ((void *)(eth + 1) > data_end)
		return -1;
	proto = eth->h_proto;
	vlan = (void *)(eth + 1);
#pragma unroll
	for (int i = 0; i < PC_MAX_VLAN; i++) {
		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		if ((void *)(vlan + 1) > data_end)
			return -1;
		proto = vlan->proto;
		vlan++;
	}
	*pos = vlan;
	return bpf_ntohs(proto);
}

/* IPv4 header, options skipped. Returns the protocol, or -1 if malformed. */
static __always_inline int parse_ipv4(void **pos, void *data_end, void *frame_end,
				      struct pc_pkt *pkt)
{
	struct iphdr *iph = *pos;
	__u32 hlen;
	__u64 tot_len;
	__u16 frag;

	if ((void *)(iph + 1) > data_end)
		return -1;
	if (iph->version != 4 || iph->ihl < 5)
		return -1;
	hlen = iph->ihl * 4;
	tot_len = be16_len(iph->tot_len);
	/* The last test keeps the options readable: at XDP, where frame_end is
	 * data_end, the others imply it. */
	if (tot_len < hlen || (void *)iph + tot_len > frame_end || (void *)iph + hlen > data_end)
		return -1;

	frag = bpf_ntohs(iph->frag_off);
	if (frag & PC_IP_OFFSET)
		pkt->frag = PC_LATER_FRAG;
	else if (frag & PC_IP_MF)
		pkt->frag = PC_FIRST_FRAG;
	pkt->family = 4;
	pkt->l3 = iph;
	pkt->end = (void *)iph + tot_len;
	pkt->frag_id = iph->id;
	*pos = (void *)iph + hlen;
	return iph->protocol;
}

static __always_inline bool ipv6_is_ext(int nexthdr)
{
	return nexthdr == IPPROTO_HOPOPTS || nexthdr == IPPROTO_ROUTING ||
	       nexthdr == IPPROTO_FRAGMENT || nexthdr == IPPROTO_DSTOPTS || nexthdr == IPPROTO_AH;
}

/* One extension header at *pos (known to be one). Returns its length in bytes, or -1
 * if malformed. A non-first fragment header ends the walk: what follows it is data. */
static __always_inline int ipv6_ext_len(void *h, void *data_end, int nexthdr, struct pc_pkt *pkt)
{
	struct pc_ext *ext = h;
	struct pc_frag6 *fh = h;
	__u16 off;

	/* Every extension header is at least 8 bytes long; the caller checks its
	 * whole length against pkt->end. */
	if (h + 8 > data_end)
		return -1;
	switch (nexthdr) {
	case IPPROTO_AH:
		/* (len + 2) * 4 must be a multiple of 8 in IPv6. */
		if (ext->len & 1)
			return -1;
		return (ext->len + 2) * 4;
	case IPPROTO_FRAGMENT:
		if (pkt->frag_hdr)
			return -1;
		pkt->frag_hdr = 1;
		pkt->frag_id = fh->id;
		off = bpf_ntohs(fh->frag_off);
		if (off & PC_IP6_OFFSET)
			pkt->frag = PC_LATER_FRAG;
		else if (off & PC_IP6_MF)
			pkt->frag = PC_FIRST_FRAG;
		return sizeof(*fh);
	default:
		return (ext->len + 1) * 8;
	}
}

/* IPv6 header and up to PC_MAX_V6_EXT extension headers. Returns the upper-layer
 * protocol (for a non-first fragment: the fragment header's next header), or -1 if
 * malformed. */
static __always_inline int parse_ipv6(void **pos, void *data_end, void *frame_end,
				      struct pc_pkt *pkt)
{
	struct ipv6hdr *ip6 = *pos;
	void *payload = ip6 + 1, *h;
	int nexthdr, len;
	__u32 off = 0;

	if ((void *)(ip6 + 1) > data_end)
		return -1;
	if (ip6->version != 6)
		return -1;
	pkt->family = 6;
	pkt->l3 = ip6;
	pkt->end = payload + be16_len(ip6->payload_len);
	if (pkt->end > frame_end)
		return -1;
	pkt->hop_limit = ip6->hop_limit;

	nexthdr = ip6->nexthdr;
	for (int i = 0; i < PC_MAX_V6_EXT; i++) {
		if (!ipv6_is_ext(nexthdr))
			break;
		h = payload + off;
		len = ipv6_ext_len(h, data_end, nexthdr, pkt);
		if (len < 0 || h + len > pkt->end)
			return -1;
		nexthdr = ((struct pc_ext *)h)->nexthdr;
		/* Verifier workaround: the mask is a no-op (six headers of at
		 * most 2048 bytes) but gives every path through the loop the
		 * same offset range, so that the verifier can prune them
		 * instead of walking each combination (108k -> 44k insns). */
		off = (off + len) & 0x3fff;
		if (pkt->frag == PC_LATER_FRAG)
			return nexthdr;
	}
	if (ipv6_is_ext(nexthdr))
		return -1; /* a seventh extension header */
	*pos = payload + off;
	return nexthdr;
}

static __always_inline int parse_tcp(void *pos, void *data_end, struct pc_pkt *pkt)
{
	struct tcphdr *th = pos;

	if ((void *)(th + 1) > data_end)
		return -1;
	/* doff >= 5: this also keeps the fixed header inside the packet. */
	if (th->doff < 5 || pos + th->doff * 4 > pkt->end)
		return -1;
	pkt->sport = bpf_ntohs(th->source);
	pkt->dport = bpf_ntohs(th->dest);
	pkt->tcp_flags = ((__u8 *)th)[13];
	pkt->tbl = PC_TBL_TCP_IN;
	return 0;
}

static __always_inline int parse_udp(void *pos, void *data_end, struct pc_pkt *pkt)
{
	struct udphdr *uh = pos;
	__u64 len;

	if ((void *)(uh + 1) > pkt->end || (void *)(uh + 1) > data_end)
		return -1;
	len = be16_len(uh->len);
	if (len < sizeof(*uh))
		return -1;
	/* A first fragment's UDP length covers the whole datagram. */
	if (pkt->frag != PC_FIRST_FRAG && pos + len > pkt->end)
		return -1;
	pkt->sport = bpf_ntohs(uh->source);
	pkt->dport = bpf_ntohs(uh->dest);
	pkt->tbl = PC_TBL_UDP_IN;
	return 0;
}

/* ICMP and ICMPv6: both the in and the reply table are indexed by the type. */
static __always_inline int parse_icmp(void *pos, void *data_end, struct pc_pkt *pkt, __u8 tbl)
{
	struct pc_icmp *ih = pos;

	if ((void *)(ih + 1) > pkt->end || (void *)(ih + 1) > data_end)
		return -1;
	pkt->sport = ih->type;
	pkt->dport = ih->type;
	pkt->tbl = tbl;
	return 0;
}

/* Upper layer header: 0, or -1 if malformed. A protocol without a table (ICMP in the
 * wrong family, ESP, no-next-header, ...) leaves pkt->tbl at PC_TBL_COUNT. */
static __always_inline int parse_l4(void *pos, void *data_end, struct pc_pkt *pkt)
{
	switch (pkt->proto) {
	case IPPROTO_TCP:
		return parse_tcp(pos, data_end, pkt);
	case IPPROTO_UDP:
		return parse_udp(pos, data_end, pkt);
	case IPPROTO_ICMP:
		if (pkt->family == 4)
			return parse_icmp(pos, data_end, pkt, PC_TBL_ICMP_IN);
		return 0;
	case IPPROTO_ICMPV6:
		if (pkt->family == 6)
			return parse_icmp(pos, data_end, pkt, PC_TBL_ICMP6_IN);
		return 0;
	}
	return 0;
}

/* The whole frame. Returns PC_PARSED when the packet goes on (a non-first fragment
 * without its L4 header), else the implicit counter that decides it: PC_CNT_NON_IP
 * or PC_CNT_MALFORMED. */
static __always_inline int parse_packet(void *data, void *data_end, void *frame_end,
					struct pc_pkt *pkt)
{
	void *pos = data;
	int proto;

	pkt->tbl = PC_TBL_COUNT;
	proto = parse_eth(&pos, data_end);
	if (proto == ETH_P_IP)
		proto = parse_ipv4(&pos, data_end, frame_end, pkt);
	else if (proto == ETH_P_IPV6)
		proto = parse_ipv6(&pos, data_end, frame_end, pkt);
	else if (proto >= 0)
		return PC_CNT_NON_IP;
	if (proto < 0)
		return PC_CNT_MALFORMED;
	pkt->proto = proto;
	if (pkt->frag == PC_LATER_FRAG)
		return PC_PARSED;
	pkt->l4 = pos;
	if (parse_l4(pos, data_end, pkt) < 0)
		return PC_CNT_MALFORMED;
	return PC_PARSED;
}

/* Neighbour discovery: ICMPv6 133-137 with hop limit 255 and no fragment header. */
static __always_inline bool is_ndp(const struct pc_pkt *pkt)
{
	return pkt->tbl == PC_TBL_ICMP6_IN && pkt->dport >= 133 && pkt->dport <= 137 &&
	       pkt->hop_limit == 255 && !pkt->frag_hdr;
}

#endif /* PC_PARSE_H */

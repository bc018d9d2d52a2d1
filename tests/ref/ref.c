// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The reference classifier: docs/semantics.md §3 step by step, over a linear walk of the rules.
 * Written from docs/semantics.md alone; where it leaves a choice, the comment says which
 * reading this file takes, so that a difference can be argued from the text. */
#include <linux/bpf.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ref.h"

enum {
	ETH_HLEN_ = 14,
	ETHERTYPE_IP4 = 0x0800,
	ETHERTYPE_IP6 = 0x86dd,
	TPID_8021Q = 0x8100,
	TPID_8021AD = 0x88a8,
	MAX_TAGS = 2,
	MAX_EXT = 6,
};

enum {
	IPP_HOPOPTS = 0,
	IPP_ICMP = 1,
	IPP_TCP = 6,
	IPP_UDP = 17,
	IPP_ROUTING = 43,
	IPP_FRAGMENT = 44,
	IPP_AH = 51,
	IPP_ICMPV6 = 58,
	IPP_DSTOPTS = 60,
};

#define TCP_ACK 0x10

/* The transport a rule can read. ICMP is protocol 1 in IPv4 and ICMPV6 58 in IPv6;
 * the other way round they are OTHER: "matches no rule". */
enum l4_kind { L4_OTHER, L4_TCP, L4_UDP, L4_ICMP, L4_ICMPV6 };

/* What the reference reads from a frame. */
struct view {
	int family;
	const uint8_t *src, *dst;
	uint8_t hop_limit;
	bool frag_hdr;	 /* IPv6: the chain holds a fragment header */
	bool first_frag; /* offset 0, more fragments follow */
	bool later_frag; /* offset > 0 */
	uint8_t key_proto;
	uint32_t id;
	enum l4_kind kind;
	const uint8_t *l4; /* the transport header... */
	size_t l4_len;	   /* ...and the bytes of the IP packet from there on */
	uint16_t sport, dport;
	uint8_t flags; /* TCP */
	uint8_t type;  /* ICMP / ICMPv6 */
	const char *why;
};

enum parsed { PARSED, NON_IP, MALFORMED };

static uint16_t be16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

static uint32_t be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static enum parsed malformed(struct view *w, const char *why)
{
	w->why = why;
	return MALFORMED;
}

/* --- Parsing ------------------------------------------------------------------------ */

/* Ethernet and up to two VLAN tags of either TPID; *off ends at the L3 header. */
static enum parsed parse_eth(const uint8_t *b, size_t len, size_t *off, uint16_t *type,
			     struct view *w)
{
	int tags = 0;

	if (len < ETH_HLEN_)
		return malformed(w, "frame shorter than an Ethernet header");
	*type = be16(b + 12);
	*off = ETH_HLEN_;
	while ((*type == TPID_8021Q || *type == TPID_8021AD) && tags < MAX_TAGS) {
		if (*off + 4 > len)
			return malformed(w, "frame cut inside a VLAN tag");
		*type = be16(b + *off + 2);
		*off += 4;
		tags++;
	}
	if (*type == TPID_8021Q || *type == TPID_8021AD)
		return malformed(w, "more than two VLAN tags");
	if (*type != ETHERTYPE_IP4 && *type != ETHERTYPE_IP6) {
		w->why = "not IPv4/IPv6 after up to two VLAN tags";
		return NON_IP;
	}
	return PARSED;
}

static enum parsed parse_ip4(const uint8_t *b, size_t len, size_t off, struct view *w,
			     uint8_t *proto, size_t *end)
{
	const uint8_t *h = b + off;
	size_t hlen, tot;
	uint16_t frag;

	if (off + 20 > len)
		return malformed(w, "IPv4 header truncated");
	if (h[0] >> 4 != 4)
		return malformed(w, "IP version contradicts the EtherType");
	hlen = (size_t)(h[0] & 0xf) * 4;
	if (hlen < 20)
		return malformed(w, "IPv4 IHL < 5");
	if (off + hlen > len)
		return malformed(w, "IPv4 options beyond the frame");
	tot = be16(h + 2);
	if (tot < hlen)
		return malformed(w, "IPv4 total length below the header length");
	if (off + tot > len)
		return malformed(w, "IPv4 total length beyond the frame");
	w->family = 4;
	w->src = h + 12;
	w->dst = h + 16;
	frag = be16(h + 6);
	w->later_frag = (frag & 0x1fff) != 0;
	w->first_frag = !w->later_frag && (frag & 0x2000);
	w->id = be16(h + 4);
	w->key_proto = h[9];
	*proto = h[9];
	w->l4 = h + hlen;
	w->l4_len = tot - hlen;
	*end = off + tot;
	return PARSED;
}

/* One header of the IPv6 chain at b[*at], which must end by end. */
static enum parsed ext6(const uint8_t *b, size_t *at, size_t end, uint8_t *nh, struct view *w)
{
	const uint8_t *h = b + *at;
	size_t hlen;

	if (*at + 8 > end)
		return malformed(w, "IPv6 extension header beyond the packet");
	switch (*nh) {
	case IPP_FRAGMENT:
		if (w->frag_hdr)
			return malformed(w, "two IPv6 fragment headers");
		w->frag_hdr = true;
		w->later_frag = (be16(h + 2) >> 3) != 0;
		w->first_frag = !w->later_frag && (be16(h + 2) & 1);
		w->id = be32(h + 4);
		hlen = 8;
		break;
	case IPP_AH:
		/* (len + 2) 32-bit words; IPv6 wants a multiple of 8 bytes, so an odd
		 * length field cannot be read with certainty. */
		if (h[1] & 1)
			return malformed(w, "IPv6 AH with an odd length");
		hlen = ((size_t)h[1] + 2) * 4;
		break;
	default:
		hlen = ((size_t)h[1] + 1) * 8;
		break;
	}
	if (*at + hlen > end)
		return malformed(w, "IPv6 extension header beyond the packet");
	*nh = h[0];
	*at += hlen;
	return PARSED;
}

static bool is_ext6(uint8_t nh)
{
	return nh == IPP_HOPOPTS || nh == IPP_ROUTING || nh == IPP_FRAGMENT || nh == IPP_DSTOPTS ||
	       nh == IPP_AH;
}

static enum parsed parse_ip6(const uint8_t *b, size_t len, size_t off, struct view *w,
			     uint8_t *proto, size_t *end)
{
	const uint8_t *h = b + off;
	size_t at = off + 40;
	uint8_t nh;
	int n = 0;

	if (off + 40 > len)
		return malformed(w, "IPv6 header truncated");
	if (h[0] >> 4 != 6)
		return malformed(w, "IP version contradicts the EtherType");
	*end = off + 40 + be16(h + 4);
	if (*end > len)
		return malformed(w, "IPv6 payload length beyond the frame");
	w->family = 6;
	w->src = h + 8;
	w->dst = h + 24;
	w->hop_limit = h[7];
	nh = h[6];
	/* A non-first fragment ends the walk: what follows its header is data. */
	while (is_ext6(nh) && !w->later_frag) {
		if (++n > MAX_EXT)
			return malformed(w, "more than six IPv6 extension headers");
		if (ext6(b, &at, *end, &nh, w) != PARSED)
			return MALFORMED;
	}
	*proto = nh;
	w->l4 = b + at;
	w->l4_len = *end - at;
	return PARSED;
}

/* The transport header of a packet that is not a non-first fragment. */
static enum parsed parse_l4(uint8_t proto, struct view *w)
{
	const uint8_t *l = w->l4;

	if (proto == IPP_TCP) {
		w->kind = L4_TCP;
		if (w->l4_len < 20)
			return malformed(w, "TCP header under 20 bytes");
		if (l[12] >> 4 < 5)
			return malformed(w, "TCP data offset under 5");
		if ((size_t)(l[12] >> 4) * 4 > w->l4_len)
			return malformed(w, "TCP data offset beyond the packet");
		w->flags = l[13];
	} else if (proto == IPP_UDP) {
		w->kind = L4_UDP;
		if (w->l4_len < 8)
			return malformed(w, "UDP header under 8 bytes");
		if (be16(l + 4) < 8)
			return malformed(w, "UDP length under 8");
		/* A first fragment holds only the start of the datagram that the UDP
		 * length covers: only an unfragmented one can be checked. */
		if (be16(l + 4) > w->l4_len && !w->first_frag)
			return malformed(w, "UDP length beyond the packet");
	} else if ((proto == IPP_ICMP && w->family == 4) ||
		   (proto == IPP_ICMPV6 && w->family == 6)) {
		w->kind = w->family == 4 ? L4_ICMP : L4_ICMPV6;
		if (w->l4_len < 8)
			return malformed(w, "ICMP header under 8 bytes");
		w->type = l[0];
		return PARSED;
	} else {
		w->kind = L4_OTHER;
		return PARSED;
	}
	w->sport = be16(l);
	w->dport = be16(l + 2);
	return PARSED;
}

static enum parsed parse(const uint8_t *b, size_t len, struct view *w)
{
	enum parsed r;
	uint16_t type;
	uint8_t proto = 0;
	size_t off, end;

	r = parse_eth(b, len, &off, &type, w);
	if (r != PARSED)
		return r;
	if (type == ETHERTYPE_IP4)
		r = parse_ip4(b, len, off, w, &proto, &end);
	else
		r = parse_ip6(b, len, off, w, &proto, &end);
	if (r != PARSED || w->later_frag)
		return r;
	return parse_l4(proto, w);
}

/* --- Peers and rules ----------------------------------------------------------------- */

static bool prefix_has(const struct pc_prefix *pf, int family, const uint8_t *a)
{
	unsigned full = pf->len / 8, rest = pf->len % 8;

	if (pf->family != family || memcmp(pf->addr, a, full))
		return false;
	return !rest || !((pf->addr[full] ^ a[full]) & (0xff00 >> rest) & 0xff);
}

static bool prefixes_have(const struct pc_prefix *v, size_t n, int family, const uint8_t *a)
{
	for (size_t i = 0; i < n; i++)
		if (prefix_has(&v[i], family, a))
			return true;
	return false;
}

static bool peer_has(const struct pc_profile *p, const struct pc_rule *r, int family,
		     const uint8_t *a)
{
	const struct pc_zone *z;

	switch (r->peer_kind) {
	case PC_PEER_ANY:
		return true;
	case PC_PEER_INTERNET:
		/* In none of the profile's zones, whatever rule names them. */
		for (size_t i = 0; i < p->n_zones; i++)
			if (prefixes_have(p->zones[i].prefixes, p->zones[i].n_prefixes, family, a))
				return false;
		return true;
	case PC_PEER_ZONE:
		z = &p->zones[r->zone];
		return prefixes_have(z->prefixes, z->n_prefixes, family, a);
	case PC_PEER_ADDRS:
		return prefixes_have(r->addrs, r->n_addrs, family, a);
	}
	return false;
}

static bool ranges_have(const struct pc_rule *r, unsigned x)
{
	if (!r->n_ranges)
		return true; /* no port or type list: all of them */
	for (size_t i = 0; i < r->n_ranges; i++)
		if (r->ranges[i].lo <= x && x <= r->ranges[i].hi)
			return true;
	return false;
}

/* A packet as an `in` rule reads it: the peer (source) starts the traffic towards the
 * appliance's port or with this ICMP type. */
static bool in_rule_has(const struct pc_profile *p, const struct pc_rule *r, const struct view *w)
{
	if (r->dir != PC_DIR_IN || !peer_has(p, r, w->family, w->src))
		return false;
	switch (w->kind) {
	case L4_TCP:
		return (r->protos & PC_P_TCP) && ranges_have(r, w->dport);
	case L4_UDP:
		return (r->protos & PC_P_UDP) && ranges_have(r, w->dport);
	case L4_ICMP:
		return (r->protos & PC_P_ICMP) && ranges_have(r, w->type);
	case L4_ICMPV6:
		return (r->protos & PC_P_ICMP6) && ranges_have(r, w->type);
	default:
		return false;
	}
}

static bool ephemeral(const struct pc_profile *p, uint16_t port)
{
	return p->opt.eph_lo <= port && port <= p->opt.eph_hi;
}

/* A packet as an `out` rule read statelessly (`state off`) reads it: a reply from the
 * rule's peer and port, TCP with ACK, to the ephemeral range; echo-reply for a rule
 * that covers echo-request. */
static bool reply_rule_has(const struct pc_profile *p, const struct pc_rule *r,
			   const struct view *w)
{
	if (r->dir != PC_DIR_OUT || !peer_has(p, r, w->family, w->src))
		return false;
	switch (w->kind) {
	case L4_TCP:
		return (r->protos & PC_P_TCP) && (w->flags & TCP_ACK) && ranges_have(r, w->sport) &&
		       ephemeral(p, w->dport);
	case L4_UDP:
		return (r->protos & PC_P_UDP) && ranges_have(r, w->sport) && ephemeral(p, w->dport);
	case L4_ICMP:
		return (r->protos & PC_P_ICMP) && w->type == 0 && ranges_have(r, 8);
	case L4_ICMPV6:
		return (r->protos & PC_P_ICMP6) && w->type == 129 && ranges_have(r, 128);
	default:
		return false;
	}
}

/* The first rule that matches, in profile order; -1 if none. */
static long first_rule(const struct pc_profile *p, const struct view *w, bool stateless)
{
	for (size_t k = 0; k < p->n_rules; k++)
		if (in_rule_has(p, &p->rules[k], w) ||
		    (stateless && reply_rule_has(p, &p->rules[k], w)))
			return (long)k;
	return -1;
}

/* --- State on: the flow table -------------------------------------------------------- */

long ref_egress_rule(const struct pc_profile *p, int family, const uint8_t *peer, uint8_t proto,
		     uint16_t port_or_type)
{
	for (size_t k = 0; k < p->n_rules; k++) {
		const struct pc_rule *r = &p->rules[k];
		unsigned bit = 0;

		if (proto == IPP_TCP)
			bit = PC_P_TCP;
		else if (proto == IPP_UDP)
			bit = PC_P_UDP;
		else if (proto == IPP_ICMP && family == 4)
			bit = PC_P_ICMP;
		else if (proto == IPP_ICMPV6 && family == 6)
			bit = PC_P_ICMP6;

		if (r->dir == PC_DIR_OUT && (r->protos & bit) && peer_has(p, r, family, peer) &&
		    ranges_have(r, port_or_type))
			return (long)k;
	}
	return -1;
}

static size_t addr_len(int family)
{
	return family == 4 ? 4 : 16;
}

static bool same_addr(int family, const uint8_t *a, const uint8_t *b)
{
	return !memcmp(a, b, addr_len(family));
}

static bool is_echo_reply(const struct view *w)
{
	return (w->kind == L4_ICMP && w->type == 0) || (w->kind == L4_ICMPV6 && w->type == 129);
}

static bool is_icmp_error(const struct view *w)
{
	/* The errors the stateful-replies issue names: destination unreachable
	 * (fragmentation needed among them), time exceeded, parameter problem; ICMPv6
	 * 1-4 (packet too big included). */
	if (w->kind == L4_ICMP)
		return w->type == 3 || w->type == 11 || w->type == 12;
	return w->kind == L4_ICMPV6 && w->type >= 1 && w->type <= 4;
}

static uint8_t flow_proto(const struct view *w)
{
	static const uint8_t protos[] = { [L4_TCP] = IPP_TCP,
					  [L4_UDP] = IPP_UDP,
					  [L4_ICMP] = IPP_ICMP,
					  [L4_ICMPV6] = IPP_ICMPV6 };

	return protos[w->kind];
}

/* A reply: from the flow's peer and port to the appliance's port (for ICMP, an
 * echo-reply carrying the flow's identifier). Which of its addresses it is sent to
 * does not matter: docs/semantics.md §3.13 takes every frame as addressed to the appliance. A TCP
 * segment without ACK is no reply (a peer opening, not answering). */
static long reply_flow(const struct ref *r, const struct view *w)
{
	if (w->kind == L4_TCP && !(w->flags & TCP_ACK))
		return -1;
	for (size_t i = 0; i < r->n_flows; i++) {
		const struct ref_flow *f = &r->flows[i];

		if (f->family != w->family || f->proto != flow_proto(w) ||
		    !same_addr(f->family, f->peer, w->src))
			continue;
		if (w->kind == L4_TCP || w->kind == L4_UDP) {
			if (f->peer_port == w->sport && f->local_port == w->dport)
				return (long)f->rule;
		} else if (is_echo_reply(w) && f->local_port == be16(w->l4 + 4)) {
			return (long)f->rule;
		}
	}
	return -1;
}

/* The packet an ICMP error embeds: one the appliance sent, IP header and 8 bytes of
 * its transport, without extension headers. Read as a view from the peer's side. */
static bool embedded(const struct view *w, struct view *in, uint8_t *proto)
{
	const uint8_t *b = w->l4 + 8;
	size_t n = w->l4_len - 8, hlen;

	memset(in, 0, sizeof(*in));
	in->family = w->family;
	if (w->family == 4) {
		if (n < 20 || b[0] >> 4 != 4 || (b[0] & 0xf) < 5)
			return false;
		hlen = (size_t)(b[0] & 0xf) * 4;
		if (be16(b + 6) & 0x1fff)
			return false; /* a later fragment: no transport header */
		*proto = b[9];
		in->src = b + 16; /* the peer it was sent to */
		in->dst = b + 12; /* the appliance */
	} else {
		if (n < 40 || b[0] >> 4 != 6)
			return false;
		hlen = 40;
		*proto = b[6];
		in->src = b + 24;
		in->dst = b + 8;
	}
	if (n < hlen + 8)
		return false;
	in->l4 = b + hlen;
	in->l4_len = 8;
	if (*proto == IPP_TCP || *proto == IPP_UDP) {
		in->kind = *proto == IPP_TCP ? L4_TCP : L4_UDP;
		/* Swapped: the peer's port is the one the appliance sent to. */
		in->sport = be16(in->l4 + 2);
		in->dport = be16(in->l4);
		return true;
	}
	if ((*proto == IPP_ICMP && w->family == 4) || (*proto == IPP_ICMPV6 && w->family == 6)) {
		in->kind = w->family == 4 ? L4_ICMP : L4_ICMPV6;
		in->type = in->l4[0];
		return true;
	}
	return false;
}

/* An ICMP error about a recorded flow (the embedded packet is one of the flow's
 * outbound packets), or about a flow an `in` rule allows (the embedded packet is the
 * appliance's side of it). Returns the rule to count on, or -1. */
static long error_flow(const struct ref *r, const struct view *w)
{
	const struct pc_profile *p = r->p;
	struct view in;
	uint8_t proto;
	long k;

	if (!is_icmp_error(w) || !embedded(w, &in, &proto))
		return -1;
	for (size_t i = 0; i < r->n_flows; i++) {
		const struct ref_flow *f = &r->flows[i];

		if (f->family != in.family || f->proto != proto ||
		    !same_addr(f->family, f->peer, in.src))
			continue;
		if (in.kind == L4_TCP || in.kind == L4_UDP) {
			if (f->peer_port == in.sport && f->local_port == in.dport)
				return (long)f->rule;
		} else if ((in.type == 8 || in.type == 128) && f->local_port == be16(in.l4 + 4)) {
			return (long)f->rule;
		}
	}
	/* A flow the peer started: the view is already the peer's (to the appliance's
	 * port); the appliance's echo-reply belongs to the peer's echo-request. */
	if (in.kind == L4_ICMP || in.kind == L4_ICMPV6) {
		if (in.type != (in.kind == L4_ICMP ? 0 : 129))
			return -1; /* an echo-reply is 0 in ICMP, 129 in ICMPv6 */
		in.type = in.kind == L4_ICMP ? 8 : 128;
	}
	k = first_rule(p, &in, false);
	return k >= 0 && p->rules[k].action == PC_ACT_PASS ? k : -1;
}

/* --- Fragments ----------------------------------------------------------------------- */

static void frag_key(const struct view *w, struct ref_dgram *k)
{
	memset(k, 0, sizeof(*k));
	k->family = (uint8_t)w->family;
	k->proto = w->family == 4 ? w->key_proto : 0;
	k->id = w->id;
	memcpy(k->src, w->src, addr_len(w->family));
	memcpy(k->dst, w->dst, addr_len(w->family));
}

static struct ref_dgram *dgram_find(struct ref *r, const struct ref_dgram *k)
{
	for (size_t i = 0; i < r->n_dgrams; i++) {
		struct ref_dgram *d = &r->dgrams[i];

		if (d->family == k->family && d->proto == k->proto && d->id == k->id &&
		    !memcmp(d->src, k->src, 16) && !memcmp(d->dst, k->dst, 16))
			return d;
	}
	return NULL;
}

/* A first fragment was judged: one that passed (re)starts its datagram's entry. One
 * that did not pass replaces an older datagram's entry with nothing (docs/semantics.md §3.9: "a
 * later first fragment with the same key replaces the entry"), so its later fragments cannot ride
 * on an earlier verdict. */
static void dgram_first(struct ref *r, const struct view *w, uint64_t now,
			const struct ref_verdict *v)
{
	struct ref_dgram k, *d;

	frag_key(w, &k);
	d = dgram_find(r, &k);
	if (v->action != XDP_PASS) {
		if (d)
			*d = r->dgrams[--r->n_dgrams];
		return;
	}
	if (!d) {
		if (r->n_dgrams == r->cap_dgrams) {
			size_t cap = r->cap_dgrams ? 2 * r->cap_dgrams : 64;
			struct ref_dgram *v2 = realloc(r->dgrams, cap * sizeof(*v2));

			if (!v2)
				abort();
			r->dgrams = v2;
			r->cap_dgrams = cap;
		}
		d = &r->dgrams[r->n_dgrams++];
	}
	*d = k;
	d->created_ns = now;
	d->counter = v->counter;
}

static void set(struct ref_verdict *v, bool pass, uint32_t counter, const char *why)
{
	v->action = pass ? XDP_PASS : XDP_DROP;
	v->counter = counter;
	v->why = why;
}

static void later_fragment(struct ref *r, const struct view *w, uint64_t now, struct ref_verdict *v)
{
	struct ref_dgram k, *d;

	switch (r->p->opt.fragments) {
	case PC_FRAG_PASS:
		set(v, true, PC_CNT_FRAGMENT, "non-first fragment, fragments pass");
		return;
	case PC_FRAG_DROP:
		set(v, false, PC_CNT_FRAGMENT, "non-first fragment, fragments drop");
		return;
	case PC_FRAG_TRACK:
		break;
	}
	frag_key(w, &k);
	d = dgram_find(r, &k);
	if (d && now - d->created_ns < REF_FRAG_TTL_NS)
		set(v, true, d->counter, "non-first fragment of a datagram whose first passed");
	else
		set(v, false, PC_CNT_FRAGMENT, "non-first fragment, no first fragment passed");
}

/* --- The verdict --------------------------------------------------------------------- */

static void by_rules(struct ref *r, const struct view *w, struct ref_verdict *v)
{
	const struct pc_profile *p = r->p;
	long k = first_rule(p, w, !p->opt.state), f = -1;
	const char *why = "reply of a recorded flow";

	if (k >= 0 && p->rules[k].action == PC_ACT_PASS) {
		set(v, true, PC_CNT_IMPLICIT + (uint32_t)k, "first matching rule allows");
		return;
	}
	/* State on: the flow table only for what the rules would not pass. */
	if (p->opt.state && w->kind != L4_OTHER) {
		f = reply_flow(r, w);
		if (f < 0) {
			f = error_flow(r, w);
			why = "ICMP error about a recorded or allowed flow";
		}
	}
	if (f >= 0)
		set(v, true, PC_CNT_IMPLICIT + (uint32_t)f, why);
	else if (k >= 0)
		set(v, false, PC_CNT_IMPLICIT + (uint32_t)k, "first matching rule drops");
	else
		set(v, p->opt.default_pass, PC_CNT_NO_MATCH, "no rule matches");
}

static bool is_ndp(const struct view *w)
{
	return w->kind == L4_ICMPV6 && w->type >= 133 && w->type <= 137 && w->hop_limit == 255 &&
	       !w->frag_hdr;
}

void ref_judge(struct ref *r, const void *frame, size_t len, uint64_t now_ns, struct ref_verdict *v)
{
	struct view w = { 0 };

	switch (parse(frame, len, &w)) {
	case NON_IP:
		set(v, r->p->opt.non_ip_pass, PC_CNT_NON_IP, w.why);
		return;
	case MALFORMED:
		set(v, false, PC_CNT_MALFORMED, w.why);
		return;
	case PARSED:
		break;
	}
	if (w.later_frag) {
		later_fragment(r, &w, now_ns, v);
		return;
	}
	if (is_ndp(&w)) {
		set(v, true, PC_CNT_NDP, "neighbour discovery");
		return;
	}
	by_rules(r, &w, v);
	if (w.first_frag)
		dgram_first(r, &w, now_ns, v);
}

void ref_init(struct ref *r, const struct pc_profile *p)
{
	memset(r, 0, sizeof(*r));
	r->p = p;
}

void ref_set_flows(struct ref *r, const struct ref_flow *flows, size_t n)
{
	r->flows = flows;
	r->n_flows = n;
}

void ref_forget_fragments(struct ref *r)
{
	r->n_dgrams = 0;
}

void ref_free(struct ref *r)
{
	free(r->dgrams);
	memset(r, 0, sizeof(*r));
}

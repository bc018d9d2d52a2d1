// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Frames for the differential test: built with the frame builder to hit the profile's
 * prefixes and port or type boundaries, then often broken on purpose (any header
 * byte, the length and offset fields, truncation at and around every layer), plus
 * some random bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/gen.h"

/* --- Hints from the profile ------------------------------------------------------------ */

static void push16(uint16_t **v, size_t *n, long x)
{
	uint16_t *nv;

	if (x < 0 || x > 65535)
		return;
	nv = realloc(*v, (*n + 1) * sizeof(**v));
	if (!nv)
		abort();
	*v = nv;
	(*v)[(*n)++] = (uint16_t)x;
}

static void push8(uint8_t **v, size_t *n, long x)
{
	uint8_t *nv;

	if (x < 0 || x > 255)
		return;
	nv = realloc(*v, (*n + 1) * sizeof(**v));
	if (!nv)
		abort();
	*v = nv;
	(*v)[(*n)++] = (uint8_t)x;
}

static void push_prefixes(struct gen_hints *h, const struct pc_prefix *v, size_t n)
{
	struct pc_prefix *nv;

	if (!n)
		return;
	nv = realloc(h->prefixes, (h->n_prefixes + n) * sizeof(*nv));
	if (!nv)
		abort();
	h->prefixes = nv;
	memcpy(h->prefixes + h->n_prefixes, v, n * sizeof(*v));
	h->n_prefixes += n;
}

void gen_hints_init(struct gen_hints *h, const struct pc_profile *p)
{
	static const uint8_t types[] = { 0, 3, 8, 11, 1, 2, 128, 129, 133, 135, 137 };

	memset(h, 0, sizeof(*h));
	for (size_t z = 0; z < p->n_zones; z++)
		push_prefixes(h, p->zones[z].prefixes, p->zones[z].n_prefixes);
	for (size_t k = 0; k < p->n_rules; k++) {
		const struct pc_rule *r = &p->rules[k];
		bool icmp = r->protos & (PC_P_ICMP | PC_P_ICMP6);

		push_prefixes(h, r->addrs, r->n_addrs);
		for (size_t i = 0; i < r->n_ranges; i++) {
			long lo = r->ranges[i].lo, hi = r->ranges[i].hi;

			for (long x = lo - 1; x <= lo + 1; x++)
				icmp ? push8(&h->types, &h->n_types, x)
				     : push16(&h->ports, &h->n_ports, x);
			for (long x = hi - 1; x <= hi + 1; x++)
				icmp ? push8(&h->types, &h->n_types, x)
				     : push16(&h->ports, &h->n_ports, x);
		}
	}
	for (long x = -1; x <= 1; x++) {
		push16(&h->ports, &h->n_ports, p->opt.eph_lo + x);
		push16(&h->ports, &h->n_ports, p->opt.eph_hi + x);
	}
	push16(&h->ports, &h->n_ports, 0);
	for (size_t i = 0; i < sizeof(types); i++)
		push8(&h->types, &h->n_types, types[i]);
}

void gen_hints_free(struct gen_hints *h)
{
	free(h->prefixes);
	free(h->ports);
	free(h->types);
	memset(h, 0, sizeof(*h));
}

/* --- Building -------------------------------------------------------------------------- */

void gen_init(struct gen *g, struct rng *r, const struct gen_hints *h)
{
	memset(g, 0, sizeof(*g));
	g->rng = r;
	g->h = h;
}

static void note(struct gen *g, const char *fmt, const char *arg)
{
	size_t n = strlen(g->what);

	snprintf(g->what + n, sizeof(g->what) - n, fmt, arg);
}

/* Records the header just appended: from off to the frame's end. */
static void layer(struct gen *g, const struct pkt *f, enum gen_layer kind, size_t off)
{
	if (g->n_layers == GEN_MAX_LAYERS)
		return;
	g->layers[g->n_layers].kind = kind;
	g->layers[g->n_layers].off = (int)off;
	g->layers[g->n_layers].len = (int)(f->len - off);
	g->n_layers++;
}

static uint16_t pick_port(struct gen *g)
{
	if (g->h->n_ports && rng_pct(g->rng, 70))
		return g->h->ports[rng_below(g->rng, (uint32_t)g->h->n_ports)];
	if (rng_pct(g->rng, 50))
		return (uint16_t)rng_range(g->rng, 1024, 65535);
	return (uint16_t)rng_next(g->rng);
}

static uint8_t pick_type(struct gen *g)
{
	if (g->h->n_types && rng_pct(g->rng, 80))
		return g->h->types[rng_below(g->rng, (uint32_t)g->h->n_types)];
	return (uint8_t)rng_next(g->rng);
}

/* An address in, at the edge of, or just outside one of the profile's prefixes, or
 * anywhere. family 0: either. */
static void pick_addr(struct gen *g, int family, int *out_family, uint8_t a[16])
{
	struct rng *r = g->rng;
	const struct pc_prefix *p = NULL;

	for (int i = 0; i < 16; i++)
		a[i] = (uint8_t)rng_next(r);
	if (g->h->n_prefixes && rng_pct(r, 80)) {
		for (int tries = 0; tries < 8 && !p; tries++) {
			p = &g->h->prefixes[rng_below(r, (uint32_t)g->h->n_prefixes)];
			if (family && p->family != family)
				p = NULL;
		}
	}
	*out_family = p ? p->family : family ? family : rng_pct(r, 50) ? 4 : 6;
	if (p) {
		unsigned bits = p->family == 4 ? 32 : 128, edge = rng_below(r, 4);

		for (unsigned b = 0; b < bits; b++) {
			unsigned bit = 0x80 >> (b % 8);
			bool set;

			if (b < p->len)
				set = p->addr[b / 8] & bit;
			else if (edge == 1)
				set = false; /* first address */
			else if (edge == 2)
				set = true; /* last address */
			else
				set = a[b / 8] & bit;
			a[b / 8] = (uint8_t)(set ? a[b / 8] | bit : a[b / 8] & ~bit);
		}
		/* Just outside: flip the prefix's last bit. */
		if (edge == 3 && p->len)
			a[(p->len - 1) / 8] ^= (uint8_t)(0x80 >> ((p->len - 1) % 8));
	}
	if (*out_family == 6 && !p && rng_pct(r, 5)) {
		/* An IPv4-mapped IPv6 address is an IPv6 address. */
		memset(a, 0, 10);
		a[10] = a[11] = 0xff;
	}
}

static const char *addr_text(int family, const uint8_t *a, char *buf, size_t len)
{
	if (family == 4)
		snprintf(buf, len, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
	else
		snprintf(buf, len, "%x:%x:%x:%x:%x:%x:%x:%x", a[0] << 8 | a[1], a[2] << 8 | a[3],
			 a[4] << 8 | a[5], a[6] << 8 | a[7], a[8] << 8 | a[9], a[10] << 8 | a[11],
			 a[12] << 8 | a[13], a[14] << 8 | a[15]);
	return buf;
}

static void random_bytes(struct gen *g, struct pkt *f, size_t n)
{
	uint8_t b[256];

	if (n > sizeof(b))
		n = sizeof(b);
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)rng_next(g->rng);
	pkt_bytes(f, b, n);
}

static void put16(struct pkt *f, size_t off, uint16_t v)
{
	f->data[off] = (uint8_t)(v >> 8);
	f->data[off + 1] = (uint8_t)v;
}

/* Fragment state of the IP header being built. */
struct frag_plan {
	bool first, later;
	uint32_t id;
	const struct gen_frag_key *reuse; /* a later fragment of a recent datagram */
};

static void plan_fragment(struct gen *g, struct frag_plan *fp)
{
	struct rng *r = g->rng;
	unsigned x = rng_below(r, 100);

	memset(fp, 0, sizeof(*fp));
	fp->id = rng_range(r, 1, 6);
	if (x < 12) {
		fp->first = true;
	} else if (x < 24) {
		fp->later = true;
		if (g->n_recent && rng_pct(r, 75))
			fp->reuse = &g->recent[rng_below(r, (uint32_t)g->n_recent)];
	}
}

static void remember_first(struct gen *g, int family, const uint8_t *src, const uint8_t *dst,
			   uint32_t id, uint8_t proto)
{
	struct gen_frag_key *k = &g->recent[g->next_recent];

	memset(k, 0, sizeof(*k));
	k->family = family;
	memcpy(k->src, src, 16);
	memcpy(k->dst, dst, 16);
	k->id = id;
	k->proto = proto;
	g->next_recent = (g->next_recent + 1) % GEN_RECENT;
	if (g->n_recent < GEN_RECENT)
		g->n_recent++;
}

/* Up to three VLAN tags of either TPID (a third one makes the frame malformed). */
static void build_vlans(struct gen *g, struct pkt *f)
{
	static const uint16_t tpids[] = { 0x8100, 0x88a8, 0x8100, 0x88a8, 0x8100,
					  0x88a8, 0x8100, 0x88a8, 0x8100, 0x9100 };
	unsigned x = rng_below(g->rng, 100), n = x < 70 ? 0 : x < 85 ? 1 : x < 96 ? 2 : 3;

	for (unsigned i = 0; i < n; i++) {
		size_t off = f->len;

		pkt_vlan(f, tpids[rng_below(g->rng, 10)], (uint16_t)rng_below(g->rng, 4096));
		layer(g, f, GL_VLAN, off);
	}
}

/* The transport of a packet: TCP, UDP, ICMP or another protocol, towards an `in`
 * rule's port or as a reply from an `out` rule's port. */
static void build_tcp(struct gen *g, struct pkt *f)
{
	static const uint8_t flags[] = {
		PKT_SYN,	   PKT_ACK, PKT_SYN | PKT_ACK, PKT_ACK | PKT_PSH, PKT_RST,
		PKT_FIN | PKT_ACK, 0
	};
	struct rng *r = g->rng;
	bool reply = rng_pct(r, 45);
	uint16_t port = pick_port(g), other = pick_port(g);
	size_t off = f->len;

	PKT_TCP(f, .sport = reply ? port : other, .dport = reply ? other : port,
		.flags = rng_pct(r, 85) ? flags[rng_below(r, 7)] : (uint8_t)rng_next(r),
		.opt_len = (uint8_t)(rng_pct(r, 15) ? 4 * rng_range(r, 1, 10) : 0));
	/* The builder writes 0 as its default port; a real 0 is worth a frame too. */
	if (!port && !reply)
		put16(f, off + 2, 0);
	layer(g, f, GL_TCP, off);
	note(g, "%s", reply ? " tcp-reply" : " tcp");
}

static void build_udp(struct gen *g, struct pkt *f)
{
	bool reply = rng_pct(g->rng, 45);
	uint16_t port = pick_port(g), other = pick_port(g);
	size_t off = f->len;

	PKT_UDP(f, .sport = reply ? port : other, .dport = reply ? other : port);
	if (!port)
		put16(f, off + (reply ? 0 : 2), 0);
	layer(g, f, GL_UDP, off);
	note(g, "%s", reply ? " udp-reply" : " udp");
}

/* The packet the appliance sent, as an ICMP error embeds it: IP header and the first
 * 8 bytes of its transport. */
static void build_embedded(struct gen *g, struct pkt *f, int family, const uint8_t *peer,
			   const uint8_t *local)
{
	struct rng *r = g->rng;
	char s[64], d[64];
	size_t off = f->len;
	unsigned kind = rng_below(r, 3);

	addr_text(family, local, s, sizeof(s));
	addr_text(family, peer, d, sizeof(d));
	if (family == 4)
		PKT_IPV4(f, .src = s, .dst = d);
	else
		PKT_IPV6(f, .src = s, .dst = d);
	layer(g, f, GL_INNER_IP, off);
	off = f->len;
	if (kind == 0) {
		PKT_TCP(f, .sport = pick_port(g), .dport = pick_port(g));
		pkt_truncate(f, f->len - 12);
	} else if (kind == 1) {
		PKT_UDP(f, .sport = pick_port(g), .dport = pick_port(g));
	} else {
		if (family == 4)
			pkt_icmp(f, rng_pct(r, 50) ? 8 : 0, 0);
		else
			pkt_icmp6(f, rng_pct(r, 50) ? 128 : 129, 0);
		put16(f, off + 4, (uint16_t)rng_below(r, 4));
	}
	layer(g, f, GL_INNER_L4, off);
	note(g, "%s", " +embedded");
}

static void build_icmp(struct gen *g, struct pkt *f, int family, const uint8_t *src,
		       const uint8_t *dst)
{
	static const uint8_t err4[] = { 3, 4, 5, 11, 12 };
	struct rng *r = g->rng;
	uint8_t type = pick_type(g);
	size_t off = f->len;
	bool error;

	if (family == 4 && rng_pct(r, 20))
		type = err4[rng_below(r, 5)];
	else if (family == 6 && rng_pct(r, 20))
		type = (uint8_t)rng_range(r, 1, 4);
	if (family == 4)
		pkt_icmp(f, type, (uint8_t)rng_below(r, 4));
	else
		pkt_icmp6(f, type, (uint8_t)rng_below(r, 4));
	put16(f, off + 4, (uint16_t)rng_below(r, 4)); /* echo identifier */
	layer(g, f, GL_ICMP, off);
	note(g, "%s", family == 4 ? " icmp" : " icmp6");
	error = family == 4 ? type == 3 || type == 4 || type == 5 || type == 11 || type == 12
			    : type >= 1 && type <= 4;
	if (error && rng_pct(r, 70))
		build_embedded(g, f, family, src, dst);
}

/* Protocols no rule can match: ICMP in the other family, ESP, GRE, SCTP, no next
 * header (IPv6), and in IPv4 the numbers IPv6 would walk as extension headers. */
static void build_other(struct gen *g, struct pkt *f, int family)
{
	static const uint8_t v4[] = { 58, 50, 47, 132, 0, 43, 44, 51, 60, 2 };
	static const uint8_t v6[] = { 1, 50, 47, 132, 59, 2, 17 };
	uint8_t p =
		family == 4 ? v4[rng_below(g->rng, sizeof(v4))] : v6[rng_below(g->rng, sizeof(v6))];
	size_t off = f->len;

	if (family == 6 && p == 17)
		p = 59;
	pkt_next(f, p);
	random_bytes(g, f, rng_range(g->rng, 0, 40));
	layer(g, f, GL_PAYLOAD, off);
	note(g, "%s", " other-proto");
}

static void build_l4(struct gen *g, struct pkt *f, int family, const uint8_t *src,
		     const uint8_t *dst)
{
	unsigned x = rng_below(g->rng, 100);

	if (x < 35)
		build_tcp(g, f);
	else if (x < 60)
		build_udp(g, f);
	else if (x < 88)
		build_icmp(g, f, family, src, dst);
	else
		build_other(g, f, family);
}

/* A later fragment: data only, no transport header. */
static void build_later(struct gen *g, struct pkt *f, int family, uint8_t proto)
{
	size_t off = f->len;

	if (family == 4)
		pkt_next(f, proto);
	random_bytes(g, f, 8 * rng_range(g->rng, 1, 8));
	layer(g, f, GL_PAYLOAD, off);
	note(g, "%s", " later-fragment");
}

static void build_ip4(struct gen *g, struct pkt *f, const uint8_t *src, const uint8_t *dst)
{
	struct rng *r = g->rng;
	struct frag_plan fp;
	char s[64], d[64];
	size_t off = f->len;
	uint8_t proto;

	plan_fragment(g, &fp);
	if (fp.reuse && fp.reuse->family == 4) {
		src = fp.reuse->src;
		dst = fp.reuse->dst;
		fp.id = fp.reuse->id;
	}
	addr_text(4, src, s, sizeof(s));
	addr_text(4, dst, d, sizeof(d));
	PKT_IPV4(f, .src = s, .dst = d, .id = (uint16_t)fp.id,
		 .frag = (uint16_t)(fp.later ? rng_range(r, 1, 8191) : 0),
		 .mf = fp.first || (fp.later && rng_pct(r, 60)), .df = rng_pct(r, 20),
		 .opt_len = (uint8_t)(rng_pct(r, 10) ? 4 * rng_range(r, 1, 10) : 0),
		 .ttl = (int)rng_range(r, 1, 255));
	layer(g, f, GL_IP4, off);
	note(g, "%s", " ipv4");
	if (fp.later) {
		if (fp.reuse && fp.reuse->family == 4)
			proto = fp.reuse->proto;
		else
			proto = rng_pct(r, 50) ? 6 : 17;
		build_later(g, f, 4, proto);
		return;
	}
	build_l4(g, f, 4, src, dst);
	if (fp.first) {
		/* The builder wrote the protocol when the transport was appended. */
		remember_first(g, 4, src, dst, fp.id, f->data[off + 9]);
		note(g, "%s", " first-fragment");
	}
}

/* 0-8 extension headers, a fragment header among them when planned. */
static void build_ext_chain(struct gen *g, struct pkt *f, const struct frag_plan *fp)
{
	static const uint8_t types[] = { 0, 43, 60, 60, 51 };
	struct rng *r = g->rng;
	unsigned n = rng_pct(r, 70) ? 0 : rng_range(r, 1, 8);
	unsigned frag_at = (fp->first || fp->later) ? rng_below(r, n + 1) : 99;
	uint8_t t;

	for (unsigned i = 0; i <= n; i++) {
		size_t off = f->len;

		if (i == frag_at) {
			pkt_frag6(f, (uint16_t)(fp->later ? rng_range(r, 1, 8191) : 0),
				  fp->first || (fp->later && rng_pct(r, 60)), fp->id);
			layer(g, f, GL_FRAG6, off);
			if (fp->later)
				return;
			continue;
		}
		if (i == n)
			break;
		t = types[rng_below(r, sizeof(types))];
		if (rng_pct(r, 3)) {
			/* A second fragment header. */
			pkt_frag6(f, 0, true, fp->id);
			layer(g, f, GL_FRAG6, off);
		} else if (t == 51) {
			/* Even lengths are well formed; now and then an odd one. */
			uint8_t len = (uint8_t)(2 * rng_below(r, 4) + (rng_pct(r, 10) ? 1 : 0));

			pkt_ah(f, len);
			layer(g, f, GL_AH, off);
		} else {
			pkt_ext6(f, t, 8 * rng_range(r, 1, 3));
			layer(g, f, GL_EXT6, off);
		}
	}
	if (n)
		note(g, "%s", " ext-chain");
}

static void build_ip6(struct gen *g, struct pkt *f, const uint8_t *src, const uint8_t *dst)
{
	struct rng *r = g->rng;
	struct frag_plan fp;
	char s[64], d[64];
	size_t off = f->len;
	int hops = rng_pct(r, 25) ? 255 : rng_pct(r, 10) ? PKT_ZERO : 64;

	plan_fragment(g, &fp);
	if (fp.reuse && fp.reuse->family == 6) {
		src = fp.reuse->src;
		dst = fp.reuse->dst;
		fp.id = fp.reuse->id;
	}
	addr_text(6, src, s, sizeof(s));
	addr_text(6, dst, d, sizeof(d));
	PKT_IPV6(f, .src = s, .dst = d, .hop_limit = hops);
	layer(g, f, GL_IP6, off);
	note(g, "%s", " ipv6");
	build_ext_chain(g, f, &fp);
	if (fp.later) {
		build_later(g, f, 6, 0);
		return;
	}
	if (rng_pct(r, 10)) {
		/* Neighbour discovery, or what looks like it. */
		size_t l4 = f->len;

		pkt_icmp6(f, (uint8_t)rng_range(r, 133, 137), 0);
		layer(g, f, GL_ICMP, l4);
		note(g, "%s", " ndp");
	} else {
		build_l4(g, f, 6, src, dst);
	}
	if (fp.first) {
		remember_first(g, 6, src, dst, fp.id, 0);
		note(g, "%s", " first-fragment");
	}
}

static void build_valid(struct gen *g, struct pkt *f)
{
	static const uint16_t non_ip[] = { 0x0806, 0x88cc, 0x8847, 0x0842, 0x9000 };
	struct rng *r = g->rng;
	uint8_t src[16], dst[16];
	int family, dfamily;

	pkt_init(f);
	layer(g, f, GL_ETH, 0);
	build_vlans(g, f);
	if (rng_pct(r, 6)) {
		size_t off = f->len;

		pkt_next(f, rng_pct(r, 80) ? non_ip[rng_below(r, 5)] : (uint16_t)rng_next(r));
		random_bytes(g, f, rng_range(r, 0, 46));
		layer(g, f, GL_PAYLOAD, off);
		note(g, "%s", " non-ip");
		return;
	}
	pick_addr(g, 0, &family, src);
	if (rng_pct(r, 80)) {
		/* The builder's default destination: the appliance. */
		static const uint8_t d4[4] = { 198, 51, 100, 1 };
		static const uint8_t d6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

		memset(dst, 0, sizeof(dst));
		memcpy(dst, family == 4 ? d4 : d6, family == 4 ? 4 : 16);
	} else {
		pick_addr(g, family, &dfamily, dst);
	}
	if (family == 4)
		build_ip4(g, f, src, dst);
	else
		build_ip6(g, f, src, dst);
	if (rng_pct(r, 30)) {
		size_t off = f->len;

		random_bytes(g, f, rng_range(r, 0, 64));
		layer(g, f, GL_PAYLOAD, off);
	}
	if (rng_pct(r, 10))
		pkt_pad(f, rng_range(r, 1, 24)); /* Ethernet padding, in no length */
}

/* An IP header without options or fragments, from src to dst. */
static void flow_ip(struct gen *g, struct pkt *f, int family, const uint8_t *src,
		    const uint8_t *dst, bool inner)
{
	char s[64], d[64];
	size_t off = f->len;

	addr_text(family, src, s, sizeof(s));
	addr_text(family, dst, d, sizeof(d));
	if (family == 4)
		PKT_IPV4(f, .src = s, .dst = d);
	else
		PKT_IPV6(f, .src = s, .dst = d);
	layer(g, f, inner ? GL_INNER_IP : family == 4 ? GL_IP4 : GL_IP6, off);
}

/* --- Breaking ---------------------------------------------------------------------------- */

/* A byte of a header that matters more than the rest: versions, lengths, offsets,
 * protocols, flags. Offsets from the header's start. */
static int key_byte(struct gen *g, enum gen_layer kind)
{
	static const int ip4[] = { 0, 2, 3, 6, 7, 9 };
	static const int ip6[] = { 0, 4, 5, 6, 7 };
	static const int frag6[] = { 0, 2, 3 };
	static const int tcp[] = { 12, 13 };
	static const int udp[] = { 4, 5 };
	struct rng *r = g->rng;

	switch (kind) {
	case GL_IP4:
	case GL_INNER_IP:
		return ip4[rng_below(r, 6)];
	case GL_IP6:
		return ip6[rng_below(r, 5)];
	case GL_EXT6:
	case GL_AH:
		return (int)rng_below(r, 2);
	case GL_FRAG6:
		return frag6[rng_below(r, 3)];
	case GL_TCP:
		return tcp[rng_below(r, 2)];
	case GL_UDP:
		return udp[rng_below(r, 2)];
	case GL_VLAN:
	case GL_ETH:
		return kind == GL_ETH ? 12 + (int)rng_below(r, 2) : 2 + (int)rng_below(r, 2);
	default:
		return 0;
	}
}

static uint8_t new_value(struct gen *g, uint8_t old)
{
	struct rng *r = g->rng;

	switch (rng_below(r, 6)) {
	case 0:
		return 0;
	case 1:
		return 0xff;
	case 2:
		return (uint8_t)(old + rng_range(r, 1, 3));
	case 3:
		return (uint8_t)(old - rng_range(r, 1, 3));
	case 4:
		return (uint8_t)(old ^ (1u << rng_below(r, 8)));
	default:
		return (uint8_t)rng_next(r);
	}
}

static void mutate_one(struct gen *g, struct pkt *f)
{
	struct rng *r = g->rng;
	int i = (int)rng_below(r, (uint32_t)g->n_layers);
	int off, len, at;
	unsigned how = rng_below(r, 100);

	/* A changed EtherType only makes another non-IP frame: aim past it mostly. */
	if (g->layers[i].kind == GL_ETH && g->n_layers > 1 && rng_pct(r, 75))
		i = (int)rng_range(r, 1, (uint32_t)g->n_layers - 1);
	off = g->layers[i].off;
	len = g->layers[i].len;

	if (how < 25) {
		/* Truncate at, or a few bytes around, a header boundary. */
		int cut = rng_pct(r, 70) ? off + (int)rng_below(r, (uint32_t)len + 1)
					 : off + (int)rng_range(r, 0, 8) - 4;

		if (cut >= 14 && (size_t)cut < f->len) {
			pkt_truncate(f, (size_t)cut);
			note(g, "%s", " truncated");
		}
		return;
	}
	if (!len)
		return;
	if (how < 70)
		at = off + key_byte(g, g->layers[i].kind);
	else
		at = off + (int)rng_below(r, (uint32_t)len);
	if ((size_t)at >= f->len)
		return;
	f->data[at] = new_value(g, f->data[at]);
	note(g, "%s", " byte-changed");
}

/* A frame of a recorded flow: its reply or echo-reply, or an ICMP error (from
 * anywhere) that embeds the appliance's packet of it; a quarter of them a near miss,
 * one port, identifier or address off. */
static void build_flow_frame(struct gen *g, struct pkt *f)
{
	static const uint8_t err4[] = { 3, 4, 5, 11, 12 };
	struct rng *r = g->rng;
	const struct ref_flow *fl = &g->flows[rng_below(r, (uint32_t)g->n_flows)];
	struct ref_flow w = *fl;
	uint8_t router[16];
	int family = fl->family, rf;
	size_t off;

	if (rng_pct(r, 25)) {
		unsigned what = rng_below(r, 3);

		if (what == 0)
			w.peer_port++;
		else if (what == 1)
			w.local_port--;
		else
			w.peer[family == 4 ? 3 : 15] ^= 1;
		note(g, "%s", " near-miss");
	}
	pkt_init(f);
	layer(g, f, GL_ETH, 0);
	build_vlans(g, f);
	if (rng_pct(r, 60)) {
		note(g, "%s", " flow-reply");
		flow_ip(g, f, family, w.peer, w.local, false);
		off = f->len;
		if (w.proto == 6) {
			PKT_TCP(f, .sport = w.peer_port, .dport = w.local_port,
				.flags = rng_pct(r, 80) ? PKT_ACK : PKT_SYN);
			layer(g, f, GL_TCP, off);
		} else if (w.proto == 17) {
			PKT_UDP(f, .sport = w.peer_port, .dport = w.local_port);
			layer(g, f, GL_UDP, off);
		} else {
			if (family == 4)
				pkt_icmp(f, 0, 0);
			else
				pkt_icmp6(f, 129, 0);
			put16(f, off + 4, w.local_port);
			layer(g, f, GL_ICMP, off);
		}
		return;
	}
	note(g, "%s", " flow-icmp-error");
	pick_addr(g, family, &rf, router);
	flow_ip(g, f, family, router, fl->local, false);
	off = f->len;
	if (family == 4)
		pkt_icmp(f, err4[rng_below(r, 5)], 0);
	else
		pkt_icmp6(f, (uint8_t)rng_range(r, 1, 4), 0);
	layer(g, f, GL_ICMP, off);
	flow_ip(g, f, family, w.local, w.peer, true);
	off = f->len;
	if (w.proto == 6) {
		PKT_TCP(f, .sport = w.local_port, .dport = w.peer_port);
		pkt_truncate(f, f->len - 12);
	} else if (w.proto == 17) {
		PKT_UDP(f, .sport = w.local_port, .dport = w.peer_port);
	} else {
		if (family == 4)
			pkt_icmp(f, 8, 0);
		else
			pkt_icmp6(f, 128, 0);
		put16(f, off + 4, w.local_port);
	}
	layer(g, f, GL_INNER_L4, off);
}

void gen_frame(struct gen *g, struct pkt *f)
{
	struct rng *r = g->rng;
	unsigned x = rng_below(r, 100);

	g->n_layers = 0;
	g->what[0] = '\0';
	if (x < 4) {
		/* Random bytes, often behind an IP EtherType with its version. */
		static const uint16_t types[] = { 0x0800, 0x86dd, 0x8100 };
		size_t n = rng_range(r, 14, 160);

		pkt_init(f);
		pkt_truncate(f, 12);
		random_bytes(g, f, n - 12);
		if (rng_pct(r, 60)) {
			uint16_t t = types[rng_below(r, 3)];

			put16(f, 12, t);
			if (t != 0x8100 && f->len > 14)
				f->data[14] = (uint8_t)((t == 0x0800 ? 0x45 : 0x60) |
							(rng_pct(r, 30) ? rng_below(r, 16) : 0));
		}
		note(g, "%s", "random bytes");
		return;
	}
	if (g->n_flows && rng_pct(r, 20))
		build_flow_frame(g, f);
	else
		build_valid(g, f);
	if (x < 40) {
		unsigned n = rng_range(r, 1, 3);

		for (unsigned i = 0; i < n; i++)
			mutate_one(g, f);
	}
}

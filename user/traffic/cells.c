// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A mix derived from a profile: per matrix cell (rule x protocol) one frame the rule
 * decides, and for an allow rule the neighbours that must be denied: another port or
 * ICMP type that no rule mentions, and the other of TCP and UDP. Each stream knows
 * the counter and action it was made for, so that a flood can be checked against the
 * per-rule counters and a test can check the frames against the profile.
 *
 * The neighbours are chosen conservatively: a port or type no rule of that direction
 * and protocol covers, whatever its peer, lands on no-match. Rule frames come from an
 * address of the rule's peer that no more specific prefix of the profile holds. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf.h>

#include "profile/prefix.h"
#include "traffic/mix.h"

#define EPHEMERAL_PORT 40000

/* Every prefix the profile names (zones and addresses in rules). */
struct prefixes {
	const struct pc_prefix **v;
	size_t n;
};

static int collect_prefixes(const struct pc_profile *p, struct prefixes *px, struct pc_err *e)
{
	size_t n = 0;

	for (size_t z = 0; z < p->n_zones; z++)
		n += p->zones[z].n_prefixes;
	for (size_t r = 0; r < p->n_rules; r++)
		n += p->rules[r].n_addrs;
	px->v = calloc(n ? n : 1, sizeof(*px->v));
	if (!px->v)
		return pc_fail(e, ENOMEM, NULL, "deriving the mix");
	px->n = 0;
	for (size_t z = 0; z < p->n_zones; z++)
		for (size_t i = 0; i < p->zones[z].n_prefixes; i++)
			px->v[px->n++] = &p->zones[z].prefixes[i];
	for (size_t r = 0; r < p->n_rules; r++)
		for (size_t i = 0; i < p->rules[r].n_addrs; i++)
			px->v[px->n++] = &p->rules[r].addrs[i];
	return 0;
}

static struct pc_prefix host(int family, const uint8_t *addr)
{
	struct pc_prefix h = { .family = family, .len = family == 4 ? 32 : 128 };

	memcpy(h.addr, addr, family == 4 ? 4 : 16);
	return h;
}

/* Does a prefix of the profile other than `in` (NULL: any) hold the address, one at
 * least as specific as `in`? */
static bool held_elsewhere(const struct prefixes *px, const struct pc_prefix *in,
			   const struct pc_prefix *a)
{
	for (size_t i = 0; i < px->n; i++) {
		const struct pc_prefix *q = px->v[i];

		if (q == in || q->family != a->family || (in && q->len <= in->len))
			continue;
		if (pc_prefix_contains(q, a))
			return true;
	}
	return false;
}

/* An address inside prefix q that no more specific prefix holds: the second,
 * middle, last but one or first address of q. */
static bool address_in(const struct prefixes *px, const struct pc_prefix *q, char *out)
{
	int bytes = q->family == 4 ? 4 : 16, bits = bytes * 8;

	for (int c = 1; c <= 4; c++) {
		uint8_t a[16];
		struct pc_prefix h;

		memcpy(a, q->addr, bytes);
		if (c == 1 && q->len < bits)
			a[bytes - 1] |= 1;
		if (c == 2 && q->len < bits - 1)
			a[q->len / 8] |= 0x80 >> (q->len % 8);
		if (c == 3)
			for (int b = q->len; b < bits - 1; b++)
				a[b / 8] |= 0x80 >> (b % 8);
		h = host(q->family, a);
		if (!held_elsewhere(px, q, &h)) {
			inet_ntop(q->family == 4 ? AF_INET : AF_INET6, a, out, INET6_ADDRSTRLEN);
			return true;
		}
	}
	return false;
}

/* An address in none of the profile's prefixes: "internet" for every profile whose
 * zones do not cover these documentation and public ranges. */
static bool internet_address(const struct prefixes *px, int family, char *out)
{
	static const char *const v4[] = { "198.51.100.7", "203.0.113.7", "192.0.2.7",
					  "100.64.0.7",	  "8.8.8.8",	 "1.1.1.1" };
	static const char *const v6[] = { "2001:db8::7", "2001:db8:ffff::7", "3fff::7", "2a00::7" };
	const char *const *c = family == 4 ? v4 : v6;
	size_t n = family == 4 ? sizeof(v4) / sizeof(v4[0]) : sizeof(v6) / sizeof(v6[0]);

	for (size_t i = 0; i < n; i++) {
		uint8_t a[16];
		struct pc_prefix h;

		inet_pton(family == 4 ? AF_INET : AF_INET6, c[i], a);
		h = host(family, a);
		if (!held_elsewhere(px, NULL, &h)) {
			snprintf(out, INET6_ADDRSTRLEN, "%s", c[i]);
			return true;
		}
	}
	return false;
}

static bool first_in(const struct prefixes *px, const struct pc_prefix *v, size_t n, int family,
		     char *out)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].family == family && address_in(px, &v[i], out))
			return true;
	return false;
}

/* A source address of the family in the rule's peer. */
static bool peer_address(const struct pc_profile *p, const struct prefixes *px,
			 const struct pc_rule *r, int family, char *out)
{
	switch (r->peer_kind) {
	case PC_PEER_ANY:
	case PC_PEER_INTERNET:
		return internet_address(px, family, out);
	case PC_PEER_ZONE:
		return first_in(px, p->zones[r->zone].prefixes, p->zones[r->zone].n_prefixes,
				family, out);
	case PC_PEER_ADDRS:
		return first_in(px, r->addrs, r->n_addrs, family, out);
	}
	return false;
}

/* Does a rule of this direction and protocol cover port (or type) v, whatever its
 * peer and action? */
static bool covered(const struct pc_profile *p, enum pc_direction dir, unsigned proto, unsigned v)
{
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct pc_rule *r = &p->rules[i];

		if (r->dir == dir && (r->protos & proto) && pc_rule_covers(r, v))
			return true;
	}
	return false;
}

static bool ephemeral(const struct pc_profile *p, unsigned port)
{
	return port >= p->opt.eph_lo && port <= p->opt.eph_hi;
}

/* Could the frame land on a rule? An in frame is looked up by destination port, and
 * also as a reply by source port when it may be one (TCP with ACK, UDP, towards the
 * ephemeral range; ICMP echo-reply). */
static bool any_rule(const struct pc_profile *p, const struct pc_packet *pk)
{
	unsigned proto = pk->kind == PC_PACKET_TCP ? PC_P_TCP : PC_P_UDP;

	if (pk->kind == PC_PACKET_ICMP || pk->kind == PC_PACKET_ICMP6) {
		proto = pk->kind == PC_PACKET_ICMP ? PC_P_ICMP : PC_P_ICMP6;
		return covered(p, PC_DIR_IN, proto, pk->type) ||
		       pk->type == (pk->kind == PC_PACKET_ICMP ? 0 : 129);
	}
	if (covered(p, PC_DIR_IN, proto, pk->dport))
		return true;
	/* With state on a reply passes as part of its flow, wherever it goes: a
	 * neighbour that another cell's flow covers is no denied frame. */
	if (!p->opt.state && !ephemeral(p, pk->dport))
		return false;
	if (pk->kind == PC_PACKET_TCP && !(pk->flags & PKT_ACK))
		return false;
	return covered(p, PC_DIR_OUT, proto, pk->sport);
}

static const char *proto_name(unsigned proto)
{
	return proto == PC_P_TCP    ? "tcp"
	       : proto == PC_P_UDP  ? "udp"
	       : proto == PC_P_ICMP ? "icmp"
				    : "icmp6";
}

struct cell {
	const struct pc_profile *p;
	size_t rule;
	unsigned proto;
	struct pc_packet pk; /* the frame the rule decides */
	char name[PC_MIX_NAME];
};

static int add_want(struct pc_mix *m, const char *name, bool reply, const struct pc_packet *pk,
		    int counter, int action, struct pc_err *e)
{
	if (pc_mix_add(m, name, 1, reply, pk, e))
		return -1;
	m->s[m->n - 1].want_counter = counter;
	m->s[m->n - 1].want_action = action;
	return 0;
}

/* A neighbour: lands on no-match, whose action is the default policy. */
static int add_denied(struct pc_mix *m, const struct cell *c, const char *what,
		      const struct pc_packet *pk, struct pc_err *e)
{
	char name[PC_MIX_NAME + 32];

	if (any_rule(c->p, pk))
		return 0;
	snprintf(name, sizeof(name), "%s-%s", c->name, what);
	return add_want(m, name, false, pk, PC_CNT_NO_MATCH,
			c->p->opt.default_pass ? XDP_PASS : XDP_DROP, e);
}

/* The next port (or type, below max) after v that no rule of the direction covers. */
static int free_value(const struct pc_profile *p, enum pc_direction dir, unsigned proto, unsigned v,
		      unsigned max)
{
	for (unsigned i = 1; i <= max; i++) {
		unsigned w = (v + i) % (max + 1);

		if (w && !covered(p, dir, proto, w))
			return w;
	}
	return -1;
}

static int add_neighbours(struct pc_mix *m, const struct cell *c, struct pc_err *e)
{
	const struct pc_rule *r = &c->p->rules[c->rule];
	struct pc_packet pk = c->pk;
	char what[32];
	int v;

	if (c->proto == PC_P_ICMP || c->proto == PC_P_ICMP6) {
		if (r->dir != PC_DIR_IN)
			return 0;
		v = free_value(c->p, PC_DIR_IN, c->proto, pk.type, 255);
		if (v < 0)
			return 0;
		pk.type = v;
		snprintf(what, sizeof(what), "type-%d", v);
		return add_denied(m, c, what, &pk, e);
	}
	v = free_value(c->p, r->dir, c->proto, r->dir == PC_DIR_IN ? pk.dport : pk.sport, 65535);
	if (v >= 0) {
		*(r->dir == PC_DIR_IN ? &pk.dport : &pk.sport) = v;
		snprintf(what, sizeof(what), "port-%d", v);
		if (add_denied(m, c, what, &pk, e))
			return -1;
	}
	pk = c->pk;
	pk.kind = c->proto == PC_P_TCP ? PC_PACKET_UDP : PC_PACKET_TCP;
	return add_denied(m, c, pk.kind == PC_PACKET_TCP ? "as-tcp" : "as-udp", &pk, e);
}

/* The frame a rule decides for one of its protocols; false when it decides none (an
 * out ICMP rule other than echo-request admits nothing back statelessly). */
static bool cell_frame(struct cell *c, const struct prefixes *px)
{
	const struct pc_rule *r = &c->p->rules[c->rule];
	bool icmp = c->proto == PC_P_ICMP || c->proto == PC_P_ICMP6;
	unsigned echo = c->proto == PC_P_ICMP6 ? 128 : 8, v;
	int family = c->proto == PC_P_ICMP6 ? 6 : 4;
	struct pc_packet *pk = &c->pk;

	memset(pk, 0, sizeof(*pk));
	if (!peer_address(c->p, px, r, family, pk->src)) {
		if (icmp || !peer_address(c->p, px, r, family = 6, pk->src))
			return false;
	}
	pk->family = family;
	snprintf(pk->dst, sizeof(pk->dst), "%s", family == 4 ? "192.0.2.1" : "2001:db8::1");
	v = r->n_ranges ? r->ranges[0].lo : icmp ? echo : 1;
	pk->kind = c->proto == PC_P_TCP	   ? PC_PACKET_TCP
		   : c->proto == PC_P_UDP  ? PC_PACKET_UDP
		   : c->proto == PC_P_ICMP ? PC_PACKET_ICMP
					   : PC_PACKET_ICMP6;
	if (r->dir == PC_DIR_IN) {
		pk->sport = EPHEMERAL_PORT;
		pk->dport = v;
		pk->type = v;
		pk->flags = PKT_SYN;
		return true;
	}
	/* Out: the reply, as state off reads the rule. */
	if (icmp) {
		bool has_echo = !r->n_ranges;

		for (size_t k = 0; k < r->n_ranges; k++)
			has_echo |= r->ranges[k].lo <= echo && echo <= r->ranges[k].hi;
		pk->type = echo == 8 ? 0 : 129;
		return has_echo;
	}
	pk->sport = v;
	pk->dport = ephemeral(c->p, EPHEMERAL_PORT) ? EPHEMERAL_PORT : c->p->opt.eph_lo;
	pk->flags = PKT_ACK;
	return true;
}

static int add_cell(struct pc_mix *m, struct cell *c, const struct prefixes *px, struct pc_err *e)
{
	const struct pc_rule *r = &c->p->rules[c->rule];
	bool out = r->dir == PC_DIR_OUT;

	if (!cell_frame(c, px))
		return 0;
	snprintf(c->name, sizeof(c->name), "l%d-%s-%u%s", r->pos.line, proto_name(c->proto),
		 c->proto & (PC_P_TCP | PC_P_UDP) ? (out ? c->pk.sport : c->pk.dport) : c->pk.type,
		 out ? "-reply" : "");
	if (add_want(m, c->name, out, &c->pk, PC_CNT_IMPLICIT + c->rule,
		     r->action == PC_ACT_PASS ? XDP_PASS : XDP_DROP, e))
		return -1;
	return r->action == PC_ACT_PASS ? add_neighbours(m, c, e) : 0;
}

int pc_mix_from_profile(const struct pc_profile *p, struct pc_mix *m, struct pc_err *e)
{
	static const unsigned protos[] = { PC_P_TCP, PC_P_UDP, PC_P_ICMP, PC_P_ICMP6 };
	struct prefixes px;
	struct pc_packet arp = { .kind = PC_PACKET_ARP };
	int err = 0;

	if (collect_prefixes(p, &px, e))
		return -1;
	for (size_t r = 0; r < p->n_rules && !err; r++) {
		for (size_t i = 0; i < 4 && !err; i++) {
			struct cell c = { .p = p, .rule = r, .proto = protos[i] };

			if (p->rules[r].protos & protos[i])
				err = add_cell(m, &c, &px, e);
		}
	}
	free(px.v);
	if (!err)
		err = add_want(m, "arp", false, &arp, PC_CNT_NON_IP,
			       p->opt.non_ip_pass ? XDP_PASS : XDP_DROP, e);
	return err;
}

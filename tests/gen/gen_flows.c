// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `state on`: the flows the egress hook would have recorded for a profile, and frames
 * that belong to them: replies, echo-replies, ICMP errors that embed the appliance's
 * own packet, and near misses of each. */
#include <string.h>

#include "gen/gen.h"

/* The frame builder's default destination: the appliance. */
static const uint8_t local4[4] = { 198, 51, 100, 1 };
static const uint8_t local6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

static bool prefix_has(const struct pc_prefix *pf, int family, const uint8_t *a)
{
	unsigned full = pf->len / 8, rest = pf->len % 8;

	if (pf->family != family || memcmp(pf->addr, a, full))
		return false;
	return !rest || !((pf->addr[full] ^ a[full]) & (0xff00 >> rest) & 0xff);
}

static bool in_some_zone(const struct pc_profile *p, int family, const uint8_t *a)
{
	for (size_t z = 0; z < p->n_zones; z++)
		for (size_t i = 0; i < p->zones[z].n_prefixes; i++)
			if (prefix_has(&p->zones[z].prefixes[i], family, a))
				return true;
	return false;
}

/* A random address inside pf. */
static void inside(struct rng *r, const struct pc_prefix *pf, uint8_t a[16])
{
	memset(a, 0, 16);
	for (unsigned b = 0; b < (pf->family == 4 ? 32u : 128u); b++) {
		unsigned bit = 0x80 >> (b % 8);
		bool set = b < pf->len ? pf->addr[b / 8] & bit : rng_pct(r, 50);

		if (set)
			a[b / 8] |= (uint8_t)bit;
	}
}

/* An address in one of v[n] of family (0: either); returns its family, 0 if none. */
static int pick_in(struct rng *r, const struct pc_prefix *v, size_t n, int family, uint8_t a[16])
{
	size_t k = rng_below(r, (uint32_t)n);

	for (size_t i = 0; i < n; i++) {
		const struct pc_prefix *pf = &v[(k + i) % n];

		if (!family || pf->family == family) {
			inside(r, pf, a);
			return pf->family;
		}
	}
	return 0;
}

/* An address of the rule's peer, of family (0: either); false if it has none. */
static bool pick_peer(struct rng *r, const struct pc_profile *p, const struct gen_hints *h,
		      const struct pc_rule *rule, int *family, uint8_t a[16])
{
	const struct pc_zone *z;
	int fam = *family ? *family : rng_pct(r, 50) ? 4 : 6;

	switch (rule->peer_kind) {
	case PC_PEER_ZONE:
		z = &p->zones[rule->zone];
		*family = pick_in(r, z->prefixes, z->n_prefixes, *family, a);
		return *family != 0;
	case PC_PEER_ADDRS:
		*family = pick_in(r, rule->addrs, rule->n_addrs, *family, a);
		return *family != 0;
	default:
		/* any, or internet: somewhere near the profile's prefixes, or anywhere. */
		if (!h->n_prefixes || !pick_in(r, h->prefixes, h->n_prefixes, fam, a)) {
			for (int i = 0; i < 16; i++)
				a[i] = (uint8_t)rng_next(r);
		}
		if (fam == 4)
			memset(a + 4, 0, 12);
		if (rule->peer_kind == PC_PEER_INTERNET && in_some_zone(p, fam, a))
			return false;
		*family = fam;
		return true;
	}
}

static uint16_t in_ranges(struct rng *r, const struct pc_rule *rule, unsigned max)
{
	const struct pc_range *g;

	if (!rule->n_ranges)
		return (uint16_t)rng_below(r, max + 1);
	g = &rule->ranges[rng_below(r, (uint32_t)rule->n_ranges)];
	return (uint16_t)rng_range(r, g->lo, g->hi);
}

/* One flow an allowing `out` rule could record, or false. */
static bool one_flow(struct rng *r, const struct pc_profile *p, const struct gen_hints *h,
		     struct ref_flow *f)
{
	const struct pc_rule *rule = &p->rules[rng_below(r, (uint32_t)p->n_rules)];
	int family = 0;
	uint16_t what;
	long k;

	if (rule->dir != PC_DIR_OUT || rule->action != PC_ACT_PASS)
		return false;
	memset(f, 0, sizeof(*f));
	if (rule->protos & (PC_P_ICMP | PC_P_ICMP6)) {
		family = rule->protos & PC_P_ICMP ? 4 : 6;
		f->proto = family == 4 ? 1 : 58;
		what = family == 4 ? 8 : 128; /* only echo is a flow */
		f->local_port = (uint16_t)rng_below(r, 4);
	} else {
		f->proto = (rule->protos & PC_P_TCP) &&
					   ((rule->protos & PC_P_UDP) == 0 || rng_pct(r, 50))
				   ? 6
				   : 17;
		what = f->peer_port = in_ranges(r, rule, 65535);
		f->local_port = (uint16_t)rng_range(r, 1024, 65535);
	}
	if (!pick_peer(r, p, h, rule, &family, f->peer))
		return false;
	f->family = (uint8_t)family;
	memcpy(f->local, family == 4 ? local4 : local6, family == 4 ? 4 : 16);
	/* Recorded only when the first matching `out` rule allows. */
	k = ref_egress_rule(p, family, f->peer, f->proto, what);
	if (k < 0 || p->rules[k].action != PC_ACT_PASS)
		return false;
	f->rule = (uint32_t)k;
	return true;
}

size_t gen_flows(struct rng *r, const struct pc_profile *p, const struct gen_hints *h,
		 struct ref_flow *out, size_t max)
{
	size_t n = 0;

	for (size_t tries = 0; n < max && tries < 50 * max && p->n_rules; tries++)
		if (one_flow(r, p, h, &out[n]))
			n++;
	return n;
}

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Generators for the differential test: a seeded random number generator, random
 * profiles (as text, for the real parser), and frames built to hit a profile's
 * addresses, ports and types, then mutated field by field. Everything is a function
 * of the seed, so a difference is reproduced by running the same seed again. */
#ifndef PC_GEN_H
#define PC_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "profile/profile.h"
#include "ref/ref.h"
#include "traffic/frame.h"

/* --- Random numbers (splitmix64: small, good enough, the same everywhere) ------------ */

struct rng {
	uint64_t s;
};

static inline uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n); 0 when n is 0. */
static inline uint32_t rng_below(struct rng *r, uint32_t n)
{
	return n ? (uint32_t)(rng_next(r) % n) : 0;
}

/* Uniform in [lo, hi]. */
static inline uint32_t rng_range(struct rng *r, uint32_t lo, uint32_t hi)
{
	return lo + rng_below(r, hi - lo + 1);
}

/* True with probability pct / 100. */
static inline bool rng_pct(struct rng *r, unsigned pct)
{
	return rng_below(r, 100) < pct;
}

/* --- Random profiles ------------------------------------------------------------------ */

/* Writes a random profile that parses without error into buf (NUL-terminated):
 * zones of IPv4 and IPv6 prefixes that nest and overlap and name earlier zones, rules
 * in both directions with every kind of peer, protocol lists, port and type ranges
 * and names, drop rules among allow rules, and random `set` options anywhere.
 * state_on: leave `state` at its default (on) instead of `set state off`. variant
 * chooses `non-ip`, `fragments` and `default` in turn, so that any six consecutive
 * variants cover every value of each. */
void gen_profile(struct rng *r, bool state_on, unsigned variant, char *buf, size_t len);

/* --- Frames --------------------------------------------------------------------------- */

/* What frames aim at: the profile's prefixes, port and type boundaries. */
struct gen_hints {
	struct pc_prefix *prefixes;
	size_t n_prefixes;
	uint16_t *ports;
	size_t n_ports;
	uint8_t *types;
	size_t n_types;
};

void gen_hints_init(struct gen_hints *h, const struct pc_profile *p);
void gen_hints_free(struct gen_hints *h);

/* Where each header of a generated frame lies, so that a mutation can aim at one. */
enum gen_layer {
	GL_ETH,
	GL_VLAN,
	GL_IP4,
	GL_IP6,
	GL_EXT6, /* hop-by-hop, routing, destination options */
	GL_FRAG6,
	GL_AH,
	GL_TCP,
	GL_UDP,
	GL_ICMP,
	GL_INNER_IP,
	GL_INNER_L4,
	GL_PAYLOAD,
};

#define GEN_MAX_LAYERS 32
#define GEN_RECENT 16

struct gen_frag_key {
	int family;
	uint8_t src[16], dst[16];
	uint32_t id;
	uint8_t proto;
};

struct gen {
	struct rng *rng;
	const struct gen_hints *h;
	/* Keys of recent first fragments: later fragments reuse them, so that frame
	 * sequences exercise the fragment tables. */
	struct gen_frag_key recent[GEN_RECENT];
	int n_recent, next_recent;
	/* The frame being built. */
	struct {
		enum gen_layer kind;
		int off, len;
	} layers[GEN_MAX_LAYERS];
	int n_layers;
	char what[160]; /* how the frame was made, for a difference's report */
	/* State on: the recorded flows, which some frames answer. */
	const struct ref_flow *flows;
	size_t n_flows;
};

void gen_init(struct gen *g, struct rng *r, const struct gen_hints *h);
/* The next frame: a valid one, a mutated valid one, or random bytes; at least 14 and
 * at most about 1,600 bytes. g->what says which. */
void gen_frame(struct gen *g, struct pkt *f);

/* State on: up to max flows that the egress hook would have recorded for p (the first
 * matching `out` rule allows them), to peers of the rules, from the appliance's
 * address (the frame builder's default destination). Returns how many. */
size_t gen_flows(struct rng *r, const struct pc_profile *p, const struct gen_hints *h,
		 struct ref_flow *out, size_t max);

#endif /* PC_GEN_H */

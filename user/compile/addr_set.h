/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A set of addresses as sorted, disjoint intervals. The profile keeps a zone as a list
 * of prefixes, which answers "does this prefix hold that one" but not what the lint
 * asks of whole zones: do two share an address, does one hold every address of the
 * other, does a zone hold every IPv4 address (10.0.0.0/9 and 10.128.0.0/9 hold
 * 10.0.0.0/8 between them). */
#ifndef PC_COMPILE_ADDR_SET_H
#define PC_COMPILE_ADDR_SET_H

#include <stdbool.h>
#include <stddef.h>

#include "profile/profile.h"

/* Families as bits, in what pc_addr_set_families() returns. */
#define PC_FAM4 1u
#define PC_FAM6 2u

typedef unsigned __int128 pc_u128;

/* Addresses lo..hi of one family, as numbers (IPv4 in the low 32 bits). */
struct pc_span {
	uint8_t family; /* 4 or 6 */
	pc_u128 lo, hi;
};

struct pc_addr_set {
	struct pc_span *v; /* by family, then address; no two touch */
	size_t n;
};

/* The addresses of prefixes v[0..n). Returns 0, or -1 when memory is short (s is then
 * empty). */
int pc_addr_set_build(struct pc_addr_set *s, const struct pc_prefix *v, size_t n);
void pc_addr_set_free(struct pc_addr_set *s);

/* PC_FAM4 | PC_FAM6: the families s has an address of. */
unsigned pc_addr_set_families(const struct pc_addr_set *s);
/* The families s holds every address of. */
unsigned pc_addr_set_full(const struct pc_addr_set *s);
/* Whether a and b share an address. */
bool pc_addr_set_meet(const struct pc_addr_set *a, const struct pc_addr_set *b);
/* Whether every address of in is in out. */
bool pc_addr_set_holds(const struct pc_addr_set *out, const struct pc_addr_set *in);
/* The addresses a and b share, as at most max prefixes ("10.1.0.0/16, 10.2.0.1"),
 * with ", ..." when there are more. */
void pc_addr_set_shared_text(const struct pc_addr_set *a, const struct pc_addr_set *b, unsigned max,
			     char *buf, size_t len);

#endif /* PC_COMPILE_ADDR_SET_H */

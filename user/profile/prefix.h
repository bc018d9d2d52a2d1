/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Operations on the profile's CIDR prefixes, shared by the parser, the compiler and
 * `check`. */
#ifndef PC_PROFILE_PREFIX_H
#define PC_PROFILE_PREFIX_H

#include <stdbool.h>
#include <stddef.h>

#include "profile/profile.h"

/* Order by family, address, length: ancestors sort before their descendants. */
int pc_prefix_cmp(const struct pc_prefix *a, const struct pc_prefix *b);
/* True when in lies inside outer (or equals it). */
bool pc_prefix_contains(const struct pc_prefix *outer, const struct pc_prefix *in);
/* "10.0.0.0/8", or a bare address for a host prefix. */
const char *pc_prefix_text(const struct pc_prefix *p, char *buf, size_t len);

#endif /* PC_PROFILE_PREFIX_H */

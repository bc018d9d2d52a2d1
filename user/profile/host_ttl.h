/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* How long a host name's DNS answer stays valid, and so when `refresh --every` looks
 * again. getaddrinfo, which the parser resolves with (and which reads /etc/hosts),
 * tells no TTL: the TTL comes from a DNS query of its own (res_query). */
#ifndef PC_PROFILE_HOST_TTL_H
#define PC_PROFILE_HOST_TTL_H

#include <stdbool.h>
#include <stdint.h>

/* The smallest TTL among the A, AAAA and CNAME records DNS answers for name into *ttl.
 * -1 when DNS gives no such record (a name of /etc/hosts, a name that does not
 * resolve, no server): the name sets no bound. */
int pc_host_ttl(const char *name, uint32_t *ttl);

/* Seconds until the next refresh: every, or the shortest TTL when one is known and
 * longer, since asking before the answers expire gets the same answers (a caching
 * resolver hands out what it has until then). */
uint64_t pc_refresh_delay(uint64_t every, bool have_ttl, uint32_t min_ttl);

#endif /* PC_PROFILE_HOST_TTL_H */

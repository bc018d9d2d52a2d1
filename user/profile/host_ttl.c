// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The TTL of a host name's answers, from the resolver library (libresolv). */
#include <arpa/nameser.h>
#include <netinet/in.h>
#include <resolv.h>

#include "profile/host_ttl.h"

/* The answers to one query of type; -1 when there are none. */
static int query_ttl(const char *name, int type, uint32_t *ttl)
{
	unsigned char buf[4096];
	ns_msg msg;
	ns_rr rr;
	int len = res_query(name, ns_c_in, type, buf, sizeof(buf)), found = -1;

	if (len < 0 || ns_initparse(buf, len > (int)sizeof(buf) ? (int)sizeof(buf) : len, &msg))
		return -1;
	for (int i = 0; i < ns_msg_count(msg, ns_s_an); i++) {
		if (ns_parserr(&msg, ns_s_an, i, &rr))
			break;
		if (ns_rr_type(rr) != ns_t_a && ns_rr_type(rr) != ns_t_aaaa &&
		    ns_rr_type(rr) != ns_t_cname)
			continue;
		if (found < 0 || ns_rr_ttl(rr) < *ttl)
			*ttl = ns_rr_ttl(rr);
		found = 0;
	}
	return found;
}

int pc_host_ttl(const char *name, uint32_t *ttl)
{
	uint32_t a = 0, aaaa = 0;
	int ra = query_ttl(name, ns_t_a, &a), raaaa = query_ttl(name, ns_t_aaaa, &aaaa);

	if (ra && raaaa)
		return -1;
	*ttl = ra ? aaaa : raaaa ? a : a < aaaa ? a : aaaa;
	return 0;
}

uint64_t pc_refresh_delay(uint64_t every, bool have_ttl, uint32_t min_ttl)
{
	return have_ttl && min_ttl > every ? min_ttl : every;
}

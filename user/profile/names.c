// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ICMP and ICMPv6 type names, spelled as nftables spells them. */
#include <string.h>

#include "profile/profile.h"

struct icmp_name {
	const char *name;
	unsigned type;
};

/* The first name of a type is the one printed; later ones are accepted aliases. */
/* clang-format off: one type a line reads best */
static const struct icmp_name icmp4_names[] = {
	{ "echo-reply", 0 },	       { "destination-unreachable", 3 },
	{ "source-quench", 4 },	       { "redirect", 5 },
	{ "echo-request", 8 },	       { "router-advertisement", 9 },
	{ "router-solicitation", 10 }, { "time-exceeded", 11 },
	{ "parameter-problem", 12 },   { "timestamp-request", 13 },
	{ "timestamp-reply", 14 },     { "info-request", 15 },
	{ "info-reply", 16 },	       { "address-mask-request", 17 },
	{ "address-mask-reply", 18 },
};

static const struct icmp_name icmp6_names[] = {
	{ "destination-unreachable", 1 }, { "packet-too-big", 2 },
	{ "time-exceeded", 3 },		  { "parameter-problem", 4 },
	{ "echo-request", 128 },	  { "echo-reply", 129 },
	{ "mld-listener-query", 130 },	  { "mld-listener-report", 131 },
	{ "mld-listener-done", 132 },	  { "mld-listener-reduction", 132 },
	{ "nd-router-solicit", 133 },	  { "nd-router-advert", 134 },
	{ "nd-neighbor-solicit", 135 },	  { "nd-neighbor-advert", 136 },
	{ "nd-redirect", 137 },		  { "router-renumbering", 138 },
	{ "ind-neighbor-solicit", 141 },  { "ind-neighbor-advert", 142 },
	{ "mld2-listener-report", 143 },
};
/* clang-format on */

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static const struct icmp_name *table(bool v6, size_t *n)
{
	*n = v6 ? N_ELEMS(icmp6_names) : N_ELEMS(icmp4_names);
	return v6 ? icmp6_names : icmp4_names;
}

int pc_icmp_type_by_name(const char *name, bool v6)
{
	size_t n;
	const struct icmp_name *t = table(v6, &n);

	for (size_t i = 0; i < n; i++)
		if (!strcmp(t[i].name, name))
			return (int)t[i].type;
	return -1;
}

const char *pc_icmp_type_name(unsigned type, bool v6)
{
	size_t n;
	const struct icmp_name *t = table(v6, &n);

	for (size_t i = 0; i < n; i++)
		if (t[i].type == type)
			return t[i].name;
	return NULL;
}

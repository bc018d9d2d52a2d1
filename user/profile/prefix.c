// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* CIDR prefix order, containment and text. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "profile/prefix.h"

int pc_prefix_cmp(const struct pc_prefix *a, const struct pc_prefix *b)
{
	int c;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	c = memcmp(a->addr, b->addr, sizeof(a->addr));
	if (c)
		return c;
	return (int)a->len - (int)b->len;
}

bool pc_prefix_contains(const struct pc_prefix *outer, const struct pc_prefix *in)
{
	unsigned full = outer->len / 8, rest = outer->len % 8;

	if (outer->family != in->family || outer->len > in->len)
		return false;
	if (memcmp(outer->addr, in->addr, full))
		return false;
	if (!rest)
		return true;
	return ((outer->addr[full] ^ in->addr[full]) & (0xff00 >> rest)) == 0;
}

const char *pc_prefix_text(const struct pc_prefix *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(p->family == 4 ? AF_INET : AF_INET6, p->addr, a, sizeof(a));
	if (p->len == (p->family == 4 ? 32 : 128))
		snprintf(buf, len, "%s", a);
	else
		snprintf(buf, len, "%s/%u", a, p->len);
	return buf;
}

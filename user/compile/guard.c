// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The SSH session guard: an operator locking themselves out is the classic firewall
 * accident, so `load` checks the session's packets against the compiled tables. */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "compile/guard.h"

/* True when addr (family 4/6) is configured on ifname. */
static bool addr_on_iface(const char *ifname, int family, const uint8_t *addr)
{
	struct ifaddrs *all, *a;
	bool found = false;

	if (getifaddrs(&all))
		return false;
	for (a = all; a && !found; a = a->ifa_next) {
		if (!a->ifa_addr || strcmp(a->ifa_name, ifname))
			continue;
		if (family == 4 && a->ifa_addr->sa_family == AF_INET)
			found = !memcmp(&((struct sockaddr_in *)a->ifa_addr)->sin_addr, addr, 4);
		else if (family == 6 && a->ifa_addr->sa_family == AF_INET6)
			found = !memcmp(&((struct sockaddr_in6 *)a->ifa_addr)->sin6_addr, addr, 16);
	}
	freeifaddrs(all);
	return found;
}

static int parse_addr(const char *s, uint8_t *addr)
{
	if (inet_pton(AF_INET, s, addr) == 1)
		return 4;
	if (inet_pton(AF_INET6, s, addr) == 1)
		return 6;
	return 0;
}

int pc_guard_ssh(const char *ifname, const char *ssh_connection, const struct pc_profile *p,
		 const struct pc_image *img, struct pc_err *e)
{
	char client[64], server[64];
	uint8_t caddr[16] = { 0 }, saddr[16] = { 0 };
	unsigned cport, sport;
	int cfam, sfam;
	pc_verdict_t v;

	if (!ssh_connection ||
	    sscanf(ssh_connection, "%63s %u %63s %u", client, &cport, server, &sport) != 4 ||
	    sport > 65535)
		return 0;
	cfam = parse_addr(client, caddr);
	sfam = parse_addr(server, saddr);
	if (!cfam || cfam != sfam || !addr_on_iface(ifname, sfam, saddr))
		return 0;
	v = pc_image_verdict(img, pc_image_class(img, cfam, caddr), PC_TBL_TCP_IN, sport);
	if (v ? (v & PC_VERDICT_PASS) : p->opt.default_pass)
		return 0;
	if (v)
		return pc_usage(e,
				"this profile would cut your SSH session from %s to port %u on %s: "
				"the rule at line %d drops it; allow it before that line "
				"(`allow in from %s tcp port %u`), or pass --force",
				client, sport, ifname, p->rules[(v & PC_VERDICT_RULE) - 1].pos.line,
				client, sport);
	return pc_usage(e,
			"this profile would cut your SSH session from %s to port %u on %s: no "
			"rule allows it; add `allow in from %s tcp port %u`, or pass --force",
			client, sport, ifname, client, sport);
}

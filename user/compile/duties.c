// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The appliance's duties and whether the profile does them. DNS and NTP are asked of
 * the compiled tables (does some peer's reply from that port reach an allow rule?);
 * ICMP errors of the rules in order, as the internet meets them. */
#include <stdio.h>
#include <string.h>

#include "compile/duties.h"

static const struct {
	const char *name;
	enum pc_table table;
	unsigned port;
	const char *why, *fix;
} out_duties[] = {
	[PC_DUTY_DNS_UDP] = { "DNS out (udp 53)", PC_TBL_UDP_REPLY, 53,
			      "delivery, MX and blocklist lookups need a resolver",
			      "allow out to internet udp port 53 \"DNS\"" },
	[PC_DUTY_DNS_TCP] = { "DNS out (tcp 53)", PC_TBL_TCP_REPLY, 53,
			      "answers too large for UDP (DNSSEC, long TXT and SPF records) "
			      "come over TCP",
			      "allow out to internet tcp port 53 \"DNS over TCP\"" },
	[PC_DUTY_NTP] = { "NTP out (udp 123)", PC_TBL_UDP_REPLY, 123,
			  "a drifting clock breaks TLS certificate checks and DKIM "
			  "signature times",
			  "allow out to internet udp port 123 \"NTP\"" },
};

/* The ICMP errors a host needs (docs/semantics.md §6.2 names them): destination
 * unreachable (fragmentation needed among them) and time exceeded; ICMPv6 destination
 * unreachable, packet too big and time exceeded. */
static const struct {
	unsigned proto, type;
	const char *name;
} errors_in[] = {
	{ PC_P_ICMP, 3, "icmp 3" },   { PC_P_ICMP, 11, "icmp 11" }, { PC_P_ICMP6, 1, "icmp6 1" },
	{ PC_P_ICMP6, 2, "icmp6 2" }, { PC_P_ICMP6, 3, "icmp6 3" },
};

/* An allow rule that decides `port` in `table` for some peer, or -1. */
static int table_rule(const struct pc_image *img, enum pc_table table, unsigned port)
{
	for (uint32_t c = 0; c < img->n_classes; c++) {
		pc_verdict_t v = pc_image_verdict(img, c, table, port);

		if ((v & PC_VERDICT_PASS) && (v & PC_VERDICT_RULE))
			return (int)(v & PC_VERDICT_RULE) - 1;
	}
	return -1;
}

/* The first in rule for every internet address that matches the type: an allow rule,
 * or -1. */
static int error_rule(const struct pc_profile *p, unsigned proto, unsigned type)
{
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct pc_rule *r = &p->rules[i];

		if (r->dir == PC_DIR_IN && (r->protos & proto) && pc_rule_covers(r, type) &&
		    (r->peer_kind == PC_PEER_ANY || r->peer_kind == PC_PEER_INTERNET))
			return r->action == PC_ACT_PASS ? (int)i : -1;
	}
	return -1;
}

static void icmp_errors(const struct pc_profile *p, struct pc_duty_state *s)
{
	size_t used = 0;

	s->by_state = p->opt.state;
	if (s->by_state)
		return;
	for (size_t i = 0; i < sizeof(errors_in) / sizeof(errors_in[0]); i++) {
		int r = error_rule(p, errors_in[i].proto, errors_in[i].type);
		int n;

		if (r >= 0) {
			if (s->rule < 0)
				s->rule = r;
			continue;
		}
		n = snprintf(s->missing + used, sizeof(s->missing) - used, "%s%s", used ? ", " : "",
			     errors_in[i].name);
		if (n > 0 && (size_t)n < sizeof(s->missing) - used)
			used += (size_t)n;
	}
	if (used)
		s->rule = -1;
}

void pc_duties(const struct pc_profile *p, const struct pc_image *img,
	       struct pc_duty_state out[PC_DUTY_COUNT])
{
	for (int i = 0; i < PC_DUTY_COUNT; i++)
		out[i] = (struct pc_duty_state){ .rule = -1 };
	for (int i = 0; i < PC_DUTY_ICMP_ERRORS; i++)
		out[i].rule = table_rule(img, out_duties[i].table, out_duties[i].port);
	icmp_errors(p, &out[PC_DUTY_ICMP_ERRORS]);
}

static const char *file_of(const struct pc_profile *p, int r, const struct pc_diags *d)
{
	int src = p->rules[r].pos.src;

	return src >= 0 && (size_t)src < d->n_sources ? d->sources[src].path : "";
}

void pc_duties_print(const struct pc_profile *p, const struct pc_image *img,
		     const struct pc_diags *d, FILE *out)
{
	struct pc_duty_state s[PC_DUTY_COUNT];
	const struct pc_duty_state *e = &s[PC_DUTY_ICMP_ERRORS];

	pc_duties(p, img, s);
	fprintf(out, "\nDuties of a mail appliance (notes, not errors)\n");
	for (int i = 0; i < PC_DUTY_ICMP_ERRORS; i++) {
		if (s[i].rule >= 0)
			fprintf(out, "  %-22s %s:%d\n", out_duties[i].name,
				file_of(p, s[i].rule, d), p->rules[s[i].rule].pos.line);
		else
			fprintf(out, "  %-22s note: no rule allows it; %s: add `%s`\n",
				out_duties[i].name, out_duties[i].why, out_duties[i].fix);
	}
	if (e->by_state)
		fprintf(out,
			"  %-22s by `set state on`: the errors about the appliance's own "
			"connections pass\n",
			"ICMP errors in");
	else if (e->rule >= 0)
		fprintf(out, "  %-22s %s:%d\n", "ICMP errors in", file_of(p, e->rule, d),
			p->rules[e->rule].pos.line);
	else
		fprintf(out,
			"  %-22s note: no rule admits %s from the internet under `set state "
			"off`: path-MTU discovery and traceroutes fail; add `allow in from "
			"internet icmp type 3,11,12` and `allow in from internet icmp6 type "
			"1,2,3,4`\n",
			"ICMP errors in", e->missing);
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `set OPTION VALUE`: the options, their values and where each was set. */
#include <stdio.h>
#include <string.h>

#include "profile/parser.h"

/* PC_FLOWS_MAX, spelt out for messages. */
#define FLOWS_LIMIT_TEXT "1048576"
_Static_assert(PC_FLOWS_MAX == 1048576, "FLOWS_LIMIT_TEXT");

enum {
	OPT_STATE,
	OPT_EPHEMERAL,
	OPT_NON_IP,
	OPT_FRAGMENTS,
	OPT_LOG,
	OPT_DEFAULT,
	OPT_EGRESS,
	OPT_TIMEOUT_TCP, /* `set timeout tcp N`: the only option of two words */
	OPT_TIMEOUT_UDP,
	OPT_TIMEOUT_ICMP,
	OPT_FLOWS,
	OPT_RULES,
	N_OPTS
};

static const struct option {
	const char *name;
	const char *values[4]; /* keyword values; none for ephemeral */
	const char *hint;      /* what a value looks like */
} options[N_OPTS] = {
	[OPT_STATE] = { "state", { "on", "off" }, "on or off" },
	[OPT_EPHEMERAL] = { "ephemeral", { NULL }, "a port range LO-HI, such as 1024-65535" },
	[OPT_NON_IP] = { "non-ip", { "pass", "drop" }, "pass or drop" },
	[OPT_FRAGMENTS] = { "fragments", { "track", "pass", "drop" }, "track, pass or drop" },
	[OPT_LOG] = { "log",
		      { "off" },
		      "a rate N/s with N from 1 to 1000000, such as 100/s, or off" },
	[OPT_DEFAULT] = { "default", { "drop", "pass" }, "drop or pass" },
	[OPT_EGRESS] = { "egress", { "open", "enforce" }, "open or enforce" },
	[OPT_TIMEOUT_TCP] = { "timeout tcp",
			      { NULL },
			      "idle seconds from 1 to 604800, such as 3600" },
	[OPT_TIMEOUT_UDP] = { "timeout udp",
			      { NULL },
			      "idle seconds from 1 to 604800, such as 60" },
	[OPT_TIMEOUT_ICMP] = { "timeout icmp",
			       { NULL },
			       "idle seconds from 1 to 604800, such as 30" },
	[OPT_FLOWS] = { "flows",
			{ NULL },
			"a table size from 1024 to " FLOWS_LIMIT_TEXT
			" (the kernel allocates it whole at load, 128 MiB at most), such as "
			"65536" },
	[OPT_RULES] = { "rules", { "none" }, "none, for a profile without rules" },
};

#define OPTION_LIST                                                                                \
	"state, ephemeral, non-ip, fragments, log, default, egress, timeout, flows, rules"

static struct pc_pos *option_pos(struct pc_options *o, int id)
{
	struct pc_pos *pos[N_OPTS] = {
		[OPT_STATE] = &o->state_pos,
		[OPT_EPHEMERAL] = &o->eph_pos,
		[OPT_NON_IP] = &o->non_ip_pos,
		[OPT_FRAGMENTS] = &o->fragments_pos,
		[OPT_LOG] = &o->log_pos,
		[OPT_DEFAULT] = &o->default_pos,
		[OPT_EGRESS] = &o->egress_pos,
		[OPT_TIMEOUT_TCP] = &o->timeout_tcp_pos,
		[OPT_TIMEOUT_UDP] = &o->timeout_udp_pos,
		[OPT_TIMEOUT_ICMP] = &o->timeout_icmp_pos,
		[OPT_FLOWS] = &o->flows_pos,
		[OPT_RULES] = &o->rules_pos,
	};

	return pos[id];
}

/* Reads VALUE for option id into o. Returns -1 when it is not one. */
static int option_value(int id, const char *w, struct pc_options *o)
{
	const struct option *opt = &options[id];
	struct pc_range rg;
	unsigned long rate;
	const char *slash;
	int v = -1;

	for (int i = 0; i < 4 && opt->values[i]; i++)
		if (!strcmp(w, opt->values[i]))
			v = i;
	switch (id) {
	case OPT_EPHEMERAL:
		if (!strchr(w, '-') || ps_parse_range(w, 65535, &rg) || !rg.lo)
			return -1;
		o->eph_lo = rg.lo;
		o->eph_hi = rg.hi;
		return 0;
	case OPT_TIMEOUT_TCP:
	case OPT_TIMEOUT_UDP:
	case OPT_TIMEOUT_ICMP:
		if (ps_parse_uint(w, strlen(w), PC_TIMEOUT_MAX, &rate) || !rate)
			return -1;
		*(id == OPT_TIMEOUT_TCP	  ? &o->timeout_tcp
		  : id == OPT_TIMEOUT_UDP ? &o->timeout_udp
					  : &o->timeout_icmp) = (uint32_t)rate;
		return 0;
	case OPT_FLOWS:
		if (ps_parse_uint(w, strlen(w), PC_FLOWS_MAX, &rate) || rate < PC_FLOWS_MIN)
			return -1;
		o->flows_max = (uint32_t)rate;
		return 0;
	case OPT_LOG:
		if (v == 0) { /* off */
			o->log_rate = 0;
			return 0;
		}
		slash = strchr(w, '/');
		if (!slash || strcmp(slash, "/s") ||
		    ps_parse_uint(w, (size_t)(slash - w), 1000000, &rate) || !rate)
			return -1;
		o->log_rate = (uint32_t)rate;
		return 0;
	}
	if (v < 0)
		return -1;
	switch (id) {
	case OPT_STATE:
		o->state = v == 0;
		break;
	case OPT_NON_IP:
		o->non_ip_pass = v == 0;
		break;
	case OPT_FRAGMENTS:
		o->fragments = v == 0 ? PC_FRAG_TRACK : v == 1 ? PC_FRAG_PASS : PC_FRAG_DROP;
		break;
	case OPT_DEFAULT:
		o->default_pass = v == 1;
		break;
	case OPT_EGRESS:
		o->egress_enforce = v == 1;
		break;
	case OPT_RULES:
		o->no_rules = true;
		break;
	}
	return 0;
}

/* `set timeout PROTO`: the option id, or -1 after reporting what is wrong. */
static int timeout_option(struct stmt *st)
{
	static const char *const protos[] = { "tcp", "udp", "icmp" };
	const struct pc_tok *t = ps_next(st);
	char fnd[256];

	for (int i = 0; i < 3; i++)
		if (ps_is_word(t, protos[i]))
			return OPT_TIMEOUT_TCP + i;
	error_at(st, t ? ps_tpos(st, t) : ps_here(st),
		 "expected tcp, udp or icmp after 'set timeout'%s (icmp covers ICMPv6 too)",
		 ps_found(t, fnd, sizeof(fnd)));
	return -1;
}

/* The option after `set`: its id, or -1 after reporting what is wrong. */
static int option_id(struct stmt *st, const struct pc_tok *t)
{
	const char *names[N_OPTS];
	char dym[128], fnd[256];

	if (ps_is_word(t, "timeout"))
		return timeout_option(st);
	for (int i = 0; i < N_OPTS; i++) {
		names[i] =
			i >= OPT_TIMEOUT_TCP && i <= OPT_TIMEOUT_ICMP ? "timeout" : options[i].name;
		if (ps_is_word(t, names[i]))
			return i;
	}
	if (ps_is_word(t, NULL))
		error_at(st, ps_tpos(st, t), "unknown option '%s'%s (options: " OPTION_LIST ")",
			 t->text, ps_did_you_mean(t->text, names, N_OPTS, dym, sizeof(dym)));
	else
		error_at(st, t ? ps_tpos(st, t) : ps_here(st),
			 "expected an option after 'set'%s (" OPTION_LIST ")",
			 ps_found(t, fnd, sizeof(fnd)));
	return -1;
}

void ps_parse_set(struct stmt *st)
{
	struct pc_options *o = &st->ps->p->opt;
	const struct pc_tok *kw = ps_next(st), *t = ps_next(st), *val;
	char fnd[256], buf[256];
	const char *name;
	struct pc_pos *prev;
	int id = option_id(st, t);

	if (id < 0)
		return;
	name = options[id].name;
	val = ps_next(st);
	if (!ps_is_word(val, NULL)) {
		error_at(st, val ? ps_tpos(st, val) : ps_here(st),
			 "expected a value after 'set %s'%s: %s", name,
			 ps_found(val, fnd, sizeof(fnd)), options[id].hint);
		return;
	}
	if (ps_peek(st)) {
		error_at(st, ps_tpos(st, ps_peek(st)),
			 "unexpected '%s' after 'set %s %s'; one statement per line",
			 ps_peek(st)->text, name, val->text);
		return;
	}
	if (option_value(id, val->text, o)) {
		error_at(st, ps_tpos(st, val), "'%s' is not a value of 'set %s'; write %s",
			 val->text, name, options[id].hint);
		return;
	}
	prev = option_pos(o, id);
	if (prev->src >= 0)
		warning_at(st, ps_tpos(st, kw), "set-twice",
			   "overrides `set %s` at %s; the last one wins, so delete "
			   "the one you do not mean",
			   name, ps_where(st, *prev, buf, sizeof(buf)));
	*prev = ps_tpos(st, kw);
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `allow|drop in|out ...`: a rule, its peer, protocol, ports or ICMP types and label. */
#include <arpa/inet.h>
#include <ctype.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile/parser.h"

static const struct {
	const char *name;
	unsigned bit;
} protos[] = {
	{ "tcp", PC_P_TCP },	 { "udp", PC_P_UDP },	   { "icmp", PC_P_ICMP },
	{ "icmp6", PC_P_ICMP6 }, { "icmpv6", PC_P_ICMP6 },
};

#define PROTO_LIST "tcp, udp, tcp,udp, icmp, icmp6"

static unsigned proto_bit(const struct pc_tok *t)
{
	for (size_t i = 0; t && t->kind == PC_TOK_WORD && i < N_ELEMS(protos); i++)
		if (!strcmp(t->text, protos[i].name))
			return protos[i].bit;
	return 0;
}

/* A peer written where the protocol belongs: `from` or `to` was left out. */
static bool looks_like_peer(const struct stmt *st, const struct pc_tok *t)
{
	return !strcmp(t->text, "any") || !strcmp(t->text, "internet") ||
	       ps_find_zone(st->ps->p, t->text) >= 0 || strpbrk(t->text, ".:/");
}

/* Reads PROTO; ctx is the text of what came before, for messages. */
static unsigned parse_proto(struct stmt *st, const char *ctx, bool in)
{
	const struct pc_tok *t = ps_peek(st), *t2;
	const char *names[N_ELEMS(protos)];
	unsigned bit = proto_bit(t), bit2;
	char dym[128], fnd[256];

	if (!bit) {
		for (size_t i = 0; i < N_ELEMS(protos); i++)
			names[i] = protos[i].name;
		if (ps_is_word(t, NULL) && ps_suggest(t->text, names, N_ELEMS(names))) {
			error_at(st, ps_tpos(st, t), "unknown protocol '%s'%s (" PROTO_LIST ")",
				 t->text,
				 ps_did_you_mean(t->text, names, N_ELEMS(names), dym, sizeof(dym)));
		} else if (ps_is_word(t, NULL) && looks_like_peer(st, t)) {
			error_at(st, ps_tpos(st, t),
				 "expected a protocol (" PROTO_LIST ") after '%s'%s; to "
				 "name the peer, write '%s %s'",
				 ctx, ps_found(t, fnd, sizeof(fnd)), in ? "from" : "to", t->text);
		} else {
			error_at(st, ps_here(st),
				 "expected a protocol (" PROTO_LIST ") after '%s'%s", ctx,
				 ps_found(t, fnd, sizeof(fnd)));
		}
		return 0;
	}
	ps_next(st);
	if (ps_peek(st) && ps_peek(st)->kind == PC_TOK_COMMA) {
		ps_next(st);
		t2 = ps_peek(st);
		bit2 = proto_bit(t2);
		if (!t2 || !bit2) {
			error_at(st, ps_here(st),
				 "expected a protocol after '%s,'%s; only tcp,udp "
				 "combine",
				 t->text, ps_found(t2, fnd, sizeof(fnd)));
			return 0;
		}
		ps_next(st);
		if ((bit | bit2) != (PC_P_TCP | PC_P_UDP)) {
			error_at(st, ps_tpos(st, t),
				 "'%s,%s' cannot be combined: only tcp,udp can; write "
				 "one rule per protocol",
				 t->text, t2->text);
			return 0;
		}
		bit |= bit2;
	}
	return bit;
}

static const char *proto_text(unsigned bits)
{
	switch (bits) {
	case PC_P_TCP:
		return "tcp";
	case PC_P_UDP:
		return "udp";
	case PC_P_TCP | PC_P_UDP:
		return "tcp,udp";
	case PC_P_ICMP:
		return "icmp";
	default:
		return "icmp6";
	}
}

/* A service name's port for every protocol of the rule. Returns -1 after an
 * error. */
static int service_port(struct stmt *st, const struct pc_tok *t, unsigned bits)
{
	int port[2] = { -1, -1 };
	const char *pname[2] = { "tcp", "udp" };
	unsigned pbit[2] = { PC_P_TCP, PC_P_UDP };

	for (int i = 0; i < 2; i++) {
		struct servent *se;

		if (!(bits & pbit[i]))
			continue;
		se = getservbyname(t->text, pname[i]);
		if (se)
			port[i] = ntohs((uint16_t)se->s_port);
	}
	if (port[0] < 0 && port[1] < 0) {
		error_at(st, ps_tpos(st, t),
			 "unknown service '%s' (not in /etc/services); write the "
			 "port number",
			 t->text);
		return -1;
	}
	for (int i = 0; i < 2; i++) {
		if ((bits & pbit[i]) && port[i] < 0) {
			error_at(st, ps_tpos(st, t),
				 "service '%s' is not defined for %s in /etc/services; "
				 "write the port number",
				 t->text, pname[i]);
			return -1;
		}
	}
	if (port[0] >= 0 && port[1] >= 0 && port[0] != port[1]) {
		error_at(st, ps_tpos(st, t),
			 "service '%s' is port %d for tcp but %d for udp; write the "
			 "port number",
			 t->text, port[0], port[1]);
		return -1;
	}
	return port[0] >= 0 ? port[0] : port[1];
}

static int icmp_type(struct stmt *st, const struct pc_tok *t, bool v6)
{
	const char *names[256];
	size_t n = 0;
	int type = pc_icmp_type_by_name(t->text, v6);
	char dym[128];

	if (type >= 0)
		return type;
	if (pc_icmp_type_by_name(t->text, !v6) >= 0) {
		error_at(st, ps_tpos(st, t),
			 v6 ? "'%s' is an ICMP (IPv4) type, but the rule is icmp6; "
			      "write the rule for icmp"
			    : "'%s' is an ICMPv6 type, but the rule is icmp; write "
			      "the rule for icmp6",
			 t->text);
		return -1;
	}
	for (unsigned i = 0; i < 256; i++)
		if (pc_icmp_type_name(i, v6))
			names[n++] = pc_icmp_type_name(i, v6);
	if (ps_suggest(t->text, names, n))
		error_at(st, ps_tpos(st, t), "unknown %s type '%s'%s", v6 ? "ICMPv6" : "ICMP",
			 t->text, ps_did_you_mean(t->text, names, n, dym, sizeof(dym)));
	else
		error_at(st, ps_tpos(st, t),
			 "unknown %s type '%s'; write a type number, or a name such as "
			 "echo-request or destination-unreachable",
			 v6 ? "ICMPv6" : "ICMP", t->text);
	return -1;
}

static int range_cmp(const void *a, const void *b)
{
	const struct pc_range *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return (int)x->hi - (int)y->hi;
}

static size_t ranges_merge(struct pc_range *r, size_t n)
{
	size_t k = 0;

	if (!n)
		return 0;
	qsort(r, n, sizeof(*r), range_cmp);
	for (size_t i = 1; i < n; i++) {
		if ((unsigned)r[i].lo <= (unsigned)r[k].hi + 1) {
			if (r[i].hi > r[k].hi)
				r[k].hi = r[i].hi;
		} else {
			r[++k] = r[i];
		}
	}
	return k + 1;
}

/* `port PORTS` or `type TYPES`, with the keyword at the cursor. */
static int parse_matches(struct stmt *st, struct pc_rule *r)
{
	const struct pc_tok *kw = ps_next(st), *t;
	bool types = !strcmp(kw->text, "type");
	unsigned long max = types ? 255 : 65535;
	const char *what = types ? "ICMP type" : "port";
	char text[PC_TEXT_MATCH + 16], fnd[256];
	size_t tlen, cap = 0;
	struct pc_range rg;
	int err = 0;

	if (types && !(r->protos & (PC_P_ICMP | PC_P_ICMP6))) {
		error_at(st, ps_tpos(st, kw),
			 "'type' needs icmp or icmp6; %s rules match by 'port'",
			 proto_text(r->protos));
		return -1;
	}
	if (!types && !(r->protos & (PC_P_TCP | PC_P_UDP))) {
		error_at(st, ps_tpos(st, kw), "'port' needs tcp or udp; %s rules match by 'type'",
			 proto_text(r->protos));
		return -1;
	}
	tlen = (size_t)snprintf(text, sizeof(text), "%s ", kw->text);
	for (;;) {
		t = ps_next(st);
		if (!ps_is_word(t, NULL)) {
			error_at(st, t ? ps_tpos(st, t) : ps_here(st),
				 "expected a %s number, range LO-HI or name after "
				 "'%s'%s",
				 what, st->l->toks[st->i - (t ? 2 : 1)].text,
				 ps_found(t, fnd, sizeof(fnd)));
			return -1;
		}
		switch (isdigit((unsigned char)t->text[0]) ? ps_parse_range(t->text, max, &rg)
							   : 1) {
		case 0:
			break;
		case 1: {
			int v = types ? icmp_type(st, t, r->protos & PC_P_ICMP6)
				      : service_port(st, t, r->protos);

			if (v < 0) {
				err = -1;
				goto more;
			}
			rg.lo = rg.hi = (uint16_t)v;
			break;
		}
		case -2:
			error_at(st, ps_tpos(st, t), "%s %s is out of range; write 0-%lu", what,
				 t->text, max);
			err = -1;
			goto more;
		case -3:
			error_at(st, ps_tpos(st, t), "range %s is backwards; write %s-%.*s",
				 t->text, strchr(t->text, '-') + 1,
				 (int)(strchr(t->text, '-') - t->text), t->text);
			err = -1;
			goto more;
		default:
			error_at(st, ps_tpos(st, t), "'%s' is not a %s number or a range LO-HI",
				 t->text, what);
			err = -1;
			goto more;
		}
		if (r->n_ranges == cap) {
			struct pc_range *nr;

			cap = cap ? 2 * cap : 8;
			nr = realloc(r->ranges, cap * sizeof(*nr));
			if (!nr) {
				error_at(st, ps_tpos(st, t), "out of memory");
				return -1;
			}
			r->ranges = nr;
		}
		r->ranges[r->n_ranges++] = rg;
		if (tlen < sizeof(text))
			tlen += (size_t)snprintf(text + tlen, sizeof(text) - tlen,
						 rg.lo == rg.hi ? "%s%u" : "%s%u-%u",
						 r->n_ranges > 1 ? "," : "", rg.lo, rg.hi);
	more:
		if (!ps_peek(st) || ps_peek(st)->kind != PC_TOK_COMMA)
			break;
		ps_next(st);
	}
	if (err)
		return -1;
	if (tlen >= PC_TEXT_MATCH) {
		error_at(st, ps_tpos(st, kw),
			 "this %s list is longer than %d bytes as text; split the "
			 "rule into several",
			 kw->text, PC_TEXT_MATCH - 1);
		return -1;
	}
	r->n_ranges = ranges_merge(r->ranges, r->n_ranges);
	r->match_text = strdup(text);
	return r->match_text ? 0 : -1;
}

void ps_rule_free(struct pc_rule *r)
{
	free(r->addrs);
	free(r->ranges);
	free(r->peer_text);
	free(r->proto_text);
	free(r->match_text);
	free(r->label);
}

static void add_rule(struct stmt *st, struct pc_rule *r)
{
	struct parser *ps = st->ps;
	struct pc_profile *p = ps->p;

	if (p->n_rules == PC_MAX_RULES) {
		if (!ps->rules_full)
			error_at(st, r->pos,
				 "more than %d rules; merge rules that share a peer "
				 "and protocol into one with a port list",
				 PC_MAX_RULES);
		ps->rules_full = true;
		ps_rule_free(r);
		return;
	}
	if (p->n_rules == ps->rules_cap) {
		size_t cap = ps->rules_cap ? 2 * ps->rules_cap : 32;
		struct pc_rule *nr = realloc(p->rules, cap * sizeof(*nr));

		if (!nr) {
			error_at(st, r->pos, "out of memory");
			ps_rule_free(r);
			return;
		}
		p->rules = nr;
		ps->rules_cap = cap;
	}
	p->rules[p->n_rules++] = *r;
}

/* Tokens [a, b) as written, for messages that say "after '...'". */
static const char *span(const struct stmt *st, size_t a, size_t b, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = a; i < b && n < len; i++) {
		const struct pc_tok *t = &st->l->toks[i];
		bool space =
			i > a && t->kind != PC_TOK_COMMA && st->l->toks[i - 1].kind != PC_TOK_COMMA;
		const char *q = t->kind == PC_TOK_STRING ? "\"" : "";

		n += snprintf(buf + n, len - n, "%s%s%s%s", space ? " " : "", q, t->text, q);
	}
	return buf;
}

void ps_parse_rule(struct stmt *st)
{
	const struct pc_tok *act = ps_next(st), *t;
	struct pc_diags *d = st->ps->d;
	size_t errors = d->n_errors, ctx_from;
	struct pc_rule r = { .pos = ps_tpos(st, act), .zone = -1 };
	const char *want;
	char fnd[256], ctx[256];
	struct peer peer = { .kind = PC_PEER_ANY, .zone = -1, .text = "any" };
	bool in;

	r.action = !strcmp(act->text, "allow") ? PC_ACT_PASS : PC_ACT_DROP;
	t = ps_peek(st);
	if (ps_is_word(t, "in") || ps_is_word(t, "out")) {
		ps_next(st);
	} else if (ps_is_word(t, "from") || ps_is_word(t, "to")) {
		error_at(st, ps_tpos(st, t),
			 "expected 'in' or 'out' before '%s': write '%s in from ...' "
			 "for traffic the peer starts, '%s out to ...' for traffic "
			 "the appliance starts",
			 t->text, act->text, act->text);
		return;
	} else {
		error_at(st, ps_here(st), "expected 'in' or 'out' after '%s'%s", act->text,
			 ps_found(t, fnd, sizeof(fnd)));
		return;
	}
	in = !strcmp(t->text, "in");
	r.dir = in ? PC_DIR_IN : PC_DIR_OUT;
	want = in ? "from" : "to";
	ctx_from = 0;
	t = ps_peek(st);
	if (ps_is_word(t, "from") || ps_is_word(t, "to")) {
		ctx_from = st->i;
		ps_next(st);
		if (strcmp(t->text, want))
			error_at(st, ps_tpos(st, t),
				 "'%s' rules name their peer with '%s': write '%s %s "
				 "%s ...'",
				 in ? "in" : "out", want, act->text, in ? "in" : "out", want);
		t = ps_next(st);
		if (!ps_is_word(t, NULL)) {
			error_at(st, t ? ps_tpos(st, t) : ps_here(st),
				 "expected a peer (a zone, any, internet, an address or a "
				 "host name) after '%s'%s",
				 st->l->toks[ctx_from].text, ps_found(t, fnd, sizeof(fnd)));
			return;
		}
		ps_parse_peer(st, t, false, &peer);
		if (ps_peek(st) && ps_peek(st)->kind == PC_TOK_COMMA) {
			error_at(st, ps_tpos(st, ps_peek(st)),
				 "a rule has one peer; for several, define a zone "
				 "(zone NAME %s, ...) and name it here",
				 t->text);
			free(peer.v);
			return;
		}
	}
	span(st, ctx_from, st->i, ctx, sizeof(ctx));
	r.protos = parse_proto(st, ctx, in);
	if (!r.protos)
		goto out;
	t = ps_peek(st);
	if (ps_is_word(t, "port") || ps_is_word(t, "type")) {
		if (parse_matches(st, &r))
			goto out;
		t = ps_peek(st);
	}
	if (t && t->kind == PC_TOK_STRING) {
		ps_next(st);
		if (strlen(t->text) >= PC_TEXT_LABEL)
			error_at(st, ps_tpos(st, t),
				 "the label is %zu bytes, at most %d fit; shorten it",
				 strlen(t->text), PC_TEXT_LABEL - 1);
		r.label = strdup(t->text);
		t = ps_peek(st);
	}
	if (t) {
		if (t->kind == PC_TOK_WORD && isdigit((unsigned char)t->text[0]) && !r.match_text &&
		    (r.protos & (PC_P_TCP | PC_P_UDP)))
			error_at(st, ps_tpos(st, t), "unexpected '%s'; write 'port %s'", t->text,
				 t->text);
		else if (t->kind == PC_TOK_WORD && !r.label)
			error_at(st, ps_tpos(st, t),
				 "unexpected '%s'; a label goes last, in quotes: "
				 "\"%s\"",
				 t->text, t->text);
		else if (t->kind == PC_TOK_STRING)
			error_at(st, ps_tpos(st, t),
				 "a rule has one label; join the two, or move this "
				 "one to a comment");
		else
			error_at(st, ps_tpos(st, t),
				 "unexpected '%s' after %s; one statement per line", t->text,
				 r.label ? "the label" : "the rule");
		goto out;
	}
	if (peer.kind == PC_PEER_ADDRS && strlen(peer.text) >= PC_TEXT_PEER) {
		error_at(st, ps_tpos(st, &st->l->toks[ctx_from + 1]),
			 "the peer is longer than %d bytes as text; define a zone "
			 "for it and name the zone here",
			 PC_TEXT_PEER - 1);
		goto out;
	}
	if (d->n_errors != errors)
		goto out;
	r.peer_kind = peer.kind;
	r.zone = peer.zone;
	r.addrs = peer.v;
	r.n_addrs = peer.n;
	peer.v = NULL;
	r.peer_text = strdup(peer.text);
	r.proto_text = strdup(proto_text(r.protos));
	if (!r.match_text)
		r.match_text = strdup("");
	if (!r.label)
		r.label = strdup("");
	if (!r.peer_text || !r.proto_text || !r.match_text || !r.label) {
		error_at(st, r.pos, "out of memory");
		goto out;
	}
	add_rule(st, &r);
	return;
out:
	free(peer.v);
	ps_rule_free(&r);
}

bool pc_rule_covers(const struct pc_rule *r, unsigned v)
{
	if (!r->n_ranges)
		return true;
	for (size_t i = 0; i < r->n_ranges; i++)
		if (r->ranges[i].lo <= v && v <= r->ranges[i].hi)
			return true;
	return false;
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The lint. Each finding is a warning whose id docs/profile.md's Lint section lists,
 * at the word it is about, saying what to write instead. It reads the parsed profile
 * only; what the programs do with a frame is docs/semantics.md, which each finding
 * cites. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile/addr_set.h"
#include "compile/lint.h"
#include "profile/lexer.h"
#include "profile/prefix.h"

#define ALL_FAMS (PC_FAM4 | PC_FAM6)

/* Where the last line looked at starts: findings come in line order, so the next one
 * is found from there, and a profile of 32,766 rules is not read from the top for
 * each (diag.c's printer does the same). */
struct line_cursor {
	int src;
	int line;
	const char *at;
};

struct lint {
	const struct pc_profile *p;
	struct pc_diags *d;
	struct pc_addr_set *zones; /* the addresses of each zone */
	unsigned internet;	   /* the families `internet` has an address of */
	unsigned tcp;		   /* the families an allow rule lets TCP through for */
	struct line_cursor c;
	size_t added;
};

/* --- Positions: the word a finding is about ------------------------------------------ */

/* The tokens of the line of pos, lexed again: the profile keeps a statement's
 * position only. Returns 0, or -1 when the line cannot be found or lexed. */
static int lex_line(struct lint *L, struct pc_pos pos, struct pc_line *out)
{
	struct pc_diags scratch = { 0 };
	const char *text, *nl;
	int line = 1, r;

	if (pos.src < 0 || (size_t)pos.src >= L->d->n_sources || pos.line < 1 ||
	    !(text = L->d->sources[pos.src].text))
		return -1;
	if (L->c.src == pos.src && L->c.at && L->c.line <= pos.line) {
		text = L->c.at;
		line = L->c.line;
	}
	for (; line < pos.line; line++) {
		if (!(nl = strchr(text, '\n')))
			return -1;
		text = nl + 1;
	}
	L->c = (struct line_cursor){ pos.src, line, text };
	nl = strchr(text, '\n');
	r = pc_lex_line(&scratch, (struct pc_pos){ pos.src, pos.line, 1 }, text,
			nl ? (size_t)(nl - text) : strlen(text), out);
	pc_diags_free(&scratch);
	return r;
}

static struct pc_pos tok_pos(struct pc_pos pos, const struct pc_tok *t)
{
	return (struct pc_pos){ pos.src, pos.line, t->col };
}

/* The value of `set OPTION VALUE`: its last word. */
static struct pc_pos value_pos(struct lint *L, struct pc_pos pos)
{
	struct pc_line l = { 0 };

	if (!lex_line(L, pos, &l) && l.n)
		pos = tok_pos(pos, &l.toks[l.n - 1]);
	pc_line_free(&l);
	return pos;
}

/* A zone's name, or a rule's peer: the word after `from` or `to`, else `in` or `out`
 * (a rule without a peer is for `any`); *written says which. */
static struct pc_pos word_pos(struct lint *L, struct pc_pos pos, bool rule, bool *written)
{
	struct pc_line l = { 0 };
	size_t i = 1;

	if (written)
		*written = false;
	if (lex_line(L, pos, &l) || l.n < 2) {
		pc_line_free(&l);
		return pos;
	}
	if (rule && l.n > 3 && (!strcmp(l.toks[2].text, "from") || !strcmp(l.toks[2].text, "to")))
		i = 3;
	if (written)
		*written = !rule || i == 3;
	pos = tok_pos(pos, &l.toks[i]);
	pc_line_free(&l);
	return pos;
}

/* The ICMP types a word of a type list stands for; false if it is none. */
static bool type_word(const char *w, bool v6, unsigned *lo, unsigned *hi)
{
	char *end;
	unsigned long a, b;
	int t = pc_icmp_type_by_name(w, v6);

	if (t >= 0) {
		*lo = *hi = (unsigned)t;
		return true;
	}
	a = strtoul(w, &end, 10);
	b = *end == '-' ? strtoul(end + 1, &end, 10) : a;
	if (end == w || *end || a > 255 || b > 255)
		return false;
	*lo = (unsigned)a;
	*hi = (unsigned)b;
	return true;
}

/* The first word after `type` that names a type in lo..hi. */
static struct pc_pos type_pos(struct lint *L, const struct pc_rule *r, unsigned lo, unsigned hi)
{
	struct pc_line l = { 0 };
	struct pc_pos pos = r->pos;
	bool v6 = r->protos & PC_P_ICMP6, in_list = false;

	if (lex_line(L, r->pos, &l)) {
		pc_line_free(&l);
		return pos;
	}
	for (size_t i = 0; i < l.n && l.toks[i].kind != PC_TOK_STRING; i++) {
		unsigned a, b;

		if (l.toks[i].kind != PC_TOK_WORD)
			continue;
		if (!in_list) {
			in_list = !strcmp(l.toks[i].text, "type");
			continue;
		}
		if (type_word(l.toks[i].text, v6, &a, &b) && a <= hi && b >= lo) {
			pos = tok_pos(r->pos, &l.toks[i]);
			break;
		}
	}
	pc_line_free(&l);
	return pos;
}

static void warn(struct lint *L, struct pc_pos pos, const char *id, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void warn(struct lint *L, struct pc_pos pos, const char *id, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pc_diag_warn(L->d, pos, id, "%s", msg);
	L->added++;
}

/* --- What a rule covers ----------------------------------------------------------------- */

/* The first value of r in lo..hi, or -1. */
static int rule_first_in(const struct pc_rule *r, unsigned lo, unsigned hi)
{
	if (!r->n_ranges)
		return -1; /* every type: the rule names none */
	for (size_t i = 0; i < r->n_ranges; i++)
		if (r->ranges[i].lo <= hi && r->ranges[i].hi >= lo)
			return r->ranges[i].lo > lo ? r->ranges[i].lo : (int)lo;
	return -1;
}

/* The families a rule's protocol exists in. */
static unsigned proto_families(const struct pc_rule *r)
{
	if (r->protos & (PC_P_TCP | PC_P_UDP))
		return ALL_FAMS;
	return r->protos & PC_P_ICMP ? PC_FAM4 : PC_FAM6;
}

/* What `of` says of the addresses a rule names: its zone's, or those written in the
 * rule; on_oom when they cannot be put together. */
static unsigned peer_addrs(const struct lint *L, const struct pc_rule *r,
			   unsigned (*of)(const struct pc_addr_set *), unsigned on_oom)
{
	struct pc_addr_set s;
	unsigned f;

	if (r->peer_kind == PC_PEER_ZONE)
		return of(&L->zones[r->zone]);
	if (pc_addr_set_build(&s, r->addrs, r->n_addrs))
		return on_oom;
	f = of(&s);
	pc_addr_set_free(&s);
	return f;
}

/* The families a rule's peer has addresses of. */
static unsigned peer_families(const struct lint *L, const struct pc_rule *r)
{
	if (r->peer_kind == PC_PEER_ANY)
		return ALL_FAMS;
	if (r->peer_kind == PC_PEER_INTERNET)
		return L->internet;
	return peer_addrs(L, r, pc_addr_set_families, ALL_FAMS); /* out of memory: claim nothing */
}

/* The families in which a rule's peer is every address: `any`, or a zone or prefix
 * that holds them all (0.0.0.0/0). `internet` is not: it leaves the zones out. */
static unsigned peer_everyone(const struct lint *L, const struct pc_rule *r)
{
	if (r->peer_kind == PC_PEER_ANY)
		return ALL_FAMS;
	if (r->peer_kind == PC_PEER_INTERNET)
		return 0;
	return peer_addrs(L, r, pc_addr_set_full, 0);
}

/* The families in which a rule's peer holds every address of the internet. */
static unsigned peer_internet(const struct lint *L, const struct pc_rule *r)
{
	return r->peer_kind == PC_PEER_INTERNET ? ALL_FAMS : peer_everyone(L, r);
}

/* --- Options ---------------------------------------------------------------------------- */

static void lint_options(struct lint *L)
{
	const struct pc_options *o = &L->p->opt;

	/* docs/semantics.md §3, step 1: ARP is not IP. */
	if (!o->non_ip_pass && o->non_ip_pos.src >= 0)
		warn(L, value_pos(L, o->non_ip_pos), "non-ip-drop",
		     "`set non-ip drop` drops ARP: the appliance's neighbours cannot find its "
		     "IPv4 address, so it becomes unreachable over IPv4 (IPv6 neighbour "
		     "discovery still passes); write `set non-ip pass`, the default, and leave "
		     "IP to the rules");
	if (o->default_pass && o->default_pos.src >= 0)
		warn(L, value_pos(L, o->default_pos), "default-pass",
		     "`set default pass` passes every packet no rule matches: the profile "
		     "filters nothing it does not name (observe mode); once `portcullis stats` "
		     "shows what no-match counts, write `set default drop` and load with "
		     "`--confirm SECONDS`, so that a mistake rolls back by itself");
}

/* --- Path-MTU discovery under `set state off` ---------------------------------------------- */

struct pmtud {
	unsigned proto, type, family;
	const char *what, *fix;
};

/* With `state on` an ICMP error about a connection the appliance opened, or serves
 * under an `in` rule, passes whatever the rules say (docs/semantics.md §3 step 4,
 * §6.2). With `state off` only a rule lets it in: the first that matches it from the
 * internet decides (§3 step 5), then `set default`. */
static void lint_pmtud_one(struct lint *L, const struct pmtud *m)
{
	const struct pc_profile *p = L->p;

	if (!(L->tcp & m->family))
		return; /* no TCP of this family passes at all */
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct pc_rule *r = &p->rules[i];

		if (r->dir != PC_DIR_IN || !(r->protos & m->proto) || !pc_rule_covers(r, m->type) ||
		    !(peer_internet(L, r) & m->family))
			continue;
		if (r->action == PC_ACT_PASS)
			return;
		warn(L, r->n_ranges ? type_pos(L, r, m->type, m->type) : r->pos, "pmtud",
		     "with `set state off` this rule drops %s from the internet: path-MTU "
		     "discovery fails and connections that send large packets, large mails "
		     "among them, stall; allow the type before this rule (`%s`), or keep `set "
		     "state on`, which passes the errors about the appliance's own connections",
		     m->what, m->fix);
		return;
	}
	if (p->opt.default_pass)
		return;
	warn(L, value_pos(L, p->opt.state_pos), "pmtud",
	     "with `set state off` no rule admits %s from the internet: path-MTU discovery "
	     "fails and connections that send large packets, large mails among them, stall; "
	     "add `%s`, or keep `set state on`, which passes the errors about the "
	     "appliance's own connections",
	     m->what, m->fix);
}

static void lint_pmtud(struct lint *L)
{
	static const struct pmtud m[] = {
		{ PC_P_ICMP, 3, PC_FAM4,
		  "ICMP type 3 (destination-unreachable, which carries fragmentation-needed)",
		  "allow in from internet icmp type 3,11,12" },
		{ PC_P_ICMP6, 2, PC_FAM6, "ICMPv6 type 2 (packet-too-big)",
		  "allow in from internet icmp6 type 1,2,3,4" },
	};

	if (L->p->opt.state || L->p->opt.state_pos.src < 0)
		return;
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		lint_pmtud_one(L, &m[i]);
}

/* --- Rules ----------------------------------------------------------------------------- */

/* Neighbour discovery passes at ingress whatever the rules say (docs/semantics.md
 * §3.12); at egress it, IGMP and MLD always go out (§5, step 3). */
static void lint_ndp(struct lint *L, const struct pc_rule *r)
{
	bool in = r->dir == PC_DIR_IN;
	int t = -1;
	const char *name;

	if (!(r->protos & PC_P_ICMP6))
		return;
	if (in)
		t = rule_first_in(r, 133, 137);
	else if ((t = rule_first_in(r, 130, 137)) < 0)
		t = rule_first_in(r, 143, 143);
	if (t < 0)
		return;
	name = pc_icmp_type_name((unsigned)t, true);
	if (in)
		warn(L, type_pos(L, r, (unsigned)t, (unsigned)t), "ndp-rule",
		     "ICMPv6 type %d (%s) is neighbour discovery, which always passes, counted "
		     "as `ndp`, whatever the rules say (docs/semantics.md §3.12): this rule %s; "
		     "only forged copies (a hop limit below 255, or a fragment header) reach "
		     "it; take types 133-137 out of the rule",
		     t, name, r->action == PC_ACT_PASS ? "is not needed for it" : "cannot drop it");
	else
		warn(L, type_pos(L, r, (unsigned)t, (unsigned)t), "ndp-rule",
		     "ICMPv6 type %d (%s) always goes out, counted as `ndp`, whatever the rules "
		     "say (docs/semantics.md §5, step 3): this rule never matches it; take "
		     "types 130-137 and 143 out of the rule",
		     t, name);
}

/* Ports every mail appliance serves to whoever connects: SMTP, submission with and
 * without implicit TLS. */
static bool public_port(unsigned bit, unsigned port)
{
	return bit == PC_P_TCP && (port == 25 || port == 465 || port == 587);
}

struct text {
	char *buf;
	size_t len, used;
};

static void add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->used >= t->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->used, t->len - t->used, fmt, ap);
	va_end(ap);
	t->used += n > 0 ? (size_t)n : 0;
}

/* Appends "tcp port 22, 8000-8080" for the ports of r, of protocol bit, that are not
 * public; returns how many ranges that was. */
static unsigned private_ports(const struct pc_rule *r, unsigned bit, struct text *t)
{
	const char *name = bit == PC_P_TCP ? "tcp" : "udp";
	unsigned shown = 0, more = 0;

	if (!(r->protos & bit))
		return 0;
	if (!r->n_ranges) {
		add(t, "%severy %s port", t->used ? " and " : "", name);
		return 1;
	}
	for (size_t i = 0; i < r->n_ranges; i++) {
		unsigned lo = r->ranges[i].lo, hi = r->ranges[i].hi;

		/* Each range, split around the public ports inside it. */
		for (unsigned a = lo; a <= hi;) {
			unsigned b = a;

			if (public_port(bit, a)) {
				a++;
				continue;
			}
			while (b < hi && !public_port(bit, b + 1))
				b++;
			if (shown == 4) {
				more++;
			} else {
				if (shown)
					add(t, ", ");
				else
					add(t, "%s%s port ", t->used ? " and " : "", name);
				if (a == b)
					add(t, "%u", a);
				else
					add(t, "%u-%u", a, b);
				shown++;
			}
			a = b + 1;
		}
	}
	if (more)
		add(t, ", ...");
	return shown + more;
}

/* An `allow in` rule whose peer is every address opens its ports to every zone, the
 * LAN's hosts and the internet's alike. Only mail is served to everyone. Out rules
 * are not asked: they admit the replies of what the appliance opens (docs/semantics.md
 * §6), and ICMP has no port to open. */
static void lint_open(struct lint *L, const struct pc_rule *r)
{
	char buf[256];
	struct text t = { buf, sizeof(buf), 0 };
	struct pc_pos at;
	bool written;
	unsigned n;

	buf[0] = '\0';
	if (r->dir != PC_DIR_IN || r->action != PC_ACT_PASS ||
	    !(r->protos & (PC_P_TCP | PC_P_UDP)) || !peer_everyone(L, r))
		return;
	n = private_ports(r, PC_P_TCP, &t);
	n += private_ports(r, PC_P_UDP, &t);
	if (!n)
		return;
	at = word_pos(L, r->pos, true, &written);
	warn(L, at, "open-to-all",
	     "this rule opens %s to every address, the LAN's and the internet's alike (%s); "
	     "name who may connect: `from lan`, a zone of the hosts that need it, or `from "
	     "internet` if the whole internet must (only mail, tcp 25, 465 and 587, is served "
	     "to everyone)",
	     buf,
	     r->peer_kind != PC_PEER_ANY ? "its peer holds every address"
	     : written			 ? "its peer is `any`"
					 : "without `from`, the peer is `any`");
}

static const char *family_name(unsigned f)
{
	return f == PC_FAM4 ? "IPv4" : "IPv6";
}

/* A rule no packet can match though no earlier rule takes its packets (that is
 * compile.c's "shadowed"): its peer has no address, or none of its protocol's family. */
static void lint_never(struct lint *L, const struct pc_rule *r)
{
	unsigned pf, rf = proto_families(r);

	if (r->peer_kind == PC_PEER_ADDRS && !r->n_addrs)
		return; /* compile.c says so: "no-address" */
	pf = peer_families(L, r);
	if (!pf && r->peer_kind == PC_PEER_ZONE)
		warn(L, word_pos(L, r->pos, true, NULL), "never-matches",
		     "zone '%s' has no address (its host names resolved to nothing): this rule "
		     "never matches; check the names, or write their addresses",
		     r->peer_text);
	else if (!pf)
		warn(L, word_pos(L, r->pos, true, NULL), "never-matches",
		     "the zones hold every address, so `internet` has none: this rule never "
		     "matches; name a zone, or `any`");
	else if (!(pf & rf))
		warn(L, word_pos(L, r->pos, true, NULL), "never-matches",
		     "%s is %s only, but '%s' has %s addresses only: this rule never matches; "
		     "write it for %s, or name a peer with %s addresses",
		     r->proto_text, family_name(rf), r->peer_text, family_name(pf),
		     rf == PC_FAM4 ? "icmp6" : "icmp", family_name(rf));
}

/* --- Zones ---------------------------------------------------------------------------- */

struct entry {
	struct pc_prefix p;
	uint32_t zone;
};

static int entry_cmp(const void *x, const void *y)
{
	const struct entry *a = x, *b = y;
	int c = pc_prefix_cmp(&a->p, &b->p);

	return c ? c : (a->zone > b->zone) - (a->zone < b->zone);
}

/* Marks in met (a bit per pair of zones) each pair that shares a prefix. Prefixes are
 * nested or apart, so in prefix order the ones that hold a prefix are a stack. */
static int zones_meeting(const struct pc_profile *p, uint8_t *met)
{
	struct entry *e, **stack;
	size_t n = 0, k = 0, depth = 0;

	for (size_t z = 0; z < p->n_zones; z++)
		n += p->zones[z].n_prefixes;
	e = malloc((n + 1) * sizeof(*e));
	stack = malloc((n + 1) * sizeof(*stack));
	if (!e || !stack) {
		free(e);
		free(stack);
		return -1;
	}
	for (size_t z = 0; z < p->n_zones; z++)
		for (size_t i = 0; i < p->zones[z].n_prefixes; i++)
			e[k++] = (struct entry){ p->zones[z].prefixes[i], (uint32_t)z };
	qsort(e, n, sizeof(*e), entry_cmp);
	for (size_t i = 0; i < n; i++) {
		while (depth && !pc_prefix_contains(&stack[depth - 1]->p, &e[i].p))
			depth--;
		for (size_t s = 0; s < depth; s++) {
			size_t a = stack[s]->zone, b = e[i].zone, bit;

			if (a == b)
				continue;
			bit = a < b ? a * p->n_zones + b : b * p->n_zones + a;
			met[bit / 8] |= (uint8_t)(1u << (bit % 8));
		}
		stack[depth++] = &e[i];
	}
	free(e);
	free(stack);
	return 0;
}

/* Zones that share addresses while neither holds the other: an address there gets the
 * rules of both, the first that matches deciding (docs/semantics.md §3.13). A zone
 * built from another (`zone trust lan, mx`) holds it, and says nothing. Reported once
 * per zone, at the later one, naming the earlier ones. */
static void lint_zones(struct lint *L)
{
	const struct pc_profile *p = L->p;
	size_t nz = p->n_zones;
	uint8_t *met;

	if (nz < 2)
		return;
	met = calloc((nz * nz + 7) / 8, 1);
	if (!met || zones_meeting(p, met)) {
		free(met);
		return;
	}
	for (size_t b = 1; b < nz; b++) {
		const struct pc_addr_set *sb = &L->zones[b];
		char buf[1024], shared[256];
		struct text t = { buf, sizeof(buf), 0 };
		unsigned found = 0;

		for (size_t a = 0; a < b; a++) {
			const struct pc_addr_set *sa = &L->zones[a];
			size_t bit = a * nz + b;

			if (!(met[bit / 8] & (1u << (bit % 8))) || pc_addr_set_holds(sa, sb) ||
			    pc_addr_set_holds(sb, sa))
				continue;
			if (found++ < 3) {
				pc_addr_set_shared_text(sa, sb, 3, shared, sizeof(shared));
				add(&t, "%s'%s' (line %d): %s", found > 1 ? "; " : "",
				    p->zones[a].name, p->zones[a].pos.line, shared);
			}
		}
		if (found > 3)
			add(&t, "; and %u more zones", found - 3);
		if (found)
			warn(L, word_pos(L, p->zones[b].pos, false, NULL), "zone-overlap",
			     "zone '%s' shares addresses with %s, and neither zone holds the "
			     "other: an address there gets the rules of both, the first that "
			     "matches deciding; make one zone hold the other, or take the shared "
			     "prefixes out of one",
			     p->zones[b].name, buf);
	}
	free(met);
}

/* --- The whole lint ------------------------------------------------------------------- */

/* The zones' address sets, and what `internet` and TCP are made of. */
static int lint_init(struct lint *L)
{
	const struct pc_profile *p = L->p;
	struct pc_prefix *all = NULL;
	struct pc_addr_set zones_union;
	size_t n = 0;

	L->zones = calloc(p->n_zones + 1, sizeof(*L->zones));
	if (!L->zones)
		return -1;
	for (size_t z = 0; z < p->n_zones; z++) {
		n += p->zones[z].n_prefixes;
		if (pc_addr_set_build(&L->zones[z], p->zones[z].prefixes, p->zones[z].n_prefixes))
			return -1;
	}
	all = malloc((n + 1) * sizeof(*all));
	if (!all)
		return -1;
	n = 0;
	for (size_t z = 0; z < p->n_zones; z++) {
		if (!p->zones[z].n_prefixes)
			continue; /* prefixes may be NULL then */
		memcpy(all + n, p->zones[z].prefixes, p->zones[z].n_prefixes * sizeof(*all));
		n += p->zones[z].n_prefixes;
	}
	if (pc_addr_set_build(&zones_union, all, n)) {
		free(all);
		return -1;
	}
	free(all);
	L->internet = ALL_FAMS & ~pc_addr_set_full(&zones_union);
	pc_addr_set_free(&zones_union);
	for (size_t i = 0; i < p->n_rules; i++)
		if (p->rules[i].action == PC_ACT_PASS && (p->rules[i].protos & PC_P_TCP))
			L->tcp |= peer_families(L, &p->rules[i]);
	return 0;
}

size_t pc_lint(const struct pc_profile *p, struct pc_diags *d)
{
	struct lint L = { .p = p, .d = d, .c = { .src = -1 } };

	if (!lint_init(&L)) {
		lint_options(&L);
		lint_pmtud(&L);
		for (size_t i = 0; i < p->n_rules; i++) {
			lint_never(&L, &p->rules[i]);
			lint_ndp(&L, &p->rules[i]);
			lint_open(&L, &p->rules[i]);
		}
		lint_zones(&L);
	}
	for (size_t z = 0; L.zones && z < p->n_zones; z++)
		pc_addr_set_free(&L.zones[z]);
	free(L.zones);
	return L.added;
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The profile parser: statements to zones, an ordered rule list and options. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profile/lexer.h"
#include "profile/prefix.h"
#include "profile/profile.h"

#define MAX_ZONES 4096
#define MAX_INCLUDE_DEPTH 16
#define MAX_FILE_SIZE (16u << 20)
/* PC_FLOWS_MAX, spelt out for messages. */
#define FLOWS_LIMIT_TEXT "1048576"
_Static_assert(PC_FLOWS_MAX == 1048576, "FLOWS_LIMIT_TEXT");
/* After this many errors the rest is mostly noise caused by the first ones. */
#define MAX_ERRORS 20

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* A host name's addresses, looked up once per parse however often it is named. */
struct host {
	char *name;
	struct pc_prefix *v;
	size_t n;
	int gai_err;
};

/* A file being parsed; the chain of them names an include cycle. */
struct frame {
	const char *path;
	char *dir; /* includes are relative to it; "" is the current directory */
	bool has_id;
	dev_t dev;
	ino_t ino;
};

/* Every file read, so that a second include of one is caught. */
struct included {
	dev_t dev;
	ino_t ino;
	struct pc_pos from; /* the include that read it */
};

struct parser {
	struct pc_diags *d;
	struct pc_profile *p;
	size_t errors_before;
	bool stopped;
	struct frame stack[MAX_INCLUDE_DEPTH + 1];
	int depth;
	size_t zones_cap, rules_cap;
	bool zones_full, rules_full; /* already reported */
	struct host *hosts;
	size_t n_hosts;
	struct included *files;
	size_t n_files;
	size_t bytes; /* read so far, the profile and its includes together */
};

/* One statement: the tokens of its line and a cursor. */
struct stmt {
	struct parser *ps;
	int src;
	int line;
	const struct pc_line *l;
	size_t i;
};

static const char *const keywords[] = { "allow", "drop", "zone", "set", "include" };

/* --- Tokens and positions ------------------------------------------------------ */

static struct pc_pos tpos(const struct stmt *st, const struct pc_tok *t)
{
	return (struct pc_pos){ st->src, st->line, t->col };
}

static struct pc_pos tpos_at(const struct stmt *st, const struct pc_tok *t, size_t off)
{
	return (struct pc_pos){ st->src, st->line, t->col + (int)off };
}

static const struct pc_tok *peek(const struct stmt *st)
{
	return st->i < st->l->n ? &st->l->toks[st->i] : NULL;
}

static const struct pc_tok *next(struct stmt *st)
{
	const struct pc_tok *t = peek(st);

	if (t)
		st->i++;
	return t;
}

/* Where the next token is, or where a missing one belongs: after the last. */
static struct pc_pos here(const struct stmt *st)
{
	const struct pc_tok *t = peek(st);

	if (t)
		return tpos(st, t);
	return (struct pc_pos){ st->src, st->line, st->l->n ? st->l->toks[st->l->n - 1].end : 1 };
}

static bool is_word(const struct pc_tok *t, const char *w)
{
	return t && t->kind == PC_TOK_WORD && (!w || !strcmp(t->text, w));
}

/* ", found 'x'" for messages about an unexpected token; "" at the end of line. */
static const char *found(const struct pc_tok *t, char *buf, size_t len)
{
	if (!t)
		snprintf(buf, len, "%s", "");
	else if (t->kind == PC_TOK_STRING)
		snprintf(buf, len, ", found the label \"%s\"", t->text);
	else
		snprintf(buf, len, ", found '%s'", t->text);
	return buf;
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

#define error_at(st, pos, ...) pc_diag_add((st)->ps->d, PC_ERROR, pos, __VA_ARGS__)
#define warning_at(st, pos, ...) pc_diag_add((st)->ps->d, PC_WARNING, pos, __VA_ARGS__)

/* "line 7" when pos is in the statement's own file, "other.conf:7" otherwise. */
static const char *where(const struct stmt *st, struct pc_pos pos, char *buf, size_t len)
{
	if (pos.src == st->src)
		snprintf(buf, len, "line %d", pos.line);
	else
		snprintf(buf, len, "%s:%d", st->ps->d->sources[pos.src].path, pos.line);
	return buf;
}

/* --- Did you mean ---------------------------------------------------------------- */

/* Optimal string alignment distance, case-insensitive: a swapped pair of letters
 * ("tpc") is one typo, as is a wrong case ("TCP"). */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t d[33][33];

	if (la > 32 || lb > 32)
		return SIZE_MAX;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			int ca = tolower((unsigned char)a[i - 1]);
			int cb = tolower((unsigned char)b[j - 1]);
			size_t v = d[i - 1][j - 1] + (ca != cb);

			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
			    cb == tolower((unsigned char)a[i - 2]) && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

/* The closest candidate, if it is close enough to be what was meant. */
static const char *suggest(const char *w, const char *const *cands, size_t n)
{
	size_t len = strlen(w);
	/* A third of the word may be wrong: "tpc" is tcp, "line" is not zone. */
	size_t best = len < 6 ? 1 : len / 3;
	const char *pick = NULL;

	for (size_t i = 0; i < n; i++) {
		size_t dist = distance(w, cands[i]);

		if (dist <= best && strcmp(w, cands[i])) {
			best = dist ? dist - 1 : 0;
			pick = cands[i];
			if (!dist)
				break;
		}
	}
	return pick;
}

/* "; did you mean 'x'?" or "". */
static const char *did_you_mean(const char *w, const char *const *cands, size_t n, char *buf,
				size_t len)
{
	const char *s = suggest(w, cands, n);

	if (s)
		snprintf(buf, len, "; did you mean '%s'?", s);
	else
		snprintf(buf, len, "%s", "");
	return buf;
}

/* --- Numbers ----------------------------------------------------------------------- */

/* Decimal digits only, no sign, no spaces: what an operator writes. */
static int parse_uint(const char *s, size_t n, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (!n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
		if (v > max)
			return -2;
	}
	*out = v;
	return 0;
}

/* "N" or "LO-HI". Returns 0, -1 when w is neither, -2 when a number is above
 * max, -3 when LO > HI. */
static int parse_range(const char *w, unsigned long max, struct pc_range *r)
{
	const char *dash = strchr(w, '-');
	unsigned long lo, hi;
	int err;

	if (!dash) {
		err = parse_uint(w, strlen(w), max, &lo);
		hi = lo;
	} else {
		err = parse_uint(w, (size_t)(dash - w), max, &lo);
		if (err != -1) {
			int e2 = parse_uint(dash + 1, strlen(dash + 1), max, &hi);

			err = e2 == -1 ? -1 : err ? err : e2;
		}
	}
	if (err)
		return err;
	if (lo > hi)
		return -3;
	r->lo = (uint16_t)lo;
	r->hi = (uint16_t)hi;
	return 0;
}

/* --- Prefixes ------------------------------------------------------------------------ */

static int prefix_qsort_cmp(const void *a, const void *b)
{
	return pc_prefix_cmp(a, b);
}

/* Sorted, so that the same zone always compiles to the same tables. */
static size_t prefixes_dedupe(struct pc_prefix *v, size_t n)
{
	size_t k = 0;

	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), prefix_qsort_cmp);
	for (size_t i = 1; i < n; i++)
		if (pc_prefix_cmp(&v[k], &v[i]))
			v[++k] = v[i];
	return k + 1;
}

static int prefixes_append(struct pc_prefix **v, size_t *n, const struct pc_prefix *add, size_t k)
{
	struct pc_prefix *nv;

	if (!k)
		return 0;
	nv = realloc(*v, (*n + k) * sizeof(*nv));
	if (!nv)
		return -1;
	memcpy(nv + *n, add, k * sizeof(*nv));
	*v = nv;
	*n += k;
	return 0;
}

/* Returns 1 when t is an address or prefix (p filled in), 0 when it does not look
 * like one at all, -1 after reporting what is wrong with it. */
static int parse_addr(struct stmt *st, const struct pc_tok *t, struct pc_prefix *p)
{
	const char *w = t->text, *slash = strchr(w, '/');
	size_t alen = slash ? (size_t)(slash - w) : strlen(w);
	bool v6 = memchr(w, ':', alen);
	bool dotted = alen && strspn(w, "0123456789.") >= alen;
	unsigned long len, max;
	char a[INET6_ADDRSTRLEN + 1];
	struct pc_prefix m;

	if (!slash && !v6 && !dotted)
		return 0;
	if (!v6 && !dotted) {
		error_at(st, tpos(st, t),
			 "'%s' is not a prefix; write ADDRESS/LENGTH, such as "
			 "10.0.0.0/8 or fc00::/7",
			 w);
		return -1;
	}
	memset(p, 0, sizeof(*p));
	if (alen >= sizeof(a) || (memcpy(a, w, alen), a[alen] = '\0',
				  inet_pton(v6 ? AF_INET6 : AF_INET, a, p->addr) != 1)) {
		error_at(st, tpos(st, t),
			 v6 ? "'%.*s' is not a valid IPv6 address; write it as "
			      "2001:db8::1"
			    : "'%.*s' is not a valid IPv4 address; write four "
			      "numbers 0-255, such as 192.0.2.1",
			 (int)alen, w);
		return -1;
	}
	p->family = v6 ? 6 : 4;
	max = v6 ? 128 : 32;
	len = max;
	if (slash) {
		int err = parse_uint(slash + 1, strlen(slash + 1), max, &len);

		if (err == -1) {
			error_at(st, tpos_at(st, t, alen + 1),
				 "'%s' is not a prefix length; write a number "
				 "0-%lu after the '/'",
				 slash + 1, max);
			return -1;
		}
		if (err == -2) {
			error_at(st, tpos_at(st, t, alen + 1),
				 "prefix length %s is out of range for IPv%d; "
				 "write 0-%lu",
				 slash + 1, v6 ? 6 : 4, max);
			return -1;
		}
	}
	p->len = (uint8_t)len;
	m = *p;
	for (unsigned i = 0; i < 16; i++) {
		unsigned bits = i * 8 >= len ? 0 : len - i * 8 >= 8 ? 8 : len - i * 8;

		m.addr[i] &= (uint8_t)(0xff00u >> bits);
	}
	if (memcmp(m.addr, p->addr, sizeof(m.addr))) {
		char fix[INET6_ADDRSTRLEN + 8];

		pc_prefix_text(&m, fix, sizeof(fix));
		error_at(st, tpos(st, t), "%s has host bits set; did you mean %s?", w, fix);
		return -1;
	}
	return 1;
}

/* --- Host names ------------------------------------------------------------------------ */

static bool hostname_ok(const char *w)
{
	size_t n = strlen(w);

	if (!n || n > 253 || w[0] == '.' || w[0] == '-' || strstr(w, ".."))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)w[i]) && !strchr(".-_", w[i]))
			return false;
	return true;
}

/* All A and AAAA records of name, looked up once per parse. NULL: out of memory. */
static const struct host *resolve(struct parser *ps, const char *name)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL;
	struct host *h;

	for (size_t i = 0; i < ps->n_hosts; i++)
		if (!strcmp(ps->hosts[i].name, name))
			return &ps->hosts[i];
	h = realloc(ps->hosts, (ps->n_hosts + 1) * sizeof(*h));
	if (!h)
		return NULL;
	ps->hosts = h;
	h = &h[ps->n_hosts];
	*h = (struct host){ .name = strdup(name) };
	if (!h->name)
		return NULL;
	ps->n_hosts++;
	h->gai_err = getaddrinfo(name, NULL, &hints, &res);
	for (struct addrinfo *ai = h->gai_err ? NULL : res; ai; ai = ai->ai_next) {
		struct pc_prefix p = { 0 };

		if (ai->ai_family == AF_INET) {
			const struct sockaddr_in *sin = (void *)ai->ai_addr;

			p.family = 4;
			p.len = 32;
			memcpy(p.addr, &sin->sin_addr, 4);
		} else if (ai->ai_family == AF_INET6) {
			const struct sockaddr_in6 *sin6 = (void *)ai->ai_addr;

			p.family = 6;
			p.len = 128;
			memcpy(p.addr, &sin6->sin6_addr, 16);
		} else {
			continue;
		}
		if (prefixes_append(&h->v, &h->n, &p, 1)) {
			freeaddrinfo(res);
			return NULL;
		}
	}
	if (res)
		freeaddrinfo(res);
	h->n = prefixes_dedupe(h->v, h->n);
	return h;
}

/* --- Peers ---------------------------------------------------------------------------- */

struct peer {
	enum pc_peer_kind kind;
	int zone;
	struct pc_prefix *v;
	size_t n;
	char text[256];
};

static int find_zone(const struct pc_profile *p, const char *name)
{
	for (size_t i = 0; i < p->n_zones; i++)
		if (!strcmp(p->zones[i].name, name))
			return (int)i;
	return -1;
}

static void unknown_zone(struct stmt *st, const struct pc_tok *t, bool in_zone)
{
	const struct pc_profile *p = st->ps->p;
	size_t n = p->n_zones;
	const char **cands = malloc((n + 2) * sizeof(*cands));
	char dym[128] = "";

	if (cands) {
		for (size_t i = 0; i < n; i++)
			cands[i] = p->zones[i].name;
		if (!in_zone) {
			cands[n++] = "any";
			cands[n++] = "internet";
		}
		did_you_mean(t->text, cands, n, dym, sizeof(dym));
		free(cands);
	}
	error_at(st, tpos(st, t),
		 "unknown zone '%s'%s (zones must be defined before they are used; "
		 "a host name needs its domain)",
		 t->text, dym);
}

/* Reads the peer t into out. In a zone's definition (in_zone), `any` and
 * `internet` cannot stand, and a zone stands for its prefixes. Returns 0, or -1
 * after an error. */
static int parse_peer(struct stmt *st, const struct pc_tok *t, bool in_zone, struct peer *out)
{
	struct pc_profile *p = st->ps->p;
	const struct host *h;
	struct pc_prefix pfx;
	int r, z;

	*out = (struct peer){ .zone = -1 };
	if (is_word(t, "any") || is_word(t, "internet")) {
		if (in_zone && t->text[0] == 'a') {
			error_at(st, tpos(st, t),
				 "'any' cannot be part of a zone; write 0.0.0.0/0, ::/0 for every "
				 "address");
			return -1;
		}
		if (in_zone) {
			error_at(st, tpos(st, t),
				 "'internet' cannot be part of a zone: it means every address in "
				 "no zone");
			return -1;
		}
		out->kind = t->text[0] == 'a' ? PC_PEER_ANY : PC_PEER_INTERNET;
		snprintf(out->text, sizeof(out->text), "%s", t->text);
		return 0;
	}
	r = parse_addr(st, t, &pfx);
	if (r < 0)
		return -1;
	if (r > 0) {
		out->kind = PC_PEER_ADDRS;
		pc_prefix_text(&pfx, out->text, sizeof(out->text));
		if (prefixes_append(&out->v, &out->n, &pfx, 1))
			goto oom;
		return 0;
	}
	z = find_zone(p, t->text);
	if (z >= 0) {
		out->kind = PC_PEER_ZONE;
		out->zone = z;
		snprintf(out->text, sizeof(out->text), "%s", t->text);
		return 0;
	}
	if (!hostname_ok(t->text)) {
		if (!strchr(t->text, '.')) {
			unknown_zone(st, t, in_zone);
			return -1;
		}
		error_at(st, tpos(st, t),
			 "'%s' is not a valid host name; a host name has letters, "
			 "digits, '-' and '.', such as mx.example.com",
			 t->text);
		return -1;
	}
	out->kind = PC_PEER_ADDRS;
	for (size_t i = 0; t->text[i] && i + 1 < sizeof(out->text); i++) {
		out->text[i] = (char)tolower((unsigned char)t->text[i]);
		out->text[i + 1] = '\0';
	}
	h = resolve(st->ps, out->text);
	if (!h)
		goto oom;
	if (!h->n && !strchr(t->text, '.')) {
		unknown_zone(st, t, in_zone);
		return -1;
	}
	if (!h->n) {
		warning_at(st, tpos(st, t),
			   "host name '%s' resolves to no address (%s); it matches "
			   "nothing: check the name, or write its addresses",
			   t->text, h->gai_err ? gai_strerror(h->gai_err) : "no A or AAAA record");
		return 0;
	}
	if (prefixes_append(&out->v, &out->n, h->v, h->n))
		goto oom;
	return 0;
oom:
	error_at(st, tpos(st, t), "out of memory");
	free(out->v);
	out->v = NULL;
	return -1;
}

/* --- zone ------------------------------------------------------------------------------ */

static bool zone_name_ok(const char *w)
{
	if (!isalpha((unsigned char)w[0]) && w[0] != '_')
		return false;
	for (size_t i = 1; w[i]; i++)
		if (!isalnum((unsigned char)w[i]) && w[i] != '_' && w[i] != '-')
			return false;
	return true;
}

static void parse_zone(struct stmt *st)
{
	struct parser *ps = st->ps;
	struct pc_profile *p = ps->p;
	const struct pc_tok *name, *t;
	struct pc_prefix *v = NULL;
	size_t n = 0;
	bool define = true;
	char buf[256];
	int old;

	next(st);
	name = next(st);
	if (!is_word(name, NULL)) {
		error_at(st, name ? tpos(st, name) : here(st),
			 "expected a zone name after 'zone'%s, as in: zone lan "
			 "10.0.0.0/8, fc00::/7",
			 found(name, buf, sizeof(buf)));
		return;
	}
	old = find_zone(p, name->text);
	if (!strcmp(name->text, "any") || !strcmp(name->text, "internet")) {
		error_at(st, tpos(st, name), "'%s' is a predefined zone; choose another name",
			 name->text);
		define = false;
	} else if (!zone_name_ok(name->text)) {
		error_at(st, tpos(st, name),
			 "'%s' is not a valid zone name; use letters, digits, '_' "
			 "and '-', starting with a letter or '_'",
			 name->text);
		define = false;
	} else if (old >= 0) {
		error_at(st, tpos(st, name),
			 "zone '%s' is already defined at %s; choose another name, "
			 "or add these peers to that definition",
			 name->text, where(st, p->zones[old].pos, buf, sizeof(buf)));
		define = false;
	} else if (strlen(name->text) >= PC_TEXT_PEER) {
		/* Rules show their peer's name in PC_TEXT_PEER bytes. */
		error_at(st, tpos(st, name), "zone name '%s' is longer than %d bytes; shorten it",
			 name->text, PC_TEXT_PEER - 1);
	}
	for (;;) {
		struct peer peer;
		const struct pc_prefix *add;
		size_t k;

		t = next(st);
		if (!is_word(t, NULL)) {
			error_at(st, t ? tpos(st, t) : here(st),
				 "expected an address, prefix, zone or host name "
				 "after '%s'%s",
				 st->l->toks[st->i - (t ? 2 : 1)].text, found(t, buf, sizeof(buf)));
			break;
		}
		if (parse_peer(st, t, true, &peer) == 0) {
			add = peer.kind == PC_PEER_ZONE ? p->zones[peer.zone].prefixes : peer.v;
			k = peer.kind == PC_PEER_ZONE ? p->zones[peer.zone].n_prefixes : peer.n;
			if (prefixes_append(&v, &n, add, k))
				error_at(st, tpos(st, t), "out of memory");
			free(peer.v);
		}
		t = next(st);
		if (!t)
			break;
		if (t->kind != PC_TOK_COMMA) {
			error_at(st, tpos(st, t),
				 "expected ',' between the peers of a zone%s; write "
				 "'%s, %s'",
				 found(t, buf, sizeof(buf)), st->l->toks[st->i - 2].text, t->text);
			break;
		}
	}
	if (define && p->n_zones == MAX_ZONES) {
		if (!ps->zones_full)
			error_at(st, tpos(st, name), "more than %d zones; merge some of them",
				 MAX_ZONES);
		ps->zones_full = true;
		define = false;
	}
	if (define && p->n_zones == ps->zones_cap) {
		size_t cap = ps->zones_cap ? 2 * ps->zones_cap : 16;
		struct pc_zone *z = realloc(p->zones, cap * sizeof(*z));

		if (!z) {
			error_at(st, tpos(st, name), "out of memory");
			define = false;
		} else {
			p->zones = z;
			ps->zones_cap = cap;
		}
	}
	if (define) {
		/* Defined even after an error in its peers, so that its uses do not
		 * add "unknown zone" errors to the real one. */
		struct pc_zone *z = &p->zones[p->n_zones];

		z->name = strdup(name->text);
		if (!z->name) {
			error_at(st, tpos(st, name), "out of memory");
			free(v);
			return;
		}
		z->pos = tpos(st, &st->l->toks[0]);
		z->prefixes = v;
		z->n_prefixes = prefixes_dedupe(v, n);
		p->n_zones++;
		return;
	}
	free(v);
}

/* --- Rules ------------------------------------------------------------------------------ */

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
	       find_zone(st->ps->p, t->text) >= 0 || strpbrk(t->text, ".:/");
}

/* Reads PROTO; ctx is the text of what came before, for messages. */
static unsigned parse_proto(struct stmt *st, const char *ctx, bool in)
{
	const struct pc_tok *t = peek(st), *t2;
	const char *names[N_ELEMS(protos)];
	unsigned bit = proto_bit(t), bit2;
	char dym[128], fnd[256];

	if (!bit) {
		for (size_t i = 0; i < N_ELEMS(protos); i++)
			names[i] = protos[i].name;
		if (is_word(t, NULL) && suggest(t->text, names, N_ELEMS(names))) {
			error_at(st, tpos(st, t), "unknown protocol '%s'%s (" PROTO_LIST ")",
				 t->text,
				 did_you_mean(t->text, names, N_ELEMS(names), dym, sizeof(dym)));
		} else if (is_word(t, NULL) && looks_like_peer(st, t)) {
			error_at(st, tpos(st, t),
				 "expected a protocol (" PROTO_LIST ") after '%s'%s; to "
				 "name the peer, write '%s %s'",
				 ctx, found(t, fnd, sizeof(fnd)), in ? "from" : "to", t->text);
		} else {
			error_at(st, here(st), "expected a protocol (" PROTO_LIST ") after '%s'%s",
				 ctx, found(t, fnd, sizeof(fnd)));
		}
		return 0;
	}
	next(st);
	if (peek(st) && peek(st)->kind == PC_TOK_COMMA) {
		next(st);
		t2 = peek(st);
		bit2 = proto_bit(t2);
		if (!t2 || !bit2) {
			error_at(st, here(st),
				 "expected a protocol after '%s,'%s; only tcp,udp "
				 "combine",
				 t->text, found(t2, fnd, sizeof(fnd)));
			return 0;
		}
		next(st);
		if ((bit | bit2) != (PC_P_TCP | PC_P_UDP)) {
			error_at(st, tpos(st, t),
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
		error_at(st, tpos(st, t),
			 "unknown service '%s' (not in /etc/services); write the "
			 "port number",
			 t->text);
		return -1;
	}
	for (int i = 0; i < 2; i++) {
		if ((bits & pbit[i]) && port[i] < 0) {
			error_at(st, tpos(st, t),
				 "service '%s' is not defined for %s in /etc/services; "
				 "write the port number",
				 t->text, pname[i]);
			return -1;
		}
	}
	if (port[0] >= 0 && port[1] >= 0 && port[0] != port[1]) {
		error_at(st, tpos(st, t),
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
		error_at(st, tpos(st, t),
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
	if (suggest(t->text, names, n))
		error_at(st, tpos(st, t), "unknown %s type '%s'%s", v6 ? "ICMPv6" : "ICMP", t->text,
			 did_you_mean(t->text, names, n, dym, sizeof(dym)));
	else
		error_at(st, tpos(st, t),
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
	const struct pc_tok *kw = next(st), *t;
	bool types = !strcmp(kw->text, "type");
	unsigned long max = types ? 255 : 65535;
	const char *what = types ? "ICMP type" : "port";
	char text[PC_TEXT_MATCH + 16], fnd[256];
	size_t tlen, cap = 0;
	struct pc_range rg;
	int err = 0;

	if (types && !(r->protos & (PC_P_ICMP | PC_P_ICMP6))) {
		error_at(st, tpos(st, kw), "'type' needs icmp or icmp6; %s rules match by 'port'",
			 proto_text(r->protos));
		return -1;
	}
	if (!types && !(r->protos & (PC_P_TCP | PC_P_UDP))) {
		error_at(st, tpos(st, kw), "'port' needs tcp or udp; %s rules match by 'type'",
			 proto_text(r->protos));
		return -1;
	}
	tlen = (size_t)snprintf(text, sizeof(text), "%s ", kw->text);
	for (;;) {
		t = next(st);
		if (!is_word(t, NULL)) {
			error_at(st, t ? tpos(st, t) : here(st),
				 "expected a %s number, range LO-HI or name after "
				 "'%s'%s",
				 what, st->l->toks[st->i - (t ? 2 : 1)].text,
				 found(t, fnd, sizeof(fnd)));
			return -1;
		}
		switch (isdigit((unsigned char)t->text[0]) ? parse_range(t->text, max, &rg) : 1) {
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
			error_at(st, tpos(st, t), "%s %s is out of range; write 0-%lu", what,
				 t->text, max);
			err = -1;
			goto more;
		case -3:
			error_at(st, tpos(st, t), "range %s is backwards; write %s-%.*s", t->text,
				 strchr(t->text, '-') + 1, (int)(strchr(t->text, '-') - t->text),
				 t->text);
			err = -1;
			goto more;
		default:
			error_at(st, tpos(st, t), "'%s' is not a %s number or a range LO-HI",
				 t->text, what);
			err = -1;
			goto more;
		}
		if (r->n_ranges == cap) {
			struct pc_range *nr;

			cap = cap ? 2 * cap : 8;
			nr = realloc(r->ranges, cap * sizeof(*nr));
			if (!nr) {
				error_at(st, tpos(st, t), "out of memory");
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
		if (!peek(st) || peek(st)->kind != PC_TOK_COMMA)
			break;
		next(st);
	}
	if (err)
		return -1;
	if (tlen >= PC_TEXT_MATCH) {
		error_at(st, tpos(st, kw),
			 "this %s list is longer than %d bytes as text; split the "
			 "rule into several",
			 kw->text, PC_TEXT_MATCH - 1);
		return -1;
	}
	r->n_ranges = ranges_merge(r->ranges, r->n_ranges);
	r->match_text = strdup(text);
	return r->match_text ? 0 : -1;
}

static void rule_free(struct pc_rule *r)
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
		rule_free(r);
		return;
	}
	if (p->n_rules == ps->rules_cap) {
		size_t cap = ps->rules_cap ? 2 * ps->rules_cap : 32;
		struct pc_rule *nr = realloc(p->rules, cap * sizeof(*nr));

		if (!nr) {
			error_at(st, r->pos, "out of memory");
			rule_free(r);
			return;
		}
		p->rules = nr;
		ps->rules_cap = cap;
	}
	p->rules[p->n_rules++] = *r;
}

static void parse_rule(struct stmt *st)
{
	const struct pc_tok *act = next(st), *t;
	struct pc_diags *d = st->ps->d;
	size_t errors = d->n_errors, ctx_from;
	struct pc_rule r = { .pos = tpos(st, act), .zone = -1 };
	const char *want;
	char fnd[256], ctx[256];
	struct peer peer = { .kind = PC_PEER_ANY, .zone = -1, .text = "any" };
	bool in;

	r.action = !strcmp(act->text, "allow") ? PC_ACT_PASS : PC_ACT_DROP;
	t = peek(st);
	if (is_word(t, "in") || is_word(t, "out")) {
		next(st);
	} else if (is_word(t, "from") || is_word(t, "to")) {
		error_at(st, tpos(st, t),
			 "expected 'in' or 'out' before '%s': write '%s in from ...' "
			 "for traffic the peer starts, '%s out to ...' for traffic "
			 "the appliance starts",
			 t->text, act->text, act->text);
		return;
	} else {
		error_at(st, here(st), "expected 'in' or 'out' after '%s'%s", act->text,
			 found(t, fnd, sizeof(fnd)));
		return;
	}
	in = !strcmp(t->text, "in");
	r.dir = in ? PC_DIR_IN : PC_DIR_OUT;
	want = in ? "from" : "to";
	ctx_from = 0;
	t = peek(st);
	if (is_word(t, "from") || is_word(t, "to")) {
		ctx_from = st->i;
		next(st);
		if (strcmp(t->text, want))
			error_at(st, tpos(st, t),
				 "'%s' rules name their peer with '%s': write '%s %s "
				 "%s ...'",
				 in ? "in" : "out", want, act->text, in ? "in" : "out", want);
		t = next(st);
		if (!is_word(t, NULL)) {
			error_at(st, t ? tpos(st, t) : here(st),
				 "expected a peer (a zone, any, internet, an address or a "
				 "host name) after '%s'%s",
				 st->l->toks[ctx_from].text, found(t, fnd, sizeof(fnd)));
			return;
		}
		parse_peer(st, t, false, &peer);
		if (peek(st) && peek(st)->kind == PC_TOK_COMMA) {
			error_at(st, tpos(st, peek(st)),
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
	t = peek(st);
	if (is_word(t, "port") || is_word(t, "type")) {
		if (parse_matches(st, &r))
			goto out;
		t = peek(st);
	}
	if (t && t->kind == PC_TOK_STRING) {
		next(st);
		if (strlen(t->text) >= PC_TEXT_LABEL)
			error_at(st, tpos(st, t),
				 "the label is %zu bytes, at most %d fit; shorten it",
				 strlen(t->text), PC_TEXT_LABEL - 1);
		r.label = strdup(t->text);
		t = peek(st);
	}
	if (t) {
		if (t->kind == PC_TOK_WORD && isdigit((unsigned char)t->text[0]) && !r.match_text &&
		    (r.protos & (PC_P_TCP | PC_P_UDP)))
			error_at(st, tpos(st, t), "unexpected '%s'; write 'port %s'", t->text,
				 t->text);
		else if (t->kind == PC_TOK_WORD && !r.label)
			error_at(st, tpos(st, t),
				 "unexpected '%s'; a label goes last, in quotes: "
				 "\"%s\"",
				 t->text, t->text);
		else if (t->kind == PC_TOK_STRING)
			error_at(st, tpos(st, t),
				 "a rule has one label; join the two, or move this "
				 "one to a comment");
		else
			error_at(st, tpos(st, t),
				 "unexpected '%s' after %s; one statement per line", t->text,
				 r.label ? "the label" : "the rule");
		goto out;
	}
	if (peer.kind == PC_PEER_ADDRS && strlen(peer.text) >= PC_TEXT_PEER) {
		error_at(st, tpos(st, &st->l->toks[ctx_from + 1]),
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
	rule_free(&r);
}

/* --- set -------------------------------------------------------------------------------- */

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
		if (!strchr(w, '-') || parse_range(w, 65535, &rg) || !rg.lo)
			return -1;
		o->eph_lo = rg.lo;
		o->eph_hi = rg.hi;
		return 0;
	case OPT_TIMEOUT_TCP:
	case OPT_TIMEOUT_UDP:
	case OPT_TIMEOUT_ICMP:
		if (parse_uint(w, strlen(w), PC_TIMEOUT_MAX, &rate) || !rate)
			return -1;
		*(id == OPT_TIMEOUT_TCP	  ? &o->timeout_tcp
		  : id == OPT_TIMEOUT_UDP ? &o->timeout_udp
					  : &o->timeout_icmp) = (uint32_t)rate;
		return 0;
	case OPT_FLOWS:
		if (parse_uint(w, strlen(w), PC_FLOWS_MAX, &rate) || rate < PC_FLOWS_MIN)
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
		    parse_uint(w, (size_t)(slash - w), 1000000, &rate) || !rate)
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
	const struct pc_tok *t = next(st);
	char fnd[256];

	for (int i = 0; i < 3; i++)
		if (is_word(t, protos[i]))
			return OPT_TIMEOUT_TCP + i;
	error_at(st, t ? tpos(st, t) : here(st),
		 "expected tcp, udp or icmp after 'set timeout'%s (icmp covers ICMPv6 too)",
		 found(t, fnd, sizeof(fnd)));
	return -1;
}

/* The option after `set`: its id, or -1 after reporting what is wrong. */
static int option_id(struct stmt *st, const struct pc_tok *t)
{
	const char *names[N_OPTS];
	char dym[128], fnd[256];

	if (is_word(t, "timeout"))
		return timeout_option(st);
	for (int i = 0; i < N_OPTS; i++) {
		names[i] =
			i >= OPT_TIMEOUT_TCP && i <= OPT_TIMEOUT_ICMP ? "timeout" : options[i].name;
		if (is_word(t, names[i]))
			return i;
	}
	if (is_word(t, NULL))
		error_at(st, tpos(st, t), "unknown option '%s'%s (options: " OPTION_LIST ")",
			 t->text, did_you_mean(t->text, names, N_OPTS, dym, sizeof(dym)));
	else
		error_at(st, t ? tpos(st, t) : here(st),
			 "expected an option after 'set'%s (" OPTION_LIST ")",
			 found(t, fnd, sizeof(fnd)));
	return -1;
}

static void parse_set(struct stmt *st)
{
	struct pc_options *o = &st->ps->p->opt;
	const struct pc_tok *kw = next(st), *t = next(st), *val;
	char fnd[256], buf[256];
	const char *name;
	struct pc_pos *prev;
	int id = option_id(st, t);

	if (id < 0)
		return;
	name = options[id].name;
	val = next(st);
	if (!is_word(val, NULL)) {
		error_at(st, val ? tpos(st, val) : here(st),
			 "expected a value after 'set %s'%s: %s", name,
			 found(val, fnd, sizeof(fnd)), options[id].hint);
		return;
	}
	if (peek(st)) {
		error_at(st, tpos(st, peek(st)),
			 "unexpected '%s' after 'set %s %s'; one statement per line",
			 peek(st)->text, name, val->text);
		return;
	}
	if (option_value(id, val->text, o)) {
		error_at(st, tpos(st, val), "'%s' is not a value of 'set %s'; write %s", val->text,
			 name, options[id].hint);
		return;
	}
	prev = option_pos(o, id);
	if (prev->src >= 0)
		warning_at(st, tpos(st, kw),
			   "overrides `set %s` at %s; the last one wins, so delete "
			   "the one you do not mean",
			   name, where(st, *prev, buf, sizeof(buf)));
	*prev = tpos(st, kw);
}

/* --- include and files ------------------------------------------------------------------- */

static void parse_file(struct parser *ps, const char *path, struct pc_pos from);

static void parse_include(struct stmt *st)
{
	struct parser *ps = st->ps;
	const struct pc_tok *t;
	const char *dir = ps->stack[ps->depth - 1].dir;
	char fnd[256], *path;

	next(st);
	t = next(st);
	if (!t || t->kind == PC_TOK_COMMA || !t->text[0]) {
		error_at(st, t ? tpos(st, t) : here(st), "expected a file name after 'include'%s",
			 found(t, fnd, sizeof(fnd)));
		return;
	}
	if (peek(st)) {
		error_at(st, tpos(st, peek(st)),
			 "unexpected '%s' after the file name; quote a name that has "
			 "spaces: include \"my file.conf\"",
			 peek(st)->text);
		return;
	}
	if (ps->depth > MAX_INCLUDE_DEPTH) {
		error_at(st, tpos(st, t),
			 "includes nest more than %d deep; include some of these "
			 "files from a shallower one",
			 MAX_INCLUDE_DEPTH);
		return;
	}
	if (t->text[0] == '/' || !dir[0])
		path = strdup(t->text);
	else if (asprintf(&path, "%s/%s", dir, t->text) < 0)
		path = NULL;
	if (!path) {
		error_at(st, tpos(st, t), "out of memory");
		return;
	}
	parse_file(ps, path, tpos(st, t));
	free(path);
}

static void statement(struct stmt *st)
{
	const struct pc_tok *t = peek(st);
	static const char *const synonyms[][2] = {
		{ "accept", "allow" }, { "pass", "allow" }, { "permit", "allow" },
		{ "deny", "drop" },    { "block", "drop" }, { "reject", "drop" },
	};
	const char *mean = NULL;
	char dym[128];

	if (t->kind != PC_TOK_WORD) {
		error_at(st, tpos(st, t),
			 "expected a statement (allow, drop, zone, set or include), "
			 "found %s",
			 t->kind == PC_TOK_STRING ? "a label" : "','");
		return;
	}
	if (!strcmp(t->text, "allow") || !strcmp(t->text, "drop"))
		parse_rule(st);
	else if (!strcmp(t->text, "zone"))
		parse_zone(st);
	else if (!strcmp(t->text, "set"))
		parse_set(st);
	else if (!strcmp(t->text, "include"))
		parse_include(st);
	else {
		for (size_t i = 0; i < N_ELEMS(synonyms); i++)
			if (!strcasecmp(t->text, synonyms[i][0]))
				mean = synonyms[i][1];
		if (mean)
			snprintf(dym, sizeof(dym), "; did you mean '%s'?", mean);
		else
			did_you_mean(t->text, keywords, N_ELEMS(keywords), dym, sizeof(dym));
		error_at(st, tpos(st, t),
			 "unknown statement '%s'%s (a statement starts with allow, "
			 "drop, zone, set or include)",
			 t->text, dym);
	}
}

static void check_error_limit(struct parser *ps)
{
	if (ps->stopped || ps->d->n_errors - ps->errors_before < MAX_ERRORS)
		return;
	ps->stopped = true;
	pc_diag_add(ps->d, PC_ERROR, (struct pc_pos){ .src = -1 },
		    "too many errors, stopped after %d; fix these and run again", MAX_ERRORS);
}

static void parse_text(struct parser *ps, int src, const char *text, size_t len)
{
	struct pc_line l = { 0 };
	size_t off = 0;
	int line = 1;

	while (off < len && !ps->stopped) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (text + off)) : len - off;
		struct pc_pos at = { src, line, 1 };

		if (!pc_lex_line(ps->d, at, text + off, n, &l) && l.n) {
			struct stmt st = { ps, src, line, &l, 0 };

			statement(&st);
		}
		check_error_limit(ps);
		off += n + 1;
		line++;
	}
	pc_line_free(&l);
}

/* Reads a whole file of at most max bytes. Returns 0 or an errno; EFBIG when it is
 * larger. */
static int read_all(int fd, size_t max, char **text, size_t *len)
{
	size_t n = 0, cap = 0;
	char *buf = NULL;

	for (;;) {
		ssize_t r;

		if (n + 1 >= cap) {
			char *nb;

			cap = cap ? 2 * cap : 65536;
			if (cap > max + 2)
				cap = max + 2;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				return ENOMEM;
			}
			buf = nb;
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = errno;

			free(buf);
			return err;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			free(buf);
			return EFBIG;
		}
	}
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return 0;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return strdup("");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

/* Reports a file that cannot be parsed: at the include that names it, or without
 * a position for the profile itself. */
static void file_error(struct parser *ps, struct pc_pos from, const char *path, int err)
{
	const char *what = from.src < 0 ? "profile " : "";

	if (err == EFBIG && from.src >= 0)
		pc_diag_add(ps->d, PC_ERROR, from,
			    "cannot read '%s': the profile and its includes would be larger "
			    "than %u MiB together; is it a profile?",
			    path, MAX_FILE_SIZE >> 20);
	else if (err == EFBIG)
		pc_diag_add(ps->d, PC_ERROR, from,
			    "cannot read %s'%s': it is larger than %u MiB; is it "
			    "a profile?",
			    what, path, MAX_FILE_SIZE >> 20);
	else if (err == ENOENT && from.src >= 0 && path[0] != '/')
		pc_diag_add(ps->d, PC_ERROR, from,
			    "cannot read '%s': %s; the path is relative to the "
			    "including file's directory",
			    path, strerror(err));
	else
		pc_diag_add(ps->d, PC_ERROR, from, "cannot read %s'%s': %s", what, path,
			    strerror(err));
}

static const char *file_kind(mode_t mode)
{
	return S_ISDIR(mode)	? "a directory"
	       : S_ISFIFO(mode) ? "a FIFO"
	       : S_ISCHR(mode)	? "a character device"
	       : S_ISBLK(mode)	? "a block device"
	       : S_ISSOCK(mode) ? "a socket"
				: "not a regular file";
}

/* Only a regular file has an end that comes: reading a FIFO or a terminal waits for
 * a writer that may never come, and a device such as /dev/zero never ends. */
static bool not_regular(struct parser *ps, struct pc_pos from, const char *path,
			const struct stat *sb)
{
	if (S_ISREG(sb->st_mode))
		return false;
	pc_diag_add(ps->d, PC_ERROR, from,
		    "cannot read %s'%s': it is %s; a profile and the files it includes must be "
		    "regular files",
		    from.src < 0 ? "profile " : "", path, file_kind(sb->st_mode));
	return true;
}

static bool in_cycle(struct parser *ps, struct pc_pos from, const char *path, const struct stat *sb)
{
	char chain[1024];
	size_t n = 0;
	int i;

	for (i = 0; i < ps->depth; i++)
		if (ps->stack[i].has_id && ps->stack[i].dev == sb->st_dev &&
		    ps->stack[i].ino == sb->st_ino)
			break;
	if (i == ps->depth)
		return false;
	chain[0] = '\0';
	for (; i < ps->depth && n < sizeof(chain); i++)
		n += (size_t)snprintf(chain + n, sizeof(chain) - n, "%s -> ", ps->stack[i].path);
	if (n < sizeof(chain))
		snprintf(chain + n, sizeof(chain) - n, "%s", path);
	pc_diag_add(ps->d, PC_ERROR, from, "include cycle: %s; remove one of these includes",
		    chain);
	return true;
}

/* Reading a file twice would define its zones twice and repeat its rules (the
 * copies shadowed): say so at the include, not at the zones. */
static bool included_twice(struct parser *ps, struct pc_pos from, const char *path,
			   const struct stat *sb)
{
	struct included *f;
	char buf[256];

	for (size_t i = 0; i < ps->n_files; i++) {
		const struct included *o = &ps->files[i];

		if (o->dev != sb->st_dev || o->ino != sb->st_ino)
			continue;
		if (o->from.src < 0 || from.src < 0)
			snprintf(buf, sizeof(buf), "%s", "as the profile itself");
		else if (o->from.src == from.src)
			snprintf(buf, sizeof(buf), "at line %d", o->from.line);
		else
			snprintf(buf, sizeof(buf), "at %s:%d", ps->d->sources[o->from.src].path,
				 o->from.line);
		pc_diag_add(ps->d, PC_ERROR, from,
			    "'%s' is already included %s; include each file once", path, buf);
		return true;
	}
	f = realloc(ps->files, (ps->n_files + 1) * sizeof(*f));
	if (f) {
		ps->files = f;
		ps->files[ps->n_files++] = (struct included){ sb->st_dev, sb->st_ino, from };
	}
	return false;
}

static void parse_source(struct parser *ps, int src, const char *text, size_t len, char *dir,
			 const struct stat *sb)
{
	struct frame *f = &ps->stack[ps->depth++];

	*f = (struct frame){ .path = ps->d->sources[src].path, .dir = dir };
	if (sb) {
		f->has_id = true;
		f->dev = sb->st_dev;
		f->ino = sb->st_ino;
	}
	parse_text(ps, src, text, len);
	ps->depth--;
	free(dir);
}

static void parse_file(struct parser *ps, const char *path, struct pc_pos from)
{
	struct stat sb;
	size_t len = 0;
	char *text = NULL, *dir;
	int fd, err, src;

	/* O_NONBLOCK: opening a FIFO would otherwise wait for a writer before fstat
	 * could tell what it is. It changes nothing for a regular file. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		file_error(ps, from, path, errno);
		return;
	}
	if (fstat(fd, &sb)) {
		err = errno;
	} else if (not_regular(ps, from, path, &sb) || in_cycle(ps, from, path, &sb) ||
		   included_twice(ps, from, path, &sb)) {
		close(fd);
		return;
	} else {
		err = read_all(fd, MAX_FILE_SIZE - ps->bytes, &text, &len);
	}
	close(fd);
	if (err) {
		file_error(ps, from, path, err);
		return;
	}
	ps->bytes += len;
	dir = dir_of(path);
	src = pc_diags_add_source(ps->d, path, text);
	if (src < 0 || !dir) {
		pc_diag_add(ps->d, PC_ERROR, from, "out of memory reading '%s'", path);
		free(dir);
		return;
	}
	parse_source(ps, src, text, len, dir, &sb);
	/* The diagnostics print the text as a C string: NUL bytes, already
	 * reported, would cut it short. */
	for (size_t i = 0; i < len; i++)
		if (!text[i])
			text[i] = '?';
}

/* --- Entry points ------------------------------------------------------------------------ */

static void profile_init(struct pc_profile *p)
{
	const struct pc_pos none = { .src = -1 };

	memset(p, 0, sizeof(*p));
	p->opt = (struct pc_options){
		.state = true,
		.eph_lo = 1024,
		.eph_hi = 65535,
		.non_ip_pass = true,
		.fragments = PC_FRAG_TRACK,
		.log_rate = 100,
		.default_pass = false,
		.egress_enforce = false,
		.timeout_tcp = PC_TIMEOUT_TCP,
		.timeout_udp = PC_TIMEOUT_UDP,
		.timeout_icmp = PC_TIMEOUT_ICMP,
		.flows_max = PC_FLOWS_DEFAULT,
		.timeout_tcp_pos = none,
		.timeout_udp_pos = none,
		.timeout_icmp_pos = none,
		.flows_pos = none,
		.rules_pos = none,
		.state_pos = none,
		.eph_pos = none,
		.non_ip_pos = none,
		.fragments_pos = none,
		.log_pos = none,
		.default_pos = none,
		.egress_pos = none,
	};
}

/* An empty profile (or one of comments, or a byte order mark) would load and drop
 * every IP frame without a word: a truncated or wrong file must not do that. No rules
 * is accepted when the profile says so, and `set rules none` beside rules is a
 * contradiction. top is the profile's own source. */
static void check_rule_count(struct parser *ps, int top)
{
	const struct pc_profile *p = ps->p;
	char buf[256];

	if (ps->d->n_errors != ps->errors_before || top < 0)
		return;
	if (!p->n_rules && !p->opt.no_rules)
		pc_diag_add(ps->d, PC_ERROR, (struct pc_pos){ top, 1, 1 },
			    "the profile has no rules, so it would %s every IP frame; add rules, "
			    "or write `set rules none` if that is what you mean",
			    p->opt.default_pass ? "pass (`set default pass`)" : "drop");
	if (p->n_rules && p->opt.no_rules) {
		struct stmt st = { .ps = ps, .src = p->opt.rules_pos.src };

		pc_diag_add(ps->d, PC_ERROR, p->opt.rules_pos,
			    "`set rules none` says the profile has no rules, but it has %zu (the "
			    "first at %s); delete one or the other",
			    p->n_rules, where(&st, p->rules[0].pos, buf, sizeof(buf)));
	}
}

static int finish(struct parser *ps)
{
	for (size_t i = 0; i < ps->n_hosts; i++) {
		free(ps->hosts[i].name);
		free(ps->hosts[i].v);
	}
	free(ps->hosts);
	free(ps->files);
	return ps->d->n_errors ? -1 : 0;
}

int pc_profile_parse(const char *path, struct pc_profile *out, struct pc_diags *d)
{
	struct parser ps = { .d = d, .p = out, .errors_before = d->n_errors };

	int top = (int)d->n_sources;

	profile_init(out);
	parse_file(&ps, path, (struct pc_pos){ .src = -1 });
	check_rule_count(&ps, (size_t)top < d->n_sources ? top : -1);
	return finish(&ps);
}

int pc_profile_parse_string(const char *name, const char *text, struct pc_profile *out,
			    struct pc_diags *d)
{
	struct parser ps = { .d = d, .p = out, .errors_before = d->n_errors };
	char *copy = strdup(text), *dir = strdup("");
	int src;

	profile_init(out);
	src = copy ? pc_diags_add_source(d, name, copy) : -1;
	if (src < 0 || !dir) {
		pc_diag_add(d, PC_ERROR, (struct pc_pos){ .src = -1 }, "out of memory");
		free(dir);
		return finish(&ps);
	}
	parse_source(&ps, src, copy, strlen(copy), dir, NULL);
	check_rule_count(&ps, src);
	return finish(&ps);
}

void pc_profile_free(struct pc_profile *p)
{
	for (size_t i = 0; i < p->n_zones; i++) {
		free(p->zones[i].name);
		free(p->zones[i].prefixes);
	}
	for (size_t i = 0; i < p->n_rules; i++)
		rule_free(&p->rules[i]);
	free(p->zones);
	free(p->rules);
	memset(p, 0, sizeof(*p));
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Peers: addresses and prefixes, host names, zones by name. */
#include <arpa/inet.h>
#include <ctype.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "profile/hosts.h"
#include "profile/parser.h"
#include "profile/prefix.h"

/* --- Prefixes ------------------------------------------------------------------------ */

static int prefix_qsort_cmp(const void *a, const void *b)
{
	return pc_prefix_cmp(a, b);
}

/* Sorted, so that the same zone always compiles to the same tables. */
size_t ps_prefixes_dedupe(struct pc_prefix *v, size_t n)
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

int ps_prefixes_append(struct pc_prefix **v, size_t *n, const struct pc_prefix *add, size_t k)
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

static struct pc_pos tpos_at(const struct stmt *st, const struct pc_tok *t, size_t off)
{
	return (struct pc_pos){ st->src, st->line, t->col + (int)off };
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
		error_at(st, ps_tpos(st, t),
			 "'%s' is not a prefix; write ADDRESS/LENGTH, such as "
			 "10.0.0.0/8 or fc00::/7",
			 w);
		return -1;
	}
	memset(p, 0, sizeof(*p));
	if (alen >= sizeof(a) || (memcpy(a, w, alen), a[alen] = '\0',
				  inet_pton(v6 ? AF_INET6 : AF_INET, a, p->addr) != 1)) {
		error_at(st, ps_tpos(st, t),
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
		int err = ps_parse_uint(slash + 1, strlen(slash + 1), max, &len);

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
		error_at(st, ps_tpos(st, t), "%s has host bits set; did you mean %s?", w, fix);
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

/* The addresses getaddrinfo gives for h->name. -1: out of memory. */
static int lookup(struct pc_host *h)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL;
	int err = 0;

	h->gai_err = getaddrinfo(h->name, NULL, &hints, &res);
	for (struct addrinfo *ai = h->gai_err ? NULL : res; ai && !err; ai = ai->ai_next) {
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
		err = ps_prefixes_append(&h->v, &h->n, &p, 1);
	}
	if (res)
		freeaddrinfo(res);
	h->n = ps_prefixes_dedupe(h->v, h->n);
	return err;
}

/* A name that resolved before and resolves to nothing now keeps what it had: a DNS
 * outage must not empty a zone of a running filter. -1: out of memory. */
static int keep_last(const struct parser *ps, struct pc_host *h)
{
	const struct pc_host *last = ps->last ? pc_hosts_find(ps->last, h->name) : NULL;

	if (h->n || !last || !last->n)
		return 0;
	if (ps_prefixes_append(&h->v, &h->n, last->v, last->n))
		return -1;
	h->kept = true;
	return 0;
}

/* All A and AAAA records of name, looked up once per parse. NULL: out of memory. */
static const struct pc_host *resolve(struct parser *ps, const char *name)
{
	const struct pc_host *found = pc_hosts_find(&ps->hosts, name);
	struct pc_host *h;

	if (found)
		return found;
	h = realloc(ps->hosts.v, (ps->hosts.n + 1) * sizeof(*h));
	if (!h)
		return NULL;
	ps->hosts.v = h;
	h = &h[ps->hosts.n];
	*h = (struct pc_host){ .name = strdup(name) };
	if (!h->name)
		return NULL;
	ps->hosts.n++;
	if (lookup(h) || keep_last(ps, h))
		return NULL;
	return h;
}

/* --- Peers ---------------------------------------------------------------------------- */

int ps_find_zone(const struct pc_profile *p, const char *name)
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
		ps_did_you_mean(t->text, cands, n, dym, sizeof(dym));
		free(cands);
	}
	error_at(st, ps_tpos(st, t),
		 "unknown zone '%s'%s (zones must be defined before they are used; "
		 "a host name needs its domain)",
		 t->text, dym);
}

/* Reads the peer t into out. In a zone's definition (in_zone), `any` and
 * `internet` cannot stand, and a zone stands for its prefixes. Returns 0, or -1
 * after an error. */
int ps_parse_peer(struct stmt *st, const struct pc_tok *t, bool in_zone, struct peer *out)
{
	struct pc_profile *p = st->ps->p;
	const struct pc_host *h;
	struct pc_prefix pfx;
	int r, z;

	*out = (struct peer){ .zone = -1 };
	if (ps_is_word(t, "any") || ps_is_word(t, "internet")) {
		if (in_zone && t->text[0] == 'a') {
			error_at(st, ps_tpos(st, t),
				 "'any' cannot be part of a zone; write 0.0.0.0/0, ::/0 for every "
				 "address");
			return -1;
		}
		if (in_zone) {
			error_at(st, ps_tpos(st, t),
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
		if (ps_prefixes_append(&out->v, &out->n, &pfx, 1))
			goto oom;
		return 0;
	}
	z = ps_find_zone(p, t->text);
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
		error_at(st, ps_tpos(st, t),
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
		warning_at(st, ps_tpos(st, t), "unresolved-host",
			   "host name '%s' resolves to no address (%s); it matches "
			   "nothing: check the name, or write its addresses",
			   t->text, h->gai_err ? gai_strerror(h->gai_err) : "no A or AAAA record");
		return 0;
	}
	if (ps_prefixes_append(&out->v, &out->n, h->v, h->n))
		goto oom;
	return 0;
oom:
	error_at(st, ps_tpos(st, t), "out of memory");
	free(out->v);
	out->v = NULL;
	return -1;
}

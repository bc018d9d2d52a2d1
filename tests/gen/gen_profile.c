// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Random profiles for the differential test, written as text so that the real parser
 * reads them: what a careless or inventive operator might write, within the grammar. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/gen.h"

#define MAX_POOL 64
#define MAX_ZONES 6
#define MAX_RULES 30
/* Every fourth variant is a large profile: many zones and rules, deep tries. */
#define LARGE_ZONES 40
#define LARGE_RULES 400

struct out {
	char *buf;
	size_t len, n;
};

static void emit(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void emit(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(o->buf + o->n, o->len - o->n, fmt, ap);
	va_end(ap);
	/* A profile cut short would not parse: that is a bug here, not a finding. */
	if (k < 0 || (size_t)k >= o->len - o->n) {
		fprintf(stderr, "gen_profile: a buffer of %zu bytes is too small\n", o->len);
		abort();
	}
	o->n += (size_t)k;
}

struct pool {
	struct pc_prefix v[MAX_POOL];
	int n;
	uint16_t ports[12];
	int n_ports;
};

/* Zero the bits beyond len. */
static void mask(struct pc_prefix *p)
{
	unsigned bytes = p->family == 4 ? 4 : 16;

	for (unsigned i = 0; i < bytes; i++) {
		unsigned lo = i * 8;

		if (p->len <= lo)
			p->addr[i] = 0;
		else if (p->len < lo + 8)
			p->addr[i] &= (uint8_t)(0xff00 >> (p->len - lo));
	}
}

static unsigned random_len(struct rng *r, int family)
{
	static const uint8_t v4[] = { 8, 12, 16, 20, 24, 28, 32, 32 };
	static const uint8_t v6[] = { 16, 32, 48, 56, 64, 96, 120, 128 };

	if (rng_pct(r, 20))
		return rng_below(r, family == 4 ? 33 : 129);
	return family == 4 ? v4[rng_below(r, 8)] : v6[rng_below(r, 8)];
}

static void random_prefix(struct rng *r, struct pc_prefix *p)
{
	memset(p, 0, sizeof(*p));
	p->family = rng_pct(r, 60) ? 4 : 6;
	for (int i = 0; i < 16; i++)
		p->addr[i] = (uint8_t)rng_next(r);
	if (p->family == 4) {
		memset(p->addr + 4, 0, 12);
		/* Most of them in a few /8s, so that zones and rules meet. */
		if (rng_pct(r, 70))
			p->addr[0] = (uint8_t)(10 + rng_below(r, 3));
	} else if (rng_pct(r, 5)) {
		/* IPv4-mapped: an IPv6 prefix all the same. */
		memset(p->addr, 0, 10);
		p->addr[10] = p->addr[11] = 0xff;
		p->addr[12] = (uint8_t)(10 + rng_below(r, 3));
		p->len = (uint8_t)rng_range(r, 96, 128);
		mask(p);
		return;
	} else if (rng_pct(r, 70)) {
		p->addr[0] = 0x20;
		p->addr[1] = 0x01;
		p->addr[2] = 0x0d;
		p->addr[3] = 0xb8;
		p->addr[4] = (uint8_t)rng_below(r, 3);
	}
	p->len = (uint8_t)random_len(r, p->family);
	mask(p);
}

/* A prefix inside or around one of the pool: nested and overlapping zones. */
static void related_prefix(struct rng *r, const struct pool *pl, struct pc_prefix *p)
{
	unsigned max;

	*p = pl->v[rng_below(r, (uint32_t)pl->n)];
	max = p->family == 4 ? 32 : 128;
	if (rng_pct(r, 60) && p->len < max) {
		unsigned len = rng_range(r, p->len + 1, max);

		for (unsigned b = p->len; b < len; b++)
			if (rng_pct(r, 50))
				p->addr[b / 8] |= (uint8_t)(0x80 >> (b % 8));
		p->len = (uint8_t)len;
	} else if (p->len) {
		p->len = (uint8_t)rng_below(r, p->len);
	}
	mask(p);
}

static void pick_prefix(struct rng *r, struct pool *pl, struct pc_prefix *p)
{
	if (pl->n && rng_pct(r, 50))
		related_prefix(r, pl, p);
	else
		random_prefix(r, p);
	if (pl->n < MAX_POOL)
		pl->v[pl->n++] = *p;
}

static void emit_prefix(struct out *o, const struct pc_prefix *p)
{
	char a[INET6_ADDRSTRLEN];
	unsigned max = p->family == 4 ? 32 : 128;

	inet_ntop(p->family == 4 ? AF_INET : AF_INET6, p->addr, a, sizeof(a));
	if (p->len == max)
		emit(o, "%s", a);
	else
		emit(o, "%s/%u", a, p->len);
}

static void emit_peer(struct rng *r, struct out *o, struct pool *pl, int n_zones)
{
	struct pc_prefix p;

	if (n_zones && rng_pct(r, 25)) {
		emit(o, "z%u", rng_below(r, (uint32_t)n_zones));
	} else if (rng_pct(r, 3)) {
		emit(o, "localhost");
	} else {
		pick_prefix(r, pl, &p);
		emit_prefix(o, &p);
	}
}

static void emit_zone(struct rng *r, struct out *o, struct pool *pl, int id)
{
	unsigned n = rng_range(r, 1, 4);

	emit(o, "zone z%d ", id);
	for (unsigned i = 0; i < n; i++) {
		if (i)
			emit(o, rng_pct(r, 50) ? ", " : ",");
		emit_peer(r, o, pl, id);
	}
	emit(o, "\n");
}

/* The other end of a range from a: mostly a few away, now and then anywhere. */
static unsigned narrow(struct rng *r, unsigned a, unsigned max)
{
	unsigned d = rng_pct(r, 80) ? rng_below(r, 40) : rng_below(r, max + 1);
	long b = rng_pct(r, 50) ? (long)a + d : (long)a - d;

	return b < 0 ? 0 : b > (long)max ? max : (unsigned)b;
}

static uint16_t pick_port(struct rng *r, const struct pool *pl)
{
	if (rng_pct(r, 75))
		return pl->ports[rng_below(r, (uint32_t)pl->n_ports)];
	return (uint16_t)rng_next(r);
}

static void emit_ports(struct rng *r, struct out *o, const struct pool *pl, const char *proto)
{
	unsigned n = rng_range(r, 1, 4);

	emit(o, " port ");
	for (unsigned i = 0; i < n; i++) {
		uint16_t a = pick_port(r, pl), b;

		if (i)
			emit(o, ",");
		if (rng_pct(r, 5) && !strcmp(proto, "tcp"))
			emit(o, "%s", rng_pct(r, 50) ? "smtp" : "ssh");
		else if (rng_pct(r, 5) && strchr(proto, ','))
			emit(o, "domain");
		else if (rng_pct(r, 60))
			emit(o, "%u", a);
		else if ((b = narrow(r, a, 65535)) >= a)
			emit(o, "%u-%u", a, b);
		else
			emit(o, "%u-%u", b, a);
	}
}

static void emit_types(struct rng *r, struct out *o, bool v6)
{
	static const uint8_t t4[] = { 0, 3, 4, 5, 8, 11, 12, 13 };
	static const uint8_t t6[] = { 1, 2, 3, 4, 128, 129, 133, 135, 137 };
	unsigned n = rng_range(r, 1, 3);

	emit(o, " type ");
	for (unsigned i = 0; i < n; i++) {
		unsigned a = v6 ? t6[rng_below(r, sizeof(t6))] : t4[rng_below(r, sizeof(t4))];
		unsigned b = rng_pct(r, 60) ? a : narrow(r, a, 255);

		if (i)
			emit(o, ",");
		if (rng_pct(r, 10))
			emit(o, "%s", rng_pct(r, 50) ? "echo-request" : "destination-unreachable");
		else if (a == b)
			emit(o, "%u", a);
		else
			emit(o, "%u-%u", a < b ? a : b, a < b ? b : a);
	}
}

static void emit_rule(struct rng *r, struct out *o, struct pool *pl, int n_zones, int id)
{
	static const char *const protos[] = { "tcp",  "tcp",	 "tcp",	     "udp",
					      "udp",  "tcp,udp", "udp, tcp", "icmp",
					      "icmp", "icmp6",	 "icmp6" };
	bool in = rng_pct(r, 60);
	const char *proto = protos[rng_below(r, sizeof(protos) / sizeof(protos[0]))];

	emit(o, "%s %s", rng_pct(r, 30) ? "drop" : "allow", in ? "in" : "out");
	if (rng_pct(r, 80)) {
		emit(o, " %s ", in ? "from" : "to");
		if (rng_pct(r, 25))
			emit(o, "internet");
		else if (rng_pct(r, 5))
			emit(o, "any");
		else
			emit_peer(r, o, pl, n_zones);
	}
	emit(o, " %s", proto);
	if (!strncmp(proto, "icmp", 4)) {
		if (rng_pct(r, 90))
			emit_types(r, o, proto[4] == '6');
	} else if (rng_pct(r, 92)) {
		emit_ports(r, o, pl, proto);
	}
	if (rng_pct(r, 30))
		emit(o, " \"rule %d\"", id);
	emit(o, "\n");
}

/* `set` option number i (of N_OPTIONS), with a random value. */
#define N_OPTIONS 5

static void emit_option(struct rng *r, struct out *o, unsigned i)
{
	unsigned lo = rng_pct(r, 50) ? 1024 : rng_range(r, 1, 65535);
	unsigned hi = rng_pct(r, 50) ? 65535 : rng_range(r, lo, 65535);

	switch (i) {
	case 0:
		emit(o, "set ephemeral %u-%u\n", lo, hi);
		break;
	case 1:
		emit(o, "set non-ip %s\n", rng_pct(r, 50) ? "pass" : "drop");
		break;
	case 2:
		emit(o, "set fragments %s\n",
		     rng_pct(r, 34)   ? "track"
		     : rng_pct(r, 50) ? "pass"
				      : "drop");
		break;
	case 3:
		emit(o, "set default %s\n", rng_pct(r, 50) ? "drop" : "pass");
		break;
	default:
		if (rng_pct(r, 50))
			emit(o, "set log off\n");
		else
			emit(o, "set log %u/s\n", rng_range(r, 1, 1000));
		break;
	}
}

static void init_ports(struct rng *r, struct pool *pl)
{
	static const uint16_t common[] = { 22, 25, 53, 80, 123, 443, 1023, 1024 };

	pl->n_ports = 0;
	for (size_t i = 0; i < sizeof(common) / sizeof(common[0]); i++)
		pl->ports[pl->n_ports++] = common[i];
	while (pl->n_ports < 12)
		pl->ports[pl->n_ports++] = (uint16_t)rng_next(r);
}

/* non-ip, fragments and default in turn: six consecutive variants hold every value
 * of each, written or left to the default. */
static void emit_variant(struct rng *r, struct out *o, unsigned variant)
{
	static const char *const frags[] = { "track", "pass", "drop" };

	if (variant % 3 || rng_pct(r, 50))
		emit(o, "set fragments %s\n", frags[variant % 3]);
	if (variant % 2 || rng_pct(r, 50))
		emit(o, "set default %s\n", variant % 2 ? "pass" : "drop");
	if ((variant / 2) % 2 || rng_pct(r, 50))
		emit(o, "set non-ip %s\n", (variant / 2) % 2 ? "drop" : "pass");
}

void gen_profile(struct rng *r, bool state_on, unsigned variant, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };
	struct pool pl = { .n = 0 };
	bool large = variant % 4 == 3;
	unsigned n_zones = rng_below(r, (large ? LARGE_ZONES : MAX_ZONES) + 1);
	unsigned n_rules = rng_range(r, 1, large ? LARGE_RULES : MAX_RULES);
	unsigned state_at = rng_below(r, n_rules + 1), opt_at[N_OPTIONS];

	/* Each option set with even odds, anywhere among the rules (or twice: a
	 * warning, and the last one wins). */
	for (unsigned i = 0; i < N_OPTIONS; i++)
		opt_at[i] = rng_pct(r, 45) ? rng_below(r, n_rules + 1) : ~0u;
	opt_at[1] = opt_at[2] = opt_at[3] = ~0u; /* the variant's, below */
	buf[0] = '\0';
	init_ports(r, &pl);
	emit(&o, "# random profile\n");
	for (unsigned z = 0; z < n_zones; z++)
		emit_zone(r, &o, &pl, (int)z);
	for (unsigned k = 0; k <= n_rules; k++) {
		if (k == state_at && !state_on)
			emit(&o, "set state off\n");
		if (k == state_at)
			emit_variant(r, &o, variant);
		for (unsigned i = 0; i < N_OPTIONS; i++) {
			if (opt_at[i] == k)
				emit_option(r, &o, i);
			if (opt_at[i] == k && rng_pct(r, 5))
				emit_option(r, &o, i);
		}
		if (k < n_rules)
			emit_rule(r, &o, &pl, (int)n_zones, (int)k);
	}
}

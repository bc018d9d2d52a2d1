// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Address sets as merged intervals: built from prefixes, compared, and turned back
 * into prefixes for a message. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile/addr_set.h"
#include "profile/prefix.h"

static unsigned width(unsigned family)
{
	return family == 4 ? 32 : 128;
}

/* The n lowest bits set; n may be the whole 128. */
static pc_u128 low_bits(unsigned n)
{
	return n >= 128 ? ~(pc_u128)0 : ((pc_u128)1 << n) - 1;
}

static pc_u128 family_max(unsigned family)
{
	return low_bits(width(family));
}

static struct pc_span prefix_span(const struct pc_prefix *p)
{
	unsigned bytes = p->family == 4 ? 4 : 16;
	struct pc_span s = { .family = p->family };

	for (unsigned i = 0; i < bytes; i++)
		s.lo = (s.lo << 8) | p->addr[i];
	s.hi = s.lo | low_bits(width(p->family) - p->len);
	return s;
}

static int span_cmp(const void *x, const void *y)
{
	const struct pc_span *a = x, *b = y;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	return 0;
}

int pc_addr_set_build(struct pc_addr_set *s, const struct pc_prefix *v, size_t n)
{
	size_t k = 0;

	*s = (struct pc_addr_set){ 0 };
	if (!n)
		return 0;
	s->v = malloc(n * sizeof(*s->v));
	if (!s->v)
		return -1;
	for (size_t i = 0; i < n; i++)
		s->v[i] = prefix_span(&v[i]);
	qsort(s->v, n, sizeof(*s->v), span_cmp);
	/* Merge what overlaps or touches, so that a span held by the set lies inside one
	 * of its spans. */
	for (size_t i = 1; i < n; i++) {
		struct pc_span *last = &s->v[k];

		if (s->v[i].family == last->family &&
		    (last->hi == family_max(last->family) || s->v[i].lo <= last->hi + 1)) {
			if (s->v[i].hi > last->hi)
				last->hi = s->v[i].hi;
		} else {
			s->v[++k] = s->v[i];
		}
	}
	s->n = k + 1;
	return 0;
}

void pc_addr_set_free(struct pc_addr_set *s)
{
	free(s->v);
	*s = (struct pc_addr_set){ 0 };
}

static unsigned fam_bit(unsigned family)
{
	return family == 4 ? PC_FAM4 : PC_FAM6;
}

unsigned pc_addr_set_families(const struct pc_addr_set *s)
{
	unsigned f = 0;

	for (size_t i = 0; i < s->n; i++)
		f |= fam_bit(s->v[i].family);
	return f;
}

unsigned pc_addr_set_full(const struct pc_addr_set *s)
{
	unsigned f = 0;

	for (size_t i = 0; i < s->n; i++)
		if (!s->v[i].lo && s->v[i].hi == family_max(s->v[i].family))
			f |= fam_bit(s->v[i].family);
	return f;
}

/* a ends before b starts: in the order of span_cmp, with no address in common. */
static bool before(const struct pc_span *a, const struct pc_span *b)
{
	return a->family != b->family ? a->family < b->family : a->hi < b->lo;
}

/* Calls fn on each span that a and b share, in order, until it returns false. */
static void for_each_shared(const struct pc_addr_set *a, const struct pc_addr_set *b,
			    bool (*fn)(const struct pc_span *s, void *arg), void *arg)
{
	size_t i = 0, j = 0;

	while (i < a->n && j < b->n) {
		const struct pc_span *x = &a->v[i], *y = &b->v[j];
		struct pc_span s = { x->family, x->lo > y->lo ? x->lo : y->lo,
				     x->hi < y->hi ? x->hi : y->hi };

		if (before(x, y)) {
			i++;
			continue;
		}
		if (before(y, x)) {
			j++;
			continue;
		}
		if (!fn(&s, arg))
			return;
		/* The one that ends first can share nothing more. */
		if (x->hi < y->hi)
			i++;
		else
			j++;
	}
}

static bool stop_at_first(const struct pc_span *s, void *arg)
{
	(void)s;
	*(bool *)arg = true;
	return false;
}

bool pc_addr_set_meet(const struct pc_addr_set *a, const struct pc_addr_set *b)
{
	bool met = false;

	for_each_shared(a, b, stop_at_first, &met);
	return met;
}

bool pc_addr_set_holds(const struct pc_addr_set *out, const struct pc_addr_set *in)
{
	size_t j = 0;

	/* out's spans neither overlap nor touch, so one of in's is held only inside one
	 * of out's. */
	for (size_t i = 0; i < in->n; i++) {
		const struct pc_span *x = &in->v[i];

		while (j < out->n && before(&out->v[j], x))
			j++;
		if (j == out->n || out->v[j].family != x->family || out->v[j].lo > x->lo ||
		    out->v[j].hi < x->hi)
			return false;
	}
	return true;
}

/* The largest prefix that starts at lo and ends at or before hi: its host bits. */
static unsigned block_bits(pc_u128 lo, pc_u128 hi, unsigned w)
{
	unsigned k = 0;

	while (k < w) {
		pc_u128 m = low_bits(k + 1);

		if ((lo & m) || (lo | m) > hi)
			break;
		k++;
	}
	return k;
}

static struct pc_prefix span_prefix(unsigned family, pc_u128 lo, unsigned host_bits)
{
	unsigned bytes = family == 4 ? 4 : 16;
	struct pc_prefix p = { .family = (uint8_t)family,
			       .len = (uint8_t)(width(family) - host_bits) };

	for (unsigned i = bytes; i-- > 0; lo >>= 8)
		p.addr[i] = (uint8_t)lo;
	return p;
}

struct shared_text {
	char *buf;
	size_t len, used;
	unsigned left; /* prefixes still to write */
};

static void put(struct shared_text *t, const char *s)
{
	int n;

	if (t->used >= t->len)
		return;
	n = snprintf(t->buf + t->used, t->len - t->used, "%s", s);
	t->used += n > 0 ? (size_t)n : 0;
}

static bool write_span(const struct pc_span *s, void *arg)
{
	struct shared_text *t = arg;
	unsigned w = width(s->family);
	pc_u128 lo = s->lo;
	char p[INET6_ADDRSTRLEN + 8];

	for (;;) {
		unsigned k = block_bits(lo, s->hi, w);
		struct pc_prefix pfx = span_prefix(s->family, lo, k);

		if (!t->left) {
			put(t, ", ...");
			return false;
		}
		put(t, t->used ? ", " : "");
		put(t, pc_prefix_text(&pfx, p, sizeof(p)));
		t->left--;
		if ((lo | low_bits(k)) >= s->hi)
			return true;
		lo = (lo | low_bits(k)) + 1;
	}
}

void pc_addr_set_shared_text(const struct pc_addr_set *a, const struct pc_addr_set *b, unsigned max,
			     char *buf, size_t len)
{
	struct shared_text t = { buf, len, 0, max };

	if (len)
		buf[0] = '\0';
	for_each_shared(a, b, write_span, &t);
}

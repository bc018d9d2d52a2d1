// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The profile limits without root: the largest profile the parser and compiler
 * accept, one zone too many, and tables that would overflow their maps. (The rules,
 * include depth and file size limits are in test_profile.c; loading the largest
 * profile into the kernel is in tests/e2e/test_limits.sh.) */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile/compile.h"
#include "harness.h"
#include "profile/profile.h"

#define MAX_ZONES 4096 /* user/profile/zone.c; docs/profile.md "Limits" */

struct text {
	char *s;
	size_t n, cap;
};

static void add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int k;

	for (;;) {
		va_start(ap, fmt);
		k = vsnprintf(t->s + t->n, t->cap - t->n, fmt, ap);
		va_end(ap);
		if (k >= 0 && (size_t)k < t->cap - t->n)
			break;
		t->cap = t->cap ? 2 * t->cap : 1 << 20;
		t->s = realloc(t->s, t->cap);
		if (!t->s)
			abort();
	}
	t->n += (size_t)k;
}

/* zones zones of an IPv4 and an IPv6 prefix each, and rules rules, each from one
 * of them to a port of its own. */
static char *largest(unsigned zones, unsigned rules)
{
	struct text t = { 0 };

	add(&t, "set state off\n");
	for (unsigned z = 0; z < zones; z++)
		add(&t, "zone z%u 10.%u.%u.0/24, fd00:%x::/32\n", z, z / 256, z % 256, z);
	for (unsigned i = 0; i < rules; i++)
		add(&t, "allow in from z%u tcp port %u\n", i % zones, 1 + i);
	return t.s;
}

struct result {
	struct pc_profile p;
	struct pc_diags d;
	struct pc_image img;
	int err;
};

static void build(struct result *r, const char *text)
{
	memset(r, 0, sizeof(*r));
	r->err = pc_profile_parse_string("t.conf", text, &r->p, &r->d);
	if (!r->err)
		r->err = pc_compile(&r->p, &r->img, &r->d);
}

static void release(struct result *r)
{
	pc_image_free(&r->img);
	pc_profile_free(&r->p);
	pc_diags_free(&r->d);
}

static const char *message(const struct result *r, size_t i)
{
	static char buf[1024];

	if (i >= r->d.n_items)
		return "(none)";
	pc_diag_format(&r->d, &r->d.items[i], buf, sizeof(buf));
	return buf;
}

TEST(largest_profile_compiles)
{
	char *text = largest(MAX_ZONES, PC_MAX_RULES);
	struct result r;

	build(&r, text);
	EXPECT_EQ(r.err, 0);
	EXPECT_EQ(r.d.n_items, 0);
	EXPECT_EQ(r.p.n_zones, MAX_ZONES);
	EXPECT_EQ(r.img.n_rules, PC_MAX_RULES);
	EXPECT_EQ(r.img.n_classes, MAX_ZONES + 1);
	/* The last rule's slot, from its zone's class. */
	EXPECT_EQ(pc_image_verdict(&r.img, pc_image_class(&r.img, 4, (uint8_t[]){ 10, 15, 253, 1 }),
				   PC_TBL_TCP_IN, PC_MAX_RULES),
		  PC_VERDICT_PASS | PC_MAX_RULES);
	release(&r);
	free(text);
}

TEST(one_zone_too_many)
{
	char *text = largest(MAX_ZONES + 1, 1);
	struct result r;

	build(&r, text);
	EXPECT_EQ(r.err, -1);
	EXPECT_EQ(r.d.n_errors, 1);
	EXPECT_STR(message(&r, 0),
		   "t.conf:4098:6: error: more than 4096 zones; merge some of them");
	release(&r);
	free(text);
}

/* n host addresses, each listed by a pair of zones of its own: n owner sets, so n + 1
 * address classes (class 0 is "in no prefix"). */
static char *classes(unsigned n)
{
	struct text t = { 0 };
	unsigned zones = 400, a = 0, b = 1;
	char **z = calloc(zones, sizeof(*z));
	size_t *len = calloc(zones, sizeof(*len));

	if (!z || !len)
		abort();
	for (unsigned j = 0; j < n; j++) {
		unsigned pair[2] = { a, b };

		for (int k = 0; k < 2; k++) {
			z[pair[k]] = realloc(z[pair[k]], len[pair[k]] + 24);
			if (!z[pair[k]])
				abort();
			len[pair[k]] += (size_t)sprintf(z[pair[k]] + len[pair[k]], "%s10.%u.%u.%u",
							len[pair[k]] ? ", " : "", j >> 16,
							(j >> 8) & 255, j & 255);
		}
		if (++b == zones)
			b = ++a + 1;
	}
	add(&t, "set state off\n");
	for (unsigned i = 0; i < zones; i++)
		add(&t, "zone z%u %s\n", i, z[i] ? z[i] : "192.0.2.1");
	add(&t, "allow in from z1 tcp port 25\n");
	for (unsigned i = 0; i < zones; i++)
		free(z[i]);
	free(z);
	free(len);
	return t.s;
}

/* At the limit the dirs map alone is 512 MiB: tests/e2e/test_limits.sh loads that
 * one; here, a thousand classes show that the profile makes as many as it says. */
TEST(address_classes_past_the_limit)
{
	char *text = classes(1000);
	struct result r;

	build(&r, text);
	EXPECT_EQ(r.err, 0);
	EXPECT_EQ(r.img.n_classes, 1001);
	release(&r);
	free(text);
	text = classes(PC_MAX_CLASSES + 1);
	build(&r, text);
	EXPECT_EQ(r.err, -1);
	EXPECT_TRUE(strstr(message(&r, 0), "needs more than the program's tables hold: more "
					   "than 65536 address classes (so far 65538 address "
					   "classes") != NULL);
	EXPECT_TRUE(strstr(message(&r, 0), "merge zones") != NULL);
	release(&r);
	free(text);
}

/* Every 256-slot page of the port tables distinct (1200 classes x 17 rules x 15
 * pages): more than PC_MAX_PAGES, so the pages map would overflow. */
TEST(port_tables_overflow)
{
	struct text t = { 0 };
	struct result r;

	add(&t, "set state off\n");
	for (unsigned z = 0; z < 1200; z++)
		add(&t, "zone z%u 10.%u.%u.0/24\n", z, z / 256, z % 256);
	for (unsigned j = 0; j < 17; j++) {
		for (unsigned z = 0; z < 1200; z++) {
			add(&t, "allow in from z%u tcp port %u", z, 257 * j * 15);
			for (unsigned k = j * 15 + 1; k < j * 15 + 15; k++)
				add(&t, ",%u", 257 * k);
			add(&t, "\n");
		}
	}
	build(&r, t.s);
	EXPECT_EQ(r.err, -1);
	EXPECT_EQ(r.d.n_errors, 1);
	EXPECT_TRUE(strstr(message(&r, 0), "error: the profile needs more than the program's "
					   "tables hold") != NULL);
	EXPECT_TRUE(strstr(message(&r, 0), "more than 262144 pages") != NULL);
	EXPECT_TRUE(strstr(message(&r, 0), ":1:1: error: ") != NULL);
	EXPECT_TRUE(strstr(message(&r, 0), "merge port ranges") != NULL);
	release(&r);
	free(t.s);
}

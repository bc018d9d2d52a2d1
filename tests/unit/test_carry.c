// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Which counter each rule of a reloaded profile continues: the first unused old rule
 * of the same text, found fast enough for two profiles of 32,766 rules. */
#include <stdlib.h>
#include <time.h>

#include "harness.h"
#include "kern/carry.h"

/* The rule behind v: few distinct texts, so that many rules share one. */
static void rule_of(unsigned v, struct pc_rule_info *r)
{
	static const char *const protos[] = { "tcp", "udp", "icmp" };

	memset(r, 0, sizeof(*r));
	r->action = v & 1 ? PC_ACT_PASS : PC_ACT_DROP;
	r->direction = v & 2 ? PC_DIR_IN : PC_DIR_OUT;
	snprintf(r->proto, sizeof(r->proto), "%s", protos[(v >> 2) % 3]);
	snprintf(r->peer, sizeof(r->peer), "z%u", (v >> 4) % 5);
	snprintf(r->match, sizeof(r->match), "port %u", (v >> 7) % 7);
	snprintf(r->label, sizeof(r->label), "%s", (v >> 10) & 1 ? "x" : "");
}

/* Old totals of n rules drawn from values below span. */
static void old_totals(struct pc_totals *t, uint32_t n, unsigned span, unsigned *seed)
{
	t->n = PC_CNT_IMPLICIT + n;
	t->count = calloc(t->n, sizeof(*t->count));
	t->info = calloc(t->n, sizeof(*t->info));
	for (uint32_t k = PC_CNT_IMPLICIT; k < t->n; k++)
		rule_of((unsigned)rand_r(seed) % span, &t->info[k]);
}

static bool same(const struct pc_rule_info *a, const struct pc_rule_info *b)
{
	return a->action == b->action && a->direction == b->direction &&
	       !strcmp(a->proto, b->proto) && !strcmp(a->peer, b->peer) &&
	       !strcmp(a->match, b->match) && !strcmp(a->label, b->label);
}

/* The definition, as plainly as it can be written: quadratic. */
static void reference(const struct pc_totals *from, const struct pc_rule_info *info, uint32_t n,
		      int32_t *map)
{
	bool *used = calloc(from->n + 1, sizeof(*used));

	for (uint32_t k = 0; k < PC_CNT_IMPLICIT + n; k++) {
		map[k] = k < PC_CNT_IMPLICIT ? (int32_t)k : -1;
		for (uint32_t f = PC_CNT_IMPLICIT; k >= PC_CNT_IMPLICIT && f < from->n; f++)
			if (!used[f] && same(&from->info[f], &info[k - PC_CNT_IMPLICIT])) {
				used[f] = true;
				map[k] = (int32_t)f;
				break;
			}
	}
	free(used);
}

TEST(matches_the_definition)
{
	unsigned seed = 11;

	for (int round = 0; round < 200; round++) {
		uint32_t n_old = (uint32_t)rand_r(&seed) % 300,
			 n_new = (uint32_t)rand_r(&seed) % 300;
		unsigned span = 1 + (unsigned)rand_r(&seed) % 2048;
		struct pc_rule_info *info = calloc(n_new + 1, sizeof(*info));
		int32_t *got = calloc(PC_CNT_IMPLICIT + n_new, sizeof(*got));
		int32_t *want = calloc(PC_CNT_IMPLICIT + n_new, sizeof(*want));
		struct pc_totals t;

		old_totals(&t, n_old, span, &seed);
		for (uint32_t r = 0; r < n_new; r++)
			rule_of((unsigned)rand_r(&seed) % span, &info[r]);
		pc_carry_match(&t, info, n_new, got);
		reference(&t, info, n_new, want);
		for (uint32_t k = 0; k < PC_CNT_IMPLICIT + n_new; k++)
			if (got[k] != want[k]) {
				pc_test_fail(__FILE__, __LINE__,
					     "round %d: counter %u continues %d, expected %d",
					     round, k, got[k], want[k]);
				break;
			}
		pc_totals_free(&t);
		free(info);
		free(got);
		free(want);
	}
}

/* Two different profiles of 32,766 rules: the old quadratic walk took 13-19 s of a
 * reload with the lock held; the sorted one takes milliseconds. Three seconds leave
 * room for a sanitizer build on a loaded machine. */
TEST(largest_profiles_match_fast)
{
	uint32_t n = PC_MAX_RULES;
	struct pc_rule_info *info = calloc(n, sizeof(*info));
	int32_t *map = calloc(PC_CNT_IMPLICIT + n, sizeof(*map));
	struct pc_totals t = { .n = PC_CNT_IMPLICIT + n };
	struct timespec a, b;
	uint32_t carried = 0;
	double secs;

	t.count = calloc(t.n, sizeof(*t.count));
	t.info = calloc(t.n, sizeof(*t.info));
	for (uint32_t r = 0; r < n; r++) {
		/* Half the new rules are old ones (in another order), half are new. */
		snprintf(t.info[PC_CNT_IMPLICIT + r].proto, PC_TEXT_PROTO, "tcp");
		snprintf(t.info[PC_CNT_IMPLICIT + r].match, PC_TEXT_MATCH, "port %u", r);
		snprintf(info[r].proto, PC_TEXT_PROTO, "tcp");
		snprintf(info[r].match, PC_TEXT_MATCH, "port %u", r % 2 ? n - r : n + r);
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	pc_carry_match(&t, info, n, map);
	clock_gettime(CLOCK_MONOTONIC, &b);
	secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	for (uint32_t r = 0; r < n; r++)
		carried += map[PC_CNT_IMPLICIT + r] >= 0;
	EXPECT_EQ(carried, n / 2);
	EXPECT_EQ(map[PC_CNT_IMPLICIT + 1], PC_CNT_IMPLICIT + n - 1);
	if (secs > 3.0)
		pc_test_fail(__FILE__, __LINE__, "matching took %.2f s", secs);
	pc_totals_free(&t);
	free(info);
	free(map);
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Counter carry-over: "nothing lost from the counters" across reloads and rollbacks. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "kern/carry.h"
#include "kern/pins.h"
#include "kern/program.h"

/* Orders rule texts; 0 when a counter may carry from one rule to the other. */
static int rule_cmp(const struct pc_rule_info *a, const struct pc_rule_info *b)
{
	int c;

	if (a->action != b->action)
		return a->action < b->action ? -1 : 1;
	if (a->direction != b->direction)
		return a->direction < b->direction ? -1 : 1;
	if ((c = strcmp(a->proto, b->proto)) || (c = strcmp(a->peer, b->peer)) ||
	    (c = strcmp(a->match, b->match)))
		return c;
	return strcmp(a->label, b->label);
}

/* Old counters ordered by their rule's text, ties by index. */
static int by_text(const void *x, const void *y, void *arg)
{
	const struct pc_rule_info *info = arg;
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	int c = rule_cmp(&info[a], &info[b]);

	return c ? c : a < b ? -1 : a > b;
}

/* Keys a batch call takes at once: bounded, so that the buffers stay small. */
#define BATCH 4096u

/* Reads keys 0..n-1 of an array map into out, vsize bytes each (the per-CPU values of
 * all CPUs for a per-CPU map), in batches: one lookup a key was 100,000 system calls of
 * a 32,766-rule reload. Keys the map does not have stay as they are. Returns 0, or -1
 * when the kernel takes no batches (before Linux 5.6): the caller then looks up each
 * key. */
static int array_read(int fd, uint32_t n, size_t vsize, void *out)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	uint32_t *keys = malloc(BATCH * sizeof(*keys)), token = 0, count;
	char *vals = malloc(BATCH * vsize);
	void *in = NULL;
	int err = -1;

	while (keys && vals) {
		count = BATCH;
		err = bpf_map_lookup_batch(fd, in, &token, keys, vals, &count, &opts);
		if (err && errno != ENOENT)
			break;
		for (uint32_t i = 0; i < count; i++)
			if (keys[i] < n)
				memcpy((char *)out + (size_t)keys[i] * vsize, vals + i * vsize,
				       vsize);
		if (err) { /* ENOENT: past the last key */
			err = 0;
			break;
		}
		in = &token;
	}
	free(keys);
	free(vals);
	return err ? -1 : 0;
}

/* Sums of the per-CPU counters 0..n-1, batched; pc_counters_read where batches fail. */
static int counters_read(int fd, uint32_t n, struct pc_count *out, struct pc_err *e)
{
	int ncpu = libbpf_num_possible_cpus();
	struct pc_count *percpu = ncpu > 0 ? calloc((size_t)n * ncpu + 1, sizeof(*percpu)) : NULL;

	if (!percpu || array_read(fd, n, ncpu * sizeof(*percpu), percpu)) {
		free(percpu);
		return pc_counters_read(fd, n, out, e);
	}
	for (uint32_t k = 0; k < n; k++) {
		out[k] = (struct pc_count){ 0 };
		for (int c = 0; c < ncpu; c++) {
			out[k].packets += percpu[(size_t)k * ncpu + c].packets;
			out[k].bytes += percpu[(size_t)k * ncpu + c].bytes;
		}
	}
	free(percpu);
	return 0;
}

/* What carry_fd holds for counters 0..t->n-1, and the texts of info_fd's rules. */
static void carry_and_info_read(int carry_fd, int info_fd, struct pc_totals *t)
{
	uint32_t n_rules = t->n > PC_CNT_IMPLICIT ? t->n - PC_CNT_IMPLICIT : 0;
	struct pc_count *carry = calloc(t->n + 1, sizeof(*carry));
	bool batched = carry && !array_read(carry_fd, t->n, sizeof(*carry), carry) &&
		       !array_read(info_fd, n_rules, sizeof(*t->info), t->info + PC_CNT_IMPLICIT);

	for (uint32_t k = 0; k < t->n; k++) {
		uint32_t r = k - PC_CNT_IMPLICIT;
		struct pc_count c = { 0 };

		if (batched)
			c = carry[k];
		else if (bpf_map_lookup_elem(carry_fd, &k, &c))
			c = (struct pc_count){ 0 };
		t->count[k].packets += c.packets;
		t->count[k].bytes += c.bytes;
		if (!batched && k >= PC_CNT_IMPLICIT &&
		    bpf_map_lookup_elem(info_fd, &r, &t->info[k]))
			memset(&t->info[k], 0, sizeof(t->info[k]));
	}
	free(carry);
}

int pc_totals_read(int counters_fd, int carry_fd, int info_fd, struct pc_totals *t,
		   struct pc_err *e)
{
	struct bpf_map_info mi = {};
	uint32_t len = sizeof(mi);

	memset(t, 0, sizeof(*t));
	if (bpf_obj_get_info_by_fd(counters_fd, &mi, &len))
		return pc_fail(e, errno, NULL, "bpf_obj_get_info_by_fd on a counters map");
	t->n = mi.max_entries;
	t->count = calloc(t->n, sizeof(*t->count));
	t->info = calloc(t->n, sizeof(*t->info));
	if (!t->count || !t->info) {
		pc_totals_free(t);
		return pc_fail(e, ENOMEM, NULL, "reading counters");
	}
	if (counters_read(counters_fd, t->n, t->count, e)) {
		pc_totals_free(t);
		return -1;
	}
	carry_and_info_read(carry_fd, info_fd, t);
	return 0;
}

int pc_totals_read_pinned(const char *gdir, bool egress, struct pc_totals *t, struct pc_err *e)
{
	const char *const names[3] = { egress ? PC_PIN_ECOUNTERS : PC_PIN_COUNTERS,
				       egress ? PC_PIN_ECARRY : PC_PIN_CARRY, PC_PIN_RULE_INFO };
	int fd[3] = { -1, -1, -1 }, err = -1;

	for (int i = 0; i < 3; i++)
		if ((fd[i] = pc_pin_open(gdir, names[i], e)) < 0)
			goto out;
	err = pc_totals_read(fd[0], fd[1], fd[2], t, e);
out:
	for (int i = 0; i < 3; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	return err;
}

void pc_totals_free(struct pc_totals *t)
{
	free(t->count);
	free(t->info);
	memset(t, 0, sizeof(*t));
}

/* The first of sorted[lo, hi) whose text is r's, or hi. */
static uint32_t first_same(const uint32_t *sorted, uint32_t lo, uint32_t hi,
			   const struct pc_rule_info *info, const struct pc_rule_info *r)
{
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (rule_cmp(&info[sorted[mid]], r) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Comparing every new rule with every old one took 19 s for two different profiles of
 * 32,766 rules, with the interface's lock held. Sorted, the old rules of one text form
 * a run in index order, and the first unused one is the run's next: a binary search
 * and a cursor per run give the same matching in O(n log n). */
void pc_carry_match(const struct pc_totals *from, const struct pc_rule_info *info, uint32_t n_rules,
		    int32_t *map)
{
	uint32_t n_old = from->n > PC_CNT_IMPLICIT ? from->n - PC_CNT_IMPLICIT : 0;
	uint32_t *sorted = calloc(n_old + 1, sizeof(*sorted));
	uint32_t *next = calloc(n_old + 1, sizeof(*next)); /* per run start: next unused */

	for (uint32_t k = 0; k < PC_CNT_IMPLICIT + n_rules; k++)
		map[k] = k < PC_CNT_IMPLICIT && k < from->n ? (int32_t)k : -1;
	if (!sorted || !next)
		goto out; /* nothing carries: counters restart, the load still works */
	for (uint32_t i = 0; i < n_old; i++)
		sorted[i] = PC_CNT_IMPLICIT + i;
	qsort_r(sorted, n_old, sizeof(*sorted), by_text, from->info);
	for (uint32_t i = 0; i < n_old; i++)
		next[i] = i;
	for (uint32_t r = 0; r < n_rules; r++) {
		uint32_t run = first_same(sorted, 0, n_old, from->info, &info[r]);

		if (run == n_old || rule_cmp(&from->info[sorted[run]], &info[r]))
			continue;
		if (next[run] < n_old && !rule_cmp(&from->info[sorted[next[run]]], &info[r]))
			map[PC_CNT_IMPLICIT + r] = (int32_t)sorted[next[run]++];
	}
out:
	free(sorted);
	free(next);
}

/* carry[k] = from's total of map[k], less what this program already counted. */
static struct pc_count carried(const struct pc_totals *from, const int32_t *map, uint32_t k,
			       const struct pc_count *live)
{
	struct pc_count c = from->count[map[k]];

	if (live) {
		/* Totals only grow, so from's total covers this program's live part. */
		c.packets -= live[k].packets <= c.packets ? live[k].packets : c.packets;
		c.bytes -= live[k].bytes <= c.bytes ? live[k].bytes : c.bytes;
	}
	return c;
}

int pc_carry_write(int carry_fd, const struct pc_totals *from, const int32_t *map, uint32_t n,
		   const struct pc_count *live, struct pc_err *e)
{
	uint32_t *keys = calloc(n + 1, sizeof(*keys)), count = 0;
	struct pc_count *vals = calloc(n + 1, sizeof(*vals));
	int err = 0;

	for (uint32_t k = 0; keys && vals && k < n; k++)
		if (map[k] >= 0) {
			keys[count] = k;
			vals[count++] = carried(from, map, k, live);
		}
	/* One call for all of them where the kernel takes batches (Linux 5.6). */
	if (keys && vals && (!count || !bpf_map_update_batch(carry_fd, keys, vals, &count, NULL)))
		goto out;
	for (uint32_t k = 0; k < n && !err; k++) {
		struct pc_count c;

		if (map[k] < 0)
			continue;
		c = carried(from, map, k, live);
		if (bpf_map_update_elem(carry_fd, &k, &c, 0))
			err = pc_fail(e, errno, NULL, "bpf_map_update_elem on carry[%u]", k);
	}
out:
	free(keys);
	free(vals);
	return err;
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Counter carry-over: "nothing lost from the counters" across reloads and rollbacks. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "carry.h"
#include "pins.h"
#include "program.h"

static bool same_rule(const struct pc_rule_info *a, const struct pc_rule_info *b)
{
	return a->action == b->action && a->direction == b->direction &&
	       !strcmp(a->proto, b->proto) && !strcmp(a->peer, b->peer) &&
	       !strcmp(a->match, b->match) && !strcmp(a->label, b->label);
}

int pc_totals_read(int counters_fd, int carry_fd, int info_fd, struct pc_totals *t,
		   struct pc_err *e)
{
	struct bpf_map_info mi = {};
	uint32_t len = sizeof(mi);
	struct pc_count c;

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
	if (pc_counters_read(counters_fd, t->n, t->count, e)) {
		pc_totals_free(t);
		return -1;
	}
	for (uint32_t k = 0; k < t->n; k++) {
		uint32_t r = k - PC_CNT_IMPLICIT;

		if (!bpf_map_lookup_elem(carry_fd, &k, &c)) {
			t->count[k].packets += c.packets;
			t->count[k].bytes += c.bytes;
		}
		if (k >= PC_CNT_IMPLICIT && bpf_map_lookup_elem(info_fd, &r, &t->info[k]))
			memset(&t->info[k], 0, sizeof(t->info[k]));
	}
	return 0;
}

int pc_totals_read_pinned(const char *gdir, bool egress, struct pc_totals *t, struct pc_err *e)
{
	const char *const names[3] = { egress ? "ecounters" : "counters",
				       egress ? "ecarry" : "carry", "rule_info" };
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

void pc_carry_match(const struct pc_totals *from, const struct pc_rule_info *info, uint32_t n_rules,
		    int32_t *map)
{
	bool *used = calloc(from->n + 1, sizeof(*used));

	for (uint32_t k = 0; k < PC_CNT_IMPLICIT + n_rules; k++) {
		map[k] = -1;
		if (k < PC_CNT_IMPLICIT) {
			map[k] = k < from->n ? (int32_t)k : -1;
			continue;
		}
		for (uint32_t f = PC_CNT_IMPLICIT; used && f < from->n; f++) {
			if (!used[f] && same_rule(&from->info[f], &info[k - PC_CNT_IMPLICIT])) {
				used[f] = true;
				map[k] = f;
				break;
			}
		}
	}
	free(used);
}

int pc_carry_write(int carry_fd, const struct pc_totals *from, const int32_t *map, uint32_t n,
		   const struct pc_count *live, struct pc_err *e)
{
	for (uint32_t k = 0; k < n; k++) {
		struct pc_count c;

		if (map[k] < 0)
			continue;
		c = from->count[map[k]];
		if (live) {
			/* Totals only grow, so from's total covers this program's live part. */
			c.packets -= live[k].packets <= c.packets ? live[k].packets : c.packets;
			c.bytes -= live[k].bytes <= c.bytes ? live[k].bytes : c.bytes;
		}
		if (bpf_map_update_elem(carry_fd, &k, &c, 0))
			return pc_fail(e, errno, NULL, "bpf_map_update_elem on carry[%u]", k);
	}
	return 0;
}

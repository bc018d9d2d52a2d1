/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Carrying counters across a program swap (reload, rollback): rules are matched by
 * their text, and a program's "carry" map holds what its predecessor had counted. */
#ifndef PC_KERN_CARRY_H
#define PC_KERN_CARRY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "portcullis.h"

/* A program's totals by counter index: live per-CPU sums plus its own carry; info[k]
 * is the text of rule k - PC_CNT_IMPLICIT (zeroed for implicit counters). */
struct pc_totals {
	uint32_t n;
	struct pc_count *count;
	struct pc_rule_info *info;
};

int pc_totals_read(int counters_fd, int carry_fd, int info_fd, struct pc_totals *t,
		   struct pc_err *e);
/* The same from the pins counters, carry, rule_info (egress: ecounters, ecarry) of
 * the generation directory gdir. */
int pc_totals_read_pinned(const char *gdir, bool egress, struct pc_totals *t, struct pc_err *e);
void pc_totals_free(struct pc_totals *t);

/* For each counter k of a program with n_rules rules described by info: the counter
 * of `from` it continues (implicit counters: the same index; rules: the first unused
 * rule of from with the same text), or -1. map has PC_CNT_IMPLICIT + n_rules entries. */
void pc_carry_match(const struct pc_totals *from, const struct pc_rule_info *info, uint32_t n_rules,
		    int32_t *map);

/* carry[k] = from->count[map[k]] - live[k] for every matched k (live NULL: zeros), so
 * that the program's live + carry continues from's totals. Unmatched k are left. */
int pc_carry_write(int carry_fd, const struct pc_totals *from, const int32_t *map, uint32_t n,
		   const struct pc_count *live, struct pc_err *e);

#endif /* PC_KERN_CARRY_H */

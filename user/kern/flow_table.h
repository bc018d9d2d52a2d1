/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The flow table from userspace: handing it from one load generation to the next, and
 * seeding it with the sockets open at load time. */
#ifndef PC_KERN_FLOW_TABLE_H
#define PC_KERN_FLOW_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "compile/compile.h"
#include "core/error.h"
#include "portcullis.h"

/* remap[r] for each rule r of the previous generation: its index + 1 among the n_new
 * rules of the next (rules match by text), or 0. Returns a calloc'd array of n_old
 * entries (at least one), or NULL. */
uint16_t *pc_flows_remap(const struct pc_rule_info *old, uint32_t n_old,
			 const struct pc_rule_info *new_info, uint32_t n_new);

/* The out rule of img that allows a flow, or -1: TCP/UDP by the peer's port, ICMP
 * echo by echo-request. */
int pc_flows_rule(const struct pc_image *img, const struct pc_flow_key *k);

/* After a swap to generation gen: every flow of another generation is rewritten to
 * gen: through remap when it was gen_prev's, else re-judged by img (NULL: dropped).
 * Flows no out rule allows any more are deleted. *kept, *dropped: how many. */
int pc_flows_adopt(int flows_fd, uint32_t gen, uint32_t gen_prev, const uint16_t *remap,
		   uint32_t n_remap, const struct pc_image *img, uint32_t *kept, uint32_t *dropped,
		   struct pc_err *e);

/* What seeding found among the open sockets. */
struct pc_seed_report {
	uint32_t recorded;  /* flows an out rule allows, now in the table */
	uint32_t inbound;   /* sessions an in rule allows: the rules carry them */
	uint32_t cut;	    /* sessions no rule allows: the profile ends them */
	char cut_list[512]; /* the first few of those, for the operator */
};

/* Records the open connections of this network namespace that an out rule of img
 * allows, as generation gen, without touching flows already in the table. */
int pc_flows_seed(int flows_fd, const struct pc_image *img, uint32_t gen, struct pc_seed_report *r,
		  struct pc_err *e);

#endif /* PC_KERN_FLOW_TABLE_H */

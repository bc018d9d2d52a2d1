/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The BPF programs on an interface's tc hooks, whoever attached them: tcx links and
 * multi-attach programs (Linux 6.6) and clsact direct-action filters, ingress and
 * egress. Only reads. */
#ifndef PC_KERN_TC_PROGS_H
#define PC_KERN_TC_PROGS_H

#include <stdbool.h>
#include <stdint.h>

#include <bpf/bpf.h>

enum pc_tc_hook { PC_TC_TCX_INGRESS, PC_TC_TCX_EGRESS, PC_TC_CLSACT_INGRESS, PC_TC_CLSACT_EGRESS };

struct pc_tc_prog {
	enum pc_tc_hook hook;
	uint32_t id;
	char name[BPF_OBJ_NAME_LEN]; /* "" when the program could not be read */
};

/* "tcx ingress", "clsact egress", ... */
const char *pc_tc_hook_name(enum pc_tc_hook hook);
static inline bool pc_tc_hook_egress(enum pc_tc_hook hook)
{
	return hook == PC_TC_TCX_EGRESS || hook == PC_TC_CLSACT_EGRESS;
}

/* Up to max programs on ifindex's hooks into out, *n of them (tcx only when the kernel
 * has it). A hook that cannot be read is left out: an interface without a clsact
 * qdisc has no filters to list. */
void pc_tc_progs(unsigned ifindex, bool tcx, struct pc_tc_prog *out, unsigned max, unsigned *n);

#endif /* PC_KERN_TC_PROGS_H */

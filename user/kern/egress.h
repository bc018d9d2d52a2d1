/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The egress hook's attachment: tcx (a bpf_link, swapped with bpf_link_update) where
 * the kernel has it, else a clsact direct-action filter (swapped in place with
 * BPF_TC_F_REPLACE). Either way one program at a time, replaced atomically. */
#ifndef PC_KERN_EGRESS_H
#define PC_KERN_EGRESS_H

#include "core/error.h"
#include "portcullis.h"

/* Whether a load may ask for hook `want` (PC_HOOK_NONE: no wish): the kernel must have
 * it, and a reload keeps the hook that runs (`running`, PC_HOOK_NONE: none). 0, or -1
 * with e saying what is missing, from which Linux, and what to do. */
int pc_egress_hook_check(const char *ifname, enum pc_egress_hook want, enum pc_egress_hook running,
			 struct pc_err *e);

/* Attaches prog to ifindex's egress with hook (PC_HOOK_NONE: tcx where the kernel has
 * it, clsact otherwise). Returns the hook used; *link_fd is the tcx link
 * to pin, -1 for clsact. -1 on failure, with nothing attached. */
int pc_egress_attach(const char *ifname, unsigned ifindex, int prog, enum pc_egress_hook hook,
		     int *link_fd, struct pc_err *e);

/* Runs prog instead of old_prog on the hook: link_fd is the pinned tcx link (tcx). */
int pc_egress_swap(const char *ifname, unsigned ifindex, enum pc_egress_hook hook, int link_fd,
		   int prog, int old_prog, struct pc_err *e);

/* Detaches whatever portcullis runs on the hook; an interface that is gone has none. */
int pc_egress_detach(const char *ifname, unsigned ifindex, enum pc_egress_hook hook, int link_fd,
		     struct pc_err *e);

/* The program id our clsact filter runs, 0 if none. */
unsigned pc_egress_clsact_prog(unsigned ifindex);

const char *pc_egress_hook_name(enum pc_egress_hook hook);

#endif /* PC_KERN_EGRESS_H */

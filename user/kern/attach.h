/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Attaching a compiled profile to an interface through a pinned bpf_link, replacing
 * the running one atomically, and removing it again. */
#ifndef PC_KERN_ATTACH_H
#define PC_KERN_ATTACH_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "compile/compile.h"
#include "core/error.h"
#include "kern/flow_table.h"
#include "kern/state.h"

enum pc_mode {
	PC_MODE_AUTO,	 /* native, falling back to generic with a warning */
	PC_MODE_NATIVE,	 /* native or fail */
	PC_MODE_GENERIC, /* generic (skb) mode */
};

struct pc_attach_result {
	bool replaced;	  /* a running profile was swapped out */
	bool fell_back;	  /* native was refused, generic used */
	int native_errno; /* why native was refused */
	uint32_t mode;	  /* XDP_FLAGS_DRV_MODE or XDP_FLAGS_SKB_MODE */
	/* What a replace changed: rules kept (same text, counters carried over), the
	 * new rules (indices into the new profile), the old rules that are gone with
	 * what they had counted. */
	uint32_t carried_rules;
	uint32_t *added;
	uint32_t n_added;
	struct pc_rule_info *removed;
	struct pc_count *removed_count;
	uint32_t n_removed;
	struct pc_file_name *old_files; /* the names removed[k].file refers to */
	uint32_t n_old_files;
	struct pc_load_info old; /* what ran before a replace */
	/* The flow table: open sessions recorded at load, and on a replace the flows
	 * that carried over to the new rules or ended with the rule that allowed them. */
	struct pc_seed_report seed;
	uint32_t flows_kept;
	uint32_t flows_dropped;
	enum pc_egress_hook egress_hook; /* in use */
	unsigned features;		 /* PC_FEAT_* of the loaded program */
	char gen[NAME_MAX];		 /* the new generation's name */
};

void pc_attach_result_free(struct pc_attach_result *res);

struct pc_attach_opts {
	enum pc_mode mode;
	/* PC_HOOK_NONE: tcx, or clsact on a kernel without tcx. A replace keeps the
	 * hook that runs. */
	enum pc_egress_hook egress_hook;
	/* > 0: the load awaits confirmation for that many seconds; the replaced
	 * generation is kept for the rollback (confirm.h). */
	unsigned confirm_secs;
	/* Recorded in load_info (pc_profile_sha256); all zero: none. */
	uint8_t profile_sha256[32];
};

/* Loads img onto the interface, whose lock the caller holds and which it settled.
 * On any failure the interface keeps what it had, and nothing this call did not
 * create is removed. res->gen names the new generation. */
int pc_attach(const struct pc_iface *i, const char *profile_path, const struct pc_attach_opts *o,
	      const struct pc_profile *p, const struct pc_image *img, struct pc_attach_result *res,
	      struct pc_err *e);

/* Detaches the programs and removes all state of the interface (lock held). */
int pc_detach(const struct pc_iface *i, struct pc_err *e);

#endif /* PC_KERN_ATTACH_H */

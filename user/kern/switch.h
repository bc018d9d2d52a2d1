/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The one commit point of a reload, a rollback and their recovery.
 *
 * A generation (gN/: programs and maps) is built and pinned complete beside the
 * running one; `next -> gN` records the intent; the links are made to run gN's
 * programs; counters and flows continue from the previous generation; and the rename
 * of `next` over `current` commits, the single step after which every reader sees gN.
 * A command that finds `next` left behind looks at what the XDP link runs: gN's
 * program, and it finishes the switch; anything else, and it puts the egress hook
 * back and drops gN. Neither way unloads. */
#ifndef PC_KERN_SWITCH_H
#define PC_KERN_SWITCH_H

#include <stdbool.h>
#include <stdint.h>

#include "compile/compile.h"
#include "core/error.h"
#include "kern/state.h"

/* next -> gname: a switch to that generation is under way. */
int pc_switch_begin(const struct pc_iface *i, const char *gname, struct pc_err *e);
/* Makes the pinned links (and a clsact filter) run the programs of generation gdir:
 * egress first, then XDP, so that flows the appliance opens meanwhile are recorded
 * for the generation that is about to judge their replies. */
int pc_switch_links(const struct pc_iface *i, const char *gdir, struct pc_err *e);
/* With the links on `to`: counters and flows continue from `from` (NULL: none), then
 * the commit. back: `to` is what a rollback restores, whose own counts stood still
 * while `from` ran. img (or NULL) judges flows whose rule text is gone. */
int pc_switch_finish(const struct pc_iface *i, const char *from, const char *to, bool back,
		     const struct pc_image *img, uint32_t *flows_kept, uint32_t *flows_dropped,
		     struct pc_err *e);
/* Undoes a switch to `to` that has not committed: the links back on `from`, or with
 * from NULL (a first load) the hooks this switch attached detached; then `next`
 * removed, and `to` too unless keep_to (the generation a rollback restores). */
void pc_switch_abort(const struct pc_iface *i, const char *from, const char *to, bool keep_to);
/* Completes or undoes an interrupted switch (see above). */
int pc_switch_recover(const struct pc_iface *i, struct pc_err *e);
/* Removes generations that nothing refers to (an interrupted build, a kept
 * generation whose confirmation or rollback was interrupted after its commit). */
void pc_switch_sweep(const struct pc_iface *i);

#endif /* PC_KERN_SWITCH_H */

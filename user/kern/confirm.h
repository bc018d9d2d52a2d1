/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* `load --confirm N` and `confirm`: like a router's "commit confirmed", a load that
 * is not confirmed in time undoes itself, so a profile that cuts the operator off
 * cannot keep them out. */
#ifndef PC_KERN_CONFIRM_H
#define PC_KERN_CONFIRM_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "kern/state.h"

/* A generation awaiting confirmation records, in its directory (the symlink
 * PC_PIN_PENDING, committed with the generation itself): */
struct pc_pending {
	uint64_t deadline;   /* seconds since the epoch */
	char prev[NAME_MAX]; /* the generation to restore; "": unload */
};

/* Reads generation gdir's pending confirmation; -1 when there is none. */
int pc_pending_read(const char *gdir, struct pc_pending *p);
int pc_pending_write(const char *gdir, const struct pc_pending *p, struct pc_err *e);

/* Starts the timer that rolls back generation gname of i unless it is confirmed
 * first: a watcher that re-spawns it should it die, both holding a shared flock on
 * the generation's directory, which is how anyone tells that a timer is alive. */
int pc_confirm_timer_start(const struct pc_iface *i, const char *gname, struct pc_err *e);
/* `confirm IFACE` (lock held, settled): keeps the new profile, drops the old. */
int pc_confirm(const struct pc_iface *i, struct pc_err *e);
/* Restores what the pending load replaced (lock held): the previous generation, or
 * nothing (unload). */
int pc_rollback(const struct pc_iface *i, struct pc_err *e);
/* Part of pc_settle: an overdue rollback is carried out now, and a pending
 * confirmation whose timer died gets a new one. */
int pc_pending_settle(const struct pc_iface *i, struct pc_err *e);

#endif /* PC_KERN_CONFIRM_H */

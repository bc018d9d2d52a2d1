/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* `load --confirm N` and `confirm`: like a router's "commit confirmed", a load that
 * is not confirmed in time undoes itself, so a profile that cuts the operator off
 * cannot keep them out. */
#ifndef PC_CONFIRM_H
#define PC_CONFIRM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"

#define PC_RUN_DIR "/run/portcullis"

struct pc_pending {
	uint64_t deadline; /* seconds since the epoch */
	bool replaced;	   /* rollback restores the previous program; else unloads */
	int pid;	   /* the timer process */
};

/* Takes the per-interface lock that serialises load, unload, confirm and rollback.
 * Returns an fd to close, or -1. */
int pc_lock(const char *ifname, struct pc_err *e);

/* Reads IFACE's pending confirmation; -1 when there is none. */
int pc_pending_read(const char *ifname, struct pc_pending *p);
/* After a load with --confirm: records the deadline and starts the timer process
 * that rolls back unless `confirm` comes first. */
int pc_confirm_arm(const char *ifname, unsigned secs, bool replaced, struct pc_err *e);
/* `confirm IFACE`: keeps the new profile, drops what the rollback needed. */
int pc_confirm(const char *ifname, struct pc_err *e);
/* Restores the state before the pending load: the previous program when the load
 * replaced one, else nothing (unload). The timer calls this. */
int pc_rollback(const char *ifname, bool replaced, struct pc_err *e);
/* Forgets a pending confirmation (unload): stops its timer. */
void pc_pending_cancel(const char *ifname);

#endif /* PC_CONFIRM_H */

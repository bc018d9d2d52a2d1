/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The confirmation timer as systemd's: where systemd runs the machine, the rollback of
 * an unconfirmed load is a transient timer unit (systemd-run) that starts `portcullis
 * settle IFACE` at the deadline. systemd supervises it; no process of ours has to
 * outlive the command. It serves an interface of the initial network namespace only:
 * a unit runs there, and an interface of another namespace is not its to reach. */
#ifndef PC_KERN_SYSTEMD_TIMER_H
#define PC_KERN_SYSTEMD_TIMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "kern/state.h"

/* The argument vector of the systemd-run that starts the timer of generation gname of
 * i, running exe at deadline (now: the time it is built at). unit receives the timer's
 * unit name; argv (PC_SYSTEMD_ARGS entries) points into buf. */
#define PC_SYSTEMD_ARGS 12
void pc_systemd_timer_argv(const struct pc_iface *i, const char *gname, const char *exe,
			   uint64_t deadline, uint64_t now, char *buf, size_t len, char *unit,
			   size_t unit_len, const char *argv[PC_SYSTEMD_ARGS]);

/* Starts the timer: 0 when systemd took it, 1 when systemd cannot serve here (not
 * booted with systemd, another namespace, no systemd-run, or it refused), so that the
 * caller starts a timer of its own. */
int pc_systemd_timer_start(const struct pc_iface *i, const char *gname, uint64_t deadline);
/* The timer of generation gname is waiting. */
bool pc_systemd_timer_waiting(const struct pc_iface *i, const char *gname);
/* Stops it, if there is one (a confirmation keeps the load). */
void pc_systemd_timer_stop(const struct pc_iface *i, const char *gname);

#endif /* PC_KERN_SYSTEMD_TIMER_H */

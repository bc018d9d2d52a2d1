/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Per-rule and implicit counters of a loaded interface, as a table or JSON (the
 * Prometheus text format: observe/prom.h). */
#ifndef PC_OBSERVE_STATS_H
#define PC_OBSERVE_STATS_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#include "kern/snapshot.h"

enum pc_format { PC_FMT_TABLE, PC_FMT_JSON };

/* prev (or NULL): a snapshot taken secs seconds earlier; the table then shows rates. */
void pc_stats_print(const char *ifname, const struct pc_snapshot *s, const struct pc_snapshot *prev,
		    double secs, enum pc_format f, FILE *out);

#endif /* PC_OBSERVE_STATS_H */

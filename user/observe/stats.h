/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Per-rule and implicit counters of a loaded interface, as a table, JSON or the
 * Prometheus text format; and the `status` overview. */
#ifndef PC_OBSERVE_STATS_H
#define PC_OBSERVE_STATS_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#include "core/error.h"
#include "portcullis.h"

enum pc_format { PC_FMT_TABLE, PC_FMT_JSON, PC_FMT_PROM };

/* Everything `stats` shows, read from the pins of one interface. */
struct pc_snapshot {
	struct pc_load_info load;
	uint32_t n_rules;
	struct pc_rule_info *info;  /* n_rules */
	struct pc_count *count;	    /* PC_CNT_IMPLICIT + n_rules: live + carried */
	struct pc_count *ecount;    /* the same for the egress hook; NULL without one */
	struct pc_file_name *files; /* n_files: the files info[k].file names */
	uint32_t n_files;
	char gdir[PATH_MAX]; /* the generation read: more pins of the same one */
};

/* Reads the committed generation of IFACE (of this network namespace) whole: a
 * reload committing meanwhile makes it read the new one again, never a mix. */
int pc_snapshot_read(const char *ifname, struct pc_snapshot *s, struct pc_err *e);
void pc_snapshot_free(struct pc_snapshot *s);
/* prev (or NULL): a snapshot taken secs seconds earlier; the table then shows rates. */
void pc_stats_print(const char *ifname, const struct pc_snapshot *s, const struct pc_snapshot *prev,
		    double secs, enum pc_format f, FILE *out);
/* The name of implicit counter i as docs/semantics.md §7.1 spells it ("non-ip", "no-match"...). */
const char *pc_implicit_name(unsigned i);

#endif /* PC_OBSERVE_STATS_H */

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The one typed reader of an interface's pinned state: what `stats`, `flood` and
 * `log` show of a load, read from one generation. */
#ifndef PC_KERN_SNAPSHOT_H
#define PC_KERN_SNAPSHOT_H

#include <limits.h>
#include <stdint.h>

#include "core/error.h"
#include "portcullis.h"

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
/* The same for an interface found already, without settling it first: changes
 * nothing, for a reader that must not (the exporter). */
struct pc_iface;
int pc_snapshot_read_iface(const struct pc_iface *i, struct pc_snapshot *s, struct pc_err *e);
void pc_snapshot_free(struct pc_snapshot *s);
/* Reads a "files" map: *out (free it) has *n names. */
int pc_files_read(int fd, struct pc_file_name **out, uint32_t *n, struct pc_err *e);
/* A generation's load_info and its rules (*rules: load_info.n_rules of them, free it). */
int pc_gen_rules_read(const char *gdir, struct pc_load_info *li, struct pc_rule_info **rules,
		      struct pc_err *e);

#endif /* PC_KERN_SNAPSHOT_H */

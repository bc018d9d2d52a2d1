/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The XDP program as a loaded skeleton whose maps hold a compiled profile, attached
 * nowhere yet: what `load` attaches, and what tests and `bench` run directly. */
#ifndef PC_KERN_PROGRAM_H
#define PC_KERN_PROGRAM_H

#include <stdbool.h>
#include <stdint.h>

#include "compile/compile.h"
#include "core/error.h"
#include "kern/judge.h"

/* The generated skeleton (portcullis.skel.h), seen whole in kern/ only: the layers
 * above hold a pointer and use the functions below. */
struct portcullis;

/* Shows libbpf's messages (the verifier log among them) on stderr. */
void pc_set_verbose(bool on);

/* What a program continues on an interface (NULL: nothing, a first load or a test):
 * its load generation, the generation it replaces and, for flows that one wrote,
 * remap[old rule] = new rule + 1 (0: gone); the flow table to share (-1: a new one). */
struct pc_lineage {
	uint32_t gen;
	uint32_t gen_prev;
	const uint16_t *remap;
	uint32_t n_remap;
	int flows_fd;
};

/* Opens the skeleton, sizes its maps for img, sets the options of p as read-only
 * globals, loads it into the kernel and fills the maps. */
int pc_program_create(const struct pc_profile *p, const struct pc_image *img,
		      const struct pc_lineage *prev, struct portcullis **out, struct pc_err *e);

/* Loads an opened skeleton: the fallbacks of bpf/compat.h chosen by probing the
 * kernel first; a rejection explained (verifier_log.h), what saying what was loaded. */
int pc_program_load(struct portcullis *s, const char *what, struct pc_err *e);
/* The PC_FEAT_* bits a loaded program was built for (load_info.features). */
unsigned pc_program_features(const struct portcullis *s);

/* The rule count and generation globals (before load). */
void pc_program_set_lineage(struct portcullis *s, uint32_t n_rules, const struct pc_lineage *l);

/* The settings a program is loaded with, as read-only globals of s (before load). */
void pc_program_set_options(struct portcullis *s, const struct pc_options *o);
/* The same settings as recorded in load_info, both ways: a running program describes
 * itself, and `explain` loads a twin with them. */
void pc_load_info_set_options(struct pc_load_info *li, const struct pc_options *o);
void pc_load_info_options(const struct pc_load_info *li, struct pc_options *o);

/* A twin of the generation pinned in gdir: the program loaded anew with that
 * generation's lookup tables and flow table (the pinned maps reused), the settings
 * opt and counters of its own, so that frames run through it are judged as by the
 * running program without moving the running program's counters. */
int pc_program_twin(const char *gdir, const struct pc_options *opt, uint32_t n_rules,
		    const struct pc_lineage *lin, struct portcullis **out, struct pc_err *e);
void pc_program_destroy(struct portcullis *s);
/* The XDP program's fd, and a map's by the name it is pinned under (PC_PIN_*). */
int pc_program_fd(const struct portcullis *s);
int pc_program_map_fd(const struct portcullis *s, const char *name);
/* A judge (judge.h) of the XDP program and its counters, for a profile of n_rules. */
int pc_program_judge_init(const struct portcullis *s, uint32_t n_rules, unsigned flags,
			  struct pc_judge *j, struct pc_err *e);

/* Sums a per-CPU counters map (n entries) into out[n]. */
int pc_counters_read(int counters_fd, uint32_t n, struct pc_count *out, struct pc_err *e);

#endif /* PC_KERN_PROGRAM_H */

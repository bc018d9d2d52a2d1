/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The program `explain` runs frames through: one compiled from a profile, or a twin of
 * the one running on an interface (pc_program_twin: its tables and flow table, counters
 * of its own, so the live counters do not move), with the texts of its rules. One
 * packet (`explain PACKET`) and a capture (`explain --pcap`) ask it the same way. */
#ifndef PC_OBSERVE_SUBJECT_H
#define PC_OBSERVE_SUBJECT_H

#include <stdbool.h>
#include <stdint.h>

#include "compile/compile.h"
#include "core/error.h"
#include "profile/profile.h"
#include "portcullis.h"

struct portcullis;

/* What the program to ask is: its fds, the rules' texts, and where they came from. */
struct pc_subject {
	struct portcullis *skel;
	uint32_t n_rules;
	struct pc_rule_info *info;  /* n_rules */
	struct pc_file_name *files; /* n_files */
	uint32_t n_files;
	struct pc_options opt;
	char origin[256]; /* profile path */
	char live[64];	  /* "running on IFACE" for a twin */
	/* --profile only */
	struct pc_profile p;
	struct pc_diags d;
	struct pc_image img;
};

/* The program compiled from the profile at path; its errors printed, a usage error. */
int pc_subject_from_profile(const char *path, struct pc_subject *s, struct pc_err *e);
/* The twin of the program running on ifname, with the rules of the generation whose
 * tables it shares. */
int pc_subject_from_iface(const char *ifname, struct pc_subject *s, struct pc_err *e);
/* from_profile: which of the two made s. */
void pc_subject_free(struct pc_subject *s, bool from_profile);

#endif /* PC_OBSERVE_SUBJECT_H */

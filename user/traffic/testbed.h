/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A profile compiled into a program that is loaded but attached nowhere, for
 * BPF_PROG_TEST_RUN: what `bench` times, and what tells `flood` and `mix` where each
 * stream of a mix lands. The three prepare it the same way (pc_testbed_prepare), so
 * that what bench measures, what flood predicts and what mix prints agree. */
#ifndef PC_TRAFFIC_TESTBED_H
#define PC_TRAFFIC_TESTBED_H

#include "compile/compile.h"
#include "core/error.h"
#include "kern/program.h"
#include "traffic/mix.h"

struct pc_testbed {
	const char *path;
	struct pc_profile p;
	struct pc_diags d;
	struct pc_image img;
	struct portcullis *skel;
	double compile_ms; /* parse and compile */
	double load_ms;	   /* program load and map fill */
};

/* What bench, flood and mix start from. With a profile: open it (below), load the mix
 * (pc_mix_load: WHAT is --mix), seed the flows its replies answer and judge every
 * stream. Without one (profile NULL; flood and mix allow it): the mix alone, its
 * streams unjudged. t is closed by pc_testbed_close either way. */
int pc_testbed_prepare(const char *profile, const char *what, struct pc_testbed *t,
		       struct pc_mix *m, struct pc_err *e);
/* Parses and compiles path (diagnostics on stderr; an error is exit code 2), then
 * loads the program with its maps filled. */
int pc_testbed_open(const char *path, struct pc_testbed *t, struct pc_err *e);
void pc_testbed_close(struct pc_testbed *t);
int pc_testbed_prog_fd(const struct pc_testbed *t);
/* With state on, records the flow each `reply` stream answers in the program's flow
 * table, under the out rule that allows it, as the egress hook would have: what a
 * reply of a real connection meets; such streams are marked seeded. The flows stay
 * fresh for a day. Streams no out rule allows stay look-alikes. */
int pc_testbed_seed(struct pc_testbed *t, struct pc_mix *m, struct pc_err *e);
/* Runs each stream's frame once through the program: its counter and action. */
int pc_testbed_judge(struct pc_testbed *t, struct pc_mix *m, struct pc_err *e);

#endif /* PC_TRAFFIC_TESTBED_H */

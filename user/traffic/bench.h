/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* `portcullis bench`: ns per packet of the real program with a compiled profile, per
 * stream of a mix, beside an empty XDP program timed in the same run. */
#ifndef PC_TRAFFIC_BENCH_H
#define PC_TRAFFIC_BENCH_H

#include <stdbool.h>

#include "core/error.h"

/* The profile bench compiles without --profile: a file of the shipped profiles. */
#define PC_BENCH_DEFAULT_PROFILE "spammertrap.conf"

struct pc_bench_opts {
	const char *profile;
	const char *mix;
	unsigned long repeat;
	unsigned long rounds;
	int cpu; /* -1: the one it starts on */
	bool markdown;
};

/* Times every stream of the mix through the profile's program and the empty one, and
 * prints the table on stdout. */
int pc_bench_run(const struct pc_bench_opts *o, struct pc_err *e);

#endif /* PC_TRAFFIC_BENCH_H */

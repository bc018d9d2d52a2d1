/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* `portcullis bench`: ns per packet of the real program with a compiled profile, per
 * stream of a mix, beside an empty XDP program timed in the same run. */
#ifndef PC_BENCH_H
#define PC_BENCH_H

#include "error.h"

/* The profile bench compiles without --profile: a file of the shipped profiles. */
#define PC_BENCH_DEFAULT_PROFILE "spammertrap.conf"

/* The subcommand: argv[0] is "bench". */
int pc_bench_cmd(int argc, char **argv, struct pc_err *e);

#endif /* PC_BENCH_H */

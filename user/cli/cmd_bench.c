// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `portcullis bench`: its options into traffic/bench.h's. */
#include "cli/cli.h"
#include "cli/commands.h"
#include "traffic/bench.h"

/* The options, from bench's table in commands.c; PC_OPTS_HELP after --help. */
static int bench_options(int argc, char **argv, struct pc_bench_opts *o, struct pc_err *e)
{
	struct pc_opt_value v[PC_OPTS_MAX];
	int op, r = pc_opts_parse(&pc_cmd_bench, argc, argv, v, &op, e);

	if (r)
		return r;
	*o = (struct pc_bench_opts){
		.profile = v[BENCH_PROFILE].set ? v[BENCH_PROFILE].str : PC_BENCH_DEFAULT_PROFILE,
		.mix = v[BENCH_MIX].str,
		.repeat = v[BENCH_REPEAT].set ? v[BENCH_REPEAT].num : 1000000,
		.rounds = v[BENCH_ROUNDS].set ? v[BENCH_ROUNDS].num : 5,
		.cpu = v[BENCH_CPU].set ? (long)v[BENCH_CPU].num : -1,
		.markdown = v[BENCH_MARKDOWN].set,
	};
	if (op != argc)
		return pc_opts_usage(&pc_cmd_bench, e, "unexpected argument %s", argv[op]);
	return 0;
}

int pc_cli_bench(int argc, char **argv, struct pc_err *e)
{
	struct pc_bench_opts o;
	int r = bench_options(argc, argv, &o, e);

	return r ? PC_CLI_DONE(r) : pc_bench_run(&o, e);
}

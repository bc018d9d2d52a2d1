// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `portcullis bench`: its options into traffic/bench.h's. */
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "paths.h"
#include "traffic/bench.h"

/* Where the default profile is. The binary make built, run where make left it, takes
 * the source tree's profiles/, so that a developer benches the profile beside the
 * code even with another version installed. Any other copy takes the installed one
 * (PC_PROFILE_DIR, from the Makefile's PREFIX), or the one beside it under
 * ../share/portcullis/profiles (an install staged with DESTDIR, or moved): an
 * installed binary needs no file of the source tree. */
static const char *default_profile(void)
{
	static char path[PATH_MAX];
	char exe[PATH_MAX], staged[PATH_MAX + 64];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n > 0) {
		exe[n] = '\0';
		if (!strcmp(exe, PC_BUILD_BIN))
			return PC_SOURCE_PROFILE_DIR "/" PC_BENCH_DEFAULT_PROFILE;
	}
	if (n <= 0 || !access(PC_PROFILE_DIR "/" PC_BENCH_DEFAULT_PROFILE, F_OK))
		return PC_PROFILE_DIR "/" PC_BENCH_DEFAULT_PROFILE;
	snprintf(staged, sizeof(staged), "%s/../share/portcullis/profiles/%s", dirname(exe),
		 PC_BENCH_DEFAULT_PROFILE);
	if (realpath(staged, path))
		return path;
	return PC_PROFILE_DIR "/" PC_BENCH_DEFAULT_PROFILE;
}

/* The options, from bench's table in commands.c; PC_OPTS_HELP after --help. */
static int bench_options(int argc, char **argv, struct pc_bench_opts *o, struct pc_err *e)
{
	struct pc_opt_value v[PC_OPTS_MAX];
	int op, r = pc_opts_parse(&pc_cmd_bench, argc, argv, v, &op, e);

	if (r)
		return r;
	*o = (struct pc_bench_opts){
		.profile = v[BENCH_PROFILE].set ? v[BENCH_PROFILE].str : default_profile(),
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

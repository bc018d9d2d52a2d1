// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `portcullis mix`: a mix printed as a mix file; with --profile, where each stream
 * lands. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "traffic/mix.h"
#include "traffic/testbed.h"

int pc_cli_mix(int argc, char **argv, struct pc_err *e)
{
	struct pc_opt_value v[PC_OPTS_MAX];
	int op, err = pc_opts_parse(&pc_cmd_mix, argc, argv, v, &op, e);
	const char *profile = v[MIX_PROFILE].str, *what = v[MIX_MIX].str;
	struct pc_testbed t = { 0 };
	struct pc_mix m = { 0 };

	if (err)
		return PC_CLI_DONE(err);
	if (op != argc)
		return pc_cli_usage(&pc_cmd_mix, e, "unexpected argument");
	err = pc_testbed_prepare(profile, what, &t, &m, e);
	if (!err)
		pc_mix_write(&m, t.img.info, t.img.n_rules, stdout);
	pc_mix_free(&m);
	pc_testbed_close(&t);
	return err;
}

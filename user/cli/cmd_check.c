// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `portcullis check [--strict] PROFILE`: the profile compiled and linted, its matrix
 * and the appliance's duties printed, nothing loaded. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "compile/compile.h"
#include "compile/duties.h"
#include "compile/matrix.h"

int pc_cli_check(int argc, char **argv, struct pc_err *e)
{
	struct pc_profile p = { 0 };
	struct pc_diags d = { 0 };
	struct pc_image img = { 0 };
	struct pc_opt_value v[PC_OPTS_MAX];
	int op, err = pc_opts_parse(&pc_cmd_check, argc, argv, v, &op, e);

	if (err)
		return PC_CLI_DONE(err);
	if (argc - op != 1)
		return pc_cli_usage(&pc_cmd_check, e, "expected one PROFILE");
	err = pc_cli_build_profile(argv[op], &p, &img, &d, e, "", v[CHECK_STRICT].set);
	if (v[CHECK_JSON].set) {
		pc_matrix_json(argv[op], &p, &img, &d, !err, stdout);
	} else if (!err) {
		pc_matrix_print(&p, &img, &d, stdout);
		pc_duties_print(&p, &img, &d, stdout);
	}
	pc_image_free(&img);
	pc_profile_free(&p);
	pc_diags_free(&d);
	return err;
}

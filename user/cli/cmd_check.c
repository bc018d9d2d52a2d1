// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `portcullis check PROFILE`: the profile compiled and its matrix printed, nothing
 * loaded. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "compile/compile.h"
#include "compile/matrix.h"

int pc_cli_check(int argc, char **argv, struct pc_err *e)
{
	struct pc_profile p = { 0 };
	struct pc_diags d = { 0 };
	struct pc_image img = { 0 };
	int err, op,
		r = pc_cli_operands(&pc_cmd_check, argc, argv, 1, "expected one PROFILE", &op, e);

	if (r)
		return PC_CLI_DONE(r);
	err = pc_cli_build_profile(argv[op], &p, &img, &d, e, "");
	if (!err)
		pc_matrix_print(&p, &img, &d, stdout);
	pc_image_free(&img);
	pc_profile_free(&p);
	pc_diags_free(&d);
	return err;
}

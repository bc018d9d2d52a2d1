// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `portcullis doctor [IFACE]`: its options into observe/doctor.h's run. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "observe/doctor.h"

int pc_cli_doctor(int argc, char **argv, struct pc_err *e)
{
	struct pc_opt_value v[PC_OPTS_MAX];
	int op, r = pc_opts_parse(&pc_cmd_doctor, argc, argv, v, &op, e);

	if (r)
		return PC_CLI_DONE(r);
	if (argc - op > 1)
		return pc_opts_usage(&pc_cmd_doctor, e, "expected one IFACE, or none");
	return pc_doctor_run(argc - op ? argv[op] : NULL, v[DOCTOR_JSON].set, stdout, e);
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `portcullis log IFACE`: its options into observe/log.h's. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "observe/log.h"

int pc_cli_log(int argc, char **argv, struct pc_err *e)
{
	struct pc_opt_value v[PC_OPTS_MAX];
	int op, r = pc_opts_parse(&pc_cmd_log, argc, argv, v, &op, e);
	struct pc_log_opts o = {
		.json = v[LOG_JSON].set,
		.count = v[LOG_COUNT].num,
		.timeout = v[LOG_TIMEOUT].num,
	};

	if (r)
		return PC_CLI_DONE(r);
	if (argc - op != 1)
		return pc_opts_usage(&pc_cmd_log, e, "expected IFACE");
	return pc_log_run(argv[op], &o, stdout, e);
}

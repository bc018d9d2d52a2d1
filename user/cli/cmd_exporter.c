// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `portcullis exporter [--listen ADDR:PORT]`: serve /metrics until stopped. */
#include "cli/cli.h"
#include "cli/commands.h"
#include "observe/exporter.h"

int pc_cli_exporter(int argc, char **argv, struct pc_err *e)
{
	struct pc_opt_value v[PC_OPTS_MAX];
	int op, r = pc_opts_parse(&pc_cmd_exporter, argc, argv, v, &op, e);

	if (r)
		return PC_CLI_DONE(r);
	if (argc - op)
		return pc_cli_usage(&pc_cmd_exporter, e, "exporter takes no operands");
	return pc_exporter_run(v[EXPORTER_LISTEN].set ? v[EXPORTER_LISTEN].str : PC_EXPORTER_LISTEN,
			       e);
}

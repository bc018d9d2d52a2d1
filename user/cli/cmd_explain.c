// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `portcullis explain`: one PACKET through a loaded interface's program or a
 * profile's. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "core/iface.h"
#include "observe/explain.h"

int pc_cli_explain(int argc, char **argv, struct pc_err *e)
{
	struct pc_opt_value v[PC_OPTS_MAX];
	int op, r = pc_opts_parse(&pc_cmd_explain, argc, argv, v, &op, e);
	bool json = v[EXPLAIN_JSON].set;

	if (r)
		return PC_CLI_DONE(r);
	if (v[EXPLAIN_PROFILE].set)
		return pc_explain(NULL, v[EXPLAIN_PROFILE].str, argc - op, argv + op, json, stdout,
				  e);
	if (argc - op >= 1)
		return pc_iface_check(argv[op], PC_IFACE_PRESENT, e)
			       ? -1
			       : pc_explain(argv[op], NULL, argc - op - 1, argv + op + 1, json,
					    stdout, e);
	return pc_cli_usage(&pc_cmd_explain, e,
			    "expected IFACE or --profile PROFILE, then a PACKET");
}

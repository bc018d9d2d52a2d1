// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `portcullis flows IFACE`: the connection table the replies are judged by. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "core/iface.h"
#include "observe/flow_list.h"

int pc_cli_flows(int argc, char **argv, struct pc_err *e)
{
	struct pc_opt_value v[PC_OPTS_MAX];
	int op, r = pc_opts_parse(&pc_cmd_flows, argc, argv, v, &op, e);

	if (r)
		return PC_CLI_DONE(r);
	if (argc - op != 1)
		return pc_cli_usage(&pc_cmd_flows, e, "expected IFACE");
	if (pc_iface_check(argv[op], PC_IFACE_PRESENT, e))
		return -1;
	return pc_flows_print(argv[op], v[FLOWS_JSON].set, stdout, e);
}

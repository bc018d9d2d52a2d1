// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `portcullis status [IFACE | --all]`: what is loaded where. */
#include <stdbool.h>
#include <stdio.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "core/iface.h"
#include "observe/status.h"

int pc_cli_status(int argc, char **argv, struct pc_err *e)
{
	struct pc_opt_value v[PC_OPTS_MAX];
	int op, r = pc_opts_parse(&pc_cmd_status, argc, argv, v, &op, e);
	bool json = v[STATUS_JSON].set, all = v[STATUS_ALL].set;

	if (r)
		return PC_CLI_DONE(r);
	if (argc - op > 1 || (all && argc - op))
		return pc_cli_usage(&pc_cmd_status, e, "expected one IFACE, or --all, or neither");
	if (argc - op && pc_iface_check(argv[op], PC_IFACE_MAY_BE_GONE, e))
		return -1;
	return pc_status_print(argc - op ? argv[op] : NULL, all, json, stdout, e);
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `portcullis confirm IFACE`: the profile loaded with --confirm kept. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "core/iface.h"
#include "kern/confirm.h"

int pc_cli_confirm(int argc, char **argv, struct pc_err *e)
{
	int op, r = pc_cli_operands(&pc_cmd_confirm, argc, argv, 1, "expected IFACE", &op, e);

	if (r)
		return PC_CLI_DONE(r);
	if (pc_iface_check(argv[op], PC_IFACE_PRESENT, e) ||
	    pc_cli_locked(argv[op], pc_confirm, false, e))
		return -1;
	printf("portcullis: confirmed the profile on %s\n", argv[op]);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `portcullis unload IFACE`: the program, its hooks and its pins removed. */
#include <limits.h>
#include <stdio.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "core/iface.h"
#include "kern/attach.h"
#include "kern/state.h"

static int unload(const struct pc_iface *i, struct pc_err *e)
{
	char cur[PATH_MAX];

	if (pc_gen_current(i, cur, sizeof(cur)))
		return pc_fail(e, 0, NULL, "portcullis is not loaded on %s", i->name);
	return pc_detach(i, e);
}

int pc_cli_unload(int argc, char **argv, struct pc_err *e)
{
	int op, r = pc_cli_operands(&pc_cmd_unload, argc, argv, 1, "expected IFACE", &op, e);

	if (r)
		return PC_CLI_DONE(r);
	if (pc_iface_check(argv[op], PC_IFACE_MAY_BE_GONE, e) ||
	    pc_cli_locked(argv[op], unload, true, e))
		return -1;
	printf("portcullis: unloaded from %s\n", argv[op]);
	return 0;
}

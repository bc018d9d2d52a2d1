// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `portcullis settle IFACE`: what every command does first, as a command of its own,
 * for the systemd timer of an unconfirmed load (kern/systemd_timer.h) and for an
 * operator who wants the interface's state made whole without changing it. */
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "core/iface.h"
#include "kern/state.h"

/* pc_cli_locked has settled the interface under its lock: nothing is left to do. */
static int settled(const struct pc_iface *i, struct pc_err *e)
{
	(void)i;
	(void)e;
	return 0;
}

int pc_cli_settle(int argc, char **argv, struct pc_err *e)
{
	struct pc_iface i;
	struct stat sb;
	int op, r = pc_cli_operands(&pc_cmd_settle, argc, argv, 1, "expected IFACE", &op, e);

	if (r)
		return PC_CLI_DONE(r);
	if (pc_iface_check(argv[op], PC_IFACE_MAY_BE_GONE, e) ||
	    pc_iface_resolve(argv[op], true, &i, e))
		return -1;
	/* No state: nothing can be due (a timer that fires after an unload, say). */
	if (stat(i.dir, &sb) && errno == ENOENT)
		return 0;
	return pc_cli_locked(argv[op], settled, false, e) ? -1 : 0;
}

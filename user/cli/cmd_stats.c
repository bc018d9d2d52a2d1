// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `portcullis stats IFACE`: the counters, once or every --watch seconds. */
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "core/iface.h"
#include "kern/snapshot.h"
#include "observe/stats.h"

int pc_cli_stats(int argc, char **argv, struct pc_err *e)
{
	enum pc_format fmt = PC_FMT_TABLE;
	struct pc_snapshot s, prev = { 0 };
	struct pc_opt_value v[PC_OPTS_MAX];
	int op, r = pc_opts_parse(&pc_cmd_stats, argc, argv, v, &op, e);
	long watch = v[STATS_WATCH].num;

	if (r)
		return PC_CLI_DONE(r);
	if (v[STATS_JSON].set)
		fmt = PC_FMT_JSON;
	if (v[STATS_PROMETHEUS].set)
		fmt = PC_FMT_PROM;
	if (argc - op != 1)
		return pc_cli_usage(&pc_cmd_stats, e, "expected IFACE");
	if (pc_iface_check(argv[op], PC_IFACE_PRESENT, e))
		return -1;
	for (bool first = true;; first = false) {
		if (pc_snapshot_read(argv[op], &s, e)) {
			pc_snapshot_free(&prev);
			return -1;
		}
		pc_stats_print(argv[op], &s, first ? NULL : &prev, watch, fmt, stdout);
		pc_snapshot_free(&prev);
		prev = s;
		fflush(stdout);
		if (!watch) {
			pc_snapshot_free(&prev);
			return 0;
		}
		sleep(watch);
		if (fmt == PC_FMT_TABLE)
			printf("\n");
	}
}

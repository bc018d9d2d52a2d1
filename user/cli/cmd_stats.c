// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `portcullis stats IFACE|--all`: the counters, once or every --watch seconds; in the
 * Prometheus format, to stdout or to a textfile collector's directory. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "core/iface.h"
#include "kern/snapshot.h"
#include "observe/prom.h"
#include "observe/scrape.h"
#include "observe/stats.h"
#include "observe/textfile.h"

/* One exposition of IFACE (NULL: every interface), built whole, then written. */
static int prom_once(const char *ifname, const char *textfile, struct pc_err *e)
{
	struct pc_scrape sc;
	char *buf = NULL;
	size_t len = 0;
	int err = ifname ? pc_scrape_one(ifname, &sc, e) : pc_scrape_all(true, &sc, e);

	if (!err)
		err = pc_prom_render(&sc, &buf, &len, e);
	pc_scrape_free(&sc);
	if (err)
		return -1;
	if (textfile)
		err = pc_textfile_write(textfile, buf, len, e);
	else if (fwrite(buf, 1, len, stdout) != len || fflush(stdout))
		err = pc_fail(e, errno, NULL, "writing to stdout");
	free(buf);
	return err;
}

static int prom(const char *ifname, const char *textfile, long watch, struct pc_err *e)
{
	for (;;) {
		if (prom_once(ifname, textfile, e))
			return -1;
		if (!watch)
			return 0;
		sleep(watch);
	}
}

int pc_cli_stats(int argc, char **argv, struct pc_err *e)
{
	enum pc_format fmt = PC_FMT_TABLE;
	struct pc_snapshot s, prev = { 0 };
	struct pc_opt_value v[PC_OPTS_MAX];
	int op, r = pc_opts_parse(&pc_cmd_stats, argc, argv, v, &op, e);
	long watch = v[STATS_WATCH].num;
	bool all = v[STATS_ALL].set;
	const char *textfile = v[STATS_TEXTFILE].str;

	if (r)
		return PC_CLI_DONE(r);
	if (v[STATS_JSON].set)
		fmt = PC_FMT_JSON;
	if (argc - op != !all)
		return pc_cli_usage(&pc_cmd_stats, e, "expected IFACE or --all");
	if (textfile && fmt == PC_FMT_JSON)
		return pc_cli_usage(&pc_cmd_stats, e,
				    "--textfile writes the Prometheus format, not JSON");
	if (all && !v[STATS_PROMETHEUS].set && !textfile)
		return pc_cli_usage(&pc_cmd_stats, e,
				    "--all is for the Prometheus format: add --prometheus or "
				    "--textfile DIR");
	if (!all && pc_iface_check(argv[op], PC_IFACE_PRESENT, e))
		return -1;
	if (v[STATS_PROMETHEUS].set || textfile)
		return prom(all ? NULL : argv[op], textfile, watch, e);
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

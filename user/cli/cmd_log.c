// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `portcullis log IFACE`: its options into observe/log.h's. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "observe/log.h"

/* Where --pcapng writes: FILE, created or truncated, or standard output, which must
 * not be a terminal (a capture is binary). */
static FILE *capture_file(const char *path, struct pc_err *e)
{
	FILE *f;

	if (!strcmp(path, "-")) {
		if (isatty(STDOUT_FILENO)) {
			pc_usage(e, "--pcapng -: standard output is a terminal; redirect it to "
				    "a file or pipe it, e.g. `| tshark -r -`");
			return NULL;
		}
		return stdout;
	}
	f = fopen(path, "w");
	if (!f)
		pc_fail(e, errno, NULL, "creating %s", path);
	return f;
}

int pc_cli_log(int argc, char **argv, struct pc_err *e)
{
	struct pc_opt_value v[PC_OPTS_MAX];
	int op, r = pc_opts_parse(&pc_cmd_log, argc, argv, v, &op, e);
	struct pc_log_opts o = {
		.json = v[LOG_JSON].set,
		.pcapng = v[LOG_PCAPNG].set,
		.count = v[LOG_COUNT].num,
		.timeout = v[LOG_TIMEOUT].num,
	};
	FILE *out = stdout;

	if (r)
		return PC_CLI_DONE(r);
	if (argc - op != 1)
		return pc_opts_usage(&pc_cmd_log, e, "expected IFACE");
	if (o.pcapng && !(out = capture_file(v[LOG_PCAPNG].str, e)))
		return -1;
	r = pc_log_run(argv[op], &o, out, e);
	if (out != stdout && fclose(out) && !r)
		r = pc_fail(e, errno, NULL, "writing %s", v[LOG_PCAPNG].str);
	return r;
}

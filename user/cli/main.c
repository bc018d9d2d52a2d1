// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The portcullis command line: the global options and the table that sends each
 * command to its file (cli/cmd_*.c); an error is printed here, once, with its exit
 * code (0 success, 1 runtime failure, 2 usage or profile error). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "kern/program.h"

struct cmd {
	const struct pc_cmd_spec *spec;
	int (*run)(int argc, char **argv, struct pc_err *e);
};

static int cmd_version(int argc, char **argv, struct pc_err *e)
{
	int op, r = pc_cli_operands(&pc_cmd_version, argc, argv, 0, "version takes no arguments",
				    &op, e);

	if (r)
		return PC_CLI_DONE(r);
	printf("portcullis %s\n", pc_version);
	return 0;
}

/* The code of each command of pc_commands. */
static const struct cmd cmds[] = {
	{ &pc_cmd_load, pc_cli_load },	       { &pc_cmd_confirm, pc_cli_confirm },
	{ &pc_cmd_unload, pc_cli_unload },     { &pc_cmd_status, pc_cli_status },
	{ &pc_cmd_stats, pc_cli_stats },       { &pc_cmd_check, pc_cli_check },
	{ &pc_cmd_explain, pc_cli_explain },   { &pc_cmd_bench, pc_cli_bench },
	{ &pc_cmd_flood, pc_cli_flood },       { &pc_cmd_mix, pc_cli_mix },
	{ &pc_cmd_log, pc_cli_log },	       { &pc_cmd_flows, pc_cli_flows },
	{ &pc_cmd_doctor, pc_cli_doctor },     { &pc_cmd_settle, pc_cli_settle },
	{ &pc_cmd_exporter, pc_cli_exporter }, { &pc_cmd_version, cmd_version },
};

static const struct cmd *find(const char *name)
{
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(name, cmds[i].spec->name))
			return &cmds[i];
	return NULL;
}

static int unknown(const char *name)
{
	fprintf(stderr, "portcullis: error: unknown command '%s'; run `portcullis help`\n", name);
	return 2;
}

/* `portcullis help [COMMAND]`, `--help`, `--version` and the hidden `--synopsis` (the
 * man page's, from the tables); -1 when argv[0] is none of them. */
static int global(int argc, char **argv)
{
	const struct cmd *c;

	if (!strcmp(argv[0], "--version")) {
		printf("portcullis %s\n", pc_version);
		return 0;
	}
	if (!strcmp(argv[0], "--synopsis")) {
		pc_commands_synopsis(stdout);
		return 0;
	}
	if (strcmp(argv[0], "-h") && strcmp(argv[0], "--help") && strcmp(argv[0], "help"))
		return -1;
	if (argc < 2) {
		pc_commands_help(stdout);
		return 0;
	}
	if (!(c = find(argv[1])))
		return unknown(argv[1]);
	pc_opts_help(c->spec, stdout);
	return 0;
}

int main(int argc, char **argv)
{
	struct pc_err e = { 0 };
	const struct cmd *c;
	int first = 1, rc;

	if (argc > 1 && (!strcmp(argv[1], "-v") || !strcmp(argv[1], "--verbose"))) {
		pc_set_verbose(true);
		first = 2;
	} else {
		pc_set_verbose(false);
	}
	if (argc <= first) {
		pc_commands_help(stderr);
		return 2;
	}
	if ((rc = global(argc - first, argv + first)) >= 0)
		return rc;
	if (!(c = find(argv[first])))
		return unknown(argv[first]);
	if (!c->run(argc - first, argv + first, &e))
		return 0;
	fprintf(stderr, "portcullis: error: %s\n", e.msg);
	return e.exit_code ? e.exit_code : 1;
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The portcullis command line: the global options and the table that sends each
 * command to its file (cli/cmd_*.c); an error is printed here, once, with its exit
 * code (0 success, 1 runtime failure, 2 usage or profile error). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "core/json.h"
#include "kern/program.h"

/* The options before COMMAND. */
struct globals {
	bool verbose; /* -v: libbpf's messages */
	bool json;    /* -j: the command's --json */
	bool pretty;  /* -p: JSON indented; implies -j, as bpftool's does */
};

struct cmd {
	const struct pc_cmd_spec *spec;
	int (*run)(int argc, char **argv, struct pc_err *e);
};

static int cmd_version(int argc, char **argv, struct pc_err *e)
{
	struct pc_opt_value v[PC_OPTS_MAX];
	int op, r = pc_opts_parse(&pc_cmd_version, argc, argv, v, &op, e);

	if (r)
		return PC_CLI_DONE(r);
	if (argc != op)
		return pc_cli_usage(&pc_cmd_version, e, "version takes no arguments");
	if (v[VERSION_JSON].set) {
		struct json_object *o = json_object_new_object();

		pc_json_add_str(o, "version", pc_version);
		pc_json_print(stdout, o);
	} else {
		printf("portcullis %s\n", pc_version);
	}
	return 0;
}

/* The code of each command of pc_commands. */
static const struct cmd cmds[] = {
	{ &pc_cmd_load, pc_cli_load },	     { &pc_cmd_confirm, pc_cli_confirm },
	{ &pc_cmd_unload, pc_cli_unload },   { &pc_cmd_status, pc_cli_status },
	{ &pc_cmd_stats, pc_cli_stats },     { &pc_cmd_check, pc_cli_check },
	{ &pc_cmd_explain, pc_cli_explain }, { &pc_cmd_bench, pc_cli_bench },
	{ &pc_cmd_flood, pc_cli_flood },     { &pc_cmd_mix, pc_cli_mix },
	{ &pc_cmd_log, pc_cli_log },	     { &pc_cmd_flows, pc_cli_flows },
	{ &pc_cmd_doctor, pc_cli_doctor },   { &pc_cmd_settle, pc_cli_settle },
	{ &pc_cmd_refresh, pc_cli_refresh }, { &pc_cmd_exporter, pc_cli_exporter },
	{ &pc_cmd_version, cmd_version },
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

/* -v, -j, -p, bundled as in `-jp`, and --verbose, --json, --pretty, up to the first
 * other argument, whose index it returns. */
static int global_flags(int argc, char **argv, struct globals *g)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--verbose"))
			g->verbose = true;
		else if (!strcmp(a, "--json"))
			g->json = true;
		else if (!strcmp(a, "--pretty"))
			g->pretty = true;
		else if (a[0] == '-' && a[1] && strspn(a + 1, "vjp") == strlen(a + 1))
			for (const char *f = a + 1; *f; f++)
				*(*f == 'v'   ? &g->verbose
				  : *f == 'j' ? &g->json
					      : &g->pretty) = true;
		else
			break;
	}
	g->json |= g->pretty;
	return i;
}

static bool has_json(const struct pc_cmd_spec *spec)
{
	for (const struct pc_opt *o = spec->opts; o && o->name; o++)
		if (!strcmp(o->name, "json"))
			return true;
	return false;
}

/* `portcullis -j CMD ARGS` runs `CMD --json ARGS`: the command's own table stays the one
 * place its options are; a command without JSON output refuses -j. */
static int run_json(const struct cmd *c, int argc, char **argv, struct pc_err *e)
{
	char *args[argc + 2];

	if (!has_json(c->spec))
		return pc_opts_usage(c->spec, e,
				     "%s has no JSON output (-j, --json): `portcullis -j` works "
				     "with the commands whose options list --json",
				     c->spec->name);
	args[0] = argv[0];
	args[1] = "--json";
	memcpy(args + 2, argv + 1, (argc - 1) * sizeof(*argv));
	args[argc + 1] = NULL;
	return c->run(argc + 1, args, e);
}

int main(int argc, char **argv)
{
	struct globals g = { 0 };
	struct pc_err e = { 0 };
	const struct cmd *c;
	int first = global_flags(argc, argv, &g), rc;

	pc_set_verbose(g.verbose);
	pc_json_set_pretty(g.pretty);
	if (argc <= first) {
		pc_commands_help(stderr);
		return 2;
	}
	/* `portcullis -j --version` is `portcullis -j version`. */
	if (g.json && !strcmp(argv[first], "--version"))
		argv[first] = "version";
	if ((rc = global(argc - first, argv + first)) >= 0)
		return rc;
	if (!(c = find(argv[first])))
		return unknown(argv[first]);
	if (!(g.json ? run_json(c, argc - first, argv + first, &e)
		     : c->run(argc - first, argv + first, &e)))
		return 0;
	fprintf(stderr, "portcullis: error: %s\n", e.msg);
	return e.exit_code ? e.exit_code : 1;
}

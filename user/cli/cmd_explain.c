// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `portcullis explain`: one PACKET, or every frame of a capture (--pcap), through a
 * loaded interface's program or a profile's. */
#include <stdbool.h>
#include <stdio.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "core/iface.h"
#include "observe/explain.h"

/* Options end at the first operand, since PACKET words follow IFACE; but `explain
 * IFACE --pcap FILE` reads naturally: the options after IFACE are parsed again, IFACE
 * standing where the command's name stood. *words: where the PACKET words start. */
static int options_after_iface(int argc, char **argv, int op, struct pc_opt_value *v, int *words,
			       struct pc_err *e)
{
	struct pc_opt_value after[PC_OPTS_MAX];
	int next, r;

	*words = op + 1;
	if (argc - op < 2 || argv[op + 1][0] != '-')
		return 0;
	r = pc_opts_parse(&pc_cmd_explain, argc - op, argv + op, after, &next, e);
	if (r)
		return r;
	if (after[EXPLAIN_PROFILE].set)
		return pc_opts_usage(&pc_cmd_explain, e, "give IFACE or --profile, not both");
	if (after[EXPLAIN_PCAP].set && v[EXPLAIN_PCAP].set)
		return pc_opts_usage(&pc_cmd_explain, e, "--pcap is given twice");
	if (after[EXPLAIN_PCAP].set)
		v[EXPLAIN_PCAP] = after[EXPLAIN_PCAP];
	if (after[EXPLAIN_JSON].set)
		v[EXPLAIN_JSON] = after[EXPLAIN_JSON];
	*words = op + next;
	return 0;
}

int pc_cli_explain(int argc, char **argv, struct pc_err *e)
{
	struct pc_opt_value v[PC_OPTS_MAX];
	int op, r = pc_opts_parse(&pc_cmd_explain, argc, argv, v, &op, e);
	const char *ifname = NULL;
	bool json;

	if (r)
		return PC_CLI_DONE(r);
	if (!v[EXPLAIN_PROFILE].set) {
		if (argc - op < 1)
			return pc_cli_usage(&pc_cmd_explain, e,
					    "expected IFACE or --profile PROFILE, then a PACKET "
					    "or --pcap FILE");
		ifname = argv[op];
		if ((r = options_after_iface(argc, argv, op, v, &op, e)))
			return PC_CLI_DONE(r);
		if (pc_iface_check(ifname, PC_IFACE_PRESENT, e))
			return -1;
	}
	json = v[EXPLAIN_JSON].set;
	if (v[EXPLAIN_PCAP].set) {
		if (argc - op > 0)
			return pc_opts_usage(&pc_cmd_explain, e,
					     "--pcap FILE takes no PACKET: '%s' is one too many",
					     argv[op]);
		if (json)
			return pc_opts_usage(&pc_cmd_explain, e,
					     "--pcap prints text only: leave out --json");
		return pc_explain_capture(ifname, v[EXPLAIN_PROFILE].str, v[EXPLAIN_PCAP].str,
					  stdout, e);
	}
	return pc_explain(ifname, v[EXPLAIN_PROFILE].str, argc - op, argv + op, json, stdout, e);
}

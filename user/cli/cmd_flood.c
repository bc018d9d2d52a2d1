// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `portcullis flood IFACE`: its options into traffic/flood.h's. */
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "traffic/flood.h"

/* The options, from flood's table in commands.c; PC_OPTS_HELP after --help. */
static int flood_options(int argc, char **argv, struct pc_flood_opts *o, struct pc_err *e)
{
	static const enum pc_flood_via vias[] = { [FLOOD_VIA_AUTO] = PC_FLOOD_VIA_AUTO,
						  [FLOOD_VIA_LIVE] = PC_FLOOD_VIA_LIVE,
						  [FLOOD_VIA_PACKET] = PC_FLOOD_VIA_PACKET };
	struct pc_opt_value v[PC_OPTS_MAX];
	int op, r = pc_opts_parse(&pc_cmd_flood, argc, argv, v, &op, e);

	if (r)
		return r;
	if (argc - op != 1)
		return pc_opts_usage(&pc_cmd_flood, e, "expected one IFACE");
	*o = (struct pc_flood_opts){
		.ifname = argv[op],
		.profile = v[FLOOD_PROFILE].str,
		.mix = v[FLOOD_MIX].str,
		.have_dst = v[FLOOD_DST_MAC].set,
		.have_src = v[FLOOD_SRC_MAC].set,
		.rate = v[FLOOD_RATE].num,
		.count = v[FLOOD_COUNT].num,
		.duration = v[FLOOD_DURATION].num,
		.threads = v[FLOOD_THREADS].set ? v[FLOOD_THREADS].num : 1,
		.batch = v[FLOOD_BATCH].set ? v[FLOOD_BATCH].num : 64,
		.via = vias[v[FLOOD_VIA].num],
		.json = v[FLOOD_JSON].set,
	};
	memcpy(o->dst_mac, v[FLOOD_DST_MAC].mac, 6);
	memcpy(o->src_mac, v[FLOOD_SRC_MAC].mac, 6);
	return 0;
}

int pc_cli_flood(int argc, char **argv, struct pc_err *e)
{
	struct pc_flood_opts o;
	int r = flood_options(argc, argv, &o, e);

	return r ? PC_CLI_DONE(r) : pc_flood_run(&o, e);
}

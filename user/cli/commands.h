/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Every command's name, operands, summary and option table, in the order `portcullis
 * --help` and the man page's synopsis list them. The enums index each command's
 * table (and the values pc_opts_parse returns), so that code names an option, not a
 * position. */
#ifndef PC_CLI_COMMANDS_H
#define PC_CLI_COMMANDS_H

#include <stdio.h>

#include "core/options.h"

enum { LOAD_MODE, LOAD_EGRESS_HOOK, LOAD_CONFIRM, LOAD_FORCE, LOAD_JSON };
/* --mode's choices, in the table's order ("skb" is generic's other name). */
enum { LOAD_MODE_NATIVE, LOAD_MODE_GENERIC, LOAD_MODE_SKB };
enum { LOAD_HOOK_TCX, LOAD_HOOK_CLSACT };
enum { REFRESH_EVERY };
enum { STATUS_ALL, STATUS_JSON };
enum { STATS_JSON, STATS_PROMETHEUS, STATS_WATCH, STATS_ALL, STATS_TEXTFILE };
enum { EXPORTER_LISTEN };
/* Where the exporter listens unless --listen says: loopback, a port of its own. */
#define PC_EXPORTER_LISTEN "127.0.0.1:9737"
enum { CHECK_STRICT, CHECK_JSON };
enum { EXPLAIN_PROFILE, EXPLAIN_PCAP, EXPLAIN_JSON };
enum { BENCH_PROFILE, BENCH_MIX, BENCH_REPEAT, BENCH_ROUNDS, BENCH_CPU, BENCH_MARKDOWN };
enum {
	FLOOD_DST_MAC,
	FLOOD_SRC_MAC,
	FLOOD_MIX,
	FLOOD_PROFILE,
	FLOOD_RATE,
	FLOOD_COUNT,
	FLOOD_DURATION,
	FLOOD_THREADS,
	FLOOD_BATCH,
	FLOOD_VIA,
	FLOOD_JSON
};
/* --via's choices, in the table's order. */
enum { FLOOD_VIA_AUTO, FLOOD_VIA_LIVE, FLOOD_VIA_PACKET };
enum { MIX_PROFILE, MIX_MIX };
enum { LOG_JSON, LOG_COUNT, LOG_TIMEOUT, LOG_PCAPNG };
enum { FLOWS_JSON };
enum { DOCTOR_JSON };
enum { VERSION_JSON };

extern const struct pc_cmd_spec pc_cmd_load, pc_cmd_confirm, pc_cmd_unload, pc_cmd_settle,
	pc_cmd_refresh, pc_cmd_status, pc_cmd_stats, pc_cmd_check, pc_cmd_explain, pc_cmd_bench,
	pc_cmd_flood, pc_cmd_mix, pc_cmd_log, pc_cmd_flows, pc_cmd_doctor, pc_cmd_exporter,
	pc_cmd_version;

/* The commands, NULL-terminated. */
extern const struct pc_cmd_spec *const pc_commands[];

/* The version --version prints: the Makefile's VERSION (git describe by default). */
extern const char pc_version[];

/* `portcullis --help`: every command's usage and summary. */
void pc_commands_help(FILE *out);

/* The man page's SYNOPSIS section, as groff lines: what docs/portcullis.8 must hold
 * between ".SH SYNOPSIS" and the next ".SH" (tests/unit/test_options.c compares). */
void pc_commands_synopsis(FILE *out);

#endif /* PC_CLI_COMMANDS_H */

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What the command files of cli/ share: each parses its own options against its table
 * in commands.c, and reports an error once, through main.c (exit 0 success, 1 runtime
 * failure, 2 usage or profile error). */
#ifndef PC_CLI_CLI_H
#define PC_CLI_CLI_H

#include <stdbool.h>

#include "compile/compile.h"
#include "core/error.h"
#include "core/options.h"
#include "kern/state.h"

/* What a command returns after pc_opts_parse() gave r: 0 after --help, -1 after an
 * error. */
#define PC_CLI_DONE(r) ((r) == PC_OPTS_HELP ? 0 : -1)

/* A usage error of the command spec (exit 2), with its usage line. */
int pc_cli_usage(const struct pc_cmd_spec *spec, struct pc_err *e, const char *what);
/* A command without options: --help (PC_OPTS_HELP), or exactly n operands from *op. */
int pc_cli_operands(const struct pc_cmd_spec *spec, int argc, char **argv, int n, const char *what,
		    int *op, struct pc_err *e);
/* Parses, compiles and lints the profile at path, printing its diagnostics; a profile
 * error is exit 2, its message ending with nothing_changed. strict: a warning is an
 * error too (`check --strict`). */
int pc_cli_build_profile(const char *path, struct pc_profile *p, struct pc_image *img,
			 struct pc_diags *d, struct pc_err *e, const char *nothing_changed,
			 bool strict);
/* Runs fn on IFACE of this namespace under its lock, once settled. */
int pc_cli_locked(const char *ifname, int (*fn)(const struct pc_iface *i, struct pc_err *e),
		  bool settle_may_fail, struct pc_err *e);

/* The commands, each with argv[0] its name. */
int pc_cli_load(int argc, char **argv, struct pc_err *e);
int pc_cli_confirm(int argc, char **argv, struct pc_err *e);
int pc_cli_unload(int argc, char **argv, struct pc_err *e);
int pc_cli_settle(int argc, char **argv, struct pc_err *e);
int pc_cli_refresh(int argc, char **argv, struct pc_err *e);
int pc_cli_status(int argc, char **argv, struct pc_err *e);
int pc_cli_stats(int argc, char **argv, struct pc_err *e);
int pc_cli_check(int argc, char **argv, struct pc_err *e);
int pc_cli_explain(int argc, char **argv, struct pc_err *e);
int pc_cli_bench(int argc, char **argv, struct pc_err *e);
int pc_cli_flood(int argc, char **argv, struct pc_err *e);
int pc_cli_mix(int argc, char **argv, struct pc_err *e);
int pc_cli_log(int argc, char **argv, struct pc_err *e);
int pc_cli_flows(int argc, char **argv, struct pc_err *e);
int pc_cli_doctor(int argc, char **argv, struct pc_err *e);
int pc_cli_exporter(int argc, char **argv, struct pc_err *e);

#endif /* PC_CLI_CLI_H */

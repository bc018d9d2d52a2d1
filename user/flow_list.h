/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* `portcullis flows IFACE`: the flow table as an operator reads it. */
#ifndef PC_FLOW_LIST_H
#define PC_FLOW_LIST_H

#include "error.h"

#define PC_FLOWS_ARGS "IFACE [--json]"

/* The subcommand: argv[0] is "flows". */
int pc_flows_cmd(int argc, char **argv, struct pc_err *e);

#endif /* PC_FLOW_LIST_H */

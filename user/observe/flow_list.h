/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* `portcullis flows IFACE`: the flow table as an operator reads it. */
#ifndef PC_OBSERVE_FLOW_LIST_H
#define PC_OBSERVE_FLOW_LIST_H

#include <stdbool.h>
#include <stdio.h>

#include "core/error.h"

/* Every flow of IFACE's table, oldest first, as a table or (json) one object. */
int pc_flows_print(const char *ifname, bool json, FILE *out, struct pc_err *e);

#endif /* PC_OBSERVE_FLOW_LIST_H */

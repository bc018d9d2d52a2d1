/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* `explain`: the verdict, rule and profile line for one packet, from the real program. */
#ifndef PC_OBSERVE_EXPLAIN_H
#define PC_OBSERVE_EXPLAIN_H

#include <stdbool.h>
#include <stdio.h>

#include "core/error.h"

/* Exactly one of ifname (the running program) and profile (compiled now) is set;
 * argv holds the PACKET words. json: one object instead of the text. */
int pc_explain(const char *ifname, const char *profile, int argc, char **argv, bool json, FILE *out,
	       struct pc_err *e);

#endif /* PC_OBSERVE_EXPLAIN_H */

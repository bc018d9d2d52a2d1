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

/* Every frame of the capture at path (pcap or pcapng; "-": standard input) through
 * the program of ifname or profile, as above: a line per frame (its number, the frame
 * decoded, its outcome), then per rule and implicit outcome how many frames it
 * decided. */
int pc_explain_capture(const char *ifname, const char *profile, const char *path, FILE *out,
		       struct pc_err *e);

#endif /* PC_OBSERVE_EXPLAIN_H */

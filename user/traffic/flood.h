/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* `portcullis flood`: a traffic generator for hosts without pktgen. The frames of a mix
 * are transmitted on an interface with BPF_PROG_TEST_RUN in live-frames mode
 * (BPF_F_TEST_XDP_LIVE_FRAMES): an XDP program that returns XDP_TX runs on each
 * frame as if it had arrived on the interface, and the kernel sends it out there. */
#ifndef PC_TRAFFIC_FLOOD_H
#define PC_TRAFFIC_FLOOD_H

#include "core/error.h"

/* The subcommand: argv[0] is "flood". */
int pc_flood_cmd(int argc, char **argv, struct pc_err *e);

#endif /* PC_TRAFFIC_FLOOD_H */

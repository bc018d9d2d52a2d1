/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The smallest XDP program, "return ACTION", loaded from two instructions without an
 * object file: the empty program `bench` measures beside portcullis (XDP_PASS), and
 * the transmitter of `flood` (XDP_TX, which a live-frames test run turns into a
 * transmission on the interface the frame "arrived" on). */
#ifndef PC_TINYPROG_H
#define PC_TINYPROG_H

#include "error.h"

/* Returns the program's fd, or -1 with e set. */
int pc_tinyprog_load(int action, const char *name, struct pc_err *e);

#endif /* PC_TINYPROG_H */

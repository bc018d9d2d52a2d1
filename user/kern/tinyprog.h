/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* XDP programs of a few instructions, loaded without an object file:
 *  - "return ACTION": the empty program `bench` measures beside portcullis (XDP_PASS),
 *    and the program `flood` probes live frames with (XDP_DROP, which sends nothing);
 *  - a chain of dependent additions, one CPU cycle each once JIT-compiled, which
 *    `bench` times to learn the clock of the core it measures on, so that figures
 *    from different machines can be compared in cycles. */
#ifndef PC_KERN_TINYPROG_H
#define PC_KERN_TINYPROG_H

#include "core/error.h"

/* Additions in the clock program: long against the timer's rounding, short against
 * the verifier's limit. */
#define PC_TINYPROG_CHAIN 1000

/* Returns the program's fd, or -1 with e set. */
int pc_tinyprog_load(int action, const char *name, struct pc_err *e);

/* "r0 = 0; r0 += 1 (PC_TINYPROG_CHAIN times); return XDP_PASS". */
int pc_tinyprog_chain_load(const char *name, struct pc_err *e);

#endif /* PC_KERN_TINYPROG_H */

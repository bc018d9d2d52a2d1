/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The BPF verdict tests' one check of a frame, through the seam of judge.h: its action,
 * and exactly the expected counter moved, by one packet and the frame's length.
 * EXPECT_VERDICT names the line it is written on; a table's row passes its own line
 * (a ROW macro that records __LINE__) to pc_expect_verdict, so that a failure points
 * at the row, not at the loop that runs it. */
#ifndef PC_TEST_VERDICT_H
#define PC_TEST_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

#include "kern/judge.h"

/* The names the reports use: "non-ip" ... "no-match", "rule N"; "pass", "drop". */
const char *pc_counter_name(int counter);
const char *pc_action_name(int action);

/* Runs the frame once through j and checks it; a failure is reported at file:line,
 * with the frame in hex. False if the frame was not as expected. */
bool pc_expect_verdict(const char *file, int line, struct pc_judge *j, const char *desc,
		       const void *frame, size_t len, int counter, int action);

#define EXPECT_VERDICT(j, desc, f, counter, action)                                                \
	pc_expect_verdict(__FILE__, __LINE__, (j), (desc), (f)->data, (f)->len, (counter), (action))

#endif /* PC_TEST_VERDICT_H */

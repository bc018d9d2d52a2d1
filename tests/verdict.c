// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The verdict check of verdict.h. */
#include <stdio.h>

#include <linux/bpf.h>

#include "harness.h"
#include "traffic/frame.h"
#include "verdict.h"

const char *pc_counter_name(int c)
{
	static const char *const names[] = { "non-ip", "malformed", "ndp", "fragment", "no-match" };
	/* A few at a time: a report names two counters in one message. */
	static char buf[4][24];
	static int i;

	if (c < 0)
		return "nothing";
	if (c < PC_CNT_IMPLICIT)
		return names[c];
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "rule %d", c - PC_CNT_IMPLICIT);
	return buf[i];
}

const char *pc_action_name(int a)
{
	return a == XDP_PASS ? "pass" : a == XDP_DROP ? "drop" : "other";
}

bool pc_expect_verdict(const char *file, int line, struct pc_judge *j, const char *desc,
		       const void *frame, size_t len, int counter, int action)
{
	struct pc_verdict v;
	struct pc_err e = { 0 };

	if (pc_judge_run(j, frame, len, -1, &v, &e)) {
		pc_test_fail(file, line, "%s: %s", desc, e.msg);
		return false;
	}
	if ((int)v.action == action && v.moved == 1 && v.counter == counter && v.packets == 1 &&
	    v.bytes == len)
		return true;
	pc_test_fail(file, line,
		     "%s: %s (%d) on %s (%u counters moved, by %llu packets, %llu bytes), "
		     "expected %s (%d) on %s",
		     desc, pc_action_name((int)v.action), (int)v.action, pc_counter_name(v.counter),
		     v.moved, (unsigned long long)v.packets, (unsigned long long)v.bytes,
		     pc_action_name(action), action, pc_counter_name(counter));
	pkt_hexdump(stdout, frame, len, "    ");
	return false;
}

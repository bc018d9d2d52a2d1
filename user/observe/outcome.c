// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* One frame's outcome as text (outcome.h). */
#include <stdio.h>

#include <linux/bpf.h>

#include "core/rule_text.h"
#include "observe/outcome.h"

const char *pc_outcome_text(uint32_t action, int counter, const struct pc_rule_info *rules,
			    uint32_t n_rules, char *buf, size_t n)
{
	const char *act = action == XDP_DROP ? "drop" : action == XDP_PASS ? "pass" : "action";
	char text[512];

	if (counter < 0) {
		snprintf(buf, n, "%s: no counter moved", act);
	} else if (counter >= PC_CNT_IMPLICIT) {
		uint32_t id = counter - PC_CNT_IMPLICIT;

		if (id < n_rules)
			snprintf(buf, n, "%s: line %u %s", act, rules[id].line,
				 pc_rule_text(&rules[id], text, sizeof(text)));
		else /* the pins changed under us */
			snprintf(buf, n, "%s: rule %u", act, id);
	} else if (counter == PC_CNT_NO_MATCH) {
		/* A frame no rule matched gets the default policy: the action says which. */
		snprintf(buf, n, "%s: no-match (default %s)", act, act);
	} else if (counter == PC_CNT_NON_IP) {
		snprintf(buf, n, "%s: non-ip (non-ip %s)", act, act);
	} else {
		snprintf(buf, n, "%s: %s", act, pc_implicit_name(counter));
	}
	return buf;
}

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What the program did to a frame, as one line of text: the comment of a frame in
 * `log --pcapng` and the verdict of a frame in `explain --pcap`, written by one
 * function so that the two can be compared frame by frame. */
#ifndef PC_OBSERVE_OUTCOME_H
#define PC_OBSERVE_OUTCOME_H

#include <stddef.h>
#include <stdint.h>

#include "portcullis.h"

/* `drop: line 12 drop in from internet tcp port 22 "ssh"`, `drop: no-match (default
 * drop)`, `pass: non-ip (non-ip pass)`, `drop: malformed`: the action (XDP_*), then
 * the rule that counted the frame or the implicit counter, with the policy that
 * decided where one did. rules[n_rules] name the counters at PC_CNT_IMPLICIT and up. */
const char *pc_outcome_text(uint32_t action, int counter, const struct pc_rule_info *rules,
			    uint32_t n_rules, char *buf, size_t n);

#endif /* PC_OBSERVE_OUTCOME_H */

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* `portcullis log`: streams the sampled drop events of a loaded interface. */
#ifndef PC_OBSERVE_LOG_H
#define PC_OBSERVE_LOG_H

#include <stdbool.h>
#include <stdio.h>

#include "core/error.h"
#include "portcullis.h"

struct pc_log_opts {
	bool json;    /* one JSON object per line instead of text */
	bool pcapng;  /* a pcapng capture instead of text (observe/pcapng.h) */
	long count;   /* stop after this many events; 0: no limit */
	long timeout; /* stop after this many seconds; 0: no limit */
};

/* Follows the pinned "events" ring of ifname until opts says stop or SIGINT/SIGTERM
 * arrives, printing one line per event to out (or, with opts->pcapng, writing a pcapng
 * section whose packets are the events, each with its outcome as comment); follows a
 * reload to the new program. */
int pc_log_run(const char *ifname, const struct pc_log_opts *opts, FILE *out, struct pc_err *e);

/* One event as the line `log` prints (text, or json a JSON object), newline included.
 * rules[n_rules] name the counters at PC_CNT_IMPLICIT and above. */
void pc_log_format(const struct pc_log_event *ev, size_t size, const struct pc_rule_info *rules,
		   uint32_t n_rules, long long wall_ns, bool json, const char *ifname, FILE *out);

#endif /* PC_OBSERVE_LOG_H */

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What a generation holds beside its counters: the kernel memory of its maps, the
 * entries of its flow table, and the drop events its program has written to the
 * event ring. `status` and the Prometheus exposition read it. */
#ifndef PC_KERN_FOOTPRINT_H
#define PC_KERN_FOOTPRINT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"

struct pc_footprint {
	uint64_t map_bytes;  /* every map pinned in the generation, as the kernel counts */
	uint64_t flow_bytes; /* of map_bytes, the flow table's (sized by `set flows`) */
	uint32_t flows;	     /* entries in the flow table, live or expired */
	bool has_flows;	     /* a flow table is pinned */
	/* Events reserved in the "events" ring since the generation was loaded (every
	 * event is submitted: none is discarded), read from the ring's producer
	 * position; and those not read yet. has_events: the ring could be mapped. */
	uint64_t log_events;
	uint64_t log_unread;
	bool has_events;
	/* Events within the log budget that the full ring had no room for, summed over
	 * the CPUs. has_lost: the program's log_budget map could be read (a program of
	 * an older portcullis does not count them). */
	uint64_t log_lost;
	bool has_lost;
};

/* Reads gdir's footprint; -1 only when the generation is gone (a reload removed it:
 * read the new one), whatever else cannot be read is left out. */
int pc_footprint_read(const char *gdir, struct pc_footprint *f, struct pc_err *e);

/* The events lost to a full ring that a log_budget map (budget_fd) or gdir's pinned
 * one counts, summed over the CPUs; -errno when they cannot be read (-EPROTO: the
 * program does not count them). */
int pc_log_lost_sum(int budget_fd, uint64_t *lost);
int pc_log_lost_read(const char *gdir, uint64_t *lost);

#endif /* PC_KERN_FOOTPRINT_H */

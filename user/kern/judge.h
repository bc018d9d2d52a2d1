/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The one seam for running frames: a frame through a loaded program once with
 * BPF_PROG_TEST_RUN, and what it did: its return value, the counter that moved and by
 * how much. `explain`, the test bed (what `mix` prints, `bench` and `flood` predict)
 * and every BPF test judge frames here, so that they agree on what a verdict is.
 * Timing (`bench`) and sending (`flood`) run the program themselves, many frames a
 * run: a judge reads the counters around every frame. */
#ifndef PC_KERN_JUDGE_H
#define PC_KERN_JUDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "portcullis.h"

enum {
	/* The whole counters map in one batch lookup, where the kernel has it for
	 * per-CPU arrays (5.10 does not: then a lookup per counter): for many frames
	 * through a profile of many rules (the differential test). */
	PC_JUDGE_BATCH = 1 << 0,
	/* Nothing else runs the program between this judge's frames, so the counters
	 * after one frame are those before the next: read once a frame, not twice. */
	PC_JUDGE_KEEP = 1 << 1,
};

/* With KEEP and a hint, every PC_JUDGE_AUDIT frames all counters are read and compared
 * with what the judged frames explain: a counter that moved outside the ones read
 * around each frame is found there (pc_verdict.stray). */
#define PC_JUDGE_AUDIT 256

/* A program and the counters map it counts on (the ingress program and `counters`,
 * or the egress program and `ecounters`), with the buffers to read it. */
struct pc_judge {
	int prog_fd;
	int counters_fd;
	uint32_t n_counters;
	unsigned flags;
	int ncpu;
	bool have_before;     /* KEEP: before holds the counters as they are now */
	bool no_batch;	      /* BATCH: the kernel refused it once; per counter from then on */
	uint32_t since_audit; /* KEEP with a hint: frames since every counter was read */
	struct pc_count *before, *after; /* n_counters each */
	struct pc_count *percpu;	 /* ncpu, or n_counters * ncpu with BATCH */
	uint32_t *keys;			 /* BATCH: the batch lookup's keys */
};

/* What one frame did. A sound program moves exactly one counter, by one packet and
 * the frame's length: moved == 1, packets == 1, bytes == len. */
struct pc_verdict {
	uint32_t action;  /* the program's return value: XDP_* (or TC_ACT_* for egress) */
	int counter;	  /* the counter that moved (the last, if several); -1: none */
	uint32_t moved;	  /* how many counters moved */
	uint64_t packets; /* by how much `counter` moved */
	uint64_t bytes;
	/* KEEP with a hint: counters found moved at an audit without a frame that was
	 * judged on them (a program that moves two counters, one outside the hint). */
	uint32_t stray;
};

int pc_judge_init(struct pc_judge *j, int prog_fd, int counters_fd, uint32_t n_counters,
		  unsigned flags, struct pc_err *e);
void pc_judge_free(struct pc_judge *j);

/* Runs the frame once. hint >= 0 names the counter the frame was made for: only it
 * and the implicit counters are read around the run, which keeps judging a mix of a
 * 10,000-rule profile fast (and a differential test where the kernel has no batch
 * lookup, 5.10). If those do not show one move by this frame: without KEEP the frame
 * runs a second time with every counter read; with KEEP (where running a frame twice
 * would change the flow table) every counter is read after the one run, and compared
 * with the snapshot KEEP holds. hint < 0 reads every counter. */
int pc_judge_run(struct pc_judge *j, const void *frame, size_t len, int hint, struct pc_verdict *v,
		 struct pc_err *e);

#endif /* PC_KERN_JUDGE_H */

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The floor of `bench` (bpf/bench_floor.bpf.c): portcullis's parser and one per-CPU
 * counter, nothing decided. */
#ifndef PC_KERN_BENCH_FLOOR_H
#define PC_KERN_BENCH_FLOOR_H

#include "core/error.h"

/* Loads the floor program; returns its fd (which keeps it and its map), or -1 with e
 * set. */
int pc_bench_floor_load(struct pc_err *e);

#endif /* PC_KERN_BENCH_FLOOR_H */

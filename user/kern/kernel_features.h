/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Kernel features portcullis uses where the kernel has them, found by probing (never
 * by the kernel's version), each with the Linux release that brings it and what
 * portcullis does without it. The probes load tiny programs and touch no interface;
 * each runs once per process. */
#ifndef PC_KERN_KERNEL_FEATURES_H
#define PC_KERN_KERNEL_FEATURES_H

#include <stdbool.h>
#include <stdio.h>

#include "core/json.h"
#include "portcullis.h"

/* The tcx egress attach point (linux/bpf.h from 6.6; Debian 12's headers are older). */
#define PC_BPF_TCX_EGRESS 47

/* A feature: its bit (enum pc_feature in portcullis.h), names and fallback. */
struct pc_feature_desc {
	unsigned bit;
	const char *name;     /* in text and as the JSON key */
	const char *since;    /* the Linux release that brings it */
	const char *fallback; /* what portcullis does without it */
};

extern const struct pc_feature_desc pc_feature_table[];
extern const unsigned pc_feature_count;

/* The PC_FEAT_* bits this kernel has. */
unsigned pc_features_probe(void);
/* The description of a single PC_FEAT_* bit. */
const struct pc_feature_desc *pc_feature(unsigned bit);

/* "INDENTkernel features: tcx, coarse_clock, no xdp_load_bytes (Linux 5.18): ...\n"
 * for a program's PC_FEAT_PROGRAM bits (load_info.features); `load`, `status` and
 * `stats` print it alike. */
void pc_features_line(FILE *out, const char *indent, unsigned features);
/* The same as the JSON value of "kernel_features": {"tcx": true, ...}, or NULL (null)
 * when not recorded. */
struct json_object *pc_features_json(unsigned features);

#endif /* PC_KERN_KERNEL_FEATURES_H */

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Whether an interface's driver runs XDP natively: what the driver advertises
 * (xdp-features, Linux 6.3), or on older kernels what a test attach finds. */
#ifndef PC_KERN_XDP_NATIVE_H
#define PC_KERN_XDP_NATIVE_H

#include <stdbool.h>
#include <stdint.h>

enum pc_native { PC_NATIVE_YES, PC_NATIVE_NO, PC_NATIVE_UNKNOWN };

enum pc_native_how {
	PC_NATIVE_BY_FEATURES, /* the driver's xdp-features */
	PC_NATIVE_BY_RUNNING,  /* a program runs in native mode already */
	PC_NATIVE_BY_TEST,     /* a test attach of an XDP_PASS program, removed at once */
	PC_NATIVE_NOT_TESTED,  /* a program in generic mode: a test would disturb it */
	PC_NATIVE_TEST_RACED,  /* a program appeared while testing */
	PC_NATIVE_TEST_FAILED, /* the test program did not load (errno) */
};

struct pc_native_result {
	enum pc_native native;
	enum pc_native_how how;
	bool have_features;
	uint64_t features; /* PC_XDP_ACT_* (netdev.h), when have_features */
	int err;	   /* the errno of a refused test attach */
};

/* attach_mode is what bpf_xdp_query says runs on ifindex now (XDP_ATTACHED_*). Without
 * xdp-features and with nothing attached, attaches an XDP_PASS program in native mode
 * only if no program is attached (XDP_FLAGS_UPDATE_IF_NOEXIST) and detaches exactly
 * that program again; every other path only reads. */
void pc_xdp_native(unsigned ifindex, uint8_t attach_mode, struct pc_native_result *r);

#endif /* PC_KERN_XDP_NATIVE_H */

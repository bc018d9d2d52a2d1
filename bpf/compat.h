/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What the program does on kernels that lack a helper it prefers. The loader probes
 * each helper (libbpf_probe_bpf_helper) and sets the matching read-only global before
 * load. The verifier knows those values, so it never walks the branch the kernel
 * cannot run (an unknown helper there would fail the load) and removes it: a kernel
 * that has the helper pays nothing for the fallback, and one that lacks it pays
 * nothing for the test. docs/kernels.md lists the kernels each helper needs. */
#ifndef PC_COMPAT_H
#define PC_COMPAT_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "portcullis.h"

/* bpf_ktime_get_coarse_ns(), from 5.11; bpf_ktime_get_ns() otherwise. */
const volatile __u8 cfg_has_coarse_clock = 1;
/* bpf_xdp_load_bytes(), from 5.18; a byte-wise copy by direct access otherwise. */
const volatile __u8 cfg_has_xdp_load_bytes = 1;

/* CLOCK_MONOTONIC at a jiffy's resolution, or exact where the coarse clock is
 * missing: every reader compares intervals of seconds, so either serves. */
static __always_inline __u64 clock_coarse_ns(void)
{
	if (cfg_has_coarse_clock)
		return bpf_ktime_get_coarse_ns();
	return bpf_ktime_get_ns();
}

/* Copies while the frame lasts: direct packet access, for kernels before 5.18. */
static __always_inline __u32 copy_frame_bytes(struct xdp_md *ctx, __u8 *dst, __u32 len)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 i;

	for (i = 0; i < PC_LOG_SNAP && i < len; i++) {
		if (data + i + 1 > data_end)
			break;
		dst[i] = *(__u8 *)(data + i);
	}
	return i;
}

/* The first len bytes of the frame into dst (1 <= len <= PC_LOG_SNAP, which the
 * caller proves to the verifier); returns how many were copied. */
static __always_inline __u32 xdp_snapshot(struct xdp_md *ctx, __u8 *dst, __u32 len)
{
	if (cfg_has_xdp_load_bytes)
		return bpf_xdp_load_bytes(ctx, 0, dst, len) ? 0 : len;
	return copy_frame_bytes(ctx, dst, len);
}

#endif /* PC_COMPAT_H */

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Native XDP support: advertised, or found by trying. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include "kern/netdev.h"
#include "kern/tinyprog.h"
#include "kern/xdp_native.h"

/* Tests take the path of a kernel without xdp-features on one that has them. */
#define NO_FEATURES_ENV "PC_TEST_NO_XDP_FEATURES"

/* Attaches a program that passes everything, in native mode, where no program is
 * attached, and removes exactly it: a program someone attaches meanwhile stays. */
static void test_attach(unsigned ifindex, struct pc_native_result *r)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, detach);
	struct pc_err ignore;
	int fd = pc_tinyprog_load(XDP_PASS, "pc_native_probe", &ignore), err;

	r->how = PC_NATIVE_BY_TEST;
	if (fd < 0) {
		r->how = PC_NATIVE_TEST_FAILED;
		r->err = errno;
		return;
	}
	err = bpf_xdp_attach((int)ifindex, fd, XDP_FLAGS_DRV_MODE | XDP_FLAGS_UPDATE_IF_NOEXIST,
			     NULL);
	if (!err) {
		r->native = PC_NATIVE_YES;
		detach.old_prog_fd = fd;
		bpf_xdp_detach((int)ifindex, XDP_FLAGS_DRV_MODE | XDP_FLAGS_REPLACE, &detach);
	} else if (err == -EBUSY || err == -EEXIST) {
		r->how = PC_NATIVE_TEST_RACED;
	} else {
		r->native = PC_NATIVE_NO;
		r->err = -err;
	}
	close(fd);
}

void pc_xdp_native(unsigned ifindex, uint8_t attach_mode, struct pc_native_result *r)
{
	*r = (struct pc_native_result){ .native = PC_NATIVE_UNKNOWN };
	if (!getenv(NO_FEATURES_ENV) && !pc_netdev_xdp_features(ifindex, &r->features)) {
		r->have_features = true;
		r->how = PC_NATIVE_BY_FEATURES;
		r->native = r->features & PC_XDP_ACT_BASIC ? PC_NATIVE_YES : PC_NATIVE_NO;
		return;
	}
	if (attach_mode == XDP_ATTACHED_DRV || attach_mode == XDP_ATTACHED_HW) {
		r->how = PC_NATIVE_BY_RUNNING;
		r->native = PC_NATIVE_YES;
	} else if (attach_mode != XDP_ATTACHED_NONE) {
		r->how = PC_NATIVE_NOT_TESTED;
	} else {
		test_attach(ifindex, r);
	}
}

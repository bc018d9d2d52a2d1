// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* "r0 = ACTION; exit" as an XDP program. */
#include <errno.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include "tinyprog.h"

int pc_tinyprog_load(int action, const char *name, struct pc_err *e)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = action },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_XDP, name, "GPL", insns, 2, NULL);

	if (fd < 0)
		return pc_fail(e, errno,
			       errno == EPERM ? "run as root (CAP_BPF and CAP_NET_ADMIN)" : NULL,
			       "loading the %s XDP program (bpf BPF_PROG_LOAD)", name);
	return fd;
}

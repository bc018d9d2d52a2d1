// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Programs written as instructions. */
#include <errno.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include "kern/tinyprog.h"

#define MOV_R0(v)                                                                                  \
	{                                                                                          \
		.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = (v)              \
	}
#define ADD_R0(v)                                                                                  \
	{                                                                                          \
		.code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = BPF_REG_0, .imm = (v)              \
	}
#define EXIT                                                                                       \
	{                                                                                          \
		.code = BPF_JMP | BPF_EXIT                                                         \
	}

static int load(const struct bpf_insn *insns, size_t n, const char *name, struct pc_err *e)
{
	int fd = bpf_prog_load(BPF_PROG_TYPE_XDP, name, "GPL", insns, n, NULL);

	if (fd < 0)
		return pc_fail(e, errno,
			       errno == EPERM ? "run as root (CAP_BPF and CAP_NET_ADMIN)" : NULL,
			       "loading the %s XDP program (bpf BPF_PROG_LOAD)", name);
	return fd;
}

int pc_tinyprog_load(int action, const char *name, struct pc_err *e)
{
	const struct bpf_insn insns[] = { MOV_R0(action), EXIT };

	return load(insns, 2, name, e);
}

int pc_tinyprog_chain_load(const char *name, struct pc_err *e)
{
	struct bpf_insn insns[PC_TINYPROG_CHAIN + 3];
	size_t n = 0;

	insns[n++] = (struct bpf_insn)MOV_R0(0);
	/* Each addition waits for the one before: no two can share a cycle. */
	for (int i = 0; i < PC_TINYPROG_CHAIN; i++)
		insns[n++] = (struct bpf_insn)ADD_R0(1);
	insns[n++] = (struct bpf_insn)MOV_R0(XDP_PASS);
	insns[n++] = (struct bpf_insn)EXIT;
	return load(insns, n, name, e);
}

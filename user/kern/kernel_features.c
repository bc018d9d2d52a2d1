// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Probes for the kernel features of kernel_features.h. */
#include <errno.h>
#include <net/if.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "kern/kernel_features.h"
#include "kern/tinyprog.h"

const struct pc_feature_desc pc_feature_table[] = {
	{ PC_FEAT_COARSE_CLOCK, "coarse_clock", "5.11",
	  "flow and drop-log clocks read bpf_ktime_get_ns()" },
	{ PC_FEAT_XDP_LOAD_BYTES, "xdp_load_bytes", "5.18",
	  "the drop log copies frames byte by byte" },
	{ PC_FEAT_TCX, "tcx", "6.6", "the egress hook is a clsact filter" },
	{ PC_FEAT_LIVE_FRAMES, "live_frames", "5.18", "flood sends through a packet socket" },
};
const unsigned pc_feature_count = sizeof(pc_feature_table) / sizeof(pc_feature_table[0]);

const struct pc_feature_desc *pc_feature(unsigned bit)
{
	for (unsigned i = 0; i < pc_feature_count; i++)
		if (pc_feature_table[i].bit == bit)
			return &pc_feature_table[i];
	return NULL;
}

static bool has_helper(enum bpf_func_id id)
{
	return libbpf_probe_bpf_helper(BPF_PROG_TYPE_XDP, id, NULL) == 1;
}

/* A tcx link to ifindex 0: a kernel with tcx looks for the interface (ENODEV), one
 * without rejects the attach type (EINVAL). Nothing is attached either way. */
static bool has_tcx(void)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = -1 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, po, .expected_attach_type = PC_BPF_TCX_EGRESS);
	int prog = bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, "pc_tcx_probe", "GPL", insns, 2, &po);
	int link, err;

	if (prog < 0) /* an old kernel may refuse the attach type at load */
		return false;
	link = bpf_link_create(prog, 0, PC_BPF_TCX_EGRESS, NULL);
	err = link < 0 ? errno : 0;
	if (link >= 0)
		close(link);
	close(prog);
	return err == ENODEV;
}

/* One live-frames run of a dropping program, on loopback: nothing is sent. */
static bool has_live_frames(void)
{
	struct pc_err ignore;
	unsigned char frame[64] = { 0 };
	struct xdp_md ctx = { .data_end = sizeof(frame), .ingress_ifindex = if_nametoindex("lo") };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = sizeof(frame),
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .flags = BPF_F_TEST_XDP_LIVE_FRAMES,
		    .repeat = 1);
	int fd = pc_tinyprog_load(XDP_DROP, "pc_live_probe", &ignore), err;

	if (fd < 0)
		return false;
	err = bpf_prog_test_run_opts(fd, &opts);
	close(fd);
	return !err;
}

unsigned pc_features_probe(void)
{
	static unsigned have;
	static bool probed;

	if (probed)
		return have;
	probed = true;
	if (has_helper(BPF_FUNC_ktime_get_coarse_ns))
		have |= PC_FEAT_COARSE_CLOCK;
	if (has_helper(BPF_FUNC_xdp_load_bytes))
		have |= PC_FEAT_XDP_LOAD_BYTES;
	if (has_tcx())
		have |= PC_FEAT_TCX;
	if (has_live_frames())
		have |= PC_FEAT_LIVE_FRAMES;
	return have;
}

/* "name, no name (Linux N): fallback, ..." for the bits of `known`. */
static void print_list(FILE *out, unsigned have, unsigned known)
{
	const char *sep = "";

	for (unsigned i = 0; i < pc_feature_count; i++) {
		const struct pc_feature_desc *f = &pc_feature_table[i];

		if (!(known & f->bit))
			continue;
		if (have & f->bit)
			fprintf(out, "%s%s", sep, f->name);
		else
			fprintf(out, "%sno %s (Linux %s): %s", sep, f->name, f->since, f->fallback);
		sep = ", ";
	}
}

void pc_features_line(FILE *out, const char *indent, unsigned features)
{
	fprintf(out, "%skernel features: ", indent);
	if (features & PC_FEAT_PROBED)
		print_list(out, features, PC_FEAT_PROGRAM);
	else
		fputs("not recorded (loaded by a portcullis from before probing)", out);
	fputc('\n', out);
}

struct json_object *pc_features_json(unsigned features)
{
	struct json_object *o;

	if (!(features & PC_FEAT_PROBED))
		return NULL;
	o = json_object_new_object();
	for (unsigned i = 0; i < pc_feature_count; i++) {
		const struct pc_feature_desc *f = &pc_feature_table[i];

		if (PC_FEAT_PROGRAM & f->bit)
			pc_json_add_bool(o, f->name, features & f->bit);
	}
	return o;
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A rejected load explains itself: the program, the source line with its file and
 * line (from the log on newer kernels, from the object's BTF line info on older ones),
 * the verifier's last message, and this kernel against the tested ones. The logs are
 * the tails of real rejections: 6.1's of the trie directory before the fix, and the
 * "@ file:line" form of newer kernels. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"
#include "kern/verifier_log.h"
#include "portcullis.skel.h"

static const char *const log_61[] = {
	"libbpf: prog 'portcullis_xdp': BPF program load failed: Permission denied",
	"libbpf: prog 'portcullis_xdp': -- BEGIN PROG LOAD LOG --",
	"Func#2 is global and valid. Skipping.",
	"1800: R0_w=scalar()",
	"; struct pc_dir *dir = bpf_map_lookup_elem(&dirs, &class);",
	"; if (!dir || slot >= PC_DIR_SLOTS)",
	"; key = dir->page[slot];",
	"1812: (61) r2 = *(u32 *)(r1 +0)",
	"math between map_value pointer and register with unbounded min value is not allowed",
	"processed 384 insns (limit 1000000) max_states_per_insn 3 total_states 33 peak_states 33 "
	"mark_read 17",
	"-- END PROG LOAD LOG --",
	"libbpf: prog 'portcullis_xdp': failed to load: -13",
	"libbpf: failed to load object 'portcullis'",
};

static const char *const log_new[] = {
	"libbpf: prog 'portcullis_egress': -- BEGIN PROG LOAD LOG --",
	"; len = ipv6_ext_len(h, data_end, nexthdr, pkt); @ parse.h:230",
	"invalid access to packet, off=0 size=8, R1(id=0,off=0,r=0)",
	"processed 12 insns (limit 1000000) max_states_per_insn 0 total_states 1",
	"verification time 52 usec",
	"stack depth 64",
	"-- END PROG LOAD LOG --",
};

TEST(parses_a_61_rejection)
{
	struct pc_vlog_parts p;

	EXPECT_TRUE(pc_vlog_parse(log_61, sizeof(log_61) / sizeof(log_61[0]), &p));
	EXPECT_STR(p.prog, "portcullis_xdp");
	EXPECT_STR(p.source, "key = dir->page[slot];");
	EXPECT_STR(p.where, "");
	EXPECT_STR(p.message,
		   "math between map_value pointer and register with unbounded min value is not "
		   "allowed");
}

TEST(parses_file_and_line_of_newer_kernels)
{
	struct pc_vlog_parts p;

	EXPECT_TRUE(pc_vlog_parse(log_new, sizeof(log_new) / sizeof(log_new[0]), &p));
	EXPECT_STR(p.prog, "portcullis_egress");
	EXPECT_STR(p.source, "len = ipv6_ext_len(h, data_end, nexthdr, pkt);");
	EXPECT_STR(p.where, "parse.h:230");
	EXPECT_STR(p.message, "invalid access to packet, off=0 size=8, R1(id=0,off=0,r=0)");
}

static void add(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pc_vlog_add(fmt, ap);
	va_end(ap);
}

/* The line of bpf/lookup.h that holds text, 0 if none. */
static int line_of(const char *path, const char *text)
{
	char buf[512];
	int n = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	while (fgets(buf, sizeof(buf), f)) {
		n++;
		if (strstr(buf, text)) {
			fclose(f);
			return n;
		}
	}
	fclose(f);
	return 0;
}

TEST(explains_with_the_line_from_btf)
{
	size_t size;
	const void *elf = portcullis__elf_bytes(&size);
	int line = line_of("bpf/lookup.h", "key = dir->page[slot];");
	char want[64];
	struct pc_err e = { 0 };

	EXPECT_TRUE(line > 0);
	snprintf(want, sizeof(want), "lookup.h:%d: key = dir->page[slot];", line);
	pc_vlog_reset();
	/* As libbpf prints it: the whole log in one message. */
	add("libbpf: prog '%s': -- BEGIN PROG LOAD LOG --\n%s-- END PROG LOAD LOG --\n",
	    "portcullis_xdp",
	    "; key = dir->page[slot];\n"
	    "math between map_value pointer and register with unbounded min value is not "
	    "allowed\nprocessed 384 insns (limit 1000000)\n");
	add("libbpf: prog '%s': failed to load: %d\n", "portcullis_xdp", -13);
	EXPECT_EQ(pc_vlog_explain(elf, size, -EACCES, "loading the XDP program", &e), -1);
	EXPECT_TRUE(strstr(e.msg, "loading the XDP program: the kernel's verifier rejected "
				  "program portcullis_xdp") != NULL);
	EXPECT_TRUE(strstr(e.msg, want) != NULL);
	EXPECT_TRUE(strstr(e.msg, "verifier: math between map_value pointer") != NULL);
	EXPECT_TRUE(strstr(e.msg, "this kernel is ") != NULL);
	EXPECT_TRUE(strstr(e.msg, "tested on Linux 5.10, 6.1 and 6.12") != NULL);
	EXPECT_TRUE(strstr(e.msg, "-v") != NULL);
	if (pc_test_failed())
		fprintf(stderr, "message: %s\n", e.msg);
	pc_vlog_reset();
}

TEST(without_a_log_says_what_to_do)
{
	struct pc_err e = { 0 };

	pc_vlog_reset();
	add("libbpf: failed to create map 'flows': %d\n", -12);
	EXPECT_EQ(pc_vlog_explain(NULL, 0, -ENOMEM, "loading the XDP program", &e), -1);
	EXPECT_TRUE(strstr(e.msg, "loading the XDP program: ") != NULL);
	EXPECT_TRUE(strstr(e.msg, "run with -v") != NULL);
	pc_vlog_reset();
	EXPECT_EQ(pc_vlog_explain(NULL, 0, -EPERM, "loading the XDP program", &e), -1);
	EXPECT_TRUE(strstr(e.msg, "run as root") != NULL);
}

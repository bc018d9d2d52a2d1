// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Loading the bench's floor program from its skeleton. */
#include <errno.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "bench_floor.skel.h"
#include "kern/bench_floor.h"

int pc_bench_floor_load(struct pc_err *e)
{
	struct bench_floor *skel = bench_floor__open_and_load();
	int fd, err;

	if (!skel) {
		err = errno;
		return pc_fail(e, err,
			       err == EPERM ? "run as root (CAP_BPF and CAP_NET_ADMIN)" : NULL,
			       "loading the floor XDP program (bpf BPF_PROG_LOAD)");
	}
	/* The program holds its map: a duplicate of its fd outlives the skeleton. */
	fd = dup(bpf_program__fd(skel->progs.pc_bench_floor));
	err = errno;
	bench_floor__destroy(skel);
	if (fd < 0)
		return pc_fail(e, err, NULL, "keeping the floor XDP program (dup)");
	return fd;
}

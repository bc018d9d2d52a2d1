// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The transmitter of transmitter.h, over the flood_tx skeleton. */
#include <errno.h>
#include <stdlib.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "flood_tx.skel.h"
#include "kern/transmitter.h"

struct pc_transmitter {
	struct flood_tx *skel;
};

static int fill(struct bpf_map *map, const void *values, uint32_t n, struct pc_err *e)
{
	uint32_t *keys = calloc(n, sizeof(*keys)), count = n;
	int err = 0;

	if (!keys)
		return pc_fail(e, ENOMEM, NULL, "filling map %s", bpf_map__name(map));
	for (uint32_t i = 0; i < n; i++)
		keys[i] = i;
	if (bpf_map_update_batch(bpf_map__fd(map), keys, values, &count, NULL))
		err = pc_fail(e, errno, NULL, "filling map %s (bpf_map_update_batch)",
			      bpf_map__name(map));
	free(keys);
	return err;
}

static int load(struct flood_tx *skel, uint32_t n_frames, uint32_t schedule_len, uint32_t run_len,
		struct pc_err *e)
{
	int err;

	skel->rodata->schedule_len = schedule_len;
	skel->rodata->run_len = run_len;
	bpf_map__set_max_entries(skel->maps.frames, n_frames);
	bpf_map__set_max_entries(skel->maps.sent, n_frames);
	bpf_map__set_max_entries(skel->maps.schedule, schedule_len);
	err = flood_tx__load(skel);
	if (err)
		return pc_fail(e, err,
			       err == -EPERM ? "run as root"
					     : "run with -v to see the verifier log",
			       "loading the flood's transmitter (bpf BPF_PROG_LOAD)");
	return 0;
}

int pc_tx_open(const struct pc_flood_frame *frames, uint32_t n_frames, const uint32_t *schedule,
	       uint32_t schedule_len, uint32_t run_len, struct pc_transmitter **out,
	       struct pc_err *e)
{
	struct pc_transmitter *t = calloc(1, sizeof(*t));
	int err;

	if (!t)
		return pc_fail(e, ENOMEM, NULL, "preparing the flood's transmitter");
	if (!(t->skel = flood_tx__open())) {
		err = pc_fail(e, errno, NULL, "opening the flood's BPF object");
		goto fail;
	}
	err = load(t->skel, n_frames, schedule_len, run_len, e);
	if (!err)
		err = fill(t->skel->maps.frames, frames, n_frames, e);
	if (!err)
		err = fill(t->skel->maps.schedule, schedule, schedule_len, e);
	if (!err) {
		*out = t;
		return 0;
	}
fail:
	pc_tx_close(t);
	return err;
}

int pc_tx_run(const struct pc_transmitter *t, const void *frame, uint32_t len, int ifindex,
	      unsigned long long n, uint32_t batch)
{
	struct xdp_md ctx = { .data_end = len, .ingress_ifindex = (uint32_t)ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = len, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .flags = BPF_F_TEST_XDP_LIVE_FRAMES,
		    .repeat = (uint32_t)n, .batch_size = batch);

	return bpf_prog_test_run_opts(bpf_program__fd(t->skel->progs.flood_tx), &opts) ? -errno : 0;
}

int pc_tx_sent(const struct pc_transmitter *t, uint32_t n, unsigned long long *sent,
	       struct pc_err *e)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *v;

	v = calloc(ncpu > 0 ? ncpu : 1, sizeof(*v));
	if (!v || ncpu < 0) {
		free(v);
		return pc_fail(e, ENOMEM, NULL, "reading the flood's counts");
	}
	for (uint32_t i = 0; i < n; i++) {
		sent[i] = 0;
		if (bpf_map_lookup_elem(bpf_map__fd(t->skel->maps.sent), &i, v)) {
			free(v);
			return pc_fail(e, errno, NULL, "reading the flood's count of stream %u", i);
		}
		for (int c = 0; c < ncpu; c++)
			sent[i] += v[c];
	}
	free(v);
	return 0;
}

void pc_tx_close(struct pc_transmitter *t)
{
	if (!t)
		return;
	flood_tx__destroy(t->skel);
	free(t);
}

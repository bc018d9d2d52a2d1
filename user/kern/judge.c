// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The seam of judge.h: counters read, the frame run, the counters read again. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "kern/judge.h"

int pc_judge_init(struct pc_judge *j, int prog_fd, int counters_fd, uint32_t n_counters,
		  unsigned flags, struct pc_err *e)
{
	size_t slots;

	memset(j, 0, sizeof(*j));
	j->prog_fd = prog_fd;
	j->counters_fd = counters_fd;
	j->n_counters = n_counters;
	j->flags = flags;
	j->ncpu = libbpf_num_possible_cpus();
	if (j->ncpu < 0)
		return pc_fail(e, j->ncpu, NULL, "counting possible CPUs");
	slots = flags & PC_JUDGE_BATCH ? (size_t)n_counters * j->ncpu : (size_t)j->ncpu;
	j->before = calloc(n_counters, sizeof(*j->before));
	j->after = calloc(n_counters, sizeof(*j->after));
	j->percpu = calloc(slots, sizeof(*j->percpu));
	j->keys = calloc(n_counters, sizeof(*j->keys));
	if (!j->before || !j->after || !j->percpu || !j->keys) {
		pc_judge_free(j);
		return pc_fail(e, ENOMEM, NULL, "preparing to run frames through the program");
	}
	return 0;
}

void pc_judge_free(struct pc_judge *j)
{
	free(j->before);
	free(j->after);
	free(j->percpu);
	free(j->keys);
	j->before = j->after = j->percpu = NULL;
	j->keys = NULL;
}

static void sum_cpus(const struct pc_count *percpu, int ncpu, struct pc_count *out)
{
	*out = (struct pc_count){ 0 };
	for (int c = 0; c < ncpu; c++) {
		out->packets += percpu[c].packets;
		out->bytes += percpu[c].bytes;
	}
}

/* Counter k summed over the CPUs, into out[k]. */
static int read_one(struct pc_judge *j, uint32_t k, struct pc_count *out, struct pc_err *e)
{
	if (bpf_map_lookup_elem(j->counters_fd, &k, j->percpu))
		return pc_fail(e, errno, NULL, "reading counter %u", k);
	sum_cpus(j->percpu, j->ncpu, &out[k]);
	return 0;
}

/* Every counter in one batch lookup; 1 when the kernel has none for this map. */
static int read_batch(struct pc_judge *j, struct pc_count *out, struct pc_err *e)
{
	uint32_t count = j->n_counters, out_batch;

	if (bpf_map_lookup_batch(j->counters_fd, NULL, &out_batch, j->keys, j->percpu, &count,
				 NULL) &&
	    errno != ENOENT) {
		j->no_batch = true;
		return 1;
	}
	if (count != j->n_counters)
		return pc_fail(e, EIO, NULL, "reading %u counters in a batch: %u came",
			       j->n_counters, count);
	for (uint32_t k = 0; k < j->n_counters; k++)
		sum_cpus(&j->percpu[(size_t)k * j->ncpu], j->ncpu, &out[k]);
	return 0;
}

static int read_all(struct pc_judge *j, struct pc_count *out, struct pc_err *e)
{
	int err = 1;

	if ((j->flags & PC_JUDGE_BATCH) && !j->no_batch)
		err = read_batch(j, out, e);
	for (uint32_t k = 0; err > 0 && k < j->n_counters; k++)
		if (read_one(j, k, out, e))
			return -1;
	return err < 0 ? -1 : 0;
}

static int read_some(struct pc_judge *j, const uint32_t *keys, int n, struct pc_count *out,
		     struct pc_err *e)
{
	for (int i = 0; i < n; i++)
		if (read_one(j, keys[i], out, e))
			return -1;
	return 0;
}

static int test_run(const struct pc_judge *j, const void *frame, size_t len, uint32_t *action,
		    struct pc_err *e)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = (uint32_t)len,
		    .repeat = 1);

	if (bpf_prog_test_run_opts(j->prog_fd, &opts))
		return pc_fail(e, errno, errno == EPERM ? "run as root" : NULL,
			       "bpf BPF_PROG_TEST_RUN on a %zu-byte frame", len);
	*action = opts.retval;
	return 0;
}

/* Counter k's move between before and after, recorded in v. */
static void compare(const struct pc_judge *j, uint32_t k, struct pc_verdict *v)
{
	uint64_t packets = j->after[k].packets - j->before[k].packets;
	uint64_t bytes = j->after[k].bytes - j->before[k].bytes;

	if (!packets && !bytes)
		return;
	v->moved++;
	v->counter = (int)k;
	v->packets = packets;
	v->bytes = bytes;
}

/* The counters a frame made for counter hint can land on: the implicit ones and the
 * hinted one, into cand; how many. */
static int candidates(const struct pc_judge *j, uint32_t hint, uint32_t cand[PC_CNT_IMPLICIT + 1])
{
	int n = 0;

	for (uint32_t k = 0; k < PC_CNT_IMPLICIT && k < j->n_counters; k++)
		cand[n++] = k;
	if (hint >= PC_CNT_IMPLICIT)
		cand[n++] = hint;
	return n;
}

/* The implicit counters and the hinted one, before and after the run. */
static int run_hinted(struct pc_judge *j, const void *frame, size_t len, uint32_t hint,
		      struct pc_verdict *v, struct pc_err *e)
{
	uint32_t cand[PC_CNT_IMPLICIT + 1];
	int n = candidates(j, hint, cand);
	j->have_before = false;
	if (read_some(j, cand, n, j->before, e) || test_run(j, frame, len, &v->action, e) ||
	    read_some(j, cand, n, j->after, e))
		return -1;
	for (int i = 0; i < n; i++)
		compare(j, cand[i], v);
	return 0;
}

static int run_all(struct pc_judge *j, const void *frame, size_t len, struct pc_verdict *v,
		   struct pc_err *e)
{
	bool keep = j->flags & PC_JUDGE_KEEP;

	if (!(keep && j->have_before) && read_all(j, j->before, e))
		return -1;
	j->have_before = false;
	if (test_run(j, frame, len, &v->action, e) || read_all(j, j->after, e))
		return -1;
	for (uint32_t k = 0; k < j->n_counters; k++)
		compare(j, k, v);
	if (keep) {
		memcpy(j->before, j->after, j->n_counters * sizeof(*j->before));
		j->have_before = true;
	}
	return 0;
}

/* Every counter read, and compared with the snapshot in before, which holds what the
 * frames judged since the last audit explain. */
static int audit(struct pc_judge *j, struct pc_verdict *v, struct pc_err *e)
{
	j->since_audit = 0;
	if (read_all(j, j->after, e))
		return -1;
	for (uint32_t k = 0; k < j->n_counters; k++)
		if (memcmp(&j->after[k], &j->before[k], sizeof(j->after[k])))
			v->stray++;
	memcpy(j->before, j->after, j->n_counters * sizeof(*j->before));
	return 0;
}

/* KEEP with a hint: before is a snapshot of every counter, so only the candidates are
 * read after the run; when they show anything but one move by this frame, every
 * counter is, and the frame is judged on all of them. */
static int run_kept_hinted(struct pc_judge *j, const void *frame, size_t len, uint32_t hint,
			   struct pc_verdict *v, struct pc_err *e)
{
	uint32_t cand[PC_CNT_IMPLICIT + 1];
	int n = candidates(j, hint, cand);
	if (test_run(j, frame, len, &v->action, e) || read_some(j, cand, n, j->after, e))
		return -1;
	for (int i = 0; i < n; i++)
		compare(j, cand[i], v);
	if (v->moved == 1 && v->packets == 1 && v->bytes == len) {
		j->before[v->counter] = j->after[v->counter];
		return ++j->since_audit >= PC_JUDGE_AUDIT ? audit(j, v, e) : 0;
	}
	*v = (struct pc_verdict){ .action = v->action, .counter = -1 };
	if (read_all(j, j->after, e))
		return -1;
	for (uint32_t k = 0; k < j->n_counters; k++)
		compare(j, k, v);
	memcpy(j->before, j->after, j->n_counters * sizeof(*j->before));
	j->since_audit = 0;
	return 0;
}

int pc_judge_run(struct pc_judge *j, const void *frame, size_t len, int hint, struct pc_verdict *v,
		 struct pc_err *e)
{
	*v = (struct pc_verdict){ .counter = -1 };
	if (hint >= 0 && (uint32_t)hint < j->n_counters && (j->flags & PC_JUDGE_KEEP))
		return j->have_before ? run_kept_hinted(j, frame, len, (uint32_t)hint, v, e)
				      : run_all(j, frame, len, v, e);
	if (hint >= 0 && (uint32_t)hint < j->n_counters) {
		if (run_hinted(j, frame, len, hint, v, e))
			return -1;
		if (v->moved)
			return 0;
		*v = (struct pc_verdict){ .counter = -1 };
	}
	return run_all(j, frame, len, v, e);
}

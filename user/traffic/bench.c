// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `bench`: each stream of a mix runs through BPF_PROG_TEST_RUN `repeat` times, once
 * with the real program (the profile's maps filled, its settings as globals) and once
 * with an empty program, back to back, in every round. The difference of the two is
 * what portcullis adds to a packet; the empty program's own time is the test run's
 * loop and the program call, which a NIC driver pays too. The floor program (parsing
 * and one per-CPU counter) is measured the same way, and portcullis's added cost is
 * also given as a multiple of the floor's.
 *
 * Time is read around the syscall (the kernel's own figure is whole nanoseconds), on
 * one CPU, in runs of about 2 ms; a run the thread was scheduled out of is run again.
 * Rounds alternate which program goes first, and the medians over the rounds are
 * reported, so that a noisy neighbour moves a figure only when it lasts. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include "kern/bench_floor.h"
#include "kern/tinyprog.h"
#include "traffic/bench.h"
#include "traffic/mix.h"
#include "traffic/testbed.h"

/* Per stream, per round: ns per packet of each program and their difference. */
struct timing {
	double *empty, *real, *added;
};

/* A stream's figures, medians over the rounds; floor: what the floor program adds. */
struct figures {
	double empty, real, added, floor;
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Frames per test run: about 2 ms, shorter than a scheduler tick, so that a run the
 * thread was scheduled out of can be told and run again. */
#define RUN_CHUNK 65536
#define RUN_TRIES 5

/* One test run of n frames: ns per frame from the wall clock, unless the kernel's
 * figure (whole ns, not counting the time the thread was scheduled out) says the run
 * was interrupted for longer than its rounding, in which case it runs again; the
 * last try keeps the kernel's figure. */
static int time_chunk(int fd, const struct pc_stream *s, unsigned long n, double *ns,
		      struct pc_err *e)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = s->frame, .data_size_in = s->len, .repeat = n);

	for (int attempt = 0; attempt < RUN_TRIES; attempt++) {
		double t0 = now_ns();

		if (bpf_prog_test_run_opts(fd, &o))
			return pc_fail(e, errno, errno == EPERM ? "run as root" : NULL,
				       "bpf BPF_PROG_TEST_RUN of stream %s", s->name);
		*ns = (now_ns() - t0) / n;
		if (*ns < o.duration + 1.5)
			return 0;
	}
	*ns = o.duration + 0.5;
	return 0;
}

/* ns per packet of one program on one frame, over `repeat` frames. */
static int time_run(int fd, const struct pc_stream *s, unsigned long repeat, double *ns,
		    struct pc_err *e)
{
	double total = 0;

	for (unsigned long done = 0; done < repeat;) {
		unsigned long n = repeat - done < RUN_CHUNK ? repeat - done : RUN_CHUNK;
		double per = 0;

		if (time_chunk(fd, s, n, &per, e))
			return -1;
		total += per * n;
		done += n;
	}
	*ns = total / repeat;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, unsigned long n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int pin_cpu(int *cpu, struct pc_err *e)
{
	cpu_set_t set;

	if (*cpu < 0)
		*cpu = sched_getcpu();
	if (*cpu < 0)
		return pc_fail(e, errno, NULL, "sched_getcpu");
	CPU_ZERO(&set);
	CPU_SET(*cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		return pc_fail(e, errno, "choose an online CPU with --cpu",
			       "pinning the benchmark to CPU %d (sched_setaffinity)", *cpu);
	return 0;
}

/* Every round: each stream through both programs, in alternating order. */
static int measure(const struct pc_bench_opts *o, const struct pc_mix *m, int real_fd, int empty_fd,
		   struct timing *t, struct pc_err *e)
{
	for (size_t i = 0; i < m->n; i++) {
		double warm;

		/* First touches (pages, caches, the branch predictor) are not timed. */
		if (time_run(real_fd, &m->s[i], 1000, &warm, e) ||
		    time_run(empty_fd, &m->s[i], 1000, &warm, e))
			return -1;
	}
	for (unsigned long r = 0; r < o->rounds; r++) {
		for (size_t i = 0; i < m->n; i++) {
			double *a = &t[i].empty[r], *b = &t[i].real[r];
			int first = r % 2 ? real_fd : empty_fd, second = r % 2 ? empty_fd : real_fd;

			if (time_run(first, &m->s[i], o->repeat, r % 2 ? b : a, e) ||
			    time_run(second, &m->s[i], o->repeat, r % 2 ? a : b, e))
				return -1;
			t[i].added[r] = *b - *a;
		}
	}
	return 0;
}

static double mpps(double ns)
{
	return ns > 0 ? 1e3 / ns : 0;
}

/* portcullis's added cost as a multiple of the floor's; 0 when the floor is too small
 * to divide by (a timer that cannot tell it from the empty program). */
static double times_floor(const struct figures *f)
{
	return f->floor >= 0.1 ? f->added / f->floor : 0;
}

static void print_header(const struct pc_bench_opts *o, const struct pc_testbed *tb,
			 const struct pc_mix *m, double ghz, FILE *out)
{
	const char *state = tb->p.opt.state ? "on" : "off";
	char clock[96];

	if (ghz > 0)
		snprintf(clock, sizeof(clock), "core clock %.2f GHz (1 ns = %.2f cycles)", ghz,
			 ghz);
	else
		snprintf(clock, sizeof(clock), "core clock unknown (the timer could not tell)");
	if (o->markdown) {
		fprintf(out,
			"`%s`: %u rules, %.1f KiB of rule tables (compiled in %.1f ms, loaded in "
			"%.1f "
			"ms), state %s; %s, %zu streams; %lu frames a run, %lu rounds, CPU %d, "
			"medians; %s.\n\n",
			tb->path, tb->img.n_rules, pc_image_bytes(&tb->img) / 1024.0,
			tb->compile_ms, tb->load_ms, state, m->origin, m->n, o->repeat, o->rounds,
			o->cpu, clock);
		fprintf(out, "| stream | weight | outcome | empty ns | portcullis ns | added ns | "
			     "empty Mpps | portcullis Mpps | floor added ns | added / floor |\n"
			     "|---|--:|---|--:|--:|--:|--:|--:|--:|--:|\n");
		return;
	}
	fprintf(out,
		"profile  %s: %u rules, %.1f KiB of rule tables, compiled in %.1f ms, loaded in "
		"%.1f ms, "
		"state %s\n",
		tb->path, tb->img.n_rules, pc_image_bytes(&tb->img) / 1024.0, tb->compile_ms,
		tb->load_ms, state);
	fprintf(out, "mix      %s: %zu streams\n", m->origin, m->n);
	fprintf(out,
		"method   BPF_PROG_TEST_RUN, %lu frames a run, %lu rounds beside an empty XDP "
		"program, CPU %d; medians\n"
		"floor    the parser and one per-CPU counter, nothing decided, measured the "
		"same way\n",
		o->repeat, o->rounds, o->cpu);
	if (ghz > 0)
		fprintf(out,
			"clock    %.2f GHz: %d dependent additions take %.1f ns beyond the empty "
			"program\n\n",
			ghz, PC_TINYPROG_CHAIN, PC_TINYPROG_CHAIN / ghz);
	else
		fprintf(out,
			"clock    unknown: %d dependent additions took no longer than the "
			"empty program\n\n",
			PC_TINYPROG_CHAIN);
	fprintf(out, "%-28s %6s  %-18s %9s %13s %9s %11s %16s %9s %8s\n", "stream", "weight",
		"outcome", "empty ns", "portcullis ns", "added ns", "empty Mpps", "portcullis Mpps",
		"floor ns", "x floor");
}

static void print_row(const struct pc_bench_opts *o, const char *name, const char *weight,
		      const char *outcome, const struct figures *f, FILE *out)
{
	char times[16] = "-";

	if (times_floor(f) > 0)
		snprintf(times, sizeof(times), "%.1f", times_floor(f));
	if (o->markdown)
		fprintf(out, "| %s | %s | %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %s |\n",
			name, weight, outcome, f->empty, f->real, f->added, mpps(f->empty),
			mpps(f->real), f->floor, times);
	else
		fprintf(out, "%-28s %6s  %-18s %9.1f %13.1f %9.1f %11.1f %16.1f %9.1f %8s\n", name,
			weight, outcome, f->empty, f->real, f->added, mpps(f->empty), mpps(f->real),
			f->floor, times);
}

static void report(const struct pc_bench_opts *o, const struct pc_testbed *tb,
		   const struct pc_mix *m, struct timing *t, struct timing *tf, double ghz,
		   FILE *out)
{
	struct figures mix = { 0 };
	double w = pc_mix_total_weight(m);
	char weight[16];

	print_header(o, tb, m, ghz, out);
	for (size_t i = 0; i < m->n; i++) {
		const struct pc_stream *s = &m->s[i];
		struct figures f = {
			.empty = median(t[i].empty, o->rounds),
			.real = median(t[i].real, o->rounds),
			.added = median(t[i].added, o->rounds),
			.floor = median(tf[i].added, o->rounds),
		};
		char outcome[64];

		mix.empty += f.empty * s->weight / w;
		mix.real += f.real * s->weight / w;
		mix.added += f.added * s->weight / w;
		mix.floor += f.floor * s->weight / w;
		snprintf(weight, sizeof(weight), "%u", s->weight);
		print_row(
			o, s->name, weight,
			pc_mix_outcome(s, tb->img.info, tb->img.n_rules, outcome, sizeof(outcome)),
			&f, out);
	}
	snprintf(weight, sizeof(weight), "%.0f", w);
	print_row(o, o->markdown ? "**mix (weighted)**" : "mix (weighted)", weight, "", &mix, out);
}

static int alloc_timing(struct timing **t, size_t n, unsigned long rounds, struct pc_err *e)
{
	*t = calloc(n, sizeof(**t));
	if (!*t)
		return pc_fail(e, ENOMEM, NULL, "allocating the timings");
	for (size_t i = 0; i < n; i++) {
		(*t)[i].empty = calloc(rounds, sizeof(double));
		(*t)[i].real = calloc(rounds, sizeof(double));
		(*t)[i].added = calloc(rounds, sizeof(double));
		if (!(*t)[i].empty || !(*t)[i].real || !(*t)[i].added)
			return pc_fail(e, ENOMEM, NULL, "allocating the timings");
	}
	return 0;
}

static void free_timing(struct timing *t, size_t n)
{
	for (size_t i = 0; t && i < n; i++) {
		free(t[i].empty);
		free(t[i].real);
		free(t[i].added);
	}
	free(t);
}

/* The core's clock: the chain of dependent additions timed as measure() times
 * portcullis, beside the empty program on the first stream's frame, in a tenth of the
 * frames (at least 10,000). GHz, or 0 when the chain took no longer than the empty
 * program (a timer too coarse to tell). */
static int measure_clock(const struct pc_bench_opts *o, const struct pc_mix *m, int empty_fd,
			 double *ghz, struct pc_err *e)
{
	struct pc_bench_opts co = *o;
	struct pc_mix first = { .s = m->s, .n = 1 };
	struct timing *t = NULL;
	int fd = pc_tinyprog_chain_load("pc_clock", e), err;
	double ns;

	if (fd < 0)
		return -1;
	co.repeat = o->repeat / 10 > 10000 ? o->repeat / 10 : 10000;
	err = alloc_timing(&t, 1, co.rounds, e);
	if (!err)
		err = measure(&co, &first, fd, empty_fd, t, e);
	if (!err) {
		ns = median(t[0].added, co.rounds);
		*ghz = ns > 0 ? PC_TINYPROG_CHAIN / ns : 0;
	}
	free_timing(t, 1);
	close(fd);
	return err;
}

int pc_bench_run(const struct pc_bench_opts *opts, struct pc_err *e)
{
	struct pc_bench_opts o = *opts;
	struct pc_testbed tb = { 0 };
	struct pc_mix m = { 0 };
	struct timing *t = NULL, *tf = NULL;
	int empty_fd = -1, floor_fd = -1, err, fd;
	double ghz = 0;

	/* Opened, not access()ed: access() asks about the real uid and ignores the
	 * capabilities a non-root user may read it with. */
	fd = open(o.profile, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return pc_usage(e, "cannot read the profile %s: %s; pass --profile PROFILE",
				o.profile, strerror(errno));
	close(fd);
	err = pc_testbed_prepare(o.profile, o.mix, &tb, &m, e);
	if (!err && (empty_fd = pc_tinyprog_load(XDP_PASS, "pc_empty", e)) < 0)
		err = -1;
	if (!err && (floor_fd = pc_bench_floor_load(e)) < 0)
		err = -1;
	if (!err)
		err = pin_cpu(&o.cpu, e);
	if (!err)
		err = alloc_timing(&t, m.n, o.rounds, e);
	if (!err)
		err = alloc_timing(&tf, m.n, o.rounds, e);
	if (!err)
		err = measure(&o, &m, pc_testbed_prog_fd(&tb), empty_fd, t, e);
	if (!err)
		err = measure(&o, &m, floor_fd, empty_fd, tf, e);
	if (!err)
		err = measure_clock(&o, &m, empty_fd, &ghz, e);
	if (!err)
		report(&o, &tb, &m, t, tf, ghz, stdout);
	free_timing(t, m.n);
	free_timing(tf, m.n);
	if (empty_fd >= 0)
		close(empty_fd);
	if (floor_fd >= 0)
		close(floor_fd);
	pc_mix_free(&m);
	pc_testbed_close(&tb);
	return err;
}

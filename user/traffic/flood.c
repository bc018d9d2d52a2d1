// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `flood`: a schedule lists each stream of the mix as often as its weight, spread
 * evenly, and every sender walks it, so that any stretch of the flood interleaves
 * every stream. Two transmitters walk it:
 *  - live frames (the default where the kernel allows them): the transmitter program
 *    (bpf/flood_tx.bpf.c) holds the frames and the schedule; each live-frames test run
 *    sends the next frames of the schedule, and the program counts what it sends per
 *    stream;
 *  - a packet socket (flood_packet.c), where the kernel refuses live frames: the same
 *    schedule from userspace, counted per stream as the kernel takes each frame.
 * `--via auto` asks the kernel once, with a program that drops the frame it is given,
 * and says on stderr when it falls back. Threads run on CPUs
 * of their own where there are enough, each with long runs (about a quarter of a
 * second: a test run's setup and teardown cost tens of milliseconds here), which SIGINT
 * does not cut short: it stops the loop between runs. What the interface then does with
 * a frame (a full veth ring, a link down) is the driver's to count (`ethtool -S`).
 *
 * A run stops at --count frames per stream and unit of weight (whole turns of the
 * schedule, so the counts come out exact), at --duration seconds (default 10 when
 * neither is given), or at SIGINT/SIGTERM. --rate sends runs of 0.1 s worth of frames
 * and sleeps between them. */
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "core/iface.h"
#include "core/json.h"
#include "core/rule_text.h"
#include "flood_tx.h"
#include "kern/kernel_features.h"
#include "kern/transmitter.h"
#include "traffic/flood.h"
#include "traffic/flood_packet.h"
#include "traffic/mix.h"
#include "traffic/testbed.h"

#define DEFAULT_DURATION 10
/* Seconds a run should last: long against a run's setup, short against SIGINT. */
#define RUN_SECONDS 0.25
#define RATE_RUN_SECONDS 0.1
#define FIRST_RUN 65536

struct flood {
	const struct pc_flood_opts *o;
	const struct pc_mix *m;
	struct pc_transmitter *tx; /* live frames; NULL: packet sockets */
	uint32_t *schedule;
	uint32_t schedule_len;
	uint32_t frame_len; /* of the run's frame: the longest stream's */
	int ifindex;
	double deadline; /* CLOCK_MONOTONIC seconds; 0: none */
};

struct worker {
	pthread_t tid;
	const struct flood *f;
	int cpu; /* -1: not pinned */
	unsigned long long rate;
	unsigned long long left; /* frames; ULLONG_MAX: no limit */
	struct pc_packet_tx ptx; /* packet sockets only: fd -1 otherwise */
	int failed;
	struct pc_err err;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_until(double t)
{
	double d = t - now_s();
	struct timespec ts;

	if (d <= 0)
		return;
	ts.tv_sec = (time_t)d;
	ts.tv_nsec = (long)((d - ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
}

/* Frames of the next run: RUN_SECONDS at the speed of the last one (or 0.1 s at the
 * rate), not beyond the deadline, and whole turns of the schedule under --count. */
static unsigned long long next_run(const struct worker *w, double speed)
{
	const struct flood *f = w->f;
	double secs = w->rate ? RATE_RUN_SECONDS : RUN_SECONDS;
	double n = w->rate ? w->rate * secs : speed > 0 ? speed * secs : FIRST_RUN;

	if (f->deadline && !w->rate && speed > 0 && n > speed * (f->deadline - now_s()))
		n = speed * (f->deadline - now_s());
	if (n < 1)
		n = 1;
	if (n > w->left)
		n = w->left;
	if (w->left != ULLONG_MAX) {
		unsigned long long turns = (unsigned long long)n / f->schedule_len;

		return (turns ? turns : 1) * f->schedule_len;
	}
	return n > 1e12 ? 1e12 : (unsigned long long)n;
}

static int live_error(struct pc_err *e, const char *ifname, int err)
{
	const char *advice = err == -EINVAL || err == -EOPNOTSUPP || err == -EPERM
				     ? "this kernel refuses live frames (they need Linux 5.18 or "
				       "later, and some kernels refuse them even to root): send "
				       "through a packet socket with --via packet"
				     : NULL;

	return pc_fail(e, err, advice, "transmitting on %s (bpf BPF_PROG_TEST_RUN, live frames)",
		       ifname);
}

/* Sends the next n frames; returns how many went, or -1 with w->err set. */
static long long transmit(struct worker *w, unsigned long long n)
{
	const struct flood *f = w->f;
	long long sent;
	int err;

	if (!f->tx)
		sent = pc_packet_tx_send(&w->ptx, n, &stop, f->o->ifname, &w->err);
	else if ((err = pc_tx_run(f->tx, f->m->s[0].frame, f->frame_len, f->ifindex, n,
				  (uint32_t)f->o->batch)))
		sent = live_error(&w->err, f->o->ifname, err);
	else
		sent = (long long)n;
	if (sent < 0) {
		w->failed = 1;
		stop = 1;
	}
	return sent;
}

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	const struct flood *f = w->f;
	unsigned long long total = 0;
	double start = now_s(), speed = 0;

	if (w->cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(w->cpu, &set);
		pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	}
	while (!stop && w->left) {
		unsigned long long n = next_run(w, speed);
		long long sent;
		double t0;

		if (w->rate)
			sleep_until(start + (double)total / w->rate);
		t0 = now_s();
		if (stop || (f->deadline && t0 >= f->deadline))
			break;
		sent = transmit(w, n);
		if (sent < 0)
			break;
		speed = sent / (now_s() - t0);
		total += (unsigned long long)sent;
		if (w->left != ULLONG_MAX)
			w->left -= (unsigned long long)sent;
	}
	return NULL;
}

/* The CPUs this process may run on, in order; thread t runs on the t-th (modulo). */
static int allowed_cpus(int *cpus, int max)
{
	cpu_set_t set;
	int n = 0;

	if (sched_getaffinity(0, sizeof(set), &set))
		return 0;
	for (int c = 0; c < CPU_SETSIZE && n < max; c++)
		if (CPU_ISSET(c, &set))
			cpus[n++] = c;
	return n;
}

static int start_workers(struct flood *f, struct worker *w, unsigned long n, struct pc_err *e)
{
	int cpus[CPU_SETSIZE], ncpu = allowed_cpus(cpus, CPU_SETSIZE);
	unsigned long k;

	for (k = 0; k < n; k++) {
		int err;

		w[k].f = f;
		w[k].cpu = ncpu ? cpus[k % ncpu] : -1;
		w[k].rate = f->o->rate / n + (k < f->o->rate % n);
		err = pthread_create(&w[k].tid, NULL, worker_run, &w[k]);
		if (err) {
			stop = 1;
			while (k--)
				pthread_join(w[k].tid, NULL);
			return pc_fail(e, err, NULL, "starting flood thread %lu", k + 1);
		}
	}
	return 0;
}

/* Packet sockets only: a socket and per-stream counts for every thread. */
static int packet_senders(const struct flood *f, struct worker *w, struct pc_err *e)
{
	for (unsigned long k = 0; !f->tx && k < f->o->threads; k++)
		w[k].ptx = (struct pc_packet_tx){ .fd = -1,
						  .m = f->m,
						  .schedule = f->schedule,
						  .schedule_len = f->schedule_len,
						  .batch = f->o->batch };
	for (unsigned long k = 0; !f->tx && k < f->o->threads; k++) {
		w[k].ptx.sent = calloc(f->m->n, sizeof(*w[k].ptx.sent));
		if (!w[k].ptx.sent)
			return pc_fail(e, ENOMEM, NULL, "allocating the flood's counts");
		w[k].ptx.fd = pc_packet_tx_open(f->ifindex, f->o->ifname, e);
		if (w[k].ptx.fd < 0)
			return -1;
	}
	return 0;
}

static void packet_senders_close(const struct flood *f, struct worker *w)
{
	for (unsigned long k = 0; w && !f->tx && k < f->o->threads; k++) {
		if (w[k].ptx.fd >= 0)
			close(w[k].ptx.fd);
		free(w[k].ptx.sent);
	}
}

/* Each thread's share of the frames: whole turns of the schedule. */
static void share_counts(const struct flood *f, struct worker *w)
{
	unsigned long n = f->o->threads;

	for (unsigned long k = 0; k < n; k++)
		w[k].left = !f->o->count
				    ? ULLONG_MAX
				    : (f->o->count / n + (k < f->o->count % n)) * f->schedule_len;
}

/* Blocks SIGINT and SIGTERM in the threads (a signal would cut a test run short and
 * make its count unknown); the main thread takes them and sets `stop`. */
static int run(struct flood *f, struct worker *w, double *secs, struct pc_err *e)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block, old;
	double t0;
	int err;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	t0 = now_s();
	f->deadline = f->o->duration ? t0 + f->o->duration : 0;
	err = start_workers(f, w, f->o->threads, e);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err)
		return -1;
	for (unsigned long k = 0; k < f->o->threads; k++)
		pthread_join(w[k].tid, NULL);
	*secs = now_s() - t0;
	for (unsigned long k = 0; k < f->o->threads; k++)
		if (w[k].failed) {
			*e = w[k].err;
			return -1;
		}
	return 0;
}

/* Where the profile predicts a stream lands: counter ("rule" or an implicit
 * outcome), action, the rule's index and line; all null without --profile. */
static void outcome_json(struct json_object *o, const struct pc_stream *s,
			 const struct pc_testbed *tb)
{
	bool known = tb && s->counter >= 0, rule = known && s->counter >= PC_CNT_IMPLICIT;

	pc_json_add_str(o, "counter", !known ? NULL : rule ? "rule" : pc_implicit_key(s->counter));
	pc_json_add_str(o, "action", !known ? NULL : s->action == XDP_PASS ? "pass" : "drop");
	pc_json_add(o, "rule_index",
		    rule ? json_object_new_int(s->counter - PC_CNT_IMPLICIT) : NULL);
	pc_json_add(o, "line",
		    rule ? json_object_new_uint64(tb->img.info[s->counter - PC_CNT_IMPLICIT].line)
			 : NULL);
	/* A receiver holds no flow of flood's making: there this stream is a look-alike
	 * (scripts/flood-check.py). */
	pc_json_add_bool(o, "seeded", known && s->seeded);
}

static void report_json(const struct pc_flood_opts *o, const struct pc_mix *m,
			const unsigned long long *sent, const struct pc_testbed *tb, double secs,
			unsigned long long frames, unsigned long long bytes, FILE *out)
{
	struct json_object *r = json_object_new_object(), *streams = json_object_new_array();

	pc_json_add_str(r, "interface", o->ifname);
	pc_json_add_str(r, "mix", m->origin);
	pc_json_add_str(r, "profile", o->profile);
	pc_json_add_str(r, "via", o->via == PC_FLOOD_VIA_LIVE ? "live" : "packet");
	pc_json_add_u64(r, "threads", o->threads);
	pc_json_add(r, "seconds", pc_json_fixed(secs, 6));
	pc_json_add_u64(r, "frames", frames);
	pc_json_add_u64(r, "bytes", bytes);
	for (size_t i = 0; i < m->n; i++) {
		struct json_object *st = json_object_new_object();

		pc_json_add_str(st, "name", m->s[i].name);
		pc_json_add_u64(st, "frames", sent[i]);
		pc_json_add_u64(st, "bytes", sent[i] * m->s[i].len);
		outcome_json(st, &m->s[i], tb);
		json_object_array_add(streams, st);
	}
	pc_json_add(r, "streams", streams);
	pc_json_print(out, r);
}

static void report(const struct pc_flood_opts *o, const struct pc_mix *m,
		   const unsigned long long *sent, const struct pc_testbed *tb, double secs,
		   FILE *out)
{
	unsigned long long frames = 0, bytes = 0;

	for (size_t i = 0; i < m->n; i++) {
		frames += sent[i];
		bytes += sent[i] * m->s[i].len;
	}
	if (o->json) {
		report_json(o, m, sent, tb, secs, frames, bytes, out);
		return;
	}
	fprintf(out, "flood    %s: %s, %zu streams, %lu thread%s, batch %lu, %s\n", o->ifname,
		m->origin, m->n, o->threads, o->threads == 1 ? "" : "s", o->batch,
		o->via == PC_FLOOD_VIA_LIVE ? "live frames" : "packet socket");
	fprintf(out, "sent     %llu frames, %llu bytes in %.3f s: %.3f Mpps, %.3f Gbit/s\n\n",
		frames, bytes, secs, secs > 0 ? frames / secs / 1e6 : 0,
		secs > 0 ? bytes * 8 / secs / 1e9 : 0);
	fprintf(out, "%-28s %14s %16s  %s\n", "stream", "frames", "bytes", tb ? "outcome" : "");
	for (size_t i = 0; i < m->n; i++) {
		const struct pc_stream *s = &m->s[i];
		char outcome[64] = "";

		if (tb)
			pc_mix_outcome(s, tb->img.info, tb->img.n_rules, outcome, sizeof(outcome));
		fprintf(out, "%-28s %14llu %16llu  %s\n", s->name, sent[i], sent[i] * s->len,
			outcome);
	}
}

static int interface(struct pc_flood_opts *o, int *ifindex, struct pc_err *e)
{
	struct ifreq ifr = { 0 };
	int fd;

	if (pc_iface_check(o->ifname, PC_IFACE_PRESENT, e))
		return -1;
	*ifindex = if_nametoindex(o->ifname);
	if (!*ifindex)
		return pc_fail(e, errno, "check the name with `ip link`",
			       "interface %s (if_nametoindex)", o->ifname);
	if (o->have_src)
		return 0;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", o->ifname);
	if (fd < 0 || ioctl(fd, SIOCGIFHWADDR, &ifr)) {
		int err = errno;

		if (fd >= 0)
			close(fd);
		return pc_fail(e, err, "give one with --src-mac",
			       "reading the MAC address of %s (SIOCGIFHWADDR)", o->ifname);
	}
	close(fd);
	memcpy(o->src_mac, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
}

static void set_macs(struct pc_mix *m, const struct pc_flood_opts *o)
{
	for (size_t i = 0; i < m->n; i++) {
		memcpy(m->s[i].frame, o->dst_mac, 6);
		memcpy(m->s[i].frame + 6, o->src_mac, 6);
	}
}

/* Stream indices, each as often as its weight, spread evenly: entry j of stream i
 * sorts at (j + 0.5) / weight. */
struct slot {
	double key;
	uint32_t stream;
};

static int cmp_slot(const void *a, const void *b)
{
	const struct slot *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->stream < y->stream ? -1 : x->stream > y->stream;
}

static int build_schedule(const struct pc_mix *m, uint32_t **out, uint32_t *len, struct pc_err *e)
{
	uint64_t total = pc_mix_total_weight(m), k = 0;
	struct slot *slots;

	if (total > PC_FLOOD_SCHEDULE_MAX)
		return pc_usage(e, "the mix's weights add up to %llu; flood takes at most %u",
				(unsigned long long)total, PC_FLOOD_SCHEDULE_MAX);
	slots = calloc(total, sizeof(*slots));
	*out = calloc(total, sizeof(**out));
	if (!slots || !*out) {
		free(slots);
		return pc_fail(e, ENOMEM, NULL, "building the flood's schedule");
	}
	for (uint32_t i = 0; i < m->n; i++)
		for (unsigned j = 0; j < m->s[i].weight; j++)
			slots[k++] = (struct slot){ (j + 0.5) / m->s[i].weight, i };
	qsort(slots, total, sizeof(*slots), cmp_slot);
	for (k = 0; k < total; k++)
		(*out)[k] = slots[k].stream;
	free(slots);
	*len = total;
	return 0;
}

/* Chooses the transmitter; with auto, says on stderr when live frames are refused. */
static int choose_via(struct pc_flood_opts *o, struct pc_err *e)
{
	if (o->via != PC_FLOOD_VIA_AUTO)
		return 0;
	if (pc_features_probe() & PC_FEAT_LIVE_FRAMES) {
		o->via = PC_FLOOD_VIA_LIVE;
		return 0;
	}
	if (geteuid())
		return pc_fail(e, EPERM, "run as root", "transmitting on %s", o->ifname);
	fprintf(stderr,
		"portcullis: flood: this kernel refuses live frames (they need Linux %s, and "
		"some kernels refuse them even to root); sending through a packet socket "
		"instead, which is slower (--via packet says so up front)\n",
		pc_feature(PC_FEAT_LIVE_FRAMES)->since);
	o->via = PC_FLOOD_VIA_PACKET;
	return 0;
}

/* The mix's frames in the shape the transmitter program holds them. */
static int flood_frames(const struct pc_mix *m, struct pc_flood_frame **out, struct pc_err *e)
{
	struct pc_flood_frame *frames = calloc(m->n, sizeof(*frames));

	if (!frames)
		return pc_fail(e, ENOMEM, NULL, "preparing the flood");
	for (size_t i = 0; i < m->n; i++) {
		frames[i].len = m->s[i].len;
		memcpy(frames[i].data, m->s[i].frame, m->s[i].len);
	}
	*out = frames;
	return 0;
}

/* Loads the live-frames transmitter with the mix's frames and schedule. */
static int live_prepare(struct flood *f, const struct pc_mix *m, struct pc_err *e)
{
	struct pc_flood_frame *frames = NULL;
	int err = flood_frames(m, &frames, e);

	if (!err)
		err = pc_tx_open(frames, (uint32_t)m->n, f->schedule, f->schedule_len, f->frame_len,
				 &f->tx, e);
	free(frames);
	return err;
}

/* The schedule, the transmitter and, for live frames, its program. */
static int tx_prepare(struct flood *f, struct pc_flood_opts *o, const struct pc_mix *m,
		      struct pc_err *e)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->s[i].len > f->frame_len)
			f->frame_len = m->s[i].len;
	if (build_schedule(m, &f->schedule, &f->schedule_len, e) || choose_via(o, e))
		return -1;
	return o->via == PC_FLOOD_VIA_LIVE ? live_prepare(f, m, e) : 0;
}

/* What the transmitter counted, per stream: the program over the CPUs, or the
 * packet senders. */
static int read_sent(const struct flood *f, const struct worker *w, size_t n,
		     unsigned long long *sent, struct pc_err *e)
{
	if (!f->tx) {
		for (size_t i = 0; i < n; i++) {
			sent[i] = 0;
			for (unsigned long k = 0; k < f->o->threads; k++)
				sent[i] += w[k].ptx.sent[i];
		}
		return 0;
	}
	return pc_tx_sent(f->tx, (uint32_t)n, sent, e);
}

int pc_flood_run(const struct pc_flood_opts *opts, struct pc_err *e)
{
	struct pc_flood_opts o = *opts;
	struct flood f = { .o = &o };
	struct pc_testbed tb = { 0 };
	struct pc_mix m = { 0 };
	struct worker *w = NULL;
	unsigned long long *sent = NULL;
	double secs = 0;
	int err;

	if (!o.count && !o.duration)
		o.duration = DEFAULT_DURATION;
	if (interface(&o, &f.ifindex, e))
		return -1;
	err = pc_testbed_prepare(o.profile, o.mix, &tb, &m, e);
	if (!err) {
		set_macs(&m, &o);
		f.m = &m;
		err = tx_prepare(&f, &o, &m, e);
	}
	if (!err && (!(w = calloc(o.threads, sizeof(*w))) || !(sent = calloc(m.n, sizeof(*sent)))))
		err = pc_fail(e, ENOMEM, NULL, "allocating the flood's threads");
	if (!err)
		err = packet_senders(&f, w, e);
	if (!err) {
		share_counts(&f, w);
		err = run(&f, w, &secs, e);
	}
	if (!err)
		err = read_sent(&f, w, m.n, sent, e);
	if (!err)
		report(&o, &m, sent, o.profile ? &tb : NULL, secs, stdout);
	packet_senders_close(&f, w);
	free(w);
	free(sent);
	free(f.schedule);
	pc_tx_close(f.tx);
	pc_mix_free(&m);
	pc_testbed_close(&tb);
	return err;
}

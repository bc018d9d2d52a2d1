// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Sampled drop events: frames run through the real program with BPF_PROG_TEST_RUN,
 * events read back from its ring buffer. Only drops are logged, with their counter
 * and first bytes, and no more than the per-CPU budget per 1 s window. */
#include <errno.h>
#include <linux/bpf.h>
#include <sched.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "harness.h"
#include "kern/footprint.h"
#include "kern/judge.h"
#include "kern/program.h"
#include "observe/log.h"
#include "portcullis.skel.h"
#include "traffic/frame.h"

#define MAX_EVENTS 64

/* Rule 0 (counter PC_CNT_IMPLICIT) allows SMTP, rule 1 drops telnet. */
#define RULES                                                                                      \
	"set state off\n"                                                                          \
	"zone lan 10.0.0.0/8\n"                                                                    \
	"allow in from internet tcp port 25 \"smtp\"\n"                                            \
	"drop in from internet tcp port 23 \"telnet\"\n"
#define SMTP_RULE (PC_CNT_IMPLICIT + 0)
#define TELNET_RULE (PC_CNT_IMPLICIT + 1)

struct run {
	struct pc_profile p;
	struct pc_diags d;
	struct pc_image img;
	struct portcullis *skel;
	struct pc_judge judge;
	struct ring_buffer *rb;
	struct pc_log_event ev[MAX_EVENTS];
	int n; /* events consumed so far */
};

static int collect(void *ctx, void *data, size_t size)
{
	struct run *r = ctx;

	if (size != sizeof(struct pc_log_event))
		pc_test_fail(__FILE__, __LINE__, "event of %zu bytes, expected %zu", size,
			     sizeof(struct pc_log_event));
	else if (r->n < MAX_EVENTS)
		memcpy(&r->ev[r->n], data, size);
	r->n++;
	return 0;
}

static int online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : (int)n;
}

/* BPF_PROG_TEST_RUN runs on the calling thread's CPU: pin it, so that every frame
 * draws on one CPU's budget. */
static bool pin_cpu0(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	return !sched_setaffinity(0, sizeof(set), &set);
}

static bool setup(struct run *r, const char *text)
{
	struct pc_err e = { 0 };

	memset(r, 0, sizeof(*r));
	if (!pin_cpu0()) {
		pc_test_fail(__FILE__, __LINE__, "sched_setaffinity: %s", strerror(errno));
		return false;
	}
	if (pc_profile_parse_string("log.conf", text, &r->p, &r->d) ||
	    pc_compile(&r->p, &r->img, &r->d)) {
		pc_diags_print(&r->d, stdout);
		pc_test_fail(__FILE__, __LINE__, "the test profile does not compile");
		return false;
	}
	if (pc_program_create(&r->p, &r->img, NULL, &r->skel, &e)) {
		pc_test_fail(__FILE__, __LINE__, "%s", e.msg);
		return false;
	}
	if (pc_judge_init(&r->judge, bpf_program__fd(r->skel->progs.portcullis_xdp),
			  bpf_map__fd(r->skel->maps.counters), PC_CNT_IMPLICIT + r->img.n_rules, 0,
			  &e)) {
		pc_test_fail(__FILE__, __LINE__, "%s", e.msg);
		return false;
	}
	r->rb = ring_buffer__new(bpf_map__fd(r->skel->maps.events), collect, r, NULL);
	if (!r->rb) {
		pc_test_fail(__FILE__, __LINE__, "ring_buffer__new: %s", strerror(errno));
		return false;
	}
	return true;
}

static void teardown(struct run *r)
{
	ring_buffer__free(r->rb);
	pc_judge_free(&r->judge);
	portcullis__destroy(r->skel);
	pc_image_free(&r->img);
	pc_profile_free(&r->p);
	pc_diags_free(&r->d);
}

/* Runs one frame and checks its action (a failure names file:line, RUN_FRAME's);
 * returns the number of events it produced, -1 on error. */
static int run_frame(struct run *r, const char *file, int line, const struct pkt *f, int action)
{
	struct pc_verdict v;
	struct pc_err e = { 0 };
	int before = r->n;

	if (pc_judge_run(&r->judge, f->data, f->len, -1, &v, &e)) {
		pc_test_fail(file, line, "%s", e.msg);
		return -1;
	}
	if ((int)v.action != action || v.moved != 1)
		pc_test_fail(file, line, "action %u on %u counters, expected %d on one", v.action,
			     v.moved, action);
	if (ring_buffer__consume(r->rb) < 0) {
		pc_test_fail(file, line, "ring_buffer__consume failed");
		return -1;
	}
	return r->n - before;
}

#define RUN_FRAME(r, f, action) run_frame((r), __FILE__, __LINE__, (f), (action))

static void syn(struct pkt *f, const char *src, unsigned dport, size_t payload)
{
	pkt_init(f);
	PKT_IPV4(f, .src = src);
	PKT_TCP(f, .dport = dport, .flags = PKT_SYN);
	for (size_t i = 0; i < payload; i++)
		pkt_bytes(f, &(uint8_t){ (uint8_t)i }, 1);
}

static char *profile_with(char *buf, size_t n, const char *log)
{
	snprintf(buf, n, RULES "set log %s\n", log);
	return buf;
}

/* Each event of one frame: its counter, action, lengths and bytes. */
static void expect_event(const struct pc_log_event *ev, const struct pkt *f, uint32_t counter)
{
	uint32_t snap = f->len < PC_LOG_SNAP ? f->len : PC_LOG_SNAP;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	EXPECT_EQ(ev->counter, counter);
	EXPECT_EQ(ev->action, XDP_DROP);
	EXPECT_EQ(ev->len, f->len);
	EXPECT_EQ(ev->snap_len, snap);
	EXPECT_TRUE(!memcmp(ev->data, f->data, snap));
	/* bpf_ktime_get_ns() is CLOCK_MONOTONIC: the event is from the last second. */
	EXPECT_TRUE(ev->ts_ns <= (uint64_t)now.tv_sec * 1000000000ULL + now.tv_nsec);
	EXPECT_TRUE(ev->ts_ns + 1000000000ULL > (uint64_t)now.tv_sec * 1000000000ULL + now.tv_nsec);
}

TEST(drops_are_logged_passes_are_not)
{
	char text[512];
	struct run r;
	struct pkt f;

	if (geteuid())
		SKIP("needs root for BPF_PROG_TEST_RUN");
	if (!setup(&r, profile_with(text, sizeof(text), "100000/s")))
		goto out;

	syn(&f, "198.51.100.7", 25, 0);
	EXPECT_EQ(RUN_FRAME(&r, &f, XDP_PASS), 0);

	syn(&f, "198.51.100.7", 23, 0);
	EXPECT_EQ(RUN_FRAME(&r, &f, XDP_DROP), 1);
	expect_event(&r.ev[r.n - 1], &f, TELNET_RULE);

	syn(&f, "198.51.100.7", 22, 10);
	EXPECT_EQ(RUN_FRAME(&r, &f, XDP_DROP), 1);
	expect_event(&r.ev[r.n - 1], &f, PC_CNT_NO_MATCH);

	pkt_init(&f); /* ARP: non-ip, passed */
	pkt_next(&f, 0x0806);
	pkt_payload(&f, 28);
	EXPECT_EQ(RUN_FRAME(&r, &f, XDP_PASS), 0);

	syn(&f, "198.51.100.7", 25, 0); /* cut inside TCP: malformed */
	pkt_truncate(&f, 40);
	EXPECT_EQ(RUN_FRAME(&r, &f, XDP_DROP), 1);
	expect_event(&r.ev[r.n - 1], &f, PC_CNT_MALFORMED);

	syn(&f, "198.51.100.7", 22, 400); /* longer than the snap length */
	EXPECT_EQ(RUN_FRAME(&r, &f, XDP_DROP), 1);
	expect_event(&r.ev[r.n - 1], &f, PC_CNT_NO_MATCH);
	EXPECT_EQ(r.ev[r.n - 1].snap_len, PC_LOG_SNAP);

	syn(&f, "10.1.2.3", 25, 0); /* from lan: no rule, dropped */
	EXPECT_EQ(RUN_FRAME(&r, &f, XDP_DROP), 1);
	expect_event(&r.ev[r.n - 1], &f, PC_CNT_NO_MATCH);
	EXPECT_EQ(bpf_map__max_entries(r.skel->maps.events), 256 * 1024);
out:
	teardown(&r);
}

/* The event as `log` prints it: time, the rule's line and text, the decoded frame. */
TEST(event_is_printed_with_its_rule)
{
	char text[512], *line = NULL;
	size_t size = 0;
	struct run r;
	struct pkt f;
	FILE *out;

	if (geteuid())
		SKIP("needs root for BPF_PROG_TEST_RUN");
	if (!setup(&r, profile_with(text, sizeof(text), "100/s")))
		goto out;
	pkt_init(&f);
	pkt_vlan(&f, 0x8100, 10);
	PKT_IPV4(&f, .src = "198.51.100.7", .dst = "192.0.2.1");
	PKT_TCP(&f, .sport = 40000, .dport = 23, .flags = PKT_SYN);
	EXPECT_EQ(RUN_FRAME(&r, &f, XDP_DROP), 1);
	out = open_memstream(&line, &size);
	pc_log_format(&r.ev[0], sizeof(r.ev[0]), r.img.info, r.img.n_rules, 0, false, "eth0", out);
	fclose(out);
	EXPECT_TRUE(strstr(line, ".000  line 4 drop in from internet tcp port 23 \"telnet\"  "
				 "tcp 198.51.100.7:40000 -> 192.0.2.1:23 [S] vlan 10  len 58"));
	free(line);
out:
	teardown(&r);
}

static void set_budget(struct run *r, uint64_t window_ns, uint32_t used)
{
	int ncpu = libbpf_num_possible_cpus();
	struct pc_log_budget *b = calloc(ncpu, sizeof(*b));
	uint32_t zero = 0;

	for (int c = 0; b && c < ncpu; c++)
		b[c] = (struct pc_log_budget){ .window_ns = window_ns, .used = used };
	if (!b || bpf_map_update_elem(bpf_map__fd(r->skel->maps.log_budget), &zero, b, 0))
		pc_test_fail(__FILE__, __LINE__, "setting log_budget: %s", strerror(errno));
	free(b);
}

static uint64_t coarse_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* The profile's rate is split among the CPUs; one CPU logs its share per window and
 * no more, and a new window gives it a new share. */
TEST(budget_per_cpu_per_second)
{
	int ncpu = online_cpus(), ncpu_possible = libbpf_num_possible_cpus();
	struct pc_log_budget *b;
	char text[512], rate[32];
	uint32_t zero = 0;
	struct run r;
	struct pkt drop, pass;

	if (geteuid())
		SKIP("needs root for BPF_PROG_TEST_RUN");
	snprintf(rate, sizeof(rate), "%d/s", 5 * ncpu);
	if (!setup(&r, profile_with(text, sizeof(text), rate)))
		goto out;
	EXPECT_EQ(r.skel->rodata->cfg_log_rate, 5);
	syn(&drop, "198.51.100.7", 22, 0);
	syn(&pass, "198.51.100.7", 25, 0);
	set_budget(&r, coarse_now(), 0); /* a window that just began */
	for (int i = 0; i < 8; i++) {
		EXPECT_EQ(RUN_FRAME(&r, &drop, XDP_DROP), i < 5);
		EXPECT_EQ(RUN_FRAME(&r, &pass, XDP_PASS), 0);
	}
	EXPECT_EQ(r.n, 5);
	/* Only CPU 0's budget moved. */
	b = calloc(ncpu_possible, sizeof(*b));
	if (b && !bpf_map_lookup_elem(bpf_map__fd(r.skel->maps.log_budget), &zero, b)) {
		EXPECT_EQ(b[0].used, 5);
		for (int c = 1; c < ncpu_possible; c++)
			EXPECT_EQ(b[c].used, 0);
	} else {
		pc_test_fail(__FILE__, __LINE__, "reading log_budget");
	}
	free(b);
	/* The window is over: a new share. */
	set_budget(&r, coarse_now() - 1100000000ULL, 5);
	EXPECT_EQ(RUN_FRAME(&r, &drop, XDP_DROP), 1);
	EXPECT_EQ(RUN_FRAME(&r, &drop, XDP_DROP), 1);
	/* A window that is not over, spent. */
	set_budget(&r, coarse_now(), 5);
	EXPECT_EQ(RUN_FRAME(&r, &drop, XDP_DROP), 0);
out:
	teardown(&r);
}

TEST(rate_is_split_rounding_up)
{
	int ncpu = online_cpus();
	const unsigned rates[] = { 1, 3, 100, 1000000 };
	char text[512], rate[32];
	struct run r;

	if (geteuid())
		SKIP("needs root to load the program");
	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		snprintf(rate, sizeof(rate), "%u/s", rates[i]);
		if (setup(&r, profile_with(text, sizeof(text), rate)))
			EXPECT_EQ(r.skel->rodata->cfg_log_rate, (rates[i] + ncpu - 1) / ncpu);
		teardown(&r);
	}
}

TEST(log_off_logs_nothing)
{
	char text[512];
	struct run r;
	struct pkt f;

	if (geteuid())
		SKIP("needs root for BPF_PROG_TEST_RUN");
	if (!setup(&r, profile_with(text, sizeof(text), "off")))
		goto out;
	EXPECT_EQ(r.skel->rodata->cfg_log_rate, 0);
	syn(&f, "198.51.100.7", 22, 0);
	for (int i = 0; i < 3; i++)
		EXPECT_EQ(RUN_FRAME(&r, &f, XDP_DROP), 0);
	syn(&f, "198.51.100.7", 23, 0);
	EXPECT_EQ(RUN_FRAME(&r, &f, XDP_DROP), 0);
out:
	teardown(&r);
}

/* What one event takes of the ring: the kernel's 8-byte record header and the event,
 * rounded up to 8 bytes. */
#define RECORD ((BPF_RINGBUF_HDR_SZ + sizeof(struct pc_log_event) + 7) / 8 * 8)

/* Through the reader `log` and the exporter use. */
static uint64_t lost_sum(struct run *r)
{
	uint64_t lost = 0;
	int err = pc_log_lost_sum(bpf_map__fd(r->skel->maps.log_budget), &lost);

	if (err)
		pc_test_fail(__FILE__, __LINE__, "reading log_budget: %s", strerror(-err));
	return lost;
}

/* With no reader the ring fills: the events within the budget that find no room are
 * counted as lost, exactly, and once a reader has emptied it, events land again. */
TEST(full_ring_counts_lost)
{
	const uint32_t fit = (PC_LOG_RINGBUF_SIZE - 1) / RECORD, frames = fit + 123;
	char text[512];
	struct run r;
	struct pkt drop;

	if (geteuid())
		SKIP("needs root for BPF_PROG_TEST_RUN");
	if (!setup(&r, profile_with(text, sizeof(text), "1000000/s")))
		goto out;
	EXPECT_TRUE(r.skel->rodata->cfg_log_rate > frames);
	syn(&drop, "198.51.100.7", 23, 0);
	set_budget(&r, coarse_now(), 0);
	{
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = drop.data, .data_size_in = drop.len,
			    .repeat = frames);

		EXPECT_EQ(bpf_prog_test_run_opts(bpf_program__fd(r.skel->progs.portcullis_xdp), &o),
			  0);
		EXPECT_EQ(o.retval, XDP_DROP);
	}
	EXPECT_EQ(lost_sum(&r), frames - fit);
	EXPECT_EQ(ring_buffer__consume(r.rb), (int)fit);
	EXPECT_EQ(r.n, (int)fit);
	EXPECT_EQ(RUN_FRAME(&r, &drop, XDP_DROP), 1);
	EXPECT_EQ(lost_sum(&r), frames - fit);
out:
	teardown(&r);
}

/* A program of an older portcullis kept its budget without `lost` (24-byte values):
 * the reader says so rather than read past them. */
TEST(older_budget_is_not_misread)
{
	uint64_t lost = 1;
	int fd;

	if (geteuid())
		SKIP("needs root to create a map");
	fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "log_budget", sizeof(uint32_t),
			    sizeof(struct pc_log_budget) - sizeof(uint64_t), 1, NULL);
	if (fd < 0) {
		pc_test_fail(__FILE__, __LINE__, "bpf_map_create: %s", strerror(errno));
		return;
	}
	EXPECT_EQ(pc_log_lost_sum(fd, &lost), -EPROTO);
	EXPECT_EQ(lost, 0);
	close(fd);
}

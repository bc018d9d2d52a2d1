// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Differential test: the real compiler and XDP program (BPF_PROG_TEST_RUN) against the
 * reference classifier (tests/ref/), frame by frame, on the shipped profiles and on
 * random ones. Any difference in action or counter is a failure that prints the seed,
 * the frame in hex, both verdicts and the rules involved.
 *
 * Environment: DIFF_SEED (default fixed, so `make check` always runs the same frames),
 * DIFF_FRAMES (total over all profiles, default 200000), DIFF_PROFILES (random
 * profiles, default 14), DIFF_STATE_PROFILES (random profiles with `state on`,
 * default 4), DIFF_ONLY (run only profile number N, to reproduce), DIFF_VERBOSE=1
 * (at the end, how often each step of docs/semantics.md §3 decided). */
#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "gen/gen.h"
#include "harness.h"
#include "kern/judge.h"
#include "kern/program.h"
#include "portcullis.skel.h"
#include "ref/ref.h"
#include "traffic/frame.h"

#define DEFAULT_SEED 20250805ULL
#define DEFAULT_FRAMES 200000
#define DEFAULT_PROFILES 14
/* Both fragment tables are emptied this often, far below the program's LRU size and
 * its 30 s lifetime, so that neither eviction nor the clock makes a difference. */
#define FRAG_EPOCH 2000
#define MAX_REPORTS 8
#define MAX_WHYS 64
#define MAX_FLOWS 64
#define DEFAULT_STATE_PROFILES 4

static unsigned long long seed;
static long frames_total, n_random, n_state, only = -1, verbose;

/* DIFF_VERBOSE: how often each step of the reference decided, over the whole run. */
static struct {
	const char *why;
	long n;
} whys[MAX_WHYS];

static long env_long(const char *name, long def)
{
	const char *v = getenv(name);

	return v && *v ? strtol(v, NULL, 0) : def;
}

__attribute__((constructor)) static void read_env(void)
{
	const char *s = getenv("DIFF_SEED");

	seed = s && *s ? strtoull(s, NULL, 0) : DEFAULT_SEED;
	frames_total = env_long("DIFF_FRAMES", DEFAULT_FRAMES);
	n_random = env_long("DIFF_PROFILES", DEFAULT_PROFILES);
	n_state = env_long("DIFF_STATE_PROFILES", DEFAULT_STATE_PROFILES);
	only = env_long("DIFF_ONLY", -1);
	verbose = env_long("DIFF_VERBOSE", 0);
}

static long frames_per_profile(void)
{
	return frames_total / (2 + n_random) + 1;
}

/* --- One profile, loaded twice: into the program and into the reference -------------- */

/* Judge as where the kernel has no batch lookup (diff_per_counter). */
static bool per_counter;

struct subject {
	long index; /* 0, 1: shipped; 2...: random; then the state-on ones */
	char name[64];
	char *text; /* random profiles: the text, printed with a difference */
	struct pc_profile p;
	struct pc_diags d;
	struct pc_image img;
	struct portcullis *skel;
	int frags_fd;
	uint32_t n_counters;
	struct pc_judge judge;
	struct ref ref;
	struct gen_hints hints;
	/* What was seen, for the summary line. */
	long frames, diffs, passed;
	long hits[PC_CNT_IMPLICIT];
	long rules_hit;
	bool *rule_seen;
};

enum loaded { LOADED, NOT_LOADED };

static enum loaded subject_load(struct subject *s, const char *path, const char *text)
{
	struct pc_err e = { 0 };
	int err;

	err = path ? pc_profile_parse(path, &s->p, &s->d)
		   : pc_profile_parse_string(s->name, text, &s->p, &s->d);
	if (!err)
		err = pc_compile(&s->p, &s->img, &s->d);
	if (err || s->d.n_errors) {
		pc_diags_print(&s->d, stdout);
		if (text)
			printf("%s", text);
		pc_test_fail(__FILE__, __LINE__, "%s does not compile", s->name);
		return NOT_LOADED;
	}
	if (pc_program_create(&s->p, &s->img, NULL, &s->skel, &e)) {
		pc_test_fail(__FILE__, __LINE__, "%s: %s", s->name, e.msg);
		return NOT_LOADED;
	}
	s->frags_fd = bpf_map__fd(s->skel->maps.frags);
	s->n_counters = PC_CNT_IMPLICIT + s->img.n_rules;
	/* Only this test runs the program, and a profile may have thousands of rules:
	 * every counter in one batch lookup, once a frame. */
	if (pc_judge_init(&s->judge, bpf_program__fd(s->skel->progs.portcullis_xdp),
			  bpf_map__fd(s->skel->maps.counters), s->n_counters,
			  PC_JUDGE_BATCH | PC_JUDGE_KEEP, &e)) {
		pc_test_fail(__FILE__, __LINE__, "%s: %s", s->name, e.msg);
		return NOT_LOADED;
	}
	s->judge.no_batch = per_counter;
	s->rule_seen = calloc(s->img.n_rules + 1, sizeof(*s->rule_seen));
	if (!s->rule_seen)
		abort();
	ref_init(&s->ref, &s->p);
	return LOADED;
}

static void subject_free(struct subject *s)
{
	ref_free(&s->ref);
	portcullis__destroy(s->skel);
	pc_image_free(&s->img);
	pc_profile_free(&s->p);
	pc_diags_free(&s->d);
	pc_judge_free(&s->judge);
	free(s->rule_seen);
	free(s->text);
	gen_hints_free(&s->hints);
}

/* The program's verdict: its XDP action and the one counter that moved, by one
 * packet and the frame's length. *counter is -1 and *why says what went wrong if
 * that is not so. hint is the counter the reference expects: where the kernel has no
 * batch lookup (5.10), reading every counter around every frame takes minutes per
 * profile under emulation (make vmtest), so the judge reads the hinted and implicit
 * ones and audits all of them every PC_JUDGE_AUDIT frames. */
static int run_program(struct subject *s, const struct pkt *f, uint32_t hint, uint32_t *action,
		       int *counter, const char **why, struct pc_err *e)
{
	struct pc_verdict v;

	*why = NULL;
	if (pc_judge_run(&s->judge, f->data, f->len, s->judge.no_batch ? (int)hint : -1, &v, e))
		return -1;
	if (v.stray) {
		*action = v.action;
		*counter = -1;
		*why = "a counter no frame was judged on moved (found by an audit of every "
		       "counter)";
		return 0;
	}
	*action = v.action;
	*counter = v.counter;
	if (v.moved != 1) {
		*why = v.moved ? "more than one counter moved" : "no counter moved";
		*counter = -1;
	} else if (v.packets != 1 || v.bytes != f->len) {
		*why = "a counter moved by other than one frame of this length";
	}
	return 0;
}

static void forget_fragments(struct subject *s)
{
	struct pc_frag_key k;

	while (!bpf_map_get_next_key(s->frags_fd, NULL, &k))
		if (bpf_map_delete_elem(s->frags_fd, &k))
			break;
	ref_forget_fragments(&s->ref);
}

/* Marks every recorded flow as seen now. The reference has no clock for flows: every
 * frame is judged as if at the instant the flows were recorded. Under emulation (make
 * vmtest) a run outlasts the closing timeout (PC_TIMEOUT_CLOSING), so the flows are
 * kept fresh, their other fields as the program left them: every second, far below
 * the shortest timeout. */
static void freshen_flows(struct subject *s)
{
	static uint64_t last;
	static struct pc_flow_key keys[4096];
	int fd = bpf_map__fd(s->skel->maps.flows);
	struct pc_flow_key *prev = NULL;
	struct pc_flow v;
	struct timespec ts;
	uint64_t now;
	size_t n = 0;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	now = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	if (now - last < 1000000000ULL)
		return;
	last = now;
	/* The keys first: an update replaces the element, which may put it ahead of the
	 * walk again, and a walk that updates as it goes can go round for ever. */
	while (n < 4096 && !bpf_map_get_next_key(fd, prev, &keys[n])) {
		prev = &keys[n];
		n++;
	}
	for (size_t i = 0; i < n; i++) {
		if (bpf_map_lookup_elem(fd, &keys[i], &v))
			continue;
		v.seen_ns = now;
		bpf_map_update_elem(fd, &keys[i], &v, BPF_EXIST);
	}
}

/* --- Reporting ---------------------------------------------------------------------- */

static const char *action_name(uint32_t a)
{
	return a == XDP_PASS ? "pass" : a == XDP_DROP ? "drop" : "other";
}

/* "no-match", or the rule with its place and its line as written. */
static void describe_counter(const struct subject *s, long c, FILE *out)
{
	static const char *const implicit[] = { "non-ip", "malformed", "ndp", "fragment",
						"no-match" };
	const struct pc_rule *r;
	const char *text, *end;

	if (c < 0) {
		fprintf(out, "(none)\n");
		return;
	}
	if (c < PC_CNT_IMPLICIT) {
		fprintf(out, "%s\n", implicit[c]);
		return;
	}
	if ((size_t)(c - PC_CNT_IMPLICIT) >= s->p.n_rules) {
		fprintf(out, "counter %ld, beyond the rules\n", c);
		return;
	}
	r = &s->p.rules[c - PC_CNT_IMPLICIT];
	text = s->d.sources[r->pos.src].text;
	for (int line = 1; line < r->pos.line && text; line++) {
		text = strchr(text, '\n');
		text = text ? text + 1 : NULL;
	}
	end = text ? strchr(text, '\n') : NULL;
	fprintf(out, "rule %ld, %s:%d: %.*s\n", c - PC_CNT_IMPLICIT, s->d.sources[r->pos.src].path,
		r->pos.line, text ? (int)(end ? end - text : (long)strlen(text)) : 0,
		text ? text : "");
}

static void report(struct subject *s, long n, const struct gen *g, const struct pkt *f,
		   uint32_t action, int counter, const char *why, const struct ref_verdict *v)
{
	if (s->diffs++ >= MAX_REPORTS)
		return;
	if (s->diffs == 1 && s->text)
		printf("  --- %s ---\n%s  ---\n", s->name, s->text);
	printf("  DIFF %s, frame %ld (%s): reproduce with DIFF_SEED=%llu DIFF_ONLY=%ld "
	       "DIFF_FRAMES=%ld DIFF_PROFILES=%ld\n",
	       s->name, n, g->what + (g->what[0] == ' '), seed, s->index, frames_total, n_random);
	printf("    program:   %s on ", action_name(action));
	describe_counter(s, counter, stdout);
	if (why)
		printf("               (%s)\n", why);
	printf("    reference: %s on ", action_name((uint32_t)v->action));
	describe_counter(s, v->counter, stdout);
	printf("               (%s)\n", v->why);
	printf("    frame, %zu bytes:\n", f->len);
	pkt_hexdump(stdout, f->data, f->len, "      ");
}

static void summary(struct subject *s)
{
	for (size_t k = 0; k < s->img.n_rules; k++)
		s->rules_hit += s->rule_seen[k];
	printf("  %-18s %6ld frames, %5.1f%% passed; non-ip %ld, malformed %ld, ndp %ld, "
	       "fragment %ld, no-match %ld; rules decided %ld of %u; %ld differences\n",
	       s->name, s->frames, s->frames ? 100.0 * s->passed / s->frames : 0.0,
	       s->hits[PC_CNT_NON_IP], s->hits[PC_CNT_MALFORMED], s->hits[PC_CNT_NDP],
	       s->hits[PC_CNT_FRAGMENT], s->hits[PC_CNT_NO_MATCH], s->rules_hit, s->img.n_rules,
	       s->diffs);
}

/* --- The run -------------------------------------------------------------------------- */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void count_why(const char *why)
{
	for (int i = 0; i < MAX_WHYS; i++) {
		if (whys[i].why && strcmp(whys[i].why, why))
			continue;
		whys[i].why = why;
		whys[i].n++;
		return;
	}
}

__attribute__((destructor)) static void print_whys(void)
{
	for (int i = 0; verbose && i < MAX_WHYS && whys[i].why; i++)
		printf("  %8ld  %s\n", whys[i].n, whys[i].why);
}

static void record(struct subject *s, uint32_t action, int counter)
{
	s->passed += action == XDP_PASS;
	if (counter < PC_CNT_IMPLICIT)
		s->hits[counter]++;
	else
		s->rule_seen[counter - PC_CNT_IMPLICIT] = true;
}

static void run_frames(struct subject *s, long n_frames, const struct ref_flow *flows,
		       size_t n_flows)
{
	static struct pkt f;
	struct rng rng = { seed * 1000003ULL + (uint64_t)s->index };
	struct gen g;

	if (!s->hints.n_ports)
		gen_hints_init(&s->hints, &s->p);
	gen_init(&g, &rng, &s->hints);
	g.flows = flows;
	g.n_flows = n_flows;
	for (long n = 0; n < n_frames; n++) {
		struct ref_verdict v;
		struct pc_err e = { 0 };
		const char *why;
		uint32_t action = 0;
		int counter;

		if (n % FRAG_EPOCH == 0)
			forget_fragments(s);
		freshen_flows(s);
		gen_frame(&g, &f);
		ref_judge(&s->ref, f.data, f.len, now_ns(), &v);
		count_why(v.why);
		if (run_program(s, &f, v.counter, &action, &counter, &why, &e)) {
			pc_test_fail(__FILE__, __LINE__, "%s: %s", s->name, e.msg);
			break;
		}
		s->frames++;
		if (counter >= 0)
			record(s, action, counter);
		if (why || action != (uint32_t)v.action || counter != (int)v.counter)
			report(s, n, &g, &f, action, counter, why, &v);
	}
	summary(s);
	if (s->diffs)
		pc_test_fail(__FILE__, __LINE__, "%s: %ld of %ld frames differ", s->name, s->diffs,
			     s->frames);
}

/* Writes the flows into the program's flow table, as its egress hook would have:
 * generation 1 (a first load), last seen now, so that none expires during the run. */
static int load_flows(struct subject *s, const struct ref_flow *flows, size_t n)
{
	int fd = bpf_map__fd(s->skel->maps.flows);
	struct timespec ts;
	uint64_t now;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	now = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	for (size_t i = 0; i < n; i++) {
		const struct ref_flow *f = &flows[i];
		struct pc_flow_key k = { .family = f->family,
					 .proto = f->proto,
					 .peer_port = f->peer_port,
					 .local_port = f->local_port };
		struct pc_flow v = {
			.seen_ns = now, .created_ns = now, .gen = 1, .rule = (uint16_t)f->rule
		};

		if (f->proto == 1 || f->proto == 58)
			k.peer_port = 0;
		memcpy(k.peer, f->peer, f->family == 4 ? 4 : 16);
		memcpy(v.local, f->local, f->family == 4 ? 4 : 16);
		if (bpf_map_update_elem(fd, &k, &v, BPF_ANY))
			return -1;
	}
	return 0;
}

/* Runs one profile. */
static void run_profile(long index, const char *path, const char *text)
{
	static struct ref_flow flows[MAX_FLOWS];
	struct subject s = { .index = index };
	enum loaded l;
	size_t n = 0;

	if (only >= 0 && only != index)
		return;
	snprintf(s.name, sizeof(s.name), "%s", path ? strrchr(path, '/') + 1 : "random.conf");
	if (!path) {
		snprintf(s.name, sizeof(s.name), "random-%ld.conf", index);
		s.text = strdup(text);
	}
	l = subject_load(&s, path, text);
	if (l == LOADED && s.p.opt.state) {
		struct rng rng = { seed * 31ULL + (uint64_t)index };

		gen_hints_init(&s.hints, &s.p);
		n = gen_flows(&rng, &s.p, &s.hints, flows, MAX_FLOWS);
		ref_set_flows(&s.ref, flows, n);
		if (load_flows(&s, flows, n)) {
			pc_test_fail(__FILE__, __LINE__, "%s: filling the flow table", s.name);
			l = NOT_LOADED;
		}
	}
	if (l == LOADED)
		run_frames(&s, frames_per_profile(), flows, n);
	subject_free(&s);
}

TEST(diff_spammertrap)
{
	if (geteuid())
		SKIP("needs root (BPF_PROG_TEST_RUN)");
	run_profile(0, "profiles/spammertrap.conf", NULL);
}

TEST(diff_libraesva)
{
	if (geteuid())
		SKIP("needs root (BPF_PROG_TEST_RUN)");
	run_profile(1, "profiles/libraesva-esg.conf", NULL);
}

/* As a kernel without the batch lookup of per-CPU arrays (5.10) runs the test: a
 * read per counter, the hinted ones around each frame and an audit of all. */
TEST(diff_per_counter)
{
	static char text[256 * 1024];
	struct rng rng = { seed * 104729ULL };

	if (geteuid())
		SKIP("needs root (BPF_PROG_TEST_RUN)");
	per_counter = true;
	run_profile(0, "profiles/spammertrap.conf", NULL);
	gen_profile(&rng, true, 0, text, sizeof(text));
	run_profile(2 + n_random, NULL, text);
	per_counter = false;
}

TEST(diff_random_profiles)
{
	static char text[256 * 1024];

	if (geteuid())
		SKIP("needs root (BPF_PROG_TEST_RUN)");
	for (long i = 0; i < n_random; i++) {
		struct rng rng = { seed * 7919ULL + (uint64_t)i };

		gen_profile(&rng, false, (unsigned)i, text, sizeof(text));
		run_profile(2 + i, NULL, text);
	}
}

/* `state on`: random profiles that leave it at its default, a table of recorded
 * flows given to both sides, and frames that answer them. */
TEST(diff_state_on)
{
	static char text[256 * 1024];

	if (geteuid())
		SKIP("needs root (BPF_PROG_TEST_RUN)");
	for (long i = 0; i < n_state; i++) {
		struct rng rng = { seed * 104729ULL + (uint64_t)i };

		gen_profile(&rng, true, (unsigned)i, text, sizeof(text));
		run_profile(2 + n_random + i, NULL, text);
	}
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The test bed of testbed.h: parse, compile, load, judge. */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>

#include <bpf/libbpf.h>

#include "kern/flow_table.h"
#include "kern/judge.h"
#include "traffic/testbed.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int pc_testbed_open(const char *path, struct pc_testbed *t, struct pc_err *e)
{
	double t0 = now_ms(), t1;
	int err;

	memset(t, 0, sizeof(*t));
	t->path = path;
	err = pc_profile_parse(path, &t->p, &t->d);
	if (!err)
		err = pc_compile(&t->p, &t->img, &t->d);
	pc_diags_print(&t->d, stderr);
	if (err)
		return pc_usage(e, "%s has %zu error%s", path, t->d.n_errors,
				t->d.n_errors == 1 ? "" : "s");
	t1 = now_ms();
	t->compile_ms = t1 - t0;
	if (pc_program_create(&t->p, &t->img, NULL, &t->skel, e))
		return -1;
	t->load_ms = now_ms() - t1;
	return 0;
}

void pc_testbed_close(struct pc_testbed *t)
{
	pc_program_destroy(t->skel);
	pc_image_free(&t->img);
	pc_profile_free(&t->p);
	pc_diags_free(&t->d);
	memset(t, 0, sizeof(*t));
}

int pc_testbed_prog_fd(const struct pc_testbed *t)
{
	return pc_program_fd(t->skel);
}

/* The flow a reply stream answers: the peer is its source; an echo-reply's
 * identifier is the frame's, 0. */
static void reply_key(const struct pc_packet *pk, struct pc_flow_key *k)
{
	int af = pk->family == 4 ? AF_INET : AF_INET6;

	memset(k, 0, sizeof(*k));
	k->family = pk->family;
	k->proto = pk->kind == PC_PACKET_TCP	? IPPROTO_TCP
		   : pk->kind == PC_PACKET_UDP	? IPPROTO_UDP
		   : pk->kind == PC_PACKET_ICMP ? IPPROTO_ICMP
						: IPPROTO_ICMPV6;
	if (k->proto == IPPROTO_TCP || k->proto == IPPROTO_UDP) {
		k->peer_port = pk->sport;
		k->local_port = pk->dport;
	}
	inet_pton(af, pk->src, k->peer);
}

int pc_testbed_seed(struct pc_testbed *t, struct pc_mix *m, struct pc_err *e)
{
	struct timespec ts;
	struct pc_flow f = { .gen = 1, .origin = PC_FLOW_EGRESS };

	if (!t->p.opt.state)
		return 0;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	f.created_ns = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	f.seen_ns = f.created_ns + 86400ULL * 1000000000ULL;
	for (size_t i = 0; i < m->n; i++) {
		struct pc_flow_key k;
		int rule;

		if (!m->s[i].reply || m->s[i].pk.kind == PC_PACKET_ARP)
			continue;
		reply_key(&m->s[i].pk, &k);
		rule = pc_flows_rule(&t->img, &k);
		if (rule < 0)
			continue;
		f.rule = (uint16_t)rule;
		if (bpf_map_update_elem(pc_program_map_fd(t->skel, PC_PIN_FLOWS), &k, &f, BPF_ANY))
			return pc_fail(e, errno, NULL, "recording the flow of stream %s",
				       m->s[i].name);
		m->s[i].seeded = true;
	}
	return 0;
}

/* The stream's verdict. The counters read first are the implicit ones and the one the
 * frame was made for (a derived mix knows it; no-match, one of the implicit ones,
 * stands in where the mix does not). */
static int judge_stream(struct pc_judge *j, struct pc_stream *s, struct pc_err *e)
{
	int hint = s->want_counter >= 0 ? s->want_counter : PC_CNT_NO_MATCH;
	struct pc_verdict v;

	if (pc_judge_run(j, s->frame, s->len, hint, &v, e))
		return -1;
	if (v.moved != 1)
		return pc_fail(e, 0, NULL,
			       "the program counted the frame of stream %s on %u counters; "
			       "please report",
			       s->name, v.moved);
	s->counter = v.counter;
	s->action = (int)v.action;
	return 0;
}

int pc_testbed_judge(struct pc_testbed *t, struct pc_mix *m, struct pc_err *e)
{
	struct pc_judge j;
	int err;

	if (pc_program_judge_init(t->skel, t->img.n_rules, 0, &j, e))
		return -1;
	err = 0;
	for (size_t i = 0; i < m->n && !err; i++)
		err = judge_stream(&j, &m->s[i], e);
	pc_judge_free(&j);
	return err;
}

int pc_testbed_prepare(const char *profile, const char *what, struct pc_testbed *t,
		       struct pc_mix *m, struct pc_err *e)
{
	memset(t, 0, sizeof(*t));
	if (!profile)
		return pc_mix_load(what, NULL, NULL, m, e);
	if (pc_testbed_open(profile, t, e) || pc_mix_load(what, &t->p, profile, m, e))
		return -1;
	/* Replies are judged, and timed, as replies of real connections: through the
	 * flow table. */
	if (pc_testbed_seed(t, m, e))
		return -1;
	return pc_testbed_judge(t, m, e);
}

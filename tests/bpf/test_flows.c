// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* State on, through BPF_PROG_TEST_RUN: the test writes flow entries as the egress hook
 * would, and checks what ingress makes of replies, look-alikes, ICMP errors, idle and
 * closing flows and flows of the previous load generation; then it runs the egress
 * program itself and reads back what it recorded and counted. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "harness.h"
#include "kern/program.h"
#include "portcullis.skel.h"
#include "traffic/frame.h"
#include "verdict.h"

#define PEER "198.51.100.7"
#define PEER6 "2001:db8::7"
#define LOCAL "198.51.100.1" /* pkt.h's default destination */
#define LOCAL6 "2001:db8::2"
#define ROUTER "203.0.113.9"

/* No in rule admits ICMP: ICMP errors pass only through the flow logic. */
static const char *const profile = "set timeout udp 5\n"
				   "allow in tcp port 25 \"smtp in\"\n"		   /* rule 0 */
				   "allow out tcp port 2703 \"razor\"\n"	   /* rule 1 */
				   "allow out udp port 53 \"dns\"\n"		   /* rule 2 */
				   "allow out icmp type echo-request \"ping\"\n"   /* rule 3 */
				   "allow out icmp6 type echo-request \"ping6\"\n" /* rule 4 */
				   "drop in udp port 9999 \"udp 9999\"\n";	   /* rule 5 */
enum { SMTP_IN, RAZOR, DNS, PING, PING6, DROP_9999 };
#define RULE(r) (PC_CNT_IMPLICIT + (r))

struct state {
	struct pc_profile p;
	struct pc_diags d;
	struct pc_image img;
	struct portcullis *skel;
	struct pc_judge in, out; /* ingress with counters, egress with ecounters */
};

static bool setup(struct state *s, const char *text, const struct pc_lineage *lin)
{
	struct pc_err e = { 0 };

	memset(s, 0, sizeof(*s));
	if (pc_profile_parse_string("flows.conf", text, &s->p, &s->d) ||
	    pc_compile(&s->p, &s->img, &s->d) ||
	    pc_program_create(&s->p, &s->img, lin, &s->skel, &e)) {
		pc_diags_print(&s->d, stdout);
		pc_test_fail(__FILE__, __LINE__, "the profile does not load: %s", e.msg);
		return false;
	}
	if (pc_judge_init(&s->in, bpf_program__fd(s->skel->progs.portcullis_xdp),
			  bpf_map__fd(s->skel->maps.counters), PC_CNT_IMPLICIT + s->img.n_rules, 0,
			  &e) ||
	    pc_judge_init(&s->out, bpf_program__fd(s->skel->progs.portcullis_egress),
			  bpf_map__fd(s->skel->maps.ecounters), PC_CNT_IMPLICIT + s->img.n_rules, 0,
			  &e)) {
		pc_test_fail(__FILE__, __LINE__, "%s", e.msg);
		return false;
	}
	return true;
}

static void teardown(struct state *s)
{
	pc_judge_free(&s->in);
	pc_judge_free(&s->out);
	portcullis__destroy(s->skel);
	pc_image_free(&s->img);
	pc_profile_free(&s->p);
	pc_diags_free(&s->d);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static struct pc_flow_key key(uint8_t proto, const char *peer, uint16_t peer_port,
			      uint16_t local_port)
{
	bool v6 = strchr(peer, ':');
	struct pc_flow_key k = { .family = v6 ? 6 : 4,
				 .proto = proto,
				 .peer_port = peer_port,
				 .local_port = local_port };

	inet_pton(v6 ? AF_INET6 : AF_INET, peer, k.peer);
	return k;
}

/* A flow as the egress hook writes it, last seen idle_s seconds ago. */
static void record(struct state *s, struct pc_flow_key k, int rule, uint32_t gen, int idle_s,
		   bool closing)
{
	struct pc_flow f = { .seen_ns = now_ns() - (uint64_t)idle_s * 1000000000ULL,
			     .gen = gen,
			     .rule = (uint16_t)rule,
			     .closing = closing };

	f.created_ns = f.seen_ns;
	if (bpf_map_update_elem(bpf_map__fd(s->skel->maps.flows), &k, &f, BPF_ANY))
		pc_test_fail(__FILE__, __LINE__, "recording a flow: %s", strerror(errno));
}

static void forget_all(struct state *s)
{
	int fd = bpf_map__fd(s->skel->maps.flows);
	struct pc_flow_key k;

	while (!bpf_map_get_next_key(fd, NULL, &k))
		bpf_map_delete_elem(fd, &k);
}

/* A frame through the ingress or the egress program: its action, and exactly counter
 * `want` moved; a failure names the line of the call. */
#define INGRESS(s, desc, f, want, action)                                                          \
	pc_expect_verdict(__FILE__, __LINE__, &(s)->in, (desc), (f)->data, (f)->len, (want),       \
			  (action))
#define EGRESS(s, desc, f, want, action)                                                           \
	pc_expect_verdict(__FILE__, __LINE__, &(s)->out, (desc), (f)->data, (f)->len, (want),      \
			  (action))

/* --- frames ---------------------------------------------------------------------- */

static void ip(struct pkt *f, const char *src, const char *dst)
{
	pkt_init(f);
	if (strchr(src, ':'))
		PKT_IPV6(f, .src = src, .dst = dst);
	else
		PKT_IPV4(f, .src = src, .dst = dst);
}

static struct pkt udp(const char *src, uint16_t sport, const char *dst, uint16_t dport)
{
	struct pkt f;

	ip(&f, src, dst);
	PKT_UDP(&f, .sport = sport, .dport = dport);
	pkt_payload(&f, 12);
	return f;
}

static struct pkt tcp(const char *src, uint16_t sport, const char *dst, uint16_t dport,
		      uint8_t flags)
{
	struct pkt f;

	ip(&f, src, dst);
	PKT_TCP(&f, .sport = sport, .dport = dport, .flags = flags);
	return f;
}

/* An ICMP(v6) message whose echo identifier (or unused word) starts with id. */
static void icmp(struct pkt *f, bool v6, uint8_t type, uint8_t code, uint16_t id)
{
	if (v6)
		pkt_icmp6(f, type, code);
	else
		pkt_icmp(f, type, code);
	f->data[f->len - 4] = id >> 8;
	f->data[f->len - 3] = id & 0xff;
}

static struct pkt echo(const char *src, const char *dst, bool request, uint16_t id)
{
	bool v6 = strchr(src, ':');
	struct pkt f;

	ip(&f, src, dst);
	icmp(&f, v6, v6 ? (request ? 128 : 129) : (request ? 8 : 0), 0, id);
	pkt_payload(&f, 16);
	return f;
}

/* An ICMP error from `from` quoting the first 8 bytes of a packet src -> dst. */
enum quote { Q_UDP, Q_TCP, Q_ECHO, Q_SHORT /* UDP, 4 bytes of it */ };
static struct pkt icmp_error(const char *from, uint8_t type, uint8_t code, enum quote q,
			     const char *src, uint16_t sport, const char *dst, uint16_t dport)
{
	bool v6 = strchr(from, ':');
	struct pkt f;

	ip(&f, from, v6 ? LOCAL6 : LOCAL);
	icmp(&f, v6, type, code, 0);
	if (v6)
		PKT_IPV6(&f, .src = src, .dst = dst);
	else
		PKT_IPV4(&f, .src = src, .dst = dst);
	if (q == Q_UDP)
		PKT_UDP(&f, .sport = sport, .dport = dport);
	else if (q == Q_TCP || q == Q_SHORT)
		pkt_bytes(&f, (uint8_t[8]){ sport >> 8, sport & 0xff, dport >> 8, dport & 0xff },
			  q == Q_TCP ? 8 : 4);
	else
		icmp(&f, v6, v6 ? 128 : 8, 0, sport);
	if (q == Q_TCP || q == Q_SHORT) {
		/* Raw bytes: the quoted header's protocol number is ours to write. */
		size_t l4 = q == Q_TCP ? 8 : 4;

		f.data[f.len - l4 - (v6 ? 40 : 20) + (v6 ? 6 : 9)] =
			q == Q_TCP ? IPPROTO_TCP : IPPROTO_UDP;
	}
	return f;
}

/* --- ingress ----------------------------------------------------------------------- */

TEST(reply_of_a_recorded_flow_passes_on_its_rule)
{
	struct state s;
	struct pkt f;

	if (geteuid())
		SKIP("needs root for BPF_PROG_TEST_RUN");
	if (!setup(&s, profile, NULL))
		return;
	f = udp(PEER, 53, LOCAL, 40000);
	INGRESS(&s, "dns reply, no flow", &f, PC_CNT_NO_MATCH, XDP_DROP);
	record(&s, key(IPPROTO_UDP, PEER, 53, 40000), DNS, 1, 0, false);
	INGRESS(&s, "dns reply", &f, RULE(DNS), XDP_PASS);
	f = udp(PEER, 54, LOCAL, 40000);
	INGRESS(&s, "another peer port", &f, PC_CNT_NO_MATCH, XDP_DROP);
	f = udp(PEER, 53, LOCAL, 40001);
	INGRESS(&s, "another local port", &f, PC_CNT_NO_MATCH, XDP_DROP);
	f = udp("198.51.100.8", 53, LOCAL, 40000);
	INGRESS(&s, "another peer address", &f, PC_CNT_NO_MATCH, XDP_DROP);
	/* Like the rules, flows do not look at the appliance's own address. */
	f = udp(PEER, 53, "198.51.100.99", 40000);
	INGRESS(&s, "another local address", &f, RULE(DNS), XDP_PASS);
	f = tcp(PEER, 53, LOCAL, 40000, PKT_ACK);
	INGRESS(&s, "another protocol", &f, PC_CNT_NO_MATCH, XDP_DROP);

	record(&s, key(IPPROTO_TCP, PEER6, 2703, 50000), RAZOR, 1, 0, false);
	f = tcp(PEER6, 2703, LOCAL6, 50000, PKT_ACK);
	INGRESS(&s, "razor reply over IPv6", &f, RULE(RAZOR), XDP_PASS);
	f = tcp(PEER6, 2703, LOCAL6, 50000, PKT_SYN);
	INGRESS(&s, "a SYN without ACK is no reply", &f, PC_CNT_NO_MATCH, XDP_DROP);
	/* Only peers and ports an out rule allows can have flows: the lookup of the
	 * out table before the hash is exact, whatever else the table holds. */
	record(&s, key(IPPROTO_UDP, PEER, 5353, 40000), DNS, 1, 0, false);
	f = udp(PEER, 5353, LOCAL, 40000);
	INGRESS(&s, "a flow from a port no out rule allows", &f, PC_CNT_NO_MATCH, XDP_DROP);
	f = tcp(PEER6, 2703, LOCAL6, 50001, PKT_ACK);
	INGRESS(&s, "razor look-alike, another port", &f, PC_CNT_NO_MATCH, XDP_DROP);

	/* Established wins over a drop rule, and the in rules keep their own. */
	f = udp(PEER, 53, LOCAL, 9999);
	INGRESS(&s, "to 9999, no flow", &f, RULE(DROP_9999), XDP_DROP);
	record(&s, key(IPPROTO_UDP, PEER, 53, 9999), DNS, 1, 0, false);
	INGRESS(&s, "to 9999, a flow", &f, RULE(DNS), XDP_PASS);
	record(&s, key(IPPROTO_TCP, PEER, 40000, 25), RAZOR, 1, 0, false);
	f = tcp(PEER, 40000, LOCAL, 25, PKT_ACK);
	INGRESS(&s, "an in rule passes first", &f, RULE(SMTP_IN), XDP_PASS);
	teardown(&s);
}

TEST(echo_replies_match_their_identifier)
{
	struct state s;
	struct pkt f;

	if (geteuid())
		SKIP("needs root for BPF_PROG_TEST_RUN");
	if (!setup(&s, profile, NULL))
		return;
	record(&s, key(IPPROTO_ICMP, PEER, 0, 0x1234), PING, 1, 0, false);
	record(&s, key(IPPROTO_ICMPV6, PEER6, 0, 0x4321), PING6, 1, 0, false);
	f = echo(PEER, LOCAL, false, 0x1234);
	INGRESS(&s, "echo reply", &f, RULE(PING), XDP_PASS);
	f = echo(PEER, LOCAL, false, 0x1235);
	INGRESS(&s, "echo reply, another id", &f, PC_CNT_NO_MATCH, XDP_DROP);
	f = echo(PEER, LOCAL, true, 0x1234);
	INGRESS(&s, "echo request with the flow's id", &f, PC_CNT_NO_MATCH, XDP_DROP);
	f = echo(PEER6, LOCAL6, false, 0x4321);
	INGRESS(&s, "echo6 reply", &f, RULE(PING6), XDP_PASS);
	teardown(&s);
}

TEST(icmp_errors_follow_their_quoted_packet)
{
	struct state s;
	struct pkt f;

	if (geteuid())
		SKIP("needs root for BPF_PROG_TEST_RUN");
	if (!setup(&s, profile, NULL))
		return;
	record(&s, key(IPPROTO_UDP, PEER, 53, 40000), DNS, 1, 0, false);
	record(&s, key(IPPROTO_TCP, PEER6, 2703, 50000), RAZOR, 1, 0, false);
	record(&s, key(IPPROTO_ICMP, PEER, 0, 77), PING, 1, 0, false);

	f = icmp_error(ROUTER, 3, 4, Q_UDP, LOCAL, 40000, PEER, 53);
	INGRESS(&s, "fragmentation needed for a dns query", &f, RULE(DNS), XDP_PASS);
	f = icmp_error(PEER, 3, 3, Q_UDP, LOCAL, 40000, PEER, 53);
	INGRESS(&s, "port unreachable for a dns query", &f, RULE(DNS), XDP_PASS);
	f = icmp_error(ROUTER, 3, 4, Q_UDP, LOCAL, 40000, PEER, 54);
	INGRESS(&s, "fragmentation needed, unknown flow", &f, PC_CNT_NO_MATCH, XDP_DROP);
	f = icmp_error(ROUTER, 3, 4, Q_UDP, PEER, 53, LOCAL, 40000);
	INGRESS(&s, "quote in the wrong direction", &f, PC_CNT_NO_MATCH, XDP_DROP);
	f = icmp_error("2001:db8::99", 2, 0, Q_TCP, LOCAL6, 50000, PEER6, 2703);
	INGRESS(&s, "packet too big for razor over IPv6", &f, RULE(RAZOR), XDP_PASS);
	f = icmp_error("2001:db8::99", 2, 0, Q_TCP, LOCAL6, 50000, PEER6, 2704);
	INGRESS(&s, "packet too big, unknown flow", &f, PC_CNT_NO_MATCH, XDP_DROP);
	f = icmp_error(ROUTER, 11, 0, Q_ECHO, LOCAL, 77, PEER, 0);
	INGRESS(&s, "time exceeded for our ping", &f, RULE(PING), XDP_PASS);
	f = icmp_error(ROUTER, 11, 0, Q_ECHO, LOCAL, 78, PEER, 0);
	INGRESS(&s, "time exceeded for another ping", &f, PC_CNT_NO_MATCH, XDP_DROP);
	/* The quoted packet answered a peer an in rule admits: SMTP served on 25. */
	f = icmp_error(ROUTER, 3, 4, Q_TCP, LOCAL, 25, PEER, 40000);
	INGRESS(&s, "fragmentation needed for an smtp session", &f, RULE(SMTP_IN), XDP_PASS);
	f = icmp_error(ROUTER, 3, 4, Q_TCP, LOCAL, 26, PEER, 40000);
	INGRESS(&s, "fragmentation needed, port 26", &f, PC_CNT_NO_MATCH, XDP_DROP);
	/* Not errors: a redirect quoting the dns flow stays a plain ICMP type. */
	f = icmp_error(ROUTER, 5, 0, Q_UDP, LOCAL, 40000, PEER, 53);
	INGRESS(&s, "redirect quoting a flow", &f, PC_CNT_NO_MATCH, XDP_DROP);
	/* Cut inside the quote: nothing to match. */
	f = icmp_error(ROUTER, 3, 4, Q_SHORT, LOCAL, 40000, PEER, 53);
	INGRESS(&s, "quote cut short", &f, PC_CNT_NO_MATCH, XDP_DROP);
	/* Cut short by the IP length, the rest of the ports in Ethernet padding: the
	 * padding is no part of the quote (found by the differential test). */
	pkt_pad(&f, 4);
	f.data[f.len - 4] = 0;
	f.data[f.len - 3] = 8;
	INGRESS(&s, "quote completed by padding", &f, PC_CNT_NO_MATCH, XDP_DROP);
	teardown(&s);
}

/* The flows come before the default policy (docs/semantics.md §3, 4 before 6): under `default
 * pass` a reply still counts on its flow's rule (found by the differential test). */
TEST(flows_before_default_pass)
{
	char text[1024];
	struct state s;
	struct pkt f;

	if (geteuid())
		SKIP("needs root for BPF_PROG_TEST_RUN");
	snprintf(text, sizeof(text), "%sset default pass\n", profile);
	if (!setup(&s, text, NULL))
		return;
	f = udp(PEER, 53, LOCAL, 40000);
	INGRESS(&s, "dns reply, no flow", &f, PC_CNT_NO_MATCH, XDP_PASS);
	record(&s, key(IPPROTO_UDP, PEER, 53, 40000), DNS, 1, 0, false);
	INGRESS(&s, "dns reply of a flow", &f, RULE(DNS), XDP_PASS);
	teardown(&s);
}

TEST(flows_expire)
{
	struct state s;
	struct pkt f;

	if (geteuid())
		SKIP("needs root for BPF_PROG_TEST_RUN");
	if (!setup(&s, profile, NULL))
		return;
	f = udp(PEER, 53, LOCAL, 40000);
	record(&s, key(IPPROTO_UDP, PEER, 53, 40000), DNS, 1, 4, false);
	INGRESS(&s, "udp idle 4 s of 5", &f, RULE(DNS), XDP_PASS);
	record(&s, key(IPPROTO_UDP, PEER, 53, 40000), DNS, 1, 6, false);
	INGRESS(&s, "udp idle 6 s of 5", &f, PC_CNT_NO_MATCH, XDP_DROP);

	f = tcp(PEER, 2703, LOCAL, 40000, PKT_ACK);
	record(&s, key(IPPROTO_TCP, PEER, 2703, 40000), RAZOR, 1, 3000, false);
	INGRESS(&s, "tcp idle 3000 s of 3600", &f, RULE(RAZOR), XDP_PASS);
	record(&s, key(IPPROTO_TCP, PEER, 2703, 40000), RAZOR, 1, PC_TIMEOUT_CLOSING - 2, true);
	INGRESS(&s, "closing tcp, within its short timeout", &f, RULE(RAZOR), XDP_PASS);
	record(&s, key(IPPROTO_TCP, PEER, 2703, 40000), RAZOR, 1, PC_TIMEOUT_CLOSING + 2, true);
	INGRESS(&s, "closing tcp, past its short timeout", &f, PC_CNT_NO_MATCH, XDP_DROP);

	/* A FIN from the peer starts the short timeout. */
	record(&s, key(IPPROTO_TCP, PEER, 2703, 40000), RAZOR, 1, 0, false);
	f = tcp(PEER, 2703, LOCAL, 40000, PKT_FIN | PKT_ACK);
	INGRESS(&s, "fin from the peer", &f, RULE(RAZOR), XDP_PASS);
	{
		struct pc_flow_key k = key(IPPROTO_TCP, PEER, 2703, 40000);
		struct pc_flow v = { 0 };

		EXPECT_EQ(bpf_map_lookup_elem(bpf_map__fd(s.skel->maps.flows), &k, &v), 0);
		EXPECT_EQ(v.closing, 1);
	}
	teardown(&s);
}

/* Flows outlive reloads: those of the previous generation count on the rule with the
 * same text in this one (flow_remap), older or orphaned ones on nothing. */
TEST(flows_of_the_previous_generation_are_remapped)
{
	/* The previous profile had dns at rule 0 and razor at 1; this one at 2 and 1. */
	static const uint16_t remap[] = { DNS + 1, RAZOR + 1, 0 };
	struct pc_lineage lin = {
		.gen = 7, .gen_prev = 6, .remap = remap, .n_remap = 3, .flows_fd = -1
	};
	struct state s;
	struct pkt f;

	if (geteuid())
		SKIP("needs root for BPF_PROG_TEST_RUN");
	if (!setup(&s, profile, &lin))
		return;
	f = udp(PEER, 53, LOCAL, 40000);
	record(&s, key(IPPROTO_UDP, PEER, 53, 40000), 0, 6, 0, false);
	INGRESS(&s, "previous generation's rule 0", &f, RULE(DNS), XDP_PASS);
	record(&s, key(IPPROTO_UDP, PEER, 53, 40000), 2, 6, 0, false);
	INGRESS(&s, "previous generation's rule that is gone", &f, PC_CNT_NO_MATCH, XDP_DROP);
	record(&s, key(IPPROTO_UDP, PEER, 53, 40000), DNS, 5, 0, false);
	INGRESS(&s, "two generations back", &f, PC_CNT_NO_MATCH, XDP_DROP);
	record(&s, key(IPPROTO_UDP, PEER, 53, 40000), DNS, 7, 0, false);
	INGRESS(&s, "this generation", &f, RULE(DNS), XDP_PASS);
	record(&s, key(IPPROTO_UDP, PEER, 53, 40000), 200, 7, 0, false);
	INGRESS(&s, "a rule index beyond the profile", &f, PC_CNT_NO_MATCH, XDP_DROP);
	forget_all(&s);
	teardown(&s);
}

/* --- egress ------------------------------------------------------------------------ */

#define TCX_NEXT (-1)
#define TCX_DROP 2

static bool has_flow(struct state *s, struct pc_flow_key k, int rule)
{
	struct pc_flow f;

	if (bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.flows), &k, &f))
		return false;
	return f.rule == rule && f.gen == 1 && f.origin == PC_FLOW_EGRESS &&
	       f.local[0] == (k.family == 4 ? inet_addr(LOCAL) : f.local[0]);
}

TEST(egress_records_what_out_rules_allow)
{
	struct state s;
	struct pkt f;

	if (geteuid())
		SKIP("needs root for BPF_PROG_TEST_RUN");
	if (!setup(&s, profile, NULL))
		return;
	f = udp(LOCAL, 40000, PEER, 53);
	EGRESS(&s, "dns query", &f, RULE(DNS), TCX_NEXT);
	EXPECT_TRUE(has_flow(&s, key(IPPROTO_UDP, PEER, 53, 40000), DNS));
	f = udp(PEER, 53, LOCAL, 40000);
	INGRESS(&s, "its answer", &f, RULE(DNS), XDP_PASS);

	f = tcp(LOCAL6, 50000, PEER6, 2703, PKT_SYN);
	EGRESS(&s, "razor syn over IPv6", &f, RULE(RAZOR), TCX_NEXT);
	EXPECT_TRUE(has_flow(&s, key(IPPROTO_TCP, PEER6, 2703, 50000), RAZOR));

	f = echo(LOCAL, PEER, true, 99);
	EGRESS(&s, "ping", &f, RULE(PING), TCX_NEXT);
	EXPECT_TRUE(has_flow(&s, key(IPPROTO_ICMP, PEER, 0, 99), PING));

	f = tcp(LOCAL, 40001, PEER, 2703, PKT_RST);
	EGRESS(&s, "a RST opens nothing", &f, RULE(RAZOR), TCX_NEXT);
	EXPECT_TRUE(!has_flow(&s, key(IPPROTO_TCP, PEER, 2703, 40001), RAZOR));

	f = tcp(LOCAL, 40002, PEER, 8080, PKT_SYN);
	EGRESS(&s, "no out rule, egress open", &f, PC_CNT_NO_MATCH, TCX_NEXT);
	EXPECT_TRUE(!has_flow(&s, key(IPPROTO_TCP, PEER, 8080, 40002), RAZOR));

	/* Replies of inbound flows count on the in rule and open no flow. */
	f = tcp(LOCAL, 25, PEER, 40003, PKT_SYN | PKT_ACK);
	EGRESS(&s, "smtp served on 25", &f, RULE(SMTP_IN), TCX_NEXT);
	f = tcp(LOCAL, 25, PEER, 40003, PKT_SYN);
	EGRESS(&s, "a bare SYN from 25 is no reply", &f, PC_CNT_NO_MATCH, TCX_NEXT);

	/* A FIN from the appliance starts the flow's short timeout. */
	f = tcp(LOCAL6, 50000, PEER6, 2703, PKT_FIN | PKT_ACK);
	EGRESS(&s, "razor fin", &f, RULE(RAZOR), TCX_NEXT);
	{
		struct pc_flow_key k = key(IPPROTO_TCP, PEER6, 2703, 50000);
		struct pc_flow v = { 0 };

		EXPECT_EQ(bpf_map_lookup_elem(bpf_map__fd(s.skel->maps.flows), &k, &v), 0);
		EXPECT_EQ(v.closing, 1);
	}
	pkt_init(&f);
	pkt_next(&f, 0x0806);
	pkt_payload(&f, 28);
	EGRESS(&s, "arp", &f, PC_CNT_NON_IP, TCX_NEXT);
	teardown(&s);
}

TEST(egress_enforce_drops_what_no_rule_allows)
{
	char text[1024];
	struct state s;
	struct pkt f;

	if (geteuid())
		SKIP("needs root for BPF_PROG_TEST_RUN");
	snprintf(text, sizeof(text), "%sset egress enforce\n", profile);
	if (!setup(&s, text, NULL))
		return;
	f = tcp(LOCAL, 40002, PEER, 8080, PKT_SYN);
	EGRESS(&s, "no out rule", &f, PC_CNT_NO_MATCH, TCX_DROP);
	f = udp(LOCAL, 40000, PEER, 53);
	EGRESS(&s, "dns query", &f, RULE(DNS), TCX_NEXT);
	f = tcp(LOCAL, 25, PEER, 40003, PKT_ACK);
	EGRESS(&s, "smtp served on 25", &f, RULE(SMTP_IN), TCX_NEXT);
	f = tcp(LOCAL, 26, PEER, 40003, PKT_ACK);
	EGRESS(&s, "an ACK from a port no in rule serves", &f, PC_CNT_NO_MATCH, TCX_DROP);
	/* The appliance's own ICMP error about an SMTP segment it received. */
	f = icmp_error(LOCAL, 3, 4, Q_TCP, PEER, 40003, LOCAL, 25);
	EGRESS(&s, "fragmentation needed about inbound smtp", &f, RULE(SMTP_IN), TCX_NEXT);
	f = icmp_error(LOCAL, 3, 3, Q_UDP, PEER, 40003, LOCAL, 7777);
	EGRESS(&s, "port unreachable about an unserved port", &f, PC_CNT_NO_MATCH, TCX_DROP);
	pkt_init(&f);
	PKT_IPV6(&f, .src = LOCAL6, .dst = "ff02::1", .hop_limit = 255);
	pkt_icmp6(&f, 136, 0);
	pkt_payload(&f, 16);
	EGRESS(&s, "neighbour advertisement", &f, PC_CNT_NDP, TCX_NEXT);
	pkt_init(&f);
	PKT_IPV6(&f, .src = LOCAL6, .dst = "ff02::16", .hop_limit = 1);
	pkt_ext6(&f, 0, 8);
	pkt_icmp6(&f, 143, 0);
	pkt_payload(&f, 20);
	EGRESS(&s, "MLDv2 report behind hop-by-hop", &f, PC_CNT_NDP, TCX_NEXT);
	pkt_init(&f);
	PKT_IPV4(&f, .src = LOCAL, .dst = "224.0.0.22", .ttl = 1);
	pkt_next(&f, 2);
	pkt_payload(&f, 16);
	EGRESS(&s, "IGMPv3 report", &f, PC_CNT_NDP, TCX_NEXT);
	pkt_init(&f);
	PKT_IPV4(&f, .src = LOCAL, .dst = PEER);
	pkt_next(&f, 47);
	pkt_payload(&f, 16);
	EGRESS(&s, "GRE: no rule can allow it", &f, PC_CNT_NO_MATCH, TCX_DROP);
	teardown(&s);
}

/* A full table makes room for a new flow by evicting the least recently used one. */
TEST(a_full_table_evicts_never_refuses)
{
	struct state s;
	struct pkt f;
	uint32_t n = 0;
	struct pc_flow_key k, *prev = NULL, cur;
	int fd;

	if (geteuid())
		SKIP("needs root for BPF_PROG_TEST_RUN");
	if (!setup(&s, "set flows 1024\nallow out udp port 53 \"dns\"\n", NULL))
		return;
	for (unsigned port = 10000; port < 13000; port++) {
		f = udp(LOCAL, port, PEER, 53);
		EGRESS(&s, "dns query", &f, RULE(0), TCX_NEXT);
	}
	f = udp(PEER, 53, LOCAL, 12999);
	INGRESS(&s, "answer to the newest query", &f, RULE(0), XDP_PASS);
	fd = bpf_map__fd(s.skel->maps.flows);
	while (!bpf_map_get_next_key(fd, prev, &k)) {
		cur = k;
		prev = &cur;
		n++;
	}
	EXPECT_TRUE(n <= 1024);
	EXPECT_TRUE(n >= 512);
	teardown(&s);
}

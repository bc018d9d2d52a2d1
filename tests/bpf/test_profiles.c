// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Verdict tables for the shipped profiles: the real compiler fills the real program's
 * maps, and every row of each seed's port list runs through BPF_PROG_TEST_RUN with
 * the neighbours that must drop (wrong port, zone, protocol, ICMP type). After each
 * table the counters must add up to the frames run. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "harness.h"
#include "kern/program.h"
#include "portcullis.skel.h"
#include "traffic/frame.h"
#include "verdict.h"

#define INET "198.51.100.7"
#define INET6 "2001:db8::7"
#define LAN "10.2.3.4"
#define LAN2 "192.168.1.9"
#define LAN6 "fd00::9"

enum kind { TCP, UDP, ICMP, ICMP6, ARP, NDP };

struct row {
	const char *desc;
	enum kind kind;
	const char *src;  /* IPv6 when it has a ':' */
	unsigned sport;	  /* 0: 40000 */
	unsigned dport;	  /* or ICMP type */
	uint8_t flags;	  /* TCP flags; 0: SYN */
	int vlans;	  /* 0, 1 or 2 tags */
	const char *rule; /* label of the rule that decides; NULL: no-match */
	int action;	  /* XDP_PASS or XDP_DROP */
	int line;	  /* where the row is written: its failures name it */
};

/* A row of a table, with its line. */
#define ROW(...)                                                                                   \
	{                                                                                          \
		__VA_ARGS__, .line = __LINE__                                                      \
	}

#define SYN PKT_SYN
#define ACK PKT_ACK

static const struct row spammertrap[] = {
	/* Internet to SpammerTrap */
	ROW("smtp in", TCP, INET, 0, 25, SYN, 0, "SMTP: receive email", XDP_PASS),
	ROW("smtp in v6", TCP, INET6, 0, 25, SYN, 0, "SMTP: receive email", XDP_PASS),
	ROW("smtp in, vlan", TCP, INET, 0, 25, SYN, 1, "SMTP: receive email", XDP_PASS),
	ROW("smtp in, qinq", TCP, INET6, 0, 25, SYN, 2, "SMTP: receive email", XDP_PASS),
	ROW("wrong port 24", TCP, INET, 0, 24, SYN, 0, NULL, XDP_DROP),
	ROW("wrong proto udp 25", UDP, INET, 0, 25, 0, 0, NULL, XDP_DROP),
	ROW("icmp 3", ICMP, INET, 0, 3, 0, 0, "ICMP: diagnostics, not pings", XDP_PASS),
	ROW("icmp 4", ICMP, INET, 0, 4, 0, 0, "ICMP: diagnostics, not pings", XDP_PASS),
	ROW("icmp 11", ICMP, INET, 0, 11, 0, 0, "ICMP: diagnostics, not pings", XDP_PASS),
	ROW("icmp 12", ICMP, INET, 0, 12, 0, 0, "ICMP: diagnostics, not pings", XDP_PASS),
	ROW("no pings from internet", ICMP, INET, 0, 8, 0, 0, NULL, XDP_DROP),
	ROW("no redirect from internet", ICMP, INET, 0, 5, 0, 0, NULL, XDP_DROP),
	ROW("icmp6 packet-too-big", ICMP6, INET6, 0, 2, 0, 0, "ICMPv6: diagnostics, not pings",
	    XDP_PASS),
	ROW("no ping6 from internet", ICMP6, INET6, 0, 128, 0, 0, NULL, XDP_DROP),
	ROW("icmp type on icmp6 table", ICMP6, INET6, 0, 11, 0, 0, NULL, XDP_DROP),
	ROW("identd", TCP, INET, 0, 113, SYN, 0, "identd: some older email servers", XDP_PASS),
	ROW("http in", TCP, INET, 0, 80, SYN, 0, "HTTP: external quarantine release", XDP_PASS),
	ROW("https in", TCP, INET6, 0, 443, SYN, 0, "HTTPS: authenticated web users", XDP_PASS),
	ROW("ssh from internet", TCP, INET, 0, 22, SYN, 0, NULL, XDP_DROP),
	ROW("8080 from internet", TCP, INET, 0, 8080, SYN, 0, NULL, XDP_DROP),
	/* SpammerTrap to Internet: replies, read statelessly */
	ROW("smtp out reply", TCP, INET, 25, 40000, ACK, 0,
	    "SMTP: send mail, NDRs, bounces, notices", XDP_PASS),
	ROW("smtp out reply without ACK", TCP, INET, 25, 40000, SYN, 0, NULL, XDP_DROP),
	ROW("smtp out reply to a low port", TCP, INET, 25, 1000, ACK, 0, NULL, XDP_DROP),
	ROW("dns udp reply", UDP, INET, 53, 40000, 0, 0, "DNS: real-time blacklist and MX lookups",
	    XDP_PASS),
	ROW("dns tcp reply", TCP, INET6, 53, 50000, ACK, 0,
	    "DNS: real-time blacklist and MX lookups", XDP_PASS),
	ROW("dns udp to a low port", UDP, INET, 53, 53, 0, 0, NULL, XDP_DROP),
	ROW("whois reply", TCP, INET, 43, 40000, ACK, 0, "whois: sender information in reports",
	    XDP_PASS),
	ROW("http reply", TCP, INET, 80, 40000, ACK, 0, "HTTP: anti-virus database updates",
	    XDP_PASS),
	ROW("ntp reply", UDP, INET, 123, 40000, 0, 0, "NTP: accurate date and time", XDP_PASS),
	ROW("ntp over tcp", TCP, INET, 123, 40000, ACK, 0, NULL, XDP_DROP),
	ROW("https reply", TCP, INET, 443, 40000, ACK, 0, "HTTPS: SECNAP updates tunnel", XDP_PASS),
	ROW("razor reply", TCP, INET, 2703, 40000, ACK, 0, "Razor: spam checksum database",
	    XDP_PASS),
	ROW("razor over udp", UDP, INET, 2703, 40000, 0, 0, NULL, XDP_DROP),
	ROW("dcc reply", UDP, INET, 6277, 40000, 0, 0, "DCC: Distributed Checksum Clearinghouse",
	    XDP_PASS),
	ROW("dcc over tcp", TCP, INET, 6277, 40000, ACK, 0, NULL, XDP_DROP),
	ROW("submission reply", TCP, INET, 587, 40000, ACK, 0,
	    "Submission: report spammers to SpamCop", XDP_PASS),
	ROW("pop3 reply from internet", TCP, INET, 110, 40000, ACK, 0, NULL, XDP_DROP),
	/* The seed's scope is its heading, "SpammerTrap to Internet": the lan zone does not
	 * get these ports, except where "SpammerTrap to LAN" lists them too (25, 53). */
	ROW("http reply from lan (to Internet only)", TCP, LAN, 80, 40000, ACK, 0, NULL, XDP_DROP),
	ROW("whois reply from lan (to Internet only)", TCP, LAN2, 43, 40000, ACK, 0, NULL,
	    XDP_DROP),
	ROW("razor reply from lan6 (to Internet only)", TCP, LAN6, 2703, 40000, ACK, 0, NULL,
	    XDP_DROP),
	ROW("dcc reply from lan (to Internet only)", UDP, LAN, 6277, 40000, 0, 0, NULL, XDP_DROP),
	ROW("smtp out reply from lan (both headings)", TCP, LAN2, 25, 40000, ACK, 0,
	    "SMTP: deliver to the corporate server", XDP_PASS),
	ROW("echo reply", ICMP, INET, 0, 0, 0, 0, "ICMP returns: replies to our pings", XDP_PASS),
	ROW("echo6 reply", ICMP6, INET6, 0, 129, 0, 0, "ICMPv6 returns: replies to our pings",
	    XDP_PASS),
	/* LAN to SpammerTrap */
	ROW("smtp from lan", TCP, LAN, 0, 25, SYN, 0, "SMTP: direct from internal clients",
	    XDP_PASS),
	ROW("http from lan", TCP, LAN2, 0, 80, SYN, 0, "HTTP: web quarantine release", XDP_PASS),
	ROW("https from lan6", TCP, LAN6, 0, 443, SYN, 0, "HTTPS: web, authenticated users",
	    XDP_PASS),
	ROW("ssh from lan", TCP, LAN, 0, 22, SYN, 0, NULL, XDP_DROP),
	ROW("ping from lan", ICMP, LAN, 0, 8, 0, 0, "ICMP: pings and diagnostics", XDP_PASS),
	ROW("redirect from lan", ICMP, LAN, 0, 5, 0, 0, "ICMP: pings and diagnostics", XDP_PASS),
	ROW("timestamp from lan", ICMP, LAN, 0, 13, 0, 0, NULL, XDP_DROP),
	ROW("ping6 from lan", ICMP6, LAN6, 0, 128, 0, 0, "ICMPv6: pings and diagnostics", XDP_PASS),
	ROW("identd from lan", TCP, LAN, 0, 113, SYN, 0, NULL, XDP_DROP),
	/* SpammerTrap to LAN */
	ROW("smtp to lan reply", TCP, LAN, 25, 40000, ACK, 0,
	    "SMTP: deliver to the corporate server", XDP_PASS),
	ROW("pop3 reply", TCP, LAN, 110, 40000, ACK, 0, "POP3: auth with the internal server",
	    XDP_PASS),
	ROW("imap reply", TCP, LAN2, 143, 40000, ACK, 0, "IMAP: auth, public mail folders",
	    XDP_PASS),
	ROW("ldap reply", TCP, LAN, 389, 40000, ACK, 0, "LDAP/LDAPS: user and recipient lookups",
	    XDP_PASS),
	ROW("ldaps reply", TCP, LAN6, 636, 40000, ACK, 0, "LDAP/LDAPS: user and recipient lookups",
	    XDP_PASS),
	ROW("ldap reply from internet", TCP, INET, 389, 40000, ACK, 0, NULL, XDP_DROP),
	ROW("lan dns udp reply", UDP, LAN, 53, 40000, 0, 0, "DNS: local queries", XDP_PASS),
	ROW("ntp reply from lan", UDP, LAN, 123, 40000, 0, 0, NULL, XDP_DROP),
	/* Implicit outcomes */
	ROW("arp", ARP, NULL, 0, 0, 0, 0, "non-ip", XDP_PASS),
	ROW("arp, vlan", ARP, NULL, 0, 0, 0, 1, "non-ip", XDP_PASS),
	ROW("ndp solicit", NDP, INET6, 0, 135, 0, 0, "ndp", XDP_PASS),
	ROW("ndp advert, qinq", NDP, LAN6, 0, 136, 0, 2, "ndp", XDP_PASS),
};

static const struct row libraesva[] = {
	ROW("dns udp reply", UDP, INET, 53, 40000, 0, 0, "DNS (outbound)", XDP_PASS),
	ROW("dns tcp reply", TCP, LAN, 53, 40000, ACK, 0, "DNS (outbound)", XDP_PASS),
	ROW("dns query in", UDP, INET, 40000, 53, 0, 0, NULL, XDP_DROP),
	ROW("smtp in", TCP, INET, 0, 25, SYN, 0, "SMTP (inbound): receive email", XDP_PASS),
	ROW("smtp in from lan", TCP, LAN6, 0, 25, SYN, 1, "SMTP (inbound): receive email",
	    XDP_PASS),
	ROW("smtp out reply", TCP, INET, 25, 40000, ACK, 0, "SMTP (outbound): send email, NDRs",
	    XDP_PASS),
	/* The seed's scope words, each from both zones. "any host" (80, Razor2 2703,
	 * Pyzor 24441) and "unrestricted" (443 out, 25 both ways): the lan zone too, a
	 * proxy, mirror or checksum server on a private address. */
	ROW("http reply (any host)", TCP, INET6, 80, 40000, ACK, 0,
	    "HTTP (outbound): link analysis", XDP_PASS),
	ROW("http reply from lan (any host)", TCP, LAN, 80, 40000, ACK, 0,
	    "HTTP (outbound): link analysis", XDP_PASS),
	ROW("http reply from lan6 (any host)", TCP, LAN6, 80, 40000, ACK, 0,
	    "HTTP (outbound): link analysis", XDP_PASS),
	ROW("https reply (unrestricted)", TCP, INET, 443, 40000, ACK, 0,
	    "HTTPS (outbound): updates, reputation", XDP_PASS),
	ROW("https reply from lan (unrestricted)", TCP, LAN2, 443, 40000, ACK, 0,
	    "HTTPS (outbound): updates, reputation", XDP_PASS),
	ROW("smtp out reply from lan (unrestricted)", TCP, LAN, 25, 40000, ACK, 0,
	    "SMTP (outbound): send email, NDRs", XDP_PASS),
	ROW("razor2 reply (any host)", TCP, INET, 2703, 40000, ACK, 0, "Razor2 (outbound)",
	    XDP_PASS),
	ROW("razor2 reply from lan (any host)", TCP, LAN, 2703, 40000, ACK, 0, "Razor2 (outbound)",
	    XDP_PASS),
	ROW("razor2 without ACK", TCP, INET, 2703, 40000, SYN, 0, NULL, XDP_DROP),
	ROW("pyzor reply (any host)", UDP, INET, 24441, 40000, 0, 0, "Pyzor (outbound)", XDP_PASS),
	ROW("pyzor reply from lan6 (any host)", UDP, LAN6, 24441, 40000, 0, 0, "Pyzor (outbound)",
	    XDP_PASS),
	ROW("pyzor over tcp", TCP, INET, 24441, 40000, ACK, 0, NULL, XDP_DROP),
	/* "but only on this port" */
	ROW("razor2's host on 2704 (only on this port)", TCP, INET, 2704, 40000, ACK, 0, NULL,
	    XDP_DROP),
	ROW("razor2's lan host on 2704 (only on this port)", TCP, LAN, 2704, 40000, ACK, 0, NULL,
	    XDP_DROP),
	ROW("pyzor's lan host on 24442 (only on this port)", UDP, LAN, 24442, 40000, 0, 0, NULL,
	    XDP_DROP),
	/* "(outbound)": nobody may open a connection to these ports, from either zone. */
	ROW("http in from internet (outbound only)", TCP, INET, 0, 80, SYN, 0, NULL, XDP_DROP),
	ROW("http in from lan (outbound only)", TCP, LAN, 0, 80, SYN, 0, NULL, XDP_DROP),
	ROW("razor2 in from lan (outbound only)", TCP, LAN, 0, 2703, SYN, 0, NULL, XDP_DROP),
	ROW("pyzor in from internet (outbound only)", UDP, INET, 0, 24441, 0, 0, NULL, XDP_DROP),
	/* DCC names its two servers, on the Internet: the profile writes `to internet`. */
	ROW("dcc reply", UDP, INET6, 6277, 40000, 0, 0, "DCC (outbound)", XDP_PASS),
	ROW("dcc reply from lan (only the DCC servers)", UDP, LAN, 6277, 40000, 0, 0, NULL,
	    XDP_DROP),
	ROW("dcc to a low port", UDP, INET, 6277, 1023, 0, 0, NULL, XDP_DROP),
	ROW("https web ui from lan", TCP, LAN, 0, 443, SYN, 0, "HTTPS: web interface from the LAN",
	    XDP_PASS),
	ROW("https web ui from internet", TCP, INET, 0, 443, SYN, 0, NULL, XDP_DROP),
	ROW("smtps 465 (optional, off)", TCP, INET, 0, 465, SYN, 0, NULL, XDP_DROP),
	ROW("ldap to lan is not an inbound port", TCP, LAN, 0, 389, SYN, 0, NULL, XDP_DROP),
	ROW("icmp unreachable", ICMP, INET, 0, 3, 0, 0, "ICMP: diagnostics, not pings", XDP_PASS),
	ROW("icmp ping from internet", ICMP, INET, 0, 8, 0, 0, NULL, XDP_DROP),
	ROW("icmp ping from lan", ICMP, LAN, 0, 8, 0, 0, "ICMP: pings from the LAN", XDP_PASS),
	ROW("icmp6 ping from lan", ICMP6, LAN6, 0, 128, 0, 0, "ICMPv6: pings from the LAN",
	    XDP_PASS),
	ROW("echo reply", ICMP, INET, 0, 0, 0, 0, "ICMP returns: replies to our pings", XDP_PASS),
	ROW("ssh", TCP, LAN, 0, 22, SYN, 0, NULL, XDP_DROP),
	ROW("arp", ARP, NULL, 0, 0, 0, 0, "non-ip", XDP_PASS),
};

struct loaded {
	struct pc_profile p;
	struct pc_diags d;
	struct pc_image img;
	struct portcullis *skel;
	uint32_t n_counters;
	struct pc_judge judge;
	uint64_t frames, bytes;
};

/* state: 1 or 0 forces `set state`, -1 keeps the profile's. */
static bool load_profile_state(struct loaded *l, const char *path, int state)
{
	struct pc_err e = { 0 };

	memset(l, 0, sizeof(*l));
	if (pc_profile_parse(path, &l->p, &l->d) ||
	    (state >= 0 && ((l->p.opt.state = state), false)) ||
	    pc_compile(&l->p, &l->img, &l->d)) {
		pc_diags_print(&l->d, stdout);
		pc_test_fail(__FILE__, __LINE__, "%s does not compile", path);
		return false;
	}
	if (l->d.n_warnings) {
		pc_diags_print(&l->d, stdout);
		pc_test_fail(__FILE__, __LINE__, "%s has warnings", path);
	}
	if (pc_program_create(&l->p, &l->img, NULL, &l->skel, &e)) {
		pc_test_fail(__FILE__, __LINE__, "%s", e.msg);
		return false;
	}
	l->n_counters = PC_CNT_IMPLICIT + l->img.n_rules;
	if (pc_judge_init(&l->judge, bpf_program__fd(l->skel->progs.portcullis_xdp),
			  bpf_map__fd(l->skel->maps.counters), l->n_counters, 0, &e)) {
		pc_test_fail(__FILE__, __LINE__, "%s", e.msg);
		return false;
	}
	return true;
}

static bool load_profile(struct loaded *l, const char *path)
{
	return load_profile_state(l, path, -1);
}

static void unload_profile(struct loaded *l)
{
	pc_judge_free(&l->judge);
	portcullis__destroy(l->skel);
	pc_image_free(&l->img);
	pc_profile_free(&l->p);
	pc_diags_free(&l->d);
}

static void build(struct pkt *f, const struct row *r)
{
	bool v6 = r->src && strchr(r->src, ':');
	unsigned sport = r->sport ? r->sport : 40000;

	pkt_init(f);
	for (int i = 0; i < r->vlans; i++)
		pkt_vlan(f, i == 0 && r->vlans == 2 ? 0x88a8 : 0x8100, 10 + i);
	if (r->kind == ARP) {
		pkt_next(f, 0x0806);
		pkt_payload(f, 28);
		return;
	}
	if (v6)
		PKT_IPV6(f, .src = r->src, .hop_limit = r->kind == NDP ? 255 : 64);
	else
		PKT_IPV4(f, .src = r->src);
	switch (r->kind) {
	case TCP:
		PKT_TCP(f, .sport = sport, .dport = r->dport, .flags = r->flags);
		break;
	case UDP:
		PKT_UDP(f, .sport = sport, .dport = r->dport);
		break;
	case ICMP:
		pkt_icmp(f, r->dport, 0);
		break;
	case ICMP6:
	case NDP:
		pkt_icmp6(f, r->dport, 0);
		break;
	default:
		break;
	}
	pkt_payload(f, 16);
}

/* The counter a row must land on. */
static int expected_counter(const struct loaded *l, const struct row *r)
{
	static const char *const implicit[] = { "non-ip", "malformed", "ndp", "fragment" };

	if (!r->rule)
		return PC_CNT_NO_MATCH;
	for (int i = 0; i < 4; i++)
		if (!strcmp(r->rule, implicit[i]))
			return i;
	for (size_t k = 0; k < l->p.n_rules; k++)
		if (!strcmp(l->p.rules[k].label, r->rule))
			return PC_CNT_IMPLICIT + k;
	return -1;
}

static void read_counts(const struct loaded *l, struct pc_count *c)
{
	struct pc_err e;

	if (pc_counters_read(bpf_map__fd(l->skel->maps.counters), l->n_counters, c, &e))
		pc_test_fail(__FILE__, __LINE__, "%s", e.msg);
}

/* Runs one frame and checks that exactly counter `want` moved, by one frame; a failure
 * names file:line, the row's or the call's (RUN_FRAME). */
static void run_frame(struct loaded *l, const char *file, int line, const char *desc,
		      const struct pkt *f, int want, int action)
{
	l->frames++;
	l->bytes += f->len;
	pc_expect_verdict(file, line, &l->judge, desc, f->data, f->len, want, action);
}

#define RUN_FRAME(l, desc, f, want, action)                                                        \
	run_frame((l), __FILE__, __LINE__, (desc), (f), (want), (action))

/* A row that an out rule passes: a reply to something the appliance sent. */
static bool is_reply_row(const struct loaded *l, int counter)
{
	return counter >= PC_CNT_IMPLICIT &&
	       l->p.rules[counter - PC_CNT_IMPLICIT].dir == PC_DIR_OUT;
}

/* Records (or, counter < 0, forgets) the flow a reply row answers, as the egress hook
 * would have: keyed by the row's source as the peer. */
static void record_flow(struct loaded *l, const struct row *r, int counter)
{
	bool v6 = strchr(r->src, ':');
	struct pc_flow_key k = { .family = v6 ? 6 : 4,
				 .proto = r->kind == TCP   ? IPPROTO_TCP
					  : r->kind == UDP ? IPPROTO_UDP
					  : v6		   ? IPPROTO_ICMPV6
							   : IPPROTO_ICMP };
	struct pc_flow f = { .gen = 1, .rule = (uint16_t)(counter - PC_CNT_IMPLICIT) };
	struct timespec ts;

	if (r->kind == TCP || r->kind == UDP) {
		k.peer_port = r->sport;
		k.local_port = r->dport;
	}
	inet_pton(v6 ? AF_INET6 : AF_INET, r->src, k.peer);
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	f.seen_ns = f.created_ns = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	if (counter < 0) {
		bpf_map_delete_elem(bpf_map__fd(l->skel->maps.flows), &k);
		return;
	}
	if (bpf_map_update_elem(bpf_map__fd(l->skel->maps.flows), &k, &f, BPF_ANY))
		pc_test_fail(__FILE__, r->line, "%s: recording its flow: %s", r->desc,
			     strerror(errno));
}

/* With state off a row runs as written. With state on a reply passes only as part of
 * a recorded flow: without one the same frame is a look-alike (no-match, dropped);
 * with one it passes on the same out rule. */
static void run_row(struct loaded *l, const struct row *r)
{
	int want = expected_counter(l, r);
	struct pkt f;
	char desc[128];

	if (want < 0) {
		pc_test_fail(__FILE__, r->line, "%s: no rule labelled \"%s\"", r->desc, r->rule);
		return;
	}
	build(&f, r);
	if (!l->p.opt.state || !is_reply_row(l, want)) {
		run_frame(l, __FILE__, r->line, r->desc, &f, want, r->action);
		return;
	}
	snprintf(desc, sizeof(desc), "%s, no flow recorded", r->desc);
	run_frame(l, __FILE__, r->line, desc, &f, PC_CNT_NO_MATCH, XDP_DROP);
	record_flow(l, r, want);
	snprintf(desc, sizeof(desc), "%s, flow recorded", r->desc);
	run_frame(l, __FILE__, r->line, desc, &f, want, r->action);
	record_flow(l, r, -1); /* rows stay independent */
}

static void check_invariant(struct loaded *l)
{
	struct pc_count c[256];
	uint64_t p = 0, b = 0;

	read_counts(l, c);
	for (uint32_t k = 0; k < l->n_counters; k++) {
		p += c[k].packets;
		b += c[k].bytes;
	}
	EXPECT_EQ(p, l->frames);
	EXPECT_EQ(b, l->bytes);
}

/* The table under both readings of the out rules: state on (the shipped default) and
 * the seed's static firewall (state off). */
static void run_table(const char *path, const struct row *rows, size_t n)
{
	struct loaded l;

	if (geteuid())
		SKIP("needs root for BPF_PROG_TEST_RUN");
	for (int state = 1; state >= 0; state--) {
		if (!load_profile_state(&l, path, state))
			return;
		if (l.n_counters > 256)
			pc_test_fail(__FILE__, __LINE__, "profile too large for this test");
		else
			for (size_t i = 0; i < n; i++)
				run_row(&l, &rows[i]);
		check_invariant(&l);
		unload_profile(&l);
	}
}

TEST(spammertrap_seed_rows)
{
	run_table("profiles/spammertrap.conf", spammertrap,
		  sizeof(spammertrap) / sizeof(spammertrap[0]));
}

TEST(libraesva_seed_rows)
{
	run_table("profiles/libraesva-esg.conf", libraesva,
		  sizeof(libraesva) / sizeof(libraesva[0]));
}

/* Frames of an allowed SMTP SYN cut at every byte before its end: each is malformed,
 * never passed by the rule that passes the whole frame. */
TEST(spammertrap_truncated_frames_are_malformed)
{
	static const struct row smtp4 = ROW("smtp", TCP, INET, 0, 25, SYN, 1, NULL, 0);
	static const struct row smtp6 = ROW("smtp6", TCP, INET6, 0, 25, SYN, 2, NULL, 0);
	const struct row *rows[] = { &smtp4, &smtp6 };
	struct loaded l;
	char desc[64];

	if (geteuid())
		SKIP("needs root for BPF_PROG_TEST_RUN");
	if (!load_profile(&l, "profiles/spammertrap.conf"))
		return;
	for (int i = 0; i < 2; i++) {
		struct pkt full, f;

		build(&full, rows[i]);
		for (size_t cut = 14; cut < full.len; cut++) {
			f = full;
			pkt_truncate(&f, cut);
			snprintf(desc, sizeof(desc), "%s cut to %zu of %zu bytes", rows[i]->desc,
				 cut, full.len);
			RUN_FRAME(&l, desc, &f, PC_CNT_MALFORMED, XDP_DROP);
		}
		RUN_FRAME(&l, "whole frame", &full,
			  expected_counter(&l, &(struct row){ .rule = "SMTP: receive email" }),
			  XDP_PASS);
	}
	check_invariant(&l);
	unload_profile(&l);
}

/* A later fragment follows its first fragment: counted on the SMTP rule when the
 * first passed, dropped as "fragment" when it was never seen or was dropped. */
TEST(spammertrap_fragments_follow_their_first)
{
	struct loaded l;
	struct pkt f;
	int smtp, ssh_drop = PC_CNT_NO_MATCH;

	if (geteuid())
		SKIP("needs root for BPF_PROG_TEST_RUN");
	if (!load_profile(&l, "profiles/spammertrap.conf"))
		return;
	smtp = expected_counter(&l, &(struct row){ .rule = "SMTP: receive email" });

	pkt_init(&f);
	PKT_IPV4(&f, .src = INET, .id = 77, .mf = true);
	PKT_TCP(&f, .dport = 25, .flags = SYN);
	pkt_payload(&f, 32);
	RUN_FRAME(&l, "v4 first fragment to smtp", &f, smtp, XDP_PASS);
	pkt_init(&f);
	PKT_IPV4(&f, .src = INET, .id = 77, .frag = 7);
	pkt_next(&f, 6);
	pkt_payload(&f, 40);
	RUN_FRAME(&l, "v4 later fragment of it", &f, smtp, XDP_PASS);
	pkt_init(&f);
	PKT_IPV4(&f, .src = INET, .id = 78, .frag = 7);
	pkt_next(&f, 6);
	pkt_payload(&f, 40);
	RUN_FRAME(&l, "v4 later fragment, unknown datagram", &f, PC_CNT_FRAGMENT, XDP_DROP);

	pkt_init(&f);
	PKT_IPV4(&f, .src = INET, .id = 79, .mf = true);
	PKT_TCP(&f, .dport = 22, .flags = SYN);
	pkt_payload(&f, 32);
	RUN_FRAME(&l, "v4 first fragment to ssh", &f, ssh_drop, XDP_DROP);
	pkt_init(&f);
	PKT_IPV4(&f, .src = INET, .id = 79, .frag = 7);
	pkt_next(&f, 6);
	pkt_payload(&f, 40);
	RUN_FRAME(&l, "v4 later fragment of a dropped first", &f, PC_CNT_FRAGMENT, XDP_DROP);

	pkt_init(&f);
	PKT_IPV6(&f, .src = LAN6);
	pkt_frag6(&f, 0, true, 0xabcd);
	PKT_TCP(&f, .dport = 443, .flags = SYN);
	pkt_payload(&f, 32);
	RUN_FRAME(&l, "v6 first fragment https from lan", &f,
		  expected_counter(&l, &(struct row){ .rule = "HTTPS: web, authenticated users" }),
		  XDP_PASS);
	pkt_init(&f);
	PKT_IPV6(&f, .src = LAN6);
	pkt_frag6(&f, 5, false, 0xabcd);
	pkt_next(&f, 6);
	pkt_payload(&f, 40);
	RUN_FRAME(&l, "v6 later fragment of it", &f,
		  expected_counter(&l, &(struct row){ .rule = "HTTPS: web, authenticated users" }),
		  XDP_PASS);
	check_invariant(&l);
	unload_profile(&l);
}

/* The program and the compiler's image agree on every probe: deep and nested
 * prefixes of both families walk the trie chunks in the kernel exactly as
 * pc_image_class() does in userspace. */
TEST(program_walks_the_trie_as_compiled)
{
	static const char *const text = "set state off\n"
					"zone a 10.0.0.0/9, 2001:db8::/33\n"
					"zone b 10.1.128.0/17, 2001:db8:0:1::/64\n"
					"zone c 10.1.200.0/25, 2001:db8:0:1:2::/80\n"
					"zone d 10.1.200.77, 2001:db8:0:1:2::77\n"
					"allow in from d tcp port 1-100\n"
					"drop in from c tcp port 50-150\n"
					"allow in from b tcp port 100-200\n"
					"drop in from a tcp port 150-250\n"
					"allow in from internet tcp port 200-300\n";
	static const char *const probes[] = {
		"10.1.200.77",	      "10.1.200.78",	    "10.1.200.127",	"10.1.200.128",
		"10.1.128.0",	      "10.1.127.255",	    "10.127.255.255",	"10.128.0.0",
		"2001:db8:0:1:2::77", "2001:db8:0:1:2::78", "2001:db8:0:1:3::", "2001:db8:0:2::",
		"2001:db8:7fff::",    "2001:db8:8000::"
	};
	static const unsigned ports[] = { 1, 50, 100, 101, 150, 151, 200, 201, 250, 251, 300, 301 };
	struct loaded l = { 0 };
	struct pc_err e = { 0 };

	if (geteuid())
		SKIP("needs root for BPF_PROG_TEST_RUN");
	if (pc_profile_parse_string("deep.conf", text, &l.p, &l.d) ||
	    pc_compile(&l.p, &l.img, &l.d) || pc_program_create(&l.p, &l.img, NULL, &l.skel, &e)) {
		pc_diags_print(&l.d, stdout);
		pc_test_fail(__FILE__, __LINE__, "deep.conf does not load: %s", e.msg);
		return;
	}
	l.n_counters = PC_CNT_IMPLICIT + l.img.n_rules;
	if (pc_judge_init(&l.judge, bpf_program__fd(l.skel->progs.portcullis_xdp),
			  bpf_map__fd(l.skel->maps.counters), l.n_counters, 0, &e)) {
		pc_test_fail(__FILE__, __LINE__, "%s", e.msg);
		unload_profile(&l);
		return;
	}
	for (size_t a = 0; a < sizeof(probes) / sizeof(probes[0]); a++) {
		for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
			bool v6 = strchr(probes[a], ':');
			uint8_t addr[16];
			pc_verdict_t v;
			char desc[96];
			struct pkt f;

			inet_pton(v6 ? AF_INET6 : AF_INET, probes[a], addr);
			v = pc_image_verdict(&l.img, pc_image_class(&l.img, v6 ? 6 : 4, addr),
					     PC_TBL_TCP_IN, ports[i]);
			pkt_init(&f);
			if (v6)
				PKT_IPV6(&f, .src = probes[a]);
			else
				PKT_IPV4(&f, .src = probes[a]);
			PKT_TCP(&f, .dport = ports[i], .flags = SYN);
			snprintf(desc, sizeof(desc), "%s to port %u", probes[a], ports[i]);
			RUN_FRAME(&l, desc, &f,
				  v ? PC_CNT_IMPLICIT + (v & PC_VERDICT_RULE) - 1 : PC_CNT_NO_MATCH,
				  v & PC_VERDICT_PASS ? XDP_PASS : XDP_DROP);
		}
	}
	/* A few answers pinned down, so that image and program cannot agree on a
	 * wrong trie. */
	EXPECT_EQ(expected_counter(&l, &(struct row){ .rule = NULL }), PC_CNT_NO_MATCH);
	{
		uint8_t a[16];

		inet_pton(AF_INET, "10.1.200.77", a);
		EXPECT_EQ(pc_image_verdict(&l.img, pc_image_class(&l.img, 4, a), PC_TBL_TCP_IN, 60),
			  1 | PC_VERDICT_PASS);
		inet_pton(AF_INET, "10.1.200.78", a);
		EXPECT_EQ(pc_image_verdict(&l.img, pc_image_class(&l.img, 4, a), PC_TBL_TCP_IN, 60),
			  2);
		inet_pton(AF_INET6, "2001:db8:8000::", a);
		EXPECT_EQ(
			pc_image_verdict(&l.img, pc_image_class(&l.img, 6, a), PC_TBL_TCP_IN, 250),
			5 | PC_VERDICT_PASS);
	}
	check_invariant(&l);
	unload_profile(&l);
}

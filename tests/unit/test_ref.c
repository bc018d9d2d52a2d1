// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The reference classifier on its own: each step of docs/semantics.md §3 with hand-built frames,
 * and the `state on` paths (recorded flows, ICMP errors) that the program cannot run
 * yet. The differential test trusts it; these tests are why. */
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <stdlib.h>

#include "harness.h"
#include "profile/profile.h"
#include "ref/ref.h"
#include "traffic/frame.h"

#define RULE(k) (PC_CNT_IMPLICIT + (k))
#define SEC_NS 1000000000ULL
#define PASS XDP_PASS
#define DROP XDP_DROP

static struct pc_profile P;
static struct pc_diags D;
static struct ref R;

static void profile(const char *text)
{
	ref_free(&R);
	pc_profile_free(&P);
	pc_diags_free(&D);
	if (pc_profile_parse_string("t.conf", text, &P, &D)) {
		pc_diags_print(&D, stdout);
		pc_test_fail(__FILE__, __LINE__, "test profile does not parse");
	}
	ref_init(&R, &P);
}

/* Judges f at time now and compares; line is the caller's. */
static void judge_at(int line, struct pkt *f, uint64_t now, int action, int counter)
{
	struct ref_verdict v;

	ref_judge(&R, f->data, f->len, now, &v);
	if ((int)v.action != action || (int)v.counter != counter)
		pc_test_fail(__FILE__, line,
			     "verdict %s on counter %u (%s), expected %s on counter %d",
			     v.action == PASS ? "pass" : "drop", v.counter, v.why,
			     action == PASS ? "pass" : "drop", counter);
}

#define JUDGE(f, action, counter) judge_at(__LINE__, (f), 0, (action), (counter))
#define JUDGE_AT(f, now, action, counter) judge_at(__LINE__, (f), (now), (action), (counter))

static struct pkt F;

static struct pkt *tcp4(const char *src, uint16_t sport, uint16_t dport, uint8_t flags)
{
	pkt_init(&F);
	PKT_IPV4(&F, .src = src);
	PKT_TCP(&F, .sport = sport, .dport = dport, .flags = flags);
	return &F;
}

static struct pkt *tcp6(const char *src, uint16_t sport, uint16_t dport, uint8_t flags)
{
	pkt_init(&F);
	PKT_IPV6(&F, .src = src);
	PKT_TCP(&F, .sport = sport, .dport = dport, .flags = flags);
	return &F;
}

static struct pkt *udp4(const char *src, uint16_t sport, uint16_t dport)
{
	pkt_init(&F);
	PKT_IPV4(&F, .src = src);
	PKT_UDP(&F, .sport = sport, .dport = dport);
	return &F;
}

/* An ICMP message with its identifier (echo) set. */
static struct pkt *icmp4(const char *src, uint8_t type, uint16_t id)
{
	int off;

	pkt_init(&F);
	PKT_IPV4(&F, .src = src);
	off = (int)F.len;
	pkt_icmp(&F, type, 0);
	F.data[off + 4] = id >> 8;
	F.data[off + 5] = id & 0xff;
	return &F;
}

static struct pkt *icmp6(const char *src, uint8_t type, int hop_limit)
{
	pkt_init(&F);
	PKT_IPV6(&F, .src = src, .hop_limit = hop_limit);
	pkt_icmp6(&F, type, 0);
	return &F;
}

/* --- State off ------------------------------------------------------------------------ */

static const char *stateless = "set state off\n"
			       "zone lan 10.0.0.0/8, fd00::/8\n"
			       "zone dmz 10.1.0.0/16\n"
			       "allow in from internet tcp port 25\n"	 /* r0 */
			       "drop in from dmz tcp port 22\n"		 /* r1 */
			       "allow in from lan tcp port 22\n"	 /* r2 */
			       "allow out to internet tcp,udp port 53\n" /* r3 */
			       "drop out tcp port 80\n"			 /* r4 */
			       "allow out tcp port 80-90\n"		 /* r5 */
			       "allow out icmp type echo-request\n"	 /* r6 */
			       "allow out icmp6 type 1-3\n"		 /* r7 */
			       "allow in icmp6 type echo-request\n"	 /* r8 */
			       "allow in from 192.0.2.0/24 udp\n"	 /* r9 */
			       "allow in from 2001:db8:9::/48 icmp6\n"	 /* r10 */
			       "set ephemeral 32768-60999\n";

TEST(ref_in_rules_first_match)
{
	profile(stateless);
	JUDGE(tcp4("198.51.100.7", 40000, 25, PKT_SYN), PASS, RULE(0));
	JUDGE(tcp6("2001:db8::7", 40000, 25, PKT_SYN), PASS, RULE(0));
	JUDGE(tcp4("10.2.3.4", 40000, 25, PKT_SYN), DROP, PC_CNT_NO_MATCH);
	JUDGE(tcp4("10.1.2.3", 40000, 22, PKT_SYN), DROP, RULE(1));
	JUDGE(tcp4("10.2.3.4", 40000, 22, PKT_SYN), PASS, RULE(2));
	JUDGE(tcp6("fd00::1", 40000, 22, PKT_SYN), PASS, RULE(2));
	JUDGE(udp4("192.0.2.9", 1, 2), PASS, RULE(9));
	JUDGE(udp4("192.0.3.9", 1, 2), DROP, PC_CNT_NO_MATCH);
	JUDGE(icmp6("2001:db8::7", 128, 64), PASS, RULE(8));
	JUDGE(icmp6("2001:db8:9::1", 77, 64), PASS, RULE(10));
}

TEST(ref_stateless_replies)
{
	profile(stateless);
	JUDGE(tcp4("198.51.100.7", 53, 40000, PKT_ACK), PASS, RULE(3));
	JUDGE(tcp4("198.51.100.7", 53, 40000, PKT_SYN), DROP, PC_CNT_NO_MATCH);
	JUDGE(tcp4("198.51.100.7", 53, 32767, PKT_ACK), DROP, PC_CNT_NO_MATCH);
	JUDGE(tcp4("198.51.100.7", 53, 60999, PKT_ACK | PKT_PSH), PASS, RULE(3));
	JUDGE(udp4("198.51.100.7", 53, 32768), PASS, RULE(3));
	JUDGE(udp4("198.51.100.7", 53, 1000), DROP, PC_CNT_NO_MATCH);
	JUDGE(udp4("10.2.3.4", 53, 40000), DROP, PC_CNT_NO_MATCH);
	/* A `drop out` rule read statelessly drops the replies it describes. */
	JUDGE(tcp4("10.2.3.4", 80, 40000, PKT_ACK), DROP, RULE(4));
	JUDGE(tcp4("10.2.3.4", 85, 40000, PKT_ACK), PASS, RULE(5));
	/* Echo-reply for an echo-request rule only. */
	JUDGE(icmp4("198.51.100.7", 0, 1), PASS, RULE(6));
	JUDGE(icmp4("198.51.100.7", 8, 1), DROP, PC_CNT_NO_MATCH);
	JUDGE(icmp6("2001:db8::7", 129, 64), DROP, PC_CNT_NO_MATCH);
}

TEST(ref_icmp_families)
{
	profile("set state off\nallow in icmp\nallow in icmp6\nset default pass\n");
	/* Protocol 1 inside IPv6 and 58 inside IPv4 match no rule. */
	pkt_init(&F);
	PKT_IPV6(&F);
	pkt_next(&F, 1);
	pkt_payload(&F, 8);
	JUDGE(&F, PASS, PC_CNT_NO_MATCH);
	pkt_init(&F);
	PKT_IPV4(&F);
	pkt_next(&F, 58);
	pkt_payload(&F, 8);
	JUDGE(&F, PASS, PC_CNT_NO_MATCH);
	JUDGE(icmp4("192.0.2.1", 3, 0), PASS, RULE(0));
	JUDGE(icmp6("2001:db8::1", 3, 64), PASS, RULE(1));
}

TEST(ref_non_ip_and_vlans)
{
	profile("set state off\nallow in tcp port 80\n");
	pkt_init(&F);
	pkt_next(&F, 0x0806);
	pkt_payload(&F, 28);
	JUDGE(&F, PASS, PC_CNT_NON_IP);
	profile("set state off\nallow in tcp port 80\nset non-ip drop\n");
	JUDGE(&F, DROP, PC_CNT_NON_IP);
	/* More tags than two: malformed, which no `non-ip` setting passes. */
	for (int tags = 0; tags <= 8; tags++) {
		pkt_init(&F);
		for (int i = 0; i < tags; i++)
			pkt_vlan(&F, i % 2 ? 0x8100 : 0x88a8, 5);
		PKT_IPV4(&F);
		PKT_TCP(&F, .dport = 80);
		JUDGE(&F, tags < 3 ? PASS : DROP, tags < 3 ? RULE(0) : PC_CNT_MALFORMED);
	}
	pkt_init(&F);
	pkt_vlan(&F, 0x8100, 5);
	pkt_truncate(&F, 16);
	JUDGE(&F, DROP, PC_CNT_MALFORMED);
}

/* Every malformed case docs/semantics.md §3.10 lists, one frame each. */
TEST(ref_malformed)
{
	profile("set state off\nset default pass\nset rules none\n");
	pkt_init(&F);
	pkt_truncate(&F, 13);
	JUDGE(&F, DROP, PC_CNT_MALFORMED);
	pkt_init(&F);
	PKT_IPV4(&F, .version = 6);
	PKT_TCP(&F);
	JUDGE(&F, DROP, PC_CNT_MALFORMED);
	pkt_init(&F);
	PKT_IPV6(&F, .version = 4);
	PKT_TCP(&F);
	JUDGE(&F, DROP, PC_CNT_MALFORMED);
	pkt_init(&F);
	PKT_IPV4(&F, .ihl = 4);
	PKT_TCP(&F);
	JUDGE(&F, DROP, PC_CNT_MALFORMED);
	pkt_init(&F);
	PKT_IPV4(&F);
	PKT_TCP(&F);
	pkt_ip_len(&F, 19);
	JUDGE(&F, DROP, PC_CNT_MALFORMED);
	pkt_ip_len(&F, 41);
	JUDGE(&F, DROP, PC_CNT_MALFORMED);
	pkt_ip_len(&F, 40);
	pkt_pad(&F, 6); /* trailing padding is fine */
	JUDGE(&F, PASS, PC_CNT_NO_MATCH);
	pkt_init(&F);
	PKT_IPV6(&F);
	PKT_TCP(&F);
	pkt_ip_len(&F, 21);
	JUDGE(&F, DROP, PC_CNT_MALFORMED);
	/* Seven extension headers; six are fine. */
	for (int n = 6; n <= 7; n++) {
		pkt_init(&F);
		PKT_IPV6(&F);
		for (int i = 0; i < n; i++)
			pkt_ext6(&F, 60, 8);
		PKT_TCP(&F);
		JUDGE(&F, n == 6 ? PASS : DROP, n == 6 ? PC_CNT_NO_MATCH : PC_CNT_MALFORMED);
	}
	pkt_init(&F);
	PKT_IPV4(&F);
	PKT_TCP(&F);
	pkt_truncate(&F, F.len - 1);
	pkt_ip_len(&F, 39);
	JUDGE(&F, DROP, PC_CNT_MALFORMED);
	pkt_init(&F);
	PKT_IPV4(&F);
	PKT_TCP(&F, .doff = 4);
	JUDGE(&F, DROP, PC_CNT_MALFORMED);
	pkt_init(&F);
	PKT_IPV4(&F);
	PKT_TCP(&F, .doff = 6);
	JUDGE(&F, DROP, PC_CNT_MALFORMED);
	pkt_init(&F);
	PKT_IPV4(&F);
	PKT_UDP(&F);
	pkt_udp_len(&F, 7);
	JUDGE(&F, DROP, PC_CNT_MALFORMED);
	pkt_udp_len(&F, 9);
	JUDGE(&F, DROP, PC_CNT_MALFORMED);
	pkt_init(&F);
	PKT_IPV6(&F);
	pkt_icmp6(&F, 128, 0);
	pkt_truncate(&F, F.len - 1);
	pkt_ip_len(&F, 7);
	JUDGE(&F, DROP, PC_CNT_MALFORMED);
	/* Odd AH length, two fragment headers. */
	pkt_init(&F);
	PKT_IPV6(&F);
	pkt_ah(&F, 3);
	PKT_TCP(&F);
	JUDGE(&F, DROP, PC_CNT_MALFORMED);
	pkt_init(&F);
	PKT_IPV6(&F);
	pkt_frag6(&F, 0, true, 1);
	pkt_frag6(&F, 0, true, 1);
	PKT_TCP(&F);
	JUDGE(&F, DROP, PC_CNT_MALFORMED);
}

TEST(ref_ipv6_chain_ends)
{
	profile("set state off\nallow in tcp port 80\n");
	pkt_init(&F);
	PKT_IPV6(&F);
	pkt_ext6(&F, 0, 16);
	pkt_ah(&F, 4);
	pkt_ext6(&F, 43, 8);
	pkt_ext6(&F, 0, 8); /* hop-by-hop out of place: still walked */
	PKT_TCP(&F, .dport = 80);
	JUDGE(&F, PASS, RULE(0));
	for (unsigned nh = 50; nh <= 59; nh += 9) {
		pkt_init(&F);
		PKT_IPV6(&F);
		pkt_ext6(&F, 60, 8);
		pkt_next(&F, nh); /* ESP, no next header */
		pkt_payload(&F, 40);
		JUDGE(&F, DROP, PC_CNT_NO_MATCH);
	}
}

TEST(ref_ndp)
{
	profile("set state off\nallow in icmp6 type 135\n");
	JUDGE(icmp6("fe80::1", 135, 255), PASS, PC_CNT_NDP);
	JUDGE(icmp6("fe80::1", 137, 255), PASS, PC_CNT_NDP);
	JUDGE(icmp6("fe80::1", 135, 254), PASS, RULE(0));
	JUDGE(icmp6("fe80::1", 136, 64), DROP, PC_CNT_NO_MATCH);
	JUDGE(icmp6("fe80::1", 138, 255), DROP, PC_CNT_NO_MATCH);
	pkt_init(&F);
	PKT_IPV6(&F, .hop_limit = 255);
	pkt_frag6(&F, 0, false, 3);
	pkt_icmp6(&F, 135, 0);
	JUDGE(&F, PASS, RULE(0));
}

/* A first fragment (IPv4 offset 0 with MF, or an IPv6 fragment header at offset 0 with
 * M) or a later one, of datagram id from src to port 25 (first) or with payload. */
static struct pkt *frag4(const char *src, uint16_t id, uint16_t offset, uint16_t dport)
{
	pkt_init(&F);
	PKT_IPV4(&F, .src = src, .id = id, .frag = offset, .mf = true);
	if (offset) {
		pkt_next(&F, 6);
		pkt_payload(&F, 24);
	} else {
		PKT_TCP(&F, .dport = dport);
	}
	return &F;
}

static struct pkt *frag6(const char *src, uint32_t id, uint16_t offset, uint16_t dport)
{
	pkt_init(&F);
	PKT_IPV6(&F, .src = src);
	pkt_frag6(&F, offset, true, id);
	if (offset)
		pkt_payload(&F, 24);
	else
		PKT_TCP(&F, .dport = dport);
	return &F;
}

TEST(ref_fragments_track)
{
	profile(stateless);
	JUDGE(frag4("198.51.100.7", 5, 0, 25), PASS, RULE(0));
	JUDGE_AT(frag4("198.51.100.7", 5, 3, 0), 10 * SEC_NS, PASS, RULE(0));
	JUDGE(frag4("198.51.100.7", 6, 3, 0), DROP, PC_CNT_FRAGMENT);
	JUDGE(frag4("198.51.100.8", 5, 3, 0), DROP, PC_CNT_FRAGMENT);
	JUDGE_AT(frag4("198.51.100.7", 5, 3, 0), 31 * SEC_NS, DROP, PC_CNT_FRAGMENT);
	/* Another protocol is another datagram. */
	JUDGE(frag4("198.51.100.7", 5, 0, 25), PASS, RULE(0));
	frag4("198.51.100.7", 5, 3, 0);
	F.data[14 + 9] = 17;
	JUDGE(&F, DROP, PC_CNT_FRAGMENT);
	/* A first fragment that is dropped replaces the entry. */
	JUDGE(frag4("10.1.2.3", 7, 0, 22), DROP, RULE(1));
	JUDGE(frag4("10.1.2.3", 7, 3, 0), DROP, PC_CNT_FRAGMENT);
	JUDGE(frag4("10.2.2.3", 7, 0, 22), PASS, RULE(2));
	JUDGE(frag4("10.2.2.3", 7, 0, 23), DROP, PC_CNT_NO_MATCH);
	JUDGE(frag4("10.2.2.3", 7, 3, 0), DROP, PC_CNT_FRAGMENT);
	/* IPv6, keyed by identification. */
	JUDGE(frag6("fd00::1", 9, 0, 22), PASS, RULE(2));
	JUDGE(frag6("fd00::1", 9, 100, 0), PASS, RULE(2));
	JUDGE(frag6("fd00::1", 10, 100, 0), DROP, PC_CNT_FRAGMENT);
	ref_forget_fragments(&R);
	JUDGE(frag6("fd00::1", 9, 100, 0), DROP, PC_CNT_FRAGMENT);
	/* A first fragment too short for its header. */
	frag4("198.51.100.7", 5, 0, 25);
	pkt_truncate(&F, F.len - 1);
	pkt_ip_len(&F, 39);
	JUDGE(&F, DROP, PC_CNT_MALFORMED);
}

TEST(ref_fragments_policies)
{
	profile("set state off\nset fragments pass\nset rules none\n");
	JUDGE(frag4("198.51.100.7", 5, 3, 0), PASS, PC_CNT_FRAGMENT);
	profile("set state off\nset fragments drop\nallow in tcp\n");
	JUDGE(frag4("198.51.100.7", 5, 0, 25), PASS, RULE(0));
	JUDGE(frag4("198.51.100.7", 5, 3, 0), DROP, PC_CNT_FRAGMENT);
	/* Under `default pass`, a tracked fragment follows its first to no-match. */
	profile("set state off\nset default pass\nset rules none\n");
	JUDGE(frag6("2001:db8::7", 1, 0, 25), PASS, PC_CNT_NO_MATCH);
	JUDGE(frag6("2001:db8::7", 1, 9, 0), PASS, PC_CNT_NO_MATCH);
}

/* --- State on ------------------------------------------------------------------------- */

#define PEER "203.0.113.5"
#define LOCAL "198.51.100.1" /* the frame builder's default destination */

static const char *stateful = "zone lan 10.0.0.0/8\n"
			      "allow in from internet tcp port 25\n"		  /* r0 */
			      "drop in from internet tcp port 40000-40010\n"	  /* r1 */
			      "allow out to internet tcp port 443\n"		  /* r2 */
			      "allow out udp port 53\n"				  /* r3 */
			      "allow out icmp type echo-request\n"		  /* r4 */
			      "allow in from lan icmp type echo-request\n"	  /* r5 */
			      "drop in from internet icmp\n"			  /* r6 */
			      "allow out icmp6 type echo-request\n"		  /* r7 */
			      "drop in from 203.0.113.0/24 tcp port 5000-6000\n"; /* r8 */

static struct ref_flow flow(int family, uint8_t proto, const char *peer, uint16_t pport,
			    const char *local, uint16_t lport, uint32_t rule)
{
	struct ref_flow f = { .family = (uint8_t)family,
			      .proto = proto,
			      .peer_port = pport,
			      .local_port = lport,
			      .rule = rule };
	int af = family == 4 ? AF_INET : AF_INET6;

	inet_pton(af, peer, f.peer);
	inet_pton(af, local, f.local);
	return f;
}

static struct ref_flow flows[6];

static void stateful_profile(void)
{
	profile(stateful);
	flows[0] = flow(4, 6, PEER, 443, LOCAL, 40000, 2);
	flows[1] = flow(4, 17, PEER, 53, LOCAL, 40001, 3);
	flows[2] = flow(4, 1, PEER, 0, LOCAL, 77, 4);
	flows[3] = flow(4, 6, PEER, 5000, LOCAL, 25, 2);
	flows[4] = flow(6, 58, "2001:db8::5", 0, "2001:db8::2", 99, 7);
	flows[5] = flow(6, 6, "2001:db8::5", 443, "2001:db8::2", 40003, 2);
	ref_set_flows(&R, flows, 6);
}

TEST(ref_state_on_replies)
{
	stateful_profile();
	/* The reply of a recorded flow passes on its `out` rule, over a drop rule. */
	JUDGE(tcp4(PEER, 443, 40000, PKT_ACK), PASS, RULE(2));
	JUDGE(tcp6("2001:db8::5", 443, 40003, PKT_ACK), PASS, RULE(2));
	/* Other ports or peers are not the flow; no stateless reading. */
	JUDGE(tcp4(PEER, 443, 40005, PKT_ACK), DROP, RULE(1));
	JUDGE(tcp4("203.0.113.6", 443, 40000, PKT_ACK), DROP, RULE(1));
	JUDGE(tcp4(PEER, 443, 50000, PKT_ACK), DROP, PC_CNT_NO_MATCH);
	/* A SYN without ACK opens; it answers nothing. */
	JUDGE(tcp4(PEER, 443, 40000, PKT_SYN), DROP, RULE(1));
	/* Another of the appliance's addresses is still the appliance (docs/semantics.md §3.13
	 * checks no destination): the reply of the flow. */
	pkt_init(&F);
	PKT_IPV4(&F, .src = PEER, .dst = "198.51.100.2");
	PKT_UDP(&F, .sport = 53, .dport = 40001);
	JUDGE(&F, PASS, RULE(3));
	JUDGE(udp4(PEER, 53, 40001), PASS, RULE(3));
	JUDGE(udp4(PEER, 54, 40001), DROP, PC_CNT_NO_MATCH);
	/* A reply that an `in` rule allows anyway counts on that rule. */
	JUDGE(tcp4(PEER, 5000, 25, PKT_ACK), PASS, RULE(0));
	/* Echo replies by identifier. */
	JUDGE(icmp4(PEER, 0, 77), PASS, RULE(4));
	JUDGE(icmp4(PEER, 0, 78), DROP, RULE(6));
	JUDGE(icmp4(PEER, 8, 77), DROP, RULE(6));
	pkt_init(&F);
	PKT_IPV6(&F, .src = "2001:db8::5");
	pkt_icmp6(&F, 129, 0);
	F.data[F.len - 3] = 99;
	JUDGE(&F, PASS, RULE(7));
	F.data[F.len - 3] = 98;
	JUDGE(&F, DROP, PC_CNT_NO_MATCH);
	/* An empty table: the rules alone. */
	ref_set_flows(&R, NULL, 0);
	JUDGE(tcp4(PEER, 443, 40000, PKT_ACK), DROP, RULE(1));
	JUDGE(icmp4(PEER, 0, 77), DROP, RULE(6));
}

/* An ICMP error of type from src that embeds the packet the appliance sent:
 * inner_src:sport -> inner_dst:dport over proto (TCP, UDP or ICMP with id). */
static struct pkt *icmp4_error(const char *src, uint8_t type, const char *inner_src,
			       const char *inner_dst, uint8_t proto, uint16_t sport, uint16_t dport)
{
	int off;

	pkt_init(&F);
	PKT_IPV4(&F, .src = src);
	pkt_icmp(&F, type, 0);
	PKT_IPV4(&F, .src = inner_src, .dst = inner_dst);
	if (proto == 6) {
		PKT_TCP(&F, .sport = sport, .dport = dport);
		pkt_truncate(&F, F.len - 12);
	} else if (proto == 17) {
		PKT_UDP(&F, .sport = sport, .dport = dport);
	} else {
		off = (int)F.len;
		pkt_icmp(&F, (uint8_t)sport, 0);
		F.data[off + 4] = dport >> 8;
		F.data[off + 5] = dport & 0xff;
	}
	/* The outer lengths claim what is there. */
	F.data[14 + 2] = (uint8_t)((F.len - 14) >> 8);
	F.data[14 + 3] = (uint8_t)(F.len - 14);
	return &F;
}

TEST(ref_state_on_icmp_errors)
{
	stateful_profile();
	/* About a recorded flow: counted on its `out` rule, over the drop rule r6. */
	JUDGE(icmp4_error("192.0.2.99", 3, LOCAL, PEER, 6, 40000, 443), PASS, RULE(2));
	JUDGE(icmp4_error("192.0.2.99", 11, LOCAL, PEER, 17, 40001, 53), PASS, RULE(3));
	JUDGE(icmp4_error("192.0.2.99", 3, LOCAL, PEER, 1, 8, 77), PASS, RULE(4));
	JUDGE(icmp4_error("192.0.2.99", 3, LOCAL, PEER, 6, 40000, 444), DROP, RULE(6));
	JUDGE(icmp4_error("192.0.2.99", 3, LOCAL, PEER, 1, 8, 78), DROP, RULE(6));
	/* Not an error type: the embedded header means nothing. */
	JUDGE(icmp4_error("192.0.2.99", 8, LOCAL, PEER, 6, 40000, 443), DROP, RULE(6));
	/* About a flow an `in` rule allows: the appliance's side of an SMTP session, and
	 * its echo-reply to a LAN host's ping (r5 allows the echo-request). */
	JUDGE(icmp4_error("192.0.2.99", 3, LOCAL, "203.0.113.9", 6, 25, 5555), PASS, RULE(0));
	JUDGE(icmp4_error("10.9.9.9", 3, LOCAL, "10.1.1.1", 1, 0, 4), PASS, RULE(5));
	/* ...but not one a `drop` rule or nothing matches first. */
	JUDGE(icmp4_error("192.0.2.99", 3, LOCAL, "203.0.113.9", 6, 40002, 5555), DROP, RULE(6));
	JUDGE(icmp4_error("10.9.9.9", 3, LOCAL, "10.1.1.1", 6, 22, 5555), DROP, PC_CNT_NO_MATCH);
	/* An embedded header too short to read relates to nothing. */
	icmp4_error("192.0.2.99", 3, LOCAL, PEER, 6, 40000, 443);
	pkt_truncate(&F, F.len - 1);
	F.data[14 + 3]--;
	JUDGE(&F, DROP, RULE(6));
}

TEST(ref_state_on_keeps_the_rest)
{
	stateful_profile();
	JUDGE(tcp4(PEER, 40000, 25, PKT_SYN), PASS, RULE(0));
	JUDGE(icmp6("fe80::1", 135, 255), PASS, PC_CNT_NDP);
	JUDGE(frag4(PEER, 1, 3, 0), DROP, PC_CNT_FRAGMENT);
	/* A first fragment passed by its flow is tracked on the flow's rule. */
	pkt_init(&F);
	PKT_IPV4(&F, .src = PEER, .id = 9, .mf = true);
	PKT_UDP(&F, .sport = 53, .dport = 40001);
	pkt_udp_len(&F, 3000);
	JUDGE(&F, PASS, RULE(3));
	JUDGE(frag4(PEER, 9, 3, 0), DROP, PC_CNT_FRAGMENT); /* TCP: another datagram */
	F.data[14 + 9] = 17;
	JUDGE(&F, PASS, RULE(3));
}

static void __attribute__((destructor)) cleanup(void)
{
	ref_free(&R);
	pc_profile_free(&P);
	pc_diags_free(&D);
}

/* What the egress hook records: the first matching `out` rule must allow. */
TEST(ref_egress_first_match)
{
	uint8_t peer[16] = { 203, 0, 113, 5 }, lan[16] = { 10, 1, 1, 1 };

	profile("zone lan 10.0.0.0/8\n"
		"drop out to lan tcp port 443\n"     /* r0 */
		"allow out tcp port 443\n"	     /* r1 */
		"allow out icmp type echo-request\n" /* r2 */
		"allow in tcp port 80\n"	     /* r3 */
		"allow out to internet udp port 53\n" /* r4 */);
	EXPECT_EQ(ref_egress_rule(&P, 4, peer, 6, 443), 1);
	EXPECT_EQ(ref_egress_rule(&P, 4, lan, 6, 443), 0);
	EXPECT_EQ(ref_egress_rule(&P, 4, peer, 1, 8), 2);
	EXPECT_EQ(ref_egress_rule(&P, 4, peer, 58, 128), -1);
	EXPECT_EQ(ref_egress_rule(&P, 4, peer, 6, 80), -1);
	EXPECT_EQ(ref_egress_rule(&P, 4, peer, 17, 53), 4);
	EXPECT_EQ(ref_egress_rule(&P, 4, lan, 17, 53), -1);
}

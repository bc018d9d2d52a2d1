// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The compiler: first match across overlapping zones, ranges, reply tables, the
 * trie, shadowing warnings, limits, and that a rule added at the end never changes
 * a verdict an earlier rule already gave. No root needed: lookups run on the image. */
#include <arpa/inet.h>
#include <stdlib.h>

#include "compile/compile.h"
#include "harness.h"

struct compiled {
	struct pc_profile p;
	struct pc_diags d;
	struct pc_image img;
	int err;
};

static void compile_text(struct compiled *c, const char *text)
{
	memset(c, 0, sizeof(*c));
	pc_test_corpus(text, -1);
	c->err = pc_profile_parse_string("t.conf", text, &c->p, &c->d);
	if (!c->err)
		c->err = pc_compile(&c->p, &c->img, &c->d);
}

static void release(struct compiled *c)
{
	pc_image_free(&c->img);
	pc_profile_free(&c->p);
	pc_diags_free(&c->d);
}

/* Verdict of an inbound lookup: the rule's line (negative when it drops), 0 if none. */
static int lookup(const struct compiled *c, const char *src, enum pc_table t, unsigned idx)
{
	uint8_t a[16] = { 0 };
	int fam = inet_pton(AF_INET, src, a) == 1 ? 4 : 6;
	pc_verdict_t v;

	if (fam == 6 && inet_pton(AF_INET6, src, a) != 1)
		return 9999;
	v = pc_image_verdict(&c->img, pc_image_class(&c->img, fam, a), t, idx);
	if (!v)
		return 0;
	return (v & PC_VERDICT_PASS ? 1 : -1) * c->p.rules[(v & PC_VERDICT_RULE) - 1].pos.line;
}

static bool has_diag(const struct compiled *c, enum pc_level lvl, int line, const char *sub)
{
	for (size_t i = 0; i < c->d.n_items; i++) {
		const struct pc_diag *it = &c->d.items[i];

		if (it->level == lvl && it->pos.line == line && strstr(it->msg, sub))
			return true;
	}
	return false;
}

TEST(first_match_across_overlapping_zones)
{
	struct compiled c;

	compile_text(&c, "set state off\n"
			 "zone lan 10.0.0.0/8, fc00::/7\n"
			 "zone dmz 10.1.0.0/16\n"
			 "drop in from dmz tcp port 25\n"
			 "allow in from lan tcp port 25\n"
			 "allow in from internet tcp port 25\n"
			 "allow in from any tcp port 22\n");
	EXPECT_EQ(c.err, 0);
	EXPECT_EQ(lookup(&c, "10.1.2.3", PC_TBL_TCP_IN, 25), -4);
	EXPECT_EQ(lookup(&c, "10.2.3.4", PC_TBL_TCP_IN, 25), 5);
	EXPECT_EQ(lookup(&c, "8.8.8.8", PC_TBL_TCP_IN, 25), 6);
	EXPECT_EQ(lookup(&c, "2001:db8::1", PC_TBL_TCP_IN, 25), 6);
	EXPECT_EQ(lookup(&c, "fc00::1", PC_TBL_TCP_IN, 25), 5);
	EXPECT_EQ(lookup(&c, "fe00::1", PC_TBL_TCP_IN, 25), 6);
	EXPECT_EQ(lookup(&c, "10.1.2.3", PC_TBL_TCP_IN, 22), 7);
	EXPECT_EQ(lookup(&c, "10.1.2.3", PC_TBL_TCP_IN, 26), 0);
	EXPECT_EQ(lookup(&c, "10.1.2.3", PC_TBL_UDP_IN, 25), 0);
	/* IPv4-mapped IPv6 is IPv6: not in lan. */
	EXPECT_EQ(lookup(&c, "::ffff:10.1.2.3", PC_TBL_TCP_IN, 25), 6);
	release(&c);
}

TEST(ranges_and_boundaries)
{
	struct compiled c;

	compile_text(&c, "set state off\n"
			 "allow in udp port 1024-2048, 5000\n"
			 "drop in tcp,udp port 0-1023\n");
	EXPECT_EQ(c.err, 0);
	EXPECT_EQ(lookup(&c, "1.2.3.4", PC_TBL_UDP_IN, 1023), -3);
	EXPECT_EQ(lookup(&c, "1.2.3.4", PC_TBL_UDP_IN, 1024), 2);
	EXPECT_EQ(lookup(&c, "1.2.3.4", PC_TBL_UDP_IN, 2048), 2);
	EXPECT_EQ(lookup(&c, "1.2.3.4", PC_TBL_UDP_IN, 2049), 0);
	EXPECT_EQ(lookup(&c, "1.2.3.4", PC_TBL_UDP_IN, 5000), 2);
	EXPECT_EQ(lookup(&c, "1.2.3.4", PC_TBL_TCP_IN, 0), -3);
	EXPECT_EQ(lookup(&c, "1.2.3.4", PC_TBL_TCP_IN, 65535), 0);
	EXPECT_EQ(lookup(&c, "1.2.3.4", PC_TBL_TCP_IN, 1024), 0);
	release(&c);
}

TEST(icmp_types_and_stateless_replies)
{
	struct compiled c;

	compile_text(&c, "set state off\n"
			 "allow in icmp type 3,4,11,12\n"
			 "allow in icmp6 type packet-too-big\n"
			 "allow out tcp,udp port 53\n"
			 "allow out icmp type echo-request\n"
			 "allow out icmp type 3\n"
			 "allow out icmp6 type echo-request\n"
			 "drop out to 192.0.2.0/24 udp port 123\n"
			 "allow out udp port 123\n");
	EXPECT_EQ(c.err, 0);
	EXPECT_EQ(lookup(&c, "1.2.3.4", PC_TBL_ICMP_IN, 3), 2);
	EXPECT_EQ(lookup(&c, "1.2.3.4", PC_TBL_ICMP_IN, 8), 0);
	EXPECT_EQ(lookup(&c, "2001:db8::1", PC_TBL_ICMP6_IN, 2), 3);
	EXPECT_EQ(lookup(&c, "1.2.3.4", PC_TBL_TCP_REPLY, 53), 4);
	EXPECT_EQ(lookup(&c, "1.2.3.4", PC_TBL_UDP_REPLY, 53), 4);
	EXPECT_EQ(lookup(&c, "1.2.3.4", PC_TBL_TCP_IN, 53), 0);
	/* echo-request out admits echo-reply (0); type 3 out admits nothing back */
	EXPECT_EQ(lookup(&c, "1.2.3.4", PC_TBL_ICMP_REPLY, 0), 5);
	EXPECT_EQ(lookup(&c, "1.2.3.4", PC_TBL_ICMP_REPLY, 3), 0);
	EXPECT_EQ(lookup(&c, "2001:db8::1", PC_TBL_ICMP6_REPLY, 129), 7);
	EXPECT_EQ(lookup(&c, "192.0.2.9", PC_TBL_UDP_REPLY, 123), -8);
	EXPECT_EQ(lookup(&c, "198.51.100.1", PC_TBL_UDP_REPLY, 123), 9);
	release(&c);
}

TEST(addresses_in_rules_do_not_shrink_internet)
{
	struct compiled c;

	compile_text(&c, "set state off\n"
			 "allow in from 192.0.2.1 tcp port 22\n"
			 "allow in from internet tcp port 22,80\n"
			 "zone lan 192.0.2.0/24\n");
	EXPECT_EQ(c.err, 0);
	EXPECT_EQ(lookup(&c, "192.0.2.1", PC_TBL_TCP_IN, 22), 2);
	/* 192.0.2.0/24 is a zone: not internet */
	EXPECT_EQ(lookup(&c, "192.0.2.1", PC_TBL_TCP_IN, 80), 0);
	EXPECT_EQ(lookup(&c, "192.0.2.2", PC_TBL_TCP_IN, 22), 0);
	EXPECT_EQ(lookup(&c, "192.0.3.1", PC_TBL_TCP_IN, 80), 3);
	release(&c);
}

TEST(trie_prefix_lengths)
{
	static const char *const text = "set state off\n"
					"zone a 0.0.0.0/1\n"	 /* line 2 */
					"zone b 10.0.0.0/12\n"	 /* 3 */
					"zone c 10.1.0.0/17\n"	 /* 4 */
					"zone d 10.1.2.0/25\n"	 /* 5 */
					"zone e 10.1.2.3\n"	 /* 6 */
					"zone f 2001:db8::/33\n" /* 7 */
					"zone g 2001:db8::5\n"	 /* 8 */
					"allow in from a tcp port 1\n"
					"allow in from b tcp port 2\n"
					"allow in from c tcp port 3\n"
					"allow in from d tcp port 4\n"
					"allow in from e tcp port 5\n"
					"allow in from f tcp port 6\n"
					"allow in from g tcp port 7\n"
					"allow in from internet tcp port 8\n";
	struct compiled c;

	compile_text(&c, text);
	EXPECT_EQ(c.err, 0);
	EXPECT_EQ(lookup(&c, "127.255.255.255", PC_TBL_TCP_IN, 1), 9);
	EXPECT_EQ(lookup(&c, "128.0.0.0", PC_TBL_TCP_IN, 1), 0);
	EXPECT_EQ(lookup(&c, "128.0.0.0", PC_TBL_TCP_IN, 8), 16);
	EXPECT_EQ(lookup(&c, "10.15.255.255", PC_TBL_TCP_IN, 2), 10);
	EXPECT_EQ(lookup(&c, "10.16.0.0", PC_TBL_TCP_IN, 2), 0);
	EXPECT_EQ(lookup(&c, "10.1.127.255", PC_TBL_TCP_IN, 3), 11);
	EXPECT_EQ(lookup(&c, "10.1.128.0", PC_TBL_TCP_IN, 3), 0);
	EXPECT_EQ(lookup(&c, "10.1.2.127", PC_TBL_TCP_IN, 4), 12);
	EXPECT_EQ(lookup(&c, "10.1.2.128", PC_TBL_TCP_IN, 4), 0);
	EXPECT_EQ(lookup(&c, "10.1.2.3", PC_TBL_TCP_IN, 5), 13);
	EXPECT_EQ(lookup(&c, "10.1.2.3", PC_TBL_TCP_IN, 1), 9); /* still in a, b, c, d */
	EXPECT_EQ(lookup(&c, "10.1.2.4", PC_TBL_TCP_IN, 5), 0);
	EXPECT_EQ(lookup(&c, "2001:db8:7fff:ffff::", PC_TBL_TCP_IN, 6), 14);
	EXPECT_EQ(lookup(&c, "2001:db8:8000::", PC_TBL_TCP_IN, 6), 0);
	EXPECT_EQ(lookup(&c, "2001:db8::5", PC_TBL_TCP_IN, 7), 15);
	EXPECT_EQ(lookup(&c, "2001:db8::5", PC_TBL_TCP_IN, 6), 14);
	EXPECT_EQ(lookup(&c, "2001:db8::4", PC_TBL_TCP_IN, 7), 0);
	EXPECT_EQ(lookup(&c, "2001:db9::", PC_TBL_TCP_IN, 8), 16);
	release(&c);
}

TEST(shadowed_rule_warns_with_the_earlier_line)
{
	struct compiled c;

	compile_text(&c, "set state off\n"
			 "zone lan 10.0.0.0/8\n"
			 "allow in tcp port 20-30\n"
			 "drop in from lan tcp port 25\n"
			 "allow in from lan tcp port 25,31\n");
	EXPECT_EQ(c.err, 0);
	EXPECT_TRUE(has_diag(&c, PC_WARNING, 4, "shadowed"));
	EXPECT_TRUE(has_diag(&c, PC_WARNING, 4, "line 3"));
	/* partly shadowed is not shadowed */
	EXPECT_TRUE(!has_diag(&c, PC_WARNING, 5, "shadowed"));
	EXPECT_EQ(c.img.wins[1], 0);
	EXPECT_TRUE(c.img.lost[1] > 0);
	release(&c);
}

TEST(state_on_is_the_default_and_flow_options_need_it)
{
	struct compiled c;

	compile_text(&c, "allow in tcp port 25\nset egress enforce\n");
	EXPECT_EQ(c.err, 0);
	EXPECT_TRUE(c.p.opt.state);
	EXPECT_TRUE(c.p.opt.egress_enforce);
	EXPECT_EQ(c.d.n_warnings, 0);
	release(&c);
	compile_text(&c, "set state off\nset timeout tcp 60\nset flows 2048\nset rules none\n");
	EXPECT_EQ(c.err, 0);
	EXPECT_TRUE(has_diag(&c, PC_WARNING, 2, "no effect with `set state off`"));
	EXPECT_TRUE(has_diag(&c, PC_WARNING, 3, "no effect with `set state off`"));
	release(&c);
}

/* Out rules fill the tables the egress hook reads whatever the state; the stateless
 * echo-reply slot only with state off. */
TEST(out_rules_fill_the_egress_tables)
{
	struct compiled c;

	compile_text(&c, "allow out to 192.0.2.0/24 icmp type echo-request,time-exceeded\n"
			 "allow out udp port 53\n");
	EXPECT_EQ(c.err, 0);
	EXPECT_EQ(lookup(&c, "192.0.2.9", PC_TBL_ICMP_OUT, 8), 1);
	EXPECT_EQ(lookup(&c, "192.0.2.9", PC_TBL_ICMP_OUT, 11), 1);
	EXPECT_EQ(lookup(&c, "192.0.2.9", PC_TBL_ICMP_OUT, 0), 0);
	EXPECT_EQ(lookup(&c, "192.0.2.9", PC_TBL_ICMP_REPLY, 0), 0);
	EXPECT_EQ(lookup(&c, "198.51.100.1", PC_TBL_ICMP_OUT, 8), 0);
	EXPECT_EQ(lookup(&c, "198.51.100.1", PC_TBL_UDP_REPLY, 53), 2);
	release(&c);
	compile_text(&c, "set state off\nallow out to 192.0.2.0/24 icmp type echo-request\n");
	EXPECT_EQ(lookup(&c, "192.0.2.9", PC_TBL_ICMP_REPLY, 0), 2);
	EXPECT_EQ(lookup(&c, "192.0.2.9", PC_TBL_ICMP_OUT, 8), 2);
	release(&c);
}

TEST(identical_pages_are_stored_once)
{
	struct compiled c;

	compile_text(&c, "set state off\n"
			 "zone a 10.0.0.0/8\nzone b 11.0.0.0/8\n"
			 "allow in from a tcp port 25\n"
			 "allow in from b tcp port 26\n"
			 "allow in tcp port 1024-65535\n");
	EXPECT_EQ(c.err, 0);
	/* zero page, {25} page, {26} page, all-high page: 4 */
	EXPECT_EQ(c.img.n_pages, 4);
	EXPECT_EQ(c.img.n_classes, 3);
	release(&c);
}

/* --- Property: appending a rule never changes a decided verdict ------------------- */

static unsigned rnd(unsigned *s)
{
	*s = *s * 1103515245u + 12345u;
	return (*s >> 8) & 0xffffff;
}

static const char *const zone_peers[] = { "10.0.0.0/8",	  "10.1.0.0/16",   "10.1.2.0/24",
					  "192.0.2.0/24", "2001:db8::/32", "2001:db8:1::/48" };
static const char *const probes[] = { "10.0.0.1",    "10.1.0.1",  "10.1.2.1",	 "10.2.0.0",
				      "192.0.2.7",   "8.8.8.8",	  "2001:db8::1", "2001:db8:1::1",
				      "2001:db9::1", "10.1.2.255" };

static void random_rule(unsigned *s, char *buf, size_t len)
{
	static const char *const peers[] = { "",	 "from any ", "from internet ", "from z0 ",
					     "from z1 ", "from z2 ",  "from 10.1.2.3 " };
	static const char *const protos[] = { "tcp", "udp", "tcp,udp", "icmp", "icmp6" };
	unsigned pr = rnd(s) % 5, lo = rnd(s) % 64, hi = lo + rnd(s) % 8;

	snprintf(buf, len, "%s in %s%s %s %u-%u\n", rnd(s) % 3 ? "allow" : "drop",
		 peers[rnd(s) % 7], protos[pr], pr < 3 ? "port" : "type", lo, hi);
}

TEST(appending_a_rule_never_changes_a_decided_verdict)
{
	unsigned seed = 12345;

	for (int round = 0; round < 40; round++) {
		char text[8192] = "set state off\n", rule[128];
		struct compiled a, b;
		size_t n = strlen(text);

		for (int z = 0; z < 3; z++)
			n += snprintf(text + n, sizeof(text) - n, "zone z%d %s\n", z,
				      zone_peers[rnd(&seed) % 6]);
		for (int r = 0; r < 12; r++) {
			random_rule(&seed, rule, sizeof(rule));
			n += snprintf(text + n, sizeof(text) - n, "%s", rule);
		}
		compile_text(&a, text);
		random_rule(&seed, rule, sizeof(rule));
		snprintf(text + n, sizeof(text) - n, "%s", rule);
		compile_text(&b, text);
		EXPECT_EQ(a.err, 0);
		EXPECT_EQ(b.err, 0);
		for (size_t pi = 0; pi < sizeof(probes) / sizeof(probes[0]); pi++) {
			for (int t = 0; t < PC_TBL_COUNT; t++) {
				for (unsigned idx = 0; idx < 80; idx++) {
					int va = lookup(&a, probes[pi], t, idx);
					int vb = lookup(&b, probes[pi], t, idx);

					if (va && va != vb)
						pc_test_fail(__FILE__, __LINE__,
							     "round %d %s table %d index %u: "
							     "%d became %d\n%s",
							     round, probes[pi], t, idx, va, vb,
							     text);
				}
			}
		}
		release(&a);
		release(&b);
		if (pc_test_failed())
			return;
	}
}

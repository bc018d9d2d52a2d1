// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Profile language: what each statement parses to, and every diagnostic's position
 * and wording, since operators and scripts read them. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "profile/profile.h"

static struct pc_profile P;
static struct pc_diags D;

static void reset(void)
{
	pc_profile_free(&P);
	pc_diags_free(&D);
}

/* Parses text as "t.conf", after freeing the previous result. */
static int parse(const char *text)
{
	reset();
	pc_test_corpus(text, -1);
	return pc_profile_parse_string("t.conf", text, &P, &D);
}

static const char *diag(size_t i)
{
	static char buf[4096];

	if (i >= D.n_items)
		return "(no such diagnostic)";
	pc_diag_format(&D, &D.items[i], buf, sizeof(buf));
	return buf;
}

/* Diagnostic i starts with head ("FILE:LINE:COL: error: ") and says sub. */
#define EXPECT_DIAG(i, head, sub)                                                                  \
	do {                                                                                       \
		const char *_s = diag(i);                                                          \
		if (strncmp(_s, head, strlen(head)) || !strstr(_s, sub))                           \
			pc_test_fail(__FILE__, __LINE__,                                           \
				     "diagnostic %d is \"%s\", expected "                          \
				     "\"%s...%s...\"",                                             \
				     (int)(i), _s, head, sub);                                     \
	} while (0)

/* Exactly one error, with this head and text. */
#define EXPECT_ONE_ERROR(text, head, sub)                                                          \
	do {                                                                                       \
		EXPECT_EQ(parse(text), -1);                                                        \
		EXPECT_EQ(D.n_errors, 1);                                                          \
		EXPECT_DIAG(D.n_items - 1, head, sub);                                             \
	} while (0)

static const struct pc_rule *rule(size_t i)
{
	static const struct pc_rule none;

	return i < P.n_rules ? &P.rules[i] : &none;
}

/* The rule's ranges as "lo-hi lo-hi ...". */
static const char *ranges(const struct pc_rule *r)
{
	static char buf[512];
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < r->n_ranges && n < sizeof(buf); i++)
		n += snprintf(buf + n, sizeof(buf) - n, "%s%u-%u", i ? " " : "", r->ranges[i].lo,
			      r->ranges[i].hi);
	return buf;
}

static const char *prefix(const struct pc_prefix *p)
{
	static char buf[80];
	char a[INET6_ADDRSTRLEN];

	inet_ntop(p->family == 4 ? AF_INET : AF_INET6, p->addr, a, sizeof(a));
	snprintf(buf, sizeof(buf), "%s/%u", a, p->len);
	return buf;
}

/* --- Files for include tests ---------------------------------------------------- */

static char tmpdir[64];

static const char *mktmp(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/pc-test-XXXXXX");
	return mkdtemp(tmpdir);
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void rmtmp(void)
{
	nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Writes len bytes (strlen(text) when len < 0) to tmpdir/name; returns the path. */
static const char *put(const char *name, const char *text, long len)
{
	static char path[8][256];
	static int k;
	char *p = path[k++ % 8];
	FILE *f;

	snprintf(p, 256, "%s/%s", tmpdir, name);
	pc_test_corpus(text, len);
	f = fopen(p, "w");
	if (!f)
		return p;
	fwrite(text, 1, len < 0 ? strlen(text) : (size_t)len, f);
	fclose(f);
	return p;
}

/* --- The profile of the spec ---------------------------------------------------------- */

static const char *spammertrap =
	"# SECNAP SpammerTrap\n"
	"zone lan 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fc00::/7\n"
	"\n"
	"# Internet to SpammerTrap\n"
	"allow in from internet tcp port 25          \"SMTP: receive email\"\n"
	"allow in from internet icmp type 3,4,11,12  \"diagnostics, not pings\"\n"
	"allow in from internet tcp port 113         \"identd for older mail servers\"\n"
	"\n"
	"# SpammerTrap to Internet\n"
	"allow out to internet tcp,udp port 53       \"RBL and MX lookups\"\n"
	"allow out to internet udp port 123          \"NTP\"\n"
	"\n"
	"# LAN to SpammerTrap\n"
	"allow in from lan icmp type 3,4,5,8,11,12   \"pings and diagnostics\"\n";

TEST(spec_example)
{
	EXPECT_EQ(parse(spammertrap), 0);
	EXPECT_EQ(D.n_items, 0);
	EXPECT_EQ(P.n_zones, 1);
	EXPECT_STR(P.zones[0].name, "lan");
	EXPECT_EQ(P.zones[0].pos.line, 2);
	EXPECT_EQ(P.zones[0].n_prefixes, 4);
	EXPECT_EQ(P.n_rules, 6);

	EXPECT_EQ(rule(0)->pos.line, 5);
	EXPECT_EQ(rule(0)->pos.col, 1);
	EXPECT_EQ(rule(0)->action, PC_ACT_PASS);
	EXPECT_EQ(rule(0)->dir, PC_DIR_IN);
	EXPECT_EQ(rule(0)->peer_kind, PC_PEER_INTERNET);
	EXPECT_EQ(rule(0)->protos, PC_P_TCP);
	EXPECT_STR(rule(0)->peer_text, "internet");
	EXPECT_STR(rule(0)->proto_text, "tcp");
	EXPECT_STR(rule(0)->match_text, "port 25");
	EXPECT_STR(rule(0)->label, "SMTP: receive email");
	EXPECT_STR(ranges(rule(0)), "25-25");

	EXPECT_EQ(rule(1)->protos, PC_P_ICMP);
	EXPECT_STR(rule(1)->match_text, "type 3,4,11,12");
	EXPECT_STR(ranges(rule(1)), "3-4 11-12");

	EXPECT_EQ(rule(3)->dir, PC_DIR_OUT);
	EXPECT_EQ(rule(3)->protos, PC_P_TCP | PC_P_UDP);
	EXPECT_STR(rule(3)->proto_text, "tcp,udp");
	EXPECT_STR(rule(3)->match_text, "port 53");

	EXPECT_EQ(rule(5)->peer_kind, PC_PEER_ZONE);
	EXPECT_EQ(rule(5)->zone, 0);
	EXPECT_STR(rule(5)->peer_text, "lan");
	EXPECT_STR(ranges(rule(5)), "3-5 8-8 11-12");
	reset();
}

TEST(rule_defaults_and_forms)
{
	EXPECT_EQ(parse("drop in tcp\n"
			"allow out udp,tcp port 1024-65535\n"
			"allow in from any icmpv6\n"
			"allow in icmp6 type echo-request \"\"\n"),
		  0);
	EXPECT_EQ(P.n_rules, 4);
	EXPECT_EQ(rule(0)->action, PC_ACT_DROP);
	EXPECT_EQ(rule(0)->peer_kind, PC_PEER_ANY);
	EXPECT_STR(rule(0)->peer_text, "any");
	EXPECT_STR(rule(0)->match_text, "");
	EXPECT_STR(rule(0)->label, "");
	EXPECT_EQ(rule(0)->n_ranges, 0);
	EXPECT_EQ(rule(0)->zone, -1);
	EXPECT_STR(rule(1)->proto_text, "tcp,udp");
	EXPECT_STR(rule(1)->match_text, "port 1024-65535");
	EXPECT_STR(ranges(rule(1)), "1024-65535");
	EXPECT_EQ(rule(2)->protos, PC_P_ICMP6);
	EXPECT_STR(rule(2)->proto_text, "icmp6");
	EXPECT_STR(rule(3)->match_text, "type 128");
	reset();
}

TEST(comments_crlf_and_blank_lines)
{
	EXPECT_EQ(parse("   # only a comment\r\n"
			"\r\n"
			"allow in tcp port 25 \"a # in a label\" # comment\r\n"
			"allow in udp port 53#comment right after\n"
			"\t allow in tcp port 80"),
		  0);
	EXPECT_EQ(P.n_rules, 3);
	EXPECT_STR(rule(0)->label, "a # in a label");
	EXPECT_EQ(rule(0)->pos.line, 3);
	EXPECT_STR(rule(1)->match_text, "port 53");
	EXPECT_EQ(rule(2)->pos.col, 3);
	reset();
}

/* --- Ports, types, names ---------------------------------------------------------------- */

TEST(ranges_sorted_and_merged)
{
	EXPECT_EQ(parse("allow in tcp port 80,25,20-30,1000-2000,2001,443,0\n"), 0);
	EXPECT_STR(rule(0)->match_text, "port 80,25,20-30,1000-2000,2001,443,0");
	EXPECT_STR(ranges(rule(0)), "0-0 20-30 80-80 443-443 1000-2001");
	EXPECT_EQ(parse("allow in tcp port 65535, 0-65535, 7\n"), 0);
	EXPECT_STR(ranges(rule(0)), "0-65535");
	EXPECT_EQ(parse("allow in icmp type 255,0-3,4\n"), 0);
	EXPECT_STR(ranges(rule(0)), "0-4 255-255");
	reset();
}

TEST(port_errors)
{
	EXPECT_ONE_ERROR("allow in tcp port 70000\n",
			 "t.conf:1:19: error: ", "port 70000 is out of range; write 0-65535");
	EXPECT_ONE_ERROR("allow in tcp port 2000-1000\n",
			 "t.conf:1:19: error: ", "range 2000-1000 is backwards; write 1000-2000");
	EXPECT_ONE_ERROR("allow in tcp port 25x\n",
			 "t.conf:1:19: error: ", "'25x' is not a port number or a range LO-HI");
	EXPECT_ONE_ERROR("allow in tcp port\n", "t.conf:1:18: error: ",
			 "expected a port number, range LO-HI or name after 'port'");
	EXPECT_ONE_ERROR("allow in tcp port 25,\n", "t.conf:1:22: error: ",
			 "expected a port number, range LO-HI or name after ','");
	EXPECT_ONE_ERROR("allow in icmp type 256\n",
			 "t.conf:1:20: error: ", "ICMP type 256 is out of range; write 0-255");
	/* Several bad items of one list are all reported. */
	EXPECT_EQ(parse("allow in tcp port 99999,25,3-1\n"), -1);
	EXPECT_EQ(D.n_errors, 2);
	EXPECT_DIAG(0, "t.conf:1:19: error: ", "out of range");
	EXPECT_DIAG(1, "t.conf:1:28: error: ", "backwards");
	EXPECT_EQ(P.n_rules, 0);
	reset();
}

TEST(port_and_type_need_the_right_protocol)
{
	EXPECT_ONE_ERROR("allow in icmp port 25\n", "t.conf:1:15: error: ",
			 "'port' needs tcp or udp; icmp rules match by 'type'");
	EXPECT_ONE_ERROR("allow in tcp,udp type 3\n", "t.conf:1:18: error: ",
			 "'type' needs icmp or icmp6; tcp,udp rules match by 'port'");
	reset();
}

TEST(service_names)
{
	EXPECT_EQ(parse("allow in tcp port smtp\n"
			"allow out to internet tcp,udp port domain\n"
			"allow in tcp port smtp,1024-2048,ssh\n"),
		  0);
	EXPECT_STR(rule(0)->match_text, "port 25");
	EXPECT_STR(ranges(rule(0)), "25-25");
	EXPECT_STR(rule(1)->match_text, "port 53");
	EXPECT_STR(ranges(rule(1)), "53-53");
	EXPECT_STR(rule(2)->match_text, "port 25,1024-2048,22");
	EXPECT_STR(ranges(rule(2)), "22-22 25-25 1024-2048");

	/* ntp is udp only in Debian's /etc/services. */
	EXPECT_ONE_ERROR("allow out tcp,udp port ntp\n", "t.conf:1:24: error: ",
			 "service 'ntp' is not defined for tcp in /etc/services; write the port "
			 "number");
	EXPECT_ONE_ERROR("allow in tcp port smpt\n", "t.conf:1:19: error: ",
			 "unknown service 'smpt' (not in /etc/services); write the port number");
	reset();
}

TEST(icmp_type_names)
{
	EXPECT_EQ(parse("allow in icmp type destination-unreachable,source-quench,"
			"time-exceeded,parameter-problem\n"
			"allow in icmp type echo-request,echo-reply,address-mask-reply\n"
			"allow in icmp6 type packet-too-big,nd-neighbor-solicit,"
			"mld-listener-reduction,echo-request\n"),
		  0);
	EXPECT_STR(rule(0)->match_text, "type 3,4,11,12");
	EXPECT_STR(rule(1)->match_text, "type 8,0,18");
	EXPECT_STR(ranges(rule(1)), "0-0 8-8 18-18");
	EXPECT_STR(rule(2)->match_text, "type 2,135,132,128");

	EXPECT_ONE_ERROR("allow in icmp type packet-too-big\n", "t.conf:1:20: error: ",
			 "'packet-too-big' is an ICMPv6 type, but the rule is icmp");
	EXPECT_ONE_ERROR("allow in icmp6 type source-quench\n", "t.conf:1:21: error: ",
			 "'source-quench' is an ICMP (IPv4) type, but the rule is icmp6");
	EXPECT_ONE_ERROR("allow in icmp type echo-requst\n", "t.conf:1:20: error: ",
			 "unknown ICMP type 'echo-requst'; did you mean 'echo-request'?");
	EXPECT_ONE_ERROR("allow in icmp type ping\n", "t.conf:1:20: error: ",
			 "unknown ICMP type 'ping'; write a type number, or a name such as "
			 "echo-request");
	EXPECT_ONE_ERROR("allow in icmp6 type nd-neighbour-solicit\n",
			 "t.conf:1:21: error: ", "did you mean 'nd-neighbor-solicit'?");
	reset();
}

TEST(icmp_name_tables)
{
	static const struct {
		const char *name;
		int type;
		bool v6;
	} t[] = {
		{ "echo-reply", 0, false },
		{ "destination-unreachable", 3, false },
		{ "redirect", 5, false },
		{ "router-advertisement", 9, false },
		{ "router-solicitation", 10, false },
		{ "timestamp-request", 13, false },
		{ "info-reply", 16, false },
		{ "address-mask-request", 17, false },
		{ "destination-unreachable", 1, true },
		{ "time-exceeded", 3, true },
		{ "echo-reply", 129, true },
		{ "mld-listener-query", 130, true },
		{ "mld-listener-done", 132, true },
		{ "nd-router-advert", 134, true },
		{ "nd-redirect", 137, true },
		{ "router-renumbering", 138, true },
		{ "ind-neighbor-advert", 142, true },
		{ "mld2-listener-report", 143, true },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		EXPECT_EQ(pc_icmp_type_by_name(t[i].name, t[i].v6), t[i].type);
		EXPECT_STR(pc_icmp_type_name((unsigned)t[i].type, t[i].v6), t[i].name);
	}
	EXPECT_EQ(pc_icmp_type_by_name("mld-listener-reduction", true), 132);
	EXPECT_EQ(pc_icmp_type_by_name("packet-too-big", false), -1);
	EXPECT_EQ(pc_icmp_type_by_name("Echo-Request", false), -1);
	EXPECT_TRUE(pc_icmp_type_name(1, false) == NULL);
	EXPECT_TRUE(pc_icmp_type_name(255, true) == NULL);
}

/* --- Zones and peers ------------------------------------------------------------------------ */

TEST(zones_nest_and_flatten)
{
	EXPECT_EQ(parse("zone a 10.0.0.0/8, 192.168.0.0/16\n"
			"zone b 172.16.0.0/12, a, 10.0.0.0/8, 10.0.0.0/8\n"
			"zone c b, 2001:db8::/32\n"
			"allow in from c tcp\n"),
		  0);
	EXPECT_EQ(P.n_zones, 3);
	EXPECT_EQ(P.zones[1].n_prefixes, 3);
	EXPECT_EQ(P.zones[2].n_prefixes, 4);
	/* Sorted: IPv4 before IPv6, by address. */
	EXPECT_STR(prefix(&P.zones[2].prefixes[0]), "10.0.0.0/8");
	EXPECT_STR(prefix(&P.zones[2].prefixes[1]), "172.16.0.0/12");
	EXPECT_STR(prefix(&P.zones[2].prefixes[2]), "192.168.0.0/16");
	EXPECT_STR(prefix(&P.zones[2].prefixes[3]), "2001:db8::/32");
	EXPECT_EQ(P.zones[2].prefixes[3].family, 6);
	EXPECT_EQ(rule(0)->zone, 2);
	EXPECT_EQ(rule(0)->peer_kind, PC_PEER_ZONE);
	reset();
}

TEST(addresses_ipv6_and_v4_mapped)
{
	EXPECT_EQ(parse("zone z 192.0.2.1, 2001:DB8::1, ::ffff:10.0.0.1, ::/0, 0.0.0.0/0\n"
			"allow in from ::ffff:192.0.2.7 tcp\n"
			"allow in from 2001:DB8:0:0::/64 tcp\n"
			"allow in from 198.51.100.1/32 tcp\n"),
		  0);
	EXPECT_EQ(P.zones[0].n_prefixes, 5);
	EXPECT_STR(prefix(&P.zones[0].prefixes[0]), "0.0.0.0/0");
	EXPECT_STR(prefix(&P.zones[0].prefixes[1]), "192.0.2.1/32");
	EXPECT_STR(prefix(&P.zones[0].prefixes[2]), "::/0");
	EXPECT_STR(prefix(&P.zones[0].prefixes[3]), "::ffff:10.0.0.1/128");
	EXPECT_EQ(P.zones[0].prefixes[3].family, 6);
	EXPECT_STR(prefix(&P.zones[0].prefixes[4]), "2001:db8::1/128");
	EXPECT_EQ(P.zones[0].prefixes[1].addr[0], 192);
	EXPECT_EQ(P.zones[0].prefixes[1].addr[4], 0);

	EXPECT_EQ(rule(0)->peer_kind, PC_PEER_ADDRS);
	EXPECT_EQ(rule(0)->n_addrs, 1);
	EXPECT_EQ(rule(0)->addrs[0].family, 6);
	EXPECT_EQ(rule(0)->addrs[0].len, 128);
	EXPECT_STR(rule(0)->peer_text, "::ffff:192.0.2.7");
	EXPECT_STR(rule(1)->peer_text, "2001:db8::/64");
	EXPECT_STR(rule(2)->peer_text, "198.51.100.1");
	reset();
}

TEST(address_errors)
{
	EXPECT_ONE_ERROR("zone lan 10.1.2.3/8\n", "t.conf:1:10: error: ",
			 "10.1.2.3/8 has host bits set; did you mean 10.0.0.0/8?");
	EXPECT_ONE_ERROR("allow in from 2001:db8::1/32 tcp\n",
			 "t.conf:1:15: error: ", "did you mean 2001:db8::/32?");
	EXPECT_ONE_ERROR("zone lan 10.0.0.0/33\n", "t.conf:1:19: error: ",
			 "prefix length 33 is out of range for IPv4; write 0-32");
	EXPECT_ONE_ERROR("zone lan fc00::/129\n", "t.conf:1:17: error: ",
			 "prefix length 129 is out of range for IPv6; write 0-128");
	EXPECT_ONE_ERROR("zone lan 10.0.0.0/x\n",
			 "t.conf:1:19: error: ", "'x' is not a prefix length");
	EXPECT_ONE_ERROR("zone lan 10.0.0.300\n",
			 "t.conf:1:10: error: ", "'10.0.0.300' is not a valid IPv4 address");
	EXPECT_ONE_ERROR("zone lan 10.0.0\n",
			 "t.conf:1:10: error: ", "'10.0.0' is not a valid IPv4 address");
	EXPECT_ONE_ERROR("zone lan fe80:::1\n",
			 "t.conf:1:10: error: ", "'fe80:::1' is not a valid IPv6 address");
	EXPECT_ONE_ERROR("zone lan lan2/24\n",
			 "t.conf:1:10: error: ", "'lan2/24' is not a prefix; write ADDRESS/LENGTH");
	reset();
}

TEST(zone_name_errors)
{
	EXPECT_ONE_ERROR("zone internet 10.0.0.0/8\n", "t.conf:1:6: error: ",
			 "'internet' is a predefined zone; choose another name");
	EXPECT_ONE_ERROR("zone any 10.0.0.0/8\n",
			 "t.conf:1:6: error: ", "'any' is a predefined zone");
	EXPECT_ONE_ERROR("zone 9lan 10.0.0.0/8\n",
			 "t.conf:1:6: error: ", "'9lan' is not a valid zone name");
	EXPECT_ONE_ERROR("zone\n", "t.conf:1:5: error: ", "expected a zone name after 'zone'");
	EXPECT_ONE_ERROR("zone lan\n", "t.conf:1:9: error: ",
			 "expected an address, prefix, zone or host name after 'lan'");
	EXPECT_ONE_ERROR("zone lan 10.0.0.0/8,\n", "t.conf:1:21: error: ",
			 "expected an address, prefix, zone or host name after ','");
	EXPECT_ONE_ERROR("zone lan 10.0.0.0/8 192.168.0.0/16\n", "t.conf:1:21: error: ",
			 "expected ',' between the peers of a zone, found '192.168.0.0/16'; write "
			 "'10.0.0.0/8, 192.168.0.0/16'");
	EXPECT_ONE_ERROR("zone lan internet\n",
			 "t.conf:1:10: error: ", "'internet' cannot be part of a zone");
	EXPECT_ONE_ERROR("zone lan any\n", "t.conf:1:10: error: ", "write 0.0.0.0/0, ::/0");
	reset();
}

TEST(zone_redefinition)
{
	EXPECT_EQ(parse("zone lan 10.0.0.0/8\n"
			"\n"
			"zone lan 192.168.0.0/16\n"),
		  -1);
	EXPECT_EQ(D.n_errors, 1);
	EXPECT_DIAG(0, "t.conf:3:6: error: ", "zone 'lan' is already defined at line 1");
	EXPECT_EQ(P.n_zones, 1);
	EXPECT_EQ(P.zones[0].prefixes[0].addr[0], 10);
	reset();
}

TEST(unknown_zones)
{
	EXPECT_ONE_ERROR("zone lan 10.0.0.0/8\nallow in from lna tcp\n",
			 "t.conf:2:15: error: ", "unknown zone 'lna'; did you mean 'lan'?");
	EXPECT_ONE_ERROR("allow in from internt tcp\n", "t.conf:1:15: error: ",
			 "unknown zone 'internt'; did you mean 'internet'?");
	EXPECT_ONE_ERROR("zone dmz 192.0.2.0/24\nzone all dzm, 10.0.0.0/8\n",
			 "t.conf:2:10: error: ", "unknown zone 'dzm'; did you mean 'dmz'?");
	/* Used before it is defined. */
	EXPECT_ONE_ERROR("allow in from lan tcp\nzone lan 10.0.0.0/8\n", "t.conf:1:15: error: ",
			 "unknown zone 'lan' (zones must be defined before they are used");
	/* A zone with a bad peer is still defined: no second error at its use. */
	EXPECT_ONE_ERROR("zone lan 10.0.0.1/8\nallow in from lan tcp\n",
			 "t.conf:1:10: error: ", "host bits");
	reset();
}

TEST(host_names)
{
	bool loopback = false;

	EXPECT_EQ(parse("zone me localhost, 127.0.0.1\n"
			"allow in from LocalHost tcp\n"),
		  0);
	EXPECT_TRUE(P.n_zones == 1 && P.zones[0].n_prefixes >= 1);
	/* 127.0.0.1 from the host name and the literal, deduplicated. */
	for (size_t i = 0; P.n_zones && i < P.zones[0].n_prefixes; i++)
		if (!strcmp(prefix(&P.zones[0].prefixes[i]), "127.0.0.1/32")) {
			EXPECT_TRUE(!loopback);
			loopback = true;
		}
	EXPECT_TRUE(loopback);
	EXPECT_EQ(rule(0)->peer_kind, PC_PEER_ADDRS);
	EXPECT_STR(rule(0)->peer_text, "localhost");
	EXPECT_TRUE(rule(0)->n_addrs >= 1);

	/* .invalid never resolves (RFC 6761): a warning, and the rule matches nothing. */
	EXPECT_EQ(parse("allow in from mx.example.invalid tcp port 25\n"), 0);
	EXPECT_EQ(D.n_warnings, 1);
	EXPECT_DIAG(0, "t.conf:1:15: warning: ",
		    "host name 'mx.example.invalid' resolves to no address (");
	EXPECT_EQ(P.n_rules, 1);
	EXPECT_EQ(rule(0)->n_addrs, 0);
	EXPECT_STR(rule(0)->peer_text, "mx.example.invalid");
	EXPECT_ONE_ERROR("allow in from mx!.example.com tcp\n",
			 "t.conf:1:15: error: ", "'mx!.example.com' is not a valid host name");
	reset();
}

/* --- Rule grammar -------------------------------------------------------------------------- */

TEST(rule_errors)
{
	EXPECT_ONE_ERROR("zone lan 10.0.0.0/8\nallow in from lan\n", "t.conf:2:18: error: ",
			 "expected a protocol (tcp, udp, tcp,udp, icmp, icmp6) after 'from lan'");
	EXPECT_ONE_ERROR("allow in\n", "t.conf:1:9: error: ",
			 "expected a protocol (tcp, udp, tcp,udp, icmp, icmp6) after 'allow in'");
	EXPECT_ONE_ERROR("allow in from internet port 25\n",
			 "t.conf:1:24: error: ", "after 'from internet', found 'port'");
	EXPECT_ONE_ERROR("allow in tpc port 25\n",
			 "t.conf:1:10: error: ", "unknown protocol 'tpc'; did you mean 'tcp'?");
	EXPECT_ONE_ERROR("zone lan 10.0.0.0/8\nallow in lan tcp\n",
			 "t.conf:2:10: error: ", "to name the peer, write 'from lan'");
	EXPECT_ONE_ERROR("drop out 192.0.2.1 udp\n",
			 "t.conf:1:10: error: ", "to name the peer, write 'to 192.0.2.1'");
	EXPECT_ONE_ERROR("allow in to internet tcp port 25\n", "t.conf:1:10: error: ",
			 "'in' rules name their peer with 'from': write 'allow in from ...'");
	EXPECT_ONE_ERROR("drop out from internet tcp\n",
			 "t.conf:1:10: error: ", "'out' rules name their peer with 'to'");
	EXPECT_ONE_ERROR("allow from internet tcp\n",
			 "t.conf:1:7: error: ", "expected 'in' or 'out' before 'from'");
	EXPECT_ONE_ERROR("allow tcp port 25\n", "t.conf:1:7: error: ",
			 "expected 'in' or 'out' after 'allow', found 'tcp'");
	EXPECT_ONE_ERROR("drop\n", "t.conf:1:5: error: ", "expected 'in' or 'out' after 'drop'");
	EXPECT_ONE_ERROR("allow in from\n", "t.conf:1:14: error: ",
			 "expected a peer (a zone, any, internet, an address or a host name) "
			 "after 'from'");
	EXPECT_ONE_ERROR("allow in from 10.0.0.1, 10.0.0.2 tcp\n",
			 "t.conf:1:23: error: ", "a rule has one peer; for several, define a zone");
	EXPECT_ONE_ERROR("allow in tcp,icmp\n",
			 "t.conf:1:10: error: ", "'tcp,icmp' cannot be combined: only tcp,udp can");
	EXPECT_ONE_ERROR("allow in tcp,\n",
			 "t.conf:1:14: error: ", "expected a protocol after 'tcp,'");
	EXPECT_ONE_ERROR("allow in tcp 25\n",
			 "t.conf:1:14: error: ", "unexpected '25'; write 'port 25'");
	EXPECT_ONE_ERROR("allow in tcp port 25 SMTP\n", "t.conf:1:22: error: ",
			 "unexpected 'SMTP'; a label goes last, in quotes: \"SMTP\"");
	EXPECT_ONE_ERROR("allow in tcp port 25 \"a\" \"b\"\n",
			 "t.conf:1:26: error: ", "a rule has one label");
	EXPECT_ONE_ERROR("allow in tcp \"a\" port 25\n", "t.conf:1:18: error: ",
			 "unexpected 'port' after the label; one statement per line");
	reset();
}

TEST(several_errors_are_reported)
{
	EXPECT_EQ(parse("allow in tpc\n"
			"allow in tcp\n"
			"zone 1 10.0.0.0/8\n"
			"set stat on\n"),
		  -1);
	EXPECT_EQ(D.n_errors, 3);
	EXPECT_DIAG(0, "t.conf:1:10: error: ", "tpc");
	EXPECT_DIAG(1, "t.conf:3:6: error: ", "'1' is not a valid zone name");
	EXPECT_DIAG(2, "t.conf:4:5: error: ", "unknown option 'stat'; did you mean 'state'?");
	EXPECT_EQ(P.n_rules, 1);
	EXPECT_EQ(rule(0)->pos.line, 2);
	reset();
}

TEST(labels_and_escapes)
{
	char text[256], label[128];

	EXPECT_EQ(parse("allow in tcp \"say \\\"hi\\\" C:\\\\mail, # ok\"\n"), 0);
	EXPECT_STR(rule(0)->label, "say \"hi\" C:\\mail, # ok");
	EXPECT_ONE_ERROR("allow in tcp \"a\\nb\"\n", "t.conf:1:16: error: ",
			 "unknown escape in a label; only \\\" and \\\\ are escapes");
	EXPECT_ONE_ERROR("allow in tcp port 25 \"SMTP\n",
			 "t.conf:1:22: error: ", "unterminated label: add the closing '\"'");
	EXPECT_ONE_ERROR("allow in tcp \"ends in a backslash\\\"\n",
			 "t.conf:1:14: error: ", "unterminated label");

	/* 95 bytes fit in pc_rule_info.label, 96 do not. */
	memset(label, 'x', 95);
	label[95] = '\0';
	snprintf(text, sizeof(text), "allow in tcp \"%s\"\n", label);
	EXPECT_EQ(parse(text), 0);
	EXPECT_EQ(strlen(rule(0)->label), 95);
	snprintf(text, sizeof(text), "allow in tcp \"%sx\"\n", label);
	EXPECT_ONE_ERROR(text, "t.conf:1:14: error: ", "the label is 96 bytes, at most 95 fit");
	reset();
}

TEST(texts_must_fit)
{
	char text[1024];
	size_t n;

	/* 24 ports of 5 digits: "port " + 24 * 6 - 1 bytes of text. */
	n = (size_t)snprintf(text, sizeof(text), "allow in tcp port 10000");
	for (int i = 1; i < 24; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, ",%d", 10000 + i);
	EXPECT_ONE_ERROR(text, "t.conf:1:14: error: ",
			 "this port list is longer than 95 bytes as text; split the rule into "
			 "several");
	/* Exactly 95: "port " + 15 * 6. */
	n = (size_t)snprintf(text, sizeof(text), "allow in tcp port 10000");
	for (int i = 1; i < 15; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, ",%d", 10000 + i);
	EXPECT_EQ(parse(text), 0);
	EXPECT_EQ(strlen(rule(0)->match_text), 94);

	EXPECT_ONE_ERROR("allow in from a123456789.b123456789.c123456789.d123456789."
			 "e123456789.f123456789 tcp\n",
			 "t.conf:1:15: error: ", "the peer is longer than 63 bytes");
	reset();
}

/* --- set ------------------------------------------------------------------------------------ */

TEST(option_defaults)
{
	EXPECT_EQ(parse("set rules none\n"), 0);
	EXPECT_EQ(P.opt.state, true);
	EXPECT_EQ(P.opt.eph_lo, 1024);
	EXPECT_EQ(P.opt.eph_hi, 65535);
	EXPECT_EQ(P.opt.non_ip_pass, true);
	EXPECT_EQ(P.opt.fragments, PC_FRAG_TRACK);
	EXPECT_EQ(P.opt.log_rate, 100);
	EXPECT_EQ(P.opt.default_pass, false);
	EXPECT_EQ(P.opt.egress_enforce, false);
	EXPECT_EQ(P.opt.state_pos.src, -1);
	EXPECT_EQ(P.opt.eph_pos.src, -1);
	EXPECT_EQ(P.opt.non_ip_pos.src, -1);
	EXPECT_EQ(P.opt.fragments_pos.src, -1);
	EXPECT_EQ(P.opt.log_pos.src, -1);
	EXPECT_EQ(P.opt.default_pos.src, -1);
	EXPECT_EQ(P.opt.egress_pos.src, -1);
	reset();
}

TEST(options_set)
{
	EXPECT_EQ(parse("set state off\n"
			"set ephemeral 32768-60999\n"
			"set non-ip drop\n"
			"set fragments pass\n"
			"set log 5/s\n"
			"set default pass\n"
			"  set egress enforce\n"
			"set rules none\n"),
		  0);
	EXPECT_EQ(D.n_items, 0);
	EXPECT_EQ(P.opt.state, false);
	EXPECT_EQ(P.opt.eph_lo, 32768);
	EXPECT_EQ(P.opt.eph_hi, 60999);
	EXPECT_EQ(P.opt.non_ip_pass, false);
	EXPECT_EQ(P.opt.fragments, PC_FRAG_PASS);
	EXPECT_EQ(P.opt.log_rate, 5);
	EXPECT_EQ(P.opt.default_pass, true);
	EXPECT_EQ(P.opt.egress_enforce, true);
	EXPECT_EQ(P.opt.state_pos.line, 1);
	EXPECT_EQ(P.opt.egress_pos.line, 7);
	EXPECT_EQ(P.opt.egress_pos.col, 3);
	EXPECT_EQ(P.opt.egress_pos.src, 0);
	EXPECT_EQ(parse("set fragments drop\nset log 1000000/s\nset rules none\n"), 0);
	EXPECT_EQ(P.opt.fragments, PC_FRAG_DROP);
	EXPECT_EQ(P.opt.log_rate, 1000000);
	reset();
}

/* `set log off` is the only way to turn drop events off: 0/s stays an error. */
TEST(option_log_off)
{
	EXPECT_EQ(parse("set log off\nset rules none\n"), 0);
	EXPECT_EQ(D.n_items, 0);
	EXPECT_EQ(P.opt.log_rate, 0);
	EXPECT_EQ(P.opt.log_pos.line, 1);
	EXPECT_EQ(parse("set log off\nset log 7/s\nset rules none\n"), 0);
	EXPECT_EQ(D.n_warnings, 1);
	EXPECT_EQ(P.opt.log_rate, 7);
	EXPECT_ONE_ERROR("set log 0/s\n", "t.conf:1:9: error: ", "or off");
	EXPECT_ONE_ERROR("set log of\n", "t.conf:1:9: error: ", "not a value of 'set log'");
	reset();
}

TEST(flow_options)
{
	EXPECT_EQ(parse("set timeout tcp 7200\nset timeout udp 45\nset timeout icmp 9\n"
			"set flows 4096\nset rules none\n"),
		  0);
	EXPECT_EQ(P.opt.timeout_tcp, 7200);
	EXPECT_EQ(P.opt.timeout_udp, 45);
	EXPECT_EQ(P.opt.timeout_icmp, 9);
	EXPECT_EQ(P.opt.flows_max, 4096);
	EXPECT_EQ(D.n_warnings, 0);
	reset();
	EXPECT_EQ(parse("allow in tcp\n"), 0);
	EXPECT_EQ(P.opt.timeout_tcp, PC_TIMEOUT_TCP);
	EXPECT_EQ(P.opt.flows_max, PC_FLOWS_DEFAULT);
	reset();
	/* Each protocol's timeout is its own option. */
	EXPECT_EQ(parse("set timeout tcp 10\nset timeout tcp 20\nset rules none\n"), 0);
	EXPECT_EQ(D.n_warnings, 1);
	EXPECT_DIAG(0, "t.conf:2:1: warning: ", "overrides `set timeout tcp` at line 1");
	reset();
}

TEST(option_override_warns)
{
	EXPECT_EQ(parse("set default pass\n"
			"allow in tcp\n"
			"set default drop\n"),
		  0);
	EXPECT_EQ(D.n_warnings, 1);
	EXPECT_DIAG(0, "t.conf:3:1: warning: ", "overrides `set default` at line 1");
	EXPECT_EQ(P.opt.default_pass, false);
	EXPECT_EQ(P.opt.default_pos.line, 3);
	reset();
}

TEST(option_errors)
{
	EXPECT_ONE_ERROR(
		"set defualt drop\n", "t.conf:1:5: error: ",
		"unknown option 'defualt'; did you mean 'default'? (options: state, "
		"ephemeral, non-ip, fragments, log, default, egress, timeout, flows, rules)");
	EXPECT_ONE_ERROR("set timeout sctp 5\n", "t.conf:1:13: error: ",
			 "expected tcp, udp or icmp after 'set timeout', found 'sctp'");
	EXPECT_ONE_ERROR("set timeout tcp 0\n", "t.conf:1:17: error: ",
			 "'0' is not a value of 'set timeout tcp'; write idle seconds from 1");
	EXPECT_ONE_ERROR("set timeout udp\n",
			 "t.conf:1:16: error: ", "expected a value after 'set timeout udp'");
	EXPECT_ONE_ERROR("set flows 100\n",
			 "t.conf:1:11: error: ", "write a table size from 1024 to 1048576");
	EXPECT_ONE_ERROR("set\n", "t.conf:1:4: error: ", "expected an option after 'set'");
	EXPECT_ONE_ERROR("set state yes\n", "t.conf:1:11: error: ",
			 "'yes' is not a value of 'set state'; write on or off");
	EXPECT_ONE_ERROR("set fragments\n", "t.conf:1:14: error: ",
			 "expected a value after 'set fragments': track, pass or drop");
	EXPECT_ONE_ERROR("set log 0/s\n",
			 "t.conf:1:9: error: ", "write a rate N/s with N from 1 to 1000000");
	EXPECT_ONE_ERROR("set log 1000001/s\n", "t.conf:1:9: error: ", "not a value of 'set log'");
	EXPECT_ONE_ERROR("set log 100\n", "t.conf:1:9: error: ", "not a value of 'set log'");
	EXPECT_ONE_ERROR("set ephemeral 60000-1024\n",
			 "t.conf:1:15: error: ", "write a port range LO-HI");
	EXPECT_ONE_ERROR("set egress enforce now\n",
			 "t.conf:1:20: error: ", "unexpected 'now' after 'set egress enforce'");
	EXPECT_ONE_ERROR("set default \"drop\"\n", "t.conf:1:13: error: ",
			 "expected a value after 'set default', found the label \"drop\"");
	/* A rejected value neither applies nor counts as a first setting. */
	EXPECT_EQ(parse("set state bogus\nset state off\n"), -1);
	EXPECT_EQ(D.n_warnings, 0);
	EXPECT_EQ(P.opt.state, false);
	reset();
}

/* --- Statements --------------------------------------------------------------------------- */

TEST(unknown_statements)
{
	EXPECT_ONE_ERROR("alow in tcp\n",
			 "t.conf:1:1: error: ", "unknown statement 'alow'; did you mean 'allow'?");
	EXPECT_ONE_ERROR("  deny in tcp\n",
			 "t.conf:1:3: error: ", "unknown statement 'deny'; did you mean 'drop'?");
	EXPECT_ONE_ERROR("zoen lan 10.0.0.0/8\n", "t.conf:1:1: error: ", "did you mean 'zone'?");
	EXPECT_ONE_ERROR("ALLOW in tcp\n", "t.conf:1:1: error: ", "did you mean 'allow'?");
	/* Too far from any keyword for a suggestion. */
	EXPECT_ONE_ERROR("line x\n", "t.conf:1:1: error: ",
			 "unknown statement 'line' (a statement starts with");
	EXPECT_ONE_ERROR("frobnicate\n", "t.conf:1:1: error: ",
			 "unknown statement 'frobnicate' (a statement starts with allow, drop, "
			 "zone, set or include)");
	EXPECT_ONE_ERROR("\"label\" allow in tcp\n", "t.conf:1:1: error: ",
			 "expected a statement (allow, drop, zone, set or include), found a label");
	reset();
}

TEST(error_limit)
{
	char text[2048] = "";

	for (int i = 0; i < 30; i++)
		strcat(text, "bogus\n");
	EXPECT_EQ(parse(text), -1);
	EXPECT_EQ(D.n_errors, 21);
	EXPECT_DIAG(19, "t.conf:20:1: error: ", "bogus");
	EXPECT_STR(diag(20), "error: too many errors, stopped after 20; fix these and run again");
	reset();
}

TEST(rule_limit)
{
	size_t n = PC_MAX_RULES + 2, len = strlen("allow in tcp\n");
	char *text = malloc(n * len + 1);

	for (size_t i = 0; i < n; i++)
		memcpy(text + i * len, "allow in tcp\n", len);
	text[n * len] = '\0';
	EXPECT_EQ(parse(text), -1);
	EXPECT_EQ(D.n_errors, 1);
	EXPECT_DIAG(0, "t.conf:32767:1: error: ", "more than 32766 rules");
	EXPECT_EQ(P.n_rules, PC_MAX_RULES);
	free(text);
	reset();
}

TEST(returns_error_iff_errors)
{
	EXPECT_EQ(parse("set log 5/s\nset log 6/s\nset rules none\n"), 0);
	EXPECT_EQ(D.n_errors, 0);
	EXPECT_EQ(D.n_warnings, 1);
	EXPECT_EQ(parse("set log 5/s\nset log 6/s\nbogus\n"), -1);
	reset();
}

/* --- Text that is not text ------------------------------------------------------------------ */

TEST(garbage_input)
{
	EXPECT_ONE_ERROR("allow in tcp \xff\n",
			 "t.conf:1:14: error: ", "byte 0xff is not valid UTF-8");
	EXPECT_ONE_ERROR("allow in tcp # caf\xe9\n",
			 "t.conf:1:19: error: ", "byte 0xe9 is not valid UTF-8");
	EXPECT_ONE_ERROR("allow\x01 in tcp\n", "t.conf:1:6: error: ", "control character 0x01");
	/* Overlong encoding of '/' and a UTF-16 surrogate are not UTF-8. */
	EXPECT_ONE_ERROR("zone a 10.0.0.0\xc0\xaf"
			 "8\n",
			 "t.conf:1:16: error: ", "0xc0");
	EXPECT_ONE_ERROR("allow in tcp \"\xed\xa0\x80\"\n", "t.conf:1:15: error: ", "0xed");
	/* UTF-8 is fine in labels and comments; a byte order mark is skipped. */
	EXPECT_EQ(parse("\xef\xbb\xbf# caf\xc3\xa9\nallow in tcp \"caf\xc3\xa9 \xe2\x9c\x93\"\n"),
		  0);
	EXPECT_STR(rule(0)->label, "caf\xc3\xa9 \xe2\x9c\x93");
	/* Zone names are ASCII. */
	EXPECT_ONE_ERROR("zone caf\xc3\xa9 10.0.0.0/8\n",
			 "t.conf:1:6: error: ", "not a valid zone name");
	reset();
}

TEST(nul_bytes_and_binary_files)
{
	static const char nul[] = "allow in tcp\nallow in\0tcp\nallow in udp\n";
	unsigned char bin[4096];
	char *out = NULL;
	size_t outlen = 0;
	FILE *f;

	if (!mktmp())
		SKIP("mkdtemp failed");
	reset();
	EXPECT_EQ(pc_profile_parse(put("nul.conf", nul, sizeof(nul) - 1), &P, &D), -1);
	EXPECT_EQ(D.n_errors, 1);
	EXPECT_TRUE(strstr(diag(0), "/nul.conf:2:9: error: NUL byte in the profile") != NULL);
	EXPECT_EQ(P.n_rules, 2);
	EXPECT_STR(rule(1)->proto_text, "udp");
	/* The line still prints, the NUL shown as '?'. */
	f = open_memstream(&out, &outlen);
	pc_diags_print(&D, f);
	fclose(f);
	EXPECT_TRUE(out && strstr(out, "\nallow in?tcp\n        ^\n") != NULL);
	free(out);

	/* A pseudo-random binary file: errors, never a crash, and no more than 21. */
	srand(7);
	for (size_t i = 0; i < sizeof(bin); i++)
		bin[i] = (unsigned char)rand();
	reset();
	EXPECT_EQ(pc_profile_parse(put("bin.conf", (char *)bin, sizeof(bin)), &P, &D), -1);
	EXPECT_TRUE(D.n_errors >= 1 && D.n_errors <= 21);
	f = open_memstream(&out, &outlen);
	pc_diags_print(&D, f);
	fclose(f);
	free(out);
	rmtmp();
	reset();
}

/* A long line (a binary file's, a generated one) is shown as the 120 bytes around the
 * caret, cut with "...", the caret still under the column. */
TEST(long_lines_are_cut_around_the_caret)
{
	char text[1024], want[512], *out = NULL;
	size_t n, outlen = 0;
	FILE *f;

	n = (size_t)snprintf(text, sizeof(text), "allow in tcp port 1");
	for (int i = 0; i < 100; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, ",%d", 10 + i);
	snprintf(text + n, sizeof(text) - n, ",nope");
	n += 1; /* the column of "nope" */
	EXPECT_EQ(parse(text), -1);
	f = open_memstream(&out, &outlen);
	pc_diags_print(&D, f);
	fclose(f);
	/* 60 bytes before the column, then the rest of the line (under 120). */
	snprintf(want, sizeof(want), "\n...%s\n   %*s^\n", text + n - 60, 60, "");
	EXPECT_TRUE(out && strstr(out, want) != NULL);
	if (out && !strstr(out, want))
		printf("%s", out);
	free(out);
	reset();
}

/* --- Includes and files ---------------------------------------------------------------------- */

TEST(include_relative_and_in_order)
{
	char path[256];

	if (!mktmp())
		SKIP("mkdtemp failed");
	snprintf(path, sizeof(path), "%s/sub", tmpdir);
	mkdir(path, 0700);
	put("sub/zones.conf", "zone lan 10.0.0.0/8\ninclude \"more zones.conf\"\n", -1);
	put("sub/more zones.conf", "zone dmz 192.0.2.0/24\nallow in from dmz tcp\n", -1);
	put("top.conf",
	    "allow in udp\n"
	    "include sub/zones.conf\n"
	    "allow in from lan tcp\n"
	    "set log 7/s\n",
	    -1);
	reset();
	snprintf(path, sizeof(path), "%s/top.conf", tmpdir);
	EXPECT_EQ(pc_profile_parse(path, &P, &D), 0);
	EXPECT_EQ(D.n_items, 0);
	EXPECT_EQ(D.n_sources, 3);
	EXPECT_EQ(P.n_zones, 2);
	EXPECT_EQ(P.n_rules, 3);
	EXPECT_STR(rule(0)->proto_text, "udp");
	EXPECT_STR(rule(1)->peer_text, "dmz");
	EXPECT_EQ(rule(1)->pos.src, 2);
	EXPECT_EQ(rule(1)->pos.line, 2);
	EXPECT_STR(rule(2)->peer_text, "lan");
	EXPECT_EQ(rule(2)->pos.src, 0);
	EXPECT_EQ(P.opt.log_rate, 7);
	snprintf(path, sizeof(path), "%s/sub/more zones.conf", tmpdir);
	EXPECT_STR(D.sources[2].path, path);
	rmtmp();
	reset();
}

TEST(include_errors)
{
	char path[256], head[300];

	if (!mktmp())
		SKIP("mkdtemp failed");
	put("a.conf", "allow in tcp\ninclude b.conf\n", -1);
	put("b.conf", "# b\n  include   a.conf\n", -1);
	put("missing.conf", "include \"nothere.conf\"\n", -1);
	put("dir.conf", "include .\n", -1);
	put("set.conf", "set log 1/s\n", -1);
	put("over.conf", "include set.conf\nset log 2/s\nset rules none\n", -1);
	put("twice.conf", "include set.conf\n\ninclude ./set.conf\n", -1);

	reset();
	snprintf(path, sizeof(path), "%s/a.conf", tmpdir);
	EXPECT_EQ(pc_profile_parse(path, &P, &D), -1);
	EXPECT_EQ(D.n_errors, 1);
	snprintf(head, sizeof(head), "%s/b.conf:2:13: error: ", tmpdir);
	EXPECT_DIAG(0, head, "include cycle: ");
	EXPECT_DIAG(0, head, "/a.conf -> ");
	EXPECT_DIAG(0, head, "/b.conf -> ");
	EXPECT_DIAG(0, head, "remove one of these includes");

	reset();
	snprintf(path, sizeof(path), "%s/missing.conf", tmpdir);
	EXPECT_EQ(pc_profile_parse(path, &P, &D), -1);
	snprintf(head, sizeof(head),
		 "%s/missing.conf:1:9: error: cannot read '%s/nothere.conf': ", tmpdir, tmpdir);
	EXPECT_DIAG(0, head, "No such file or directory");

	reset();
	snprintf(path, sizeof(path), "%s/dir.conf", tmpdir);
	EXPECT_EQ(pc_profile_parse(path, &P, &D), -1);
	EXPECT_DIAG(0, "/", "1:9: error: cannot read '");
	EXPECT_DIAG(0, "/",
		    "it is a directory; a profile and the files it includes must be regular files");

	/* A `set` in an included file is overridden, with the file named. */
	reset();
	snprintf(path, sizeof(path), "%s/over.conf", tmpdir);
	EXPECT_EQ(pc_profile_parse(path, &P, &D), 0);
	snprintf(head, sizeof(head), "overrides `set log` at %s/set.conf:1", tmpdir);
	EXPECT_DIAG(0, "/", head);
	EXPECT_EQ(P.opt.log_rate, 2);

	reset();
	snprintf(path, sizeof(path), "%s/twice.conf", tmpdir);
	EXPECT_EQ(pc_profile_parse(path, &P, &D), -1);
	EXPECT_EQ(D.n_errors, 1);
	snprintf(head, sizeof(head), "%s/twice.conf:3:9: error: ", tmpdir);
	EXPECT_DIAG(0, head, "/./set.conf' is already included at line 1; include each file once");

	EXPECT_ONE_ERROR("include\n",
			 "t.conf:1:8: error: ", "expected a file name after 'include'");
	EXPECT_ONE_ERROR("include a b\n", "t.conf:1:11: error: ", "quote a name that has spaces");
	rmtmp();
	reset();
}

/* Only regular files are read: a FIFO would wait for a writer forever (alarm turns
 * that hang into a failure), a device such as /dev/zero never ends, /dev/null reads
 * as an empty file that hides the mistake. Each is an error at the include. */
TEST(include_only_regular_files)
{
	static const char *const cases[][2] = {
		{ "fifo", "it is a FIFO" },
		{ "/dev/zero", "it is a character device" },
		{ "/dev/null", "it is a character device" },
	};
	char path[256], head[300];

	if (!mktmp())
		SKIP("mkdtemp failed");
	snprintf(path, sizeof(path), "%s/fifo", tmpdir);
	if (mkfifo(path, 0600))
		SKIP("mkfifo failed");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[128];

		snprintf(text, sizeof(text), "allow in tcp port 25\ninclude %s\n", cases[i][0]);
		put("inc.conf", text, -1);
		reset();
		snprintf(path, sizeof(path), "%s/inc.conf", tmpdir);
		alarm(10);
		EXPECT_EQ(pc_profile_parse(path, &P, &D), -1);
		alarm(0);
		EXPECT_EQ(D.n_errors, 1);
		snprintf(head, sizeof(head), "%s/inc.conf:2:9: error: cannot read '", tmpdir);
		EXPECT_DIAG(0, head, cases[i][1]);
		EXPECT_DIAG(0, head, "must be regular files");
	}
	/* The profile itself too, without a position: there is no includer. */
	reset();
	snprintf(path, sizeof(path), "%s/fifo", tmpdir);
	alarm(10);
	EXPECT_EQ(pc_profile_parse(path, &P, &D), -1);
	alarm(0);
	EXPECT_DIAG(0, "error: cannot read profile '", "it is a FIFO");
	rmtmp();
	reset();
}

/* 16 MiB is the limit of the profile and its includes together: includes must not
 * multiply it. */
TEST(include_size_limit_is_for_all_files)
{
	size_t n = 9u << 20;
	char *big = malloc(n + 1), path[256], head[300];

	if (!big || !mktmp())
		SKIP("out of memory or mkdtemp failed");
	memset(big, '#', n);
	big[n - 1] = '\n';
	big[n] = '\0';
	put("big1.conf", big, (long)n);
	put("big2.conf", big, (long)n);
	free(big);
	put("top.conf", "allow in tcp port 25\ninclude big1.conf\ninclude big2.conf\n", -1);
	put("one.conf", "allow in tcp port 25\ninclude big1.conf\n", -1);
	reset();
	snprintf(path, sizeof(path), "%s/one.conf", tmpdir);
	EXPECT_EQ(pc_profile_parse(path, &P, &D), 0);
	reset();
	snprintf(path, sizeof(path), "%s/top.conf", tmpdir);
	EXPECT_EQ(pc_profile_parse(path, &P, &D), -1);
	EXPECT_EQ(D.n_errors, 1);
	snprintf(head, sizeof(head), "%s/top.conf:3:9: error: cannot read '", tmpdir);
	EXPECT_DIAG(0, head, "larger than 16 MiB together");
	rmtmp();
	reset();
}

/* An empty file, a byte order mark alone, comments and options alone: each would load
 * and drop every IP frame. */
TEST(no_rules_is_an_error_unless_said)
{
	EXPECT_ONE_ERROR("", "t.conf:1:1: error: ", "the profile has no rules, so it would drop");
	EXPECT_ONE_ERROR("\xef\xbb\xbf", "t.conf:1:1: error: ", "write `set rules none`");
	EXPECT_ONE_ERROR("\xef\xbb\xbf# only a comment\r\n\n",
			 "t.conf:1:1: error: ", "no rules, so it would drop every IP frame");
	EXPECT_ONE_ERROR("set default pass\n",
			 "t.conf:1:1: error: ", "would pass (`set default pass`) every IP frame");
	EXPECT_ONE_ERROR("zone lan 10.0.0.0/8\nset state off\n",
			 "t.conf:1:1: error: ", "the profile has no rules");
	/* Other errors are not buried under this one. */
	EXPECT_ONE_ERROR("set state of\n", "t.conf:1:11: error: ", "not a value of 'set state'");
	EXPECT_EQ(parse("# observe only\nset rules none\nset default pass\n"), 0);
	EXPECT_EQ(D.n_items, 0);
	EXPECT_TRUE(P.opt.no_rules);
	EXPECT_EQ(P.n_rules, 0);
	EXPECT_ONE_ERROR("set rules none\nallow in tcp port 25\n", "t.conf:1:1: error: ",
			 "says the profile has no rules, but it has 1 (the first at line 2)");
	EXPECT_ONE_ERROR("set rules all\n", "t.conf:1:11: error: ", "write none, for a profile");
	reset();
}

/* The whole LRU table is allocated when the program loads: 16777216 entries took 6.9 s
 * and 2 GiB. */
TEST(flows_limit_keeps_a_load_short)
{
	EXPECT_EQ(parse("allow in tcp port 25\nset flows 1048576\n"), 0);
	EXPECT_EQ(P.opt.flows_max, 1048576);
	EXPECT_ONE_ERROR("allow in tcp port 25\nset flows 1048577\n", "t.conf:2:11: error: ",
			 "from 1024 to 1048576 (the kernel allocates it whole at load");
	EXPECT_ONE_ERROR("allow in tcp port 25\nset flows 16777216\n",
			 "t.conf:2:11: error: ", "not a value of 'set flows'");
	reset();
}

TEST(include_depth)
{
	char name[32], text[64], path[256];

	if (!mktmp())
		SKIP("mkdtemp failed");
	/* f0 includes f1 ... includes f17: f17 would be the 18th file open. */
	for (int i = 0; i < 18; i++) {
		snprintf(name, sizeof(name), "f%d.conf", i);
		snprintf(text, sizeof(text), "allow in tcp\ninclude f%d.conf\n", i + 1);
		put(name, text, -1);
	}
	reset();
	snprintf(path, sizeof(path), "%s/f0.conf", tmpdir);
	EXPECT_EQ(pc_profile_parse(path, &P, &D), -1);
	EXPECT_EQ(D.n_errors, 1);
	EXPECT_DIAG(0, "/", "f16.conf:2:9: error: includes nest more than 16 deep");
	EXPECT_EQ(P.n_rules, 17);
	rmtmp();
	reset();
}

TEST(unreadable_and_huge_files)
{
	char path[256];
	int fd;

	reset();
	EXPECT_EQ(pc_profile_parse("/nonexistent/p.conf", &P, &D), -1);
	EXPECT_EQ(D.n_errors, 1);
	EXPECT_EQ(D.items[0].pos.src, -1);
	EXPECT_STR(diag(0), "error: cannot read profile '/nonexistent/p.conf': No such file or "
			    "directory");

	if (!mktmp())
		SKIP("mkdtemp failed");
	snprintf(path, sizeof(path), "%s/huge.conf", tmpdir);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	EXPECT_TRUE(fd >= 0 && ftruncate(fd, (16 << 20) + 1) == 0);
	close(fd);
	reset();
	EXPECT_EQ(pc_profile_parse(path, &P, &D), -1);
	EXPECT_EQ(D.n_errors, 1);
	EXPECT_DIAG(0, "error: cannot read profile '", "larger than 16 MiB");
	rmtmp();
	reset();
}

/* --- Printing ------------------------------------------------------------------------------ */

static char *printed(void)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	pc_diags_print(&D, f);
	fclose(f);
	return out;
}

TEST(caret_lines_up)
{
	char *out;

	parse("zone lan 10.0.0.0/8\n\tallow in from lna tcp\n");
	out = printed();
	EXPECT_STR(out, "t.conf:2:16: error: unknown zone 'lna'; did you mean 'lan'? (zones must "
			"be defined before they are used; a host name needs its domain)\n"
			"\tallow in from lna tcp\n"
			"\t              ^\n");
	free(out);

	/* A two-byte character takes one column on the terminal. */
	parse("allow in tcp \"\xc3\xa9\" x\n");
	out = printed();
	EXPECT_TRUE(strstr(out, "\nallow in tcp \"\xc3\xa9\" x\n                 ^\n") != NULL);
	free(out);

	/* At the end of a line, and without a position. */
	parse("allow in\r\n");
	out = printed();
	EXPECT_TRUE(strstr(out, ":1:9: error: expected a protocol") == out + 6);
	EXPECT_TRUE(strstr(out, "\nallow in\n        ^\n") != NULL);
	free(out);
	reset();
	pc_diag_add(&D, PC_WARNING, (struct pc_pos){ .src = -1 }, "just %s", "this");
	out = printed();
	EXPECT_STR(out, "warning: just this\n");
	free(out);
	reset();
}

/* The caret lines find their line from where the last one was (the 8,000 warnings of
 * a large profile made it quadratic), in any order and across files, and all of it
 * reaches the stream. */
TEST(diagnostics_print_their_lines_in_any_order)
{
	struct pc_diags d = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int a = pc_diags_add_source(&d, "a.conf", strdup("one\ntwo\nthree\n"));
	int b = pc_diags_add_source(&d, "b.conf", strdup("bee\n"));

	pc_diag_add(&d, PC_WARNING, (struct pc_pos){ a, 3, 2 }, "w3");
	pc_diag_add(&d, PC_WARNING, (struct pc_pos){ a, 1, 1 }, "w1");
	pc_diag_add(&d, PC_WARNING, (struct pc_pos){ b, 1, 3 }, "wb");
	pc_diag_add(&d, PC_ERROR, (struct pc_pos){ a, 2, 1 }, "e2");
	pc_diag_add(&d, PC_ERROR, (struct pc_pos){ a, 9, 1 }, "past the end");
	pc_diags_print(&d, f);
	fclose(f);
	EXPECT_STR(buf, "a.conf:3:2: warning: w3\nthree\n ^\n"
			"a.conf:1:1: warning: w1\none\n^\n"
			"b.conf:1:3: warning: wb\nbee\n  ^\n"
			"a.conf:2:1: error: e2\ntwo\n^\n"
			"a.conf:9:1: error: past the end\n");
	free(buf);
	pc_diags_free(&d);
}

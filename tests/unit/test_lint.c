// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The lint and the duties `check` prints: each finding on a profile that has it, at
 * its line and column, and none on one that does not; address sets, which the zone
 * findings rest on; --strict's promotion. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "compile/addr_set.h"
#include "compile/compile.h"
#include "compile/duties.h"
#include "compile/lint.h"
#include "harness.h"

static struct pc_profile P;
static struct pc_diags D;
static struct pc_image I;

static void reset(void)
{
	pc_image_free(&I);
	pc_profile_free(&P);
	pc_diags_free(&D);
}

/* Parses, compiles and lints text as "t.conf"; returns the warnings the lint added,
 * or -1 when the profile does not compile. */
static long lint(const char *text)
{
	reset();
	pc_test_corpus(text, -1);
	if (pc_profile_parse_string("t.conf", text, &P, &D) || pc_compile(&P, &I, &D))
		return -1;
	return (long)pc_lint(&P, &D);
}

/* The n-th diagnostic (0-based) with this id, or NULL. */
static const struct pc_diag *find(const char *id, int n)
{
	for (size_t i = 0; i < D.n_items; i++)
		if (D.items[i].id && !strcmp(D.items[i].id, id) && !n--)
			return &D.items[i];
	return NULL;
}

static int count(const char *id)
{
	int n = 0;

	while (find(id, n))
		n++;
	return n;
}

/* Warning id is at line:col of t.conf and its text says sub. */
#define EXPECT_AT(id, n, ln, cl, sub)                                                              \
	do {                                                                                       \
		const struct pc_diag *_w = find(id, n);                                            \
		EXPECT_TRUE(_w != NULL);                                                           \
		if (_w) {                                                                          \
			EXPECT_EQ(_w->level, PC_WARNING);                                          \
			EXPECT_EQ(_w->pos.line, ln);                                               \
			EXPECT_EQ(_w->pos.col, cl);                                                \
			if (!_w->msg || !strstr(_w->msg, sub))                                     \
				pc_test_fail(__FILE__, __LINE__, "%s says \"%s\", not \"%s\"", id, \
					     _w->msg ? _w->msg : "", sub);                         \
		}                                                                                  \
	} while (0)

/* A mail appliance's profile that gives the lint nothing to say. */
#define CLEAN                                                                                      \
	"zone lan 10.0.0.0/8, 192.168.0.0/16, fc00::/7\n"                                          \
	"allow in from any tcp port 25\n"                                                          \
	"allow in from lan tcp port 22,443\n"                                                      \
	"allow in from internet icmp type 3,11,12\n"                                               \
	"allow in from internet icmp6 type 1,2,3,4\n"                                              \
	"allow out to any tcp,udp port 53\n"                                                       \
	"allow out to internet udp port 123\n"

TEST(clean_profile_has_nothing_to_say)
{
	EXPECT_EQ(lint(CLEAN), 0);
	EXPECT_EQ(D.n_warnings, 0);
	EXPECT_EQ(lint("set state off\n" CLEAN), 0);
	EXPECT_EQ(D.n_warnings, 0);
}

TEST(non_ip_drop_unreaches_ipv4)
{
	EXPECT_EQ(lint("allow in from internet tcp port 25\nset non-ip  drop\n"), 1);
	EXPECT_AT("non-ip-drop", 0, 2, 13, "ARP");
	EXPECT_AT("non-ip-drop", 0, 2, 13, "`set non-ip pass`");
	EXPECT_EQ(lint("allow in from internet tcp port 25\nset non-ip pass\n"), 0);
	EXPECT_EQ(count("non-ip-drop"), 0);
}

TEST(ndp_types_in_rules_are_void)
{
	EXPECT_EQ(lint("drop in icmp6 type 128,135,136\n"), 1);
	EXPECT_AT("ndp-rule", 0, 1, 24, "type 135 (nd-neighbor-solicit)");
	EXPECT_AT("ndp-rule", 0, 1, 24, "cannot drop it");
	EXPECT_AT("ndp-rule", 0, 1, 24, "§3.12");
	/* By name, in a range, and an allow rule. */
	lint("allow in from internet icmp6 type echo-request,nd-router-solicit\n");
	EXPECT_AT("ndp-rule", 0, 1, 48, "type 133 (nd-router-solicit)");
	EXPECT_AT("ndp-rule", 0, 1, 48, "is not needed for it");
	lint("drop in icmp6 type 1, 130-140\n");
	EXPECT_AT("ndp-rule", 0, 1, 23, "type 133");
	/* Out: MLD goes out on its own too. */
	lint("allow out icmp6 type 128,143\n");
	EXPECT_AT("ndp-rule", 0, 1, 26, "type 143 (mld2-listener-report) always goes out");
	/* Not: other types, every type, and MLD at ingress, which the rules do judge. */
	EXPECT_EQ(lint("drop in icmp6 type 128,138\ndrop in icmp6\nallow in icmp6 type 130\n"
		       "allow out icmp6 type 128\n"),
		  0);
	EXPECT_EQ(count("ndp-rule"), 0);
}

TEST(pmtud_black_hole_under_state_off)
{
	/* A drop rule first: at the type it drops. */
	EXPECT_EQ(lint("set state off\nallow in tcp port 25\ndrop in icmp type 3\n"
		       "allow in icmp6 type 1-4\n"),
		  1);
	EXPECT_AT("pmtud", 0, 3, 19, "ICMP type 3");
	EXPECT_AT("pmtud", 0, 3, 19, "large mails");
	/* No rule: at `set state off`, for each family TCP passes in. */
	EXPECT_EQ(lint("set state off\nallow in tcp port 25\n"), 2);
	EXPECT_AT("pmtud", 0, 1, 11, "no rule admits ICMP type 3");
	EXPECT_AT("pmtud", 1, 1, 11, "ICMPv6 type 2 (packet-too-big)");
	EXPECT_EQ(lint("set state off\nallow in from 192.0.2.0/24 tcp port 25\n"), 1);
	EXPECT_AT("pmtud", 0, 1, 11, "ICMP type 3");
	/* An earlier allow from every address wins over a later drop. */
	EXPECT_EQ(lint("set state off\nallow in tcp port 25\nallow in icmp type 3\n"
		       "drop in icmp type 3\nallow in icmp6\n"),
		  0);
	EXPECT_EQ(count("pmtud"), 0);
	/* Not under `state on`: errors about flows pass whatever the rules say. */
	EXPECT_EQ(lint("allow in tcp port 25\ndrop in icmp type 3\ndrop in icmp6 type 2\n"), 0);
	EXPECT_EQ(count("pmtud"), 0);
	/* Nor when the default passes them, nor a drop for one zone only. */
	lint("set state off\nset default pass\nallow in tcp port 25\n");
	EXPECT_EQ(count("pmtud"), 0);
	lint("set state off\nzone lan 10.0.0.0/8\ndrop in from lan icmp type 3\n"
	     "allow in tcp port 25\nallow in from internet icmp type 3\n"
	     "allow in from internet icmp6 type 2\n");
	EXPECT_EQ(count("pmtud"), 0);
}

TEST(default_pass_is_observe_mode)
{
	EXPECT_EQ(lint("set default pass\nallow in from internet tcp port 25\n"), 1);
	EXPECT_AT("default-pass", 0, 1, 13, "observe mode");
	EXPECT_AT("default-pass", 0, 1, 13, "--confirm");
	EXPECT_EQ(lint("set default drop\nallow in from internet tcp port 25\n"), 0);
}

TEST(host_names_that_do_not_resolve)
{
	/* .invalid never resolves (RFC 6761); localhost does, from /etc/hosts. */
	EXPECT_EQ(lint("zone mx mx.example.invalid\nallow in from mx tcp port 25\n"), 1);
	EXPECT_AT("unresolved-host", 0, 1, 9, "'mx.example.invalid' resolves to no address (");
	EXPECT_AT("never-matches", 0, 2, 15, "zone 'mx' has no address");
	EXPECT_EQ(lint("zone mx localhost\nallow in from mx tcp port 25\n"), 0);
	EXPECT_EQ(count("unresolved-host"), 0);
	EXPECT_EQ(D.n_warnings, 0);
}

TEST(port_opened_to_every_zone)
{
	EXPECT_EQ(lint("allow in from any tcp port 22,25,8000-8080 \"admin\"\n"), 1);
	EXPECT_AT("open-to-all", 0, 1, 15, "opens tcp port 22, 8000-8080 to every address");
	EXPECT_AT("open-to-all", 0, 1, 15, "its peer is `any`");
	/* No peer is `any`: at `in`. */
	lint("allow in tcp,udp port 25\n");
	EXPECT_AT("open-to-all", 0, 1, 7, "opens udp port 25 to every address");
	EXPECT_AT("open-to-all", 0, 1, 7, "without `from`");
	lint("allow in udp\n");
	EXPECT_AT("open-to-all", 0, 1, 7, "every udp port");
	/* A zone of every address is `any` too. */
	lint("zone world 0.0.0.0/0\nallow in from world tcp port 443\n");
	EXPECT_AT("open-to-all", 0, 2, 15, "its peer holds every address");
	/* Not: mail, a zone, the internet said so, out rules, drops, ICMP. */
	EXPECT_EQ(lint("zone lan 10.0.0.0/8\nallow in from any tcp port 25,465,587\n"
		       "allow in from lan tcp port 22\nallow in from internet tcp port 80\n"
		       "allow out to any tcp port 22\ndrop in from any tcp port 23\n"
		       "allow in icmp type 8\n"),
		  0);
	EXPECT_EQ(count("open-to-all"), 0);
}

TEST(zones_that_half_overlap)
{
	EXPECT_EQ(lint("zone lan 10.0.0.0/8\nzone dmz 10.0.0.0/15, 10.2.0.0/16, 172.16.0.0/12\n"
		       "allow in from dmz tcp port 25\n"),
		  1);
	EXPECT_AT("zone-overlap", 0, 2, 6,
		  "zone 'dmz' shares addresses with 'lan' (line 1): "
		  "10.0.0.0/15, 10.2.0.0/16, and neither");
	/* Not: a zone built from others, one inside another, equal sets written
	 * differently, zones apart. */
	EXPECT_EQ(lint("zone lan 10.0.0.0/8, fc00::/7\nzone dmz 10.1.0.0/16\n"
		       "zone trust lan, dmz, 192.0.2.1\nzone halves 10.0.0.0/9, 10.128.0.0/9\n"
		       "zone other 172.16.0.0/12\nallow in from trust tcp port 25\n"),
		  0);
	EXPECT_EQ(count("zone-overlap"), 0);
}

TEST(zone_overlap_names_each_earlier_zone_once)
{
	lint("zone a 10.0.0.0/24\nzone b 10.0.1.0/24\nzone c 10.0.2.0/24\nzone d 10.0.3.0/24\n"
	     "zone e 10.0.0.128/25, 10.0.1.128/25, 10.0.2.128/25, 10.0.3.128/25, ::1\n"
	     "allow in from e tcp port 25\n");
	EXPECT_EQ(count("zone-overlap"), 1);
	EXPECT_AT("zone-overlap", 0, 5, 6, "'a' (line 1): 10.0.0.128/25; 'b' (line 2)");
	EXPECT_AT("zone-overlap", 0, 5, 6, "and 1 more zones");
}

TEST(rules_that_never_match)
{
	lint("allow in from 2001:db8::/32 icmp type 3\n");
	EXPECT_AT("never-matches", 0, 1, 15, "icmp is IPv4 only, but '2001:db8::/32' has IPv6");
	lint("zone v4 192.0.2.0/24\nallow out to v4 icmp6 type echo-request\n");
	EXPECT_AT("never-matches", 0, 2, 14, "icmp6 is IPv6 only");
	lint("zone all 0.0.0.0/0, ::/0\nallow in from internet tcp port 25\n");
	EXPECT_AT("never-matches", 0, 2, 15, "`internet` has none");
	lint("zone all4 0.0.0.0/0\nallow in from internet icmp type 3\n");
	EXPECT_AT("never-matches", 0, 2, 15, "'internet' has IPv6 addresses only");
	/* An address written in a rule that resolved to nothing is compile.c's. */
	lint("allow in from gone.invalid tcp port 25\n");
	EXPECT_EQ(count("never-matches"), 0);
	EXPECT_EQ(count("no-address"), 1);
	/* Not: the family matches. */
	EXPECT_EQ(lint("zone v4 192.0.2.0/24\nallow in from 2001:db8::/32 icmp6 type 1\n"
		       "allow in from v4 icmp type 3\nallow in from internet icmp type 3\n"),
		  0);
}

TEST(a_finding_in_an_included_file_points_there)
{
	char dir[] = "/tmp/pc-lint-XXXXXX", path[64], text[128];
	FILE *f;

	EXPECT_TRUE(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/inc.conf", dir);
	f = fopen(path, "w");
	EXPECT_TRUE(f != NULL);
	if (!f)
		return;
	fputs("# included\n  set non-ip drop\n", f);
	fclose(f);
	snprintf(text, sizeof(text), "allow in from internet tcp port 25\ninclude %s\n", path);
	lint(text);
	remove(path);
	rmdir(dir);
	EXPECT_AT("non-ip-drop", 0, 2, 14, "ARP");
	EXPECT_TRUE(find("non-ip-drop", 0) && find("non-ip-drop", 0)->pos.src == 1);
}

TEST(strict_makes_warnings_errors_with_their_id)
{
	char buf[512];

	lint("set default pass\nallow in from internet tcp port 25\n");
	EXPECT_EQ(D.n_warnings, 1);
	pc_diags_strict(&D);
	EXPECT_EQ(D.n_warnings, 0);
	EXPECT_EQ(D.n_errors, 1);
	pc_diag_format(&D, &D.items[0], buf, sizeof(buf));
	EXPECT_TRUE(!strncmp(buf, "t.conf:1:13: error: `set default pass`", 38));
	EXPECT_TRUE(strstr(buf, " [default-pass]") != NULL);
}

TEST(duties_found_and_missing)
{
	struct pc_duty_state s[PC_DUTY_COUNT];

	EXPECT_EQ(lint("zone lan 10.0.0.0/8\nallow in from internet tcp port 25\n"
		       "drop out to lan udp port 53\nallow out to internet tcp,udp port 53\n"),
		  0);
	pc_duties(&P, &I, s);
	EXPECT_EQ(s[PC_DUTY_DNS_UDP].rule, 2);
	EXPECT_EQ(s[PC_DUTY_DNS_TCP].rule, 2);
	EXPECT_EQ(s[PC_DUTY_NTP].rule, -1);
	EXPECT_TRUE(s[PC_DUTY_ICMP_ERRORS].by_state);
	/* Under state off the errors need rules from the internet. */
	lint("set state off\nallow in tcp port 25\nallow in from internet icmp type 3\n"
	     "allow in icmp6 type 1-3\nallow out udp port 123\n");
	pc_duties(&P, &I, s);
	EXPECT_EQ(s[PC_DUTY_DNS_UDP].rule, -1);
	EXPECT_EQ(s[PC_DUTY_NTP].rule, 3);
	EXPECT_TRUE(!s[PC_DUTY_ICMP_ERRORS].by_state);
	EXPECT_EQ(s[PC_DUTY_ICMP_ERRORS].rule, -1);
	EXPECT_STR(s[PC_DUTY_ICMP_ERRORS].missing, "icmp 11");
	lint("set state off\nallow in tcp port 25\nallow in icmp type 3,11\n"
	     "allow in icmp6 type 1-3\n");
	pc_duties(&P, &I, s);
	EXPECT_EQ(s[PC_DUTY_ICMP_ERRORS].rule, 1);
	EXPECT_STR(s[PC_DUTY_ICMP_ERRORS].missing, "");
}

static void set_of(struct pc_addr_set *s, const char *text)
{
	lint(text);
	EXPECT_EQ(P.n_zones, 1);
	if (P.n_zones != 1 || pc_addr_set_build(s, P.zones[0].prefixes, P.zones[0].n_prefixes))
		*s = (struct pc_addr_set){ 0 };
}

TEST(address_sets)
{
	struct pc_addr_set a, b;
	char buf[256];

	set_of(&a, "zone z 0.0.0.0/1, 128.0.0.0/1, ::/1\nallow in tcp port 25\n");
	set_of(&b, "zone z 10.0.0.0/8, ::1, 8000::/1\nallow in tcp port 25\n");
	EXPECT_EQ(pc_addr_set_full(&a), PC_FAM4);
	EXPECT_EQ(pc_addr_set_families(&b), PC_FAM4 | PC_FAM6);
	EXPECT_TRUE(pc_addr_set_holds(&a, &a));
	EXPECT_TRUE(!pc_addr_set_holds(&a, &b));
	EXPECT_TRUE(pc_addr_set_meet(&a, &b));
	pc_addr_set_shared_text(&a, &b, 8, buf, sizeof(buf));
	EXPECT_STR(buf, "10.0.0.0/8, ::1");
	pc_addr_set_shared_text(&a, &b, 1, buf, sizeof(buf));
	EXPECT_STR(buf, "10.0.0.0/8, ...");
	pc_addr_set_free(&a);
	pc_addr_set_free(&b);
	/* The whole IPv6 space, in halves: no overflow at the top. */
	set_of(&a, "zone z ::/1, 8000::/1\nallow in tcp port 25\n");
	set_of(&b, "zone z ::/0\nallow in tcp port 25\n");
	EXPECT_EQ(pc_addr_set_full(&a), PC_FAM6);
	EXPECT_TRUE(pc_addr_set_holds(&a, &b) && pc_addr_set_holds(&b, &a));
	pc_addr_set_shared_text(&a, &b, 8, buf, sizeof(buf));
	EXPECT_STR(buf, "::/0");
	pc_addr_set_free(&a);
	pc_addr_set_free(&b);
	reset();
}

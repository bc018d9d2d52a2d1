// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The mixes that `bench` times and `flood` sends: every frame of a mix derived from a
 * profile gets, from the real program, the verdict and counter the profile gives its
 * cell (the rule, or no-match for a denied neighbour); the built-in default mix lands
 * where docs/performance.md says; mix files read as written or fail with the line. */
#include <stdlib.h>
#include <unistd.h>

#include <linux/bpf.h>

#include "harness.h"
#include "traffic/mix.h"
#include "traffic/testbed.h"

/* A profile whose peers overlap (a /24 inside a zone's /8, an address in a rule), with
 * a port range, a drop rule and state off replies, beside the shipped ones. */
static const char overlap_profile[] = "set state off\n"
				      "zone lan 10.0.0.0/8, fd00::/8\n"
				      "zone dmz 10.1.2.0/24\n"
				      "drop in from dmz tcp port 25 \"no mail from the DMZ\"\n"
				      "allow in from lan tcp port 25,587 \"mail from the LAN\"\n"
				      "allow in from 10.9.9.9 tcp port 22 \"admin\"\n"
				      "allow in from internet tcp port 25\n"
				      "allow in from any udp port 5000-5010\n"
				      "allow out to internet udp port 53\n"
				      "allow in icmp6 type echo-request\n"
				      "allow out icmp type echo-request\n";

static bool open_profile(const char *path, struct pc_testbed *t)
{
	struct pc_err e = { 0 };

	if (pc_testbed_open(path, t, &e)) {
		pc_test_fail(__FILE__, __LINE__, "%s: %s", path, e.msg);
		return false;
	}
	return true;
}

static void check_derived(const char *path, size_t min_streams)
{
	struct pc_testbed t;
	struct pc_mix m = { 0 };
	struct pc_err e = { 0 };
	size_t rules_hit = 0;

	if (geteuid())
		SKIP("needs root for BPF_PROG_TEST_RUN");
	if (!open_profile(path, &t))
		return;
	/* Under state on the cells' replies are replies of recorded flows. */
	if (pc_mix_from_profile(&t.p, &m, &e) || pc_testbed_seed(&t, &m, &e) ||
	    pc_testbed_judge(&t, &m, &e)) {
		pc_test_fail(__FILE__, __LINE__, "%s: %s", path, e.msg);
		goto out;
	}
	EXPECT_TRUE(m.n >= min_streams);
	for (size_t i = 0; i < m.n; i++) {
		const struct pc_stream *s = &m.s[i];
		char words[256];

		rules_hit += s->want_counter >= PC_CNT_IMPLICIT;
		if (s->counter == s->want_counter && s->action == s->want_action)
			continue;
		pc_test_fail(__FILE__, __LINE__,
			     "%s: stream %s (%s) landed on counter %d, action %d; made for "
			     "counter %d, action %d",
			     path, s->name, pc_packet_words(&s->pk, words, sizeof(words)),
			     s->counter, s->action, s->want_counter, s->want_action);
	}
	/* Every rule of these profiles has a cell (ICMP out rules: echo-request). */
	EXPECT_TRUE(rules_hit >= t.img.n_rules);
out:
	pc_mix_free(&m);
	pc_testbed_close(&t);
}

TEST(derived_spammertrap)
{
	check_derived("profiles/spammertrap.conf", 60);
}

TEST(derived_libraesva)
{
	check_derived("profiles/libraesva-esg.conf", 20);
}

TEST(derived_overlapping_peers)
{
	char path[] = "/tmp/pc-test-mix-XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0 || write(fd, overlap_profile, sizeof(overlap_profile) - 1) < 0) {
		pc_test_fail(__FILE__, __LINE__, "writing %s", path);
		return;
	}
	close(fd);
	check_derived(path, 15);
	unlink(path);
}

/* The default mix on the SpammerTrap profile, as docs/performance.md describes it. */
TEST(default_mix_outcomes)
{
	static const struct {
		const char *name, *outcome;
	} want[] = {
		{ "smtp-syn", "PASS line 38" },	   { "smtp-established", "PASS line 38" },
		{ "tcp-denied", "DROP no-match" }, { "dns-reply", "PASS line 51" },
		{ "icmp-echo", "PASS line 64" },   { "ipv6-tcp", "PASS line 38" },
		{ "vlan-tcp", "PASS line 46" },	   { "arp", "PASS non-ip" },
	};
	struct pc_testbed t;
	struct pc_mix m = { 0 };
	struct pc_err e = { 0 };

	if (geteuid())
		SKIP("needs root for BPF_PROG_TEST_RUN");
	if (!open_profile("profiles/spammertrap.conf", &t))
		return;
	/* Before its flow is recorded the DNS reply is a look-alike. */
	if (pc_mix_default(&m, &e) || pc_testbed_judge(&t, &m, &e)) {
		pc_test_fail(__FILE__, __LINE__, "%s", e.msg);
		goto out;
	}
	for (size_t i = 0; i < m.n; i++) {
		char buf[64];

		if (m.s[i].reply)
			EXPECT_STR(pc_mix_outcome(&m.s[i], t.img.info, t.img.n_rules, buf,
						  sizeof(buf)),
				   "DROP no-match");
	}
	if (pc_testbed_seed(&t, &m, &e) || pc_testbed_judge(&t, &m, &e)) {
		pc_test_fail(__FILE__, __LINE__, "%s", e.msg);
		goto out;
	}
	EXPECT_EQ(m.n, sizeof(want) / sizeof(want[0]));
	EXPECT_EQ(pc_mix_total_weight(&m), 100);
	for (size_t i = 0; i < m.n && i < sizeof(want) / sizeof(want[0]); i++) {
		char buf[64];

		EXPECT_STR(m.s[i].name, want[i].name);
		EXPECT_STR(pc_mix_outcome(&m.s[i], t.img.info, t.img.n_rules, buf, sizeof(buf)),
			   want[i].outcome);
		EXPECT_TRUE(m.s[i].len >= PC_MIX_FRAME_MIN);
		EXPECT_EQ(m.s[i].reply, !strcmp(want[i].name, "dns-reply"));
	}
out:
	pc_mix_free(&m);
	pc_testbed_close(&t);
}

TEST(mix_file)
{
	static const struct {
		const char *text, *error; /* NULL: accepted */
	} rows[] = {
		{ "a 1 tcp from 192.0.2.9 to port 25\n\n# comment\nb 7 reply udp from 2001:db8::9 "
		  "port 53 to port 40000 # trailing\n",
		  NULL },
		{ "a 1 tcp from 192.0.2.9 to port 25\na 2 arp\n",
		  "mix:2: a second stream named a" },
		{ "a 0 arp\n", "mix:1: the weight is a number" },
		{ "a x arp\n", "mix:1: the weight is a number" },
		{ "a/b 1 arp\n", "mix:1: a stream name is letters" },
		{ "\n\na 1\n", "mix:3: expected NAME WEIGHT [reply] PACKET" },
		{ "a 1 tcp from 192.0.2.9\n",
		  "mix:1: a TCP or UDP packet needs its destination port" },
		{ "# nothing\n", "mix: no stream" },
		/* Cut to fit, it would have been another frame. */
		{ "a 1 tcp from 2001:db8::9 to port 25 ext ah,ah,ah,ah\n",
		  "mix:1: the frame of stream a is 178 bytes, more than a stream holds (128)" },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct pc_mix m = { 0 };
		struct pc_err e = { 0 };
		int err = pc_mix_parse("mix", rows[i].text, &m, &e);

		if (!rows[i].error) {
			EXPECT_EQ(err, 0);
			EXPECT_EQ(m.n, 2);
			if (m.n == 2) {
				EXPECT_EQ(m.s[1].weight, 7);
				EXPECT_TRUE(m.s[1].reply && !m.s[0].reply);
				EXPECT_EQ(m.s[1].pk.sport, 53);
			}
		} else if (!err || !strstr(e.msg, rows[i].error) || e.exit_code != 2) {
			pc_test_fail(__FILE__, __LINE__, "row %zu: error '%s', expected '%s'", i,
				     err ? e.msg : "(none)", rows[i].error);
		}
		pc_mix_free(&m);
	}
}

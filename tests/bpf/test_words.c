// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The frames of explain's newer PACKET words, through the real program (the test bed
 * `mix` and `bench` use, which judges through pc_judge_run), in order, as
 * docs/semantics.md says: two VLAN tags are walked (§3.1), a first fragment is judged
 * like a packet and under `fragments track` its later fragments follow it (§3.9), the
 * IPv6 extension headers are walked to the transport header (§3.11), and a fragment
 * header rules out neighbour discovery (§3.12). */
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"
#include "traffic/mix.h"
#include "traffic/testbed.h"

static const char profile[] = "set fragments track\n"
			      "allow in from internet tcp port 25 \"smtp\"\n"
			      "allow in from internet udp port 53 \"dns\"\n";

/* Each stream, judged in this order, and where it must land: the line of its rule or
 * an implicit counter. */
static const struct {
	const char *words, *outcome;
} rows[] = {
	{ "tcp from 198.51.100.7 to port 25 vlan 100 vlan 200", "PASS line 2" },
	{ "tcp from 198.51.100.7 to port 22 vlan 100 vlan 200", "DROP no-match" },
	{ "udp from 198.51.100.7 to port 53 frag first", "PASS line 3" },
	{ "udp from 198.51.100.7 frag later", "PASS line 3" },	 /* its first passed */
	{ "udp from 198.51.100.8 frag later", "DROP fragment" }, /* no first seen */
	{ "tcp from 198.51.100.7 to port 22 frag first", "DROP no-match" },
	{ "tcp from 198.51.100.7 frag later", "DROP fragment" }, /* its first dropped */
	{ "tcp from 2001:db8::7 to port 25 ext hop,routing,ah", "PASS line 2" },
	{ "udp from 2001:db8::7 to port 54 ext dst,dst,dst,dst,dst,dst", "DROP no-match" },
	{ "udp from 2001:db8::7 to port 53 ext dst,dst,dst,dst,dst,dst", "PASS line 3" },
	{ "udp from 2001:db8::7 to port 53 ext hop,dst frag first", "PASS line 3" },
	{ "udp from 2001:db8::7 ext hop,dst frag later", "PASS line 3" },
	{ "icmp6 from fe80::1 type nd-neighbor-solicit", "PASS ndp" },
	{ "icmp6 from fe80::1 type nd-neighbor-solicit frag first", "DROP no-match" },
};

TEST(new_words_judged)
{
	char path[] = "/tmp/pc-test-words-XXXXXX", text[4096] = "", line[256];
	struct pc_testbed t;
	struct pc_mix m = { 0 };
	struct pc_err e = { 0 };
	int fd;
	size_t n = sizeof(rows) / sizeof(rows[0]);

	if (geteuid())
		SKIP("needs root for BPF_PROG_TEST_RUN");
	fd = mkstemp(path);
	if (fd < 0 || write(fd, profile, sizeof(profile) - 1) != sizeof(profile) - 1) {
		pc_test_fail(__FILE__, __LINE__, "writing %s", path);
		return;
	}
	close(fd);
	for (size_t i = 0; i < n; i++) {
		snprintf(line, sizeof(line), "s%zu 1 %s\n", i, rows[i].words);
		strncat(text, line, sizeof(text) - strlen(text) - 1);
	}
	if (pc_testbed_open(path, &t, &e)) {
		pc_test_fail(__FILE__, __LINE__, "%s", e.msg);
		goto out;
	}
	if (pc_mix_parse("words", text, &m, &e) || pc_testbed_judge(&t, &m, &e)) {
		pc_test_fail(__FILE__, __LINE__, "%s", e.msg);
		goto close;
	}
	EXPECT_EQ(m.n, n);
	for (size_t i = 0; i < m.n && i < n; i++) {
		char buf[64];

		pc_mix_outcome(&m.s[i], t.img.info, t.img.n_rules, buf, sizeof(buf));
		if (strcmp(buf, rows[i].outcome))
			pc_test_fail(__FILE__, __LINE__, "%s: %s, expected %s", rows[i].words, buf,
				     rows[i].outcome);
	}
close:
	pc_mix_free(&m);
	pc_testbed_close(&t);
out:
	unlink(path);
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The SSH guard: a profile that would drop the session `load` runs from is refused,
 * one that passes it is not, and sessions through other interfaces are not its
 * business. Uses the loopback interface, whose 127.0.0.1 every machine has. */
#include "compile/compile.h"
#include "compile/guard.h"
#include "harness.h"

static int guard(const char *profile, const char *ifname, const char *ssh, char *msg, size_t len)
{
	struct pc_profile p = { 0 };
	struct pc_diags d = { 0 };
	struct pc_image img = { 0 };
	struct pc_err e = { 0 };
	int err = -2;

	if (!pc_profile_parse_string("t.conf", profile, &p, &d) && !pc_compile(&p, &img, &d))
		err = pc_guard_ssh(ifname, ssh, &p, &img, &e);
	snprintf(msg, len, "%s", e.msg);
	pc_image_free(&img);
	pc_profile_free(&p);
	pc_diags_free(&d);
	return err;
}

TEST(session_dropped_by_default_is_refused)
{
	char msg[1024];

	EXPECT_EQ(guard("set state off\nallow in tcp port 25\n", "lo",
			"127.0.0.2 50000 127.0.0.1 22", msg, sizeof(msg)),
		  -1);
	EXPECT_TRUE(strstr(msg, "no rule allows it") != NULL);
	EXPECT_TRUE(strstr(msg, "allow in from 127.0.0.2 tcp port 22") != NULL);
	EXPECT_TRUE(strstr(msg, "--force") != NULL);
}

TEST(session_dropped_by_a_rule_names_its_line)
{
	char msg[1024];

	EXPECT_EQ(
		guard("set state off\ndrop in from 127.0.0.0/8 tcp port 22\nallow in tcp port 22\n",
		      "lo", "127.0.0.2 50000 127.0.0.1 22", msg, sizeof(msg)),
		-1);
	EXPECT_TRUE(strstr(msg, "line 2") != NULL);
}

TEST(session_allowed_or_elsewhere_passes)
{
	char msg[1024];

	EXPECT_EQ(guard("set state off\nallow in tcp port 22\n", "lo",
			"127.0.0.2 50000 127.0.0.1 22", msg, sizeof(msg)),
		  0);
	EXPECT_EQ(guard("set state off\nset default pass\nset rules none\n", "lo",
			"127.0.0.2 50000 127.0.0.1 22", msg, sizeof(msg)),
		  0);
	/* The server address is not on this interface: not this session's path. */
	EXPECT_EQ(guard("set state off\nset rules none\n", "lo", "192.0.2.9 50000 192.0.2.1 22",
			msg, sizeof(msg)),
		  0);
	/* Not run over SSH, or a value that is not SSH_CONNECTION's. */
	EXPECT_EQ(guard("set state off\nset rules none\n", "lo", NULL, msg, sizeof(msg)), 0);
	EXPECT_EQ(guard("set state off\nset rules none\n", "lo", "garbage", msg, sizeof(msg)), 0);
}

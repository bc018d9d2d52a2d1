// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The systemd-run that starts the confirmation timer under systemd: a unit name that
 * is the interface's state key and the generation (unique, and a valid unit name), a
 * delay one second past the deadline, and `portcullis settle IFACE` as what it runs. */
#include <string.h>

#include "harness.h"
#include "kern/systemd_timer.h"

static void argv_for(uint64_t deadline, uint64_t now, char *unit, const char **argv, char *buf,
		     size_t len)
{
	/* Static: argv points into it. */
	static struct pc_iface i = { .name = "eth0", .ifindex = 2, .netns = 4026531840ULL };

	snprintf(i.dir, sizeof(i.dir), "/sys/fs/bpf/portcullis/net4026531840-if2");
	pc_systemd_timer_argv(&i, "g7", "/usr/sbin/portcullis", deadline, now, buf, len, unit, 256,
			      argv);
}

TEST(systemd_run_argv)
{
	const char *argv[PC_SYSTEMD_ARGS];
	char buf[512], unit[256];
	size_t n = 0;

	argv_for(1000, 970, unit, argv, buf, sizeof(buf));
	while (argv[n])
		n++;
	EXPECT_STR(unit, "portcullis-confirm-net4026531840-if2-g7");
	EXPECT_STR(argv[0], "systemd-run");
	EXPECT_STR(argv[3], "--unit=portcullis-confirm-net4026531840-if2-g7");
	EXPECT_STR(argv[4], "--on-active=31s");
	EXPECT_STR(argv[5], "--timer-property=AccuracySec=1s");
	EXPECT_STR(argv[n - 4], "--");
	EXPECT_STR(argv[n - 3], "/usr/sbin/portcullis");
	EXPECT_STR(argv[n - 2], "settle");
	EXPECT_STR(argv[n - 1], "eth0");
	EXPECT_TRUE(n < PC_SYSTEMD_ARGS);
}

TEST(overdue_fires_at_once)
{
	const char *argv[PC_SYSTEMD_ARGS];
	char buf[512], unit[256];

	argv_for(1000, 2000, unit, argv, buf, sizeof(buf));
	EXPECT_STR(argv[4], "--on-active=1s");
}

TEST(unit_name_is_valid)
{
	const char *argv[PC_SYSTEMD_ARGS];
	char buf[512], unit[256];

	argv_for(1000, 970, unit, argv, buf, sizeof(buf));
	EXPECT_TRUE(
		strspn(unit,
		       "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:-_.\\") ==
		strlen(unit));
}

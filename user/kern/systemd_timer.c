// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The systemd timer of systemd_timer.h, through systemd-run and systemctl. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kern/systemd_timer.h"

extern char **environ;

/* "portcullis-confirm-net<cookie>-if<ifindex>-g<N>": the interface's state directory
 * and the generation name, both of which are unit-name characters. */
static void unit_name(const struct pc_iface *i, const char *gname, char *buf, size_t len)
{
	const char *key = strrchr(i->dir, '/');

	snprintf(buf, len, "portcullis-confirm-%s-%s", key ? key + 1 : i->dir, gname);
}

void pc_systemd_timer_argv(const struct pc_iface *i, const char *gname, const char *exe,
			   uint64_t deadline, uint64_t now, char *buf, size_t len, char *unit,
			   size_t unit_len, const char *argv[PC_SYSTEMD_ARGS])
{
	/* A second past the deadline: settle rolls back a load whose deadline has come. */
	uint64_t secs = deadline > now ? deadline - now + 1 : 1;
	int n = 0, at;

	unit_name(i, gname, unit, unit_len);
	at = snprintf(buf, len, "--unit=%s", unit) + 1;
	snprintf(buf + at, len - (size_t)at, "--on-active=%llus", (unsigned long long)secs);
	argv[n++] = "systemd-run";
	argv[n++] = "--quiet";
	argv[n++] = "--collect";
	argv[n++] = buf;
	argv[n++] = buf + at;
	/* systemd's default accuracy is a minute. */
	argv[n++] = "--timer-property=AccuracySec=1s";
	argv[n++] = "--";
	argv[n++] = exe;
	argv[n++] = "settle";
	argv[n++] = i->name;
	argv[n] = NULL;
}

/* Runs argv with stdin and stdout on /dev/null; its exit status, or -1. */
static int run(const char *const argv[])
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status = -1;

	if (posix_spawn_file_actions_init(&fa))
		return -1;
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	if (!posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ))
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	posix_spawn_file_actions_destroy(&fa);
	return status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* systemd runs this machine (sd_booted()'s test), and this process is in the network
 * namespace its units start in. */
static bool serves_here(void)
{
	struct stat sd, self, init;

	return !stat("/run/systemd/system", &sd) && S_ISDIR(sd.st_mode) &&
	       !stat("/proc/self/ns/net", &self) && !stat("/proc/1/ns/net", &init) &&
	       self.st_ino == init.st_ino && self.st_dev == init.st_dev;
}

int pc_systemd_timer_start(const struct pc_iface *i, const char *gname, uint64_t deadline)
{
	char exe[PATH_MAX], buf[PATH_MAX], unit[PATH_MAX];
	const char *argv[PC_SYSTEMD_ARGS];
	ssize_t n;

	if (!serves_here())
		return 1;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return 1;
	exe[n] = '\0';
	pc_systemd_timer_argv(i, gname, exe, deadline, (uint64_t)time(NULL), buf, sizeof(buf), unit,
			      sizeof(unit), argv);
	return run(argv) == 0 ? 0 : 1;
}

static int systemctl(const char *verb, const struct pc_iface *i, const char *gname)
{
	char unit[PATH_MAX], timer[PATH_MAX + 8];
	const char *argv[] = { "systemctl", "--quiet", verb, timer, NULL };

	if (!serves_here())
		return -1;
	unit_name(i, gname, unit, sizeof(unit));
	snprintf(timer, sizeof(timer), "%s.timer", unit);
	return run(argv);
}

bool pc_systemd_timer_waiting(const struct pc_iface *i, const char *gname)
{
	return systemctl("is-active", i, gname) == 0;
}

void pc_systemd_timer_stop(const struct pc_iface *i, const char *gname)
{
	systemctl("stop", i, gname);
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The pending confirmation, its timer and the rollback.
 *
 * The deadline lives with the trial generation (its PC_PIN_PENDING symlink), so it
 * becomes true in the same rename that makes the generation current, and every
 * command that settles the interface sees it: an overdue rollback is carried out by
 * whichever portcullis command comes first, the timer only being the one that comes
 * on time. Where systemd runs the machine, the timer is a transient unit of its
 * (systemd_timer.h), which systemd supervises. Elsewhere it is a process of ours,
 * supervised by a watcher through a pidfd and re-spawned if it dies; if both die, the
 * next command starts another. No process is ever signalled: a timer notices within a
 * second that its confirmation is gone and exits. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "kern/attach.h"
#include "kern/confirm.h"
#include "kern/pins.h"
#include "kern/switch.h"
#include "kern/systemd_timer.h"
#include "portcullis.h"

#define PENDING_FMT "deadline=%" PRIu64 " prev=%s"

int pc_pending_read(const char *gdir, struct pc_pending *p)
{
	char text[128 + NAME_MAX], prev[NAME_MAX];

	if (pc_pin_readlink(gdir, PC_PIN_PENDING, text, sizeof(text)) ||
	    sscanf(text, "deadline=%" SCNu64 " prev=%254s", &p->deadline, prev) != 2)
		return -1;
	snprintf(p->prev, sizeof(p->prev), "%s", strcmp(prev, "none") ? prev : "");
	return 0;
}

int pc_pending_write(const char *gdir, const struct pc_pending *p, struct pc_err *e)
{
	char text[128 + NAME_MAX];

	snprintf(text, sizeof(text), PENDING_FMT, p->deadline, p->prev[0] ? p->prev : "none");
	return pc_pin_symlink(gdir, PC_PIN_PENDING, text, e);
}

/* The generation still awaits the confirmation the timer was started for. */
static bool still_pending(const char *gdir, const struct pc_pending *want)
{
	struct pc_pending p;

	return !pc_pending_read(gdir, &p) && p.deadline == want->deadline &&
	       !strcmp(p.prev, want->prev);
}

/* --- The timer and its watcher ------------------------------------------------------ */

static int pidfd_open_(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* At the deadline: the rollback, through the same settle step as any command. */
static void timer_main(struct pc_iface i, const char *gdir, struct pc_pending want)
{
	struct pc_err e;
	int lock;

	prctl(PR_SET_NAME, "pc-confirm-tmr");
	while ((uint64_t)time(NULL) < want.deadline) {
		if (!still_pending(gdir, &want))
			_exit(0);
		sleep(1);
	}
	lock = pc_iface_lock(&i, false, &e);
	if (lock < 0)
		_exit(0); /* unloaded meanwhile */
	if (pc_settle(&i, &e))
		syslog(LOG_ERR, "%s: rolling back an unconfirmed load failed: %s", i.name, e.msg);
	pc_iface_unlock(&i, lock);
	_exit(0);
}

/* Re-spawns the timer until it ends by itself or its confirmation is gone. */
static void watcher_main(struct pc_iface i, const char *gdir, struct pc_pending want)
{
	prctl(PR_SET_NAME, "pc-confirm-wd");
	for (;;) {
		struct pollfd pfd = { .events = POLLIN };
		int status = 0;
		pid_t timer = fork();

		if (timer == 0)
			timer_main(i, gdir, want);
		if (timer < 0) {
			sleep(1);
			continue;
		}
		/* Our own child, not yet reaped: this pidfd cannot name another process. */
		pfd.fd = pidfd_open_(timer);
		while (pfd.fd >= 0 && poll(&pfd, 1, -1) < 0 && errno == EINTR)
			;
		if (pfd.fd >= 0)
			close(pfd.fd);
		waitpid(timer, &status, 0);
		if ((WIFEXITED(status) && !WEXITSTATUS(status)) || !still_pending(gdir, &want))
			_exit(0);
		syslog(LOG_WARNING, "%s: the confirmation timer died; starting another", i.name);
		sleep(1);
	}
}

/* A process holds a shared flock on gdir: a timer (or its watcher) is alive. */
static bool timer_alive(const char *gdir)
{
	int fd = open(gdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	bool alive;

	if (fd < 0)
		return false;
	alive = flock(fd, LOCK_EX | LOCK_NB) && errno == EWOULDBLOCK;
	close(fd);
	return alive;
}

/* The watcher: a grandchild in its own session, so neither the terminal closing nor
 * the SSH session dying (the very case it is for) stops it. It tells `ready` once
 * it holds the flock. */
static void detach_watcher(const struct pc_iface *i, const char *gdir,
			   const struct pc_pending *want, int ready)
{
	int fd = open("/dev/null", O_RDWR), marker;

	setsid();
	if (fork() != 0)
		_exit(0);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
	}
	/* Above all the command's interface lock: an inherited copy would hold it for
	 * as long as this process lives, and the rollback waits for it. */
	for (int f = 3; f < 1024; f++)
		if (f != ready)
			close(f);
	openlog("portcullis", LOG_PID, LOG_DAEMON);
	marker = open(gdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (marker < 0 || flock(marker, LOCK_SH))
		_exit(1);
	if (write(ready, "1", 1) != 1)
		_exit(1);
	close(ready);
	watcher_main(*i, gdir, *want);
}

int pc_confirm_timer_start(const struct pc_iface *i, const char *gname, struct pc_err *e)
{
	char gdir[PATH_MAX], ok = 0;
	struct pc_pending want;
	int sync[2];
	pid_t child;

	pc_gen_path(gdir, sizeof(gdir), i, gname);
	if (pc_pending_read(gdir, &want))
		return pc_fail(e, ENOENT, NULL, "reading %s/%s", gdir, PC_PIN_PENDING);
	if (!pc_systemd_timer_start(i, gname, want.deadline))
		return 0;
	if (pipe2(sync, O_CLOEXEC))
		return pc_fail(e, errno, NULL, "pipe for the confirm timer");
	child = fork();
	if (child < 0) {
		close(sync[0]);
		close(sync[1]);
		return pc_fail(e, errno, NULL, "fork of the confirm timer");
	}
	if (child == 0) {
		close(sync[0]);
		detach_watcher(i, gdir, &want, sync[1]);
	}
	close(sync[1]);
	waitpid(child, NULL, 0);
	if (read(sync[0], &ok, 1) != 1 || ok != '1') {
		close(sync[0]);
		return pc_fail(e, ECHILD, NULL, "starting the confirm timer");
	}
	close(sync[0]);
	return 0;
}

/* --- confirm, rollback ----------------------------------------------------------- */

int pc_confirm(const struct pc_iface *i, struct pc_err *e)
{
	char cur[PATH_MAX], path[PATH_MAX], prev[PATH_MAX];
	struct pc_pending p;

	if (pc_gen_current(i, cur, sizeof(cur)) || pc_pending_read(cur, &p))
		return pc_fail(e, 0, NULL,
			       "no load on %s awaits confirmation (it was confirmed, rolled "
			       "back, or loaded without --confirm)",
			       i->name);
	/* The commit of a confirmation: from here the previous generation is unused. */
	pc_pin_path(path, sizeof(path), cur, PC_PIN_PENDING);
	if (unlink(path))
		return pc_fail(e, errno, NULL, "removing %s", path);
	pc_systemd_timer_stop(i, strrchr(cur, '/') + 1);
	if (p.prev[0]) {
		pc_gen_path(prev, sizeof(prev), i, p.prev);
		pc_pins_remove_dir(prev);
	}
	return 0;
}

int pc_rollback(const struct pc_iface *i, struct pc_err *e)
{
	char cur[PATH_MAX], prev[PATH_MAX];
	struct pc_pending p;

	if (pc_gen_current(i, cur, sizeof(cur)) || pc_pending_read(cur, &p))
		return 0;
	if (!p.prev[0])
		return pc_detach(i, e);
	pc_gen_path(prev, sizeof(prev), i, p.prev);
	if (pc_switch_begin(i, p.prev, e))
		return -1;
	if (pc_switch_links(i, prev, e)) {
		pc_switch_abort(i, cur, prev, true);
		return -1;
	}
	if (pc_switch_finish(i, cur, prev, true, NULL, NULL, NULL, e))
		return -1;
	pc_pins_remove_dir(cur);
	return 0;
}

int pc_pending_settle(const struct pc_iface *i, struct pc_err *e)
{
	char cur[PATH_MAX];
	struct pc_pending p;

	if (pc_gen_current(i, cur, sizeof(cur)) || pc_pending_read(cur, &p))
		return 0;
	if ((uint64_t)time(NULL) >= p.deadline) {
		if (pc_rollback(i, e))
			return -1;
		fprintf(stderr, "portcullis: the load on %s was not confirmed in time: %s\n",
			i->name, p.prev[0] ? "previous profile restored" : "unloaded");
		syslog(LOG_WARNING, "%s: load not confirmed in time: %s", i->name,
		       p.prev[0] ? "previous profile restored" : "unloaded");
		return 0;
	}
	if (!timer_alive(cur) && !pc_systemd_timer_waiting(i, strrchr(cur, '/') + 1))
		return pc_confirm_timer_start(i, strrchr(cur, '/') + 1, e);
	return 0;
}

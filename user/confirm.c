// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The confirm timer and the rollback it performs.
 *
 * While a load awaits confirmation the previous program's pins stay under
 * ROLLBACK_PREFIX names and /run/portcullis/IFACE.pending holds the deadline. A
 * detached child sleeps until then; if the file is still there it swaps the previous
 * program back in with one bpf_link_update (or unloads, when there was none) and
 * carries the counters of the trial period back, so nothing is lost either way. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <linux/membarrier.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "attach.h"
#include "carry.h"
#include "confirm.h"
#include "egress.h"
#include "flows.h"
#include "pins.h"
#include "program.h"

static void run_path(char *buf, size_t len, const char *ifname, const char *what)
{
	snprintf(buf, len, PC_RUN_DIR "/%s.%s", ifname, what);
}

/* The lock is the first thing a command that changes the NIC touches: without root,
 * it is where the user learns that root is needed. */
static const char *lock_advice(int err)
{
	return err == EACCES || err == EPERM ? "run as root" : NULL;
}

int pc_lock(const char *ifname, struct pc_err *e)
{
	char path[128];
	int fd;

	if (mkdir(PC_RUN_DIR, 0700) && errno != EEXIST)
		return pc_fail(e, errno, lock_advice(errno), "creating %s", PC_RUN_DIR);
	run_path(path, sizeof(path), ifname, "lock");
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return pc_fail(e, errno, lock_advice(errno), "opening %s", path);
	if (flock(fd, LOCK_EX)) {
		close(fd);
		return pc_fail(e, errno, NULL, "locking %s", path);
	}
	return fd;
}

int pc_pending_read(const char *ifname, struct pc_pending *p)
{
	char path[128];
	unsigned long long deadline;
	int replaced, pid, n;
	FILE *f;

	run_path(path, sizeof(path), ifname, "pending");
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fscanf(f, "deadline %llu replaced %d pid %d", &deadline, &replaced, &pid);
	fclose(f);
	if (n != 3)
		return -1;
	p->deadline = deadline;
	p->replaced = replaced;
	p->pid = pid;
	return 0;
}

static int pending_write(const char *ifname, const struct pc_pending *p, struct pc_err *e)
{
	char path[128], tmp[140];
	FILE *f;

	run_path(path, sizeof(path), ifname, "pending");
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return pc_fail(e, errno, NULL, "writing %s", tmp);
	fprintf(f, "deadline %llu replaced %d pid %d\n", (unsigned long long)p->deadline,
		p->replaced, p->pid);
	if (fclose(f) || rename(tmp, path))
		return pc_fail(e, errno, NULL, "writing %s", path);
	return 0;
}

static void pending_remove(const char *ifname)
{
	char path[128];

	run_path(path, sizeof(path), ifname, "pending");
	unlink(path);
}

/* The timer: a grandchild in its own session, so neither the terminal closing nor
 * the SSH session dying (the very case it is for) stops it. */
static void timer_main(const char *ifname, uint64_t deadline)
{
	struct pc_pending p;
	struct pc_err e;
	int lock, fd = open("/dev/null", O_RDWR);

	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
	}
	/* Above all the load's lock: an inherited copy would hold it for as long as
	 * this process lives, and the rollback below waits for it. */
	close_range(3, ~0U, 0);
	openlog("portcullis", LOG_PID, LOG_DAEMON);
	while ((uint64_t)time(NULL) < deadline)
		sleep(1);
	lock = pc_lock(ifname, &e);
	if (lock < 0)
		_exit(1);
	/* Confirmed, unloaded or re-armed by another load: nothing to do. */
	if (pc_pending_read(ifname, &p) || p.pid != getpid())
		_exit(0);
	if (pc_rollback(ifname, p.replaced, &e))
		syslog(LOG_ERR, "%s: rolling back an unconfirmed load failed: %s", ifname, e.msg);
	else
		syslog(LOG_WARNING, "%s: load not confirmed in time: %s", ifname,
		       p.replaced ? "previous profile restored" : "unloaded");
	close(lock);
	_exit(0);
}

int pc_confirm_arm(const char *ifname, unsigned secs, bool replaced, struct pc_err *e)
{
	struct pc_pending p = { .deadline = (uint64_t)time(NULL) + secs, .replaced = replaced };
	int sync[2];
	pid_t child;

	if (pipe(sync))
		return pc_fail(e, errno, NULL, "pipe for the confirm timer");
	child = fork();
	if (child < 0)
		return pc_fail(e, errno, NULL, "fork of the confirm timer");
	if (child == 0) {
		pid_t timer;

		setsid();
		timer = fork();
		if (timer == 0) {
			close(sync[0]);
			close(sync[1]);
			timer_main(ifname, p.deadline);
		}
		/* Tell the parent the timer's pid, then leave it to init. */
		if (write(sync[1], &timer, sizeof(timer)) != sizeof(timer))
			_exit(1);
		_exit(0);
	}
	close(sync[1]);
	if (read(sync[0], &p.pid, sizeof(p.pid)) != sizeof(p.pid) || p.pid <= 0) {
		close(sync[0]);
		return pc_fail(e, ECHILD, NULL, "starting the confirm timer");
	}
	close(sync[0]);
	waitpid(child, NULL, 0);
	return pending_write(ifname, &p, e);
}

void pc_pending_cancel(const char *ifname)
{
	struct pc_pending p;

	if (pc_pending_read(ifname, &p))
		return;
	pending_remove(ifname);
	if (p.pid > 0)
		kill(p.pid, SIGTERM);
}

int pc_confirm(const char *ifname, struct pc_err *e)
{
	struct pc_pending p;

	if (pc_pending_read(ifname, &p))
		return pc_fail(e, 0, NULL,
			       "no load on %s awaits confirmation (it was confirmed, rolled "
			       "back, or loaded without --confirm)",
			       ifname);
	pc_pending_cancel(ifname);
	pc_pins_drop(ifname, ROLLBACK_PREFIX);
	return 0;
}

/* The previous program continues the trial program's totals: for each of its
 * counters, carry = trial total - its own live count (which stood still). */
static int carry_back(const char *ifname, bool egress, struct pc_err *e)
{
	struct pc_load_info li;
	struct pc_totals trial;
	struct pc_rule_info *info = NULL;
	struct pc_count *live = NULL;
	int32_t *map = NULL;
	int cfd = -1, kfd = -1, ifd = -1, lfd = -1, err = -1;
	uint32_t k = 0, n;

	if (pc_totals_read_pinned(ifname, "", egress, &trial, e))
		return -1;
	if ((lfd = pc_pin_open(ifname, ROLLBACK_PREFIX "load_info", e)) < 0 ||
	    (cfd = pc_pin_open(ifname,
			       egress ? ROLLBACK_PREFIX "ecounters" : ROLLBACK_PREFIX "counters",
			       e)) < 0 ||
	    (kfd = pc_pin_open(ifname, egress ? ROLLBACK_PREFIX "ecarry" : ROLLBACK_PREFIX "carry",
			       e)) < 0 ||
	    (ifd = pc_pin_open(ifname, ROLLBACK_PREFIX "rule_info", e)) < 0)
		goto out;
	if (bpf_map_lookup_elem(lfd, &k, &li)) {
		pc_fail(e, errno, NULL, "reading the previous load_info");
		goto out;
	}
	n = PC_CNT_IMPLICIT + li.n_rules;
	info = calloc(li.n_rules + 1, sizeof(*info));
	live = calloc(n, sizeof(*live));
	map = calloc(n, sizeof(*map));
	if (!info || !live || !map) {
		pc_fail(e, ENOMEM, NULL, "carrying counters back");
		goto out;
	}
	for (k = 0; k < li.n_rules; k++)
		if (bpf_map_lookup_elem(ifd, &k, &info[k]))
			memset(&info[k], 0, sizeof(info[k]));
	if (pc_counters_read(cfd, n, live, e))
		goto out;
	pc_carry_match(&trial, info, li.n_rules, map);
	err = pc_carry_write(kfd, &trial, map, n, live, e);
out:
	for (int *fd = (int[]){ cfd, kfd, ifd, lfd }, i = 0; i < 4; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	free(info);
	free(live);
	free(map);
	pc_totals_free(&trial);
	return err;
}

/* The flows the trial wrote speak of its rules: back to the previous generation's,
 * by rule text; flows of rules the previous profile lacks end. */
static int flows_back(const char *ifname, struct pc_err *e)
{
	struct pc_load_info li;
	struct pc_totals trial, prev;
	uint16_t *remap = NULL;
	uint32_t k = 0, kept, dropped;
	int lfd, ffd = -1, err = -1;

	if ((lfd = pc_pin_open(ifname, ROLLBACK_PREFIX "load_info", e)) < 0)
		return -1;
	if (bpf_map_lookup_elem(lfd, &k, &li)) {
		close(lfd);
		return pc_fail(e, errno, NULL, "reading the previous load_info");
	}
	close(lfd);
	if (pc_totals_read_pinned(ifname, "", false, &trial, e))
		return -1;
	if (pc_totals_read_pinned(ifname, ROLLBACK_PREFIX, false, &prev, e)) {
		pc_totals_free(&trial);
		return -1;
	}
	remap = pc_flows_remap(trial.info + PC_CNT_IMPLICIT, trial.n - PC_CNT_IMPLICIT,
			       prev.info + PC_CNT_IMPLICIT, prev.n - PC_CNT_IMPLICIT);
	if (!remap)
		pc_fail(e, ENOMEM, NULL, "mapping the flows' rules back");
	else if ((ffd = pc_pin_open(ifname, "flows", e)) >= 0)
		err = pc_flows_adopt(ffd, li.gen, li.gen + 1, remap, trial.n - PC_CNT_IMPLICIT,
				     NULL, &kept, &dropped, e);
	if (ffd >= 0)
		close(ffd);
	free(remap);
	pc_totals_free(&trial);
	pc_totals_free(&prev);
	return err;
}

/* Swaps the program of the pinned link NAME back to the kept ROLLBACK_PREFIX one. */
static int link_back(const char *ifname, const char *link_name, const char *prog_name,
		     struct pc_err *e)
{
	char prev_name[64];
	int link = -1, cur = -1, prev = -1, err = -1;

	snprintf(prev_name, sizeof(prev_name), ROLLBACK_PREFIX "%s", prog_name);
	if ((link = pc_pin_open(ifname, link_name, e)) < 0 ||
	    (cur = pc_pin_open(ifname, prog_name, e)) < 0 ||
	    (prev = pc_pin_open(ifname, prev_name, e)) < 0)
		goto out;
	{
		LIBBPF_OPTS(bpf_link_update_opts, uo, .flags = BPF_F_REPLACE, .old_prog_fd = cur);

		if (bpf_link_update(link, prev, &uo)) {
			pc_fail(e, errno, NULL,
				"bpf_link_update of %s back to the previous program", link_name);
			goto out;
		}
	}
	err = 0;
out:
	for (int *fd = (int[]){ link, cur, prev }, i = 0; i < 3; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	return err;
}

/* The egress hook back to the previous program: the tcx link, or the clsact filter
 * replaced in place. */
static int egress_back(const char *ifname, struct pc_err *e)
{
	struct pc_load_info li;
	uint32_t k = 0;
	int fd = pc_pin_open(ifname, "load_info", e), prev, err;

	if (fd < 0)
		return -1;
	err = bpf_map_lookup_elem(fd, &k, &li);
	close(fd);
	if (err)
		return pc_fail(e, errno, NULL, "reading load_info of %s", ifname);
	if (li.egress_hook != PC_HOOK_CLSACT)
		return link_back(ifname, PC_PIN_ELINK, PC_PIN_EPROG, e);
	if ((prev = pc_pin_open(ifname, ROLLBACK_PREFIX PC_PIN_EPROG, e)) < 0)
		return -1;
	err = pc_egress_swap(ifname, if_nametoindex(ifname), PC_HOOK_CLSACT, -1, prev, -1, e);
	close(prev);
	return err;
}

static int restore_previous(const char *ifname, struct pc_err *e)
{
	/* The previous program of a load from before the egress hook has none. */
	bool egress = pc_pin_exists(ifname, ROLLBACK_PREFIX PC_PIN_EPROG);
	int err;

	if (egress && egress_back(ifname, e))
		return -1;
	if (link_back(ifname, PC_PIN_LINK, PC_PIN_PROG, e))
		return -1;
	/* As on a reload: let the trial programs finish before reading their counts. */
	syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0);
	err = carry_back(ifname, false, e);
	if (!err && egress)
		err = carry_back(ifname, true, e);
	if (!err && egress)
		err = flows_back(ifname, e);
	if (pc_pins_move(ifname, ROLLBACK_PREFIX, "", e))
		err = -1;
	return err;
}

int pc_rollback(const char *ifname, bool replaced, struct pc_err *e)
{
	int err = replaced ? restore_previous(ifname, e) : pc_detach(ifname, e);

	pending_remove(ifname);
	return err;
}

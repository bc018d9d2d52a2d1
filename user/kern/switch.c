// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Switching an interface from one generation to another with one commit point, and
 * recovering a switch that a crash interrupted (the protocol is in switch.h). */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <linux/membarrier.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "kern/carry.h"
#include "kern/confirm.h"
#include "kern/egress.h"
#include "kern/flow_table.h"
#include "kern/pins.h"
#include "kern/program.h"
#include "kern/switch.h"
#include "portcullis.h"

int pc_switch_begin(const struct pc_iface *i, const char *gname, struct pc_err *e)
{
	return pc_pin_symlink(i->dir, PC_PIN_NEXT, gname, e);
}

/* Points the pinned link NAME at gdir's program PROG unless it runs it already. */
static int link_to(const struct pc_iface *i, const char *name, const char *gdir, const char *prog,
		   struct pc_err *e)
{
	int link, fd, err = 0;

	if (pc_pin_prog_id(i->dir, name) == pc_pin_prog_id(gdir, prog))
		return 0;
	if ((link = pc_pin_open(i->dir, name, e)) < 0)
		return -1;
	if ((fd = pc_pin_open(gdir, prog, e)) < 0) {
		close(link);
		return -1;
	}
	if (bpf_link_update(link, fd, NULL))
		err = pc_fail(e, errno, NULL, "bpf_link_update of %s/%s to %s/%s", i->dir, name,
			      gdir, prog);
	close(fd);
	close(link);
	return err;
}

static int egress_to(const struct pc_iface *i, const char *gdir, enum pc_egress_hook hook,
		     struct pc_err *e)
{
	int fd, err;

	if (hook != PC_HOOK_CLSACT)
		return link_to(i, PC_PIN_ELINK, gdir, PC_PIN_EPROG, e);
	if (pc_egress_clsact_prog(i->ifindex) == pc_pin_prog_id(gdir, PC_PIN_EPROG))
		return 0;
	if ((fd = pc_pin_open(gdir, PC_PIN_EPROG, e)) < 0)
		return -1;
	err = pc_egress_swap(i->name, i->ifindex, PC_HOOK_CLSACT, -1, fd, -1, e);
	close(fd);
	return err;
}

int pc_switch_links(const struct pc_iface *i, const char *gdir, struct pc_err *e)
{
	struct pc_load_info li;

	if (pc_gen_load_info(gdir, &li, e) || egress_to(i, gdir, li.egress_hook, e))
		return -1;
	return link_to(i, PC_PIN_LINK, gdir, PC_PIN_PROG, e);
}

/* --- Counters and flows continue ---------------------------------------------------- */

/* to's carry makes its totals continue from's: for each counter of `to` with a
 * counterpart in `from` (same rule text, or the same implicit outcome), carry = from's
 * total, less to's own live count when that stood still during from's time (back). */
static int carry_side(const char *from, const char *to, bool egress, bool back,
		      const struct pc_totals *new_t, struct pc_err *e)
{
	struct pc_totals old;
	struct pc_count *live = NULL;
	int32_t *map = NULL;
	int cfd = -1, kfd = -1, err = -1;

	if (pc_totals_read_pinned(from, egress, &old, e))
		return -1;
	map = calloc(new_t->n + 1, sizeof(*map));
	live = calloc(new_t->n + 1, sizeof(*live));
	if (!map || !live) {
		pc_fail(e, ENOMEM, NULL, "carrying counters over");
		goto out;
	}
	pc_carry_match(&old, new_t->info + PC_CNT_IMPLICIT, new_t->n - PC_CNT_IMPLICIT, map);
	if ((cfd = pc_pin_open(to, egress ? PC_PIN_ECOUNTERS : PC_PIN_COUNTERS, e)) < 0 ||
	    (kfd = pc_pin_open(to, egress ? PC_PIN_ECARRY : PC_PIN_CARRY, e)) < 0)
		goto out;
	if (back && pc_counters_read(cfd, new_t->n, live, e))
		goto out;
	err = pc_carry_write(kfd, &old, map, new_t->n, back ? live : NULL, e);
out:
	if (cfd >= 0)
		close(cfd);
	if (kfd >= 0)
		close(kfd);
	free(map);
	free(live);
	pc_totals_free(&old);
	return err;
}

/* Every flow speaks of `to`'s rules: the same rule text, judged again by img, or gone. */
static int flows_move(const char *from, const char *to, const struct pc_totals *old_t,
		      const struct pc_totals *new_t, const struct pc_image *img, uint32_t *kept,
		      uint32_t *dropped, struct pc_err *e)
{
	struct pc_load_info lf, lt;
	uint16_t *remap;
	int fd, err;

	if (pc_gen_load_info(from, &lf, e) || pc_gen_load_info(to, &lt, e))
		return -1;
	remap = pc_flows_remap(old_t->info + PC_CNT_IMPLICIT, old_t->n - PC_CNT_IMPLICIT,
			       new_t->info + PC_CNT_IMPLICIT, new_t->n - PC_CNT_IMPLICIT);
	if (!remap)
		return pc_fail(e, ENOMEM, NULL, "mapping the flows' rules");
	fd = pc_pin_open(to, PC_PIN_FLOWS, e);
	err = fd < 0 ? -1
		     : pc_flows_adopt(fd, lt.gen, lf.gen, remap, old_t->n - PC_CNT_IMPLICIT, img,
				      kept, dropped, e);
	if (fd >= 0)
		close(fd);
	free(remap);
	return err;
}

static int continue_from(const char *from, const char *to, bool back, const struct pc_image *img,
			 uint32_t *kept, uint32_t *dropped, struct pc_err *e)
{
	struct pc_totals old_t, new_t;
	int err;

	if (pc_totals_read_pinned(to, false, &new_t, e))
		return -1;
	err = carry_side(from, to, false, back, &new_t, e);
	if (!err)
		err = carry_side(from, to, true, back, &new_t, e);
	if (!err && !(err = pc_totals_read_pinned(from, false, &old_t, e))) {
		err = flows_move(from, to, &old_t, &new_t, img, kept, dropped, e);
		pc_totals_free(&old_t);
	}
	pc_totals_free(&new_t);
	return err;
}

int pc_switch_finish(const struct pc_iface *i, const char *from, const char *to, bool back,
		     const struct pc_image *img, uint32_t *flows_kept, uint32_t *flows_dropped,
		     struct pc_err *e)
{
	char next[PATH_MAX], cur[PATH_MAX];
	uint32_t kept = 0, dropped = 0;
	int err = 0;

	/* Programs still running on another CPU finish within an RCU grace period:
	 * wait for them, so that their last counts are in the totals carried. */
	syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0);
	if (from)
		err = continue_from(from, to, back, img, &kept, &dropped, e);
	if (flows_kept)
		*flows_kept = kept;
	if (flows_dropped)
		*flows_dropped = dropped;
	/* The new programs run: their generation must become the reported one even
	 * when carrying counters failed. */
	pc_pin_path(next, sizeof(next), i->dir, PC_PIN_NEXT);
	pc_pin_path(cur, sizeof(cur), i->dir, PC_PIN_CURRENT);
	if (rename(next, cur)) {
		struct pc_err ignore;

		return pc_fail(err ? &ignore : e, errno, NULL, "committing: renaming %s to %s",
			       next, cur);
	}
	return err;
}

/* --- Undo and recovery ------------------------------------------------------------- */

/* A first load that did not commit: detach the egress hook it attached (what runs
 * there is its own program, or the hook is not ours) and the XDP link if pinned. */
static void detach_new(const struct pc_iface *i, const char *to)
{
	struct pc_load_info li;
	struct pc_err ignore;
	char path[PATH_MAX];
	uint32_t eprog = pc_pin_prog_id(to, PC_PIN_EPROG);
	int fd;

	if (!pc_gen_load_info(to, &li, &ignore) && li.egress_hook == PC_HOOK_CLSACT && eprog &&
	    pc_egress_clsact_prog(i->ifindex) == eprog)
		pc_egress_detach(i->name, i->ifindex, PC_HOOK_CLSACT, -1, &ignore);
	for (const char *const *n = (const char *const[]){ PC_PIN_LINK, PC_PIN_ELINK, NULL }; *n;
	     n++) {
		if ((fd = pc_pin_open(i->dir, *n, &ignore)) < 0)
			continue;
		bpf_link_detach(fd);
		close(fd);
		pc_pin_path(path, sizeof(path), i->dir, *n);
		unlink(path);
	}
}

void pc_switch_abort(const struct pc_iface *i, const char *from, const char *to, bool keep_to)
{
	struct pc_err ignore;
	char path[PATH_MAX];

	if (from)
		pc_switch_links(i, from, &ignore);
	else
		detach_new(i, to);
	pc_pin_path(path, sizeof(path), i->dir, PC_PIN_NEXT);
	unlink(path);
	if (!keep_to)
		pc_pins_remove_dir(to);
}

/* The switch to `to` restores what the current generation's pending confirmation
 * keeps: a rollback. */
static bool is_rollback(const char *cur, const char *to_name)
{
	struct pc_pending p;

	return cur[0] && !pc_pending_read(cur, &p) && !strcmp(p.prev, to_name);
}

int pc_switch_recover(const struct pc_iface *i, struct pc_err *e)
{
	char tname[NAME_MAX], to[PATH_MAX], cur[PATH_MAX];
	uint32_t running, target;
	bool back;

	if (pc_pin_readlink(i->dir, PC_PIN_NEXT, tname, sizeof(tname)))
		return 0;
	pc_gen_path(to, sizeof(to), i, tname);
	pc_gen_current(i, cur, sizeof(cur));
	back = is_rollback(cur, tname);
	running = pc_pin_prog_id(i->dir, PC_PIN_LINK);
	target = pc_pin_prog_id(to, PC_PIN_PROG);
	if (running && running == target) {
		/* The NIC runs the new generation: finish the switch. */
		if (pc_switch_links(i, to, e))
			return -1;
		if (pc_switch_finish(i, cur[0] ? cur : NULL, to, back, NULL, NULL, NULL, e))
			return -1;
		/* A rollback's trial generation is done with. */
		if (back)
			pc_pins_remove_dir(cur);
		return 0;
	}
	pc_switch_abort(i, cur[0] ? cur : NULL, to, back);
	return 0;
}

/* Generations something refers to: current, next, and what current's pending
 * confirmation would restore. */
static bool gen_in_use(const struct pc_iface *i, const char *name)
{
	char cur[NAME_MAX], next[NAME_MAX], curdir[PATH_MAX];
	struct pc_pending p;

	if (!pc_pin_readlink(i->dir, PC_PIN_CURRENT, cur, sizeof(cur)) && !strcmp(cur, name))
		return true;
	if (!pc_pin_readlink(i->dir, PC_PIN_NEXT, next, sizeof(next)) && !strcmp(next, name))
		return true;
	return !pc_gen_current(i, curdir, sizeof(curdir)) && !pc_pending_read(curdir, &p) &&
	       !strcmp(p.prev, name);
}

void pc_switch_sweep(const struct pc_iface *i)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(i->dir);

	while (d && (de = readdir(d))) {
		size_t n = strlen(de->d_name);

		pc_pin_path(path, sizeof(path), i->dir, de->d_name);
		/* pc_pin_symlink's temporary names, left by a crash. */
		if (n > 4 && !strcmp(de->d_name + n - 4, "-new")) {
			unlink(path);
			continue;
		}
		if (de->d_type != DT_DIR || strncmp(de->d_name, PC_PIN_GEN_PREFIX, 1) ||
		    gen_in_use(i, de->d_name))
			continue;
		pc_pins_remove_dir(path);
	}
	if (d)
		closedir(d);
}

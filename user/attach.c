// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Pinned bpf_link attach, atomic replace with counter carry-over, and unload.
 *
 * Order matters for "nothing half-applied": the new program is loaded and its maps
 * are filled and pinned under temporary names first; only then is the link created
 * or updated, which is the single step that changes what the NIC runs. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <linux/if_link.h>
#include <linux/membarrier.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "attach.h"
#include "carry.h"
#include "egress.h"
#include "flows.h"
#include "pins.h"
#include "program.h"
#include "rule_text.h"

struct staged {
	const char *ifname;
	const struct pc_profile *p;
	const struct pc_image *img;
	struct portcullis *skel;
	bool keep_old;	       /* a load awaiting confirmation keeps the old pins for rollback */
	struct pc_lineage lin; /* generation, rule remap, shared flow table */
	uint16_t *remap;
	unsigned ifindex;
	enum pc_egress_hook hook; /* asked for, then in use */
};

static int pin_one(const char *ifname, const char *name, int fd, struct pc_err *e)
{
	char path[PATH_MAX];

	if (pc_pin_path(path, sizeof(path), ifname, name))
		return pc_usage(e, "interface name '%s' is too long", ifname);
	unlink(path); /* a leftover of an interrupted load */
	if (bpf_obj_pin(fd, path))
		return pc_fail(e, errno, "is bpffs mounted read-write on /sys/fs/bpf?",
			       "pinning %s", path);
	return 0;
}

/* Every map and the program, under STAGE_PREFIX names. */
static int stage_pins(struct staged *st, struct pc_err *e)
{
	char name[NAME_MAX];
	struct bpf_map *map;

	bpf_object__for_each_map (map, st->skel->obj) {
		if (bpf_map__is_internal(map))
			continue;
		snprintf(name, sizeof(name), STAGE_PREFIX "%s", bpf_map__name(map));
		if (pin_one(st->ifname, name, bpf_map__fd(map), e))
			return -1;
	}
	if (pin_one(st->ifname, STAGE_PREFIX PC_PIN_EPROG,
		    bpf_program__fd(st->skel->progs.portcullis_egress), e))
		return -1;
	return pin_one(st->ifname, STAGE_PREFIX PC_PIN_PROG,
		       bpf_program__fd(st->skel->progs.portcullis_xdp), e);
}

static int make_pin_dir(const char *ifname, struct pc_err *e)
{
	char dir[PATH_MAX];

	if (mkdir(PC_PIN_ROOT, 0700) && errno != EEXIST)
		return pc_fail(e, errno, NULL, "creating %s", PC_PIN_ROOT);
	if (pc_pin_path(dir, sizeof(dir), ifname, NULL))
		return pc_usage(e, "interface name '%s' is too long", ifname);
	if (mkdir(dir, 0700) && errno != EEXIST)
		return pc_fail(e, errno, NULL, "creating %s", dir);
	return 0;
}

static int write_load_info(const struct staged *st, const char *profile_path, uint32_t mode,
			   struct pc_err *e)
{
	struct pc_load_info li = { .loaded_at = (uint64_t)time(NULL),
				   .n_rules = st->img->n_rules,
				   .mode = mode,
				   .gen = st->lin.gen,
				   .egress_hook = st->hook };
	const struct pc_profile *p = st->p;
	struct portcullis *s = st->skel;
	char *abs = realpath(profile_path, NULL);
	uint32_t k = 0;

	pc_load_info_set_options(&li, &p->opt);
	li.features = pc_program_features(s);
	snprintf(li.profile, sizeof(li.profile), "%s", abs ? abs : profile_path);
	free(abs);
	if (bpf_map_update_elem(bpf_map__fd(s->maps.load_info), &k, &li, 0))
		return pc_fail(e, errno, NULL, "bpf_map_update_elem on load_info");
	return 0;
}

/* --- Counter carry-over on replace ----------------------------------------------- */

/* The new program continues the old one's counters for rules with the same text and
 * for the implicit outcomes; what matches nothing is the reload's change. */
static int carry_egress(const char *ifname, struct portcullis *s, const int32_t *map,
			uint32_t n_new, struct pc_err *e)
{
	struct pc_totals old;
	int err;

	if (pc_totals_read_pinned(ifname, "", true, &old, e))
		return -1;
	err = pc_carry_write(bpf_map__fd(s->maps.ecarry), &old, map, n_new, NULL, e);
	pc_totals_free(&old);
	return err;
}

/* The file names the removed rules refer to, for the reload's report. */
static int read_old_files(const char *ifname, struct pc_attach_result *res, struct pc_err *e)
{
	int fd = pc_pin_open(ifname, "files", e), err;

	if (fd < 0)
		return -1;
	err = pc_files_read(fd, &res->old_files, &res->n_old_files, e);
	close(fd);
	return err;
}

static int carry_over(const char *ifname, struct portcullis *s, const struct pc_image *img,
		      struct pc_attach_result *res, struct pc_err *e)
{
	uint32_t n_new = PC_CNT_IMPLICIT + img->n_rules;
	struct pc_totals old;
	int32_t *map;
	bool *used;
	int err = 0;

	if (pc_totals_read_pinned(ifname, "", false, &old, e))
		return -1;
	map = calloc(n_new, sizeof(*map));
	used = calloc(old.n + 1, sizeof(*used));
	res->added = calloc(img->n_rules + 1, sizeof(*res->added));
	res->removed = calloc(old.n + 1, sizeof(*res->removed));
	res->removed_count = calloc(old.n + 1, sizeof(*res->removed_count));
	if (!map || !used || !res->added || !res->removed || !res->removed_count) {
		err = pc_fail(e, ENOMEM, NULL, "carrying counters over");
		goto out;
	}
	pc_carry_match(&old, img->info, img->n_rules, map);
	err = pc_carry_write(bpf_map__fd(s->maps.carry), &old, map, n_new, NULL, e);
	/* A program from before the egress hook has no egress counters to carry. */
	if (!err && pc_pin_exists(ifname, "ecounters"))
		err = carry_egress(ifname, s, map, n_new, e);
	for (uint32_t k = PC_CNT_IMPLICIT; k < n_new; k++) {
		if (map[k] < 0)
			res->added[res->n_added++] = k - PC_CNT_IMPLICIT;
		else
			used[map[k]] = true, res->carried_rules++;
	}
	for (uint32_t k = PC_CNT_IMPLICIT; k < old.n; k++) {
		if (used[k])
			continue;
		res->removed[res->n_removed] = old.info[k];
		res->removed_count[res->n_removed++] = old.count[k];
	}
	if (!err && res->n_removed)
		err = read_old_files(ifname, res, e);
out:
	free(map);
	free(used);
	pc_totals_free(&old);
	return err;
}

void pc_attach_result_free(struct pc_attach_result *res)
{
	free(res->added);
	free(res->removed);
	free(res->removed_count);
	free(res->old_files);
	res->added = NULL;
	res->removed = NULL;
	res->removed_count = NULL;
	res->old_files = NULL;
}

/* --- Attach ------------------------------------------------------------------------ */

static int read_load_info(const char *ifname, struct pc_load_info *li)
{
	struct pc_err ignore;
	uint32_t k = 0;
	int fd = pc_pin_open(ifname, "load_info", &ignore), err;

	if (fd < 0)
		return -1;
	err = bpf_map_lookup_elem(fd, &k, li);
	close(fd);
	return err;
}

/* The pinned link still drives this very interface? An interface that was deleted
 * (and maybe re-created under the same name) leaves a defunct link behind. */
static bool link_is_live(int link_fd, unsigned ifindex)
{
	struct bpf_link_info li = {};
	uint32_t len = sizeof(li);

	if (bpf_obj_get_info_by_fd(link_fd, &li, &len))
		return false;
	return li.type == BPF_LINK_TYPE_XDP && li.xdp.ifindex == ifindex;
}

/* --- The flow table across generations ------------------------------------------ */

/* What the new program continues: the next generation, the rule remap for flows the
 * running one wrote, and its flow table when the size is unchanged (a resized table
 * is a new map, filled from the old one before the swap). */
static int lineage_prepare(struct staged *st, const struct pc_load_info *old, int *old_flows,
			   struct pc_err *e)
{
	struct pc_totals prev;
	struct pc_err ignore;
	struct bpf_map_info mi = {};
	uint32_t len = sizeof(mi);
	int fd;

	st->lin.gen = old->gen + 1;
	st->lin.gen_prev = old->gen;
	if (pc_totals_read_pinned(st->ifname, "", false, &prev, e))
		return -1;
	st->remap = pc_flows_remap(prev.info + PC_CNT_IMPLICIT, prev.n - PC_CNT_IMPLICIT,
				   st->img->info, st->img->n_rules);
	pc_totals_free(&prev);
	if (!st->remap)
		return pc_fail(e, ENOMEM, NULL, "mapping the flows' rules");
	st->lin.remap = st->remap;
	st->lin.n_remap = old->n_rules;
	fd = pc_pin_open(st->ifname, "flows", &ignore);
	if (fd < 0)
		return 0; /* a program from before the flow table */
	if (!bpf_obj_get_info_by_fd(fd, &mi, &len) && mi.max_entries == st->p->opt.flows_max) {
		st->lin.flows_fd = fd;
		return 0;
	}
	*old_flows = fd;
	return 0;
}

/* A resized table starts with the old one's flows; the LRU keeps the most recent
 * when it shrinks. */
static int flows_copy(int from, int to, struct pc_err *e)
{
	struct pc_flow_key k, *prev = NULL, cur;
	struct pc_flow f;

	while (!bpf_map_get_next_key(from, prev, &k)) {
		cur = k;
		prev = &cur;
		if (bpf_map_lookup_elem(from, &k, &f))
			continue;
		if (bpf_map_update_elem(to, &k, &f, BPF_ANY))
			return pc_fail(e, errno, NULL, "copying flows into the resized table");
	}
	return 0;
}

/* The sessions already open, before the swap: loading must not cut them. */
static int flows_seed(struct staged *st, struct pc_attach_result *res, struct pc_err *e)
{
	if (!st->p->opt.state)
		return 0;
	return pc_flows_seed(bpf_map__fd(st->skel->maps.flows), st->img, st->lin.gen, &res->seed,
			     e);
}

/* After the swap: every flow speaks of the new generation's rules. */
static int flows_adopt(struct staged *st, struct pc_attach_result *res, struct pc_err *e)
{
	return pc_flows_adopt(bpf_map__fd(st->skel->maps.flows), st->lin.gen, st->lin.gen_prev,
			      st->lin.remap, st->lin.n_remap, st->img, &res->flows_kept,
			      &res->flows_dropped, e);
}

/* --- The egress hook ------------------------------------------------------------- */

/* A fresh egress hook: tcx (its link pinned with the staged pins) or clsact. */
static int egress_fresh(struct staged *st, int *link, struct pc_err *e)
{
	int hook = pc_egress_attach(st->ifname, st->ifindex,
				    bpf_program__fd(st->skel->progs.portcullis_egress), st->hook,
				    link, e);

	if (hook < 0)
		return -1;
	st->hook = hook;
	if (*link >= 0 && pin_one(st->ifname, STAGE_PREFIX PC_PIN_ELINK, *link, e)) {
		pc_egress_detach(st->ifname, st->ifindex, st->hook, *link, e);
		return -1;
	}
	return 0;
}

/* The egress side of a replace: the running hook gets the new program, or a program
 * from before the egress hook gets one. *old_eprog (to undo with) and *link are for
 * the caller to close; *created says there was no hook before. */
static int egress_replace(struct staged *st, const struct pc_load_info *old, int *old_eprog,
			  int *link, bool *created, struct pc_err *e)
{
	struct pc_err ignore;

	*old_eprog = pc_pin_open(st->ifname, PC_PIN_EPROG, &ignore);
	*created = old->egress_hook == PC_HOOK_NONE || *old_eprog < 0;
	if (*created)
		return egress_fresh(st, link, e);
	st->hook = old->egress_hook;
	if (st->hook == PC_HOOK_TCX && (*link = pc_pin_open(st->ifname, PC_PIN_ELINK, e)) < 0)
		return -1;
	return pc_egress_swap(st->ifname, st->ifindex, st->hook, *link,
			      bpf_program__fd(st->skel->progs.portcullis_egress), *old_eprog, e);
}

/* Puts the egress side back as it was before a replace that failed later on. */
static void egress_undo(struct staged *st, int link, int old_eprog, bool created)
{
	struct pc_err ignore;

	if (created)
		pc_egress_detach(st->ifname, st->ifindex, st->hook, link, &ignore);
	else
		pc_egress_swap(st->ifname, st->ifindex, st->hook, link, old_eprog,
			       bpf_program__fd(st->skel->progs.portcullis_egress), &ignore);
}

/* --- Replace and fresh attach ---------------------------------------------------- */

static int replace(struct staged *st, const char *profile_path, int link_fd,
		   struct pc_attach_result *res, struct pc_err *e)
{
	struct pc_err ignore;
	int old_prog = pc_pin_open(st->ifname, PC_PIN_PROG, &ignore), err;
	int elink = -1, old_eprog = -1;
	bool created = false;
	LIBBPF_OPTS(bpf_link_update_opts, uo, .flags = old_prog >= 0 ? BPF_F_REPLACE : 0,
		    .old_prog_fd = old_prog >= 0 ? old_prog : 0);

	res->replaced = true;
	res->mode = res->old.mode;
	if (stage_pins(st, e) || flows_seed(st, res, e))
		goto fail;
	/* Egress first: a flow the appliance opens from here on is recorded for the
	 * new generation, which the old ingress ignores only for the moment until
	 * its own swap. */
	if (egress_replace(st, &res->old, &old_eprog, &elink, &created, e))
		goto fail;
	if (write_load_info(st, profile_path, res->mode, e)) {
		egress_undo(st, elink, old_eprog, created);
		goto fail;
	}
	if (bpf_link_update(link_fd, bpf_program__fd(st->skel->progs.portcullis_xdp), &uo)) {
		pc_fail(e, errno,
			errno == EPERM ? "another tool replaced the program; unload and load again"
				       : NULL,
			"bpf_link_update on %s", st->ifname);
		egress_undo(st, elink, old_eprog, created);
		goto fail;
	}
	/* Old programs still running on another CPU finish within an RCU grace
	 * period; wait for them so that their last counts are in the totals we carry. */
	syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0);
	err = carry_over(st->ifname, st->skel, st->img, res, e);
	if (!err)
		err = flows_adopt(st, res, e);
	/* The new programs run now: their pins must replace the old ones even if
	 * carrying counters failed. Awaiting confirmation, the old ones are kept
	 * aside for the rollback. */
	if (st->keep_old && pc_pins_move(st->ifname, "", ROLLBACK_PREFIX, err ? &ignore : e))
		err = -1;
	if (pc_pins_move(st->ifname, STAGE_PREFIX, "", err ? &ignore : e))
		err = -1;
	goto out;
fail:
	err = -1;
	pc_pins_drop(st->ifname, STAGE_PREFIX);
out:
	for (int *fd = (int[]){ old_prog, old_eprog, elink }, i = 0; i < 3; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	return err;
}

static int create_link(struct staged *st, unsigned ifindex, enum pc_mode mode,
		       struct pc_attach_result *res, struct pc_err *e)
{
	int prog = bpf_program__fd(st->skel->progs.portcullis_xdp), fd;
	uint32_t flags = mode == PC_MODE_GENERIC ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
	LIBBPF_OPTS(bpf_link_create_opts, lo, .flags = flags);
	uint32_t other = 0;

	fd = bpf_link_create(prog, ifindex, BPF_XDP, &lo);
	if (fd < 0 && mode == PC_MODE_AUTO && errno != EBUSY && errno != EEXIST) {
		res->native_errno = errno;
		res->fell_back = true;
		flags = XDP_FLAGS_SKB_MODE;
		lo.flags = flags;
		fd = bpf_link_create(prog, ifindex, BPF_XDP, &lo);
	}
	if (fd >= 0) {
		res->mode = flags;
		return fd;
	}
	if ((errno == EBUSY || errno == EEXIST) && !bpf_xdp_query_id(ifindex, 0, &other) && other) {
		char advice[256];

		snprintf(advice, sizeof(advice),
			 "portcullis does not replace a program it did not load: remove it "
			 "with `ip link set dev %s xdp off` (or the tool that loaded it)",
			 st->ifname);
		return pc_fail(e, errno, advice,
			       "attaching XDP to %s (bpf BPF_LINK_CREATE): program id %u is "
			       "already attached",
			       st->ifname, other);
	}
	return pc_fail(e, errno,
		       mode == PC_MODE_NATIVE ? "the driver may lack native XDP: try --mode generic"
					      : NULL,
		       "attaching XDP to %s in %s mode (bpf BPF_LINK_CREATE)", st->ifname,
		       flags == XDP_FLAGS_SKB_MODE ? "generic" : "native");
}

static int attach_fresh(struct staged *st, const char *profile_path, enum pc_mode mode,
			struct pc_attach_result *res, struct pc_err *e)
{
	int link = -1, elink = -1, err = -1;
	bool egress = false;

	if (write_load_info(st, profile_path, 0, e) || stage_pins(st, e) || flows_seed(st, res, e))
		goto out;
	/* Egress first, so that flows opened from now on are recorded before ingress
	 * starts to need them. */
	if (egress_fresh(st, &elink, e))
		goto out;
	egress = true;
	link = create_link(st, st->ifindex, mode, res, e);
	if (link < 0)
		goto out;
	/* Record the mode actually in use before the pins become visible. */
	if (write_load_info(st, profile_path, res->mode, e) ||
	    pin_one(st->ifname, STAGE_PREFIX PC_PIN_LINK, link, e) ||
	    pc_pins_move(st->ifname, STAGE_PREFIX, "", e))
		goto out;
	err = 0;
out:
	if (err) {
		struct pc_err ignore;

		/* Nothing stays attached: no pin and no directory behind either. */
		if (egress)
			pc_egress_detach(st->ifname, st->ifindex, st->hook, elink, &ignore);
		if (link >= 0)
			bpf_link_detach(link);
		pc_pins_remove_all(st->ifname);
	}
	if (link >= 0)
		close(link);
	if (elink >= 0)
		close(elink);
	return err;
}

int pc_attach(const char *ifname, const char *profile_path, const struct pc_attach_opts *o,
	      const struct pc_profile *p, const struct pc_image *img, struct pc_attach_result *res,
	      struct pc_err *e)
{
	struct staged st = { .ifname = ifname,
			     .p = p,
			     .img = img,
			     .keep_old = o->keep_old,
			     .hook = o->egress_hook,
			     .lin = { .gen = 1, .flows_fd = -1 } };
	struct pc_err ignore;
	unsigned ifindex;
	int link = -1, old_flows = -1, err = -1;

	memset(res, 0, sizeof(*res));
	if (pc_ifname_check(ifname, e))
		return -1;
	st.ifindex = ifindex = if_nametoindex(ifname);
	if (!ifindex)
		return pc_fail(e, errno, "list interfaces with `ip link`",
			       "interface %s (if_nametoindex)", ifname);
	if (pc_egress_hook_check(ifname, o->egress_hook, PC_HOOK_NONE, e) || pc_bpffs_ensure(e) ||
	    make_pin_dir(ifname, e))
		return -1;
	if (pc_is_loaded(ifname)) {
		link = pc_pin_open(ifname, PC_PIN_LINK, &ignore);
		if (link >= 0 && !link_is_live(link, ifindex)) {
			close(link);
			link = -1;
			pc_pins_remove_all(ifname);
			if (make_pin_dir(ifname, e))
				return -1;
		}
	}
	if (link >= 0) {
		if (read_load_info(ifname, &res->old))
			memset(&res->old, 0, sizeof(res->old));
		if (pc_egress_hook_check(ifname, o->egress_hook, res->old.egress_hook, e) ||
		    lineage_prepare(&st, &res->old, &old_flows, e))
			goto out;
	}
	if (pc_program_create(p, img, &st.lin, &st.skel, e))
		goto out;
	if (old_flows >= 0 && flows_copy(old_flows, bpf_map__fd(st.skel->maps.flows), e))
		goto out;
	if (link >= 0)
		err = replace(&st, profile_path, link, res, e);
	else
		err = attach_fresh(&st, profile_path, o->mode, res, e);
	res->egress_hook = st.hook;
	if (st.skel)
		res->features = pc_program_features(st.skel);
out:
	for (int *fd = (int[]){ link, old_flows, st.lin.flows_fd }, i = 0; i < 3; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	free(st.remap);
	portcullis__destroy(st.skel);
	return err;
}

/* Detaches the pinned XDP link; one whose interface is gone is already detached. */
static int detach_xdp(const char *ifname, struct pc_err *e)
{
	int link = pc_pin_open(ifname, PC_PIN_LINK, e);

	if (link < 0)
		return -1;
	/* Explicitly: another process may still hold the link open. */
	if (bpf_link_detach(link) && errno != ENOLINK && errno != EINVAL) {
		int err = errno;

		close(link);
		return pc_fail(e, err, NULL, "bpf_link_detach on %s", ifname);
	}
	close(link);
	return 0;
}

/* The egress hook, as load_info names it; a program from before the hook has none. */
static int detach_egress(const char *ifname, struct pc_err *e)
{
	struct pc_load_info li;
	struct pc_err ignore;
	int link, err;

	if (read_load_info(ifname, &li) || li.egress_hook == PC_HOOK_NONE)
		return 0;
	link = pc_pin_open(ifname, PC_PIN_ELINK, &ignore);
	err = pc_egress_detach(ifname, if_nametoindex(ifname), li.egress_hook, link, e);
	if (link >= 0)
		close(link);
	return err;
}

int pc_detach(const char *ifname, struct pc_err *e)
{
	if (pc_ifname_check(ifname, e) || pc_bpffs_ensure(e))
		return -1;
	if (detach_xdp(ifname, e) || detach_egress(ifname, e))
		return -1;
	pc_pins_remove_all(ifname);
	return 0;
}

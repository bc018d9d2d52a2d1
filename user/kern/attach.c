// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Attaching a compiled profile to an interface as a new generation, switched in with
 * one commit point (switch.h), and removing it again.
 *
 * Order matters for "nothing half-applied": the new programs are loaded and their
 * maps filled and pinned in a generation directory of their own first; only then do
 * the links change, which is what changes what the NIC runs; and a failure removes
 * only what this call created. */
#include <errno.h>
#include <limits.h>
#include <linux/if_link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/rule_text.h"
#include "kern/attach.h"
#include "kern/carry.h"
#include "kern/confirm.h"
#include "kern/egress.h"
#include "kern/flow_table.h"
#include "kern/host_record.h"
#include "kern/pins.h"
#include "kern/program.h"
#include "kern/snapshot.h"
#include "kern/switch.h"
#include "portcullis.skel.h"

struct staged {
	const struct pc_iface *i;
	const struct pc_profile *p;
	const struct pc_image *img;
	const uint8_t *sha256; /* the profile text's, for load_info */
	struct portcullis *skel;
	struct pc_lineage lin; /* generation, rule remap, shared flow table */
	uint16_t *remap;
	enum pc_egress_hook hook; /* asked for, then in use */
	char cur[PATH_MAX];	  /* the running generation, "" on a first load */
	char gdir[PATH_MAX];	  /* the new one */
};

/* Every map and both programs, in the new generation's directory. */
static int stage_pins(struct staged *st, struct pc_err *e)
{
	struct bpf_map *map;

	if (mkdir(st->gdir, 0700))
		return pc_fail(e, errno, NULL, "creating %s", st->gdir);
	bpf_object__for_each_map (map, st->skel->obj) {
		if (bpf_map__is_internal(map))
			continue;
		if (pc_pin(st->gdir, bpf_map__name(map), bpf_map__fd(map), e))
			return -1;
	}
	if (pc_pin(st->gdir, PC_PIN_EPROG, bpf_program__fd(st->skel->progs.portcullis_egress), e))
		return -1;
	return pc_pin(st->gdir, PC_PIN_PROG, bpf_program__fd(st->skel->progs.portcullis_xdp), e);
}

static int write_load_info(const struct staged *st, const char *profile_path, uint32_t mode,
			   struct pc_err *e)
{
	struct pc_load_info li = { .loaded_at = (uint64_t)time(NULL),
				   .n_rules = st->img->n_rules,
				   .mode = mode,
				   .gen = st->lin.gen,
				   .egress_hook = st->hook };
	struct portcullis *s = st->skel;
	char *abs = realpath(profile_path, NULL);
	uint32_t k = 0;

	pc_load_info_set_options(&li, &st->p->opt);
	li.features = pc_program_features(s);
	memcpy(li.profile_sha256, st->sha256, sizeof(li.profile_sha256));
	snprintf(li.profile, sizeof(li.profile), "%s", abs ? abs : profile_path);
	free(abs);
	if (bpf_map_update_elem(bpf_map__fd(s->maps.load_info), &k, &li, 0))
		return pc_fail(e, errno, NULL, "bpf_map_update_elem on load_info");
	return 0;
}

/* --- What a reload changed, for its report ------------------------------------------ */

static int read_old_files(const char *gdir, struct pc_attach_result *res, struct pc_err *e)
{
	int fd = pc_pin_open(gdir, PC_PIN_FILES, e), err;

	if (fd < 0)
		return -1;
	err = pc_files_read(fd, &res->old_files, &res->n_old_files, e);
	close(fd);
	return err;
}

/* Rules kept (same text: counters carried over), added, and removed with what they
 * had counted. */
static int diff_rules(const char *old_gdir, const struct pc_image *img,
		      struct pc_attach_result *res, struct pc_err *e)
{
	uint32_t n_new = PC_CNT_IMPLICIT + img->n_rules;
	struct pc_totals old;
	int32_t *map;
	bool *used;
	int err = 0;

	if (pc_totals_read_pinned(old_gdir, false, &old, e))
		return -1;
	map = calloc(n_new, sizeof(*map));
	used = calloc(old.n + 1, sizeof(*used));
	res->added = calloc(img->n_rules + 1, sizeof(*res->added));
	res->removed = calloc(old.n + 1, sizeof(*res->removed));
	res->removed_count = calloc(old.n + 1, sizeof(*res->removed_count));
	if (!map || !used || !res->added || !res->removed || !res->removed_count) {
		err = pc_fail(e, ENOMEM, NULL, "comparing the rules");
		goto out;
	}
	pc_carry_match(&old, img->info, img->n_rules, map);
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
	if (res->n_removed)
		err = read_old_files(old_gdir, res, e);
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

/* --- The flow table across generations ------------------------------------------ */

/* What the new program continues: the next generation, the rule remap for flows the
 * running one wrote, and its flow table when the size is unchanged (a resized table
 * is a new map, filled from the old one before the switch). */
static int lineage_prepare(struct staged *st, const struct pc_load_info *old, int *old_flows,
			   struct pc_err *e)
{
	struct pc_totals prev;
	struct bpf_map_info mi = {};
	uint32_t len = sizeof(mi);
	int fd;

	st->lin.gen = old->gen + 1;
	st->lin.gen_prev = old->gen;
	if (pc_totals_read_pinned(st->cur, false, &prev, e))
		return -1;
	st->remap = pc_flows_remap(prev.info + PC_CNT_IMPLICIT, prev.n - PC_CNT_IMPLICIT,
				   st->img->info, st->img->n_rules);
	pc_totals_free(&prev);
	if (!st->remap)
		return pc_fail(e, ENOMEM, NULL, "mapping the flows' rules");
	st->lin.remap = st->remap;
	st->lin.n_remap = old->n_rules;
	if ((fd = pc_pin_open(st->cur, PC_PIN_FLOWS, e)) < 0)
		return -1;
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

/* The sessions already open, before the switch: loading must not cut them. */
static int flows_seed(struct staged *st, struct pc_attach_result *res, struct pc_err *e)
{
	if (!st->p->opt.state)
		return 0;
	return pc_flows_seed(bpf_map__fd(st->skel->maps.flows), st->img, st->lin.gen, &res->seed,
			     e);
}

/* --- First load: create the links ------------------------------------------------ */

/* A fresh egress hook: tcx (its link pinned beside the generations) or clsact. */
static int egress_fresh(struct staged *st, struct pc_err *e)
{
	int link, hook;

	hook = pc_egress_attach(st->i->name, st->i->ifindex,
				bpf_program__fd(st->skel->progs.portcullis_egress), st->hook, &link,
				e);
	if (hook < 0)
		return -1;
	st->hook = hook;
	if (link < 0)
		return 0;
	/* Unpinned, the link (and the hook) would end with this process. */
	if (pc_pin(st->i->dir, PC_PIN_ELINK, link, e)) {
		struct pc_err ignore;

		pc_egress_detach(st->i->name, st->i->ifindex, st->hook, link, &ignore);
		close(link);
		return -1;
	}
	close(link);
	return 0;
}

static int create_link(struct staged *st, enum pc_mode mode, struct pc_attach_result *res,
		       struct pc_err *e)
{
	int prog = bpf_program__fd(st->skel->progs.portcullis_xdp), fd;
	uint32_t flags = mode == PC_MODE_GENERIC ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
	LIBBPF_OPTS(bpf_link_create_opts, lo, .flags = flags);
	const char *ifname = st->i->name;
	uint32_t other = 0;

	fd = bpf_link_create(prog, st->i->ifindex, BPF_XDP, &lo);
	if (fd < 0 && mode == PC_MODE_AUTO && errno != EBUSY && errno != EEXIST) {
		res->native_errno = errno;
		res->fell_back = true;
		flags = XDP_FLAGS_SKB_MODE;
		lo.flags = flags;
		fd = bpf_link_create(prog, st->i->ifindex, BPF_XDP, &lo);
	}
	if (fd >= 0) {
		res->mode = flags;
		return fd;
	}
	if ((errno == EBUSY || errno == EEXIST) && !bpf_xdp_query_id(st->i->ifindex, 0, &other) &&
	    other) {
		char advice[256];

		snprintf(advice, sizeof(advice),
			 "portcullis does not replace a program it did not load: remove it "
			 "with `ip link set dev %s xdp off` (or the tool that loaded it)",
			 ifname);
		return pc_fail(e, errno, advice,
			       "attaching XDP to %s (bpf BPF_LINK_CREATE): program id %u is "
			       "already attached",
			       ifname, other);
	}
	return pc_fail(e, errno,
		       mode == PC_MODE_NATIVE ? "the driver may lack native XDP: try --mode generic"
					      : NULL,
		       "attaching XDP to %s in %s mode (bpf BPF_LINK_CREATE)", ifname,
		       flags == XDP_FLAGS_SKB_MODE ? "generic" : "native");
}

/* Egress first, so that flows opened from now on are recorded before ingress starts
 * to need them; the mode actually in use is recorded before the commit. */
static int links_fresh(struct staged *st, const char *profile_path, enum pc_mode mode,
		       struct pc_attach_result *res, struct pc_err *e)
{
	int link, err;

	if (egress_fresh(st, e) || (link = create_link(st, mode, res, e)) < 0)
		return -1;
	err = write_load_info(st, profile_path, res->mode, e);
	if (!err)
		err = pc_pin(st->i->dir, PC_PIN_LINK, link, e);
	/* Unpinned, the link detaches when this fd closes. */
	close(link);
	return err;
}

/* --- Attach ------------------------------------------------------------------------ */

static int prepare(struct staged *st, const struct pc_attach_opts *o, struct pc_attach_result *res,
		   struct pc_err *e)
{
	int old_flows = -1, err = 0;

	if (!st->cur[0] && pc_egress_hook_check(st->i->name, o->egress_hook, PC_HOOK_NONE, e))
		goto out;
	if (st->cur[0]) {
		if (pc_gen_load_info(st->cur, &res->old, e) ||
		    pc_egress_hook_check(st->i->name, o->egress_hook, res->old.egress_hook, e) ||
		    lineage_prepare(st, &res->old, &old_flows, e))
			goto out;
		res->replaced = true;
		res->mode = res->old.mode;
		st->hook = res->old.egress_hook;
	}
	if (pc_program_create(st->p, st->img, &st->lin, &st->skel, e))
		goto out;
	if (old_flows >= 0 && flows_copy(old_flows, bpf_map__fd(st->skel->maps.flows), e))
		goto out;
	pc_gen_name(res->gen, sizeof(res->gen), st->lin.gen);
	pc_gen_path(st->gdir, sizeof(st->gdir), st->i, res->gen);
	/* A leftover of a build that died before its switch began: nothing runs it. */
	pc_pins_remove_dir(st->gdir);
	goto done;
out:
	err = -1;
done:
	if (old_flows >= 0)
		close(old_flows);
	return err;
}

/* The new generation, complete: maps, programs, the host names' record (refresh),
 * open sessions, and with --confirm the pending record, which the commit makes
 * visible with everything else. */
static int build(struct staged *st, const char *profile_path, const struct pc_attach_opts *o,
		 struct pc_attach_result *res, struct pc_err *e)
{
	if (write_load_info(st, profile_path, res->mode, e) || stage_pins(st, e) ||
	    pc_host_record_write(st->gdir, st->p, e) || flows_seed(st, res, e))
		return -1;
	if (o->confirm_secs) {
		struct pc_pending pend = { .deadline = (uint64_t)time(NULL) + o->confirm_secs };

		if (st->cur[0])
			snprintf(pend.prev, sizeof(pend.prev), "%s", strrchr(st->cur, '/') + 1);
		if (pc_pending_write(st->gdir, &pend, e))
			return -1;
	}
	return 0;
}

static int switch_in(struct staged *st, const char *profile_path, const struct pc_attach_opts *o,
		     struct pc_attach_result *res, struct pc_err *e)
{
	const char *from = st->cur[0] ? st->cur : NULL;

	if (pc_switch_begin(st->i, res->gen, e))
		return -1;
	if (from ? pc_switch_links(st->i, st->gdir, e)
		 : links_fresh(st, profile_path, o->mode, res, e)) {
		pc_switch_abort(st->i, from, st->gdir, false);
		return -1;
	}
	if (pc_switch_finish(st->i, from, st->gdir, false, st->img, &res->flows_kept,
			     &res->flows_dropped, e))
		return -1;
	if (!from)
		return 0;
	/* Committed: the report's failure is no load failure. */
	if (diff_rules(from, st->img, res, e))
		fprintf(stderr, "portcullis: warning: %s\n", e->msg);
	if (!o->confirm_secs)
		pc_pins_remove_dir(from);
	return 0;
}

int pc_attach(const struct pc_iface *i, const char *profile_path, const struct pc_attach_opts *o,
	      const struct pc_profile *p, const struct pc_image *img, struct pc_attach_result *res,
	      struct pc_err *e)
{
	struct staged st = { .i = i,
			     .p = p,
			     .img = img,
			     .sha256 = o->profile_sha256,
			     .hook = o->egress_hook,
			     .lin = { .gen = 1, .flows_fd = -1 } };
	int err = -1;

	memset(res, 0, sizeof(*res));
	if (i->vanished)
		return pc_fail(e, ENODEV, NULL, "interface %s", i->name);
	pc_gen_current(i, st.cur, sizeof(st.cur));
	if (prepare(&st, o, res, e))
		goto out;
	if (build(&st, profile_path, o, res, e)) {
		pc_pins_remove_dir(st.gdir);
		goto out;
	}
	err = switch_in(&st, profile_path, o, res, e);
	res->egress_hook = st.hook;
	res->features = pc_program_features(st.skel);
out:
	if (st.lin.flows_fd >= 0)
		close(st.lin.flows_fd);
	free(st.remap);
	portcullis__destroy(st.skel);
	return err;
}

/* --- Unload -------------------------------------------------------------------------- */

/* Detaches a pinned link explicitly: another process may still hold it open. One
 * whose interface is gone is detached already. */
static int detach_link(const struct pc_iface *i, const char *name, struct pc_err *e)
{
	struct pc_err ignore;
	int fd = pc_pin_open(i->dir, name, &ignore), err = 0;

	if (fd < 0)
		return 0;
	if (bpf_link_detach(fd) && errno != ENOLINK && errno != EINVAL)
		err = pc_fail(e, errno, NULL, "bpf_link_detach of %s/%s", i->dir, name);
	close(fd);
	return err;
}

int pc_detach(const struct pc_iface *i, struct pc_err *e)
{
	char cur[PATH_MAX];
	struct pc_load_info li;
	struct pc_err ignore;

	if (detach_link(i, PC_PIN_LINK, e) || detach_link(i, PC_PIN_ELINK, e))
		return -1;
	if (!i->vanished && !pc_gen_current(i, cur, sizeof(cur)) &&
	    !pc_gen_load_info(cur, &li, &ignore) && li.egress_hook == PC_HOOK_CLSACT &&
	    pc_egress_detach(i->name, i->ifindex, PC_HOOK_CLSACT, -1, e))
		return -1;
	pc_pins_remove_dir(i->dir);
	return 0;
}

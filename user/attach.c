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
#include "pins.h"
#include "program.h"

struct staged {
	const char *ifname;
	const struct pc_profile *p;
	struct portcullis *skel;
	bool keep_old; /* a load awaiting confirmation keeps the old pins for rollback */
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

static int write_load_info(struct portcullis *s, const char *profile_path,
			   const struct pc_profile *p, const struct pc_image *img, uint32_t mode,
			   struct pc_err *e)
{
	struct pc_load_info li = { .loaded_at = (uint64_t)time(NULL),
				   .n_rules = img->n_rules,
				   .mode = mode };
	char *abs = realpath(profile_path, NULL);
	uint32_t k = 0;

	pc_load_info_set_options(&li, &p->opt);
	snprintf(li.profile, sizeof(li.profile), "%s", abs ? abs : profile_path);
	free(abs);
	if (bpf_map_update_elem(bpf_map__fd(s->maps.load_info), &k, &li, 0))
		return pc_fail(e, errno, NULL, "bpf_map_update_elem on load_info");
	return 0;
}

/* --- Counter carry-over on replace ----------------------------------------------- */

/* The new program continues the old one's counters for rules with the same text and
 * for the implicit outcomes; what matches nothing is the reload's change. */
static int carry_over(const char *ifname, struct portcullis *s, const struct pc_image *img,
		      struct pc_attach_result *res, struct pc_err *e)
{
	uint32_t n_new = PC_CNT_IMPLICIT + img->n_rules;
	struct pc_totals old;
	int32_t *map;
	bool *used;
	int err = 0;

	if (pc_totals_read_pinned(ifname, "", &old, e))
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
	res->added = NULL;
	res->removed = NULL;
	res->removed_count = NULL;
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

static int replace(struct staged *st, const char *profile_path,
		   const struct pc_image *img, int link_fd, struct pc_attach_result *res,
		   struct pc_err *e)
{
	struct pc_err ignore;
	int old_prog = pc_pin_open(st->ifname, PC_PIN_PROG, &ignore), err;
	LIBBPF_OPTS(bpf_link_update_opts, uo, .flags = old_prog >= 0 ? BPF_F_REPLACE : 0,
		    .old_prog_fd = old_prog >= 0 ? old_prog : 0);

	res->replaced = true;
	if (read_load_info(st->ifname, &res->old))
		memset(&res->old, 0, sizeof(res->old));
	res->mode = res->old.mode;
	if (write_load_info(st->skel, profile_path, st->p, img, res->mode, e) || stage_pins(st, e))
		goto fail;
	if (bpf_link_update(link_fd, bpf_program__fd(st->skel->progs.portcullis_xdp), &uo)) {
		pc_fail(e, errno,
			errno == EPERM ? "another tool replaced the program; unload and load again"
				       : NULL,
			"bpf_link_update on %s", st->ifname);
		goto fail;
	}
	if (old_prog >= 0)
		close(old_prog);
	/* An old program still running on another CPU finishes within an RCU grace
	 * period; wait for it so that its last counts are in the totals we carry. */
	syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0);
	err = carry_over(st->ifname, st->skel, img, res, e);
	/* The new program runs now: its pins must replace the old ones even if
	 * carrying counters failed. Awaiting confirmation, the old ones are kept
	 * aside for the rollback. */
	if (st->keep_old && pc_pins_move(st->ifname, "", ROLLBACK_PREFIX, err ? &ignore : e))
		err = -1;
	if (pc_pins_move(st->ifname, STAGE_PREFIX, "", err ? &ignore : e))
		return -1;
	return err;
fail:
	if (old_prog >= 0)
		close(old_prog);
	pc_pins_drop(st->ifname, STAGE_PREFIX);
	return -1;
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

static int attach_fresh(struct staged *st, unsigned ifindex, const char *profile_path,
			const struct pc_image *img, enum pc_mode mode, struct pc_attach_result *res,
			struct pc_err *e)
{
	int link;

	if (write_load_info(st->skel, profile_path, st->p, img, 0, e) || stage_pins(st, e))
		goto fail;
	link = create_link(st, ifindex, mode, res, e);
	if (link < 0)
		goto fail;
	/* Record the mode actually in use before the pins become visible. */
	if (write_load_info(st->skel, profile_path, st->p, img, res->mode, e) ||
	    pin_one(st->ifname, STAGE_PREFIX PC_PIN_LINK, link, e)) {
		close(link); /* unpinned and closed: the kernel detaches it */
		goto fail;
	}
	close(link);
	return pc_pins_move(st->ifname, STAGE_PREFIX, "", e);
fail:
	/* Nothing was attached: leave no pin and no directory behind either. */
	pc_pins_remove_all(st->ifname);
	return -1;
}

int pc_attach(const char *ifname, const char *profile_path, enum pc_mode mode, bool keep_old,
	      const struct pc_profile *p, const struct pc_image *img, struct pc_attach_result *res,
	      struct pc_err *e)
{
	struct staged st = { .ifname = ifname, .p = p, .keep_old = keep_old };
	struct pc_err ignore;
	unsigned ifindex;
	int link = -1, err;

	memset(res, 0, sizeof(*res));
	if (pc_ifname_check(ifname, e))
		return -1;
	ifindex = if_nametoindex(ifname);
	if (!ifindex)
		return pc_fail(e, errno, "list interfaces with `ip link`",
			       "interface %s (if_nametoindex)", ifname);
	if (pc_bpffs_ensure(e) || make_pin_dir(ifname, e))
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
	if (pc_program_create(p, img, &st.skel, e)) {
		if (link >= 0)
			close(link);
		return -1;
	}
	if (link >= 0)
		err = replace(&st, profile_path, img, link, res, e);
	else
		err = attach_fresh(&st, ifindex, profile_path, img, mode, res, e);
	if (link >= 0)
		close(link);
	portcullis__destroy(st.skel);
	return err;
}

int pc_detach(const char *ifname, struct pc_err *e)
{
	int link;

	if (pc_ifname_check(ifname, e) || pc_bpffs_ensure(e))
		return -1;
	link = pc_pin_open(ifname, PC_PIN_LINK, e);
	if (link < 0)
		return -1;
	/* Detach explicitly: another process may still hold the link open. A link
	 * whose interface is gone is already detached (ENOLINK). */
	if (bpf_link_detach(link) && errno != ENOLINK && errno != EINVAL) {
		int err = errno;

		close(link);
		return pc_fail(e, err, NULL, "bpf_link_detach on %s", ifname);
	}
	close(link);
	pc_pins_remove_all(ifname);
	return 0;
}

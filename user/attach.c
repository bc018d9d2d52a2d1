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
#include "pins.h"
#include "program.h"

/* bpffs refuses names with a dot. */
#define STAGE_PREFIX "staged-"

struct staged {
	const char *ifname;
	struct portcullis *skel;
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

	bpf_object__for_each_map(map, st->skel->obj) {
		if (bpf_map__is_internal(map))
			continue;
		snprintf(name, sizeof(name), STAGE_PREFIX "%s", bpf_map__name(map));
		if (pin_one(st->ifname, name, bpf_map__fd(map), e))
			return -1;
	}
	return pin_one(st->ifname, STAGE_PREFIX "prog",
		       bpf_program__fd(st->skel->progs.portcullis_xdp), e);
}

/* Removes the staged pins (after a failure) or renames them over the old ones. */
static int finish_pins(const char *ifname, bool commit, struct pc_err *e)
{
	char dir[PATH_MAX], from[PATH_MAX + NAME_MAX + 2], to[PATH_MAX + NAME_MAX + 2];
	struct dirent *de;
	DIR *d;
	int err = 0;

	if (pc_pin_path(dir, sizeof(dir), ifname, NULL))
		return pc_usage(e, "interface name '%s' is too long", ifname);
	d = opendir(dir);
	if (!d)
		return pc_fail(e, errno, NULL, "opening %s", dir);
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, STAGE_PREFIX, strlen(STAGE_PREFIX)))
			continue;
		snprintf(from, sizeof(from), "%s/%s", dir, de->d_name);
		snprintf(to, sizeof(to), "%s/%s", dir, de->d_name + strlen(STAGE_PREFIX));
		if (!commit)
			unlink(from);
		else if (rename(from, to) && !err)
			err = pc_fail(e, errno, NULL, "renaming pin %s to %s", from, to);
	}
	closedir(d);
	return err;
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
			   const struct pc_image *img, uint32_t mode, struct pc_err *e)
{
	struct pc_load_info li = { .loaded_at = (uint64_t)time(NULL),
				   .n_rules = img->n_rules,
				   .mode = mode };
	char *abs = realpath(profile_path, NULL);
	uint32_t k = 0;

	snprintf(li.profile, sizeof(li.profile), "%s", abs ? abs : profile_path);
	free(abs);
	if (bpf_map_update_elem(bpf_map__fd(s->maps.load_info), &k, &li, 0))
		return pc_fail(e, errno, NULL, "bpf_map_update_elem on load_info");
	return 0;
}

/* --- Counter carry-over on replace ----------------------------------------------- */

static bool same_rule(const struct pc_rule_info *a, const struct pc_rule_info *b)
{
	return a->action == b->action && a->direction == b->direction &&
	       !strcmp(a->proto, b->proto) && !strcmp(a->peer, b->peer) &&
	       !strcmp(a->match, b->match) && !strcmp(a->label, b->label);
}

/* The old program's totals (live + what it had carried itself). */
static int read_old_totals(const char *ifname, uint32_t *n_out, struct pc_count **tot,
			   struct pc_rule_info **info, struct pc_err *e)
{
	int cfd = -1, kfd = -1, ifd = -1, err = -1;
	struct bpf_map_info mi = {};
	uint32_t len = sizeof(mi), n;
	struct pc_count c;

	*tot = NULL;
	*info = NULL;
	if ((cfd = pc_pin_open(ifname, "counters", e)) < 0 ||
	    (kfd = pc_pin_open(ifname, "carry", e)) < 0 ||
	    (ifd = pc_pin_open(ifname, "rule_info", e)) < 0)
		goto out;
	if (bpf_obj_get_info_by_fd(cfd, &mi, &len)) {
		pc_fail(e, errno, NULL, "bpf_obj_get_info_by_fd on the old counters");
		goto out;
	}
	n = mi.max_entries;
	*tot = calloc(n, sizeof(**tot));
	*info = calloc(n, sizeof(**info));
	if (!*tot || !*info) {
		pc_fail(e, ENOMEM, NULL, "reading the old counters");
		goto out;
	}
	if (pc_counters_read(cfd, n, *tot, e))
		goto out;
	for (uint32_t k = 0; k < n; k++) {
		uint32_t r = k - PC_CNT_IMPLICIT;

		if (!bpf_map_lookup_elem(kfd, &k, &c)) {
			(*tot)[k].packets += c.packets;
			(*tot)[k].bytes += c.bytes;
		}
		if (k >= PC_CNT_IMPLICIT && bpf_map_lookup_elem(ifd, &r, &(*info)[k]))
			memset(&(*info)[k], 0, sizeof((*info)[k]));
	}
	*n_out = n;
	err = 0;
out:
	if (cfd >= 0)
		close(cfd);
	if (kfd >= 0)
		close(kfd);
	if (ifd >= 0)
		close(ifd);
	return err;
}

/* Implicit counters always carry over; a rule's counters carry over to the new rule
 * with the same text (the k-th duplicate to the k-th duplicate). */
static int carry_over(const char *ifname, struct portcullis *s, const struct pc_image *img,
		      uint32_t *carried, struct pc_err *e)
{
	uint32_t n_old = 0, n_new = PC_CNT_IMPLICIT + img->n_rules;
	struct pc_rule_info *old_info;
	struct pc_count *old;
	bool *used;
	int fd = bpf_map__fd(s->maps.carry), err = 0;

	if (read_old_totals(ifname, &n_old, &old, &old_info, e)) {
		free(old);
		free(old_info);
		return -1;
	}
	used = calloc(n_old + 1, sizeof(*used));
	*carried = 0;
	for (uint32_t k = 0; used && k < n_new && !err; k++) {
		uint32_t from = k;

		if (k >= PC_CNT_IMPLICIT) {
			for (from = PC_CNT_IMPLICIT; from < n_old; from++)
				if (!used[from] && same_rule(&old_info[from],
							     &img->info[k - PC_CNT_IMPLICIT]))
					break;
			if (from >= n_old)
				continue;
			(*carried)++;
		}
		if (from >= n_old)
			continue;
		used[from] = true;
		if (bpf_map_update_elem(fd, &k, &old[from], 0))
			err = pc_fail(e, errno, NULL, "bpf_map_update_elem on carry");
	}
	if (!used)
		err = pc_fail(e, ENOMEM, NULL, "carrying counters over");
	free(used);
	free(old);
	free(old_info);
	return err;
}

/* --- Attach ------------------------------------------------------------------------ */

static int old_mode(const char *ifname, uint32_t *mode)
{
	struct pc_load_info li;
	struct pc_err ignore;
	uint32_t k = 0;
	int fd = pc_pin_open(ifname, "load_info", &ignore);

	if (fd < 0)
		return -1;
	if (bpf_map_lookup_elem(fd, &k, &li)) {
		close(fd);
		return -1;
	}
	close(fd);
	*mode = li.mode;
	return 0;
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

static int replace(struct staged *st, unsigned ifindex, const char *profile_path,
		   const struct pc_image *img, int link_fd, struct pc_attach_result *res,
		   struct pc_err *e)
{
	struct pc_err ignore;
	int old_prog = pc_pin_open(st->ifname, "prog", &ignore), err;
	LIBBPF_OPTS(bpf_link_update_opts, uo, .flags = old_prog >= 0 ? BPF_F_REPLACE : 0,
		    .old_prog_fd = old_prog >= 0 ? old_prog : 0);

	(void)ifindex;
	res->replaced = true;
	if (old_mode(st->ifname, &res->mode))
		res->mode = 0;
	if (write_load_info(st->skel, profile_path, img, res->mode, e) || stage_pins(st, e))
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
	err = carry_over(st->ifname, st->skel, img, &res->carried_rules, e);
	/* The new program runs now: its pins must replace the old ones even if
	 * carrying counters failed. */
	if (finish_pins(st->ifname, true, err ? &ignore : e))
		return -1;
	return err;
fail:
	if (old_prog >= 0)
		close(old_prog);
	finish_pins(st->ifname, false, &ignore);
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
	if ((errno == EBUSY || errno == EEXIST) && !bpf_xdp_query_id(ifindex, 0, &other) &&
	    other) {
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
		       mode == PC_MODE_NATIVE
			       ? "the driver may lack native XDP: try --mode generic"
			       : NULL,
		       "attaching XDP to %s in %s mode (bpf BPF_LINK_CREATE)", st->ifname,
		       flags == XDP_FLAGS_SKB_MODE ? "generic" : "native");
}

static int attach_fresh(struct staged *st, unsigned ifindex, const char *profile_path,
			const struct pc_image *img, enum pc_mode mode,
			struct pc_attach_result *res, struct pc_err *e)
{
	struct pc_err ignore;
	int link;

	if (write_load_info(st->skel, profile_path, img, 0, e) || stage_pins(st, e))
		goto fail;
	link = create_link(st, ifindex, mode, res, e);
	if (link < 0)
		goto fail;
	/* Record the mode actually in use before the pins become visible. */
	if (write_load_info(st->skel, profile_path, img, res->mode, e) ||
	    pin_one(st->ifname, STAGE_PREFIX PC_PIN_LINK, link, e)) {
		close(link); /* unpinned and closed: the kernel detaches it */
		goto fail;
	}
	close(link);
	return finish_pins(st->ifname, true, e);
fail:
	finish_pins(st->ifname, false, &ignore);
	return -1;
}

/* Removes the pins of a link whose interface is gone, so a fresh attach can start. */
static void remove_pins(const char *ifname)
{
	char dir[PATH_MAX], path[PATH_MAX + NAME_MAX + 2];
	struct dirent *de;
	DIR *d;

	if (pc_pin_path(dir, sizeof(dir), ifname, NULL) || !(d = opendir(dir)))
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' &&
		    (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

int pc_attach(const char *ifname, const char *profile_path, enum pc_mode mode,
	      const struct pc_profile *p, const struct pc_image *img,
	      struct pc_attach_result *res, struct pc_err *e)
{
	struct staged st = { .ifname = ifname };
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
			remove_pins(ifname);
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
		err = replace(&st, ifindex, profile_path, img, link, res, e);
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
	remove_pins(ifname);
	return 0;
}

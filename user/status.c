// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Describes each pinned interface from its pins alone: load_info, the link's state,
 * the program and the size of its maps. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include "confirm.h"
#include "egress.h"
#include "json.h"
#include "mapmem.h"
#include "pins.h"
#include "kernel_features.h"
#include "portcullis.h"
#include "status.h"

struct iface_status {
	struct pc_load_info load;
	bool attached; /* the link still drives an existing interface */
	uint32_t prog_id;
	uint32_t link_id;
	uint64_t map_bytes;
	uint64_t flow_bytes;	 /* of map_bytes, the flow table's: sized by `set flows` */
	uint32_t egress_link_id; /* 0: no egress hook (a load from before it) */
	uint32_t flows;		 /* entries in the flow table, live or not */
	bool pending;		 /* a load awaits confirmation */
	bool pending_replaced;
	long long confirm_left; /* seconds */
};

/* Every map pinned for IFACE (the list follows bpf/maps.h by itself); the flow
 * table's share apart, since its size is `set flows`, not the profile's. */
static void map_bytes(const char *ifname, struct iface_status *st)
{
	char dir[PATH_MAX];
	struct pc_err ignore;
	struct dirent *de;
	DIR *d;

	if (pc_pin_path(dir, sizeof(dir), ifname, NULL) || !(d = opendir(dir)))
		return;
	while ((de = readdir(d))) {
		struct bpf_map_info mi = {};
		uint32_t len = sizeof(mi);
		int fd;

		if (!pc_pin_is_map(de->d_name) ||
		    (fd = pc_pin_open(ifname, de->d_name, &ignore)) < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &mi, &len)) {
			uint64_t bytes = pc_map_kernel_bytes(fd, &mi);

			st->map_bytes += bytes;
			if (!strcmp(de->d_name, "flows"))
				st->flow_bytes = bytes;
		}
		close(fd);
	}
	closedir(d);
}

/* A load awaiting confirmation, and how long it has left. */
static void read_pending(const char *ifname, struct iface_status *st)
{
	struct pc_pending p;

	if (pc_pending_read(ifname, &p))
		return;
	st->pending = true;
	st->pending_replaced = p.replaced;
	st->confirm_left = (long long)p.deadline - (long long)time(NULL);
	if (st->confirm_left < 0)
		st->confirm_left = 0;
}

/* The egress hook's link and the number of entries in the flow table. */
static void read_egress(const char *ifname, struct iface_status *st)
{
	struct bpf_link_info li = {};
	uint32_t len = sizeof(li);
	struct pc_flow_key k, *prev = NULL, cur;
	struct pc_err ignore;
	int fd = pc_pin_open(ifname, PC_PIN_ELINK, &ignore);

	if (fd >= 0) {
		if (!bpf_obj_get_info_by_fd(fd, &li, &len))
			st->egress_link_id = li.id;
		close(fd);
	}
	/* clsact has no link: the program id of our filter stands for it. */
	if (st->load.egress_hook == PC_HOOK_CLSACT)
		st->egress_link_id = pc_egress_clsact_prog(if_nametoindex(ifname));
	fd = pc_pin_open(ifname, "flows", &ignore);
	if (fd < 0)
		return;
	while (!bpf_map_get_next_key(fd, prev, &k)) {
		cur = k;
		prev = &cur;
		st->flows++;
	}
	close(fd);
}

static const char *egress_hook(const struct iface_status *st)
{
	return st->egress_link_id ? pc_egress_hook_name(st->load.egress_hook) : "none";
}

static int read_status(const char *ifname, struct iface_status *st, struct pc_err *e)
{
	struct bpf_link_info li = {};
	uint32_t len = sizeof(li), k = 0;
	int fd;

	memset(st, 0, sizeof(*st));
	fd = pc_pin_open(ifname, "load_info", e);
	if (fd < 0)
		return -1;
	if (bpf_map_lookup_elem(fd, &k, &st->load)) {
		close(fd);
		return pc_fail(e, errno, NULL, "reading load_info of %s", ifname);
	}
	close(fd);
	fd = pc_pin_open(ifname, PC_PIN_LINK, e);
	if (fd < 0)
		return -1;
	if (!bpf_obj_get_info_by_fd(fd, &li, &len)) {
		char name[IF_NAMESIZE];

		st->link_id = li.id;
		st->prog_id = li.prog_id;
		st->attached = li.xdp.ifindex && if_indextoname(li.xdp.ifindex, name) &&
			       !strcmp(name, ifname);
	}
	close(fd);
	read_egress(ifname, st);
	map_bytes(ifname, st);
	read_pending(ifname, st);
	return 0;
}

static void print_one(const char *ifname, const struct iface_status *st, bool json, bool first,
		      FILE *out)
{
	const char *mode = st->load.mode == XDP_FLAGS_SKB_MODE ? "generic" : "native";
	time_t t = (time_t)st->load.loaded_at;
	char when[64];

	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime(&t));
	if (!json) {
		fprintf(out, "%s: %s\n  profile %s\n  %u rules, %s mode, loaded %s\n", ifname,
			st->attached ? "attached" : "DETACHED (interface gone; run unload)",
			st->load.profile, st->load.n_rules, mode, when);
		fprintf(out,
			"  program id %u, link id %u, maps %.1f KiB (%.1f KiB of it the flow "
			"table)\n",
			st->prog_id, st->link_id, st->map_bytes / 1024.0, st->flow_bytes / 1024.0);
		fprintf(out, "  egress hook %s (%s id %u), egress %s, state %s, %u of %u flows\n",
			egress_hook(st),
			st->load.egress_hook == PC_HOOK_CLSACT ? "program" : "link",
			st->egress_link_id, st->load.egress_enforce ? "enforce" : "open",
			st->load.state ? "on" : "off", st->flows, st->load.flows_max);
		pc_features_line(out, "  ", st->load.features);
		if (st->pending)
			fprintf(out,
				"  AWAITING CONFIRMATION: run `portcullis confirm %s` within %lld "
				"s, "
				"or %s\n",
				ifname, st->confirm_left,
				st->pending_replaced ? "the previous profile comes back"
						     : "it unloads");
		return;
	}
	fprintf(out, "%s{\"interface\": ", first ? "" : ", ");
	pc_json_str(out, ifname);
	fprintf(out, ", \"attached\": %s, \"profile\": ", st->attached ? "true" : "false");
	pc_json_str(out, st->load.profile);
	fprintf(out,
		", \"rules\": %u, \"mode\": \"%s\", \"loaded_at\": %llu, \"prog_id\": %u, "
		"\"link_id\": %u, \"map_bytes\": %llu, \"flow_bytes\": %llu, \"confirm_in\": %lld, "
		"\"egress_hook\": \"%s\", \"egress\": \"%s\", \"state\": \"%s\", "
		"\"flows\": %u, \"flows_max\": %u, ",
		st->load.n_rules, mode, (unsigned long long)st->load.loaded_at, st->prog_id,
		st->link_id, (unsigned long long)st->map_bytes, (unsigned long long)st->flow_bytes,
		st->pending ? st->confirm_left : -1LL, egress_hook(st),
		st->load.egress_enforce ? "enforce" : "open", st->load.state ? "on" : "off",
		st->flows, st->load.flows_max);
	pc_features_json(out, st->load.features);
	fputc('}', out);
}

int pc_status_print(const char *ifname, bool json, FILE *out, struct pc_err *e)
{
	struct iface_status st;
	struct dirent *de;
	bool first = true;
	DIR *d;

	if (pc_bpffs_ensure(e))
		return -1;
	if (ifname) {
		if (pc_ifname_check(ifname, e) || read_status(ifname, &st, e))
			return -1;
		print_one(ifname, &st, json, true, out);
		fputs(json ? "\n" : "", out);
		return 0;
	}
	d = opendir(PC_PIN_ROOT);
	/* Nothing pinned yet is "not loaded"; a directory we may not read is not. */
	if (!d && errno != ENOENT)
		return pc_fail(e, errno, errno == EACCES ? "run as root" : NULL, "reading %s",
			       PC_PIN_ROOT);
	if (json)
		fputs("[", out);
	while (d && (de = readdir(d))) {
		struct pc_err skip;

		if (de->d_name[0] == '.' || !pc_is_loaded(de->d_name) ||
		    read_status(de->d_name, &st, &skip))
			continue;
		print_one(de->d_name, &st, json, first, out);
		first = false;
	}
	if (d)
		closedir(d);
	if (json)
		fputs("]\n", out);
	else if (first)
		fputs("portcullis is not loaded on any interface\n", out);
	return 0;
}

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

#include "core/json.h"
#include "kern/confirm.h"
#include "kern/egress.h"
#include "kern/footprint.h"
#include "kern/kernel_features.h"
#include "kern/pins.h"
#include "kern/state.h"
#include "observe/status.h"
#include "portcullis.h"

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
	bool own;		/* in the namespace this command runs in */
	char netns[64];		/* "net:[4026531840]", as ls -l /proc/PID/ns/net says */
	char gdir[PATH_MAX];	/* the generation read */
};

/* The maps' size and the flow table's entries (kern/footprint.h). */
static void footprint(struct iface_status *st)
{
	struct pc_footprint f;
	struct pc_err ignore;

	if (pc_footprint_read(st->gdir, &f, &ignore))
		return;
	st->map_bytes = f.map_bytes;
	st->flow_bytes = f.flow_bytes;
	st->flows = f.flows;
}

/* A load awaiting confirmation, and how long it has left. */
static void read_pending(struct iface_status *st)
{
	struct pc_pending p;

	if (pc_pending_read(st->gdir, &p))
		return;
	st->pending = true;
	st->pending_replaced = p.prev[0];
	st->confirm_left = (long long)p.deadline - (long long)time(NULL);
	if (st->confirm_left < 0)
		st->confirm_left = 0;
}

/* The egress hook's link. */
static void read_egress(const struct pc_iface *i, struct iface_status *st)
{
	struct bpf_link_info li = {};
	uint32_t len = sizeof(li);
	struct pc_err ignore;
	int fd = pc_pin_open(i->dir, PC_PIN_ELINK, &ignore);

	if (fd >= 0) {
		if (!bpf_obj_get_info_by_fd(fd, &li, &len))
			st->egress_link_id = li.id;
		close(fd);
	}
	/* clsact has no link: the program id of our filter stands for it. */
	if (st->load.egress_hook == PC_HOOK_CLSACT && st->own)
		st->egress_link_id = pc_egress_clsact_prog(i->ifindex);
}

static const char *egress_hook(const struct iface_status *st)
{
	return st->egress_link_id ? pc_egress_hook_name(st->load.egress_hook) : "none";
}

/* One generation's view, opened through its directory: a reload that commits while
 * we read removes it, and then we read the new one instead. */
static int read_gen(const struct pc_iface *i, struct iface_status *st, struct pc_err *e)
{
	struct bpf_link_info li = {};
	uint32_t len = sizeof(li);
	int fd;

	if (pc_gen_load_info(st->gdir, &st->load, e))
		return -1;
	fd = pc_pin_open(i->dir, PC_PIN_LINK, e);
	if (fd < 0)
		return -1;
	if (!bpf_obj_get_info_by_fd(fd, &li, &len)) {
		st->link_id = li.id;
		st->prog_id = li.prog_id;
		/* A link whose interface was deleted reports ifindex 0. */
		st->attached = li.xdp.ifindex == i->ifindex && (!st->own || !i->vanished);
	}
	close(fd);
	read_egress(i, st);
	footprint(st);
	read_pending(st);
	return 0;
}

static int read_status(const struct pc_iface *i, bool own, struct iface_status *st,
		       struct pc_err *e)
{
	char now[PATH_MAX];

	memset(st, 0, sizeof(*st));
	st->own = own;
	if (pc_pin_readlink(i->dir, PC_PIN_NETNS, st->netns, sizeof(st->netns)))
		snprintf(st->netns, sizeof(st->netns), "?");
	for (int tries = 0;; tries++) {
		if (pc_gen_current(i, st->gdir, sizeof(st->gdir)))
			return pc_fail(e, 0, NULL,
				       "portcullis is not loaded on %s; load a profile with "
				       "`portcullis load %s PROFILE`",
				       i->name, i->name);
		if (!read_gen(i, st, e))
			return 0;
		if (tries == 50 || pc_gen_current(i, now, sizeof(now)) || !strcmp(now, st->gdir))
			return -1;
	}
}

/* What the first line says about the link: never advice that would touch another
 * namespace's interface. */
static const char *attachment(const struct iface_status *st)
{
	if (st->attached)
		return "attached";
	return st->own ? "DETACHED (interface gone; run `portcullis unload` with its name)"
		       : "DETACHED (interface gone, in another network namespace)";
}

static void print_text(const struct pc_iface *i, const struct iface_status *st, bool all, FILE *out)
{
	const char *mode = st->load.mode == XDP_FLAGS_SKB_MODE ? "generic" : "native";
	time_t t = (time_t)st->load.loaded_at;
	char when[64];

	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime(&t));
	if (all)
		fprintf(out, "%s (ifindex %u, namespace %s%s): %s\n", i->name, i->ifindex,
			st->netns, st->own ? ", this one" : "", attachment(st));
	else
		fprintf(out, "%s: %s\n", i->name, attachment(st));
	fprintf(out, "  profile %s\n  %u rules, %s mode, loaded %s\n", st->load.profile,
		st->load.n_rules, mode, when);
	fprintf(out, "  program id %u, link id %u, maps %.1f KiB (%.1f KiB of it the flow table)\n",
		st->prog_id, st->link_id, st->map_bytes / 1024.0, st->flow_bytes / 1024.0);
	fprintf(out, "  egress hook %s (%s id %u), egress %s, state %s, %u of %u flows\n",
		egress_hook(st), st->load.egress_hook == PC_HOOK_CLSACT ? "program" : "link",
		st->egress_link_id, st->load.egress_enforce ? "enforce" : "open",
		st->load.state ? "on" : "off", st->flows, st->load.flows_max);
	pc_features_line(out, "  ", st->load.features);
	fprintf(out, "  pins %s\n", st->gdir);
	if (st->pending && st->own)
		fprintf(out,
			"  AWAITING CONFIRMATION: run `portcullis confirm %s` within %lld s, or "
			"%s\n",
			i->name, st->confirm_left,
			st->pending_replaced ? "the previous profile comes back" : "it unloads");
	else if (st->pending)
		fprintf(out, "  awaiting confirmation in its namespace, %lld s left\n",
			st->confirm_left);
}

static struct json_object *status_json(const struct pc_iface *i, const struct iface_status *st)
{
	struct json_object *o = json_object_new_object();

	pc_json_add_str(o, "interface", i->name);
	pc_json_add_u64(o, "ifindex", i->ifindex);
	pc_json_add_str(o, "netns", st->netns);
	pc_json_add_u64(o, "netns_cookie", i->netns);
	pc_json_add_bool(o, "this_netns", st->own);
	pc_json_add_str(o, "pins", st->gdir);
	pc_json_add_bool(o, "attached", st->attached);
	pc_json_add_str(o, "profile", st->load.profile);
	pc_json_add_u64(o, "rules", st->load.n_rules);
	pc_json_add_str(o, "xdp_mode", st->load.mode == XDP_FLAGS_SKB_MODE ? "generic" : "native");
	pc_json_add(o, "loaded_at", pc_json_time((long long)st->load.loaded_at * 1000000000LL));
	pc_json_add_u64(o, "prog_id", st->prog_id);
	pc_json_add_u64(o, "link_id", st->link_id);
	pc_json_add_u64(o, "map_bytes", st->map_bytes);
	pc_json_add_u64(o, "flow_bytes", st->flow_bytes);
	pc_json_add(o, "confirm_left_s",
		    st->pending ? json_object_new_int64(st->confirm_left) : NULL);
	pc_json_add_str(o, "egress_hook",
			st->egress_link_id ? pc_egress_hook_name(st->load.egress_hook) : NULL);
	pc_json_add_u64(o, "egress_link_id", st->egress_link_id);
	pc_json_add_str(o, "egress_policy", st->load.egress_enforce ? "enforce" : "open");
	pc_json_add_bool(o, "state_tracking", st->load.state);
	pc_json_add_u64(o, "flows", st->flows);
	pc_json_add_u64(o, "flows_max", st->load.flows_max);
	pc_json_add(o, "kernel_features", pc_features_json(st->load.features));
	return o;
}

/* An entry of PC_PIN_ROOT as an interface: this namespace's by its current name,
 * another's by the name recorded with it. */
static bool iface_of_entry(const char *entry, uint64_t self, bool all, struct pc_iface *i)
{
	char name[IF_NAMESIZE];

	memset(i, 0, sizeof(*i));
	if (!pc_iface_dir_parse(entry, &i->netns, &i->ifindex) || (!all && i->netns != self))
		return false;
	snprintf(i->dir, sizeof(i->dir), "%s/%s", PC_PIN_ROOT, entry);
	if (pc_pin_readlink(i->dir, PC_PIN_NAME, name, sizeof(name)))
		snprintf(name, sizeof(name), "?");
	if (i->netns != self || !if_indextoname(i->ifindex, i->name)) {
		memcpy(i->name, name, sizeof(i->name));
		i->vanished = i->netns == self;
	}
	return true;
}

/* Reads and prints one interface; counts this namespace's that are gone. */
static void show(struct pc_iface *i, uint64_t self, bool all, struct json_object *list, bool *first,
		 unsigned *gone, FILE *out)
{
	struct iface_status st;
	struct pc_err skip;

	/* Another namespace's state is read, never changed from here. */
	if (i->netns == self)
		pc_settle_if_idle(i);
	if (read_status(i, i->netns == self, &st, &skip))
		return;
	if (list)
		json_object_array_add(list, status_json(i, &st));
	else
		print_text(i, &st, all, out);
	*first = false;
	*gone += !st.attached && st.own;
}

static int gone_error(unsigned gone, struct pc_err *e)
{
	if (!gone)
		return 0;
	return pc_fail(e, 0, NULL,
		       "%u interface%s of this network namespace %s gone while portcullis "
		       "was loaded on %s; `portcullis unload NAME` removes its state",
		       gone, gone == 1 ? "" : "s", gone == 1 ? "is" : "are",
		       gone == 1 ? "it" : "them");
}

int pc_status_print(const char *ifname, bool all, bool json, FILE *out, struct pc_err *e)
{
	struct json_object *list = NULL;
	struct pc_iface i;
	struct dirent *de;
	bool first = true;
	int err;
	unsigned gone = 0;
	uint64_t self;
	DIR *d;

	if (pc_bpffs_ensure(e) || pc_netns_cookie(&self, e))
		return -1;
	if (ifname) {
		struct iface_status st;

		if (pc_iface_resolve(ifname, true, &i, e))
			return -1;
		pc_settle_if_idle(&i);
		if (read_status(&i, true, &st, e))
			return -1;
		if (json)
			list = json_object_new_array();
		if (list)
			json_object_array_add(list, status_json(&i, &st));
		else
			print_text(&i, &st, all, out);
		err = gone_error(!st.attached, e);
		goto print;
	}
	d = opendir(PC_PIN_ROOT);
	/* Nothing pinned yet is "not loaded"; a directory we may not read is not. */
	if (!d && errno != ENOENT)
		return pc_fail(e, errno, errno == EACCES ? PC_ADVICE_PRIV : NULL, "reading %s",
			       PC_PIN_ROOT);
	if (json)
		list = json_object_new_array();
	while (d && (de = readdir(d)))
		if (iface_of_entry(de->d_name, self, all, &i))
			show(&i, self, all, list, &first, &gone, out);
	if (d)
		closedir(d);
	if (!list && first)
		fprintf(out, "portcullis is not loaded on any interface%s\n",
			all ? "" : " of this network namespace");
	err = gone_error(gone, e);
print:
	/* {"interfaces": [...]}: one object, whether IFACE was named or not. */
	if (list) {
		struct json_object *o = json_object_new_object();

		pc_json_add(o, "interfaces", list);
		pc_json_print(out, o);
	}
	return err;
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `portcullis load IFACE PROFILE`: a first load or an atomic reload, what it changed,
 * and with --confirm the rollback timer. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/if_link.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "compile/compile.h"
#include "compile/guard.h"
#include "core/iface.h"
#include "core/json.h"
#include "core/rule_text.h"
#include "kern/attach.h"
#include "kern/confirm.h"
#include "kern/egress.h"
#include "kern/kernel_features.h"
#include "kern/program.h"
#include "kern/state.h"
#include "profile/digest.h"

/* --mode's and --egress-hook's choices, in the order of their tables. */
static const enum pc_mode modes[] = { [LOAD_MODE_NATIVE] = PC_MODE_NATIVE,
				      [LOAD_MODE_GENERIC] = PC_MODE_GENERIC,
				      [LOAD_MODE_SKB] = PC_MODE_GENERIC };
static const enum pc_egress_hook hooks[] = {
	[LOAD_HOOK_TCX] = PC_HOOK_TCX, [LOAD_HOOK_CLSACT] = PC_HOOK_CLSACT
};

static void print_rule_line(char sign, const struct pc_rule_info *r, const char *file)
{
	char text[512];

	printf("  %c %s:%u  %s\n", sign, file, r->line, pc_rule_text(r, text, sizeof(text)));
}

static const char *frag_name(unsigned f)
{
	return f == PC_FRAG_TRACK ? "track" : f == PC_FRAG_PASS ? "pass" : "drop";
}

/* A `set` option a replace changed: its name as the profile writes it, the old value and
 * the new. */
typedef void (*change_fn)(void *ctx, const char *name, const char *old, const char *new);

static const char *onoff(bool on, const char *yes, const char *no)
{
	return on ? yes : no;
}

static void rate_text(unsigned rate, char *buf, size_t n)
{
	if (rate)
		snprintf(buf, n, "%u/s", rate);
	else
		snprintf(buf, n, "off");
}

static void number_change(change_fn fn, void *ctx, const char *name, unsigned old, unsigned new)
{
	char a[16], b[16];

	if (old == new)
		return;
	snprintf(a, sizeof(a), "%u", old);
	snprintf(b, sizeof(b), "%u", new);
	fn(ctx, name, a, b);
}

/* Calls fn for each `set` option whose value differs between o and n. */
static void option_changes(const struct pc_options *o, const struct pc_options *n, change_fn fn,
			   void *ctx)
{
	char a[32], b[32];

	if (o->default_pass != n->default_pass)
		fn(ctx, "default", onoff(o->default_pass, "pass", "drop"),
		   onoff(n->default_pass, "pass", "drop"));
	if (o->state != n->state)
		fn(ctx, "state", onoff(o->state, "on", "off"), onoff(n->state, "on", "off"));
	if (o->non_ip_pass != n->non_ip_pass)
		fn(ctx, "non-ip", onoff(o->non_ip_pass, "pass", "drop"),
		   onoff(n->non_ip_pass, "pass", "drop"));
	if (o->fragments != n->fragments)
		fn(ctx, "fragments", frag_name(o->fragments), frag_name(n->fragments));
	if (o->eph_lo != n->eph_lo || o->eph_hi != n->eph_hi) {
		snprintf(a, sizeof(a), "%u-%u", o->eph_lo, o->eph_hi);
		snprintf(b, sizeof(b), "%u-%u", n->eph_lo, n->eph_hi);
		fn(ctx, "ephemeral", a, b);
	}
	if (o->egress_enforce != n->egress_enforce)
		fn(ctx, "egress", onoff(o->egress_enforce, "enforce", "open"),
		   onoff(n->egress_enforce, "enforce", "open"));
	number_change(fn, ctx, "timeout tcp", o->timeout_tcp, n->timeout_tcp);
	number_change(fn, ctx, "timeout udp", o->timeout_udp, n->timeout_udp);
	number_change(fn, ctx, "timeout icmp", o->timeout_icmp, n->timeout_icmp);
	number_change(fn, ctx, "flows", o->flows_max, n->flows_max);
	if (o->log_rate != n->log_rate) {
		rate_text(o->log_rate, a, sizeof(a));
		rate_text(n->log_rate, b, sizeof(b));
		fn(ctx, "log", a, b);
	}
}

static void print_option_change(void *ctx, const char *name, const char *old, const char *new)
{
	(void)ctx;
	printf("  ~ set %s %s -> %s\n", name, old, new);
}

/* What the operator must know whatever the output: a slower mode, sessions cut. */
static void warn_load(const char *ifname, const struct pc_profile *p,
		      const struct pc_attach_result *res)
{
	const struct pc_seed_report *r = &res->seed;

	if (res->fell_back)
		fprintf(stderr,
			"portcullis: warning: %s refused native XDP (%s); running in generic "
			"mode, which is slower; pass --mode native to fail instead\n",
			ifname, strerror(res->native_errno));
	if (p->opt.state && r->cut)
		fprintf(stderr,
			"portcullis: warning: %u open connection%s no rule allows will be cut: "
			"%s%s\n",
			r->cut, r->cut == 1 ? "" : "s", r->cut_list, r->cut > 4 ? ", ..." : "");
}

/* What happened to the sessions that were open, so that nobody is cut unawares. */
static void report_flows(const struct pc_profile *p, const struct pc_attach_result *res)
{
	const struct pc_seed_report *r = &res->seed;

	if (!p->opt.state)
		return;
	printf("open connections: %u recorded as flows, %u inbound (carried by in rules)\n",
	       r->recorded, r->inbound);
	if (res->replaced && res->flows_dropped)
		printf("flows: %u kept, %u ended (their out rule is gone)\n", res->flows_kept,
		       res->flows_dropped);
}

/* What the load did, and on a replace what changed: the answer to "what did this
 * reload change?" at the moment it happens. */
static void report_load(const char *ifname, const char *path, const struct pc_profile *p,
			const struct pc_image *img, const struct pc_attach_result *res)
{
	struct pc_options old;

	printf("portcullis: loaded %s on %s: %u rule%s, %s mode, egress hook %s, state %s%s\n",
	       path, ifname, img->n_rules, img->n_rules == 1 ? "" : "s",
	       res->mode == XDP_FLAGS_SKB_MODE ? "generic" : "native",
	       pc_egress_hook_name(res->egress_hook), p->opt.state ? "on" : "off",
	       p->opt.egress_enforce ? ", egress enforce" : "");
	pc_features_line(stdout, "", res->features);
	report_flows(p, res);
	if (!res->replaced)
		return;
	printf("replaced the running profile atomically: %u rule%s unchanged (counters carried "
	       "over), %u added, %u removed\n",
	       res->carried_rules, res->carried_rules == 1 ? "" : "s", res->n_added,
	       res->n_removed);
	for (uint32_t i = 0; i < res->n_removed; i++)
		print_rule_line('-', &res->removed[i],
				pc_rule_file(&res->removed[i], res->old_files, res->n_old_files));
	for (uint32_t i = 0; i < res->n_added; i++)
		print_rule_line('+', &img->info[res->added[i]],
				pc_rule_file(&img->info[res->added[i]], img->files, img->n_files));
	pc_load_info_options(&res->old, &old);
	option_changes(&old, &p->opt, print_option_change, NULL);
}

/* --- The same as JSON: one object, the warnings still on stderr -------------------- */

static void json_option_change(void *ctx, const char *name, const char *old, const char *new)
{
	struct json_object *c = json_object_new_object();

	pc_json_add_str(c, "setting", name);
	pc_json_add_str(c, "old", old);
	pc_json_add_str(c, "new", new);
	json_object_array_add(ctx, c);
}

static struct json_object *rule_with_file(const struct pc_rule_info *r, const char *file)
{
	struct json_object *o = pc_rule_json(r);

	pc_json_add(o, "file", pc_json_string_or_null(file));
	return o;
}

/* What a replace changed; NULL (null) for a first load. */
static struct json_object *changes_json(const struct pc_profile *p, const struct pc_image *img,
					const struct pc_attach_result *res)
{
	struct json_object *o, *added, *removed, *settings;
	struct pc_options old;

	if (!res->replaced)
		return NULL;
	o = json_object_new_object();
	added = json_object_new_array();
	removed = json_object_new_array();
	settings = json_object_new_array();
	pc_json_add_u64(o, "rules_unchanged", res->carried_rules);
	for (uint32_t i = 0; i < res->n_added; i++) {
		const struct pc_rule_info *r = &img->info[res->added[i]];

		json_object_array_add(added,
				      rule_with_file(r, pc_rule_file(r, img->files, img->n_files)));
	}
	for (uint32_t i = 0; i < res->n_removed; i++) {
		const struct pc_rule_info *r = &res->removed[i];

		json_object_array_add(removed, rule_with_file(r, pc_rule_file(r, res->old_files,
									      res->n_old_files)));
	}
	pc_json_add(o, "rules_added", added);
	pc_json_add(o, "rules_removed", removed);
	pc_load_info_options(&res->old, &old);
	option_changes(&old, &p->opt, json_option_change, settings);
	pc_json_add(o, "settings", settings);
	pc_json_add_u64(o, "flows_kept", res->flows_kept);
	pc_json_add_u64(o, "flows_ended", res->flows_dropped);
	return o;
}

static struct json_object *connections_json(const struct pc_profile *p,
					    const struct pc_attach_result *res)
{
	struct json_object *o;

	if (!p->opt.state)
		return NULL;
	o = json_object_new_object();
	pc_json_add_u64(o, "recorded", res->seed.recorded);
	pc_json_add_u64(o, "inbound", res->seed.inbound);
	pc_json_add_u64(o, "cut", res->seed.cut);
	return o;
}

static struct json_object *load_json(const char *ifname, const char *path,
				     const struct pc_profile *p, const struct pc_image *img,
				     const struct pc_attach_result *res, unsigned confirm_secs)
{
	struct json_object *o = json_object_new_object(), *confirm = NULL;

	pc_json_add_str(o, "interface", ifname);
	pc_json_add_str(o, "profile", path);
	pc_json_add_u64(o, "rules", img->n_rules);
	pc_json_add_str(o, "xdp_mode", res->mode == XDP_FLAGS_SKB_MODE ? "generic" : "native");
	pc_json_add(o, "native_refused",
		    res->fell_back ? pc_json_string(strerror(res->native_errno)) : NULL);
	pc_json_add_str(o, "egress_hook", pc_egress_hook_name(res->egress_hook));
	pc_json_add_str(o, "egress_policy", p->opt.egress_enforce ? "enforce" : "open");
	pc_json_add_bool(o, "state_tracking", p->opt.state);
	pc_json_add(o, "kernel_features", pc_features_json(res->features));
	pc_json_add(o, "open_connections", connections_json(p, res));
	pc_json_add_bool(o, "replaced", res->replaced);
	pc_json_add(o, "changes", changes_json(p, img, res));
	if (confirm_secs) {
		confirm = json_object_new_object();
		pc_json_add_u64(confirm, "within_s", confirm_secs);
		pc_json_add_str(confirm, "otherwise", res->replaced ? "rollback" : "unload");
	}
	pc_json_add(o, "confirm", confirm);
	return o;
}

/* A load awaiting confirmation owns the rollback state: a second load on top would
 * make "the previous profile" ambiguous. */
static int refuse_pending(const struct pc_iface *i, struct pc_err *e)
{
	char cur[PATH_MAX];
	struct pc_pending pend;
	long left;

	if (pc_gen_current(i, cur, sizeof(cur)) || pc_pending_read(cur, &pend))
		return 0;
	left = (long)pend.deadline - (long)time(NULL);
	return pc_usage(e,
			"the last load on %s awaits confirmation (rolls back in %ld s): run "
			"`portcullis confirm %s` first, or wait for the rollback",
			i->name, left > 0 ? left : 0, i->name);
}

static int arm_confirm(const struct pc_iface *i, long secs, const struct pc_attach_result *res,
		       bool json, struct pc_err *e)
{
	if (pc_confirm_timer_start(i, res->gen, e)) {
		struct pc_err ignore;

		/* Without a timer the load must not stay half-confirmed: undo it now. */
		pc_rollback(i, &ignore);
		return -1;
	}
	if (!json)
		printf("run `portcullis confirm %s` within %ld s, or %s\n", i->name, secs,
		       res->replaced ? "the previous profile comes back"
				     : "portcullis unloads itself");
	return 0;
}

/* Under the interface's lock, settled: attach, report, and with --confirm the timer. */
static int load_locked(struct pc_iface *i, const char *path, const struct pc_attach_opts *ao,
		       const struct pc_profile *p, const struct pc_image *img, bool json,
		       struct pc_err *e)
{
	struct pc_attach_result res = { 0 };
	int lock = pc_iface_lock(i, true, e), err;

	if (lock < 0)
		return -1;
	err = pc_settle(i, e);
	if (!err)
		err = refuse_pending(i, e);
	if (!err)
		err = pc_attach(i, path, ao, p, img, &res, e);
	if (!err)
		warn_load(i->name, p, &res);
	if (!err && !json)
		report_load(i->name, path, p, img, &res);
	if (!err && ao->confirm_secs)
		err = arm_confirm(i, ao->confirm_secs, &res, json, e);
	if (!err && json)
		pc_json_print(stdout, load_json(i->name, path, p, img, &res, ao->confirm_secs));
	pc_iface_unlock(i, lock);
	pc_attach_result_free(&res);
	return err;
}

int pc_cli_load(int argc, char **argv, struct pc_err *e)
{
	struct pc_attach_opts ao = { .mode = PC_MODE_AUTO };
	struct pc_profile p = { 0 };
	struct pc_diags d = { 0 };
	struct pc_image img = { 0 };
	struct pc_opt_value v[PC_OPTS_MAX];
	struct pc_iface iface;
	char keep[128];
	int op, err = pc_opts_parse(&pc_cmd_load, argc, argv, v, &op, e);

	if (err)
		return PC_CLI_DONE(err);
	if (v[LOAD_MODE].set)
		ao.mode = modes[v[LOAD_MODE].num];
	if (v[LOAD_EGRESS_HOOK].set)
		ao.egress_hook = hooks[v[LOAD_EGRESS_HOOK].num];
	ao.confirm_secs = v[LOAD_CONFIRM].num;
	if (argc - op != 2)
		return pc_cli_usage(&pc_cmd_load, e, "expected IFACE and PROFILE");
	if (pc_iface_check(argv[op], PC_IFACE_PRESENT, e))
		return -1;
	snprintf(keep, sizeof(keep), "; nothing was changed on %s", argv[op]);
	err = pc_iface_resolve(argv[op], false, &iface, e);
	if (!err)
		err = pc_cli_build_profile(argv[op + 1], &p, &img, &d, e, keep, false);
	if (!err)
		memcpy(ao.profile_sha256, p.sha256, sizeof(ao.profile_sha256));
	if (!err && !v[LOAD_FORCE].set)
		err = pc_guard_ssh(argv[op], getenv("SSH_CONNECTION"), &p, &img, e);
	if (!err)
		err = load_locked(&iface, argv[op + 1], &ao, &p, &img, v[LOAD_JSON].set, e);
	pc_image_free(&img);
	pc_profile_free(&p);
	pc_diags_free(&d);
	return err;
}

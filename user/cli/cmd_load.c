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

/* The `set` options whose value a replace changed. */
static void print_option_changes(const struct pc_options *o, const struct pc_options *n)
{
	if (o->default_pass != n->default_pass)
		printf("  ~ set default %s -> %s\n", o->default_pass ? "pass" : "drop",
		       n->default_pass ? "pass" : "drop");
	if (o->state != n->state)
		printf("  ~ set state %s -> %s\n", o->state ? "on" : "off",
		       n->state ? "on" : "off");
	if (o->non_ip_pass != n->non_ip_pass)
		printf("  ~ set non-ip %s -> %s\n", o->non_ip_pass ? "pass" : "drop",
		       n->non_ip_pass ? "pass" : "drop");
	if (o->fragments != n->fragments)
		printf("  ~ set fragments %s -> %s\n", frag_name(o->fragments),
		       frag_name(n->fragments));
	if (o->eph_lo != n->eph_lo || o->eph_hi != n->eph_hi)
		printf("  ~ set ephemeral %u-%u -> %u-%u\n", o->eph_lo, o->eph_hi, n->eph_lo,
		       n->eph_hi);
	if (o->egress_enforce != n->egress_enforce)
		printf("  ~ set egress %s -> %s\n", o->egress_enforce ? "enforce" : "open",
		       n->egress_enforce ? "enforce" : "open");
	if (o->timeout_tcp != n->timeout_tcp)
		printf("  ~ set timeout tcp %u -> %u\n", o->timeout_tcp, n->timeout_tcp);
	if (o->timeout_udp != n->timeout_udp)
		printf("  ~ set timeout udp %u -> %u\n", o->timeout_udp, n->timeout_udp);
	if (o->timeout_icmp != n->timeout_icmp)
		printf("  ~ set timeout icmp %u -> %u\n", o->timeout_icmp, n->timeout_icmp);
	if (o->flows_max != n->flows_max)
		printf("  ~ set flows %u -> %u\n", o->flows_max, n->flows_max);
	if (o->log_rate != n->log_rate) {
		char a[16] = "off", b[16] = "off";

		if (o->log_rate)
			snprintf(a, sizeof(a), "%u/s", o->log_rate);
		if (n->log_rate)
			snprintf(b, sizeof(b), "%u/s", n->log_rate);
		printf("  ~ set log %s -> %s\n", a, b);
	}
}

/* What happened to the sessions that were open, so that nobody is cut unawares. */
static void report_flows(const struct pc_profile *p, const struct pc_attach_result *res)
{
	const struct pc_seed_report *r = &res->seed;

	if (!p->opt.state)
		return;
	printf("open connections: %u recorded as flows, %u inbound (carried by in rules)\n",
	       r->recorded, r->inbound);
	if (r->cut)
		fprintf(stderr,
			"portcullis: warning: %u open connection%s no rule allows will be cut: "
			"%s%s\n",
			r->cut, r->cut == 1 ? "" : "s", r->cut_list, r->cut > 4 ? ", ..." : "");
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

	if (res->fell_back)
		fprintf(stderr,
			"portcullis: warning: %s refused native XDP (%s); running in generic "
			"mode, which is slower; pass --mode native to fail instead\n",
			ifname, strerror(res->native_errno));
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
	print_option_changes(&old, &p->opt);
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
		       struct pc_err *e)
{
	if (pc_confirm_timer_start(i, res->gen, e)) {
		struct pc_err ignore;

		/* Without a timer the load must not stay half-confirmed: undo it now. */
		pc_rollback(i, &ignore);
		return -1;
	}
	printf("run `portcullis confirm %s` within %ld s, or %s\n", i->name, secs,
	       res->replaced ? "the previous profile comes back" : "portcullis unloads itself");
	return 0;
}

/* Under the interface's lock, settled: attach, report, and with --confirm the timer. */
static int load_locked(struct pc_iface *i, const char *path, const struct pc_attach_opts *ao,
		       const struct pc_profile *p, const struct pc_image *img, struct pc_err *e)
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
		report_load(i->name, path, p, img, &res);
	if (!err && ao->confirm_secs)
		err = arm_confirm(i, ao->confirm_secs, &res, e);
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
		err = pc_cli_build_profile(argv[op + 1], &p, &img, &d, e, keep);
	if (!err)
		pc_profile_sha256(&d, ao.profile_sha256);
	if (!err && !v[LOAD_FORCE].set)
		err = pc_guard_ssh(argv[op], getenv("SSH_CONNECTION"), &p, &img, e);
	if (!err)
		err = load_locked(&iface, argv[op + 1], &ao, &p, &img, e);
	pc_image_free(&img);
	pc_profile_free(&p);
	pc_diags_free(&d);
	return err;
}

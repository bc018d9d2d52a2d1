// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The portcullis command line: a table of subcommands, their options and exit codes
 * (0 success, 1 runtime failure, 2 usage or profile error). */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/if_link.h>

#include "attach.h"
#include "bench.h"
#include "commands.h"
#include "compile.h"
#include "confirm.h"
#include "doctor.h"
#include "egress.h"
#include "explain.h"
#include "kernel_features.h"
#include "flood.h"
#include "guard.h"
#include "iface.h"
#include "flow_list.h"
#include "log.h"
#include "matrix.h"
#include "mix.h"
#include "pins.h"
#include "program.h"
#include "rule_text.h"
#include "state.h"
#include "stats.h"
#include "status.h"
#include "testbed.h"

struct cmd {
	const struct pc_cmd_spec *spec;
	int (*run)(int argc, char **argv, struct pc_err *e);
};

static const struct cmd *current;

static int usage_error(struct pc_err *e, const char *what)
{
	return pc_opts_usage(current->spec, e, "%s", what);
}

/* The current command's options into v, operands from *op; 1 when --help was printed
 * (the command then returns 0 at once). */
static int options(int argc, char **argv, struct pc_opt_value *v, int *op, struct pc_err *e)
{
	return pc_opts_parse(current->spec, argc, argv, v, op, e);
}

/* A command without options: --help, or exactly n operands. */
static int operands(int argc, char **argv, int n, const char *what, int *op, struct pc_err *e)
{
	struct pc_opt_value v[PC_OPTS_MAX];
	int r = options(argc, argv, v, op, e);

	if (!r && argc - *op != n)
		return usage_error(e, what);
	return r;
}

/* What a command returns after options(): 0 after --help, -1 after an error. */
#define OPTIONS_DONE(r) ((r) == PC_OPTS_HELP ? 0 : -1)

/* Parses, compiles and prints diagnostics; a profile error is exit code 2. */
static int build_profile(const char *path, struct pc_profile *p, struct pc_image *img,
			 struct pc_diags *d, struct pc_err *e, const char *nothing_changed)
{
	int err = pc_profile_parse(path, p, d);

	if (!err)
		err = pc_compile(p, img, d);
	pc_diags_print(d, stderr);
	if (err)
		return pc_usage(e, "%s has %zu error%s%s", path, d->n_errors,
				d->n_errors == 1 ? "" : "s", nothing_changed);
	return 0;
}

static int cmd_check(int argc, char **argv, struct pc_err *e)
{
	struct pc_profile p = { 0 };
	struct pc_diags d = { 0 };
	struct pc_image img = { 0 };
	int err, op, r = operands(argc, argv, 1, "expected one PROFILE", &op, e);

	if (r)
		return OPTIONS_DONE(r);
	err = build_profile(argv[op], &p, &img, &d, e, "");
	if (!err)
		pc_matrix_print(&p, &img, &d, stdout);
	pc_image_free(&img);
	pc_profile_free(&p);
	pc_diags_free(&d);
	return err;
}

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

static int cmd_load(int argc, char **argv, struct pc_err *e)
{
	struct pc_attach_opts ao = { .mode = PC_MODE_AUTO };
	struct pc_profile p = { 0 };
	struct pc_diags d = { 0 };
	struct pc_image img = { 0 };
	struct pc_opt_value v[PC_OPTS_MAX];
	struct pc_iface iface;
	char keep[128];
	int op, err = options(argc, argv, v, &op, e);

	if (err)
		return OPTIONS_DONE(err);
	if (v[LOAD_MODE].set)
		ao.mode = modes[v[LOAD_MODE].num];
	if (v[LOAD_EGRESS_HOOK].set)
		ao.egress_hook = hooks[v[LOAD_EGRESS_HOOK].num];
	ao.confirm_secs = v[LOAD_CONFIRM].num;
	if (argc - op != 2)
		return usage_error(e, "expected IFACE and PROFILE");
	if (pc_iface_check(argv[op], PC_IFACE_PRESENT, e))
		return -1;
	snprintf(keep, sizeof(keep), "; nothing was changed on %s", argv[op]);
	err = pc_iface_resolve(argv[op], false, &iface, e);
	if (!err)
		err = build_profile(argv[op + 1], &p, &img, &d, e, keep);
	if (!err && !v[LOAD_FORCE].set)
		err = pc_guard_ssh(argv[op], getenv("SSH_CONNECTION"), &p, &img, e);
	if (!err)
		err = load_locked(&iface, argv[op + 1], &ao, &p, &img, e);
	pc_image_free(&img);
	pc_profile_free(&p);
	pc_diags_free(&d);
	return err;
}

/* Runs fn on IFACE of this namespace (one that is gone: by its recorded name) under
 * its lock, once settled. An unload removes everything anyway: a settle that fails
 * (a rollback onto an interface that is gone) does not stop it. */
static int locked(const char *ifname, int (*fn)(const struct pc_iface *i, struct pc_err *e),
		  bool settle_may_fail, struct pc_err *e)
{
	struct pc_iface i;
	struct pc_err ignore;
	int lock, err;

	if (pc_iface_resolve(ifname, true, &i, e) || (lock = pc_iface_lock(&i, false, e)) < 0)
		return -1;
	err = pc_settle(&i, settle_may_fail ? &ignore : e) && !settle_may_fail ? -1 : 0;
	if (!err)
		err = fn(&i, e);
	pc_iface_unlock(&i, lock);
	return err;
}

static int unload(const struct pc_iface *i, struct pc_err *e)
{
	char cur[PATH_MAX];

	if (pc_gen_current(i, cur, sizeof(cur)))
		return pc_fail(e, 0, NULL, "portcullis is not loaded on %s", i->name);
	return pc_detach(i, e);
}

static int cmd_unload(int argc, char **argv, struct pc_err *e)
{
	int op, r = operands(argc, argv, 1, "expected IFACE", &op, e);

	if (r)
		return OPTIONS_DONE(r);
	if (pc_iface_check(argv[op], PC_IFACE_MAY_BE_GONE, e) || locked(argv[op], unload, true, e))
		return -1;
	printf("portcullis: unloaded from %s\n", argv[op]);
	return 0;
}

static int cmd_confirm(int argc, char **argv, struct pc_err *e)
{
	int op, r = operands(argc, argv, 1, "expected IFACE", &op, e);

	if (r)
		return OPTIONS_DONE(r);
	if (pc_iface_check(argv[op], PC_IFACE_PRESENT, e) || locked(argv[op], pc_confirm, false, e))
		return -1;
	printf("portcullis: confirmed the profile on %s\n", argv[op]);
	return 0;
}

static int cmd_status(int argc, char **argv, struct pc_err *e)
{
	struct pc_opt_value v[PC_OPTS_MAX];
	int op, r = options(argc, argv, v, &op, e);
	bool json = v[STATUS_JSON].set, all = v[STATUS_ALL].set;

	if (r)
		return OPTIONS_DONE(r);
	if (argc - op > 1 || (all && argc - op))
		return usage_error(e, "expected one IFACE, or --all, or neither");
	if (argc - op && pc_iface_check(argv[op], PC_IFACE_MAY_BE_GONE, e))
		return -1;
	return pc_status_print(argc - op ? argv[op] : NULL, all, json, stdout, e);
}

static int cmd_flows(int argc, char **argv, struct pc_err *e)
{
	struct pc_opt_value v[PC_OPTS_MAX];
	int op, r = options(argc, argv, v, &op, e);

	if (r)
		return OPTIONS_DONE(r);
	if (argc - op != 1)
		return usage_error(e, "expected IFACE");
	if (pc_iface_check(argv[op], PC_IFACE_PRESENT, e))
		return -1;
	return pc_flows_print(argv[op], v[FLOWS_JSON].set, stdout, e);
}

static int cmd_stats(int argc, char **argv, struct pc_err *e)
{
	enum pc_format fmt = PC_FMT_TABLE;
	struct pc_snapshot s, prev = { 0 };
	struct pc_opt_value v[PC_OPTS_MAX];
	int op, r = options(argc, argv, v, &op, e);
	long watch = v[STATS_WATCH].num;

	if (r)
		return OPTIONS_DONE(r);
	if (v[STATS_JSON].set)
		fmt = PC_FMT_JSON;
	if (v[STATS_PROMETHEUS].set)
		fmt = PC_FMT_PROM;
	if (argc - op != 1)
		return usage_error(e, "expected IFACE");
	if (pc_iface_check(argv[op], PC_IFACE_PRESENT, e))
		return -1;
	for (bool first = true;; first = false) {
		if (pc_snapshot_read(argv[op], &s, e)) {
			pc_snapshot_free(&prev);
			return -1;
		}
		pc_stats_print(argv[op], &s, first ? NULL : &prev, watch, fmt, stdout);
		pc_snapshot_free(&prev);
		prev = s;
		fflush(stdout);
		if (!watch) {
			pc_snapshot_free(&prev);
			return 0;
		}
		sleep(watch);
		if (fmt == PC_FMT_TABLE)
			printf("\n");
	}
}

static int cmd_explain(int argc, char **argv, struct pc_err *e)
{
	struct pc_opt_value v[PC_OPTS_MAX];
	int op, r = options(argc, argv, v, &op, e);

	if (r)
		return OPTIONS_DONE(r);
	if (v[EXPLAIN_PROFILE].set)
		return pc_explain(NULL, v[EXPLAIN_PROFILE].str, argc - op, argv + op, stdout, e);
	if (argc - op >= 1)
		return pc_iface_check(argv[op], PC_IFACE_PRESENT, e)
			       ? -1
			       : pc_explain(argv[op], NULL, argc - op - 1, argv + op + 1, stdout,
					    e);
	return usage_error(e, "expected IFACE or --profile PROFILE, then a PACKET");
}

/* Prints a mix as a mix file; with --profile, where each stream lands. */
static int cmd_mix(int argc, char **argv, struct pc_err *e)
{
	struct pc_opt_value v[PC_OPTS_MAX];
	int op, err = options(argc, argv, v, &op, e);
	const char *profile = v[MIX_PROFILE].str, *what = v[MIX_MIX].str;
	struct pc_testbed t = { 0 };
	struct pc_mix m = { 0 };

	if (err)
		return OPTIONS_DONE(err);
	if (op != argc)
		return usage_error(e, "unexpected argument");
	err = pc_testbed_prepare(profile, what, &t, &m, e);
	if (!err)
		pc_mix_write(&m, t.img.info, t.img.n_rules, stdout);
	pc_mix_free(&m);
	pc_testbed_close(&t);
	return err;
}

static int cmd_version(int argc, char **argv, struct pc_err *e)
{
	int op, r = operands(argc, argv, 0, "version takes no arguments", &op, e);

	if (r)
		return OPTIONS_DONE(r);
	printf("portcullis %s\n", pc_version);
	return 0;
}

/* The code of each command of pc_commands. */
static const struct cmd cmds[] = {
	{ &pc_cmd_load, cmd_load },	   { &pc_cmd_confirm, cmd_confirm },
	{ &pc_cmd_unload, cmd_unload },	   { &pc_cmd_status, cmd_status },
	{ &pc_cmd_stats, cmd_stats },	   { &pc_cmd_check, cmd_check },
	{ &pc_cmd_explain, cmd_explain },  { &pc_cmd_bench, pc_bench_cmd },
	{ &pc_cmd_flood, pc_flood_cmd },   { &pc_cmd_mix, cmd_mix },
	{ &pc_cmd_log, pc_log_cmd },	   { &pc_cmd_flows, cmd_flows },
	{ &pc_cmd_doctor, pc_doctor_cmd }, { &pc_cmd_version, cmd_version },
};

static const struct cmd *find(const char *name)
{
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(name, cmds[i].spec->name))
			return &cmds[i];
	return NULL;
}

static int unknown(const char *name)
{
	fprintf(stderr, "portcullis: error: unknown command '%s'; run `portcullis help`\n", name);
	return 2;
}

/* `portcullis help [COMMAND]`, `--help`, `--version` and the hidden `--synopsis` (the
 * man page's, from the tables); -1 when argv[0] is none of them. */
static int global(int argc, char **argv)
{
	const struct cmd *c;

	if (!strcmp(argv[0], "--version")) {
		printf("portcullis %s\n", pc_version);
		return 0;
	}
	if (!strcmp(argv[0], "--synopsis")) {
		pc_commands_synopsis(stdout);
		return 0;
	}
	if (strcmp(argv[0], "-h") && strcmp(argv[0], "--help") && strcmp(argv[0], "help"))
		return -1;
	if (argc < 2) {
		pc_commands_help(stdout);
		return 0;
	}
	if (!(c = find(argv[1])))
		return unknown(argv[1]);
	pc_opts_help(c->spec, stdout);
	return 0;
}

int main(int argc, char **argv)
{
	struct pc_err e = { 0 };
	int first = 1, rc;

	if (argc > 1 && (!strcmp(argv[1], "-v") || !strcmp(argv[1], "--verbose"))) {
		pc_set_verbose(true);
		first = 2;
	} else {
		pc_set_verbose(false);
	}
	if (argc <= first) {
		pc_commands_help(stderr);
		return 2;
	}
	if ((rc = global(argc - first, argv + first)) >= 0)
		return rc;
	if (!(current = find(argv[first])))
		return unknown(argv[first]);
	if (!current->run(argc - first, argv + first, &e))
		return 0;
	fprintf(stderr, "portcullis: error: %s\n", e.msg);
	return e.exit_code ? e.exit_code : 1;
}

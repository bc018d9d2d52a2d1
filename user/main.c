// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The portcullis command line: a table of subcommands, their options and exit codes
 * (0 success, 1 runtime failure, 2 usage or profile error). */
#include <getopt.h>
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
#include "compile.h"
#include "confirm.h"
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
	const char *name;
	const char *args;
	const char *help;
	int (*run)(int argc, char **argv, struct pc_err *e);
};

static const struct cmd *current;

static int usage_error(struct pc_err *e, const char *what)
{
	return pc_usage(e, "%s; usage: portcullis %s %s", what, current->name, current->args);
}

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
	int err;

	if (argc != 2)
		return usage_error(e, "expected one PROFILE");
	err = build_profile(argv[1], &p, &img, &d, e, "");
	if (!err)
		pc_matrix_print(&p, &img, &d, stdout);
	pc_image_free(&img);
	pc_profile_free(&p);
	pc_diags_free(&d);
	return err;
}

static int parse_mode(const char *s, enum pc_mode *mode, struct pc_err *e)
{
	if (!strcmp(s, "native"))
		*mode = PC_MODE_NATIVE;
	else if (!strcmp(s, "generic") || !strcmp(s, "skb"))
		*mode = PC_MODE_GENERIC;
	else
		return usage_error(e, "--mode takes native or generic");
	return 0;
}

static int parse_hook(const char *s, enum pc_egress_hook *hook, struct pc_err *e)
{
	if (!strcmp(s, "tcx"))
		*hook = PC_HOOK_TCX;
	else if (!strcmp(s, "clsact"))
		*hook = PC_HOOK_CLSACT;
	else
		return usage_error(e, "--egress-hook takes tcx or clsact");
	return 0;
}

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
	static const struct option opts[] = { { "mode", required_argument, NULL, 'm' },
					      { "force", no_argument, NULL, 'f' },
					      { "confirm", required_argument, NULL, 'c' },
					      { "egress-hook", required_argument, NULL, 'e' },
					      { 0 } };
	struct pc_attach_opts ao = { .mode = PC_MODE_AUTO };
	struct pc_profile p = { 0 };
	struct pc_diags d = { 0 };
	struct pc_image img = { 0 };
	struct pc_iface iface;
	bool force = false;
	long confirm = 0;
	char keep[128], *end;
	int c, err;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'm' && parse_mode(optarg, &ao.mode, e))
			return -1;
		if (c == 'e' && parse_hook(optarg, &ao.egress_hook, e))
			return -1;
		if (c == 'f')
			force = true;
		if (c == 'c') {
			confirm = strtol(optarg, &end, 10);
			if (*end || confirm < 1 || confirm > 86400)
				return usage_error(e,
						   "--confirm takes a number of seconds, 1-86400");
		}
		if (c == '?')
			return usage_error(e, "unknown option");
	}
	if (argc - optind != 2)
		return usage_error(e, "expected IFACE and PROFILE");
	if (pc_iface_check(argv[optind], PC_IFACE_PRESENT, e))
		return -1;
	snprintf(keep, sizeof(keep), "; nothing was changed on %s", argv[optind]);
	err = pc_iface_resolve(argv[optind], false, &iface, e);
	if (!err)
		err = build_profile(argv[optind + 1], &p, &img, &d, e, keep);
	if (!err && !force)
		err = pc_guard_ssh(argv[optind], getenv("SSH_CONNECTION"), &p, &img, e);
	ao.confirm_secs = (unsigned)confirm;
	if (!err)
		err = load_locked(&iface, argv[optind + 1], &ao, &p, &img, e);
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
	if (argc != 2)
		return usage_error(e, "expected IFACE");
	if (pc_iface_check(argv[1], PC_IFACE_MAY_BE_GONE, e) || locked(argv[1], unload, true, e))
		return -1;
	printf("portcullis: unloaded from %s\n", argv[1]);
	return 0;
}

static int cmd_confirm(int argc, char **argv, struct pc_err *e)
{
	if (argc != 2)
		return usage_error(e, "expected IFACE");
	if (pc_iface_check(argv[1], PC_IFACE_PRESENT, e) || locked(argv[1], pc_confirm, false, e))
		return -1;
	printf("portcullis: confirmed the profile on %s\n", argv[1]);
	return 0;
}

/* Options of a command whose only option is --json; the operands start at optind. */
static int json_option(int argc, char **argv, bool *json, struct pc_err *e)
{
	static const struct option opts[] = { { "json", no_argument, NULL, 'j' }, { 0 } };
	int c;

	*json = false;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'j')
			return usage_error(e, "unknown option");
		*json = true;
	}
	return 0;
}

static int cmd_status(int argc, char **argv, struct pc_err *e)
{
	static const struct option opts[] = { { "json", no_argument, NULL, 'j' },
					      { "all", no_argument, NULL, 'a' },
					      { 0 } };
	bool json = false, all = false;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'j')
			json = true;
		else if (c == 'a')
			all = true;
		else
			return usage_error(e, "unknown option");
	}
	if (argc - optind > 1 || (all && argc - optind))
		return usage_error(e, "expected one IFACE, or --all, or neither");
	if (argc - optind && pc_iface_check(argv[optind], PC_IFACE_MAY_BE_GONE, e))
		return -1;
	return pc_status_print(argc - optind ? argv[optind] : NULL, all, json, stdout, e);
}

static int cmd_flows(int argc, char **argv, struct pc_err *e)
{
	bool json;

	if (json_option(argc, argv, &json, e))
		return -1;
	if (argc - optind != 1)
		return usage_error(e, "expected IFACE");
	if (pc_iface_check(argv[optind], PC_IFACE_PRESENT, e))
		return -1;
	return pc_flows_print(argv[optind], json, stdout, e);
}

static int cmd_stats(int argc, char **argv, struct pc_err *e)
{
	static const struct option opts[] = { { "json", no_argument, NULL, 'j' },
					      { "prometheus", no_argument, NULL, 'p' },
					      { "watch", required_argument, NULL, 'w' },
					      { 0 } };
	enum pc_format fmt = PC_FMT_TABLE;
	struct pc_snapshot s, prev = { 0 };
	long watch = 0;
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'j')
			fmt = PC_FMT_JSON;
		else if (c == 'p')
			fmt = PC_FMT_PROM;
		else if (c == 'w') {
			watch = strtol(optarg, &end, 10);
			if (*end || watch < 1 || watch > 86400)
				return usage_error(e, "--watch takes a number of seconds, 1-86400");
		} else
			return usage_error(e, "unknown option");
	}
	if (argc - optind != 1)
		return usage_error(e, "expected IFACE");
	if (pc_iface_check(argv[optind], PC_IFACE_PRESENT, e))
		return -1;
	for (bool first = true;; first = false) {
		if (pc_snapshot_read(argv[optind], &s, e)) {
			pc_snapshot_free(&prev);
			return -1;
		}
		pc_stats_print(argv[optind], &s, first ? NULL : &prev, watch, fmt, stdout);
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
	if (argc >= 3 && !strcmp(argv[1], "--profile"))
		return pc_explain(NULL, argv[2], argc - 3, argv + 3, stdout, e);
	if (argc >= 2 && argv[1][0] != '-')
		return pc_iface_check(argv[1], PC_IFACE_PRESENT, e)
			       ? -1
			       : pc_explain(argv[1], NULL, argc - 2, argv + 2, stdout, e);
	return usage_error(e, "expected IFACE or --profile PROFILE, then a PACKET");
}

/* Prints a mix as a mix file; with --profile, where each stream lands. */
static int cmd_mix(int argc, char **argv, struct pc_err *e)
{
	static const struct option opts[] = { { "profile", required_argument, NULL, 'p' },
					      { "mix", required_argument, NULL, 'm' },
					      { 0 } };
	const char *profile = NULL, *what = NULL;
	struct pc_testbed t = { 0 };
	struct pc_mix m = { 0 };
	int c, err;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'p')
			profile = optarg;
		else if (c == 'm')
			what = optarg;
		else
			return usage_error(e, "unknown option");
	}
	if (optind != argc)
		return usage_error(e, "unexpected argument");
	err = pc_testbed_prepare(profile, what, &t, &m, e);
	if (!err)
		pc_mix_write(&m, t.img.info, t.img.n_rules, stdout);
	pc_mix_free(&m);
	pc_testbed_close(&t);
	return err;
}

static const struct cmd cmds[] = {
	{ "load",
	  "IFACE PROFILE [--mode native|generic] [--egress-hook tcx|clsact] [--confirm SECONDS] "
	  "[--force]",
	  "compile PROFILE and attach it to IFACE, replacing the running one atomically",
	  cmd_load },
	{ "confirm", "IFACE", "keep a profile loaded with --confirm", cmd_confirm },
	{ "unload", "IFACE", "detach from IFACE and remove its pins", cmd_unload },
	{ "status", "[IFACE | --all] [--json]",
	  "what runs where, since when (--all: in every network namespace)", cmd_status },
	{ "stats", "IFACE [--json | --prometheus] [--watch SECONDS]",
	  "per-rule and implicit packet/byte counters", cmd_stats },
	{ "check", "PROFILE", "parse and compile only; print the port matrix", cmd_check },
	{ "explain",
	  "IFACE|--profile PROFILE PROTO from ADDR [port N] [to [ADDR] [port N]] "
	  "[type T] [flags syn,ack,...] [vlan ID]",
	  "why is this packet passed or dropped: verdict, rule, profile line", cmd_explain },
	{ "bench", PC_BENCH_ARGS,
	  "ns per packet of the real program over a mix, beside an empty XDP program",
	  pc_bench_cmd },
	{ "flood", PC_FLOOD_ARGS,
	  "send a mix of frames out of IFACE (BPF live frames or a packet socket; for hosts "
	  "without pktgen)",
	  pc_flood_cmd },
	{ "mix", "[--profile PROFILE] [--mix default|profile|FILE]",
	  "print a mix of frames for bench and flood; with a profile, where each lands", cmd_mix },
	{ "log", PC_LOG_ARGS, "stream sampled drop events: time, rule, frame", pc_log_cmd },
	{ "flows", "IFACE [--json]", "the flows the appliance opened: rule, age, idle time",
	  cmd_flows },
};

static void help(FILE *out)
{
	fprintf(out, "usage: portcullis [-v] COMMAND ...\n\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(out, "  portcullis %s %s\n      %s\n", cmds[i].name, cmds[i].args,
			cmds[i].help);
	fprintf(out, "\n-v shows libbpf's messages (the verifier log among them).\n"
		     "Exit status: 0 success, 1 runtime failure, 2 usage or profile error.\n"
		     "See portcullis(8) and docs/profile.md.\n");
}

int main(int argc, char **argv)
{
	struct pc_err e = { 0 };
	int first = 1;

	if (argc > 1 && (!strcmp(argv[1], "-v") || !strcmp(argv[1], "--verbose"))) {
		pc_set_verbose(true);
		first = 2;
	} else {
		pc_set_verbose(false);
	}
	if (argc <= first) {
		help(stderr);
		return 2;
	}
	if (!strcmp(argv[first], "-h") || !strcmp(argv[first], "--help") ||
	    !strcmp(argv[first], "help")) {
		help(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(argv[first], cmds[i].name))
			continue;
		current = &cmds[i];
		if (!cmds[i].run(argc - first, argv + first, &e))
			return 0;
		fprintf(stderr, "portcullis: error: %s\n", e.msg);
		return e.exit_code ? e.exit_code : 1;
	}
	fprintf(stderr, "portcullis: error: unknown command '%s'; run `portcullis help`\n",
		argv[first]);
	return 2;
}

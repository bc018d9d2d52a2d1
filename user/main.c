// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The portcullis command line: a table of subcommands, their options and exit codes
 * (0 success, 1 runtime failure, 2 usage or profile error). */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/if_link.h>

#include "attach.h"
#include "compile.h"
#include "guard.h"
#include "matrix.h"
#include "program.h"
#include "stats.h"
#include "status.h"

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

static void report_load(const char *ifname, const char *path, const struct pc_image *img,
			const struct pc_attach_result *res)
{
	if (res->fell_back)
		fprintf(stderr,
			"portcullis: warning: %s refused native XDP (%s); running in generic "
			"mode, which is slower; pass --mode native to fail instead\n",
			ifname, strerror(res->native_errno));
	printf("portcullis: loaded %s on %s: %u rules, %s mode", path, ifname, img->n_rules,
	       res->mode == XDP_FLAGS_SKB_MODE ? "generic" : "native");
	if (res->replaced)
		printf("; replaced the running profile atomically, counters of %u unchanged "
		       "rules carried over",
		       res->carried_rules);
	printf("\n");
}

static int cmd_load(int argc, char **argv, struct pc_err *e)
{
	static const struct option opts[] = { { "mode", required_argument, NULL, 'm' },
					      { "force", no_argument, NULL, 'f' },
					      { 0 } };
	enum pc_mode mode = PC_MODE_AUTO;
	struct pc_attach_result res;
	struct pc_profile p = { 0 };
	struct pc_diags d = { 0 };
	struct pc_image img = { 0 };
	bool force = false;
	char keep[128];
	int c, err;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'm' && parse_mode(optarg, &mode, e))
			return -1;
		if (c == 'f')
			force = true;
		if (c == '?')
			return usage_error(e, "unknown option");
	}
	if (argc - optind != 2)
		return usage_error(e, "expected IFACE and PROFILE");
	snprintf(keep, sizeof(keep), "; nothing was changed on %s", argv[optind]);
	err = build_profile(argv[optind + 1], &p, &img, &d, e, keep);
	if (!err && !force)
		err = pc_guard_ssh(argv[optind], getenv("SSH_CONNECTION"), &p, &img, e);
	if (!err)
		err = pc_attach(argv[optind], argv[optind + 1], mode, &p, &img, &res, e);
	if (!err)
		report_load(argv[optind], argv[optind + 1], &img, &res);
	pc_image_free(&img);
	pc_profile_free(&p);
	pc_diags_free(&d);
	return err;
}

static int cmd_unload(int argc, char **argv, struct pc_err *e)
{
	if (argc != 2)
		return usage_error(e, "expected IFACE");
	if (pc_detach(argv[1], e))
		return -1;
	printf("portcullis: unloaded from %s\n", argv[1]);
	return 0;
}

static int cmd_status(int argc, char **argv, struct pc_err *e)
{
	static const struct option opts[] = { { "json", no_argument, NULL, 'j' }, { 0 } };
	bool json = false;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'j')
			json = true;
		else
			return usage_error(e, "unknown option");
	}
	if (argc - optind > 1)
		return usage_error(e, "expected at most one IFACE");
	return pc_status_print(argc - optind ? argv[optind] : NULL, json, stdout, e);
}

static int cmd_stats(int argc, char **argv, struct pc_err *e)
{
	static const struct option opts[] = { { "json", no_argument, NULL, 'j' },
					      { "prometheus", no_argument, NULL, 'p' },
					      { "watch", required_argument, NULL, 'w' },
					      { 0 } };
	enum pc_format fmt = PC_FMT_TABLE;
	struct pc_snapshot s;
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
	for (;;) {
		if (pc_snapshot_read(argv[optind], &s, e))
			return -1;
		pc_stats_print(argv[optind], &s, fmt, stdout);
		pc_snapshot_free(&s);
		fflush(stdout);
		if (!watch)
			return 0;
		sleep(watch);
		if (fmt == PC_FMT_TABLE)
			printf("\n");
	}
}

static const struct cmd cmds[] = {
	{ "load", "IFACE PROFILE [--mode native|generic] [--force]",
	  "compile PROFILE and attach it to IFACE, replacing the running one atomically",
	  cmd_load },
	{ "unload", "IFACE", "detach from IFACE and remove its pins", cmd_unload },
	{ "status", "[IFACE] [--json]", "what runs where, since when", cmd_status },
	{ "stats", "IFACE [--json | --prometheus] [--watch SECONDS]",
	  "per-rule and implicit packet/byte counters", cmd_stats },
	{ "check", "PROFILE", "parse and compile only; print the port matrix", cmd_check },
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

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The helpers of cli.h. */
#include <stdio.h>

#include "cli/cli.h"
#include "compile/lint.h"
#include "profile/profile.h"

int pc_cli_usage(const struct pc_cmd_spec *spec, struct pc_err *e, const char *what)
{
	return pc_opts_usage(spec, e, "%s", what);
}

int pc_cli_operands(const struct pc_cmd_spec *spec, int argc, char **argv, int n, const char *what,
		    int *op, struct pc_err *e)
{
	struct pc_opt_value v[PC_OPTS_MAX];
	int r = pc_opts_parse(spec, argc, argv, v, op, e);

	if (!r && argc - *op != n)
		return pc_cli_usage(spec, e, what);
	return r;
}

/* Parses, compiles, lints and prints diagnostics; a profile error is exit code 2. */
int pc_cli_build_profile(const char *path, struct pc_profile *p, struct pc_image *img,
			 struct pc_diags *d, struct pc_err *e, const char *nothing_changed,
			 bool strict)
{
	int err = pc_profile_parse(path, p, d);
	size_t warnings;

	if (!err)
		err = pc_compile(p, img, d);
	if (!err)
		pc_lint(p, d);
	warnings = d->n_warnings;
	if (!err && strict && warnings) {
		pc_diags_strict(d);
		err = -1;
	}
	pc_diags_print(d, stderr);
	if (err && strict && warnings)
		return pc_usage(e,
				"%s has %zu warning%s, errors under --strict: fix them, or "
				"check without --strict%s",
				path, warnings, warnings == 1 ? "" : "s", nothing_changed);
	if (err)
		return pc_usage(e, "%s has %zu error%s%s", path, d->n_errors,
				d->n_errors == 1 ? "" : "s", nothing_changed);
	return 0;
}

/* Runs fn on IFACE of this namespace (one that is gone: by its recorded name) under
 * its lock, once settled. An unload removes everything anyway: a settle that fails
 * (a rollback onto an interface that is gone) does not stop it. */
int pc_cli_locked(const char *ifname, int (*fn)(const struct pc_iface *i, struct pc_err *e),
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

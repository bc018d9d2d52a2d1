/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The lint: what a profile that compiles says that a mail appliance will regret
 * (ARP dropped, rules that neighbour discovery makes void, a path-MTU black hole, a
 * port opened to every zone, zones that half overlap, rules that cannot match). */
#ifndef PC_COMPILE_LINT_H
#define PC_COMPILE_LINT_H

#include <stddef.h>

#include "profile/profile.h"

/* Adds a warning to d for each finding, with its id (docs/profile.md, "Lint") and the
 * position of the word it is about; d holds the sources p was parsed from. Returns the
 * number of warnings added. Warnings only: `check --strict` makes them errors. */
size_t pc_lint(const struct pc_profile *p, struct pc_diags *d);

#endif /* PC_COMPILE_LINT_H */

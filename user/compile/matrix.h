/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* `check`'s output: the port matrix of a compiled profile, grouped by direction and
 * peer the way the vendors' port lists read. */
#ifndef PC_COMPILE_MATRIX_H
#define PC_COMPILE_MATRIX_H

#include <stdbool.h>
#include <stdio.h>

#include "compile/compile.h"

void pc_matrix_print(const struct pc_profile *p, const struct pc_image *img,
		     const struct pc_diags *d, FILE *out);
/* The same and the diagnostics as one JSON object (`check --json`); valid false (a
 * profile with errors): the diagnostics only, the rest null. */
void pc_matrix_json(const char *path, const struct pc_profile *p, const struct pc_image *img,
		    const struct pc_diags *d, bool valid, FILE *out);

#endif /* PC_COMPILE_MATRIX_H */

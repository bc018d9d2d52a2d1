/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* `status`: which interfaces run portcullis, with what, since when, and whether the
 * program is still attached. */
#ifndef PC_OBSERVE_STATUS_H
#define PC_OBSERVE_STATUS_H

#include <stdbool.h>
#include <stdio.h>

#include "core/error.h"

/* One interface (ifname) or all of this network namespace (NULL); all: those of
 * every namespace, each with its namespace. An interface of this namespace that is
 * gone makes it fail (after printing). */
int pc_status_print(const char *ifname, bool all, bool json, FILE *out, struct pc_err *e);

#endif /* PC_OBSERVE_STATUS_H */

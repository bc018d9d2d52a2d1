/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The interfaces of this network namespace that portcullis is loaded on, found by
 * their state directories: those that are gone too, by the name recorded with them. */
#ifndef PC_KERN_IFACE_LIST_H
#define PC_KERN_IFACE_LIST_H

#include <stddef.h>

#include "core/error.h"
#include "kern/state.h"

/* *out (free it): *n interfaces with a committed generation, sorted by name; those
 * whose interface is gone have vanished set. Nothing pinned is 0 with *n 0. */
int pc_iface_list(struct pc_iface **out, size_t *n, struct pc_err *e);

#endif /* PC_KERN_IFACE_LIST_H */

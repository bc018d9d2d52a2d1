/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The IFACE operand of a command, checked before anything uses it: it names state
 * under /sys/fs/bpf and /run, so a name that is not an interface's must never reach
 * a path. */
#ifndef PC_CORE_IFACE_H
#define PC_CORE_IFACE_H

#include "core/error.h"

enum pc_iface_need {
	/* The interface must exist in this network namespace. */
	PC_IFACE_PRESENT,
	/* Only the name is checked: `unload` and `status` must still reach the state
	 * of an interface that was deleted while a profile ran on it. */
	PC_IFACE_MAY_BE_GONE,
};

/* Checks that name is an interface name as the kernel accepts one (1 to IFNAMSIZ-1
 * bytes of printable ASCII, no '/', ':' or space, not "." or ".."), and with
 * PC_IFACE_PRESENT that an interface of that name exists in this namespace. Returns 0,
 * or -1 with a usage error (exit 2) in e. Touches no file. */
int pc_iface_check(const char *name, enum pc_iface_need need, struct pc_err *e);

#endif /* PC_CORE_IFACE_H */

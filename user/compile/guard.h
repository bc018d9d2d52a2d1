/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Refuses a profile that would cut the SSH session `load` is run from. */
#ifndef PC_COMPILE_GUARD_H
#define PC_COMPILE_GUARD_H

#include "compile/compile.h"
#include "core/error.h"

/* ssh_connection is $SSH_CONNECTION ("client port server port") or NULL. Returns 0
 * when there is no session through ifname, or the profile passes it. */
int pc_guard_ssh(const char *ifname, const char *ssh_connection, const struct pc_profile *p,
		 const struct pc_image *img, struct pc_err *e);

#endif /* PC_COMPILE_GUARD_H */

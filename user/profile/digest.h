/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A profile's text in 64 bits: what `refresh` compares to tell a profile that only
 * its host names' answers changed from one that was edited since it was loaded. */
#ifndef PC_PROFILE_DIGEST_H
#define PC_PROFILE_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "profile/diag.h"

/* FNV-1a over the length and text of each source from first on (the profile, then
 * its includes in the order read), never their paths: a profile loaded as
 * profiles/x.conf and re-read as /etc/.../x.conf is the same profile. */
uint64_t pc_sources_digest(const struct pc_diags *d, size_t first);

#endif /* PC_PROFILE_DIGEST_H */

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What identifies a profile's text: the SHA-256 `load` records with it, so that a
 * reload that changed the text shows, and which text runs can be checked with
 * sha256sum. */
#ifndef PC_PROFILE_DIGEST_H
#define PC_PROFILE_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "profile/diag.h"

#define PC_SHA256_LEN 32

/* The SHA-256 of every source the parser read, in the order read: the profile, then
 * its includes. For a profile without includes, that of the file. */
void pc_profile_sha256(const struct pc_diags *d, uint8_t out[PC_SHA256_LEN]);
/* out (2 * PC_SHA256_LEN + 1 bytes): the digest in lower-case hex, as sha256sum
 * prints it; "" for an all-zero digest (a load that recorded none). */
void pc_sha256_hex(const uint8_t digest[PC_SHA256_LEN], char *out);

#endif /* PC_PROFILE_DIGEST_H */

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What identifies a profile's text: its SHA-256, which `load` records with it (so that
 * which text runs can be checked with sha256sum, and a reload that changed the text
 * shows in the exporter's portcullis_profile_info) and which `refresh` compares (a
 * profile edited since it was loaded is not refreshed). */
#ifndef PC_PROFILE_DIGEST_H
#define PC_PROFILE_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "profile/diag.h"

#define PC_SHA256_LEN 32

/* The SHA-256 of the sources the parser read from first on, in the order read: the
 * profile, then its includes; never their paths, so that a profile loaded as
 * profiles/x.conf and re-read as /etc/.../x.conf is the same profile. For a profile
 * without includes, sha256sum of the file. */
void pc_profile_sha256(const struct pc_diags *d, size_t first, uint8_t out[PC_SHA256_LEN]);
/* out (2 * PC_SHA256_LEN + 1 bytes): the digest in lower-case hex, as sha256sum
 * prints it; "" for an all-zero digest (a load that recorded none). */
void pc_sha256_hex(const uint8_t digest[PC_SHA256_LEN], char *out);
/* The reverse of pc_sha256_hex for 64 hex digits; -1 for anything else. */
int pc_sha256_parse(const char *hex, uint8_t out[PC_SHA256_LEN]);

#endif /* PC_PROFILE_DIGEST_H */

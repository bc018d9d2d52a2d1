// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The SHA-256 of a profile's sources, with Nettle's implementation. */
#include <stdio.h>
#include <string.h>

#include <nettle/sha2.h>

#include "profile/digest.h"

_Static_assert(PC_SHA256_LEN == SHA256_DIGEST_SIZE, "digest size");

void pc_profile_sha256(const struct pc_diags *d, size_t first, uint8_t out[PC_SHA256_LEN])
{
	struct sha256_ctx c;

	sha256_init(&c);
	for (size_t i = first; i < d->n_sources; i++)
		sha256_update(&c, strlen(d->sources[i].text), (const uint8_t *)d->sources[i].text);
	sha256_digest(&c, SHA256_DIGEST_SIZE, out);
}

void pc_sha256_hex(const uint8_t digest[PC_SHA256_LEN], char *out)
{
	uint8_t any = 0;

	for (int i = 0; i < PC_SHA256_LEN; i++)
		any |= digest[i];
	out[0] = 0;
	for (int i = 0; any && i < PC_SHA256_LEN; i++)
		snprintf(out + 2 * i, 3, "%02x", digest[i]);
}

int pc_sha256_parse(const char *hex, uint8_t out[PC_SHA256_LEN])
{
	if (strlen(hex) != 2 * PC_SHA256_LEN || strspn(hex, "0123456789abcdef") != strlen(hex))
		return -1;
	for (int i = 0; i < PC_SHA256_LEN; i++) {
		unsigned v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return 0;
}

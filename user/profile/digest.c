// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The digest of a profile's text. Not a cryptographic hash, and need not be: whoever
 * can edit the profile can load it; the digest only catches an edit nobody loaded. */
#include <string.h>

#include "profile/digest.h"

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * FNV_PRIME;
	return h;
}

uint64_t pc_sources_digest(const struct pc_diags *d, size_t first)
{
	uint64_t h = FNV_OFFSET;

	for (size_t i = first; i < d->n_sources; i++) {
		/* The length first: moving text from one include to the next changes the
		 * digest even when the concatenation does not. */
		uint64_t len = strlen(d->sources[i].text);

		h = fnv(h, &len, sizeof(len));
		h = fnv(h, d->sources[i].text, len);
	}
	return h;
}

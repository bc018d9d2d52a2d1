// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The pcapng blocks of pcapng.h, each built in memory and written whole, so that a
 * reader of a pipe never sees half a block between two frames. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "observe/pcapng.h"

/* A block being built: its bytes, grown as fields are appended. */
struct block {
	uint8_t *b;
	size_t len, cap;
	bool oom;
};

static void put(struct block *k, const void *p, size_t n)
{
	if (k->oom || !n) /* opt_endofopt has no value: p may be NULL */
		return;
	if (k->len + n > k->cap) {
		size_t cap = (k->len + n) * 2;
		uint8_t *b = realloc(k->b, cap);

		if (!b) {
			k->oom = true;
			return;
		}
		k->b = b;
		k->cap = cap;
	}
	memcpy(k->b + k->len, p, n);
	k->len += n;
}

static void put32(struct block *k, uint32_t v)
{
	put(k, &v, 4);
}

static void put16(struct block *k, uint16_t v)
{
	put(k, &v, 2);
}

/* Every field and block ends on a 32-bit boundary: zeros up to it. */
static void pad4(struct block *k)
{
	static const uint8_t zero[4];

	put(k, zero, (4 - k->len % 4) % 4);
}

/* An option: code, length of the value (without padding), the value, padding. */
static void option(struct block *k, uint16_t code, const void *v, size_t n)
{
	if (n > 0xffff) /* an option's length is 16 bits: cut, never overflow */
		n = 0xffff;
	put16(k, code);
	put16(k, n);
	put(k, v, n);
	pad4(k);
}

static void begin(struct block *k, uint32_t type)
{
	memset(k, 0, sizeof(*k));
	put32(k, type);
	put32(k, 0); /* the total length, known at the end */
}

/* Ends the options, repeats the total length at the end and writes the block. */
static int finish(struct block *k, FILE *out, bool options)
{
	uint32_t total;
	int err = 0;

	if (options)
		option(k, PC_PCAPNG_OPT_END, NULL, 0);
	total = k->len + 4;
	put32(k, total);
	if (k->oom)
		err = -ENOMEM;
	else
		memcpy(k->b + 4, &total, 4);
	if (!err && fwrite(k->b, 1, k->len, out) != k->len)
		err = errno ? -errno : -EIO;
	free(k->b);
	return err;
}

int pc_pcapng_section(FILE *out, const char *app)
{
	struct block k;
	uint64_t unknown = UINT64_MAX; /* section length: not known, a stream */

	begin(&k, PC_PCAPNG_SHB);
	put32(&k, PC_PCAPNG_MAGIC);
	put16(&k, 1); /* version 1.0 */
	put16(&k, 0);
	put(&k, &unknown, 8);
	if (app)
		option(&k, PC_PCAPNG_SHB_USERAPPL, app, strlen(app));
	return finish(&k, out, app != NULL);
}

int pc_pcapng_interface(FILE *out, const char *name, uint32_t snaplen)
{
	static const uint8_t nanoseconds = 9; /* 10^-9 s */
	struct block k;

	begin(&k, PC_PCAPNG_IDB);
	put16(&k, PC_PCAPNG_LINKTYPE_ETHERNET);
	put16(&k, 0);
	put32(&k, snaplen);
	option(&k, PC_PCAPNG_IF_NAME, name, strlen(name));
	option(&k, PC_PCAPNG_IF_TSRESOL, &nanoseconds, 1);
	return finish(&k, out, true);
}

int pc_pcapng_packet(FILE *out, uint32_t iface, uint64_t ts_ns, const void *data, uint32_t cap_len,
		     uint32_t orig_len, const char *comment)
{
	struct block k;
	int err;

	begin(&k, PC_PCAPNG_EPB);
	put32(&k, iface);
	put32(&k, ts_ns >> 32);
	put32(&k, ts_ns & 0xffffffffU);
	put32(&k, cap_len);
	put32(&k, orig_len);
	put(&k, data, cap_len);
	pad4(&k);
	if (comment)
		option(&k, PC_PCAPNG_OPT_COMMENT, comment, strlen(comment));
	err = finish(&k, out, comment != NULL);
	if (!err && fflush(out))
		err = -errno;
	return err;
}

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The host names a profile names and their addresses (struct pc_hosts, profile.h):
 * found by name, compared, and written as the text a load records with its
 * generation, which `refresh` reads back to see what changed and to keep the last
 * addresses of a name that stopped resolving. */
#ifndef PC_PROFILE_HOSTS_H
#define PC_PROFILE_HOSTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "profile/profile.h"

/* The version of the text below; a record of another version is not read. */
#define PC_HOSTS_FORMAT 1

void pc_hosts_free(struct pc_hosts *h);
const struct pc_host *pc_hosts_find(const struct pc_hosts *h, const char *name);
/* The same addresses (both sorted, without duplicates, as the parser leaves them). */
bool pc_host_same(const struct pc_host *a, const struct pc_host *b);
/* "192.0.2.1, 2001:db8::1", or "no address". */
const char *pc_host_addrs(const struct pc_host *h, char *buf, size_t len);

/* The record: "portcullis-hosts 1\nsha256 HEX\n", then a line per name: the name and
 * its addresses, separated by spaces. Returns a string to free, NULL: out of memory. */
char *pc_hosts_format(const struct pc_hosts *h, const uint8_t sha256[PC_SHA256_LEN]);
/* Reads a record back. -1 when it is not one (of this version). */
int pc_hosts_parse(const char *text, struct pc_hosts *out, uint8_t sha256[PC_SHA256_LEN]);

#endif /* PC_PROFILE_HOSTS_H */

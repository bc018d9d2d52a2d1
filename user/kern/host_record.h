/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The host names a generation was compiled with, and the digest of its profile's text,
 * recorded in the generation (gN/hosts): `refresh` compares new answers with them,
 * keeps them for a name that stopped resolving, and refuses a profile edited since. */
#ifndef PC_KERN_HOST_RECORD_H
#define PC_KERN_HOST_RECORD_H

#include <stdint.h>

#include "core/error.h"
#include "profile/profile.h"

/* Pins p's host names and digest as gdir/hosts. */
int pc_host_record_write(const char *gdir, const struct pc_profile *p, struct pc_err *e);
/* Reads them back. -1 with errno ENOENT: a generation without a record (loaded by a
 * portcullis from before `refresh`); EINVAL: not a record this version reads. */
int pc_host_record_read(const char *gdir, struct pc_hosts *hosts, uint8_t sha256[PC_SHA256_LEN],
			struct pc_err *e);

#endif /* PC_KERN_HOST_RECORD_H */

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* An exposition for node_exporter's textfile collector: DIR/portcullis.prom,
 * replaced whole or not at all. */
#ifndef PC_OBSERVE_TEXTFILE_H
#define PC_OBSERVE_TEXTFILE_H

#include <stddef.h>

#include "core/error.h"

#define PC_TEXTFILE_NAME "portcullis.prom"

/* Writes len bytes of buf to a temporary file in dir (a name the collector skips:
 * it reads *.prom only), flushes it to disk and renames it over DIR/portcullis.prom:
 * a reader sees the old file or the new one, never part of one. */
int pc_textfile_write(const char *dir, const char *buf, size_t len, struct pc_err *e);

#endif /* PC_OBSERVE_TEXTFILE_H */

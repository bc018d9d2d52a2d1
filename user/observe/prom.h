/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The Prometheus text exposition (format 0.0.4) of a scrape: the one writer behind
 * `stats --prometheus` and the exporter. Each family's HELP and TYPE come once,
 * followed by the samples of every interface. */
#ifndef PC_OBSERVE_PROM_H
#define PC_OBSERVE_PROM_H

#include <stddef.h>
#include <stdio.h>

#include "core/error.h"
#include "observe/scrape.h"

/* The content type of what pc_prom_render writes, for HTTP. */
#define PC_PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

void pc_prom_write(const struct pc_scrape *sc, FILE *out);
/* The whole exposition in memory: *buf (free it), *len bytes. Nothing is sent
 * before it is complete. */
int pc_prom_render(const struct pc_scrape *sc, char **buf, size_t *len, struct pc_err *e);

#endif /* PC_OBSERVE_PROM_H */

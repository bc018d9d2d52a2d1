/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The exporter: an HTTP server (libmicrohttpd) whose GET /metrics is the Prometheus
 * exposition of every interface of this network namespace, read once per scrape. */
#ifndef PC_OBSERVE_EXPORTER_H
#define PC_OBSERVE_EXPORTER_H

#include "core/error.h"

/* Listens on addr ("ADDR:PORT", "[ADDR6]:PORT"), says where on stdout, and serves
 * until SIGINT or SIGTERM; then 0. A malformed address is a usage error, an address
 * that cannot be bound (in use, not this host's) a runtime one. */
int pc_exporter_run(const char *addr, struct pc_err *e);

#endif /* PC_OBSERVE_EXPORTER_H */

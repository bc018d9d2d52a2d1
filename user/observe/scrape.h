/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* One scrape: what a Prometheus exposition says of interfaces, read once each, a
 * generation whole (kern/snapshot.h) with its footprint (kern/footprint.h). */
#ifndef PC_OBSERVE_SCRAPE_H
#define PC_OBSERVE_SCRAPE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "kern/footprint.h"
#include "kern/snapshot.h"
#include "kern/state.h"

struct pc_scrape_iface {
	struct pc_iface iface;
	/* The interface is there and its state read whole; otherwise (gone, its pins
	 * unreadable) nothing below is. */
	bool up;
	struct pc_snapshot snap;
	struct pc_footprint fp;
};

struct pc_scrape {
	struct pc_scrape_iface *ifs;
	size_t n;
};

/* Every interface of this network namespace that portcullis is loaded on, those
 * gone among them (down). With settle, each is settled first, as `stats` does; the
 * exporter changes nothing. Fails only when the pins cannot be listed. */
int pc_scrape_all(bool settle, struct pc_scrape *sc, struct pc_err *e);
/* IFACE alone; fails when it cannot be read, as `stats IFACE` does. */
int pc_scrape_one(const char *ifname, struct pc_scrape *sc, struct pc_err *e);
void pc_scrape_free(struct pc_scrape *sc);

#endif /* PC_OBSERVE_SCRAPE_H */

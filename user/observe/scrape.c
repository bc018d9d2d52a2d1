// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Reads the interfaces of a scrape: each one's committed generation, its counters
 * and its footprint from the same generation, or "down". */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kern/iface_list.h"
#include "kern/pins.h"
#include "observe/scrape.h"

/* The snapshot, then the footprint of the generation it read: a reload that removes
 * that generation in between makes both be read again, from the new one. */
static int read_iface(struct pc_scrape_iface *si, struct pc_err *e)
{
	for (int tries = 0; tries < 10; tries++) {
		if (pc_snapshot_read_iface(&si->iface, &si->snap, e))
			return -1;
		if (!pc_footprint_read(si->snap.gdir, &si->fp, e))
			return 0;
		pc_snapshot_free(&si->snap);
	}
	return -1;
}

int pc_scrape_all(bool settle, struct pc_scrape *sc, struct pc_err *e)
{
	struct pc_iface *ifs;
	size_t n;

	memset(sc, 0, sizeof(*sc));
	if (pc_iface_list(&ifs, &n, e))
		return -1;
	sc->ifs = calloc(n + 1, sizeof(*sc->ifs));
	if (!sc->ifs) {
		free(ifs);
		return pc_fail(e, ENOMEM, NULL, "reading the interfaces");
	}
	for (size_t k = 0; k < n; k++) {
		struct pc_scrape_iface *si = &sc->ifs[k];
		struct pc_err skip;

		si->iface = ifs[k];
		if (si->iface.vanished)
			continue;
		if (settle)
			pc_settle_if_idle(&si->iface);
		si->up = !read_iface(si, &skip);
	}
	sc->n = n;
	free(ifs);
	return 0;
}

int pc_scrape_one(const char *ifname, struct pc_scrape *sc, struct pc_err *e)
{
	struct pc_scrape_iface *si;

	memset(sc, 0, sizeof(*sc));
	if (!(si = calloc(1, sizeof(*si))))
		return pc_fail(e, ENOMEM, NULL, "reading %s", ifname);
	sc->ifs = si;
	if (pc_iface_resolve(ifname, false, &si->iface, e) || pc_bpffs_ensure(e))
		return -1;
	pc_settle_if_idle(&si->iface);
	if (read_iface(si, e))
		return -1;
	si->up = true;
	sc->n = 1;
	return 0;
}

void pc_scrape_free(struct pc_scrape *sc)
{
	for (size_t k = 0; k < sc->n; k++)
		pc_snapshot_free(&sc->ifs[k].snap);
	free(sc->ifs);
	memset(sc, 0, sizeof(*sc));
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The reader of snapshot.h: load_info, the rules, the files and both sides'
 * counters (per-CPU sums plus what a reload carried over) of one generation. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "core/rule_text.h"
#include "kern/pins.h"
#include "kern/program.h"
#include "kern/snapshot.h"
#include "kern/state.h"

static int read_info(const char *ifname, struct pc_snapshot *s, struct pc_err *e)
{
	int lfd = pc_pin_open(s->gdir, "load_info", e), rfd = -1, ffd = -1, err = -1;
	uint32_t k = 0;

	if (lfd < 0)
		return -1;
	if (bpf_map_lookup_elem(lfd, &k, &s->load)) {
		pc_fail(e, errno, NULL, "reading load_info of %s", ifname);
		goto out;
	}
	s->n_rules = s->load.n_rules;
	s->info = calloc(s->n_rules + 1, sizeof(*s->info));
	if (!s->info) {
		pc_fail(e, ENOMEM, NULL, "reading rule_info");
		goto out;
	}
	if ((rfd = pc_pin_open(s->gdir, "rule_info", e)) < 0)
		goto out;
	if ((ffd = pc_pin_open(s->gdir, "files", e)) < 0 ||
	    pc_files_read(ffd, &s->files, &s->n_files, e))
		goto out;
	for (k = 0; k < s->n_rules; k++) {
		if (bpf_map_lookup_elem(rfd, &k, &s->info[k])) {
			pc_fail(e, errno, NULL, "reading rule_info[%u] of %s", k, ifname);
			goto out;
		}
	}
	err = 0;
out:
	close(lfd);
	if (rfd >= 0)
		close(rfd);
	if (ffd >= 0)
		close(ffd);
	return err;
}

/* One side's totals: the per-CPU sums of COUNTERS plus what CARRY holds. */
static int read_side(const struct pc_snapshot *s, const char *counters, const char *carry,
		     uint32_t n, struct pc_count **out, struct pc_err *e)
{
	int cfd = -1, kfd = -1, err = -1;
	struct pc_count c;

	*out = calloc(n, sizeof(**out));
	if (!*out)
		return pc_fail(e, ENOMEM, NULL, "reading counters");
	if ((cfd = pc_pin_open(s->gdir, counters, e)) < 0 ||
	    (kfd = pc_pin_open(s->gdir, carry, e)) < 0 || pc_counters_read(cfd, n, *out, e))
		goto out;
	for (uint32_t k = 0; k < n; k++) {
		if (bpf_map_lookup_elem(kfd, &k, &c)) {
			pc_fail(e, errno, NULL, "reading %s/%s[%u]", s->gdir, carry, k);
			goto out;
		}
		(*out)[k].packets += c.packets;
		(*out)[k].bytes += c.bytes;
	}
	err = 0;
out:
	if (cfd >= 0)
		close(cfd);
	if (kfd >= 0)
		close(kfd);
	return err;
}

static int read_gen(const char *ifname, struct pc_snapshot *s, struct pc_err *e)
{
	uint32_t n;

	if (read_info(ifname, s, e))
		return -1;
	n = PC_CNT_IMPLICIT + s->n_rules;
	return read_side(s, "counters", "carry", n, &s->count, e) ||
	       read_side(s, "ecounters", "ecarry", n, &s->ecount, e);
}

int pc_snapshot_read(const char *ifname, struct pc_snapshot *s, struct pc_err *e)
{
	struct pc_iface i;
	char now[PATH_MAX];

	memset(s, 0, sizeof(*s));
	if (pc_iface_resolve(ifname, false, &i, e) || pc_bpffs_ensure(e))
		return -1;
	pc_settle_if_idle(&i);
	/* A generation read while a reload commits may vanish under us: then read the
	 * one that is current now, from the start. */
	for (int tries = 0;; tries++) {
		if (pc_gen_current(&i, s->gdir, sizeof(s->gdir)))
			return pc_fail(e, 0, NULL,
				       "portcullis is not loaded on %s; load a profile with "
				       "`portcullis load %s PROFILE`",
				       ifname, ifname);
		if (!read_gen(ifname, s, e))
			return 0;
		pc_snapshot_free(s);
		if (tries == 50 || pc_gen_current(&i, now, sizeof(now)) || !strcmp(now, s->gdir))
			return -1;
	}
}

void pc_snapshot_free(struct pc_snapshot *s)
{
	free(s->info);
	free(s->count);
	free(s->ecount);
	free(s->files);
	s->info = NULL;
	s->count = s->ecount = NULL;
	s->files = NULL;
	s->n_rules = s->n_files = 0;
}

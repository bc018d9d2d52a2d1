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

int pc_files_read(int fd, struct pc_file_name **out, uint32_t *n, struct pc_err *e)
{
	struct bpf_map_info mi = {};
	uint32_t len = sizeof(mi);

	*out = NULL;
	*n = 0;
	if (bpf_obj_get_info_by_fd(fd, &mi, &len))
		return pc_fail(e, errno, NULL, "bpf_obj_get_info_by_fd on a files map");
	*out = calloc(mi.max_entries + 1, sizeof(**out));
	if (!*out)
		return pc_fail(e, ENOMEM, NULL, "reading the profile's file names");
	for (uint32_t k = 0; k < mi.max_entries; k++)
		if (bpf_map_lookup_elem(fd, &k, &(*out)[k]))
			(*out)[k].path[0] = 0;
	*n = mi.max_entries;
	return 0;
}

int pc_gen_rules_read(const char *gdir, struct pc_load_info *li, struct pc_rule_info **rules,
		      struct pc_err *e)
{
	int fd;

	*rules = NULL;
	if (pc_gen_load_info(gdir, li, e))
		return -1;
	*rules = calloc(li->n_rules + 1, sizeof(**rules));
	if (!*rules)
		return pc_fail(e, ENOMEM, NULL, "reading %s/%s", gdir, PC_PIN_RULE_INFO);
	if ((fd = pc_pin_open(gdir, PC_PIN_RULE_INFO, e)) < 0)
		goto fail;
	for (uint32_t k = 0; k < li->n_rules; k++) {
		if (bpf_map_lookup_elem(fd, &k, &(*rules)[k])) {
			pc_fail(e, errno, NULL, "reading %s/%s[%u]", gdir, PC_PIN_RULE_INFO, k);
			close(fd);
			goto fail;
		}
	}
	close(fd);
	return 0;
fail:
	free(*rules);
	*rules = NULL;
	return -1;
}

static int read_info(struct pc_snapshot *s, struct pc_err *e)
{
	int fd, err;

	if (pc_gen_rules_read(s->gdir, &s->load, &s->info, e))
		return -1;
	s->n_rules = s->load.n_rules;
	if ((fd = pc_pin_open(s->gdir, PC_PIN_FILES, e)) < 0)
		return -1;
	err = pc_files_read(fd, &s->files, &s->n_files, e);
	close(fd);
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

static int read_gen(struct pc_snapshot *s, struct pc_err *e)
{
	uint32_t n;

	if (read_info(s, e))
		return -1;
	n = PC_CNT_IMPLICIT + s->n_rules;
	return read_side(s, PC_PIN_COUNTERS, PC_PIN_CARRY, n, &s->count, e) ||
	       read_side(s, PC_PIN_ECOUNTERS, PC_PIN_ECARRY, n, &s->ecount, e);
}

int pc_snapshot_read_iface(const struct pc_iface *i, struct pc_snapshot *s, struct pc_err *e)
{
	char now[PATH_MAX];

	memset(s, 0, sizeof(*s));
	/* A generation read while a reload commits may vanish under us: then read the
	 * one that is current now, from the start. */
	for (int tries = 0;; tries++) {
		if (pc_gen_current(i, s->gdir, sizeof(s->gdir)))
			return pc_fail(e, 0, NULL,
				       "portcullis is not loaded on %s; load a profile with "
				       "`portcullis load %s PROFILE`",
				       i->name, i->name);
		if (!read_gen(s, e))
			return 0;
		pc_snapshot_free(s);
		if (tries == 50 || pc_gen_current(i, now, sizeof(now)) || !strcmp(now, s->gdir))
			return -1;
	}
}

int pc_snapshot_read(const char *ifname, struct pc_snapshot *s, struct pc_err *e)
{
	struct pc_iface i;

	memset(s, 0, sizeof(*s));
	if (pc_iface_resolve(ifname, false, &i, e) || pc_bpffs_ensure(e))
		return -1;
	pc_settle_if_idle(&i);
	return pc_snapshot_read_iface(&i, s, e);
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

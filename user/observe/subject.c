// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The program `explain` asks (subject.h): compiled from a profile, or the twin of the
 * one running on an interface. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "kern/pins.h"
#include "kern/program.h"
#include "kern/snapshot.h"
#include "observe/subject.h"

int pc_subject_from_profile(const char *path, struct pc_subject *s, struct pc_err *e)
{
	if (pc_profile_parse(path, &s->p, &s->d) || pc_compile(&s->p, &s->img, &s->d)) {
		pc_diags_print(&s->d, stderr);
		return pc_usage(e, "%s has %zu error%s", path, s->d.n_errors,
				s->d.n_errors == 1 ? "" : "s");
	}
	if (pc_program_create(&s->p, &s->img, NULL, &s->skel, e))
		return -1;
	s->n_rules = s->img.n_rules;
	s->info = s->img.info;
	s->files = s->img.files;
	s->n_files = s->img.n_files;
	s->opt = s->p.opt;
	snprintf(s->origin, sizeof(s->origin), "%s", path);
	return 0;
}

/* The twin of the running program (pc_program_twin), with the settings, rules and
 * files of the generation it reads. */
int pc_subject_from_iface(const char *ifname, struct pc_subject *s, struct pc_err *e)
{
	struct pc_snapshot snap;
	struct pc_lineage lin = { .flows_fd = -1 };
	char gdir[PATH_MAX];

	if (pc_snapshot_read(ifname, &snap, e))
		return -1;
	s->n_rules = snap.n_rules;
	s->info = snap.info;
	snap.info = NULL;
	s->files = snap.files;
	s->n_files = snap.n_files;
	snap.files = NULL;
	pc_load_info_options(&snap.load, &s->opt);
	lin.gen = snap.load.gen;
	lin.gen_prev = snap.load.gen ? snap.load.gen - 1 : 0;
	snprintf(s->origin, sizeof(s->origin), "%s", snap.load.profile);
	snprintf(s->live, sizeof(s->live), "running on %s", ifname);
	/* The tables of the very generation whose rules were read. */
	snprintf(gdir, sizeof(gdir), "%s", snap.gdir);
	pc_snapshot_free(&snap);
	return pc_program_twin(gdir, &s->opt, s->n_rules, &lin, &s->skel, e);
}

void pc_subject_free(struct pc_subject *s, bool from_profile)
{
	pc_program_destroy(s->skel);
	if (from_profile) {
		pc_image_free(&s->img);
		pc_profile_free(&s->p);
		pc_diags_free(&s->d);
	} else {
		free(s->info);
		free(s->files);
	}
}

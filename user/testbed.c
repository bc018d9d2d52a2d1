// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The test bed of testbed.h: parse, compile, load, judge. */
#include <string.h>
#include <time.h>

#include <bpf/libbpf.h>

#include "testbed.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int pc_testbed_open(const char *path, struct pc_testbed *t, struct pc_err *e)
{
	double t0 = now_ms(), t1;
	int err;

	memset(t, 0, sizeof(*t));
	t->path = path;
	err = pc_profile_parse(path, &t->p, &t->d);
	if (!err)
		err = pc_compile(&t->p, &t->img, &t->d);
	pc_diags_print(&t->d, stderr);
	if (err)
		return pc_usage(e, "%s has %zu error%s", path, t->d.n_errors,
				t->d.n_errors == 1 ? "" : "s");
	t1 = now_ms();
	t->compile_ms = t1 - t0;
	if (pc_program_create(&t->p, &t->img, &t->skel, e))
		return -1;
	t->load_ms = now_ms() - t1;
	return 0;
}

void pc_testbed_close(struct pc_testbed *t)
{
	portcullis__destroy(t->skel);
	pc_image_free(&t->img);
	pc_profile_free(&t->p);
	pc_diags_free(&t->d);
	memset(t, 0, sizeof(*t));
}

int pc_testbed_prog_fd(const struct pc_testbed *t)
{
	return bpf_program__fd(t->skel->progs.portcullis_xdp);
}

int pc_testbed_judge(struct pc_testbed *t, struct pc_mix *m, struct pc_err *e)
{
	return pc_mix_judge(m, pc_testbed_prog_fd(t), bpf_map__fd(t->skel->maps.counters),
			    PC_CNT_IMPLICIT + t->img.n_rules, e);
}

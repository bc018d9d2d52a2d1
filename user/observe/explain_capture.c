// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `explain --pcap`: every frame of a capture through the real program (subject.h), in
 * the capture's order, through the one seam that runs frames (pc_judge_run), then how
 * many frames each rule or implicit outcome decided. Frames are judged one after the
 * other by one program, so a later fragment follows its first as it would on the
 * wire; the twin's fragment table is its own, the running program's is not touched. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf.h>

#include "kern/judge.h"
#include "kern/program.h"
#include "observe/decode.h"
#include "observe/explain.h"
#include "observe/outcome.h"
#include "observe/subject.h"
#include "traffic/capture_file.h"

/* Frames and what decided them: per counter, passed and dropped. */
struct tally {
	uint64_t *pass, *drop; /* n_counters each */
	uint32_t n_counters;
	uint64_t frames, passed, dropped, not_judged, cut;
};

static void put_frame_line(FILE *out, unsigned long n, const struct pc_capture_frame *f,
			   const char *verdict)
{
	char text[512];

	pc_decode(f->data, f->cap_len, f->len, text, sizeof(text), NULL);
	fprintf(out, "frame %lu  %s  len %u", n, text, f->len);
	if (f->cap_len < f->len)
		fprintf(out, " (%u captured)", f->cap_len);
	fprintf(out, "  =>  %s\n", verdict);
}

/* The frame as the program gets it: what the capture cut off is zeros, so that the
 * lengths its headers claim are there (the program reads headers, not payload). */
static int judge_frame(struct pc_judge *j, const struct pc_capture_frame *f, uint8_t *buf,
		       struct pc_verdict *v, struct pc_err *e)
{
	memcpy(buf, f->data, f->cap_len);
	memset(buf + f->cap_len, 0, f->len - f->cap_len);
	if (pc_judge_run(j, buf, f->len, -1, v, e))
		return -1;
	if (v->moved != 1)
		return pc_fail(e, 0, NULL,
			       "the program counted the frame on %u counters; please report",
			       v->moved);
	return 0;
}

static void count(struct tally *t, const struct pc_verdict *v)
{
	bool drop = v->action == XDP_DROP;

	(drop ? t->drop : t->pass)[v->counter]++;
	if (drop)
		t->dropped++;
	else
		t->passed++;
}

static void summary(const struct pc_subject *s, const struct tally *t, FILE *out)
{
	char text[600];

	fprintf(out, "summary  %llu frames: %llu passed, %llu dropped",
		(unsigned long long)t->frames, (unsigned long long)t->passed,
		(unsigned long long)t->dropped);
	if (t->not_judged)
		fprintf(out, ", %llu not judged", (unsigned long long)t->not_judged);
	fputc('\n', out);
	for (uint32_t c = 0; c < t->n_counters; c++) {
		for (int drop = 0; drop < 2; drop++) {
			uint64_t n = (drop ? t->drop : t->pass)[c];

			if (n)
				fprintf(out, "%9llu  %s\n", (unsigned long long)n,
					pc_outcome_text(drop ? XDP_DROP : XDP_PASS, c, s->info,
							s->n_rules, text, sizeof(text)));
		}
	}
	if (t->cut)
		fprintf(out,
			"note     %llu frames were cut by the capture (its snap length): their "
			"missing bytes were judged as zeros\n",
			(unsigned long long)t->cut);
}

/* Each frame: its line, and its outcome counted. A frame the program cannot be given
 * (longer than BPF_PROG_TEST_RUN takes) is reported and the rest go on. */
static int run_frames(const struct pc_subject *s, struct pc_capture *c, struct pc_judge *j,
		      struct tally *t, FILE *out, struct pc_err *e)
{
	struct pc_capture_frame *f = malloc(sizeof(*f));
	uint8_t *buf = malloc(PKT_MAX);
	int r = -1;

	if (!f || !buf) {
		pc_fail(e, ENOMEM, NULL, "reading the capture");
		goto out;
	}
	while ((r = pc_capture_next(c, f, e)) == 1) {
		struct pc_verdict v = { .counter = -1 };
		struct pc_err fe = { 0 };
		char text[sizeof(fe.msg) + 16];

		t->frames++;
		if (!f->cap_len || f->len > PKT_MAX) {
			t->not_judged++;
			put_frame_line(out, c->index, f,
				       !f->cap_len ? "not judged: shorter than its link header"
						   : "not judged: longer than explain runs");
			continue;
		}
		if (judge_frame(j, f, buf, &v, &fe)) {
			t->not_judged++;
			snprintf(text, sizeof(text), "not judged: %s", fe.msg);
			put_frame_line(out, c->index, f, text);
			continue;
		}
		t->cut += f->cap_len < f->len;
		count(t, &v);
		put_frame_line(out, c->index, f,
			       pc_outcome_text(v.action, v.counter, s->info, s->n_rules, text,
					       sizeof(text)));
	}
out:
	free(f);
	free(buf);
	return r;
}

int pc_explain_capture(const char *ifname, const char *profile, const char *path, FILE *out,
		       struct pc_err *e)
{
	struct pc_subject s = { 0 };
	struct pc_capture c = { 0 };
	struct pc_judge j = { 0 };
	struct tally t = { 0 };
	int err;

	if (pc_capture_open(path, &c, e))
		return -1;
	err = profile ? pc_subject_from_profile(profile, &s, e)
		      : pc_subject_from_iface(ifname, &s, e);
	if (err)
		goto out;
	t.n_counters = PC_CNT_IMPLICIT + s.n_rules;
	t.pass = calloc(t.n_counters, sizeof(*t.pass));
	t.drop = calloc(t.n_counters, sizeof(*t.drop));
	if (!t.pass || !t.drop) {
		err = pc_fail(e, ENOMEM, NULL, "counting the outcomes");
		goto out;
	}
	err = pc_program_judge_init(s.skel, s.n_rules, PC_JUDGE_BATCH, &j, e);
	if (err)
		goto out;
	fprintf(out, "capture  %s (%s%s)\nprogram  %s%s%s\n", path, c.linkname,
		c.linktype == 1 ? "" : ", behind a synthetic Ethernet header", s.origin,
		s.live[0] ? ", " : "", s.live);
	err = run_frames(&s, &c, &j, &t, out, e);
	if (!err && t.frames && t.not_judged == t.frames)
		err = pc_fail(e, 0, NULL, "no frame of %s could be judged", path);
	if (!err)
		summary(&s, &t, out);
	pc_judge_free(&j);
out:
	free(t.pass);
	free(t.drop);
	pc_subject_free(&s, profile != NULL);
	pc_capture_close(&c);
	return err;
}

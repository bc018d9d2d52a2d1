// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Reads the pinned counters (per-CPU sums plus what a reload carried over) and
 * prints them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/if_link.h>

#include "kern/egress.h"
#include "core/json.h"
#include "kern/kernel_features.h"
#include "kern/pins.h"
#include "kern/program.h"
#include "core/rule_text.h"
#include "kern/state.h"
#include "observe/stats.h"

static const char *const implicit_names[PC_CNT_IMPLICIT] = {
	[PC_CNT_NON_IP] = "non-ip",	[PC_CNT_MALFORMED] = "malformed", [PC_CNT_NDP] = "ndp",
	[PC_CNT_FRAGMENT] = "fragment", [PC_CNT_NO_MATCH] = "no-match",
};

const char *pc_implicit_name(unsigned i)
{
	return i < PC_CNT_IMPLICIT ? implicit_names[i] : "?";
}

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

/* With a previous snapshot of the same load (stats --watch), the packet rate since
 * then: what is dropping *now* is what an operator watching wants. */
struct rates {
	const struct pc_snapshot *prev;
	double secs;
};

static void print_counts(FILE *out, const struct pc_snapshot *s, uint32_t k, const struct rates *rt)
{
	const struct pc_count *c = &s->count[k];

	fprintf(out, " %12llu %14llu", (unsigned long long)c->packets,
		(unsigned long long)c->bytes);
	if (rt->prev)
		fprintf(out, " %10.0f", (c->packets - rt->prev->count[k].packets) / rt->secs);
}

/* What the egress hook decided: only rules that decided something, then the
 * implicit outcomes (no-match is what `egress enforce` drops). */
static void print_egress_table(const struct pc_snapshot *s, FILE *out)
{
	char head[64];

	snprintf(head, sizeof(head), "egress (%s, %s)", pc_egress_hook_name(s->load.egress_hook),
		 s->load.egress_enforce ? "enforce" : "open");
	fprintf(out, "\n%-62s %12s %14s\n", head, "packets", "bytes");
	for (uint32_t r = 0; r < s->n_rules; r++) {
		const struct pc_rule_info *ri = &s->info[r];
		const struct pc_count *c = &s->ecount[PC_CNT_IMPLICIT + r];
		char text[512];

		if (!c->packets)
			continue;
		snprintf(text, sizeof(text), "line %u: %s %s %s %s %s", ri->line,
			 pc_rule_action(ri), pc_rule_direction(ri), ri->peer, ri->proto, ri->match);
		fprintf(out, "  %-60.60s %12llu %14llu\n", text, (unsigned long long)c->packets,
			(unsigned long long)c->bytes);
	}
	for (unsigned i = 0; i < PC_CNT_IMPLICIT; i++) {
		char text[64];

		snprintf(text, sizeof(text), "%s%s", implicit_names[i],
			 i == PC_CNT_NO_MATCH && s->load.egress_enforce ? " (dropped)" : "");
		fprintf(out, "  %-60s %12llu %14llu\n", text,
			(unsigned long long)s->ecount[i].packets,
			(unsigned long long)s->ecount[i].bytes);
	}
}

static void print_table(const char *ifname, const struct pc_snapshot *s, const struct rates *rt,
			FILE *out)
{
	uint64_t tp = 0, tb = 0;
	char when[64];
	time_t t = (time_t)s->load.loaded_at;

	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime(&t));
	fprintf(out, "%s: %s (%u rules, %s mode, loaded %s)\n", ifname, s->load.profile, s->n_rules,
		s->load.mode == XDP_FLAGS_SKB_MODE ? "generic" : "native", when);
	pc_features_line(out, "", s->load.features);
	fputc('\n', out);
	fprintf(out, "%5s  %-5s %-3s  %-16s %-8s %-20s %12s %14s%s  %s\n", "line", "rule", "dir",
		"peer", "proto", "match", "packets", "bytes", rt->prev ? "      pkt/s" : "",
		"label");
	for (uint32_t r = 0; r < s->n_rules; r++) {
		const struct pc_rule_info *ri = &s->info[r];

		fprintf(out, "%5u  %-5s %-3s  %-16s %-8s %-20s", ri->line, pc_rule_action(ri),
			pc_rule_direction(ri), ri->peer, ri->proto,
			ri->match[0] ? ri->match : "(all)");
		print_counts(out, s, PC_CNT_IMPLICIT + r, rt);
		fprintf(out, "  %s\n", ri->label);
		tp += s->count[PC_CNT_IMPLICIT + r].packets;
		tb += s->count[PC_CNT_IMPLICIT + r].bytes;
	}
	fprintf(out, "\n%-62s %12s %14s%s\n", "implicit", "packets", "bytes",
		rt->prev ? "      pkt/s" : "");
	for (unsigned i = 0; i < PC_CNT_IMPLICIT; i++) {
		fprintf(out, "  %-60s", implicit_names[i]);
		print_counts(out, s, i, rt);
		fputc('\n', out);
		tp += s->count[i].packets;
		tb += s->count[i].bytes;
	}
	fprintf(out, "  %-60s %12llu %14llu\n", "total (frames seen)", (unsigned long long)tp,
		(unsigned long long)tb);
	if (s->ecount)
		print_egress_table(s, out);
}

static void json_count(FILE *out, const struct pc_count *c)
{
	fprintf(out, "\"packets\": %llu, \"bytes\": %llu", (unsigned long long)c->packets,
		(unsigned long long)c->bytes);
}

static void json_implicit(FILE *out, const struct pc_count *count)
{
	fputs("{", out);
	for (unsigned i = 0; i < PC_CNT_IMPLICIT; i++) {
		fprintf(out, "%s\"%s\": {", i ? ", " : "", implicit_names[i]);
		json_count(out, &count[i]);
		fputs("}", out);
	}
	fputs("}", out);
}

static void print_json(const char *ifname, const struct pc_snapshot *s, FILE *out)
{
	fputs("{\"interface\": ", out);
	pc_json_str(out, ifname);
	fputs(", \"profile\": ", out);
	pc_json_str(out, s->load.profile);
	fputs(", ", out);
	pc_features_json(out, s->load.features);
	fputs(", \"rules\": [", out);
	for (uint32_t r = 0; r < s->n_rules; r++) {
		const struct pc_rule_info *ri = &s->info[r];

		fputs(r ? ",\n  {" : "\n  {", out);
		pc_rule_json_fields(out, ri);
		fputs(", ", out);
		json_count(out, &s->count[PC_CNT_IMPLICIT + r]);
		if (s->ecount) {
			fputs(", \"egress\": {", out);
			json_count(out, &s->ecount[PC_CNT_IMPLICIT + r]);
			fputs("}", out);
		}
		fputs("}", out);
	}
	fputs("],\n \"implicit\": ", out);
	json_implicit(out, s->count);
	if (s->ecount) {
		fprintf(out, ",\n \"egress\": {\"hook\": \"%s\", \"mode\": \"%s\", \"implicit\": ",
			pc_egress_hook_name(s->load.egress_hook),
			s->load.egress_enforce ? "enforce" : "open");
		json_implicit(out, s->ecount);
		fputs("}", out);
	}
	fputs("}\n", out);
}

static void prom_rule_labels(FILE *out, const char *ifname, const struct pc_rule_info *ri)
{
	fputs("{interface=\"", out);
	pc_prom_label(out, ifname);
	fprintf(out, "\",line=\"%u\",action=\"%s\",direction=\"%s\",peer=\"", ri->line,
		pc_rule_action(ri), pc_rule_direction(ri));
	pc_prom_label(out, ri->peer);
	fputs("\",proto=\"", out);
	pc_prom_label(out, ri->proto);
	fputs("\",match=\"", out);
	pc_prom_label(out, ri->match);
	fputs("\",label=\"", out);
	pc_prom_label(out, ri->label);
	fputs("\"}", out);
}

/* The same families for one side: "" (ingress, the XDP program) or "egress_". */
static void print_prom_side(const char *ifname, const struct pc_snapshot *s,
			    const struct pc_count *count, const char *side, FILE *out)
{
	static const char *const what[2] = { "packets", "bytes" };

	for (int w = 0; w < 2; w++) {
		fprintf(out, "# HELP portcullis_%srule_%s_total %s decided by a profile rule%s.\n",
			side, what[w], w ? "Bytes of frames" : "Frames",
			side[0] ? " at the egress hook" : "");
		fprintf(out, "# TYPE portcullis_%srule_%s_total counter\n", side, what[w]);
		for (uint32_t r = 0; r < s->n_rules; r++) {
			const struct pc_count *c = &count[PC_CNT_IMPLICIT + r];

			fprintf(out, "portcullis_%srule_%s_total", side, what[w]);
			prom_rule_labels(out, ifname, &s->info[r]);
			fprintf(out, " %llu\n", (unsigned long long)(w ? c->bytes : c->packets));
		}
		fprintf(out,
			"# HELP portcullis_%simplicit_%s_total %s no rule decided, by outcome%s.\n",
			side, what[w], w ? "Bytes of frames" : "Frames",
			side[0] ? ", at the egress hook" : "");
		fprintf(out, "# TYPE portcullis_%simplicit_%s_total counter\n", side, what[w]);
		for (unsigned i = 0; i < PC_CNT_IMPLICIT; i++) {
			fprintf(out, "portcullis_%simplicit_%s_total{interface=\"", side, what[w]);
			pc_prom_label(out, ifname);
			fprintf(out, "\",outcome=\"%s\"} %llu\n", implicit_names[i],
				(unsigned long long)(w ? count[i].bytes : count[i].packets));
		}
	}
}

static void print_prom(const char *ifname, const struct pc_snapshot *s, FILE *out)
{
	print_prom_side(ifname, s, s->count, "", out);
	if (s->ecount)
		print_prom_side(ifname, s, s->ecount, "egress_", out);
}

void pc_stats_print(const char *ifname, const struct pc_snapshot *s, const struct pc_snapshot *prev,
		    double secs, enum pc_format f, FILE *out)
{
	/* A reload in between makes the old counts another program's. */
	bool same = prev && secs > 0 && prev->load.loaded_at == s->load.loaded_at &&
		    prev->n_rules == s->n_rules;
	struct rates rt = { same ? prev : NULL, secs };

	if (f == PC_FMT_JSON)
		print_json(ifname, s, out);
	else if (f == PC_FMT_PROM)
		print_prom(ifname, s, out);
	else
		print_table(ifname, s, &rt, out);
}

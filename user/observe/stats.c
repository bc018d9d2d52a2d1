// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Prints a snapshot of an interface's counters (kern/snapshot.h reads it) as a
 * table or JSON; observe/prom.c writes the Prometheus text format. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/if_link.h>

#include "core/json.h"
#include "core/rule_text.h"
#include "kern/egress.h"
#include "kern/kernel_features.h"
#include "kern/pins.h"
#include "kern/program.h"
#include "kern/state.h"
#include "observe/stats.h"

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

		snprintf(text, sizeof(text), "%s%s", pc_implicit_name(i),
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
		fprintf(out, "  %-60s", pc_implicit_name(i));
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

static struct json_object *count_json(const struct pc_count *c)
{
	struct json_object *o = json_object_new_object();

	pc_json_add_u64(o, "packets", c->packets);
	pc_json_add_u64(o, "bytes", c->bytes);
	return o;
}

/* {"non_ip": {"packets": N, "bytes": N}, ..., "no_match": {...}} */
static struct json_object *implicit_json(const struct pc_count *count)
{
	struct json_object *o = json_object_new_object();

	for (unsigned i = 0; i < PC_CNT_IMPLICIT; i++)
		pc_json_add(o, pc_implicit_key(i), count_json(&count[i]));
	return o;
}

static void print_json(const char *ifname, const struct pc_snapshot *s, FILE *out)
{
	struct json_object *o = json_object_new_object(), *rules = json_object_new_array();
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	pc_json_add(o, "timestamp", pc_json_time(now.tv_sec * 1000000000LL + now.tv_nsec));
	pc_json_add_str(o, "interface", ifname);
	pc_json_add_str(o, "profile", s->load.profile);
	pc_json_add_str(o, "xdp_mode", s->load.mode == XDP_FLAGS_SKB_MODE ? "generic" : "native");
	pc_json_add(o, "loaded_at", pc_json_time((long long)s->load.loaded_at * 1000000000LL));
	pc_json_add(o, "kernel_features", pc_features_json(s->load.features));
	pc_json_add_str(o, "egress_hook",
			s->ecount ? pc_egress_hook_name(s->load.egress_hook) : NULL);
	pc_json_add_str(o, "egress_policy", s->load.egress_enforce ? "enforce" : "open");
	for (uint32_t r = 0; r < s->n_rules; r++) {
		struct json_object *rule = pc_rule_json(&s->info[r]);
		const struct pc_count *c = &s->count[PC_CNT_IMPLICIT + r];

		pc_json_add_u64(rule, "packets", c->packets);
		pc_json_add_u64(rule, "bytes", c->bytes);
		pc_json_add(rule, "egress",
			    s->ecount ? count_json(&s->ecount[PC_CNT_IMPLICIT + r]) : NULL);
		json_object_array_add(rules, rule);
	}
	pc_json_add(o, "rules", rules);
	pc_json_add(o, "implicit", implicit_json(s->count));
	pc_json_add(o, "egress_implicit", s->ecount ? implicit_json(s->ecount) : NULL);
	pc_json_print(out, o);
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
	else
		print_table(ifname, s, &rt, out);
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `explain`: why is this packet passed or dropped? The answer comes from the real
 * program, not from a model of it: the packet is built as a frame and run with
 * BPF_PROG_TEST_RUN through either a program compiled from a profile or a twin of the
 * one running on an interface (sharing its pinned tables, with counters of its own so
 * the live ones do not move). */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "core/json.h"
#include "core/rule_text.h"
#include "kern/judge.h"
#include "kern/pins.h"
#include "kern/program.h"
#include "kern/snapshot.h"
#include "observe/explain.h"
#include "observe/subject.h"
#include "traffic/packet_words.h"

static const struct pc_rule_info *deciding_rule(const struct pc_subject *s, int counter)
{
	if (counter >= PC_CNT_IMPLICIT && (uint32_t)(counter - PC_CNT_IMPLICIT) < s->n_rules)
		return &s->info[counter - PC_CNT_IMPLICIT];
	return NULL;
}

/* Why the rule or implicit outcome decided, in a sentence (text and JSON alike). */
static const char *why_text(const struct pc_subject *s, const struct pc_packet *pr, int counter,
			    char *buf, size_t n)
{
	const struct pc_rule_info *r = deciding_rule(s, counter);

	if (r && r->direction == PC_DIR_OUT && s->opt.state)
		return "a reply of a flow the appliance opened, which this out rule allowed "
		       "(state on)";
	if (r && r->direction == PC_DIR_OUT) {
		snprintf(buf, n, "a reply to traffic the appliance starts (state off: %s)",
			 pr->kind == PC_PACKET_TCP
				 ? "TCP with ACK from the rule's port to the ephemeral range"
			 : pr->kind == PC_PACKET_UDP
				 ? "UDP from the rule's port to the ephemeral range"
				 : "echo-reply for an echo-request rule");
		return buf;
	}
	if (r)
		return "the first rule, in profile order, that matches";
	switch (counter) {
	case PC_CNT_NO_MATCH:
		snprintf(buf, n, "no rule matches; the default policy %s it (`set default`)",
			 s->opt.default_pass ? "passes" : "drops");
		return buf;
	case PC_CNT_NDP:
		return "IPv6 neighbour discovery (ICMPv6 133-137 with hop limit 255) always "
		       "passes: without it no IPv6 address resolves";
	case PC_CNT_NON_IP:
		snprintf(buf, n, "not IPv4/IPv6: the non-ip policy (`set non-ip`) %s it",
			 s->opt.non_ip_pass ? "passes" : "drops");
		return buf;
	default:
		return "see docs/architecture.md for the implicit outcomes";
	}
}

/* What else an operator needs to know about a no-match under state on, or NULL. */
static const char *flow_note(const struct pc_subject *s, const struct pc_packet *pr, int counter)
{
	if (counter == PC_CNT_NO_MATCH && s->opt.state && pr->kind != PC_PACKET_ARP)
		return "and it belongs to no flow the appliance opened (state on: replies pass "
		       "only as part of one; `portcullis flows IFACE` lists them)";
	return NULL;
}

static void describe_outcome(const struct pc_subject *s, const struct pc_packet *pr, int counter,
			     uint32_t action, FILE *out)
{
	const struct pc_rule_info *r = deciding_rule(s, counter);
	const char *note = flow_note(s, pr, counter);
	char text[512], why[256];

	fprintf(out, "verdict  %s\n", action == XDP_PASS ? "PASS" : "DROP");
	if (r)
		fprintf(out, "rule     line %u: %s\n", r->line,
			pc_rule_text(r, text, sizeof(text)));
	else
		fprintf(out, "rule     none: %s\n", pc_implicit_name(counter));
	fprintf(out, "why      %s\n", why_text(s, pr, counter, why, sizeof(why)));
	if (note)
		fprintf(out, "         %s\n", note);
	if (r)
		fprintf(out, "profile  %s:%u%s%s\n",
			pc_rule_file(r, s->files, s->n_files)[0]
				? pc_rule_file(r, s->files, s->n_files)
				: s->origin,
			r->line, s->live[0] ? ", " : "", s->live);
	else
		fprintf(out, "profile  %s%s%s\n", s->origin, s->live[0] ? ", " : "", s->live);
}

/* The same as one JSON object. */
static void outcome_json(const struct pc_subject *s, const char *ifname, const struct pc_packet *pr,
			 int counter, uint32_t action, FILE *out)
{
	const struct pc_rule_info *r = deciding_rule(s, counter);
	struct json_object *o = json_object_new_object(), *rule = NULL;
	char *packet = NULL, why[256];
	size_t len = 0;
	FILE *f = open_memstream(&packet, &len);

	if (f) {
		pc_packet_describe(pr, f);
		fclose(f);
	}
	if (r) {
		rule = pc_rule_json(r);
		pc_json_add(rule, "file",
			    pc_json_string_or_null(pc_rule_file(r, s->files, s->n_files)));
	}
	pc_json_add_str(o, "packet", packet);
	pc_json_add_str(o, "verdict", action == XDP_PASS ? "pass" : "drop");
	pc_json_add_str(o, "counter", r ? "rule" : pc_implicit_key(counter));
	pc_json_add(o, "rule", rule);
	pc_json_add_str(o, "why", why_text(s, pr, counter, why, sizeof(why)));
	pc_json_add_str(o, "note", flow_note(s, pr, counter));
	pc_json_add_str(o, "profile", s->origin);
	pc_json_add_str(o, "interface", ifname);
	pc_json_print(out, o);
	free(packet);
}

/* The packet's verdict from the subject's program: exactly one counter moves. */
static int judge(const struct pc_subject *s, const struct pkt *f, struct pc_verdict *v,
		 struct pc_err *e)
{
	struct pc_judge j;
	int err;

	if (pc_program_judge_init(s->skel, s->n_rules, 0, &j, e))
		return -1;
	err = pc_judge_run(&j, f->data, f->len, -1, v, e);
	pc_judge_free(&j);
	if (!err && v->moved != 1)
		err = pc_fail(e, 0, NULL,
			      "the program counted the packet on %u counters; please report",
			      v->moved);
	return err;
}

int pc_explain(const char *ifname, const char *profile, int argc, char **argv, bool json, FILE *out,
	       struct pc_err *e)
{
	struct pc_subject s = { 0 };
	struct pc_packet pr;
	struct pkt f;
	struct pc_verdict v = { .counter = -1 };
	int err;

	if (pc_packet_parse(argc, argv, &pr, e))
		return -1;
	pc_packet_frame(&pr, &f);
	err = profile ? pc_subject_from_profile(profile, &s, e)
		      : pc_subject_from_iface(ifname, &s, e);
	if (!err)
		err = judge(&s, &f, &v, e);
	if (!err && json) {
		outcome_json(&s, ifname, &pr, v.counter, v.action, out);
	} else if (!err) {
		fputs("packet   ", out);
		pc_packet_describe(&pr, out);
		fputc('\n', out);
		describe_outcome(&s, &pr, v.counter, v.action, out);
	}
	pc_subject_free(&s, profile != NULL);
	return err;
}

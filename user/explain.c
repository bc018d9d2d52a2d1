// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `explain`: why is this packet passed or dropped? The answer comes from the real
 * program, not from a model of it: the packet is built as a frame and run with
 * BPF_PROG_TEST_RUN through either a program compiled from a profile or a twin of the
 * one running on an interface (sharing its pinned tables, with counters of its own so
 * the live ones do not move). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "explain.h"
#include "pins.h"
#include "pkt.h"
#include "program.h"
#include "rule_text.h"
#include "stats.h"

enum probe_kind { PROBE_TCP, PROBE_UDP, PROBE_ICMP, PROBE_ICMP6, PROBE_ARP };

struct probe {
	enum probe_kind kind;
	int family;
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	unsigned sport, dport, type;
	uint8_t flags;
	int vlan; /* -1: untagged */
	bool has_dport, has_type;
};

static int parse_number(const char *s, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || end == s || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_flags(char *s, uint8_t *flags)
{
	static const struct {
		const char *name;
		uint8_t bit;
	} names[] = { { "syn", PKT_SYN }, { "ack", PKT_ACK }, { "fin", PKT_FIN },
		      { "rst", PKT_RST }, { "psh", PKT_PSH }, { "urg", PKT_URG } };
	char *save, *tok;

	*flags = 0;
	for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (!strcmp(tok, names[i].name))
				break;
		if (i == sizeof(names) / sizeof(names[0]))
			return -1;
		*flags |= names[i].bit;
	}
	return 0;
}

static int set_addr(char *dst, const char *s, int *family)
{
	uint8_t buf[16];
	int fam = inet_pton(AF_INET, s, buf) == 1 ? 4 : inet_pton(AF_INET6, s, buf) == 1 ? 6 : 0;

	if (!fam || (*family && *family != fam))
		return -1;
	*family = fam;
	snprintf(dst, INET6_ADDRSTRLEN, "%s", s);
	return 0;
}

#define PACKET_USAGE                                                                               \
	"PROTO from ADDR [port N] [to [ADDR] [port N]] [type T] [flags syn,ack,...] "              \
	"[vlan ID], PROTO one of tcp, udp, icmp, icmp6, arp; e.g. `tcp from "                      \
	"198.51.100.7 to port 25`"

static int packet_error(struct pc_err *e, const char *what, const char *word)
{
	return pc_usage(e, "%s%s%s; a packet is written " PACKET_USAGE, what, word ? ": " : "",
			word ? word : "");
}

/* Reads the words of a PACKET after PROTO. */
static int parse_words(int argc, char **argv, struct probe *pr, struct pc_err *e)
{
	bool to = false;

	for (int i = 0; i < argc; i++) {
		const char *w = argv[i], *arg = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(w, "to")) {
			to = true;
			if (arg && strcmp(arg, "port") && !set_addr(pr->dst, arg, &pr->family))
				i++;
			continue;
		}
		if (!arg)
			return packet_error(e, "missing a value after", w);
		i++;
		if (!strcmp(w, "from")) {
			if (set_addr(pr->src, arg, &pr->family))
				return packet_error(e, "not an address of the packet's family",
						    arg);
		} else if (!strcmp(w, "port")) {
			unsigned *port = to ? &pr->dport : &pr->sport;

			if (parse_number(arg, 65535, port))
				return packet_error(e, "not a port (0-65535)", arg);
			pr->has_dport |= to;
		} else if (!strcmp(w, "type")) {
			int t = pc_icmp_type_by_name(arg, pr->kind == PROBE_ICMP6);

			if (t >= 0)
				pr->type = t;
			else if (parse_number(arg, 255, &pr->type))
				return packet_error(e, "not an ICMP type", arg);
			pr->has_type = true;
		} else if (!strcmp(w, "flags")) {
			char buf[64];

			snprintf(buf, sizeof(buf), "%s", arg);
			if (parse_flags(buf, &pr->flags))
				return packet_error(e, "flags are syn, ack, fin, rst, psh, urg",
						    arg);
		} else if (!strcmp(w, "vlan")) {
			unsigned v;

			if (parse_number(arg, 4095, &v))
				return packet_error(e, "not a VLAN id (0-4095)", arg);
			pr->vlan = v;
		} else {
			return packet_error(e, "unexpected word", w);
		}
	}
	return 0;
}

static int parse_probe(int argc, char **argv, struct probe *pr, struct pc_err *e)
{
	static const char *const kinds[] = { "tcp", "udp", "icmp", "icmp6", "arp" };
	size_t k;

	memset(pr, 0, sizeof(*pr));
	pr->vlan = -1;
	pr->sport = 40000;
	pr->flags = PKT_SYN;
	if (argc < 1)
		return packet_error(e, "no packet given", NULL);
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (!strcmp(argv[0], kinds[k]))
			break;
	if (k == sizeof(kinds) / sizeof(kinds[0]))
		return packet_error(e, "unknown protocol", argv[0]);
	pr->kind = k;
	if (!strcmp(argv[0], "icmp6"))
		pr->family = 6;
	if (!strcmp(argv[0], "icmp"))
		pr->family = 4;
	if (parse_words(argc - 1, argv + 1, pr, e))
		return -1;
	if (pr->kind == PROBE_ARP)
		return 0;
	if (!pr->src[0])
		return packet_error(e, "the packet needs a source", "from ADDR");
	if ((pr->kind == PROBE_TCP || pr->kind == PROBE_UDP) && !pr->has_dport)
		return packet_error(e, "a TCP or UDP packet needs its destination port",
				    "to port N");
	if ((pr->kind == PROBE_ICMP || pr->kind == PROBE_ICMP6) && !pr->has_type)
		return packet_error(e, "an ICMP packet needs its type", "type T");
	if (!pr->dst[0])
		snprintf(pr->dst, sizeof(pr->dst), "%s",
			 pr->family == 4 ? "192.0.2.1" : "2001:db8::1");
	return 0;
}

static void build_frame(const struct probe *pr, struct pkt *f)
{
	pkt_init(f);
	if (pr->vlan >= 0)
		pkt_vlan(f, 0x8100, pr->vlan);
	if (pr->kind == PROBE_ARP) {
		pkt_next(f, 0x0806);
		pkt_payload(f, 28);
		return;
	}
	if (pr->family == 4)
		PKT_IPV4(f, .src = pr->src, .dst = pr->dst);
	else
		PKT_IPV6(f, .src = pr->src, .dst = pr->dst);
	if (pr->kind == PROBE_TCP)
		PKT_TCP(f, .sport = pr->sport, .dport = pr->dport, .flags = pr->flags);
	else if (pr->kind == PROBE_UDP)
		PKT_UDP(f, .sport = pr->sport, .dport = pr->dport);
	else if (pr->kind == PROBE_ICMP)
		pkt_icmp(f, pr->type, 0);
	else
		pkt_icmp6(f, pr->type, 0);
	pkt_payload(f, 8);
}

static void describe_probe(const struct probe *pr, FILE *out)
{
	static const char *const names[] = { "tcp", "udp", "icmp", "icmp6", "arp" };
	bool v6 = pr->family == 6;

	fprintf(out, "packet   %s", names[pr->kind]);
	if (pr->kind == PROBE_TCP || pr->kind == PROBE_UDP)
		fprintf(out, " %s%s%s:%u -> %s%s%s:%u", v6 ? "[" : "", pr->src, v6 ? "]" : "",
			pr->sport, v6 ? "[" : "", pr->dst, v6 ? "]" : "", pr->dport);
	else if (pr->kind != PROBE_ARP)
		fprintf(out, " %s -> %s type %u", pr->src, pr->dst, pr->type);
	if (pr->kind == PROBE_TCP) {
		fputs(" [", out);
		fputs(pr->flags & PKT_SYN ? "S" : "", out);
		fputs(pr->flags & PKT_ACK ? "A" : "", out);
		fputs(pr->flags & PKT_FIN ? "F" : "", out);
		fputs(pr->flags & PKT_RST ? "R" : "", out);
		fputs("]", out);
	}
	if (pr->vlan >= 0)
		fprintf(out, " vlan %d", pr->vlan);
	fputc('\n', out);
}

/* What the program to ask is: its fds, the rules' texts, and where they came from. */
struct subject {
	struct portcullis *skel;
	uint32_t n_rules;
	struct pc_rule_info *info; /* n_rules */
	struct pc_options opt;
	char origin[256]; /* profile path */
	char live[64];	  /* "running on IFACE" for a twin */
	/* --profile only */
	struct pc_profile p;
	struct pc_diags d;
	struct pc_image img;
};

static int subject_from_profile(const char *path, struct subject *s, struct pc_err *e)
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
	s->opt = s->p.opt;
	snprintf(s->origin, sizeof(s->origin), "%s", path);
	return 0;
}

/* The twin: the running program's tables and flow table (pinned maps reused), its
 * settings from load_info, and counters of its own. */
static int subject_from_iface(const char *ifname, struct subject *s, struct pc_err *e)
{
	static const char *const shared[] = { "trie_root", "trie_chunks", "dirs",
					      "pages",	   "flows",	  "flow_remap" };
	struct pc_snapshot snap;
	struct pc_lineage lin = { .flows_fd = -1 };
	struct bpf_map *maps[6];
	int err;

	if (pc_snapshot_read(ifname, &snap, e))
		return -1;
	s->n_rules = snap.n_rules;
	s->info = snap.info;
	snap.info = NULL;
	pc_load_info_options(&snap.load, &s->opt);
	lin.gen = snap.load.gen;
	lin.gen_prev = snap.load.gen ? snap.load.gen - 1 : 0;
	snprintf(s->origin, sizeof(s->origin), "%s", snap.load.profile);
	snprintf(s->live, sizeof(s->live), "running on %s", ifname);
	pc_snapshot_free(&snap);
	s->skel = portcullis__open();
	if (!s->skel)
		return pc_fail(e, errno, NULL, "opening the BPF object");
	maps[0] = s->skel->maps.trie_root;
	maps[1] = s->skel->maps.trie_chunks;
	maps[2] = s->skel->maps.dirs;
	maps[3] = s->skel->maps.pages;
	maps[4] = s->skel->maps.flows;
	maps[5] = s->skel->maps.flow_remap;
	for (int i = 0; i < 6; i++) {
		struct pc_err ignore;
		int fd = pc_pin_open(ifname, shared[i], i < 4 ? e : &ignore);

		if (fd < 0 && i >= 4)
			continue; /* a program from before the flow table */
		if (fd < 0)
			return -1;
		err = bpf_map__reuse_fd(maps[i], fd);
		close(fd);
		if (err)
			return pc_fail(e, err, NULL, "reusing the pinned map %s", shared[i]);
	}
	bpf_map__set_max_entries(s->skel->maps.counters, PC_CNT_IMPLICIT + s->n_rules);
	pc_program_set_options(s->skel, &s->opt);
	pc_program_set_lineage(s->skel, s->n_rules, &lin);
	err = portcullis__load(s->skel);
	if (err)
		return pc_fail(e, err, "run with -v to see the verifier log",
			       "loading a twin of the running program");
	return 0;
}

static void subject_free(struct subject *s, bool from_profile)
{
	portcullis__destroy(s->skel);
	if (from_profile) {
		pc_image_free(&s->img);
		pc_profile_free(&s->p);
		pc_diags_free(&s->d);
	} else {
		free(s->info);
	}
}

static void describe_outcome(const struct subject *s, const struct probe *pr, int counter,
			     uint32_t action, FILE *out)
{
	fprintf(out, "verdict  %s\n", action == XDP_PASS ? "PASS" : "DROP");
	if (counter >= PC_CNT_IMPLICIT && (uint32_t)(counter - PC_CNT_IMPLICIT) < s->n_rules) {
		const struct pc_rule_info *r = &s->info[counter - PC_CNT_IMPLICIT];
		char text[512];

		fprintf(out, "rule     line %u: %s\n", r->line,
			pc_rule_text(r, text, sizeof(text)));
		if (r->direction == PC_DIR_OUT && s->opt.state)
			fprintf(out, "why      a reply of a flow the appliance opened, which this "
				     "out rule allowed (state on)\n");
		else if (r->direction == PC_DIR_OUT)
			fprintf(out,
				"why      a reply to traffic the appliance starts (state off: "
				"%s)\n",
				pr->kind == PROBE_TCP
					? "TCP with ACK from the rule's port to the ephemeral range"
				: pr->kind == PROBE_UDP
					? "UDP from the rule's port to the ephemeral range"
					: "echo-reply for an echo-request rule");
		else
			fprintf(out, "why      the first rule, in profile order, that matches\n");
		fprintf(out, "profile  %s:%u%s%s\n", r->file[0] ? r->file : s->origin, r->line,
			s->live[0] ? ", " : "", s->live);
		return;
	}
	fprintf(out, "rule     none: %s\n", pc_implicit_name(counter));
	switch (counter) {
	case PC_CNT_NO_MATCH:
		fprintf(out, "why      no rule matches; the default policy %s it (`set default`)\n",
			s->opt.default_pass ? "passes" : "drops");
		if (s->opt.state && pr->kind != PROBE_ARP)
			fprintf(out, "         and it belongs to no flow the appliance opened "
				     "(state on: replies pass only as part of one; `portcullis "
				     "flows IFACE` lists them)\n");
		break;
	case PC_CNT_NON_IP:
		fprintf(out, "why      not IPv4/IPv6: the non-ip policy (`set non-ip`) %s it\n",
			s->opt.non_ip_pass ? "passes" : "drops");
		break;
	default:
		fprintf(out, "why      see docs/architecture.md for the implicit outcomes\n");
	}
	fprintf(out, "profile  %s%s%s\n", s->origin, s->live[0] ? ", " : "", s->live);
}

int pc_explain(const char *ifname, const char *profile, int argc, char **argv, FILE *out,
	       struct pc_err *e)
{
	struct subject s = { 0 };
	struct probe pr;
	struct pkt f;
	uint32_t action = 0;
	int counter, err;

	if (parse_probe(argc, argv, &pr, e))
		return -1;
	build_frame(&pr, &f);
	err = profile ? subject_from_profile(profile, &s, e) : subject_from_iface(ifname, &s, e);
	if (!err)
		err = pc_program_judge(bpf_program__fd(s.skel->progs.portcullis_xdp),
				       bpf_map__fd(s.skel->maps.counters),
				       PC_CNT_IMPLICIT + s.n_rules, f.data, f.len, &action,
				       &counter, e);
	if (!err && counter < 0)
		err = pc_fail(e, 0, NULL, "the program counted the packet nowhere; please report");
	if (!err) {
		describe_probe(&pr, out);
		describe_outcome(&s, &pr, counter, action, out);
	}
	subject_free(&s, profile != NULL);
	return err;
}

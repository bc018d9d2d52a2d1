// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Prints the matrix: for each direction and peer, in order of first appearance, the
 * rules with their action, protocol, ports or types, label and line. */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "compile/matrix.h"
#include "core/mapmem.h"
#include "profile/prefix.h"

static void print_zones(const struct pc_profile *p, FILE *out)
{
	if (!p->n_zones)
		return;
	fprintf(out, "Zones (every other address is \"internet\")\n");
	for (size_t z = 0; z < p->n_zones; z++) {
		char buf[INET6_ADDRSTRLEN + 4];

		fprintf(out, "  %-16s", p->zones[z].name);
		for (size_t i = 0; i < p->zones[z].n_prefixes; i++) {
			fputs(i ? ", " : " ", out);
			fputs(pc_prefix_text(&p->zones[z].prefixes[i], buf, sizeof(buf)), out);
		}
		fputs(p->zones[z].n_prefixes ? "\n" : " (no address)\n", out);
	}
	fputc('\n', out);
}

static const char *group_title(const struct pc_rule *r, char *buf, size_t len)
{
	const char *peer = r->peer_text;
	bool net = !strcmp(peer, "internet");

	if (r->dir == PC_DIR_IN)
		snprintf(buf, len, "%s to appliance  (in from %s)", net ? "Internet" : peer, peer);
	else
		snprintf(buf, len, "Appliance to %s  (out to %s)", net ? "Internet" : peer, peer);
	return buf;
}

static bool same_group(const struct pc_rule *a, const struct pc_rule *b)
{
	return a->dir == b->dir && !strcmp(a->peer_text, b->peer_text);
}

static void print_rule(const struct pc_profile *p, const struct pc_image *img, size_t r,
		       const struct pc_diags *d, FILE *out)
{
	const struct pc_rule *rule = &p->rules[r];
	const char *file = rule->pos.src >= 0 && (size_t)rule->pos.src < d->n_sources
				   ? d->sources[rule->pos.src].path
				   : "";
	const char *note = "";

	if (!img->wins[r] && img->lost[r])
		note = "  [shadowed]";
	else if (!img->wins[r] && rule->dir == PC_DIR_OUT && !p->opt.state)
		note = "  [admits no reply statelessly]";
	fprintf(out, "  %-5s %-8s %-22s %-40s %s:%d%s\n",
		rule->action == PC_ACT_PASS ? "allow" : "drop", rule->proto_text,
		rule->match_text[0] ? rule->match_text : "(all)", rule->label, file, rule->pos.line,
		note);
}

static void print_policy(const struct pc_profile *p, const struct pc_image *img, FILE *out)
{
	const struct pc_options *o = &p->opt;

	fprintf(out, "\nEverything else: %s (counter no-match)\n",
		o->default_pass ? "PASS (observe-only rollout)" : "drop");
	if (!o->state)
		fprintf(out,
			"Replies (state off): out rules admit TCP with ACK and UDP from the "
			"rule's ports to %u-%u, and echo-reply for echo-request\n",
			o->eph_lo, o->eph_hi);
	else
		fprintf(out,
			"Replies (state on): of the flows the appliance opens that an out rule "
			"allows, up to %u, idle for at most tcp %u s, udp %u s, icmp %u s\n",
			o->flows_max, o->timeout_tcp, o->timeout_udp, o->timeout_icmp);
	fprintf(out, "Egress: %s\n",
		o->egress_enforce ? "enforce (what no out rule allows and is no reply to an in "
				    "rule's flow is dropped)"
				  : "open (counted, not dropped)");
	fprintf(out, "Non-IP frames (ARP...): %s; IPv6 neighbour discovery: pass\n",
		o->non_ip_pass ? "pass" : "drop");
	fprintf(out, "Later fragments: %s\n",
		o->fragments == PC_FRAG_TRACK  ? "follow their first fragment (track)"
		: o->fragments == PC_FRAG_PASS ? "pass"
					       : "drop");
	fprintf(out,
		"Compiled: %u rules, %u address classes, %u trie chunks, %u pages, "
		"%.1f KiB of rule tables\n",
		img->n_rules, img->n_classes, img->n_chunks, img->n_pages,
		pc_image_bytes(img) / 1024.0);
	/* The flow table is most of a large load: say what it costs before it is paid. */
	fprintf(out,
		"Flow table: %u entries, about %.1f MiB of kernel memory allocated whole at "
		"load (`set flows`; `status` shows the kernel's own figure)\n",
		o->flows_max, (double)o->flows_max * PC_FLOW_ENTRY_BYTES / (1024.0 * 1024.0));
}

void pc_matrix_print(const struct pc_profile *p, const struct pc_image *img,
		     const struct pc_diags *d, FILE *out)
{
	bool *done = calloc(p->n_rules + 1, sizeof(*done));
	char title[160];

	if (!done)
		return;
	print_zones(p, out);
	for (size_t g = 0; g < p->n_rules; g++) {
		if (done[g])
			continue;
		fprintf(out, "%s\n", group_title(&p->rules[g], title, sizeof(title)));
		for (size_t r = g; r < p->n_rules; r++) {
			if (done[r] || !same_group(&p->rules[g], &p->rules[r]))
				continue;
			done[r] = true;
			print_rule(p, img, r, d, out);
		}
		fputc('\n', out);
	}
	free(done);
	print_policy(p, img, out);
}

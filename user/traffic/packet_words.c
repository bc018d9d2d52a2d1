// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The PACKET words of packet.h: parsed, built into a frame, described, written back. */
#include <stdlib.h>
#include <string.h>

#include "core/options.h"
#include "profile/profile.h"
#include "traffic/packet_words.h"

static const char *const kind_names[] = { "tcp", "udp", "icmp", "icmp6", "arp" };

/* The command line's one number parser: digits only, so "-1" is not 4294967295. */
static int parse_number(const char *s, unsigned max, unsigned *out)
{
	unsigned long long v;

	if (pc_parse_number(s, 0, max, &v))
		return -1;
	*out = v;
	return 0;
}

static const struct {
	const char *name;
	uint8_t bit;
} flag_names[] = { { "syn", PKT_SYN }, { "ack", PKT_ACK }, { "fin", PKT_FIN },
		   { "rst", PKT_RST }, { "psh", PKT_PSH }, { "urg", PKT_URG } };

#define N_FLAGS (sizeof(flag_names) / sizeof(flag_names[0]))

static int parse_flags(char *s, uint8_t *flags)
{
	char *save, *tok;

	*flags = 0;
	if (!strcmp(s, "none"))
		return 0;
	for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; i < N_FLAGS; i++)
			if (!strcmp(tok, flag_names[i].name))
				break;
		if (i == N_FLAGS)
			return -1;
		*flags |= flag_names[i].bit;
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

static int packet_error(struct pc_err *e, const char *what, const char *word)
{
	return pc_usage(e,
			"%s%s%s; a packet is written " PC_PACKET_SYNTAX
			", PROTO one of tcp, udp, icmp, icmp6, arp; e.g. `tcp from 198.51.100.7 "
			"to port 25`",
			what, word ? ": " : "", word ? word : "");
}

/* Which parts the words gave: each may be written once, and only where it applies. */
struct seen {
	bool from, sport, to, dport, type, flags, vlan;
};

/* `to port 25 to port 26` or `vlan 1 vlan 2` used to keep the last word silently:
 * the packet explained was then not the one the operator meant. */
static int twice(struct pc_err *e, const char *what, const char *why)
{
	char buf[160];

	snprintf(buf, sizeof(buf), "%s is written twice (%s)", what, why);
	return packet_error(e, buf, NULL);
}

/* A word that has no meaning for the packet's protocol is an error, not ignored. */
static int applies(const char *w, const struct pc_packet *pk, struct pc_err *e)
{
	bool ports = pk->kind == PC_PACKET_TCP || pk->kind == PC_PACKET_UDP;
	bool icmp = pk->kind == PC_PACKET_ICMP || pk->kind == PC_PACKET_ICMP6;
	const char *kind = kind_names[pk->kind];
	char buf[160];

	if (pk->kind == PC_PACKET_ARP && strcmp(w, "vlan"))
		snprintf(buf, sizeof(buf), "an arp frame takes only 'vlan', not '%s'", w);
	else if (!strcmp(w, "port") && !ports)
		snprintf(buf, sizeof(buf), "'port' goes with tcp and udp; an %s packet has a type",
			 kind);
	else if (!strcmp(w, "type") && !icmp)
		snprintf(buf, sizeof(buf), "'type' goes with icmp and icmp6; a %s packet has ports",
			 kind);
	else if (!strcmp(w, "flags") && pk->kind != PC_PACKET_TCP)
		snprintf(buf, sizeof(buf), "'flags' goes with tcp only, not %s", kind);
	else
		return 0;
	return packet_error(e, buf, NULL);
}

/* Marks the part that w (and `to`, for port) gives as seen, or reports it twice. */
static int mark(const char *w, bool to, struct seen *seen, struct pc_err *e)
{
	if (!strcmp(w, "from") && seen->from)
		return twice(e, "'from'", "a packet has one source");
	if (!strcmp(w, "from") && to)
		return packet_error(e, "'from' comes before 'to'", NULL);
	if (!strcmp(w, "port") && (to ? seen->dport : seen->sport))
		return twice(e, to ? "the destination port" : "the source port",
			     "a packet has one of each");
	if (!strcmp(w, "type") && seen->type)
		return twice(e, "'type'", "a packet has one ICMP type");
	if (!strcmp(w, "flags") && seen->flags)
		return twice(e, "'flags'", "list every flag once, as flags syn,ack");
	if (!strcmp(w, "vlan") && seen->vlan)
		return twice(e, "'vlan'", "explain builds one VLAN tag at most");
	seen->from |= !strcmp(w, "from");
	seen->sport |= !strcmp(w, "port") && !to;
	seen->dport |= !strcmp(w, "port") && to;
	seen->type |= !strcmp(w, "type");
	seen->flags |= !strcmp(w, "flags");
	seen->vlan |= !strcmp(w, "vlan");
	return 0;
}

static int parse_value(const char *w, const char *arg, bool to, struct pc_packet *pk,
		       struct seen *seen, struct pc_err *e)
{
	static const char *const words[] = { "from", "port", "type", "flags", "vlan" };
	size_t k;

	for (k = 0; k < sizeof(words) / sizeof(words[0]); k++)
		if (!strcmp(w, words[k]))
			break;
	if (k == sizeof(words) / sizeof(words[0]))
		return packet_error(e, "unexpected word", w);
	if (applies(w, pk, e) || mark(w, to, seen, e))
		return -1;
	if (!strcmp(w, "from")) {
		if (set_addr(pk->src, arg, &pk->family))
			return packet_error(e, "not an address of the packet's family", arg);
	} else if (!strcmp(w, "port")) {
		if (parse_number(arg, 65535, to ? &pk->dport : &pk->sport))
			return packet_error(e, "not a port (0-65535)", arg);
	} else if (!strcmp(w, "type")) {
		int t = pc_icmp_type_by_name(arg, pk->kind == PC_PACKET_ICMP6);

		if (t >= 0)
			pk->type = t;
		else if (parse_number(arg, 255, &pk->type))
			return packet_error(e, "not an ICMP type", arg);
	} else if (!strcmp(w, "flags")) {
		char buf[64];

		snprintf(buf, sizeof(buf), "%s", arg);
		if (parse_flags(buf, &pk->flags))
			return packet_error(e, "flags are syn, ack, fin, rst, psh, urg, or none",
					    arg);
	} else {
		unsigned v;

		if (parse_number(arg, 4095, &v))
			return packet_error(e, "not a VLAN id (0-4095)", arg);
		pk->vlan = v;
	}
	return 0;
}

/* Reads the words of a PACKET after PROTO. */
static int parse_words(int argc, char **argv, struct pc_packet *pk, struct seen *seen,
		       struct pc_err *e)
{
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i], *arg = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(w, "to")) {
			if (seen->to)
				return twice(e, "'to'", "a packet has one destination");
			if (applies(w, pk, e))
				return -1;
			seen->to = true;
			if (arg && strcmp(arg, "port") && !set_addr(pk->dst, arg, &pk->family))
				i++;
			continue;
		}
		if (!arg)
			return packet_error(e, "missing a value after", w);
		i++;
		if (parse_value(w, arg, seen->to, pk, seen, e))
			return -1;
	}
	return 0;
}

int pc_packet_parse(int argc, char **argv, struct pc_packet *pk, struct pc_err *e)
{
	struct seen seen = { 0 };
	size_t k;

	memset(pk, 0, sizeof(*pk));
	pk->vlan = -1;
	pk->sport = 40000;
	pk->flags = PKT_SYN;
	if (argc < 1)
		return packet_error(e, "no packet given", NULL);
	for (k = 0; k < sizeof(kind_names) / sizeof(kind_names[0]); k++)
		if (!strcmp(argv[0], kind_names[k]))
			break;
	if (k == sizeof(kind_names) / sizeof(kind_names[0]))
		return packet_error(e, "unknown protocol", argv[0]);
	pk->kind = k;
	if (pk->kind == PC_PACKET_ICMP6)
		pk->family = 6;
	if (pk->kind == PC_PACKET_ICMP)
		pk->family = 4;
	if (parse_words(argc - 1, argv + 1, pk, &seen, e))
		return -1;
	if (pk->kind == PC_PACKET_ARP) {
		pk->family = 0;
		return 0;
	}
	if (!pk->src[0])
		return packet_error(e, "the packet needs a source", "from ADDR");
	if ((pk->kind == PC_PACKET_TCP || pk->kind == PC_PACKET_UDP) && !seen.dport)
		return packet_error(e, "a TCP or UDP packet needs its destination port",
				    "to port N");
	if ((pk->kind == PC_PACKET_ICMP || pk->kind == PC_PACKET_ICMP6) && !seen.type)
		return packet_error(e, "an ICMP packet needs its type", "type T");
	if (!pk->dst[0])
		snprintf(pk->dst, sizeof(pk->dst), "%s",
			 pk->family == 4 ? "192.0.2.1" : "2001:db8::1");
	return 0;
}

bool pc_packet_is_ndp(const struct pc_packet *pk)
{
	return pk->kind == PC_PACKET_ICMP6 && pk->type >= 133 && pk->type <= 137;
}

void pc_packet_frame(const struct pc_packet *pk, struct pkt *f)
{
	pkt_init(f);
	if (pk->vlan >= 0)
		pkt_vlan(f, 0x8100, pk->vlan);
	if (pk->kind == PC_PACKET_ARP) {
		pkt_next(f, 0x0806);
		pkt_payload(f, 28);
		return;
	}
	if (pk->family == 4)
		PKT_IPV4(f, .src = pk->src, .dst = pk->dst);
	else
		PKT_IPV6(f, .src = pk->src, .dst = pk->dst,
			 .hop_limit = pc_packet_is_ndp(pk) ? 255 : 64);
	if (pk->kind == PC_PACKET_TCP)
		PKT_TCP(f, .sport = pk->sport, .dport = pk->dport, .flags = pk->flags);
	else if (pk->kind == PC_PACKET_UDP)
		PKT_UDP(f, .sport = pk->sport, .dport = pk->dport);
	else if (pk->kind == PC_PACKET_ICMP)
		pkt_icmp(f, pk->type, 0);
	else
		pkt_icmp6(f, pk->type, 0);
	pkt_payload(f, 8);
}

static void put_flags(uint8_t flags, bool words, FILE *out)
{
	bool first = true;

	for (size_t i = 0; i < N_FLAGS; i++) {
		if (!(flags & flag_names[i].bit))
			continue;
		if (words)
			fprintf(out, "%s%s", first ? "" : ",", flag_names[i].name);
		else
			fputc(flag_names[i].name[0] - 'a' + 'A', out);
		first = false;
	}
}

void pc_packet_describe(const struct pc_packet *pk, FILE *out)
{
	bool v6 = pk->family == 6;

	fprintf(out, "%s", kind_names[pk->kind]);
	if (pk->kind == PC_PACKET_TCP || pk->kind == PC_PACKET_UDP)
		fprintf(out, " %s%s%s:%u -> %s%s%s:%u", v6 ? "[" : "", pk->src, v6 ? "]" : "",
			pk->sport, v6 ? "[" : "", pk->dst, v6 ? "]" : "", pk->dport);
	else if (pk->kind != PC_PACKET_ARP)
		fprintf(out, " %s -> %s type %u%s", pk->src, pk->dst, pk->type,
			pc_packet_is_ndp(pk) ? " hop limit 255" : "");
	if (pk->kind == PC_PACKET_TCP) {
		fputs(" [", out);
		put_flags(pk->flags, false, out);
		fputs("]", out);
	}
	if (pk->vlan >= 0)
		fprintf(out, " vlan %d", pk->vlan);
}

const char *pc_packet_words(const struct pc_packet *pk, char *buf, size_t len)
{
	FILE *f = fmemopen(buf, len, "w");

	if (!f) {
		snprintf(buf, len, "%s", kind_names[pk->kind]);
		return buf;
	}
	fprintf(f, "%s", kind_names[pk->kind]);
	if (pk->kind != PC_PACKET_ARP)
		fprintf(f, " from %s", pk->src);
	if (pk->kind == PC_PACKET_TCP || pk->kind == PC_PACKET_UDP)
		fprintf(f, " port %u to %s port %u", pk->sport, pk->dst, pk->dport);
	else if (pk->kind != PC_PACKET_ARP)
		fprintf(f, " to %s type %u", pk->dst, pk->type);
	if (pk->kind == PC_PACKET_TCP) {
		fputs(" flags ", f);
		if (pk->flags)
			put_flags(pk->flags, true, f);
		else
			fputs("none", f);
	}
	if (pk->vlan >= 0)
		fprintf(f, " vlan %d", pk->vlan);
	fclose(f);
	return buf;
}

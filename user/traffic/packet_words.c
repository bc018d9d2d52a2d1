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

/* Which parts the words gave: each may be written once (vlan twice), and only where
 * it applies. */
struct seen {
	bool from, sport, to, dport, type, flags, frag, ext;
};

static const char *const frag_names[] = { "whole", "first", "later" };

static const struct {
	const char *name;
	uint8_t nh; /* IPv6 next header */
} ext_names[] = { { "hop", 0 }, { "routing", 43 }, { "dst", 60 }, { "ah", 51 } };

#define N_EXT_NAMES (sizeof(ext_names) / sizeof(ext_names[0]))

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
	if (!strcmp(w, "frag") && seen->frag)
		return twice(e, "'frag'", "a packet is one fragment");
	if (!strcmp(w, "ext") && seen->ext)
		return twice(e, "'ext'", "list every header once, in order, as ext hop,dst");
	seen->from |= !strcmp(w, "from");
	seen->sport |= !strcmp(w, "port") && !to;
	seen->dport |= !strcmp(w, "port") && to;
	seen->type |= !strcmp(w, "type");
	seen->flags |= !strcmp(w, "flags");
	seen->frag |= !strcmp(w, "frag");
	seen->ext |= !strcmp(w, "ext");
	return 0;
}

/* ext hop,routing,dst,ah: the IPv6 extension headers, in the order they follow the
 * IPv6 header (the fragment header, from `frag`, comes after them). */
static int parse_ext(const char *arg, struct pc_packet *pk, struct pc_err *e)
{
	char buf[128], *save, *tok;

	snprintf(buf, sizeof(buf), "%s", arg);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; i < N_EXT_NAMES; i++)
			if (!strcmp(tok, ext_names[i].name))
				break;
		if (i == N_EXT_NAMES)
			return packet_error(e,
					    "extension headers are hop, routing, dst and ah (a "
					    "fragment header is 'frag first|later')",
					    tok);
		if (pk->n_ext == PC_PACKET_EXT_MAX)
			return packet_error(e, "more extension headers than the program walks (6)",
					    arg);
		pk->ext[pk->n_ext++] = ext_names[i].nh;
	}
	if (!pk->n_ext)
		return packet_error(e, "no extension header listed", arg);
	return 0;
}

static int parse_value(const char *w, const char *arg, bool to, struct pc_packet *pk,
		       struct seen *seen, struct pc_err *e)
{
	static const char *const words[] = {
		"from", "port", "type", "flags", "vlan", "frag", "ext"
	};
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
	} else if (!strcmp(w, "frag")) {
		if (!strcmp(arg, "first"))
			pk->frag = PC_PACKET_FIRST;
		else if (!strcmp(arg, "later"))
			pk->frag = PC_PACKET_LATER;
		else
			return packet_error(e, "a fragment is 'first' or 'later'", arg);
	} else if (!strcmp(w, "ext")) {
		return parse_ext(arg, pk, e);
	} else {
		unsigned v;

		if (parse_number(arg, 4095, &v))
			return packet_error(e, "not a VLAN id (0-4095)", arg);
		/* A third tag is more than the program walks (semantics.md §3.1): what
		 * that frame does is known (malformed), but it is not a frame to explain. */
		if (pk->n_vlan == 2)
			return packet_error(e,
					    "a third 'vlan': explain builds two VLAN tags at most "
					    "(802.1ad outside, 802.1Q inside), as many as the "
					    "program reads",
					    NULL);
		pk->vlan[pk->n_vlan++] = v;
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

static int fill_dst(struct pc_packet *pk)
{
	if (!pk->dst[0])
		snprintf(pk->dst, sizeof(pk->dst), "%s",
			 pk->family == 4 ? "192.0.2.1" : "2001:db8::1");
	return 0;
}

/* Words that contradict the fragment or the family: an error, not a quiet choice. */
static int check_fragment(const struct pc_packet *pk, const struct seen *seen, struct pc_err *e)
{
	const char *w = seen->dport || seen->sport ? "port"
			: seen->type		   ? "type"
			: seen->flags		   ? "flags"
						   : NULL;
	char buf[200];

	if (pk->n_ext && pk->family != 6)
		return packet_error(
			e, "'ext' builds IPv6 extension headers; this is an IPv4 packet", NULL);
	if (pk->family == 6 && pk->frag && pk->n_ext == PC_PACKET_EXT_MAX)
		return packet_error(e,
				    "six extension headers and a fragment header: more than the "
				    "program walks (6)",
				    NULL);
	if (pk->frag == PC_PACKET_LATER && w) {
		snprintf(buf, sizeof(buf),
			 "'%s' with 'frag later': a later fragment carries no %s header, so "
			 "nothing to put it in",
			 w, kind_names[pk->kind]);
		return packet_error(e, buf, NULL);
	}
	return 0;
}

int pc_packet_parse(int argc, char **argv, struct pc_packet *pk, struct pc_err *e)
{
	struct seen seen = { 0 };
	size_t k;

	memset(pk, 0, sizeof(*pk));
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
	if (check_fragment(pk, &seen, e))
		return -1;
	if (pk->frag == PC_PACKET_LATER)
		return fill_dst(pk);
	if ((pk->kind == PC_PACKET_TCP || pk->kind == PC_PACKET_UDP) && !seen.dport)
		return packet_error(e, "a TCP or UDP packet needs its destination port",
				    "to port N");
	if ((pk->kind == PC_PACKET_ICMP || pk->kind == PC_PACKET_ICMP6) && !seen.type)
		return packet_error(e, "an ICMP packet needs its type", "type T");
	return fill_dst(pk);
}

bool pc_packet_is_ndp(const struct pc_packet *pk)
{
	return pk->kind == PC_PACKET_ICMP6 && pk->type >= 133 && pk->type <= 137;
}

/* The fragments' datagram: its identification, and where a later fragment starts (in
 * 8-byte units: 1480 bytes, what follows a first fragment of a 1500-byte MTU). */
#define FRAG_ID 0x1234
#define LATER_OFFSET 185

void pc_packet_frame(const struct pc_packet *pk, struct pkt *f)
{
	static const unsigned protos[] = { 6, 17, 1, 58 };

	pkt_init(f);
	for (int i = 0; i < pk->n_vlan; i++)
		pkt_vlan(f, pk->n_vlan == 2 && i == 0 ? 0x88a8 : 0x8100, pk->vlan[i]);
	if (pk->kind == PC_PACKET_ARP) {
		pkt_next(f, 0x0806);
		pkt_payload(f, 28);
		return;
	}
	if (pk->family == 4)
		PKT_IPV4(f, .src = pk->src, .dst = pk->dst, .id = FRAG_ID,
			 .mf = pk->frag == PC_PACKET_FIRST,
			 .frag = pk->frag == PC_PACKET_LATER ? LATER_OFFSET : 0);
	else
		PKT_IPV6(f, .src = pk->src, .dst = pk->dst,
			 .hop_limit = pc_packet_is_ndp(pk) ? 255 : 64);
	for (int i = 0; i < pk->n_ext; i++) {
		if (pk->ext[i] == 51)
			pkt_ah(f, 4); /* (4 + 2) * 4 = 24 bytes: a multiple of 8, as IPv6 needs */
		else
			pkt_ext6(f, pk->ext[i], 8);
	}
	if (pk->family == 6 && pk->frag)
		pkt_frag6(f, pk->frag == PC_PACKET_LATER ? LATER_OFFSET : 0,
			  pk->frag == PC_PACKET_FIRST, FRAG_ID);
	if (pk->frag == PC_PACKET_LATER) {
		pkt_next(f, protos[pk->kind]);
		pkt_payload(f, 8);
		return;
	}
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

/* " vlan 1 vlan 2 frag first ext hop,dst": the same in words and in descriptions. */
static void put_extras(const struct pc_packet *pk, FILE *out)
{
	for (int i = 0; i < pk->n_vlan; i++)
		fprintf(out, " vlan %u", pk->vlan[i]);
	if (pk->frag)
		fprintf(out, " frag %s", frag_names[pk->frag]);
	for (int i = 0; i < pk->n_ext; i++)
		for (size_t k = 0; k < N_EXT_NAMES; k++)
			if (ext_names[k].nh == pk->ext[i])
				fprintf(out, "%s%s", i ? "," : " ext ", ext_names[k].name);
}

void pc_packet_describe(const struct pc_packet *pk, FILE *out)
{
	bool v6 = pk->family == 6;

	fprintf(out, "%s", kind_names[pk->kind]);
	if (pk->frag == PC_PACKET_LATER) /* no ports, type or flags in the frame */
		fprintf(out, " %s -> %s", pk->src, pk->dst);
	else if (pk->kind == PC_PACKET_TCP || pk->kind == PC_PACKET_UDP)
		fprintf(out, " %s%s%s:%u -> %s%s%s:%u", v6 ? "[" : "", pk->src, v6 ? "]" : "",
			pk->sport, v6 ? "[" : "", pk->dst, v6 ? "]" : "", pk->dport);
	else if (pk->kind != PC_PACKET_ARP)
		fprintf(out, " %s -> %s type %u%s", pk->src, pk->dst, pk->type,
			pc_packet_is_ndp(pk) ? " hop limit 255" : "");
	if (pk->kind == PC_PACKET_TCP && pk->frag != PC_PACKET_LATER) {
		fputs(" [", out);
		put_flags(pk->flags, false, out);
		fputs("]", out);
	}
	put_extras(pk, out);
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
	if (pk->frag == PC_PACKET_LATER)
		fprintf(f, " to %s", pk->dst);
	else if (pk->kind == PC_PACKET_TCP || pk->kind == PC_PACKET_UDP)
		fprintf(f, " port %u to %s port %u", pk->sport, pk->dst, pk->dport);
	else if (pk->kind != PC_PACKET_ARP)
		fprintf(f, " to %s type %u", pk->dst, pk->type);
	if (pk->kind == PC_PACKET_TCP && pk->frag != PC_PACKET_LATER) {
		fputs(" flags ", f);
		if (pk->flags)
			put_flags(pk->flags, true, f);
		else
			fputs("none", f);
	}
	put_extras(pk, f);
	fclose(f);
	return buf;
}

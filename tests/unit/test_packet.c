// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The PACKET words that `explain` and mix files share: what they mean, that a packet
 * written back reads as the same packet, and the usage error of each mistake. */
#include <stdlib.h>

#include "harness.h"
#include "observe/decode.h"
#include "traffic/packet_words.h"

/* Splits a line into words in place; returns their count. */
static int split(char *line, char **argv, int max)
{
	int n = 0;

	for (char *w = strtok(line, " "); w && n < max; w = strtok(NULL, " "))
		argv[n++] = w;
	return n;
}

static int parse(const char *text, struct pc_packet *pk, struct pc_err *e)
{
	char buf[256], *argv[32];

	snprintf(buf, sizeof(buf), "%s", text);
	return pc_packet_parse(split(buf, argv, 32), argv, pk, e);
}

static const char *frame_text(const struct pc_packet *pk)
{
	static char buf[256];
	struct pkt *f = malloc(sizeof(*f));

	pc_packet_frame(pk, f);
	pc_decode(f->data, f->len, f->len, buf, sizeof(buf), NULL);
	free(f);
	return buf;
}

TEST(meaning)
{
	static const struct {
		const char *words, *frame;
	} rows[] = {
		{ "tcp from 198.51.100.7 to port 25",
		  "tcp 198.51.100.7:40000 -> 192.0.2.1:25 [S]" },
		{ "tcp from 198.51.100.7 port 25 to 192.0.2.9 port 40001 flags ack,psh vlan 7",
		  "tcp 198.51.100.7:25 -> 192.0.2.9:40001 [P.] vlan 7" },
		{ "udp from 2001:db8::7 port 53 to port 40000",
		  "udp [2001:db8::7]:53 -> [2001:db8::1]:40000" },
		{ "icmp from 10.2.3.4 type echo-request", "icmp 10.2.3.4 -> 192.0.2.1 type 8" },
		{ "icmp6 from fd00::9 type 129", "icmp6 fd00::9 -> 2001:db8::1 type 129" },
		{ "tcp from 198.51.100.7 to port 80 flags none",
		  "tcp 198.51.100.7:40000 -> 192.0.2.1:80 [none]" },
		{ "arp vlan 3", "non-ip ethertype 0x0806 vlan 3" },
		/* QinQ: both tags, outermost first (0x88a8 then 0x8100, checked below). */
		{ "tcp from 198.51.100.7 to port 25 vlan 100 vlan 200",
		  "tcp 198.51.100.7:40000 -> 192.0.2.1:25 [S] vlan 100,200" },
		{ "udp from 198.51.100.7 to port 53 frag first",
		  "udp 198.51.100.7:40000 -> 192.0.2.1:53 first-fragment id 0x1234" },
		{ "udp from 198.51.100.7 frag later",
		  "udp 198.51.100.7 -> 192.0.2.1 fragment id 0x1234 offset 1480" },
		{ "tcp from 2001:db8::7 to port 25 frag first",
		  "tcp [2001:db8::7]:40000 -> [2001:db8::1]:25 [S] first-fragment id 0x00001234" },
		{ "icmp6 from 2001:db8::7 frag later",
		  "icmp6 2001:db8::7 -> 2001:db8::1 fragment id 0x00001234 offset 1480" },
		{ "udp from 2001:db8::7 to port 53 ext hop,routing,dst,ah",
		  "udp [2001:db8::7]:40000 -> [2001:db8::1]:53" },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct pc_packet pk;
		struct pc_err e = { 0 };

		if (parse(rows[i].words, &pk, &e)) {
			pc_test_fail(__FILE__, __LINE__, "%s: %s", rows[i].words, e.msg);
			continue;
		}
		EXPECT_STR(frame_text(&pk), rows[i].frame);
	}
}

/* Written back as words, every packet reads as itself. */
TEST(words_round_trip)
{
	static const char *const rows[] = {
		"tcp from 198.51.100.7 to port 25",
		"tcp from 2001:db8::7 port 1 to 2001:db8::99 port 65535 flags fin,rst,urg vlan "
		"4095",
		"tcp from 198.51.100.7 to port 25 flags none",
		"udp from 10.0.0.1 port 53 to port 40000",
		"icmp from 10.2.3.4 type 13",
		"icmp6 from fd00::9 type packet-too-big vlan 0",
		"arp",
		"tcp from 198.51.100.7 to port 25 vlan 100 vlan 200",
		"udp from 198.51.100.7 to port 53 frag first",
		"tcp from 198.51.100.7 frag later",
		"icmp6 from 2001:db8::7 type 128 ext hop,dst,routing,ah frag first vlan 5",
		"udp from 2001:db8::7 ext dst frag later",
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct pc_packet a, b;
		struct pc_err e = { 0 };
		char words[256];

		if (parse(rows[i], &a, &e)) {
			pc_test_fail(__FILE__, __LINE__, "%s: %s", rows[i], e.msg);
			continue;
		}
		pc_packet_words(&a, words, sizeof(words));
		if (parse(words, &b, &e)) {
			pc_test_fail(__FILE__, __LINE__, "%s written as '%s': %s", rows[i], words,
				     e.msg);
			continue;
		}
		EXPECT_TRUE(!memcmp(&a, &b, sizeof(a)));
	}
}

TEST(mistakes)
{
	static const struct {
		const char *words, *error;
	} rows[] = {
		{ "sctp from 192.0.2.1", "unknown protocol: sctp; a packet is written" },
		{ "tcp from 192.0.2.1", "needs its destination port" },
		{ "icmp from 192.0.2.1", "needs its type" },
		{ "tcp to port 25", "needs a source" },
		{ "tcp from 192.0.2.1 to port 70000", "not a port (0-65535): 70000" },
		{ "tcp from 192.0.2.1 to 2001:db8::1 port 25", "unexpected word: 2001:db8::1" },
		{ "icmp from 2001:db8::1 type 8", "not an address of the packet's family" },
		{ "icmp from 192.0.2.1 type frobnicate", "not an ICMP type: frobnicate" },
		{ "tcp from 192.0.2.1 to port 25 flags syn,xmas", "flags are syn, ack" },
		{ "tcp from 192.0.2.1 to port 25 vlan 4096", "not a VLAN id" },
		{ "tcp from 192.0.2.1 to port", "missing a value after: port" },
		{ "", "no packet given" },
		/* Each part once: the last one used to win silently. */
		{ "tcp from 192.0.2.1 to port 25 to port 26", "'to' is written twice" },
		{ "tcp from 192.0.2.1 to port 25 port 26",
		  "the destination port is written twice" },
		{ "tcp from 192.0.2.1 port 1 port 2 to port 25",
		  "the source port is written twice" },
		{ "tcp from 192.0.2.1 from 192.0.2.2 to port 25", "'from' is written twice" },
		{ "tcp from 192.0.2.1 to port 25 vlan 1 vlan 2 vlan 3",
		  "a third 'vlan': explain builds two VLAN tags at most" },
		{ "tcp from 192.0.2.1 to port 25 frag first frag later",
		  "'frag' is written twice" },
		{ "tcp from 2001:db8::1 to port 25 ext hop ext dst", "'ext' is written twice" },
		/* Words that contradict each other: an error, not a quiet choice. */
		{ "tcp from 192.0.2.1 to port 25 frag later",
		  "'port' with 'frag later': a later fragment carries no tcp header" },
		{ "udp from 192.0.2.1 port 53 frag later", "'port' with 'frag later'" },
		{ "icmp from 192.0.2.1 type 8 frag later", "'type' with 'frag later'" },
		{ "tcp from 192.0.2.1 flags ack frag later", "'flags' with 'frag later'" },
		{ "tcp from 192.0.2.1 to port 25 ext hop", "'ext' builds IPv6 extension headers" },
		{ "tcp from 192.0.2.1 to port 25 frag middle", "a fragment is 'first' or 'later'" },
		{ "tcp from 2001:db8::1 to port 25 ext hop,frag", "extension headers are hop" },
		{ "tcp from 2001:db8::1 to port 25 ext ,", "no extension header listed" },
		{ "tcp from 2001:db8::1 to port 25 ext hop,dst,dst,dst,dst,dst,dst",
		  "more extension headers than the program walks (6)" },
		{ "tcp from 2001:db8::1 to port 25 ext hop,dst,dst,dst,dst,routing frag first",
		  "six extension headers and a fragment header" },
		{ "arp frag first", "an arp frame takes only 'vlan'" },
		{ "arp ext hop", "an arp frame takes only 'vlan'" },
		{ "tcp from 192.0.2.1 to port 25 flags syn flags ack", "'flags' is written twice" },
		{ "icmp from 192.0.2.1 type 8 type 0", "'type' is written twice" },
		{ "tcp to port 25 from 192.0.2.1", "'from' comes before 'to'" },
		/* Only the words of the packet's protocol. */
		{ "tcp from 192.0.2.1 to port 25 type 8", "'type' goes with icmp and icmp6" },
		{ "udp from 192.0.2.1 to port 53 flags syn", "'flags' goes with tcp only" },
		{ "icmp from 192.0.2.1 type 8 to port 25", "'port' goes with tcp and udp" },
		{ "icmp6 from 2001:db8::1 port 5 type 128", "'port' goes with tcp and udp" },
		{ "arp from 192.0.2.1", "an arp frame takes only 'vlan'" },
		{ "arp to 192.0.2.1", "an arp frame takes only 'vlan'" },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct pc_packet pk;
		struct pc_err e = { 0 };

		if (!parse(rows[i].words, &pk, &e)) {
			pc_test_fail(__FILE__, __LINE__, "'%s' was accepted", rows[i].words);
			continue;
		}
		EXPECT_EQ(e.exit_code, 2);
		if (!strstr(e.msg, rows[i].error))
			pc_test_fail(__FILE__, __LINE__, "'%s': '%s' does not say '%s'",
				     rows[i].words, e.msg, rows[i].error);
	}
}

/* Neighbour discovery as the wire carries it: hop limit 255 (RFC 4861), which the
 * program requires; with 64 a real solicitation was explained as a DROP. */
TEST(ndp_hop_limit_255)
{
	static const struct {
		const char *words;
		int hop_limit;
	} rows[] = {
		{ "icmp6 from fe80::1 type nd-neighbor-solicit", 255 },
		{ "icmp6 from fe80::1 type 133", 255 },
		{ "icmp6 from fe80::1 type nd-redirect vlan 4", 255 },
		{ "icmp6 from fe80::1 type 138", 64 },
		{ "icmp6 from fe80::1 type echo-request", 64 },
		{ "udp from 2001:db8::7 to port 53", 64 },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct pc_packet pk;
		struct pc_err e = { 0 };
		struct pkt *f = malloc(sizeof(*f));

		if (parse(rows[i].words, &pk, &e)) {
			pc_test_fail(__FILE__, __LINE__, "%s: %s", rows[i].words, e.msg);
			free(f);
			continue;
		}
		pc_packet_frame(&pk, f);
		EXPECT_EQ(f->data[pkt_ip_off(f) + 7], rows[i].hop_limit);
		free(f);
	}
}

/* The bytes of the new words' frames: the tags' TPIDs, the fragment fields, the
 * extension chain with each next header, and the transport header only where it
 * belongs. */
TEST(tags_fragments_extensions_bytes)
{
	struct pc_packet pk;
	struct pc_err e = { 0 };
	struct pkt *f = malloc(sizeof(*f));
	const uint8_t *d = f->data;
	int ip;

	/* QinQ: 0x88a8 outside, 0x8100 inside, then IPv4; one tag alone is 0x8100. */
	EXPECT_EQ(parse("tcp from 198.51.100.7 to port 25 vlan 100 vlan 200", &pk, &e), 0);
	pc_packet_frame(&pk, f);
	EXPECT_EQ(d[12] << 8 | d[13], 0x88a8);
	EXPECT_EQ(d[14] << 8 | d[15], 100);
	EXPECT_EQ(d[16] << 8 | d[17], 0x8100);
	EXPECT_EQ(d[18] << 8 | d[19], 200);
	EXPECT_EQ(d[20] << 8 | d[21], 0x0800);
	EXPECT_EQ(parse("tcp from 198.51.100.7 to port 25 vlan 7", &pk, &e), 0);
	pc_packet_frame(&pk, f);
	EXPECT_EQ(d[12] << 8 | d[13], 0x8100);
	EXPECT_EQ(d[16] << 8 | d[17], 0x0800);

	/* IPv4 later fragment: offset 185 (1480 bytes), MF clear, protocol TCP, 8 bytes
	 * after the header and no TCP header. */
	EXPECT_EQ(parse("tcp from 198.51.100.7 frag later", &pk, &e), 0);
	pc_packet_frame(&pk, f);
	ip = pkt_ip_off(f);
	EXPECT_EQ(d[ip + 6] << 8 | d[ip + 7], 185);
	EXPECT_EQ(d[ip + 9], 6);
	EXPECT_EQ(f->len, (size_t)ip + 20 + 8);
	/* IPv4 first fragment: MF, offset 0, then the TCP header. */
	EXPECT_EQ(parse("tcp from 198.51.100.7 to port 25 frag first", &pk, &e), 0);
	pc_packet_frame(&pk, f);
	EXPECT_EQ(d[ip + 6] << 8 | d[ip + 7], 0x2000);
	EXPECT_EQ(d[ip + 20 + 2] << 8 | d[ip + 20 + 3], 25);

	/* IPv6: hop-by-hop, routing, destination options, AH, fragment, UDP. */
	EXPECT_EQ(
		parse("udp from 2001:db8::7 to port 53 ext hop,routing,dst,ah frag first", &pk, &e),
		0);
	pc_packet_frame(&pk, f);
	ip = pkt_ip_off(f);
	EXPECT_EQ(d[ip + 6], 0);		    /* IPv6 -> hop-by-hop */
	EXPECT_EQ(d[ip + 40], 43);		    /* -> routing */
	EXPECT_EQ(d[ip + 48], 60);		    /* -> destination options */
	EXPECT_EQ(d[ip + 56], 51);		    /* -> AH */
	EXPECT_EQ(d[ip + 64], 44);		    /* AH, 24 bytes -> fragment */
	EXPECT_EQ(d[ip + 88], 17);		    /* fragment -> UDP */
	EXPECT_EQ(d[ip + 90] << 8 | d[ip + 91], 1); /* offset 0, M set */
	EXPECT_EQ(d[ip + 96 + 2] << 8 | d[ip + 96 + 3], 53);
	free(f);
}

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A packet written as words, the PACKET of `explain` that mix files reuse:
 *	PROTO [from ADDR] [port N] [to [ADDR] [port N]] [type T] [flags syn,ack,...]
 *	      [vlan ID [vlan ID]] [frag first|later] [ext hop,routing,dst,ah]
 * and the frame it stands for. */
#ifndef PC_TRAFFIC_PACKET_WORDS_H
#define PC_TRAFFIC_PACKET_WORDS_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/error.h"
#include "traffic/frame.h"

enum pc_packet_kind {
	PC_PACKET_TCP,
	PC_PACKET_UDP,
	PC_PACKET_ICMP,
	PC_PACKET_ICMP6,
	PC_PACKET_ARP
};

/* Which fragment of a datagram the packet is (docs/semantics.md §3.9). */
enum pc_packet_frag {
	PC_PACKET_WHOLE,
	PC_PACKET_FIRST, /* offset 0, more fragments: carries the transport header */
	PC_PACKET_LATER, /* offset 1480 bytes, the last: no transport header */
};

/* IPv6 extension headers the words can give, besides the fragment header: six at most
 * in all, as many as the program walks (a seventh is malformed, §3.11). */
#define PC_PACKET_EXT_MAX 6

struct pc_packet {
	enum pc_packet_kind kind;
	int family; /* 4 or 6; 0 for ARP */
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	unsigned sport, dport, type;
	uint8_t flags;			/* PKT_SYN | PKT_ACK ...; SYN when not written */
	uint8_t n_vlan;			/* 0: untagged; 2: outer 802.1ad (0x88a8), inner 802.1Q */
	uint16_t vlan[2];		/* outermost first */
	uint8_t frag;			/* enum pc_packet_frag */
	uint8_t n_ext;			/* IPv6 only */
	uint8_t ext[PC_PACKET_EXT_MAX]; /* next-header numbers: 0, 43, 60, 51 */
};

/* The PACKET syntax, for usage messages. */
#define PC_PACKET_SYNTAX                                                                           \
	"PROTO from ADDR [port N] [to [ADDR] [port N]] [type T] [flags syn,ack,...] [vlan ID "     \
	"[vlan ID]] [frag first|later] [ext hop,routing,dst,ah]"

/* Reads the words of a PACKET (argv[0] is PROTO). A TCP or UDP packet needs its
 * destination port, an ICMP one its type, except a later fragment, which carries no
 * transport header and so takes none of port, type and flags; the destination address
 * defaults to 192.0.2.1 or 2001:db8::1, the source port to 40000. What the words
 * cannot build (a third VLAN tag, ext in IPv4, more extension headers than the program
 * walks) is an error, never a different packet. Errors are usage errors. */
int pc_packet_parse(int argc, char **argv, struct pc_packet *pk, struct pc_err *e);
/* Neighbour discovery: ICMPv6 types 133-137 (RFC 4861). */
bool pc_packet_is_ndp(const struct pc_packet *pk);
/* Builds the frame as the wire carries it: Ethernet (pkt.h's default MACs), the VLAN
 * tags (two: 0x88a8 outside, 0x8100 inside), IP (hop limit 255 for neighbour
 * discovery, which RFC 4861 requires and the program checks; 64 otherwise; IPv4
 * fragment fields, or IPv6 extension headers of 8 bytes each, AH of 24, then the
 * fragment header), L4 (none in a later fragment) and 8 bytes of payload. */
void pc_packet_frame(const struct pc_packet *pk, struct pkt *f);
/* "tcp 198.51.100.7:40000 -> 192.0.2.1:25 [S] vlan 7", as `log` shows frames, and
 * " frag first", " ext hop,dst" where given. */
void pc_packet_describe(const struct pc_packet *pk, FILE *out);
/* The packet back in PACKET words, which pc_packet_parse reads again. */
const char *pc_packet_words(const struct pc_packet *pk, char *buf, size_t len);

#endif /* PC_TRAFFIC_PACKET_WORDS_H */

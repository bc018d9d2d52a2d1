/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A packet written as words, the PACKET of `explain` that mix files reuse:
 *	PROTO [from ADDR] [port N] [to [ADDR] [port N]] [type T] [flags syn,ack,...] [vlan ID]
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

struct pc_packet {
	enum pc_packet_kind kind;
	int family; /* 4 or 6; 0 for ARP */
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	unsigned sport, dport, type;
	uint8_t flags; /* PKT_SYN | PKT_ACK ...; SYN when not written */
	int vlan;      /* -1: untagged */
};

/* The PACKET syntax, for usage messages. */
#define PC_PACKET_SYNTAX                                                                           \
	"PROTO from ADDR [port N] [to [ADDR] [port N]] [type T] [flags syn,ack,...] [vlan ID]"

/* Reads the words of a PACKET (argv[0] is PROTO). A TCP or UDP packet needs its
 * destination port, an ICMP one its type; the destination address defaults to
 * 192.0.2.1 or 2001:db8::1, the source port to 40000. Errors are usage errors. */
int pc_packet_parse(int argc, char **argv, struct pc_packet *pk, struct pc_err *e);
/* Neighbour discovery: ICMPv6 types 133-137 (RFC 4861). */
bool pc_packet_is_ndp(const struct pc_packet *pk);
/* Builds the frame as the wire carries it: Ethernet (pkt.h's default MACs), the VLAN
 * tag, IP (hop limit 255 for neighbour discovery, which RFC 4861 requires and the
 * program checks; 64 otherwise), L4 and 8 bytes of payload. */
void pc_packet_frame(const struct pc_packet *pk, struct pkt *f);
/* "tcp 198.51.100.7:40000 -> 192.0.2.1:25 [S] vlan 7", as `log` shows frames. */
void pc_packet_describe(const struct pc_packet *pk, FILE *out);
/* The packet back in PACKET words, which pc_packet_parse reads again. */
const char *pc_packet_words(const struct pc_packet *pk, char *buf, size_t len);

#endif /* PC_TRAFFIC_PACKET_WORDS_H */

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* One-line description of a captured frame (Ethernet, VLAN, IPv4/IPv6, TCP/UDP/ICMP)
 * for `portcullis log`; safe on any bytes. */
#ifndef PC_OBSERVE_DECODE_H
#define PC_OBSERVE_DECODE_H

#include <stddef.h>
#include <stdint.h>

/* What was read of the frame, besides the text; unknown parts are "" or -1. */
struct pc_decoded {
	char proto[16]; /* "tcp", "udp", "icmp", "icmp6", "esp", "proto 47"; "" if not IP */
	char src[48];	/* source address as text */
	char dst[48];
	int sport; /* TCP/UDP ports */
	int dport;
	int icmp_type; /* ICMP/ICMPv6 type and code */
	int icmp_code;
	int n_vlan; /* VLAN tags read, outermost first */
	int vlan[2];
	uint16_t ethertype; /* after the VLAN tags; 0 if the frame ends before it */
};

/* Describes the frame whose first `snap` bytes are at data and whose full length was
 * `len` into buf (always NUL-terminated), e.g.
 *	tcp 198.51.100.7:40000 -> 192.0.2.1:22 [S] vlan 10
 *	icmp 192.0.2.2 -> 192.0.2.1 type 8
 *	non-ip ethertype 0x0806
 *	truncated ipv4 header (12 of 20 bytes)
 * It reads no byte at or beyond min(snap, len). A header that the capture cut off is
 * "not captured", one that the frame itself cut off is "truncated", and values the
 * XDP program would call malformed are named after "malformed:". d may be NULL. */
void pc_decode(const uint8_t *data, size_t snap, size_t len, char *buf, size_t n,
	       struct pc_decoded *d);

#endif /* PC_OBSERVE_DECODE_H */

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A frame builder (tests, `explain`): Ethernet, VLAN tags, IPv4, IPv6 and its extension
 * headers, TCP, UDP, ICMP/ICMPv6, payload, padding, truncation.
 *
 * Start a frame with pkt_init(), then append layers outermost first. Each layer
 * writes its protocol number into the previous layer (EtherType, IPv4 protocol, IPv6
 * next header), and every IPv4 total length, IPv6 payload length and UDP length that
 * is open is kept equal to the bytes after it as the frame grows; IPv4 header
 * checksums follow. L4 checksums are left zero (the XDP program never reads them).
 *
 *	struct pkt f;
 *
 *	pkt_init(&f);
 *	pkt_vlan(&f, 0x8100, 7);
 *	PKT_IPV4(&f, .src = "10.0.0.1", .mf = true);
 *	PKT_TCP(&f, .dport = 25, .flags = PKT_SYN);
 *	pkt_payload(&f, 20);
 *	// f.data, f.len: the frame
 *
 * Breaking a frame on purpose, after building it:
 *	pkt_ip_len(&f, n)	IPv4 total length / IPv6 payload length of the last IP
 *				header, frozen (later layers no longer change it)
 *	pkt_udp_len(&f, n)	UDP length of the last UDP header, frozen
 *	pkt_pad(&f, n)		n bytes after the IP packet (Ethernet padding), counted
 *				in no length field
 *	pkt_truncate(&f, n)	cut the frame to n bytes; the length fields keep
 *				claiming what was there
 *	pkt_next(&f, proto)	write a protocol number or EtherType yourself (ARP, ESP,
 *				59, proto 1 in IPv6, ...) and append raw bytes after it
 *
 * ICMP errors embed the offending packet: after pkt_icmp()/pkt_icmp6() append an inner
 * IP header and 8 bytes of L4 the same way (PKT_IPV4 + PKT_UDP, ...); its lengths are
 * tracked like the outer ones, so an inner IPv4 header claims just what follows it.
 *
 * Misuse (an unparsable address, a frame beyond PKT_MAX) aborts: it is a bug in the
 * test. Defaults: MACs 02:00:00:00:00:01 -> :02, IPv4 192.0.2.1 -> 198.51.100.1,
 * IPv6 2001:db8::1 -> 2001:db8::2, TTL / hop limit 64, ports 40000 -> 80.
 */
#ifndef PC_TRAFFIC_FRAME_H
#define PC_TRAFFIC_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Room for six 2 KiB extension headers; BPF_PROG_TEST_RUN takes up to ~3.5 KiB of
 * linear XDP data. */
#define PKT_MAX 16384
#define PKT_MAX_LENS 8

struct pkt {
	uint8_t data[PKT_MAX];
	size_t len;

	/* Builder state. */
	int next_off;  /* protocol field the next layer fills; -1: none */
	int next_size; /* 2: EtherType, 1: IP protocol / next header */
	int ip_last;   /* offset of the last IP header; -1: none */
	int ip_len;    /* offset of its length field */
	int udp_last;  /* offset of the last UDP header; -1: none */
	int n_lens;
	struct pkt_len_field {
		int off;  /* of the 16-bit field */
		int base; /* the field counts bytes from here to the end */
		int ipv4; /* offset of the IPv4 header to re-checksum; -1: none */
		bool frozen;
	} lens[PKT_MAX_LENS];
};

enum {
	PKT_FIN = 0x01,
	PKT_SYN = 0x02,
	PKT_RST = 0x04,
	PKT_PSH = 0x08,
	PKT_ACK = 0x10,
	PKT_URG = 0x20,
};

/* In the option structs a zero field means "the default"; PKT_ZERO writes a real
 * zero where that matters: .ihl = PKT_ZERO, .doff = PKT_ZERO, .hop_limit = PKT_ZERO. */
#define PKT_ZERO 0x100

struct pkt_ip4 {
	const char *src, *dst; /* NULL: defaults */
	int ttl;	       /* 0: 64 */
	uint8_t tos;
	uint16_t id;
	uint16_t frag; /* fragment offset in 8-byte units */
	bool mf, df;
	uint8_t opt_len; /* bytes of options (NOPs), a multiple of 4 */
	int ihl;	 /* 0: 5 + opt_len / 4; else written as is */
	int version;	 /* 0: 4; else written as is */
};

struct pkt_ip6 {
	const char *src, *dst; /* NULL: defaults */
	int hop_limit;	       /* 0: 64 */
	int version;	       /* 0: 6; else written as is */
};

struct pkt_tcp {
	uint16_t sport, dport; /* 0: 40000, 80 */
	uint8_t flags;	       /* PKT_SYN | PKT_ACK ... */
	uint8_t opt_len;       /* bytes of options (NOPs), a multiple of 4 */
	int doff;	       /* 0: 5 + opt_len / 4; else written as is */
	uint32_t seq, ack;
};

struct pkt_udp {
	uint16_t sport, dport; /* 0: 40000, 80 */
};

/* Start a frame: an Ethernet header whose EtherType the next layer writes. */
void pkt_init(struct pkt *p);
/* A VLAN tag: this tag's TPID (0x8100, 0x88a8, ...) goes into the previous
 * EtherType; the next layer writes the tag's inner EtherType. */
void pkt_vlan(struct pkt *p, uint16_t tpid, uint16_t vid);

void pkt_ipv4(struct pkt *p, const struct pkt_ip4 *o);
void pkt_ipv6(struct pkt *p, const struct pkt_ip6 *o);
/* IPv6 hop-by-hop (0), routing (43) or destination options (60) header of `bytes`
 * bytes (a multiple of 8, at least 8), filled with Pad1 options. */
void pkt_ext6(struct pkt *p, uint8_t type, unsigned int bytes);
/* IPv6 fragment header: offset in 8-byte units, M flag, identification. */
void pkt_frag6(struct pkt *p, uint16_t offset, bool more, uint32_t id);
/* Authentication header with the raw length field: (len + 2) * 4 bytes. */
void pkt_ah(struct pkt *p, uint8_t len);

void pkt_tcp(struct pkt *p, const struct pkt_tcp *o);
void pkt_udp(struct pkt *p, const struct pkt_udp *o);
/* An 8-byte ICMP / ICMPv6 header; identifier and sequence zero. */
void pkt_icmp(struct pkt *p, uint8_t type, uint8_t code);
void pkt_icmp6(struct pkt *p, uint8_t type, uint8_t code);

/* n zero bytes of payload, counted in the open length fields. */
void pkt_payload(struct pkt *p, size_t n);
/* Raw bytes, counted like payload. */
void pkt_bytes(struct pkt *p, const void *b, size_t n);
/* Set the pending protocol field (EtherType or IP protocol) and close it. */
void pkt_next(struct pkt *p, unsigned int proto);

void pkt_ip_len(struct pkt *p, uint16_t len);
void pkt_udp_len(struct pkt *p, uint16_t len);
void pkt_pad(struct pkt *p, size_t n);
void pkt_truncate(struct pkt *p, size_t n);

/* Offset of the last IP header in the frame (-1: none). */
int pkt_ip_off(const struct pkt *p);

/* The frame as hex, 16 bytes a line, each line indented by `indent`. */
void pkt_hexdump(FILE *f, const void *data, size_t len, const char *indent);

/* Options as designated initializers: PKT_IPV4(&f, .src = "10.1.2.3", .mf = true). */
#define PKT_IPV4(p, ...) pkt_ipv4((p), &(const struct pkt_ip4){ __VA_ARGS__ })
#define PKT_IPV6(p, ...) pkt_ipv6((p), &(const struct pkt_ip6){ __VA_ARGS__ })
#define PKT_TCP(p, ...) pkt_tcp((p), &(const struct pkt_tcp){ __VA_ARGS__ })
#define PKT_UDP(p, ...) pkt_udp((p), &(const struct pkt_udp){ __VA_ARGS__ })

#endif /* PC_TRAFFIC_FRAME_H */

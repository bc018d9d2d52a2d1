// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The frame builder of pkt.h: appends headers and keeps lengths and IPv4 checksums. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "traffic/frame.h"

/* A field of an option struct: its value, or `def` when it was left zero. */
static int opt(int v, int def)
{
	return v ? v & 0xff : def;
}

static void die(const char *what)
{
	fprintf(stderr, "pkt: %s\n", what);
	abort();
}

static void put16(struct pkt *p, int off, uint16_t v)
{
	p->data[off] = v >> 8;
	p->data[off + 1] = v & 0xff;
}

static void put32(struct pkt *p, int off, uint32_t v)
{
	put16(p, off, v >> 16);
	put16(p, off + 2, v & 0xffff);
}

static void ipv4_checksum(struct pkt *p, int off)
{
	int hlen = (p->data[off] & 0x0f) * 4;
	uint32_t sum = 0;

	put16(p, off + 10, 0);
	/* A broken IHL may claim more than was written: sum what exists. */
	for (int i = 0; i + 1 < hlen && off + i + 1 < (int)p->len; i += 2)
		sum += p->data[off + i] << 8 | p->data[off + i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put16(p, off + 10, ~sum & 0xffff);
}

/* Keep every open length field equal to the bytes after its base. */
static void update_lengths(struct pkt *p)
{
	for (int i = 0; i < p->n_lens; i++) {
		struct pkt_len_field *l = &p->lens[i];

		if (l->frozen)
			continue;
		put16(p, l->off, p->len - l->base);
		if (l->ipv4 >= 0)
			ipv4_checksum(p, l->ipv4);
	}
}

static void add_len_field(struct pkt *p, int off, int base, int ipv4)
{
	if (p->n_lens == PKT_MAX_LENS)
		die("too many length fields");
	p->lens[p->n_lens++] = (struct pkt_len_field){
		.off = off,
		.base = base,
		.ipv4 = ipv4,
	};
}

/* Room for n more bytes at the end, zeroed. Returns their offset. */
static int grow(struct pkt *p, size_t n)
{
	int off = p->len;

	if (p->len + n > PKT_MAX)
		die("frame beyond PKT_MAX");
	memset(p->data + off, 0, n);
	p->len += n;
	return off;
}

/* Write `proto` into the pending protocol field, then make `off` (size bytes) the
 * field that the next layer fills. */
static void link_layer(struct pkt *p, unsigned int proto, int off, int size)
{
	if (p->next_off >= 0) {
		if (p->next_size == 2)
			put16(p, p->next_off, proto);
		else
			p->data[p->next_off] = proto;
	}
	p->next_off = off;
	p->next_size = size;
}

static void parse_addr(int af, const char *s, void *out)
{
	if (inet_pton(af, s, out) != 1)
		die("bad address");
}

void pkt_init(struct pkt *p)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };

	p->len = 0;
	p->n_lens = 0;
	p->ip_last = -1;
	p->udp_last = -1;
	memcpy(p->data + grow(p, 14), macs, sizeof(macs));
	p->next_off = 12;
	p->next_size = 2;
}

void pkt_vlan(struct pkt *p, uint16_t tpid, uint16_t vid)
{
	int off = grow(p, 4);

	link_layer(p, tpid, off + 2, 2);
	put16(p, off, vid & 0x0fff);
	update_lengths(p);
}

void pkt_ipv4(struct pkt *p, const struct pkt_ip4 *o)
{
	int hlen = 20 + o->opt_len;
	int off = grow(p, hlen);
	uint8_t *h = p->data + off;
	uint16_t frag = o->frag & 0x1fff;

	link_layer(p, 0x0800, off + 9, 1);
	h[0] = opt(o->version, 4) << 4 | (opt(o->ihl, hlen / 4) & 0x0f);
	h[1] = o->tos;
	put16(p, off + 4, o->id);
	if (o->mf)
		frag |= 0x2000;
	if (o->df)
		frag |= 0x4000;
	put16(p, off + 6, frag);
	h[8] = opt(o->ttl, 64);
	parse_addr(AF_INET, o->src ? o->src : "192.0.2.1", h + 12);
	parse_addr(AF_INET, o->dst ? o->dst : "198.51.100.1", h + 16);
	memset(h + 20, 1, o->opt_len); /* NOP options */
	p->ip_last = off;
	p->ip_len = off + 2;
	add_len_field(p, off + 2, off, off);
	update_lengths(p);
}

void pkt_ipv6(struct pkt *p, const struct pkt_ip6 *o)
{
	int off = grow(p, 40);
	uint8_t *h = p->data + off;

	link_layer(p, 0x86dd, off + 6, 1);
	h[0] = opt(o->version, 6) << 4;
	h[7] = opt(o->hop_limit, 64);
	parse_addr(AF_INET6, o->src ? o->src : "2001:db8::1", h + 8);
	parse_addr(AF_INET6, o->dst ? o->dst : "2001:db8::2", h + 24);
	p->ip_last = off;
	p->ip_len = off + 4;
	add_len_field(p, off + 4, off + 40, -1);
	update_lengths(p);
}

void pkt_ext6(struct pkt *p, uint8_t type, unsigned int bytes)
{
	int off;

	if (bytes < 8 || bytes % 8 || bytes > 2048)
		die("extension header length");
	off = grow(p, bytes);
	link_layer(p, type, off, 1);
	p->data[off + 1] = bytes / 8 - 1;
	update_lengths(p);
}

void pkt_frag6(struct pkt *p, uint16_t offset, bool more, uint32_t id)
{
	int off = grow(p, 8);

	link_layer(p, 44, off, 1);
	put16(p, off + 2, (offset & 0x1fff) << 3 | more);
	put32(p, off + 4, id);
	update_lengths(p);
}

void pkt_ah(struct pkt *p, uint8_t len)
{
	int off = grow(p, (len + 2) * 4);

	link_layer(p, 51, off, 1);
	p->data[off + 1] = len;
	put32(p, off + 4, 0x1000); /* SPI */
	update_lengths(p);
}

void pkt_tcp(struct pkt *p, const struct pkt_tcp *o)
{
	int hlen = 20 + o->opt_len;
	int off = grow(p, hlen);
	uint8_t *h = p->data + off;

	link_layer(p, 6, -1, 0);
	put16(p, off, o->sport ? o->sport : 40000);
	put16(p, off + 2, o->dport ? o->dport : 80);
	put32(p, off + 4, o->seq);
	put32(p, off + 8, o->ack);
	h[12] = opt(o->doff, hlen / 4) << 4;
	h[13] = o->flags;
	put16(p, off + 14, 65535);
	memset(h + 20, 1, o->opt_len); /* NOP options */
	update_lengths(p);
}

void pkt_udp(struct pkt *p, const struct pkt_udp *o)
{
	int off = grow(p, 8);

	link_layer(p, 17, -1, 0);
	put16(p, off, o->sport ? o->sport : 40000);
	put16(p, off + 2, o->dport ? o->dport : 80);
	p->udp_last = off;
	add_len_field(p, off + 4, off, -1);
	update_lengths(p);
}

static void icmp(struct pkt *p, unsigned int proto, uint8_t type, uint8_t code)
{
	int off = grow(p, 8);

	link_layer(p, proto, -1, 0);
	p->data[off] = type;
	p->data[off + 1] = code;
	update_lengths(p);
}

void pkt_icmp(struct pkt *p, uint8_t type, uint8_t code)
{
	icmp(p, 1, type, code);
}

void pkt_icmp6(struct pkt *p, uint8_t type, uint8_t code)
{
	icmp(p, 58, type, code);
}

void pkt_payload(struct pkt *p, size_t n)
{
	grow(p, n);
	update_lengths(p);
}

void pkt_bytes(struct pkt *p, const void *b, size_t n)
{
	memcpy(p->data + grow(p, n), b, n);
	update_lengths(p);
}

void pkt_next(struct pkt *p, unsigned int proto)
{
	link_layer(p, proto, -1, 0);
}

static void set_frozen(struct pkt *p, int off, uint16_t len)
{
	for (int i = 0; i < p->n_lens; i++) {
		if (p->lens[i].off != off)
			continue;
		put16(p, off, len);
		p->lens[i].frozen = true;
		if (p->lens[i].ipv4 >= 0)
			ipv4_checksum(p, p->lens[i].ipv4);
		return;
	}
	die("no such length field");
}

void pkt_ip_len(struct pkt *p, uint16_t len)
{
	if (p->ip_last < 0)
		die("no IP header");
	set_frozen(p, p->ip_len, len);
}

void pkt_udp_len(struct pkt *p, uint16_t len)
{
	if (p->udp_last < 0)
		die("no UDP header");
	set_frozen(p, p->udp_last + 4, len);
}

void pkt_pad(struct pkt *p, size_t n)
{
	grow(p, n);
}

void pkt_truncate(struct pkt *p, size_t n)
{
	if (n < p->len)
		p->len = n;
}

int pkt_ip_off(const struct pkt *p)
{
	return p->ip_last;
}

void pkt_hexdump(FILE *f, const void *data, size_t len, const char *indent)
{
	const uint8_t *b = data;

	for (size_t i = 0; i < len; i += 16) {
		fprintf(f, "%s%04zx ", indent, i);
		for (size_t j = i; j < i + 16 && j < len; j++)
			fprintf(f, " %02x", b[j]);
		fprintf(f, "\n");
	}
}

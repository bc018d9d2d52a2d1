// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Frame decoder for logged drop events. The bytes come off the wire, so every read is
 * checked against what was captured first, and lengths are only compared, never
 * trusted. It walks the headers the XDP program walks, in the same way. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "observe/decode.h"

#define ETH_HLEN 14
#define IP4_HLEN 20
#define IP6_HLEN 40
#define MAX_VLAN 2   /* as the program: a third tag is malformed */
#define MAX_V6_EXT 6 /* as the program: a seventh extension header is malformed */

/* The text being written: appends are cut at the end of the buffer. */
struct out {
	char *buf;
	size_t n, used;
};

static void __attribute__((format(printf, 2, 3))) put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (o->used + 1 >= o->n)
		return;
	va_start(ap, fmt);
	k = vsnprintf(o->buf + o->used, o->n - o->used, fmt, ap);
	va_end(ap);
	if (k > 0)
		o->used += (size_t)k < o->n - o->used ? (size_t)k : o->n - o->used - 1;
}

/* The frame: cap = min(snap, len) bytes readable, len bytes on the wire. */
struct frame {
	const uint8_t *p;
	size_t cap, len;
};

static unsigned rd16(const struct frame *f, size_t off)
{
	return (unsigned)f->p[off] << 8 | f->p[off + 1];
}

static uint32_t rd32(const struct frame *f, size_t off)
{
	return (uint32_t)rd16(f, off) << 16 | rd16(f, off + 2);
}

/* True when need bytes at off can be read; otherwise says why not: the capture
 * stopped before them ("not captured") or the frame itself did ("truncated"). */
static bool have(const struct frame *f, size_t off, size_t need, const char *what, struct out *o)
{
	if (off <= f->cap && need <= f->cap - off)
		return true;
	if (off <= f->len && need <= f->len - off)
		put(o, "%s%s header not captured (the capture ends at byte %zu)",
		    o->used ? " " : "", what, f->cap);
	else
		put(o, "%struncated %s header (%zu of %zu bytes)", o->used ? " " : "", what,
		    off < f->len ? f->len - off : 0, need);
	return false;
}

static void proto_name(struct pc_decoded *d, unsigned proto, bool v6)
{
	const char *name = NULL;

	if (proto == 6)
		name = "tcp";
	else if (proto == 17)
		name = "udp";
	else if (proto == 1 && !v6)
		name = "icmp";
	else if (proto == 58 && v6)
		name = "icmp6";
	else if (proto == 50)
		name = "esp";
	else if (proto == 59 && v6)
		name = "no-next-header";
	if (name)
		snprintf(d->proto, sizeof(d->proto), "%s", name);
	else
		snprintf(d->proto, sizeof(d->proto), "proto %u", proto);
}

/* "addr:port", with brackets around an IPv6 address. */
static const char *endpoint(char *buf, size_t n, const char *addr, int port, bool v6)
{
	snprintf(buf, n, v6 ? "[%s]:%d" : "%s:%d", addr, port);
	return buf;
}

/* tcpdump's spelling: S SYN, F FIN, R RST, P PSH, . ACK, U URG, E ECE, W CWR. */
static const char *tcp_flags(char *buf, uint8_t flags)
{
	static const struct {
		uint8_t bit;
		char c;
	} names[] = { { 0x01, 'F' }, { 0x02, 'S' }, { 0x04, 'R' }, { 0x08, 'P' },
		      { 0x10, '.' }, { 0x20, 'U' }, { 0x40, 'E' }, { 0x80, 'W' } };
	size_t k = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (flags & names[i].bit)
			buf[k++] = names[i].c;
	if (!k)
		strcpy(buf, "none");
	else
		buf[k] = 0;
	return buf;
}

/* The upper layer at off; end is where the IP packet says it ends (<= len). */
static void decode_l4(const struct frame *f, size_t off, size_t end, unsigned proto, bool v6,
		      bool first_frag, struct pc_decoded *d, struct out *o)
{
	char a[64], b[64], fl[16];
	bool icmp = (proto == 1 && !v6) || (proto == 58 && v6);
	size_t need = proto == 6 ? 20 : 8;

	proto_name(d, proto, v6);
	if (proto != 6 && proto != 17 && !icmp) {
		put(o, "%s %s -> %s", d->proto, d->src, d->dst);
		return;
	}
	if (!have(f, off, need, d->proto, &(struct out){ 0 })) {
		put(o, "%s %s -> %s", d->proto, d->src, d->dst);
		have(f, off, need, d->proto, o);
		return;
	}
	if (icmp) {
		d->icmp_type = f->p[off];
		d->icmp_code = f->p[off + 1];
		put(o, "%s %s -> %s type %d", d->proto, d->src, d->dst, d->icmp_type);
		if (d->icmp_code)
			put(o, " code %d", d->icmp_code);
		if (off + 8 > end)
			put(o, " malformed: the %s header ends beyond the ip packet", d->proto);
		return;
	}
	d->sport = (int)rd16(f, off);
	d->dport = (int)rd16(f, off + 2);
	put(o, "%s %s -> %s", d->proto, endpoint(a, sizeof(a), d->src, d->sport, v6),
	    endpoint(b, sizeof(b), d->dst, d->dport, v6));
	if (proto == 6) {
		unsigned doff = f->p[off + 12] >> 4;

		put(o, " [%s]", tcp_flags(fl, f->p[off + 13]));
		if (doff < 5)
			put(o, " malformed: tcp data offset %u", doff);
		else if (off + doff * 4 > end)
			put(o, " malformed: the tcp header ends beyond the ip packet");
	} else {
		unsigned ulen = rd16(f, off + 4);

		if (ulen < 8)
			put(o, " malformed: udp length %u", ulen);
		else if (off + 8 > end || (!first_frag && off + ulen > end))
			put(o, " malformed: udp length %u beyond the ip packet", ulen);
	}
}

static void decode_ipv4(const struct frame *f, size_t off, struct pc_decoded *d, struct out *o)
{
	unsigned ver, hlen, tot, frag, id, proto;

	if (!have(f, off, IP4_HLEN, "ipv4", o))
		return;
	ver = f->p[off] >> 4;
	hlen = (f->p[off] & 15) * 4;
	tot = rd16(f, off + 2);
	id = rd16(f, off + 4);
	frag = rd16(f, off + 6);
	proto = f->p[off + 9];
	inet_ntop(AF_INET, f->p + off + 12, d->src, sizeof(d->src));
	inet_ntop(AF_INET, f->p + off + 16, d->dst, sizeof(d->dst));
	proto_name(d, proto, false);
	if (ver != 4) {
		put(o, "ipv4 %s -> %s malformed: ip version %u", d->src, d->dst, ver);
		return;
	}
	if (hlen < IP4_HLEN || tot < hlen || tot > f->len - off) {
		put(o,
		    "%s %s -> %s malformed: ipv4 header length %u, total length %u, "
		    "%zu bytes in the frame",
		    d->proto, d->src, d->dst, hlen, tot, f->len - off);
		return;
	}
	if (frag & 0x1fff) {
		put(o, "%s %s -> %s fragment id 0x%04x offset %u", d->proto, d->src, d->dst, id,
		    (frag & 0x1fff) * 8);
		return;
	}
	decode_l4(f, off + hlen, off + tot, proto, false, frag & 0x2000, d, o);
	if (frag & 0x2000)
		put(o, " first-fragment id 0x%04x", id);
}

static bool ipv6_is_ext(unsigned nh)
{
	return nh == 0 || nh == 43 || nh == 44 || nh == 60 || nh == 51;
}

static void decode_ipv6(const struct frame *f, size_t off, struct pc_decoded *d, struct out *o)
{
	unsigned ver, nh, plen, frag_off = 0;
	bool frag_hdr = false, first_frag = false;
	uint32_t frag_id = 0;
	size_t pos, end;

	if (!have(f, off, IP6_HLEN, "ipv6", o))
		return;
	ver = f->p[off] >> 4;
	plen = rd16(f, off + 4);
	nh = f->p[off + 6];
	inet_ntop(AF_INET6, f->p + off + 8, d->src, sizeof(d->src));
	inet_ntop(AF_INET6, f->p + off + 24, d->dst, sizeof(d->dst));
	if (ver != 6) {
		put(o, "ipv6 %s -> %s malformed: ip version %u", d->src, d->dst, ver);
		return;
	}
	pos = off + IP6_HLEN;
	if (plen > f->len - pos) {
		put(o, "ipv6 %s -> %s malformed: payload length %u, %zu bytes in the frame", d->src,
		    d->dst, plen, f->len - pos);
		return;
	}
	end = pos + plen;
	for (int i = 0; ipv6_is_ext(nh); i++) {
		size_t len;

		if (i == MAX_V6_EXT) {
			put(o, "ipv6 %s -> %s malformed: more than %d extension headers", d->src,
			    d->dst, MAX_V6_EXT);
			return;
		}
		if (!have(f, pos, 8, "ipv6 extension", &(struct out){ 0 })) {
			put(o, "ipv6 %s -> %s", d->src, d->dst);
			have(f, pos, 8, "ipv6 extension", o);
			return;
		}
		if (nh == 51 && (f->p[pos + 1] & 1)) {
			put(o, "ipv6 %s -> %s malformed: ah length %u", d->src, d->dst,
			    f->p[pos + 1]);
			return;
		}
		if (nh == 44 && frag_hdr) {
			put(o, "ipv6 %s -> %s malformed: two fragment headers", d->src, d->dst);
			return;
		}
		len = nh == 51 ? (f->p[pos + 1] + 2u) * 4 : nh == 44 ? 8 : (f->p[pos + 1] + 1u) * 8;
		if (len > end - pos) {
			put(o,
			    "ipv6 %s -> %s malformed: an extension header ends beyond the "
			    "payload",
			    d->src, d->dst);
			return;
		}
		if (nh == 44) {
			frag_hdr = true;
			frag_off = rd16(f, pos + 2);
			frag_id = rd32(f, pos + 4);
			first_frag = !(frag_off & 0xfff8) && (frag_off & 1);
		}
		nh = f->p[pos];
		pos += len;
		if (frag_off & 0xfff8) {
			proto_name(d, nh, true);
			put(o, "%s %s -> %s fragment id 0x%08x offset %u", d->proto, d->src, d->dst,
			    frag_id, frag_off & 0xfff8);
			return;
		}
	}
	decode_l4(f, pos, end, nh, true, first_frag, d, o);
	if (first_frag)
		put(o, " first-fragment id 0x%08x", frag_id);
}

void pc_decode(const uint8_t *data, size_t snap, size_t len, char *buf, size_t n,
	       struct pc_decoded *d)
{
	struct frame f = { .p = data, .cap = snap < len ? snap : len, .len = len };
	struct out o = { .buf = buf, .n = n };
	struct pc_decoded ignore;
	size_t off = ETH_HLEN;
	bool cut = false;
	unsigned type;

	if (!d)
		d = &ignore;
	memset(d, 0, sizeof(*d));
	d->sport = d->dport = d->icmp_type = d->icmp_code = -1;
	if (n)
		buf[0] = 0;
	if (!data)
		f.cap = 0;
	if (!have(&f, 0, ETH_HLEN, "ethernet", &o))
		return;
	type = rd16(&f, 12);
	for (int i = 0; i < MAX_VLAN && (type == 0x8100 || type == 0x88a8); i++) {
		if (!have(&f, off, 4, "vlan", &o)) {
			cut = true;
			break;
		}
		d->vlan[d->n_vlan++] = (int)(rd16(&f, off) & 0xfff);
		type = rd16(&f, off + 2);
		off += 4;
	}
	if (!cut) {
		d->ethertype = (uint16_t)type;
		if (type == 0x8100 || type == 0x88a8)
			put(&o, "malformed: more than %d vlan tags", MAX_VLAN);
		else if (type == 0x0800)
			decode_ipv4(&f, off, d, &o);
		else if (type == 0x86dd)
			decode_ipv6(&f, off, d, &o);
		else
			put(&o, "non-ip ethertype 0x%04x", type);
	}
	if (d->n_vlan)
		put(&o, " vlan %d", d->vlan[0]);
	if (d->n_vlan > 1)
		put(&o, ",%d", d->vlan[1]);
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The drop-event frame decoder: exact text for good frames, and no read past the
 * captured bytes on every truncation of them and on random bytes (the suite runs this
 * under ASan too; each frame is copied into a heap block of exactly its size). */
#include <stdlib.h>

#include "harness.h"
#include "observe/decode.h"
#include "traffic/frame.h"

/* Decodes a heap copy of the first snap bytes of a len-byte frame. */
static const char *decode(const uint8_t *data, size_t snap, size_t len, struct pc_decoded *d)
{
	static char buf[512];
	uint8_t *copy = malloc(snap ? snap : 1);

	memcpy(copy, data, snap);
	pc_decode(copy, snap, len, buf, sizeof(buf), d);
	free(copy);
	return buf;
}

static const char *decode_frame(const struct pkt *f)
{
	return decode(f->data, f->len, f->len, NULL);
}

static void tcp4(struct pkt *f, int vlans, uint16_t dport, uint8_t flags)
{
	pkt_init(f);
	if (vlans == 2)
		pkt_vlan(f, 0x88a8, 10);
	if (vlans >= 1)
		pkt_vlan(f, 0x8100, vlans == 2 ? 20 : 10);
	PKT_IPV4(f, .src = "198.51.100.7", .dst = "192.0.2.1");
	PKT_TCP(f, .sport = 40000, .dport = dport, .flags = flags);
}

TEST(good_frames)
{
	struct pc_decoded d;
	struct pkt f;

	tcp4(&f, 1, 22, PKT_SYN);
	EXPECT_STR(decode(f.data, f.len, f.len, &d),
		   "tcp 198.51.100.7:40000 -> 192.0.2.1:22 [S] vlan 10");
	EXPECT_STR(d.proto, "tcp");
	EXPECT_STR(d.src, "198.51.100.7");
	EXPECT_EQ(d.sport, 40000);
	EXPECT_EQ(d.dport, 22);
	EXPECT_EQ(d.n_vlan, 1);
	EXPECT_EQ(d.ethertype, 0x0800);

	tcp4(&f, 2, 25, PKT_SYN | PKT_ACK);
	EXPECT_STR(decode_frame(&f), "tcp 198.51.100.7:40000 -> 192.0.2.1:25 [S.] vlan 10,20");
	tcp4(&f, 0, 80, PKT_FIN | PKT_PSH | PKT_ACK);
	EXPECT_STR(decode_frame(&f), "tcp 198.51.100.7:40000 -> 192.0.2.1:80 [FP.]");
	tcp4(&f, 0, 80, 0);
	EXPECT_STR(decode_frame(&f), "tcp 198.51.100.7:40000 -> 192.0.2.1:80 [none]");

	pkt_init(&f);
	PKT_IPV4(&f, .src = "192.0.2.2", .dst = "192.0.2.1");
	pkt_icmp(&f, 8, 0);
	pkt_payload(&f, 10);
	EXPECT_STR(decode(f.data, f.len, f.len, &d), "icmp 192.0.2.2 -> 192.0.2.1 type 8");
	EXPECT_EQ(d.icmp_type, 8);
	EXPECT_EQ(d.sport, -1);

	pkt_init(&f);
	pkt_next(&f, 0x0806);
	pkt_payload(&f, 28);
	EXPECT_STR(decode(f.data, f.len, f.len, &d), "non-ip ethertype 0x0806");
	EXPECT_STR(d.proto, "");

	pkt_init(&f); /* a third tag is not walked: non-IP, like the program */
	pkt_vlan(&f, 0x88a8, 1);
	pkt_vlan(&f, 0x8100, 2);
	pkt_vlan(&f, 0x8100, 3);
	PKT_IPV4(&f);
	EXPECT_STR(decode_frame(&f), "malformed: more than 2 vlan tags vlan 1,2");

	pkt_init(&f);
	PKT_IPV6(&f, .src = "2001:db8::7", .dst = "2001:db8::1");
	pkt_ext6(&f, 0, 8);
	pkt_ext6(&f, 60, 16);
	PKT_UDP(&f, .sport = 53, .dport = 40000);
	pkt_payload(&f, 4);
	EXPECT_STR(decode_frame(&f), "udp [2001:db8::7]:53 -> [2001:db8::1]:40000");

	pkt_init(&f);
	PKT_IPV6(&f, .src = "2001:db8::7", .dst = "2001:db8::1");
	pkt_ah(&f, 4);
	pkt_icmp6(&f, 1, 4);
	EXPECT_STR(decode_frame(&f), "icmp6 2001:db8::7 -> 2001:db8::1 type 1 code 4");

	pkt_init(&f);
	PKT_IPV6(&f, .src = "2001:db8::7", .dst = "2001:db8::1");
	pkt_next(&f, 50);
	pkt_payload(&f, 16);
	EXPECT_STR(decode_frame(&f), "esp 2001:db8::7 -> 2001:db8::1");

	pkt_init(&f); /* ICMPv6 inside IPv4 is no ICMP */
	PKT_IPV4(&f, .src = "192.0.2.2", .dst = "192.0.2.1");
	pkt_icmp6(&f, 128, 0);
	EXPECT_STR(decode_frame(&f), "proto 58 192.0.2.2 -> 192.0.2.1");
}

TEST(fragments)
{
	struct pkt f;

	pkt_init(&f);
	PKT_IPV4(&f, .src = "198.51.100.7", .dst = "192.0.2.1", .id = 0x1234, .mf = true);
	PKT_TCP(&f, .sport = 40000, .dport = 25, .flags = PKT_SYN);
	EXPECT_STR(decode_frame(&f),
		   "tcp 198.51.100.7:40000 -> 192.0.2.1:25 [S] first-fragment id 0x1234");

	pkt_init(&f);
	PKT_IPV4(&f, .src = "198.51.100.7", .dst = "192.0.2.1", .id = 0x1234, .frag = 185);
	pkt_next(&f, 6);
	pkt_payload(&f, 20);
	EXPECT_STR(decode_frame(&f),
		   "tcp 198.51.100.7 -> 192.0.2.1 fragment id 0x1234 offset 1480");

	pkt_init(&f);
	PKT_IPV6(&f, .src = "2001:db8::7", .dst = "2001:db8::1");
	pkt_frag6(&f, 100, true, 7);
	pkt_next(&f, 17);
	pkt_payload(&f, 16);
	EXPECT_STR(decode_frame(&f),
		   "udp 2001:db8::7 -> 2001:db8::1 fragment id 0x00000007 offset 800");
}

TEST(malformed_and_cut_frames)
{
	struct pkt f;

	pkt_init(&f);
	PKT_IPV4(&f, .src = "198.51.100.7", .dst = "192.0.2.1", .ihl = 3);
	PKT_TCP(&f);
	EXPECT_TRUE(strstr(decode_frame(&f), "malformed: ipv4 header length 12"));

	pkt_init(&f);
	PKT_IPV4(&f, .src = "198.51.100.7", .dst = "192.0.2.1");
	PKT_TCP(&f, .doff = 4, .flags = PKT_SYN);
	EXPECT_STR(decode_frame(&f), "tcp 198.51.100.7:40000 -> 192.0.2.1:80 [S] malformed: "
				     "tcp data offset 4");

	tcp4(&f, 0, 22, PKT_SYN);
	EXPECT_STR(decode(f.data, 10, 10, NULL), "truncated ethernet header (10 of 14 bytes)");
	EXPECT_STR(decode(f.data, 0, 0, NULL), "truncated ethernet header (0 of 14 bytes)");

	/* The frame is whole, the capture is not: "not captured", not "truncated". */
	pkt_init(&f);
	PKT_IPV6(&f, .src = "2001:db8::7", .dst = "2001:db8::1");
	pkt_ext6(&f, 0, 80);
	pkt_ext6(&f, 60, 64);
	PKT_TCP(&f, .dport = 22, .flags = PKT_SYN);
	EXPECT_STR(decode(f.data, 128, f.len, NULL),
		   "ipv6 2001:db8::7 -> 2001:db8::1 ipv6 extension header not captured (the "
		   "capture ends at byte 128)");
	EXPECT_STR(decode(f.data, f.len - 10, f.len, NULL),
		   "tcp 2001:db8::7 -> 2001:db8::1 tcp header not captured (the capture ends "
		   "at byte 208)");
}

/* Every cut of every good frame: the text says truncated or malformed, never the
 * whole frame's text, and nothing is read beyond the cut. */
TEST(every_truncation)
{
	struct pkt frames[6], *f = frames;
	char full[512];

	tcp4(f++, 2, 22, PKT_SYN);
	pkt_init(f);
	PKT_IPV4(f, .opt_len = 8);
	pkt_icmp(f++, 3, 1);
	pkt_init(f);
	pkt_vlan(f, 0x8100, 5);
	PKT_IPV6(f);
	pkt_ext6(f, 0, 8);
	pkt_frag6(f, 0, true, 9);
	pkt_ext6(f, 60, 24);
	PKT_UDP(f++, .dport = 53);
	pkt_init(f);
	PKT_IPV6(f);
	pkt_ah(f, 2);
	PKT_TCP(f++, .opt_len = 12, .flags = PKT_ACK);
	pkt_init(f);
	PKT_IPV4(f, .frag = 3);
	pkt_next(f, 17);
	pkt_payload(f++, 8);
	pkt_init(f);
	PKT_IPV6(f);
	pkt_icmp6(f++, 135, 0);

	for (struct pkt *p = frames; p < f; p++) {
		snprintf(full, sizeof(full), "%s", decode_frame(p));
		EXPECT_TRUE(!strstr(full, "truncated") && !strstr(full, "malformed"));
		for (size_t cut = 0; cut < p->len; cut++) {
			const char *s = decode(p->data, cut, cut, NULL);

			if (!strstr(s, "truncated") && !strstr(s, "malformed"))
				pc_test_fail(__FILE__, __LINE__,
					     "frame %d cut to %zu bytes: \"%s\" (whole: \"%s\")",
					     (int)(p - frames), cut, s, full);
			/* The same cut as a capture of the whole frame. */
			s = decode(p->data, cut, p->len, NULL);
			if (strstr(s, "truncated"))
				pc_test_fail(__FILE__, __LINE__,
					     "frame %d captured to %zu bytes: \"%s\"",
					     (int)(p - frames), cut, s);
		}
	}
}

/* Random bytes, nudged towards the interesting paths: IP EtherTypes, VLAN tags,
 * versions 4 and 6, extension headers. */
TEST(random_bytes)
{
	static const uint16_t types[] = { 0x0800, 0x86dd, 0x8100, 0x88a8, 0x0806 };
	static const uint8_t nexthdr[] = { 0, 43, 44, 60, 51, 6, 17, 58, 1, 50 };
	uint8_t frame[192];
	char small[8];
	unsigned seed = 1;

	for (int i = 0; i < 200000; i++) {
		size_t snap = (size_t)rand_r(&seed) % sizeof(frame), len = snap;

		for (size_t k = 0; k < snap; k++)
			frame[k] = (uint8_t)rand_r(&seed);
		if (snap >= 14 && rand_r(&seed) % 4) {
			uint16_t t = types[rand_r(&seed) % 5];
			size_t ip = 14;

			frame[12] = t >> 8;
			frame[13] = t & 0xff;
			if ((t == 0x8100 || t == 0x88a8) && snap >= 18) {
				frame[16] = rand_r(&seed) % 2 ? 0x08 : 0x86;
				frame[17] = frame[16] == 0x08 ? 0x00 : 0xdd;
				ip = 18;
			}
			if (snap > ip + 6) {
				frame[ip] = (uint8_t)((rand_r(&seed) % 2 ? 0x40 : 0x60) |
						      (frame[ip] & 0x0f));
				frame[ip + 6] = nexthdr[rand_r(&seed) % 10];
				frame[ip + 9 < snap ? ip + 9 : ip] = nexthdr[rand_r(&seed) % 10];
			}
		}
		if (rand_r(&seed) % 2)
			len += (size_t)rand_r(&seed) % 2000;
		decode(frame, snap, len, NULL);
		pc_decode(frame, snap, len, small, sizeof(small), NULL);
		EXPECT_TRUE(strlen(small) < sizeof(small));
	}
	pc_decode(frame, 0, 100, small, 0, NULL); /* no room at all: writes nothing */
	pc_decode(NULL, 0, 0, small, sizeof(small), NULL);
}

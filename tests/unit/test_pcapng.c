// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The pcapng writer of `log --pcapng`: the layout of each block as the pcapng
 * specification gives it (type, total length at both ends, 32-bit alignment, options
 * ending in opt_endofopt, the byte-order magic), read back by a walker written here,
 * and the whole file read by libpcap, which `explain --pcap` reads with. */
#include <stdint.h>
#include <stdlib.h>

#include <pcap/pcap.h>

#include "harness.h"
#include "observe/pcapng.h"

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint16_t rd16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}

/* The options from p to end: each padded to 4 bytes, the last opt_endofopt. Finds
 * the value of option `code` (NULL: absent); fails the test on a bad layout. */
static const uint8_t *find_option(const uint8_t *p, const uint8_t *end, uint16_t code,
				  uint16_t *len)
{
	const uint8_t *found = NULL;

	while (p + 4 <= end) {
		uint16_t c = rd16(p), n = rd16(p + 2);

		if (c == PC_PCAPNG_OPT_END) {
			EXPECT_EQ(n, 0);
			EXPECT_TRUE(p + 4 == end); /* nothing after the end of options */
			return found;
		}
		if (c == code) {
			found = p + 4;
			*len = n;
		}
		p += 4 + (n + 3) / 4 * 4;
	}
	pc_test_fail(__FILE__, __LINE__, "options without opt_endofopt");
	return NULL;
}

/* Checks the frame of one block at p (type, both lengths, alignment); returns its
 * length, 0 when it is broken. */
static uint32_t block(const uint8_t *p, size_t left, uint32_t type)
{
	uint32_t len;

	if (left < 12) {
		pc_test_fail(__FILE__, __LINE__, "%zu bytes left, no block", left);
		return 0;
	}
	len = rd32(p + 4);
	EXPECT_EQ(rd32(p), type);
	EXPECT_EQ(len % 4, 0);
	if (len > left || len < 12) {
		pc_test_fail(__FILE__, __LINE__, "block length %u, %zu bytes left", len, left);
		return 0;
	}
	EXPECT_EQ(rd32(p + len - 4), len);
	return len;
}

/* A section, an interface and packets of every alignment, with and without comment. */
static uint8_t *write_file(size_t *size)
{
	static const uint8_t frame[130] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x08, 0x00 };
	char *buf = NULL;
	FILE *f = open_memstream(&buf, size);

	EXPECT_EQ(pc_pcapng_section(f, "portcullis test"), 0);
	EXPECT_EQ(pc_pcapng_interface(f, "eth0", 128), 0);
	for (uint32_t cap = 60; cap < 64; cap++)
		EXPECT_EQ(pc_pcapng_packet(f, 0, 1700000000123456789ULL + cap, frame, cap, 1514,
					   cap % 2 ? "drop: no-match (default drop)" : NULL),
			  0);
	EXPECT_EQ(pc_pcapng_packet(f, 0, 1, frame, 128, 128, "drop: malformed"), 0);
	fclose(f);
	return (uint8_t *)buf;
}

TEST(block_layout)
{
	size_t size, off = 0;
	uint8_t *b = write_file(&size);
	const uint8_t *v;
	uint16_t n = 0;
	uint32_t len;

	/* Section header: magic, version 1.0, unknown section length, the application. */
	len = block(b, size, PC_PCAPNG_SHB);
	if (!len)
		goto out;
	EXPECT_EQ(rd32(b + 8), PC_PCAPNG_MAGIC);
	EXPECT_EQ(rd16(b + 12), 1);
	EXPECT_EQ(rd16(b + 14), 0);
	EXPECT_TRUE(!memcmp(b + 16, "\xff\xff\xff\xff\xff\xff\xff\xff", 8));
	v = find_option(b + 24, b + len - 4, PC_PCAPNG_SHB_USERAPPL, &n);
	EXPECT_TRUE(v && n == strlen("portcullis test") && !memcmp(v, "portcullis test", n));
	off += len;

	/* Interface: Ethernet, the snap length, its name, nanoseconds. */
	len = block(b + off, size - off, PC_PCAPNG_IDB);
	if (!len)
		goto out;
	EXPECT_EQ(rd16(b + off + 8), PC_PCAPNG_LINKTYPE_ETHERNET);
	EXPECT_EQ(rd32(b + off + 12), 128);
	v = find_option(b + off + 16, b + off + len - 4, PC_PCAPNG_IF_NAME, &n);
	EXPECT_TRUE(v && n == 4 && !memcmp(v, "eth0", 4));
	v = find_option(b + off + 16, b + off + len - 4, PC_PCAPNG_IF_TSRESOL, &n);
	EXPECT_TRUE(v && n == 1 && v[0] == 9);
	off += len;

	/* Packets: the 64-bit time in two halves, both lengths, data padded to 4 bytes. */
	for (uint32_t cap = 60; cap < 64; cap++) {
		uint64_t ts = 1700000000123456789ULL + cap;
		const uint8_t *p = b + off;

		len = block(p, size - off, PC_PCAPNG_EPB);
		if (!len)
			goto out;
		EXPECT_EQ(rd32(p + 8), 0);
		EXPECT_EQ(rd32(p + 12), ts >> 32);
		EXPECT_EQ(rd32(p + 16), ts & 0xffffffffU);
		EXPECT_EQ(rd32(p + 20), cap);
		EXPECT_EQ(rd32(p + 24), 1514);
		EXPECT_EQ(p[28 + 12], 0x08);
		if (cap % 2) {
			v = find_option(p + 28 + (cap + 3) / 4 * 4, p + len - 4,
					PC_PCAPNG_OPT_COMMENT, &n);
			EXPECT_TRUE(v && n == 29 && !memcmp(v, "drop: no-match (default drop)", n));
		} else {
			/* No options at all: the data's padding, then the length. */
			EXPECT_EQ(len, 28 + (cap + 3) / 4 * 4 + 4);
		}
		off += len;
	}
	len = block(b + off, size - off, PC_PCAPNG_EPB);
	off += len;
	EXPECT_EQ(off, size);
out:
	free(b);
}

/* libpcap reads the file as written: the frames, their lengths and times in ns. */
TEST(libpcap_reads_it)
{
	char err[PCAP_ERRBUF_SIZE];
	size_t size;
	uint8_t *b = write_file(&size);
	FILE *f = fmemopen(b, size, "r");
	pcap_t *p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, err);
	struct pcap_pkthdr *h;
	const u_char *data;
	int n = 0;

	if (!p) {
		pc_test_fail(__FILE__, __LINE__, "libpcap: %s", err);
		fclose(f);
		free(b);
		return;
	}
	EXPECT_EQ(pcap_datalink(p), DLT_EN10MB);
	EXPECT_EQ(pcap_snapshot(p), 128);
	while (pcap_next_ex(p, &h, &data) == 1) {
		if (n < 4) {
			EXPECT_EQ(h->caplen, 60 + n);
			EXPECT_EQ(h->len, 1514);
			EXPECT_EQ(h->ts.tv_sec, 1700000000);
			EXPECT_EQ(h->ts.tv_usec, 123456789 + 60 + n); /* nanoseconds here */
		}
		n++;
	}
	EXPECT_EQ(n, 5);
	pcap_close(p); /* closes f */
	free(b);
}

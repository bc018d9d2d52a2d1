// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A capture file's frames, as Ethernet (capture_file.h), read with libpcap. */
#include <string.h>

#include <pcap/pcap.h>

#include "traffic/capture_file.h"

#define ETH_HLEN 14
#define SLL_HLEN 16  /* pcap-linktype(7): LINKTYPE_LINUX_SLL, protocol at 14 */
#define SLL2_HLEN 20 /* LINKTYPE_LINUX_SLL2, protocol at 0 */

/* Bytes of link header a capture of this type puts before the network layer, and
 * where its EtherType is; -1: not a link type we can turn into Ethernet. */
static int link_header(int dlt, int *proto_off)
{
	*proto_off = -1;
	switch (dlt) {
	case DLT_EN10MB:
		return 0;
	case DLT_LINUX_SLL:
		*proto_off = 14;
		return SLL_HLEN;
	case DLT_LINUX_SLL2:
		*proto_off = 0;
		return SLL2_HLEN;
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		return 0; /* the IP version nibble tells the EtherType */
	default:
		return -1;
	}
}

int pc_capture_open(const char *path, struct pc_capture *c, struct pc_err *e)
{
	char err[PCAP_ERRBUF_SIZE] = "";
	const char *name;
	int off;

	memset(c, 0, sizeof(*c));
	c->pcap = pcap_open_offline(path, err);
	if (!c->pcap)
		return pc_usage(e,
				"reading %s: %s; give a pcap or pcapng file, as tcpdump -w or "
				"`portcullis log --pcapng` write",
				path, err);
	c->linktype = pcap_datalink(c->pcap);
	name = pcap_datalink_val_to_name(c->linktype);
	snprintf(c->linkname, sizeof(c->linkname), "%s", name ? name : "unknown");
	if (link_header(c->linktype, &off) < 0) {
		pc_capture_close(c);
		return pc_usage(
			e,
			"%s: link type %d (%s) is not one explain reads; it reads Ethernet, "
			"Linux cooked (SLL, SLL2) and raw IP captures",
			path, c->linktype, name ? name : "unknown");
	}
	return 0;
}

/* The EtherType of a raw IP packet, from its version nibble (0: neither). */
static uint16_t ip_ethertype(const uint8_t *p, uint32_t n)
{
	if (!n)
		return 0;
	return p[0] >> 4 == 4 ? 0x0800 : p[0] >> 4 == 6 ? 0x86dd : 0;
}

int pc_capture_next(struct pc_capture *c, struct pc_capture_frame *f, struct pc_err *e)
{
	struct pcap_pkthdr *h;
	const u_char *p;
	uint32_t cap, len, keep;
	uint16_t type;
	int r = pcap_next_ex(c->pcap, &h, &p), off, hlen;

	if (r == PCAP_ERROR_BREAK)
		return 0;
	if (r != 1)
		return pc_fail(e, 0, NULL, "reading frame %lu of the capture: %s", c->index + 1,
			       pcap_geterr(c->pcap));
	c->index++;
	cap = h->caplen;
	len = h->len < cap ? cap : h->len;
	hlen = link_header(c->linktype, &off);
	f->synthetic_eth = c->linktype != DLT_EN10MB;
	f->cap_len = f->len = 0;
	if (!f->synthetic_eth) {
		keep = cap < PKT_MAX ? cap : PKT_MAX;
		memcpy(f->data, p, keep);
		f->cap_len = keep;
		f->len = len;
		return 1;
	}
	if (cap < (uint32_t)hlen)
		return 1; /* not even the cooked header: nothing to judge */
	type = off >= 0 ? p[off] << 8 | p[off + 1] : ip_ethertype(p, cap);
	memset(f->data, 0, 12); /* no MACs in the capture: the program reads none */
	f->data[12] = type >> 8;
	f->data[13] = type & 0xff;
	keep = cap - hlen < PKT_MAX - ETH_HLEN ? cap - hlen : PKT_MAX - ETH_HLEN;
	memcpy(f->data + ETH_HLEN, p + hlen, keep);
	f->cap_len = ETH_HLEN + keep;
	f->len = ETH_HLEN + (len - hlen);
	return 1;
}

void pc_capture_close(struct pc_capture *c)
{
	if (c->pcap)
		pcap_close(c->pcap);
	c->pcap = NULL;
}

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Frames read from a capture file, pcap or pcapng (libpcap reads both), as Ethernet
 * frames, which is what the XDP program sees: Ethernet captures as they are; Linux
 * cooked captures (SLL, SLL2) and raw IP (DLT_RAW, IPv4, IPv6) behind a synthetic
 * Ethernet header of zero MACs and the EtherType the capture gives (the protocol field,
 * or the IP version); any other link type is refused by name. */
#ifndef PC_TRAFFIC_CAPTURE_FILE_H
#define PC_TRAFFIC_CAPTURE_FILE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "traffic/frame.h"

struct pc_capture {
	void *pcap;	     /* pcap_t */
	int linktype;	     /* DLT_* */
	char linkname[64];   /* "EN10MB", "LINUX_SLL2": libpcap's name */
	unsigned long index; /* frames read, the last one's number (from 1) */
};

/* One frame as the program would see it. data holds cap_len bytes; the frame was
 * len bytes on the wire (len > cap_len: the capture cut it). */
struct pc_capture_frame {
	uint8_t data[PKT_MAX];
	uint32_t cap_len, len;
	bool synthetic_eth; /* the Ethernet header was made up (cooked or raw capture) */
};

/* Opens path ("-": standard input); an unreadable file or an unknown link type is an
 * error naming it. */
int pc_capture_open(const char *path, struct pc_capture *c, struct pc_err *e);
/* The next frame: 1, 0 at the end of the file, -1 with e set. A frame that cannot be
 * made Ethernet (a cooked header cut short) comes back with cap_len 0. */
int pc_capture_next(struct pc_capture *c, struct pc_capture_frame *f, struct pc_err *e);
void pc_capture_close(struct pc_capture *c);

#endif /* PC_TRAFFIC_CAPTURE_FILE_H */

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A pcapng writer: the three blocks `log --pcapng` needs, written by hand because
 * libpcap cannot write a comment per packet. Blocks are in the host's byte order,
 * which the section header's byte-order magic tells readers (pcapng, RFC draft
 * draft-ietf-opsawg-pcapng: section header, interface description, enhanced packet). */
#ifndef PC_OBSERVE_PCAPNG_H
#define PC_OBSERVE_PCAPNG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PC_PCAPNG_SHB 0x0A0D0D0AU
#define PC_PCAPNG_IDB 0x00000001U
#define PC_PCAPNG_EPB 0x00000006U
#define PC_PCAPNG_MAGIC 0x1A2B3C4DU
#define PC_PCAPNG_LINKTYPE_ETHERNET 1

/* Option codes of the blocks written. */
enum {
	PC_PCAPNG_OPT_END = 0,
	PC_PCAPNG_OPT_COMMENT = 1,
	PC_PCAPNG_SHB_USERAPPL = 4,
	PC_PCAPNG_IF_NAME = 2,
	PC_PCAPNG_IF_TSRESOL = 9,
};

/* The section header block: starts a file (or a stream). app names the writer
 * (shb_userappl); NULL: none. Each function writes one block with one fwrite and
 * returns 0, or -errno of the failed write. */
int pc_pcapng_section(FILE *out, const char *app);
/* An interface description block for an Ethernet interface named name, timestamps in
 * nanoseconds (if_tsresol 9), frames cut at snaplen. Interfaces are numbered from 0 in
 * the order of their blocks in the section. */
int pc_pcapng_interface(FILE *out, const char *name, uint32_t snaplen);
/* An enhanced packet block: the first cap_len bytes of a frame of orig_len bytes seen
 * on interface iface at ts_ns (ns since the epoch), with a comment (NULL: none); then
 * flushes out, so that a reader at the other end of a pipe sees the frame now. */
int pc_pcapng_packet(FILE *out, uint32_t iface, uint64_t ts_ns, const void *data, uint32_t cap_len,
		     uint32_t orig_len, const char *comment);

#endif /* PC_OBSERVE_PCAPNG_H */

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The connected TCP and UDP sockets of this network namespace (netlink sock_diag):
 * what `load` records as flows so that loading cuts no live session. */
#ifndef PC_KERN_SOCKETS_H
#define PC_KERN_SOCKETS_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

struct pc_socket {
	uint8_t family;			/* 4 or 6; an IPv4-mapped IPv6 peer is 4 */
	uint8_t proto;			/* IPPROTO_TCP or IPPROTO_UDP */
	uint8_t state;			/* TCP state (TCP_ESTABLISHED, ...); UDP: 0 */
	uint16_t local_port, peer_port; /* host order */
	uint8_t local[16], peer[16];	/* network order; IPv4 in the first 4 bytes */
};

/* Every TCP socket past listening and every connected UDP socket, loopback left out.
 * *out is malloc'd (free it); *n may be 0. */
int pc_sockets_list(struct pc_socket **out, size_t *n, struct pc_err *e);

#endif /* PC_KERN_SOCKETS_H */

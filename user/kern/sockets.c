// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* sock_diag dumps: one request per (family, protocol), answers read to NLMSG_DONE. */
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kern/sockets.h"

struct list {
	struct pc_socket *v;
	size_t n, cap;
};

/* TCP states that have a peer: all but LISTEN and CLOSE (TIME_WAIT sockets are
 * minisocks the dump also returns; their flow is over). */
#define TCP_STATES                                                                                 \
	((1u << TCP_ESTABLISHED) | (1u << TCP_SYN_SENT) | (1u << TCP_SYN_RECV) |                   \
	 (1u << TCP_FIN_WAIT1) | (1u << TCP_FIN_WAIT2) | (1u << TCP_CLOSE_WAIT) |                  \
	 (1u << TCP_LAST_ACK) | (1u << TCP_CLOSING))

static int request(int fd, uint8_t family, uint8_t proto)
{
	struct {
		struct nlmsghdr nh;
		struct inet_diag_req_v2 req;
	} msg = {
		.nh = { .nlmsg_len = sizeof(msg),
			.nlmsg_type = SOCK_DIAG_BY_FAMILY,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.req = { .sdiag_family = family,
			 .sdiag_protocol = proto,
			 .idiag_states = proto == IPPROTO_TCP ? TCP_STATES : ~0u },
	};
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK };

	return sendto(fd, &msg, sizeof(msg), 0, (struct sockaddr *)&nl, sizeof(nl)) < 0 ? -1 : 0;
}

static bool is_loopback(const uint8_t *a, uint8_t family)
{
	static const uint8_t v6_lo[16] = { [15] = 1 };

	return family == 4 ? a[0] == 127 : !memcmp(a, v6_lo, 16);
}

/* ::ffff:a.b.c.d is IPv4 on the wire. */
static bool is_v4_mapped(const uint32_t *a)
{
	return !a[0] && !a[1] && a[2] == htonl(0xffff);
}

static int add(struct list *l, const struct inet_diag_msg *m, uint8_t proto)
{
	struct pc_socket s = { .proto = proto, .state = proto == IPPROTO_TCP ? m->idiag_state : 0 };
	const struct inet_diag_sockid *id = &m->id;

	if (!id->idiag_dport)
		return 0; /* an unconnected UDP socket: no peer */
	if (m->idiag_family == AF_INET || is_v4_mapped(id->idiag_dst)) {
		bool mapped = m->idiag_family == AF_INET6;

		s.family = 4;
		memcpy(s.local, mapped ? &id->idiag_src[3] : id->idiag_src, 4);
		memcpy(s.peer, mapped ? &id->idiag_dst[3] : id->idiag_dst, 4);
	} else {
		s.family = 6;
		memcpy(s.local, id->idiag_src, 16);
		memcpy(s.peer, id->idiag_dst, 16);
	}
	if (is_loopback(s.peer, s.family))
		return 0;
	s.local_port = ntohs(id->idiag_sport);
	s.peer_port = ntohs(id->idiag_dport);
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct pc_socket *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = s;
	return 0;
}

/* Reads one dump's answers. 0 at NLMSG_DONE, -1 with errno set. */
static int collect(int fd, uint8_t proto, struct list *l)
{
	static char buf[32768];

	for (;;) {
		ssize_t len = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *nh = (struct nlmsghdr *)buf;

		if (len < 0)
			return -1;
		for (; NLMSG_OK(nh, (size_t)len); nh = NLMSG_NEXT(nh, len)) {
			if (nh->nlmsg_type == NLMSG_DONE)
				return 0;
			if (nh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *err = NLMSG_DATA(nh);

				errno = err->error ? -err->error : EPROTO;
				return -1;
			}
			if (add(l, NLMSG_DATA(nh), proto)) {
				errno = ENOMEM;
				return -1;
			}
		}
	}
}

int pc_sockets_list(struct pc_socket **out, size_t *n, struct pc_err *e)
{
	static const uint8_t families[] = { AF_INET, AF_INET6 };
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP };
	struct list l = { 0 };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);

	*out = NULL;
	*n = 0;
	if (fd < 0)
		return pc_fail(e, errno, NULL, "socket(AF_NETLINK, NETLINK_SOCK_DIAG)");
	for (size_t f = 0; f < sizeof(families); f++) {
		for (size_t p = 0; p < sizeof(protos); p++) {
			if (request(fd, families[f], protos[p]) || collect(fd, protos[p], &l)) {
				int err = errno;

				close(fd);
				free(l.v);
				/* ENOENT: the kernel could not find (or load) the module that
				 * answers for this protocol. */
				return pc_fail(e, err,
					       err == ENOENT
						       ? "load the kernel's socket diagnostics "
							 "(modprobe inet_diag tcp_diag udp_diag), "
							 "or write `set state off` in the profile"
						       : NULL,
					       "listing %s%s sockets (sock_diag)",
					       protos[p] == IPPROTO_TCP ? "TCP" : "UDP",
					       families[f] == AF_INET ? "" : "v6");
			}
		}
	}
	close(fd);
	*out = l.v;
	*n = l.n;
	return 0;
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* LD_PRELOAD for tests/e2e/test_sock_diag.sh: a kernel without socket diagnostics for
 * UDP. A sock_diag dump request for UDP is answered with NLMSG_ERROR -ENOENT, as a
 * kernel answers when udp_diag is neither built in nor loadable; TCP is answered by
 * the real kernel. Only sockets of the NETLINK_SOCK_DIAG protocol are touched. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

static int diag_fd = -1;
static __u32 refuse_seq;
static int refuse_pending;

int socket(int domain, int type, int protocol)
{
	int (*real)(int, int, int) = (int (*)(int, int, int))dlsym(RTLD_NEXT, "socket");
	int fd = real(domain, type, protocol);

	if (fd >= 0 && domain == AF_NETLINK && protocol == NETLINK_SOCK_DIAG)
		diag_fd = fd;
	return fd;
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to,
	       socklen_t tolen)
{
	ssize_t (*real)(int, const void *, size_t, int, const struct sockaddr *, socklen_t) =
		(ssize_t(*)(int, const void *, size_t, int, const struct sockaddr *,
			    socklen_t))dlsym(RTLD_NEXT, "sendto");
	const struct nlmsghdr *nh = buf;
	const struct inet_diag_req_v2 *req = NLMSG_DATA(nh);

	if (fd == diag_fd && len >= NLMSG_LENGTH(sizeof(*req)) &&
	    nh->nlmsg_type == SOCK_DIAG_BY_FAMILY && req->sdiag_protocol == IPPROTO_UDP) {
		refuse_pending = 1;
		refuse_seq = nh->nlmsg_seq;
		return (ssize_t)len;
	}
	return real(fd, buf, len, flags, to, tolen);
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	ssize_t (*real)(int, void *, size_t, int) =
		(ssize_t(*)(int, void *, size_t, int))dlsym(RTLD_NEXT, "recv");
	struct {
		struct nlmsghdr nh;
		struct nlmsgerr err;
	} answer = { .nh = { .nlmsg_len = sizeof(answer),
			     .nlmsg_type = NLMSG_ERROR,
			     .nlmsg_seq = refuse_seq },
		     .err = { .error = -ENOENT } };

	if (fd != diag_fd || !refuse_pending)
		return real(fd, buf, len, flags);
	refuse_pending = 0;
	if (len < sizeof(answer)) {
		errno = ENOBUFS;
		return -1;
	}
	memcpy(buf, &answer, sizeof(answer));
	return sizeof(answer);
}

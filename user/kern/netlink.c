// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Netlink requests that only read, answered through a callback. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kern/netlink.h"

#define ALIGN4(n) (((n) + 3u) & ~3u)

void pc_nl_req_init(struct pc_nl_req *req, uint16_t type, uint16_t flags, const void *hdr,
		    size_t hdr_len)
{
	memset(req, 0, sizeof(*req));
	req->nh.nlmsg_len = NLMSG_LENGTH(hdr_len);
	req->nh.nlmsg_type = type;
	req->nh.nlmsg_flags = NLM_F_REQUEST | flags;
	req->nh.nlmsg_seq = 1;
	memcpy(NLMSG_DATA(&req->nh), hdr, hdr_len);
}

int pc_nl_req_put(struct pc_nl_req *req, uint16_t type, const void *data, size_t len)
{
	size_t at = NLMSG_ALIGN(req->nh.nlmsg_len);
	struct nlattr *a = (struct nlattr *)((char *)req + at);

	if (at + NLA_HDRLEN + ALIGN4(len) > sizeof(*req))
		return -1;
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((char *)a + NLA_HDRLEN, data, len);
	req->nh.nlmsg_len = at + NLA_HDRLEN + ALIGN4(len);
	return 0;
}

/* One recv's worth of messages. 1 when the answer is complete, 0 for more, else what
 * pc_nl_talk returns. */
static int replies(const char *buf, size_t len, bool dump, pc_nl_reply_fn fn, void *arg)
{
	const struct nlmsghdr *nh = (const struct nlmsghdr *)buf;

	for (; NLMSG_OK(nh, len); nh = NLMSG_NEXT(nh, len)) {
		int r;

		if (nh->nlmsg_type == NLMSG_DONE)
			return 1;
		if (nh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *err = NLMSG_DATA(nh);

			/* error 0 is the acknowledgement that ends a request. */
			return err->error ? err->error : 1;
		}
		if ((r = fn(nh, arg)))
			return r;
		if (!dump)
			return 1;
	}
	return 0;
}

int pc_nl_talk(int proto, struct pc_nl_req *req, pc_nl_reply_fn fn, void *arg)
{
	static char buf[32768];
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	bool dump = req->nh.nlmsg_flags & NLM_F_DUMP;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, proto), r = 0;

	if (fd < 0)
		return -errno;
	if (sendto(fd, req, req->nh.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		r = -errno;
	while (!r) {
		ssize_t len = recv(fd, buf, sizeof(buf), 0);

		if (len < 0 && errno == EINTR)
			continue;
		r = len < 0 ? -errno : replies(buf, (size_t)len, dump, fn, arg);
	}
	close(fd);
	return r == 1 ? 0 : r;
}

void pc_nl_parse(const void *attrs, size_t len, const struct nlattr **tb, unsigned max)
{
	const char *p = attrs, *end = p + len;

	memset(tb, 0, (max + 1) * sizeof(*tb));
	while (p + NLA_HDRLEN <= end) {
		const struct nlattr *a = (const struct nlattr *)p;
		unsigned type = a->nla_type & NLA_TYPE_MASK;

		if (a->nla_len < NLA_HDRLEN || p + a->nla_len > end)
			return;
		if (type <= max && !tb[type])
			tb[type] = a;
		p += ALIGN4(a->nla_len);
	}
}

void pc_nl_parse_msg(const struct nlmsghdr *nh, size_t hdr_len, const struct nlattr **tb,
		     unsigned max)
{
	size_t off = NLMSG_LENGTH(NLMSG_ALIGN(hdr_len));

	if (nh->nlmsg_len < off) {
		memset(tb, 0, (max + 1) * sizeof(*tb));
		return;
	}
	pc_nl_parse((const char *)nh + off, nh->nlmsg_len - off, tb, max);
}

const void *pc_nl_data(const struct nlattr *a)
{
	return (const char *)a + NLA_HDRLEN;
}

size_t pc_nl_len(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

uint32_t pc_nl_u32(const struct nlattr *a)
{
	uint32_t v = 0;

	if (a && pc_nl_len(a) >= sizeof(v))
		memcpy(&v, pc_nl_data(a), sizeof(v));
	return v;
}

uint64_t pc_nl_u64(const struct nlattr *a)
{
	uint64_t v = 0;

	if (a && pc_nl_len(a) >= sizeof(v))
		memcpy(&v, pc_nl_data(a), sizeof(v));
	else if (a && pc_nl_len(a) >= sizeof(uint32_t))
		v = pc_nl_u32(a);
	return v;
}

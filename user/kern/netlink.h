/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* One netlink request and its answer, for the queries that only read (rtnetlink's
 * links and tc filters, generic netlink's families): a request goes out on a socket of
 * its own, every reply message comes back through a callback, and the attributes of a
 * message are indexed by type. */
#ifndef PC_KERN_NETLINK_H
#define PC_KERN_NETLINK_H

#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>

/* A request: the header, the family's fixed header, then attributes, built in place. */
struct pc_nl_req {
	struct nlmsghdr nh;
	char body[512];
};

/* Starts req as a message of type and flags (NLM_F_REQUEST is added) whose fixed
 * header, hdr_len bytes of hdr, follows the netlink header. */
void pc_nl_req_init(struct pc_nl_req *req, uint16_t type, uint16_t flags, const void *hdr,
		    size_t hdr_len);
/* Appends one attribute; -1 when req has no room left. */
int pc_nl_req_put(struct pc_nl_req *req, uint16_t type, const void *data, size_t len);

/* Called for each reply message that is not NLMSG_DONE or an error; a nonzero return
 * ends the exchange and is returned by pc_nl_talk. */
typedef int (*pc_nl_reply_fn)(const struct nlmsghdr *nh, void *arg);

/* Sends req on a new NETLINK_<proto> socket and reads the answer to its end (NLMSG_DONE
 * for a dump, the one reply otherwise). Returns 0, what fn returned, or -errno (the
 * kernel's NLMSG_ERROR, or the socket's). */
int pc_nl_talk(int proto, struct pc_nl_req *req, pc_nl_reply_fn fn, void *arg);

/* Indexes the attributes in [attrs, attrs + len): tb[type] is the first of each type
 * up to max (the others NULL). */
void pc_nl_parse(const void *attrs, size_t len, const struct nlattr **tb, unsigned max);
/* The attributes after a message's fixed header of hdr_len bytes. */
void pc_nl_parse_msg(const struct nlmsghdr *nh, size_t hdr_len, const struct nlattr **tb,
		     unsigned max);
/* An attribute's payload and its length. */
const void *pc_nl_data(const struct nlattr *a);
size_t pc_nl_len(const struct nlattr *a);
/* The attribute as a number, 0 when it is missing or shorter than the type. */
uint32_t pc_nl_u32(const struct nlattr *a);
uint64_t pc_nl_u64(const struct nlattr *a);

#endif /* PC_KERN_NETLINK_H */

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tcx hooks through BPF_PROG_QUERY, clsact filters through an RTM_GETTFILTER dump. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include "kern/kernel_features.h"
#include "kern/netlink.h"
#include "kern/tc_progs.h"

/* The tcx ingress attach type (linux/bpf.h from 6.6). */
#define PC_BPF_TCX_INGRESS 46

struct list {
	struct pc_tc_prog *v;
	unsigned max, n;
	enum pc_tc_hook hook;
};

const char *pc_tc_hook_name(enum pc_tc_hook hook)
{
	static const char *const names[] = {
		[PC_TC_TCX_INGRESS] = "tcx ingress",
		[PC_TC_TCX_EGRESS] = "tcx egress",
		[PC_TC_CLSACT_INGRESS] = "clsact ingress",
		[PC_TC_CLSACT_EGRESS] = "clsact egress",
	};

	return names[hook];
}

static void add(struct list *l, uint32_t id)
{
	struct bpf_prog_info info = { 0 };
	uint32_t len = sizeof(info);
	struct pc_tc_prog *p;
	int fd;

	if (l->n == l->max)
		return;
	p = &l->v[l->n++];
	*p = (struct pc_tc_prog){ .hook = l->hook, .id = id };
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return;
	if (!bpf_obj_get_info_by_fd(fd, &info, &len))
		snprintf(p->name, sizeof(p->name), "%s", info.name);
	close(fd);
}

static void tcx(unsigned ifindex, int type, struct list *l)
{
	uint32_t ids[64], count = 64, flags = 0;

	if (bpf_prog_query((int)ifindex, type, 0, &flags, ids, &count))
		return;
	for (uint32_t k = 0; k < count && k < 64; k++)
		add(l, ids[k]);
}

static int on_filter(const struct nlmsghdr *nh, void *arg)
{
	const struct nlattr *tb[TCA_OPTIONS + 1], *opt[TCA_BPF_ID + 1];

	if (nh->nlmsg_type != RTM_NEWTFILTER)
		return 0;
	pc_nl_parse_msg(nh, sizeof(struct tcmsg), tb, TCA_OPTIONS);
	/* The first answer of a priority names the classifier only, with no options. */
	if (!tb[TCA_KIND] || strcmp(pc_nl_data(tb[TCA_KIND]), "bpf") || !tb[TCA_OPTIONS])
		return 0;
	pc_nl_parse(pc_nl_data(tb[TCA_OPTIONS]), pc_nl_len(tb[TCA_OPTIONS]), opt, TCA_BPF_ID);
	if (opt[TCA_BPF_ID])
		add(arg, pc_nl_u32(opt[TCA_BPF_ID]));
	return 0;
}

static void clsact(unsigned ifindex, uint32_t min, struct list *l)
{
	struct tcmsg t = { .tcm_family = AF_UNSPEC,
			   .tcm_ifindex = (int)ifindex,
			   .tcm_parent = TC_H_MAKE(TC_H_CLSACT, min) };
	struct pc_nl_req req;

	pc_nl_req_init(&req, RTM_GETTFILTER, NLM_F_DUMP, &t, sizeof(t));
	pc_nl_talk(NETLINK_ROUTE, &req, on_filter, l);
}

void pc_tc_progs(unsigned ifindex, bool has_tcx, struct pc_tc_prog *out, unsigned max, unsigned *n)
{
	struct list l = { .v = out, .max = max };

	if (has_tcx) {
		l.hook = PC_TC_TCX_INGRESS;
		tcx(ifindex, PC_BPF_TCX_INGRESS, &l);
		l.hook = PC_TC_TCX_EGRESS;
		tcx(ifindex, PC_BPF_TCX_EGRESS, &l);
	}
	l.hook = PC_TC_CLSACT_INGRESS;
	clsact(ifindex, TC_H_MIN_INGRESS, &l);
	l.hook = PC_TC_CLSACT_EGRESS;
	clsact(ifindex, TC_H_MIN_EGRESS, &l);
	*n = l.n;
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tcx or clsact: the two ways onto an interface's egress, behind one interface. */
#include <errno.h>
#include <stdbool.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "kern/egress.h"
#include "kern/kernel_features.h"

const char *pc_egress_hook_name(enum pc_egress_hook hook)
{
	return hook == PC_HOOK_TCX ? "tcx" : hook == PC_HOOK_CLSACT ? "clsact" : "none";
}

static void clsact_hook(struct bpf_tc_hook *h, unsigned ifindex)
{
	*h = (struct bpf_tc_hook){ .sz = sizeof(*h),
				   .ifindex = (int)ifindex,
				   .attach_point = BPF_TC_EGRESS };
}

static void clsact_opts(struct bpf_tc_opts *o, int prog, __u32 flags)
{
	*o = (struct bpf_tc_opts){ .sz = sizeof(*o),
				   .prog_fd = prog,
				   .flags = flags,
				   .handle = PC_TC_HANDLE,
				   .priority = PC_TC_PRIORITY };
}

/* Creates the clsact qdisc when missing (another tool's stays as it is) and installs
 * or, with replace, swaps our filter. */
static int clsact_set(const char *ifname, unsigned ifindex, int prog, bool replace,
		      struct pc_err *e)
{
	struct bpf_tc_hook h;
	struct bpf_tc_opts o;
	int err;

	clsact_hook(&h, ifindex);
	err = bpf_tc_hook_create(&h);
	if (err && err != -EEXIST)
		return pc_fail(e, -err, NULL, "creating the clsact qdisc on %s (netlink)", ifname);
	clsact_opts(&o, prog, replace ? BPF_TC_F_REPLACE : 0);
	err = bpf_tc_attach(&h, &o);
	if (err)
		return pc_fail(e, -err,
			       err == -EEXIST ? "a filter with portcullis's handle and priority "
						"exists: see `tc filter show dev IFACE egress`"
					      : NULL,
			       "attaching the egress hook to %s (clsact egress filter, netlink)",
			       ifname);
	return 0;
}

int pc_egress_hook_check(const char *ifname, enum pc_egress_hook want, enum pc_egress_hook running,
			 struct pc_err *e)
{
	const struct pc_feature_desc *tcx = pc_feature(PC_FEAT_TCX);

	if (want == PC_HOOK_TCX && !(pc_features_probe() & PC_FEAT_TCX))
		return pc_fail(e, 0,
			       "pass --egress-hook clsact, or leave the option out and portcullis "
			       "takes clsact",
			       "--egress-hook tcx: this kernel has no tcx (it comes with Linux %s)",
			       tcx->since);
	if (want != PC_HOOK_NONE && running != PC_HOOK_NONE && want != running)
		return pc_fail(e, 0, NULL,
			       "--egress-hook %s: the egress hook on %s is %s, and a reload keeps "
			       "it; leave the option out, or unload first (`portcullis unload %s`) "
			       "to change it",
			       pc_egress_hook_name(want), ifname, pc_egress_hook_name(running),
			       ifname);
	return 0;
}

int pc_egress_attach(const char *ifname, unsigned ifindex, int prog, enum pc_egress_hook hook,
		     int *link_fd, struct pc_err *e)
{
	*link_fd = -1;
	if (hook == PC_HOOK_NONE)
		hook = pc_features_probe() & PC_FEAT_TCX ? PC_HOOK_TCX : PC_HOOK_CLSACT;
	if (hook == PC_HOOK_TCX) {
		int fd = bpf_link_create(prog, ifindex, PC_BPF_TCX_EGRESS, NULL);

		if (fd < 0)
			return pc_fail(e, errno, NULL,
				       "attaching the egress hook to %s (bpf BPF_LINK_CREATE, "
				       "tcx egress)",
				       ifname);
		*link_fd = fd;
		return PC_HOOK_TCX;
	}
	return clsact_set(ifname, ifindex, prog, false, e) ? -1 : PC_HOOK_CLSACT;
}

int pc_egress_swap(const char *ifname, unsigned ifindex, enum pc_egress_hook hook, int link_fd,
		   int prog, int old_prog, struct pc_err *e)
{
	if (hook == PC_HOOK_CLSACT)
		return clsact_set(ifname, ifindex, prog, true, e);
	{
		LIBBPF_OPTS(bpf_link_update_opts, uo, .flags = old_prog >= 0 ? BPF_F_REPLACE : 0,
			    .old_prog_fd = old_prog >= 0 ? old_prog : 0);

		if (bpf_link_update(link_fd, prog, &uo))
			return pc_fail(e, errno, NULL, "bpf_link_update of the egress hook on %s",
				       ifname);
	}
	return 0;
}

int pc_egress_detach(const char *ifname, unsigned ifindex, enum pc_egress_hook hook, int link_fd,
		     struct pc_err *e)
{
	if (hook == PC_HOOK_CLSACT) {
		struct bpf_tc_hook h;
		struct bpf_tc_opts o;
		int err;

		if (!ifindex)
			return 0;
		clsact_hook(&h, ifindex);
		clsact_opts(&o, 0, 0);
		err = bpf_tc_detach(&h, &o);
		if (err && err != -ENOENT && err != -ENODEV && err != -EINVAL)
			return pc_fail(e, -err, NULL, "removing the egress filter from %s", ifname);
		return 0;
	}
	/* Explicitly: another process may hold the link open. A link whose
	 * interface is gone is already detached. */
	if (link_fd >= 0 && bpf_link_detach(link_fd) && errno != ENOLINK && errno != EINVAL)
		return pc_fail(e, errno, NULL, "bpf_link_detach of the egress hook on %s", ifname);
	return 0;
}

unsigned pc_egress_clsact_prog(unsigned ifindex)
{
	struct bpf_tc_hook h;
	struct bpf_tc_opts o;

	clsact_hook(&h, ifindex);
	clsact_opts(&o, 0, 0);
	return bpf_tc_query(&h, &o) ? 0 : o.prog_id;
}

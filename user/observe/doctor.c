// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* doctor's checks: each turns facts (doctor_facts.h) into ok, warn or fail, what was
 * found and what to do; then the report, in text or JSON. */
#include <net/if.h>
#include <stdarg.h>
#include <string.h>

#include <linux/if_link.h>

#include "core/iface.h"
#include "core/json.h"
#include "kern/egress.h"
#include "kern/kernel_features.h"
#include "kern/netdev.h"
#include "observe/doctor.h"

static const char *const status_names[] = { "ok", "warn", "fail" };

const char *pc_check_status_name(enum pc_check_status s)
{
	return status_names[s];
}

/* A new check of d saying what was found; advise() may follow. */
static __attribute__((format(printf, 4, 5))) struct pc_check *
add(struct pc_doctor *d, enum pc_check_status st, const char *name, const char *fmt, ...)
{
	static struct pc_check overflow;
	struct pc_check *c = d->n < PC_DOCTOR_MAX ? &d->v[d->n++] : &overflow;
	va_list ap;

	memset(c, 0, sizeof(*c));
	c->status = st;
	c->name = name;
	va_start(ap, fmt);
	vsnprintf(c->found, sizeof(c->found), fmt, ap);
	va_end(ap);
	return c;
}

static __attribute__((format(printf, 2, 3))) void advise(struct pc_check *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->advice, sizeof(c->advice), fmt, ap);
	va_end(ap);
}

/* --- The kernel ------------------------------------------------------------------- */

/* A bpf_jit sysctl as found: its value, or why there is none to show. */
static const char *sysctl_text(const char *name, int v, char *buf, size_t len)
{
	if (v >= 0)
		snprintf(buf, len, "%s = %d", name, v);
	else if (v == -1)
		snprintf(buf, len, "%s not visible in this network namespace", name);
	else
		snprintf(buf, len, "%s may not be read", name);
	return buf;
}

static const char *const interpreted =
	"the interpreter runs every packet, several times slower than the figures "
	"portcullis is measured by";

/* docs/performance.md's figures are for JIT-compiled code. Whether the test program
 * was compiled decides; the sysctl, where this namespace shows it, explains. A
 * program keeps the JIT state it was loaded with, hence the reload. */
static void jit(const struct pc_doctor_sys *s, struct pc_doctor *d)
{
	bool jited = s->bpf_errno ? s->jit_enable > 0 : s->jited;
	char v[96];
	struct pc_check *c;

	sysctl_text("bpf_jit_enable", s->jit_enable, v, sizeof(v));
	if (s->bpf_errno && s->jit_enable < 0) {
		c = add(d, PC_CHECK_WARN, "jit", "unknown: %s, and no program loads", v);
		advise(c, "run doctor as root");
	} else if (!jited) {
		c = add(d, PC_CHECK_FAIL, "jit", "programs are not JIT-compiled (%s): %s", v,
			interpreted);
		advise(c,
		       "sysctl -w net.core.bpf_jit_enable=1 in the initial network namespace "
		       "(and in /etc/sysctl.d/ to keep it; the kernel needs CONFIG_BPF_JIT), then "
		       "load the profile again");
	} else if (s->jit_enable == 2) {
		c = add(d, PC_CHECK_WARN, "jit",
			"JIT-compiled (%s): every program's image is also written to the kernel "
			"log",
			v);
		advise(c, "sysctl -w net.core.bpf_jit_enable=1");
	} else {
		add(d, PC_CHECK_OK, "jit", "programs are JIT-compiled (%s)", v);
	}
	sysctl_text("bpf_jit_harden", s->jit_harden, v, sizeof(v));
	if (s->jit_harden == 2) {
		c = add(d, PC_CHECK_WARN, "jit_harden",
			"%s: constants are blinded in every program, portcullis's too, which adds "
			"instructions to every packet",
			v);
		advise(c, "sysctl -w net.core.bpf_jit_harden=1 (unprivileged programs only), then "
			  "load the profile again");
	} else {
		add(d, PC_CHECK_OK, "jit_harden", "%s%s", v,
		    s->jit_harden == 1 ? " (unprivileged programs only; portcullis loads as root)"
				       : "");
	}
}

static void fs(const struct pc_doctor_sys *s, struct pc_doctor *d)
{
	struct pc_check *c;

	if (s->bpffs) {
		add(d, PC_CHECK_OK, "bpffs", "mounted at /sys/fs/bpf");
	} else {
		c = add(d, PC_CHECK_WARN, "bpffs",
			"not mounted at /sys/fs/bpf: portcullis mounts it itself when it loads, "
			"and keeps its state there");
		advise(c, "mount it at boot so that every tool sees the same pins: "
			  "`bpffs /sys/fs/bpf bpf defaults 0 0` in /etc/fstab");
	}
	/* The program has no CO-RE relocations: the kernel's BTF is for other tools. */
	add(d, PC_CHECK_OK, "btf", "%s",
	    s->btf ? "/sys/kernel/btf/vmlinux present"
		   : "no /sys/kernel/btf/vmlinux: portcullis needs none (no CO-RE relocations)");
}

/* What each probed feature is, for the reader of the check. */
static const char *feature_what(unsigned bit)
{
	switch (bit) {
	case PC_FEAT_COARSE_CLOCK:
		return "bpf_ktime_get_coarse_ns()";
	case PC_FEAT_XDP_LOAD_BYTES:
		return "bpf_xdp_load_bytes()";
	case PC_FEAT_TCX:
		return "tcx links";
	case PC_FEAT_LIVE_FRAMES:
		return "XDP live frames";
	}
	return "?";
}

static void features(const struct pc_doctor_sys *s, struct pc_doctor *d)
{
	struct pc_check *c;

	if (s->bpf_errno) {
		c = add(d, PC_CHECK_FAIL, "bpf", "loading a two-instruction XDP program: %s",
			strerror(s->bpf_errno));
		advise(c, "run as root (CAP_BPF, CAP_NET_ADMIN); the feature checks need it");
		return;
	}
	add(d, PC_CHECK_OK, "bpf", "BPF programs load");
	if (s->ringbuf) {
		add(d, PC_CHECK_OK, "ringbuf", "ring buffer maps (Linux 5.8), for the drop log");
	} else {
		c = add(d, PC_CHECK_FAIL, "ringbuf",
			"no ring buffer maps (Linux 5.8): the program's drop log is one, so it "
			"cannot load");
		advise(c, "a kernel of Linux 5.10 or newer (docs/kernels.md)");
	}
	for (unsigned i = 0; i < pc_feature_count; i++) {
		const struct pc_feature_desc *f = &pc_feature_table[i];

		if (s->features & f->bit) {
			add(d, PC_CHECK_OK, f->name, "%s (Linux %s)", feature_what(f->bit),
			    f->since);
			continue;
		}
		c = add(d, PC_CHECK_WARN, f->name, "no %s (Linux %s): %s", feature_what(f->bit),
			f->since, f->fallback);
		advise(c, "nothing to do: portcullis works without it; Linux %s brings it",
		       f->since);
	}
	if (s->percpu_batch == 1) {
		add(d, PC_CHECK_OK, "percpu_batch", "batch lookups of per-CPU arrays");
	} else if (!s->percpu_batch) {
		c = add(d, PC_CHECK_WARN, "percpu_batch",
			"no batch lookups of per-CPU arrays: a reload reads the old counters one "
			"system call per rule");
		advise(c, "nothing to do: only reloads of large profiles take longer");
	}
}

void pc_doctor_judge_sys(const struct pc_doctor_sys *s, struct pc_doctor *d)
{
	jit(s, d);
	fs(s, d);
	features(s, d);
}

/* --- The interface ---------------------------------------------------------------- */

static void driver(const struct pc_doctor_if *f, struct pc_doctor *d)
{
	if (f->driver[0])
		add(d, PC_CHECK_OK, "driver", "%s%s%s", f->driver, f->version[0] ? " " : "",
		    f->version);
	else
		add(d, PC_CHECK_OK, "driver", "unknown (the driver answers no `ethtool -i`)");
}

/* "basic, redirect, rx-sg" for features, "none" for 0. */
static const char *act_list(uint64_t features, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = 0;
	for (unsigned b = 0; b < 7; b++)
		if (features & (1ULL << b) && n < len)
			n += snprintf(buf + n, len - n, "%s%s", n ? ", " : "", pc_xdp_act_names[b]);
	return n ? buf : "none";
}

static const char *const generic_cost =
	"portcullis runs in generic mode, where every frame is made an skb first: slower";

static void native(const struct pc_doctor_if *f, struct pc_doctor *d)
{
	const struct pc_native_result *r = &f->native;
	struct pc_check *c = NULL;
	char acts[96];

	switch (r->how) {
	case PC_NATIVE_BY_FEATURES:
		if (r->native == PC_NATIVE_YES) {
			add(d, PC_CHECK_OK, "xdp_native", "supported (xdp-features: %s)",
			    act_list(r->features, acts, sizeof(acts)));
			return;
		}
		c = add(d, PC_CHECK_WARN, "xdp_native",
			"the driver has no native XDP (xdp-features: %s): %s",
			act_list(r->features, acts, sizeof(acts)), generic_cost);
		advise(c, "for line rate, a NIC whose driver has native XDP");
		return;
	case PC_NATIVE_BY_RUNNING:
		add(d, PC_CHECK_OK, "xdp_native",
		    "supported (no xdp-features in this kernel; a program runs in native mode)");
		return;
	case PC_NATIVE_BY_TEST:
		if (r->native == PC_NATIVE_YES) {
			add(d, PC_CHECK_OK, "xdp_native",
			    "supported (no xdp-features in this kernel; a test attach of an "
			    "XDP_PASS program in native mode worked, and was removed)");
			return;
		}
		c = add(d, PC_CHECK_WARN, "xdp_native",
			"native XDP refused a test attach: %s (errno %d): %s", strerror(r->err),
			r->err, generic_cost);
		advise(c, "the other checks may name the cause (mtu, lro); else a NIC whose "
			  "driver has native XDP");
		return;
	case PC_NATIVE_NOT_TESTED:
		c = add(d, PC_CHECK_WARN, "xdp_native",
			"unknown: no xdp-features in this kernel, and a test attach would disturb "
			"the program attached in generic mode");
		break;
	case PC_NATIVE_TEST_RACED:
		c = add(d, PC_CHECK_WARN, "xdp_native",
			"unknown: a program was attached while doctor tested");
		break;
	case PC_NATIVE_TEST_FAILED:
		c = add(d, PC_CHECK_WARN, "xdp_native",
			"unknown: the test program did not load: %s", strerror(r->err));
		break;
	}
	advise(c, "run doctor again with no XDP program on %s", f->name);
}

static const char *const mode_names[] = { "native", "generic", "offloaded" };

/* One attached program: portcullis's (its pinned link runs it) or another's. */
static void xdp_one(const struct pc_doctor_if *f, unsigned m, uint32_t id, struct pc_doctor *d)
{
	struct pc_check *c;

	if (id == f->own_xdp_id) {
		if (m == 1 && f->native.native == PC_NATIVE_YES) {
			c = add(d, PC_CHECK_WARN, "xdp_program",
				"portcullis (program id %u) in generic mode, though the driver "
				"has native XDP",
				id);
			advise(c,
			       "`portcullis unload %s`, then load without --mode generic (a "
			       "reload keeps the mode)",
			       f->name);
			return;
		}
		add(d, PC_CHECK_OK, "xdp_program", "portcullis (program id %u, %s), %s mode", id,
		    f->xdp_name[m], mode_names[m]);
		return;
	}
	c = add(d, PC_CHECK_FAIL, "xdp_program",
		"program id %u (%s) in %s mode, not portcullis's: `portcullis load` does not "
		"replace it",
		id, f->xdp_name[m][0] ? f->xdp_name[m] : "name unknown", mode_names[m]);
	advise(c,
	       "remove it with `ip link set dev %s %s off` (or the tool that loaded it) "
	       "before loading portcullis, if it may go",
	       f->name,
	       m == 1	? "xdpgeneric"
	       : m == 2 ? "xdpoffload"
			: "xdpdrv");
}

static void xdp(const struct pc_doctor_if *f, struct pc_doctor *d)
{
	const uint32_t ids[] = { f->xdp_drv_id, f->xdp_skb_id, f->xdp_hw_id };
	bool any = false;

	for (unsigned m = 0; m < 3; m++)
		if (ids[m]) {
			xdp_one(f, m, ids[m], d);
			any = true;
		}
	if (!any)
		add(d, PC_CHECK_OK, "xdp_program", "none attached");
}

/* A feature of `ethtool -k` that costs portcullis something when it is on. */
static void offload(const struct pc_doctor_if *f, const char *name,
		    const struct pc_ethtool_feature *const *feats, unsigned n, const char *why,
		    const char *fix, struct pc_doctor *d)
{
	char on[96] = "", off[96] = "";
	size_t k = 0, o = 0;
	bool fixed = false;
	struct pc_check *c;

	for (unsigned i = 0; i < n; i++) {
		if (!feats[i]->active)
			continue;
		k += snprintf(on + k, sizeof(on) - k, "%s%s", k ? ", " : "", feats[i]->name);
		o += snprintf(off + o, sizeof(off) - o, " %s off", feats[i]->name);
		fixed |= feats[i]->fixed;
	}
	if (!f->ethtool_features) {
		add(d, PC_CHECK_OK, name, "unknown (the driver answers no `ethtool -k`)");
		return;
	}
	if (!k) {
		add(d, PC_CHECK_OK, name, "%s off", feats[0]->name);
		return;
	}
	c = add(d, PC_CHECK_WARN, name, "%s on: %s", on, why);
	if (fixed)
		advise(c, "the driver does not let it change (`ethtool -k %s` says fixed)",
		       f->name);
	else
		advise(c, "ethtool -K %s%s%s", f->name, off, fix);
}

static void offloads(const struct pc_doctor_if *f, struct pc_doctor *d)
{
	const struct pc_ethtool_feature *vlan[] = { &f->rxvlan, &f->rxvlan_stag };
	const struct pc_ethtool_feature *lro[] = { &f->lro };

	offload(f, "rx_vlan", vlan, 2,
		"the NIC may take VLAN tags off before XDP runs, and the program then judges "
		"and counts tagged frames as untagged",
		", if the tags should reach the program", d);
	offload(f, "lro", lro, 1,
		"drivers refuse native XDP while LRO is on (load falls back to generic mode)", "",
		d);
}

static void mtu(const struct pc_doctor_if *f, struct pc_doctor *d)
{
	const struct pc_native_result *r = &f->native;
	uint32_t frames = f->peer == 1 ? f->peer_mtu : f->mtu;
	char what[96];
	struct pc_check *c;

	if (f->peer == 1)
		snprintf(what, sizeof(what), "%u, its veth peer's %u (veth judges by the peer's)",
			 f->mtu, f->peer_mtu);
	else if (f->peer == -1)
		snprintf(what, sizeof(what),
			 "%u (veth judges by its peer's, in another namespace: not seen)", f->mtu);
	else
		snprintf(what, sizeof(what), "%u", f->mtu);
	if (f->peer == -1 || frames <= f->mtu_xdp_max) {
		add(d, PC_CHECK_OK, "mtu", "%s; one XDP buffer holds up to %u", what,
		    f->mtu_xdp_max);
		return;
	}
	c = add(d, PC_CHECK_WARN, "mtu",
		"%s, more than one XDP buffer holds (%u): portcullis's program takes "
		"single-buffer frames, so drivers refuse native XDP at this MTU (load falls "
		"back to generic mode)%s",
		what, f->mtu_xdp_max,
		!r->have_features ? ""
		: r->features & PC_XDP_ACT_RX_SG
			? "; the driver has multi-buffer XDP (rx-sg)"
			: "; the driver has no multi-buffer XDP (rx-sg) either");
	advise(c, "ip link set dev %s mtu %u, if the network allows",
	       f->peer == 1 ? f->peer_name : f->name, f->mtu_xdp_max);
}

static void queues(const struct pc_doctor_if *f, struct pc_doctor *d)
{
	unsigned want = f->cpus;
	struct pc_check *c;

	if (f->rx_queues >= f->cpus) {
		add(d, PC_CHECK_OK, "rx_queues", "%u RX queue%s for %u CPU%s", f->rx_queues,
		    f->rx_queues == 1 ? "" : "s", f->cpus, f->cpus == 1 ? "" : "s");
		return;
	}
	c = add(d, PC_CHECK_WARN, "rx_queues",
		"%u RX queue%s for %u CPUs: XDP runs where a queue's interrupts go, so at most "
		"%u CPU%s filter%s under load (the per-CPU counters are right either way)",
		f->rx_queues, f->rx_queues == 1 ? "" : "s", f->cpus, f->rx_queues,
		f->rx_queues == 1 ? "" : "s", f->rx_queues == 1 ? "s" : "");
	if (f->rx_queues_max > f->rx_queues) {
		if (want > f->rx_queues_max)
			want = f->rx_queues_max;
		advise(c, "ethtool -L %s combined %u (or rx %u, as `ethtool -l %s` offers)",
		       f->name, want, want, f->name);
	} else {
		advise(c, "nothing to do on this driver (`ethtool -l %s` offers no more)", f->name);
	}
}

static void tc(const struct pc_doctor_if *f, struct pc_doctor *d)
{
	char list[320];
	size_t n = 0;

	list[0] = 0;
	for (unsigned i = 0; i < f->n_tc && n < sizeof(list); i++) {
		const struct pc_tc_prog *p = &f->tc[i];
		bool own = f->loaded && p->id == f->own_egress_id && pc_tc_hook_egress(p->hook);

		n += snprintf(list + n, sizeof(list) - n, "%s%s: program id %u (%s)%s",
			      n ? ", " : "", pc_tc_hook_name(p->hook), p->id,
			      p->name[0] ? p->name : "name unknown", own ? ", portcullis's" : "");
	}
	add(d, PC_CHECK_OK, "tc_programs", "%s", n ? list : "none");
}

static void own(const struct pc_doctor_if *f, struct pc_doctor *d)
{
	const struct pc_load_info *li = &f->load;
	uint32_t id = f->own_xdp_id;
	bool attached = id && (id == f->xdp_drv_id || id == f->xdp_skb_id || id == f->xdp_hw_id);
	struct pc_check *c;

	if (!f->loaded) {
		add(d, PC_CHECK_OK, "portcullis", "not loaded on %s", f->name);
		return;
	}
	if (!attached) {
		c = add(d, PC_CHECK_FAIL, "portcullis",
			"state pinned for %s (%s), but its XDP program is not attached", f->name,
			li->profile);
		advise(c,
		       "`portcullis status %s` says more; `portcullis unload %s` and load "
		       "again",
		       f->name, f->name);
		return;
	}
	c = add(d, f->confirm_left >= 0 ? PC_CHECK_WARN : PC_CHECK_OK, "portcullis",
		"loaded: %s, %u rule%s, %s mode, egress hook %s%s", li->profile, li->n_rules,
		li->n_rules == 1 ? "" : "s", li->mode == XDP_FLAGS_SKB_MODE ? "generic" : "native",
		pc_egress_hook_name(li->egress_hook),
		f->confirm_left >= 0 ? ", awaiting confirmation" : "");
	if (f->confirm_left >= 0)
		advise(c, "run `portcullis confirm %s` within %lld s, or the load rolls back",
		       f->name, f->confirm_left);
}

void pc_doctor_judge_if(const struct pc_doctor_if *f, struct pc_doctor *d)
{
	driver(f, d);
	native(f, d);
	xdp(f, d);
	offloads(f, d);
	mtu(f, d);
	queues(f, d);
	tc(f, d);
	own(f, d);
}

/* --- The report ------------------------------------------------------------------- */

enum pc_check_status pc_doctor_worst(const struct pc_doctor *d)
{
	enum pc_check_status w = PC_CHECK_OK;

	for (unsigned i = 0; i < d->n; i++)
		if (d->v[i].status > w)
			w = d->v[i].status;
	return w;
}

static void count(const struct pc_doctor *d, unsigned n[3])
{
	n[0] = n[1] = n[2] = 0;
	for (unsigned i = 0; i < d->n; i++)
		n[d->v[i].status]++;
}

static void print_json(const struct pc_doctor *d, const char *ifname, FILE *out)
{
	struct json_object *o = json_object_new_object(), *checks = json_object_new_array();
	unsigned n[3];

	count(d, n);
	pc_json_add_str(o, "interface", ifname);
	for (unsigned i = 0; i < d->n; i++) {
		const struct pc_check *c = &d->v[i];
		struct json_object *check = json_object_new_object();

		pc_json_add_str(check, "name", c->name);
		pc_json_add_str(check, "status", pc_check_status_name(c->status));
		pc_json_add_str(check, "found", c->found);
		pc_json_add(check, "advice", pc_json_string_or_null(c->advice));
		json_object_array_add(checks, check);
	}
	pc_json_add(o, "checks", checks);
	pc_json_add_u64(o, "ok", n[0]);
	pc_json_add_u64(o, "warn", n[1]);
	pc_json_add_u64(o, "fail", n[2]);
	pc_json_print(out, o);
}

void pc_doctor_print(const struct pc_doctor *d, const char *ifname, bool json, FILE *out)
{
	unsigned n[3];

	if (json) {
		print_json(d, ifname, out);
		return;
	}
	for (unsigned i = 0; i < d->n; i++) {
		const struct pc_check *c = &d->v[i];

		fprintf(out, "%-4s %s: %s%s%s\n", pc_check_status_name(c->status), c->name,
			c->found, c->advice[0] ? "; " : "", c->advice);
	}
	count(d, n);
	fprintf(out, "%u ok, %u warn, %u fail\n", n[0], n[1], n[2]);
}

/* "jit, xdp_program" for the checks that failed. */
static int failed(const struct pc_doctor *d, struct pc_err *e)
{
	char names[256];
	size_t n = 0;
	unsigned k = 0;

	names[0] = 0;
	for (unsigned i = 0; i < d->n; i++)
		if (d->v[i].status == PC_CHECK_FAIL) {
			k++;
			if (n < sizeof(names))
				n += snprintf(names + n, sizeof(names) - n, "%s%s", n ? ", " : "",
					      d->v[i].name);
		}
	return pc_fail(e, 0, NULL, "%u check%s failed: %s", k, k == 1 ? "" : "s", names);
}

int pc_doctor_run(const char *ifname, bool json, FILE *out, struct pc_err *e)
{
	static struct pc_doctor d;
	static struct pc_doctor_if f;
	struct pc_doctor_sys s;
	unsigned ifindex = 0;

	if (ifname) {
		if (pc_iface_check(ifname, PC_IFACE_PRESENT, e))
			return -1;
		ifindex = if_nametoindex(ifname);
	}
	d.n = 0;
	pc_doctor_sys_read(&s);
	pc_doctor_judge_sys(&s, &d);
	if (ifname) {
		pc_doctor_if_read(ifname, ifindex, s.features, &f);
		pc_doctor_judge_if(&f, &d);
	}
	pc_doctor_print(&d, ifname, json, out);
	return pc_doctor_worst(&d) == PC_CHECK_FAIL ? failed(&d, e) : 0;
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The BPF object: the XDP program (ingress: parse -> classify the source -> look up
 * the verdict -> flows -> count) and the egress hook, which records flows. One
 * compile unit, so that both programs share every map and setting. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "portcullis.h"
#include "compat.h"
#include "config.h"
#include "flows.h"
#include "lookup.h"
#include "maps.h"
#include "parse.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Each "in" table has its "reply" table at the same distance. */
#define PC_TBL_REPLY_OFF (PC_TBL_TCP_REPLY - PC_TBL_TCP_IN)
_Static_assert(PC_TBL_UDP_REPLY - PC_TBL_UDP_IN == PC_TBL_REPLY_OFF, "tables");
_Static_assert(PC_TBL_ICMP_REPLY - PC_TBL_ICMP_IN == PC_TBL_REPLY_OFF, "tables");
_Static_assert(PC_TBL_ICMP6_REPLY - PC_TBL_ICMP6_IN == PC_TBL_REPLY_OFF, "tables");

/* May this CPU log one more drop event? A fixed 1 s window per CPU. The budget is
 * per-CPU so that a flood spread over every queue takes no shared cache line and no
 * atomic on the drop path; the loader splits the profile's rate among the CPUs.
 * The coarse clock (a jiffy of resolution) is plenty for a 1 s window, and it only
 * moves when jiffies does: once the budget is spent, a drop reads just jiffies (the
 * verifier inlines bpf_jiffies64() as one load), and the clock at most once a jiffy.
 * Measured in a VM: a clock read costs 17-30 ns, a spent-budget drop about 1 ns. */
static __always_inline bool log_budget_take(struct pc_log_budget *b)
{
	__u64 now;

	if (b->used >= cfg_log_rate) {
		__u64 j = bpf_jiffies64();

		if (j == b->checked)
			return false; /* same tick: the window cannot have ended */
		b->checked = j;
	}
	now = clock_coarse_ns();
	/* Signed: a window start ahead of now (another clock's reading) is not over. */
	if ((__s64)(now - b->window_ns) >= (__s64)PC_LOG_WINDOW_NS) {
		b->window_ns = now;
		b->used = 0;
	}
	if (b->used >= cfg_log_rate)
		return false;
	b->used++;
	return true;
}

/* A snapshot's size in [1, PC_LOG_SNAP] for a frame of len > 0 bytes, in a form
 * every verifier can bound: older ones learn nothing from "len != 0", so the size is
 * (len - 1) capped at PC_LOG_SNAP - 1, plus one. The first barrier keeps clang from
 * dropping the cap as redundant; the second makes it cap the register it then adds
 * to, rather than add first and select after. */
static __always_inline __u32 snap_size(__u32 len)
{
	__u64 n = len - 1;

	barrier_var(n);
	if (n > PC_LOG_SNAP - 1)
		n = PC_LOG_SNAP - 1;
	barrier_var(n);
	return n + 1;
}

/* One drop event: the outcome and the first PC_LOG_SNAP bytes of the frame. */
static __always_inline void log_drop(struct xdp_md *ctx, __u32 len, struct pc_outcome out)
{
	__u32 zero = 0;
	struct pc_log_budget *b = bpf_map_lookup_elem(&log_budget, &zero);
	struct pc_log_event *ev;

	if (!b || !log_budget_take(b))
		return;
	ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
	if (!ev) {
		/* The reader is behind: the event is lost, and counted so that the
		 * operator can tell a quiet log from a full one. */
		b->lost++;
		return;
	}
	ev->ts_ns = bpf_ktime_get_ns();
	ev->counter = out.counter;
	ev->action = out.action;
	ev->len = len;
	ev->ifindex = ctx->ingress_ifindex;
	ev->pad = 0;
	ev->snap_len = len ? xdp_snapshot(ctx, ev->data, snap_size(len)) : 0;
	bpf_ringbuf_submit(ev, 0);
}

/* The one exit: every frame is counted exactly once, with its whole length; drops
 * are sampled into the event ring when logging is on. */
static __always_inline int count(struct xdp_md *ctx, void *data, void *data_end,
				 struct pc_outcome out)
{
	struct pc_count *c = bpf_map_lookup_elem(&counters, &out.counter);

	if (c) {
		/* Per-CPU: no other writer, no atomics needed. */
		c->packets++;
		c->bytes += data_end - data;
	}
	if (cfg_log_rate && out.action == XDP_DROP)
		log_drop(ctx, data_end - data, out);
	return out.action;
}

static __always_inline struct pc_outcome implicit_outcome(int counter)
{
	if (counter == PC_CNT_NON_IP)
		return outcome(counter, cfg_non_ip_pass ? XDP_PASS : XDP_DROP);
	return outcome(PC_CNT_MALFORMED, XDP_DROP);
}

/* Datagram key of a fragment: zeroed first, since the hash covers the padding. */
static __always_inline void frag_key(const struct pc_pkt *pkt, struct pc_frag_key *key)
{
	__builtin_memset(key, 0, sizeof(*key));
	key->family = pkt->family;
	key->id = pkt->frag_id;
	if (pkt->family == 4) {
		const struct iphdr *iph = pkt->l3;

		key->proto = iph->protocol;
		key->src[0] = iph->saddr;
		key->dst[0] = iph->daddr;
	} else {
		const struct ipv6hdr *ip6 = pkt->l3;

		__builtin_memcpy(key->src, &ip6->saddr, sizeof(key->src));
		__builtin_memcpy(key->dst, &ip6->daddr, sizeof(key->dst));
	}
}

/* Non-first fragments carry no ports: the fragments policy, or under "track" the
 * outcome of their datagram's first fragment while it is fresh. */
static __always_inline struct pc_outcome later_fragment(const struct pc_pkt *pkt)
{
	struct pc_frag_key key;
	struct pc_frag_val *val;

	if (cfg_fragments == PC_FRAG_PASS)
		return outcome(PC_CNT_FRAGMENT, XDP_PASS);
	if (cfg_fragments != PC_FRAG_TRACK)
		return outcome(PC_CNT_FRAGMENT, XDP_DROP);
	frag_key(pkt, &key);
	val = bpf_map_lookup_elem(&frags, &key);
	if (val && bpf_ktime_get_ns() - val->created_ns < PC_FRAG_TTL_NS)
		return outcome(val->counter, XDP_PASS);
	return outcome(PC_CNT_FRAGMENT, XDP_DROP);
}

/* A first fragment that passed admits the rest of its datagram; one that was dropped
 * revokes an earlier first fragment's admission under the same key. */
static __always_inline void track_first_fragment(const struct pc_pkt *pkt, struct pc_outcome out)
{
	struct pc_frag_key key;
	struct pc_frag_val val = {};

	if (cfg_fragments != PC_FRAG_TRACK)
		return; /* the table is never read */
	frag_key(pkt, &key);
	if (out.action == XDP_PASS) {
		val.created_ns = bpf_ktime_get_ns();
		val.counter = out.counter;
		bpf_map_update_elem(&frags, &key, &val, BPF_ANY);
	} else {
		bpf_map_delete_elem(&frags, &key);
	}
}

/* "out" rules read statelessly (state off): TCP with ACK and UDP towards the
 * ephemeral range, ICMP by type (the compiler fills only echo-reply). */
static __always_inline bool reply_lookup(const struct pc_pkt *pkt)
{
	bool ephemeral = pkt->dport >= cfg_eph_lo && pkt->dport <= cfg_eph_hi;

	if (cfg_state)
		return false;
	if (pkt->tbl == PC_TBL_TCP_IN)
		return (pkt->tcp_flags & PC_TCP_ACK) && ephemeral;
	if (pkt->tbl == PC_TBL_UDP_IN)
		return ephemeral;
	return true;
}

/* The first rule, in profile order, that matches the packet; 0 if none. */
static __always_inline pc_verdict_t verdict(const struct pc_pkt *pkt, __u32 class)
{
	pc_verdict_t v;

	v = table_lookup(class, pkt->tbl, pkt->dport);
	if (reply_lookup(pkt))
		v = first_rule(v, table_lookup(class, pkt->tbl + PC_TBL_REPLY_OFF, pkt->sport));
	return v;
}

static __always_inline struct pc_outcome rule_outcome(pc_verdict_t v)
{
	__u32 rule = v & PC_VERDICT_RULE;

	if (!rule)
		return outcome(PC_CNT_NO_MATCH, cfg_default_pass ? XDP_PASS : XDP_DROP);
	return outcome(verdict_counter(v), v & PC_VERDICT_PASS ? XDP_PASS : XDP_DROP);
}

SEC("xdp")
int portcullis_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct pc_pkt pkt = {};
	struct pc_outcome out;
	pc_verdict_t v = 0;
	__u32 class = 0;
	int implicit;

	implicit = parse_packet(data, data_end, data_end, &pkt);
	if (implicit != PC_PARSED) {
		out = implicit_outcome(implicit); /* non-IP or malformed */
		goto done;
	}
	if (pkt.frag == PC_LATER_FRAG) {
		out = later_fragment(&pkt);
		goto done;
	}
	if (is_ndp(&pkt)) {
		out = outcome(PC_CNT_NDP, XDP_PASS);
		goto done;
	}

	if (pkt.tbl != PC_TBL_COUNT) { /* a protocol without ports matches no rule */
		class = classify_addr(pkt.family, ip_addr(pkt.family, pkt.l3, true));
		v = verdict(&pkt, class);
	}
	out = rule_outcome(v);
	/* Established wins over drop rules and the default, but only frames no rule
	 * passes pay for the hash lookup. Under `default pass` a reply still counts on
	 * its flow's rule: the flows come before the default (docs/semantics.md §3, 4 before 6). */
	if (cfg_state && !verdict_passes(v) && pkt.tbl != PC_TBL_COUNT) {
		int c = flow_reply_counter(ctx, &pkt, class, data, data_end);

		if (c >= 0)
			out = outcome(c, XDP_PASS);
	}
	if (pkt.frag == PC_FIRST_FRAG)
		track_first_fragment(&pkt, out);
done:
	return count(ctx, data, data_end, out);
}

#include "egress.h"

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The XDP entry: parse -> classify the source -> look up the verdict -> count. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "portcullis.h"
#include "maps.h"
#include "parse.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Settings, written by the loader through skel->rodata before load. The verifier
 * sees their values, so branches on them cost nothing at run time. */
const volatile __u8 cfg_non_ip_pass = 1;
const volatile __u8 cfg_fragments = PC_FRAG_TRACK; /* enum pc_frag_policy */
const volatile __u8 cfg_default_pass = 0;
const volatile __u8 cfg_state = 0; /* 1: stateful (reserved): no static replies */
const volatile __u16 cfg_eph_lo = 1024;
const volatile __u16 cfg_eph_hi = 65535;
/* Drop events per second per CPU (the loader divides the profile's total by the
 * online CPUs); 0: logging off, and the verifier removes the code. */
const volatile __u32 cfg_log_rate = 0;

/* Each "in" table has its "reply" table at the same distance. */
#define PC_TBL_REPLY_OFF (PC_TBL_TCP_REPLY - PC_TBL_TCP_IN)
_Static_assert(PC_TBL_UDP_REPLY - PC_TBL_UDP_IN == PC_TBL_REPLY_OFF, "tables");
_Static_assert(PC_TBL_ICMP_REPLY - PC_TBL_ICMP_IN == PC_TBL_REPLY_OFF, "tables");
_Static_assert(PC_TBL_ICMP6_REPLY - PC_TBL_ICMP6_IN == PC_TBL_REPLY_OFF, "tables");

/* What happens to a frame: the counter it is counted on and the XDP action. */
struct pc_outcome {
	__u32 counter;
	__u32 action;
};

static __always_inline struct pc_outcome outcome(__u32 counter, __u32 action)
{
	return (struct pc_outcome){ .counter = counter, .action = action };
}

/* May this CPU log one more drop event? A fixed 1 s window per CPU. The budget is
 * per-CPU so that a flood spread over every queue takes no shared cache line and no
 * atomic on the drop path; the loader splits the profile's rate among the CPUs.
 * The coarse clock (a jiffy of resolution) is plenty for a 1 s window, and it only
 * moves when jiffies does: once the budget is spent, a drop reads just jiffies (the
 * verifier inlines bpf_jiffies64() as one load), and the clock at most once a jiffy.
 * Measured in a VM: a clock read costs 17-30 ns, a spent-budget drop about 1 ns. */
static __always_inline bool log_budget_take(void)
{
	__u32 zero = 0;
	struct pc_log_budget *b = bpf_map_lookup_elem(&log_budget, &zero);
	__u64 now;

	if (!b)
		return false;
	if (b->used >= cfg_log_rate) {
		__u64 j = bpf_jiffies64();

		if (j == b->checked)
			return false; /* same tick: the window cannot have ended */
		b->checked = j;
	}
	now = bpf_ktime_get_coarse_ns();
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

/* One drop event: the outcome and the first PC_LOG_SNAP bytes of the frame. */
static __always_inline void log_drop(struct xdp_md *ctx, __u32 len, struct pc_outcome out)
{
	struct pc_log_event *ev;
	__u32 snap = len;

	if (!log_budget_take())
		return;
	ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
	if (!ev)
		return; /* the reader is behind: this event is lost */
	ev->ts_ns = bpf_ktime_get_ns();
	ev->counter = out.counter;
	ev->action = out.action;
	ev->len = len;
	ev->ifindex = ctx->ingress_ifindex;
	ev->pad = 0;
	/* Verifier workaround: the helper's size must be provably in [1, sizeof
	 * data]. The barrier keeps clang from folding the clamp into an earlier
	 * copy of len, so that the verifier sees the bound on the register it
	 * passes. */
	barrier_var(snap);
	if (snap > PC_LOG_SNAP)
		snap = PC_LOG_SNAP;
	if (!snap || bpf_xdp_load_bytes(ctx, 0, ev->data, snap))
		snap = 0;
	ev->snap_len = snap;
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

static __always_inline bool is_ndp(const struct pc_pkt *pkt)
{
	return pkt->tbl == PC_TBL_ICMP6_IN && pkt->dport >= 133 && pkt->dport <= 137 &&
	       pkt->hop_limit == 255 && !pkt->frag_hdr;
}

static __always_inline __u32 trie_step(__u32 entry, __u8 byte)
{
	__u32 key = entry & PC_TRIE_INDEX;
	struct pc_trie_chunk *chunk = bpf_map_lookup_elem(&trie_chunks, &key);

	return chunk ? chunk->e[byte] : 0;
}

/* Class of the source address: the trie root by the top 16 bits, then one chunk per
 * further byte while the entry points to a child. */
static __always_inline __u32 classify(const struct pc_pkt *pkt)
{
	struct pc_trie_root *root;
	const __u8 *addr;
	__u32 key, entry;

	if (pkt->family == 4) {
		addr = (const __u8 *)&((const struct iphdr *)pkt->l3)->saddr;
		key = 0;
	} else {
		addr = (const __u8 *)&((const struct ipv6hdr *)pkt->l3)->saddr;
		key = 1;
	}
	root = bpf_map_lookup_elem(&trie_root, &key);
	entry = root ? root->e[(addr[0] << 8 | addr[1]) & (PC_TRIE_ROOT_SIZE - 1)] : 0;
	if (!(entry & PC_TRIE_CHILD))
		return entry;
	if (pkt->family == 4) {
		entry = trie_step(entry, addr[2]);
		if (entry & PC_TRIE_CHILD)
			entry = trie_step(entry, addr[3]);
	} else {
#pragma unroll
		for (int i = 2; i < 16; i++) {
			entry = trie_step(entry, addr[i]);
			if (!(entry & PC_TRIE_CHILD))
				break;
		}
	}
	/* A child pointer below the last byte is a broken trie: no class. */
	return entry & PC_TRIE_CHILD ? 0 : entry;
}

/* One table: dirs gives the page for the index's high byte, the page the verdict. */
static __always_inline pc_verdict_t table_lookup(__u32 class, __u32 table, __u32 index)
{
	__u32 key = class * PC_TBL_COUNT + table;
	struct pc_dir *dir = bpf_map_lookup_elem(&dirs, &key);
	struct pc_page *page;

	if (!dir)
		return 0;
	key = dir->page[(index >> 8) & 0xff];
	if (!key)
		return 0; /* page 0 matches nothing: skip its lookup */
	page = bpf_map_lookup_elem(&pages, &key);
	return page ? page->v[index & 0xff] : 0;
}

/* The earlier rule of two verdicts: rule id + 1 compared as rule - 1 in 16 bits
 * puts "no match" (0) last. */
static __always_inline pc_verdict_t first_rule(pc_verdict_t a, pc_verdict_t b)
{
	__u16 ra = (a & PC_VERDICT_RULE) - 1, rb = (b & PC_VERDICT_RULE) - 1;

	return ra <= rb ? a : b;
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
	return outcome(PC_CNT_IMPLICIT + rule - 1, v & PC_VERDICT_PASS ? XDP_PASS : XDP_DROP);
}

SEC("xdp")
int portcullis_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct pc_pkt pkt = {};
	struct pc_outcome out;
	pc_verdict_t v = 0;
	int implicit;

	implicit = parse_packet(data, data_end, &pkt);
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

	if (pkt.tbl != PC_TBL_COUNT) /* a protocol without ports matches no rule */
		v = verdict(&pkt, classify(&pkt));
	out = rule_outcome(v);
	if (pkt.frag == PC_FIRST_FRAG)
		track_first_fragment(&pkt, out);
done:
	return count(ctx, data, data_end, out);
}

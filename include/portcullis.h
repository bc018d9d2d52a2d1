/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The ABI shared by the XDP program and the loader: map keys and values, counter
 * indices, verdict encoding, limits and pin names. No logic lives here but the one
 * layout function both sides must compute alike (pc_dir_slot).
 *
 * Byte order: addresses and ports are looked up by value in host order: the program
 * converts with bpf_ntohs()/bpf_ntohl() once, and the compiler fills the tables with
 * host-order indices. Only the fragment table keeps addresses as they are on the wire.
 */
#ifndef PORTCULLIS_H
#define PORTCULLIS_H

#ifdef __BPF__
#include <linux/types.h>
#else
#include <linux/types.h>
#include <stdint.h>
#endif

/* Implicit outcomes: every frame that no rule decides lands on one of these.
 * Counter index i < PC_CNT_IMPLICIT is an implicit outcome; rule r (0-based, profile
 * order) is counted at PC_CNT_IMPLICIT + r. */
enum pc_counter {
	PC_CNT_NON_IP = 0,
	PC_CNT_MALFORMED = 1,
	PC_CNT_NDP = 2,
	PC_CNT_FRAGMENT = 3,
	PC_CNT_NO_MATCH = 4,
	PC_CNT_IMPLICIT = 5,
};

/* Value of the per-CPU "counters" array. */
struct pc_count {
	__u64 packets;
	__u64 bytes;
};

/* Limits. Rule ids are 15 bits wide in a verdict (see below). */
#define PC_MAX_RULES 32766
#define PC_MAX_CLASSES 65536
#define PC_MAX_TRIE_CHUNKS 262144
#define PC_MAX_PAGES 262144

/* --- Source address classification ----------------------------------------------
 * A multibit trie of array maps whose values are whole levels: an array element costs
 * its value rounded up to 8 bytes, so one element per level keeps a 16-bit verdict
 * at 2 bytes, and one lookup plus an indexed load reads it.
 * "trie_root" has 2 values of 65536 entries, key 0 for IPv4 and 1 for IPv6, indexed
 * by the address's top 16 bits. An entry with PC_TRIE_CHILD set points to chunk
 * (entry & PC_TRIE_INDEX) of "trie_chunks", whose 256 entries are indexed by the
 * address's next byte; any other entry is a leaf holding the address's class id.
 * Class 0 is "in no prefix of the profile". */
#define PC_TRIE_ROOT_BITS 16
#define PC_TRIE_ROOT_SIZE (1u << PC_TRIE_ROOT_BITS)
#define PC_TRIE_V6_BASE PC_TRIE_ROOT_SIZE /* IPv6 root in a flat copy of both */
#define PC_TRIE_CHUNK 256
#define PC_TRIE_CHILD 0x80000000u
#define PC_TRIE_INDEX 0x7fffffffu

struct pc_trie_root {
	__u32 e[PC_TRIE_ROOT_SIZE];
};

struct pc_trie_chunk {
	__u32 e[PC_TRIE_CHUNK];
};

/* --- Port / ICMP-type tables ------------------------------------------------------
 * For each (class, table) the compiler resolves every port (or ICMP type) to the first
 * rule that matches it. Index = port, or type for ICMP tables (0..255).
 * "dirs": key class -> struct pc_dir, whose page[pc_dir_slot(table, index)] is a page
 * number: a port table has a page per high byte of the port, an ICMP table one page.
 * "pages": key page number -> struct pc_page, whose v[index & 0xff] is the verdict.
 * Page 0 is all zero (no match); identical pages are stored once. */
enum pc_table {
	PC_TBL_TCP_IN = 0, /* in rules, by destination port */
	PC_TBL_UDP_IN = 1, /* in rules, by destination port */
	/* out rules by the peer's port: the egress hook looks up the destination
	 * port, and with state off ingress reads them statelessly by source port */
	PC_TBL_TCP_REPLY = 2,
	PC_TBL_UDP_REPLY = 3,
	PC_TBL_ICMP_IN = 4,	/* in rules, by ICMP type */
	PC_TBL_ICMP6_IN = 5,	/* in rules, by ICMPv6 type */
	PC_TBL_ICMP_REPLY = 6,	/* state off: echo-request out rules, at echo-reply (0) */
	PC_TBL_ICMP6_REPLY = 7, /* state off: echo-request out rules, at echo-reply (129) */
	PC_TBL_ICMP_OUT = 8,	/* out rules by the ICMP type the appliance sends */
	PC_TBL_ICMP6_OUT = 9,	/* out rules by the ICMPv6 type the appliance sends */
	PC_TBL_COUNT = 10,
};
#define PC_PAGE_SIZE 256
#define PC_PORT_TABLES 4 /* the tables before PC_TBL_ICMP_IN are indexed by port */
#define PC_DIR_SLOTS (PC_PORT_TABLES * PC_PAGE_SIZE + PC_TBL_COUNT - PC_PORT_TABLES)

/* The one piece of layout logic both sides must agree on: where a dir keeps the page
 * of (table, index). ICMP tables need one page, not 256: 6 of 10 tables, so a class
 * takes 4 KiB of directory rather than 10. */
static inline __u32 pc_dir_slot(__u32 table, __u32 index)
{
	if (table < PC_PORT_TABLES)
		return table * PC_PAGE_SIZE + ((index >> 8) & 0xff);
	return PC_PORT_TABLES * PC_PAGE_SIZE + table - PC_PORT_TABLES;
}

/* A verdict: 0 = no rule matches; otherwise (rule id + 1) in the low 15 bits and
 * PC_VERDICT_PASS set when the rule allows. Zeroed maps therefore match nothing, and
 * the smaller non-zero rule part is the earlier rule. */
typedef __u16 pc_verdict_t;
#define PC_VERDICT_PASS 0x8000u
#define PC_VERDICT_RULE 0x7fffu

struct pc_dir {
	__u32 page[PC_DIR_SLOTS];
};

struct pc_page {
	pc_verdict_t v[PC_PAGE_SIZE];
};

/* --- Fragment tracking --------------------------------------------------------------
 * LRU hash "frags": one entry per datagram whose first fragment passed. */
struct pc_frag_key {
	__u8 family; /* 4 or 6 */
	__u8 proto;  /* IPv4 protocol; 0 for IPv6 (keyed by identification only) */
	__u16 pad;
	__u32 id;     /* IPv4 ID (16 bits) or IPv6 identification, network order */
	__u32 src[4]; /* network order; IPv4 uses src[0] */
	__u32 dst[4];
};

struct pc_frag_val {
	__u64 created_ns; /* bpf_ktime_get_ns() of the first fragment */
	__u32 counter;	  /* counter index the first fragment was counted on */
	__u32 pad;
};

#define PC_FRAG_TTL_NS (30ULL * 1000000000ULL)
#define PC_FRAG_MAX_ENTRIES 8192

/* Settings the program only reads: const volatile globals set before load. */
enum pc_frag_policy { PC_FRAG_TRACK = 0, PC_FRAG_PASS = 1, PC_FRAG_DROP = 2 };

/* Spec limits on parsing. */
#define PC_MAX_VLAN 2
#define PC_MAX_V6_EXT 6

/* "carry": plain array indexed like "counters", written only by the loader: what the
 * rules of the previous profile had counted, for rules whose text is unchanged. Stats
 * add it to the live per-CPU sums, so a reload loses nothing and races with no one. */

/* --- Metadata pinned beside the program, read by `stats` and `status` --------------
 * "rule_info": array, one entry per rule; "load_info": array of one entry. The program
 * never reads them: they exist so that the pinned state describes itself. */
#define PC_TEXT_PEER 64
#define PC_TEXT_MATCH 96
#define PC_TEXT_LABEL 96
#define PC_TEXT_PROTO 16
#define PC_TEXT_FILE 256

enum pc_action { PC_ACT_DROP = 0, PC_ACT_PASS = 1 };
enum pc_direction { PC_DIR_IN = 0, PC_DIR_OUT = 1 };

struct pc_rule_info {
	__u32 line;
	__u8 action;	/* enum pc_action */
	__u8 direction; /* enum pc_direction */
	__u16 file;	/* the file the rule is in (includes): its key in "files" */
	char proto[PC_TEXT_PROTO];
	char peer[PC_TEXT_PEER];
	char match[PC_TEXT_MATCH];
	char label[PC_TEXT_LABEL];
};

/* "files": array, the profile's files (the profile, then its includes), each named
 * once rather than in every rule: 10,000 rules would otherwise carry 2.5 MB of the
 * same few paths. */
#define PC_MAX_FILES 65535
struct pc_file_name {
	char path[PC_TEXT_FILE];
};

struct pc_load_info {
	__u64 loaded_at; /* seconds since the epoch */
	__u32 n_rules;
	__u32 mode;	   /* XDP_FLAGS_DRV_MODE or XDP_FLAGS_SKB_MODE */
	char profile[256]; /* absolute path of the profile as loaded */
	/* The settings the program was loaded with (its read-only globals), so that
	 * `explain IFACE` can run a twin of the running program. */
	__u8 state;
	__u8 non_ip_pass;
	__u8 fragments; /* enum pc_frag_policy */
	__u8 default_pass;
	__u16 eph_lo;
	__u16 eph_hi;
	__u32 log_rate; /* sampled drop events per second */
	__u8 egress_enforce;
	__u8 egress_hook;  /* enum pc_egress_hook */
	__u16 features;	   /* enum pc_feature: what this kernel had at load */
	__u32 gen;	   /* load generation: 1 for a first load, +1 per replace */
	__u32 timeout_tcp; /* idle timeouts of flows, seconds */
	__u32 timeout_udp;
	__u32 timeout_icmp;
	__u32 flows_max; /* size of the flow table */
	__u32 pad2;
	/* SHA-256 of the profile's text as the parser read it: the file, then each of
	 * its includes in the order read (for one file, what sha256sum prints). Last, so
	 * that the load_info of an older portcullis, which ends before it, reads as all
	 * zero here: "not recorded". */
	__u8 profile_sha256[32];
};

/* --- Sampled drop events -------------------------------------------------------------
 * "events": ring buffer of struct pc_log_event, one per dropped frame while the
 * dropping CPU is within its budget; "log_budget": per-CPU struct pc_log_budget, the
 * program's own bookkeeping for that budget, and the events lost to a full ring (which
 * readers sum over the CPUs). Numbers are in host order; data[] holds
 * the first snap_len bytes of the frame exactly as on the wire (network order). */
#define PC_LOG_SNAP 128
#define PC_LOG_RINGBUF_SIZE (256 * 1024)
#define PC_LOG_WINDOW_NS 1000000000ULL

struct pc_log_event {
	__u64 ts_ns;	/* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u32 counter;	/* counter index the frame was counted on (see enum pc_counter) */
	__u32 action;	/* XDP action taken: XDP_DROP */
	__u32 len;	/* frame length as XDP sees it, Ethernet header included */
	__u32 snap_len; /* bytes of data[] that hold the frame: min(len, PC_LOG_SNAP) */
	__u32 ifindex;	/* interface the frame arrived on */
	__u32 pad;
	__u8 data[PC_LOG_SNAP];
};

struct pc_log_budget {
	__u64 window_ns; /* start of this CPU's current 1 s window (coarse monotonic) */
	__u64 checked;	 /* jiffies when a spent budget last read the clock */
	__u64 lost;	 /* events within the budget that the full ring had no room for */
	__u32 used;	 /* events this CPU has logged in the window */
	__u32 pad;
};

/* --- Flows (state on) ------------------------------------------------------------
 * LRU hash "flows": what the appliance opened and an out rule allowed, keyed the way a
 * reply arrives at ingress, so that one lookup finds it without swapping fields. The
 * egress hook writes it (and `load` seeds it from open sockets); ingress reads it only
 * for frames the rules would not pass. The map outlives reloads: a reload keeps every
 * flow, and its rule index is translated (see "flow_remap").
 * The key leaves out the appliance's own address, as the rules do (docs/semantics.md §3.13: every
 * frame on the interface is taken as addressed to the appliance): 24 bytes hash a third faster
 * than 40. The value keeps it, for `flows`. */
struct pc_flow_key {
	__u8 family;	  /* 4 or 6 */
	__u8 proto;	  /* IPPROTO_TCP, _UDP, _ICMP or _ICMPV6 */
	__u16 peer_port;  /* host order; ICMP echo: 0 */
	__u16 local_port; /* host order; ICMP echo: the identifier */
	__u16 pad;	  /* zero: the hash covers it */
	__u32 peer[4];	  /* network order; IPv4 in [0], the rest zero */
};

enum pc_flow_origin { PC_FLOW_EGRESS = 0, PC_FLOW_SOCKET = 1 };

struct pc_flow {
	__u64 seen_ns;	  /* bpf_ktime_get_coarse_ns() when the appliance last sent */
	__u64 created_ns; /* same clock, when the flow was recorded */
	__u32 gen;	  /* the load generation that wrote rule */
	__u16 rule;	  /* the out rule (0-based) that allowed the flow */
	__u8 closing;	  /* TCP: a FIN or RST was seen: the short timeout applies */
	__u8 origin;	  /* enum pc_flow_origin */
	__u32 local[4];	  /* the appliance's address, as peer in the key */
};

/* "clock": per-CPU cache of the coarse clock, keyed by jiffies. The coarse clock moves
 * only when jiffies does, so a CPU reads it (a helper call, ~15 ns) once a tick and
 * otherwise one inlined load of jiffies tells it the cached value is still exact. */
struct pc_clock {
	__u64 jiffies;
	__u64 ns; /* bpf_ktime_get_coarse_ns() at that jiffy: CLOCK_MONOTONIC_COARSE */
};

/* Defaults of `set timeout PROTO SECONDS` and `set flows N`. A TCP flow that saw a FIN
 * or RST lives PC_TIMEOUT_CLOSING more seconds at most. */
#define PC_TIMEOUT_TCP 3600
#define PC_TIMEOUT_UDP 60
#define PC_TIMEOUT_ICMP 30
#define PC_TIMEOUT_CLOSING 10
#define PC_TIMEOUT_MAX (7 * 24 * 3600)
#define PC_FLOWS_DEFAULT 65536
#define PC_FLOWS_MIN 1024
/* The kernel allocates the whole LRU table at load, about 130 bytes an entry: this
 * many keep a load under a second (docs/performance.md). */
#define PC_FLOWS_MAX (1024 * 1024)

/* "flow_remap": array indexed by a rule index of the previous load generation: that
 * rule's index + 1 in this one, or 0 when the rule is gone. Read on the (rare) path
 * where a flow's generation is the previous one, in the moment between a reload's
 * swap and the loader rewriting every flow to the new generation. */

/* "ecounters"/"ecarry": the egress hook's outcomes, laid out like "counters". A rule
 * counts what it decided going out: an out rule what it let out or stopped, an in rule
 * the replies of the inbound flows it allows. The implicit outcomes read: non-ip,
 * malformed (headers the hook cannot read), ndp and fragment (non-first fragments)
 * always go out; no-match goes out under `egress open` and is dropped under
 * `egress enforce`. */

/* The egress hook in use, recorded in load_info: tcx (a pinned bpf_link, Linux 6.6+)
 * or, on older kernels, a direct-action filter of the clsact qdisc, which identifies
 * ours by its handle and priority (`tc filter show dev IFACE egress`). */
enum pc_egress_hook { PC_HOOK_NONE = 0, PC_HOOK_TCX = 1, PC_HOOK_CLSACT = 2 };

/* Kernel features used where the kernel has them (user/kern/kernel_features.c probes them,
 * docs/kernels.md says from which Linux each comes and what happens without it). */
enum pc_feature {
	PC_FEAT_COARSE_CLOCK = 1 << 0,	 /* bpf_ktime_get_coarse_ns() */
	PC_FEAT_XDP_LOAD_BYTES = 1 << 1, /* bpf_xdp_load_bytes() */
	PC_FEAT_TCX = 1 << 2,		 /* tcx links for the egress hook */
	PC_FEAT_LIVE_FRAMES = 1 << 3,	 /* live frames for `flood` */
	/* load_info: the other bits were probed (a load from before probing has 0). */
	PC_FEAT_PROBED = 1 << 15,
};
/* The features a loaded program depends on (load_info.features). */
#define PC_FEAT_PROGRAM (PC_FEAT_COARSE_CLOCK | PC_FEAT_XDP_LOAD_BYTES | PC_FEAT_TCX)
#define PC_TC_HANDLE 0x7063
#define PC_TC_PRIORITY 0x7063

/* Pins. An interface's state is keyed by what the kernel keys it by, its network
 * namespace (cookie) and ifindex: PC_PIN_ROOT/net<cookie>-if<ifindex>/, holding
 *   link, elink            the XDP and egress (tcx) links, shared by the generations
 *   current -> gN          symlink: the committed generation, the one readers read
 *   next -> gM             symlink: a switch under way (see user/kern/switch.c)
 *   name, netns            symlinks whose targets say which interface, for display
 *   gN/                    a generation: prog, eprog and the maps, named as in
 *                          bpf/maps.h; gN/pending (symlink) while it awaits confirmation;
 *                          gN/hosts, a map of the loader's own: the host names' record
 * bpffs refuses names with a dot; a symlink's target may hold anything. */
#define PC_PIN_ROOT "/sys/fs/bpf/portcullis"
#define PC_PIN_LINK "link"
#define PC_PIN_PROG "prog"   /* every other pin is a map, named as in bpf/maps.h */
#define PC_PIN_ELINK "elink" /* the egress hook's link and program */
#define PC_PIN_EPROG "eprog"
#define PC_PIN_CURRENT "current"
#define PC_PIN_NEXT "next"
#define PC_PIN_NAME "name"
#define PC_PIN_NETNS "netns"
#define PC_PIN_PENDING "pending"
#define PC_PIN_HOSTS "hosts" /* the host names and their addresses (user/kern/host_record.c) */
#define PC_PIN_GEN_PREFIX "g"
/* The maps a generation's readers open, by the names bpf/maps.h gives them (a pin
 * takes its map's name; tests/unit/test_pins.c checks that each is one). */
#define PC_PIN_LOAD_INFO "load_info"
#define PC_PIN_RULE_INFO "rule_info"
#define PC_PIN_FILES "files"
#define PC_PIN_COUNTERS "counters"
#define PC_PIN_ECOUNTERS "ecounters"
#define PC_PIN_CARRY "carry"
#define PC_PIN_ECARRY "ecarry"
#define PC_PIN_FLOWS "flows"
#define PC_PIN_EVENTS "events"
#define PC_PIN_LOG_BUDGET "log_budget"

#endif /* PORTCULLIS_H */

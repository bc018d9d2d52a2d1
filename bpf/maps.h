/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Every map of the XDP program. Sizes here are placeholders: the loader sets each
 * array's max_entries from the compiled profile before load. All lookups on the
 * per-packet path are into arrays, which the verifier inlines (1-2 ns), never into
 * hashes or tries (25-40 ns each on this kernel), except for non-first fragments and,
 * with state on, frames the rules would not pass (the flow table). */
#ifndef PC_MAPS_H
#define PC_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "portcullis.h"

/* Per-CPU packet/byte counters: implicit outcomes, then one per rule. Program
 * increments, loader reads and sums. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PC_CNT_IMPLICIT + 1);
	__type(key, __u32);
	__type(value, struct pc_count);
} counters SEC(".maps");

/* Carried-over counts of the previous profile, indexed like counters. Loader only. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PC_CNT_IMPLICIT + 1);
	__type(key, __u32);
	__type(value, struct pc_count);
} carry SEC(".maps");

/* Address trie, first level: key 0 IPv4, 1 IPv6; indexed by top 16 bits. Loader
 * writes. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct pc_trie_root);
} trie_root SEC(".maps");

/* Address trie, a 256-entry chunk per key for the following bytes. Loader writes. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pc_trie_chunk);
} trie_chunks SEC(".maps");

/* class -> page numbers of its tables (pc_dir_slot). Loader writes. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pc_dir);
} dirs SEC(".maps");

/* Page number -> verdicts by low byte; page 0 is all "no match". Loader writes. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pc_page);
} pages SEC(".maps");

/* Datagrams whose first fragment passed; program writes and reads. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, PC_FRAG_MAX_ENTRIES);
	__type(key, struct pc_frag_key);
	__type(value, struct pc_frag_val);
} frags SEC(".maps");

/* Flows the appliance opened (state on): the egress hook and the loader write, ingress
 * reads. Shared by every load generation on the interface: the loader sizes it (`set
 * flows`) and hands the pinned one to each new program. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, PC_FLOWS_DEFAULT);
	__type(key, struct pc_flow_key);
	__type(value, struct pc_flow);
} flows SEC(".maps");

/* Each CPU's cached coarse clock (struct pc_clock). Program only. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pc_clock);
} clock SEC(".maps");

/* Previous generation's rule index -> this one's + 1 (0: gone). Loader writes. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u16);
} flow_remap SEC(".maps");

/* The egress hook's counters and their carry, laid out like counters and carry. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PC_CNT_IMPLICIT + 1);
	__type(key, __u32);
	__type(value, struct pc_count);
} ecounters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PC_CNT_IMPLICIT + 1);
	__type(key, __u32);
	__type(value, struct pc_count);
} ecarry SEC(".maps");

/* What each rule says, for stats/status and bpftool. Loader only. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pc_rule_info);
} rule_info SEC(".maps");

/* The profile's file names, keyed by pc_rule_info.file. Loader only. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pc_file_name);
} files SEC(".maps");

/* What was loaded, when, from where. Loader only. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pc_load_info);
} load_info SEC(".maps");

/* Sampled drop events (struct pc_log_event) for `portcullis log`. Program writes
 * (bpf_ringbuf_reserve/submit), the CLI reads through the pinned map. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, PC_LOG_RINGBUF_SIZE);
} events SEC(".maps");

/* Each CPU's drop-event budget (struct pc_log_budget): window start, events used,
 * jiffies of the last clock read. Program only. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pc_log_budget);
} log_budget SEC(".maps");

#endif /* PC_MAPS_H */

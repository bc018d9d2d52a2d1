/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The compiled profile as both hooks read it: the class of a peer address (trie), and
 * the first rule of a (class, table, port or type) (directory + page). Array lookups
 * only: their cost does not depend on the profile. */
#ifndef PC_LOOKUP_H
#define PC_LOOKUP_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>

#include "portcullis.h"
#include "maps.h"

static __always_inline __u32 trie_step(__u32 entry, __u8 byte)
{
	__u32 key = entry & PC_TRIE_INDEX;
	struct pc_trie_chunk *chunk = bpf_map_lookup_elem(&trie_chunks, &key);

	return chunk ? chunk->e[byte] : 0;
}

/* The root's index: the address's top 16 bits. Verifier portability: older
 * verifiers cannot bound an OR of two bytes, so the index is masked, and the barrier
 * keeps clang from dropping the mask it knows to be redundant. 64 bits wide, so that
 * no zero-extension stands between the bound and the access. */
static __always_inline __u64 trie_root_index(const __u8 *addr)
{
	__u64 i = (__u64)addr[0] << 8 | addr[1];

	barrier_var(i);
	return i & (PC_TRIE_ROOT_SIZE - 1);
}

/* Class of a peer address (4 or 16 bytes, network order): the trie root by the top
 * 16 bits, then one chunk per further byte while the entry points to a child. */
static __always_inline __u32 classify_addr(__u8 family, const __u8 *addr)
{
	struct pc_trie_root *root;
	__u32 key = family == 4 ? 0 : 1, entry;

	root = bpf_map_lookup_elem(&trie_root, &key);
	entry = root ? root->e[trie_root_index(addr)] : 0;
	if (!(entry & PC_TRIE_CHILD))
		return entry;
	if (family == 4) {
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

/* classify_addr() as a global function: verified once, on its own, rather than at
 * each of the cold call sites (ICMP errors, the egress hook), where inlining it
 * multiplied the paths the verifier walks and the time a load takes. The per-packet
 * source lookup stays inline. The address comes as four scalars, not a pointer:
 * global functions take pointer arguments only from 5.12. */
__noinline __u32 classify_global(__u32 family, __u32 w0, __u32 w1, __u32 w2, __u32 w3)
{
	__u32 a[4] = { w0, w1, w2, w3 };

	return classify_addr(family == 4 ? 4 : 6, (const __u8 *)a);
}

/* The class of a packet's address, through classify_global(). The words keep the
 * address's bytes in network order, as in the packet. */
static __always_inline __u32 classify_cold(__u8 family, const __u8 *addr)
{
	__u32 a[4] = {};

	if (family == 4)
		__builtin_memcpy(a, addr, 4);
	else
		__builtin_memcpy(a, addr, 16);
	return classify_global(family, a[0], a[1], a[2], a[3]);
}

/* The source (src) or destination address of an IP header. */
static __always_inline const __u8 *ip_addr(__u8 family, const void *l3, bool src)
{
	if (family == 4)
		return src ? (const __u8 *)&((const struct iphdr *)l3)->saddr
			   : (const __u8 *)&((const struct iphdr *)l3)->daddr;
	return src ? (const __u8 *)&((const struct ipv6hdr *)l3)->saddr
		   : (const __u8 *)&((const struct ipv6hdr *)l3)->daddr;
}

/* One table: the class's dir gives the page (by the port's high byte), the page the
 * verdict. */
static __always_inline pc_verdict_t table_lookup(__u32 class, __u32 table, __u32 index)
{
	struct pc_dir *dir = bpf_map_lookup_elem(&dirs, &class);
	struct pc_page *page;
	__u64 slot = pc_dir_slot(table, index);
	__u32 key;

	/* Verifier portability: clang can prove the slot in range from its
	 * arithmetic and drop the test, but the verifier cannot; the barrier keeps
	 * the test, on the 64-bit register that then indexes the value. */
	barrier_var(slot);
	if (!dir || slot >= PC_DIR_SLOTS)
		return 0;
	key = dir->page[slot];
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

static __always_inline bool verdict_passes(pc_verdict_t v)
{
	return (v & PC_VERDICT_RULE) && (v & PC_VERDICT_PASS);
}

/* What happens to a packet: the counter it is counted on and the hook's action. */
struct pc_outcome {
	__u32 counter;
	__u32 action;
};

static __always_inline struct pc_outcome outcome(__u32 counter, __u32 action)
{
	return (struct pc_outcome){ .counter = counter, .action = action };
}

/* Counter index of a verdict's rule (the verdict must name one). */
static __always_inline __u32 verdict_counter(pc_verdict_t v)
{
	return PC_CNT_IMPLICIT + (v & PC_VERDICT_RULE) - 1;
}

#endif /* PC_LOOKUP_H */

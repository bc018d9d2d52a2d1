// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Verdict tables for the XDP program through BPF_PROG_TEST_RUN: parsing, malformed
 * frames, classification, rules and static replies, NDP, fragments, counters. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "harness.h"
#include "kern/program.h"
#include "portcullis.h"
#include "portcullis.skel.h"
#include "traffic/frame.h"
#include "verdict.h"

/* --- A tiny policy, written into the maps by hand -----------------------------------
 * Classes: 0 everything else; 1 10.0.0.0/8; 2 2001:db8::/32; 3 192.168.1.0/24,
 * 192.168.2.7/32 and 2001:db8:1:2:3:4:5:6/128 (the deepest chunk chains).
 * Rules, in profile order (ALL = every class):
 *   r0  allow in  from class 0 tcp port 25
 *   r1  allow in  from class 1 tcp port 22
 *   r2  drop  in  icmp type 8 (ALL)
 *   r3  allow out udp port 53 (ALL)          -> UDP_REPLY sport 53
 *   r4  allow out tcp port 443 (ALL)         -> TCP_REPLY sport 443
 *   r5  allow in  icmp6 type 128 (ALL)
 *   r6  allow out icmp, icmp6 echo-request (ALL) -> ICMP_REPLY 0, ICMP6_REPLY 129
 *   r7  drop  in  from class 0 tcp port 30000-50000
 *   r8  drop  out tcp port 80 (ALL)          -> TCP_REPLY sport 80
 *   r9  allow in  from class 2 tcp port 22
 *   r10 allow in  from class 3 udp port 53
 */
enum {
	N_CLASSES = 4,
	N_RULES = 11,
	N_COUNTERS = PC_CNT_IMPLICIT + N_RULES,
	N_CHUNKS = 32,
	N_PAGES = 128,
	ALL = -1,
};
#define RULE(r) (PC_CNT_IMPLICIT + (r))

static __u32 root[2 * PC_TRIE_ROOT_SIZE];
static __u32 chunks[N_CHUNKS * PC_TRIE_CHUNK];
static __u32 dirs[N_CLASSES * PC_DIR_SLOTS];
static pc_verdict_t pages[N_PAGES * PC_PAGE_SIZE];
static int n_chunks, n_pages = 1; /* page 0 stays all "no match" */

/* Byte-aligned prefixes, shorter ones first: a longer one splits the leaf it lands
 * in into a chunk that inherits the leaf's class. */
static void trie_add(int family, const char *addr, int bits, __u32 class)
{
	uint8_t a[16];
	__u32 base = family == 6 ? PC_TRIE_V6_BASE : 0, *e;

	inet_pton(family == 6 ? AF_INET6 : AF_INET, addr, a);
	if (bits < 16) {
		for (__u32 i = 0; i < 1u << (16 - bits); i++)
			root[base + ((a[0] << 8 | a[1]) | i)] = class;
		return;
	}
	e = &root[base + (a[0] << 8 | a[1])];
	for (int i = 2; i < bits / 8; i++) {
		if (!(*e & PC_TRIE_CHILD)) {
			for (int j = 0; j < PC_TRIE_CHUNK; j++)
				chunks[n_chunks * PC_TRIE_CHUNK + j] = *e;
			*e = PC_TRIE_CHILD | n_chunks++;
		}
		e = &chunks[(*e & PC_TRIE_INDEX) * PC_TRIE_CHUNK + a[i]];
	}
	*e = class;
}

/* Rules in profile order: an index already taken by an earlier rule stays. */
static void rule(int id, bool pass, int class, int table, int lo, int hi)
{
	for (int c = 0; c < N_CLASSES; c++) {
		if (class != ALL && class != c)
			continue;
		for (int i = lo; i <= hi; i++) {
			__u32 *d = &dirs[c * PC_DIR_SLOTS + pc_dir_slot(table, i)];
			pc_verdict_t *v;

			if (!*d)
				*d = n_pages++;
			v = &pages[*d * PC_PAGE_SIZE + (i & 0xff)];
			if (!*v)
				*v = (id + 1) | (pass ? PC_VERDICT_PASS : 0);
		}
	}
}

static void build_policy(void)
{
	if (n_chunks)
		return;
	trie_add(4, "10.0.0.0", 8, 1);
	trie_add(6, "2001:db8::", 32, 2);
	trie_add(4, "192.168.1.0", 24, 3);
	trie_add(4, "192.168.2.7", 32, 3);
	trie_add(6, "2001:db8:1:2:3:4:5:6", 128, 3);

	rule(0, true, 0, PC_TBL_TCP_IN, 25, 25);
	rule(1, true, 1, PC_TBL_TCP_IN, 22, 22);
	rule(2, false, ALL, PC_TBL_ICMP_IN, 8, 8);
	rule(3, true, ALL, PC_TBL_UDP_REPLY, 53, 53);
	rule(4, true, ALL, PC_TBL_TCP_REPLY, 443, 443);
	rule(5, true, ALL, PC_TBL_ICMP6_IN, 128, 128);
	rule(6, true, ALL, PC_TBL_ICMP_REPLY, 0, 0);
	rule(6, true, ALL, PC_TBL_ICMP6_REPLY, 129, 129);
	rule(7, false, 0, PC_TBL_TCP_IN, 30000, 50000);
	rule(8, false, ALL, PC_TBL_TCP_REPLY, 80, 80);
	rule(9, true, 2, PC_TBL_TCP_IN, 22, 22);
	rule(10, true, 3, PC_TBL_UDP_IN, 53, 53);
	if (n_chunks > N_CHUNKS || n_pages > N_PAGES) {
		fprintf(stderr, "test policy exceeds its own limits\n");
		exit(2);
	}
}

/* --- Loading the program with some settings ----------------------------------------- */
/* Zero is the program's default for each. */
struct settings {
	__u8 non_ip_drop, fragments, default_pass, state;
	__u16 eph_lo, eph_hi; /* 0: 1024, 65535 */
};

struct env {
	struct portcullis *skel;
	int counters_fd, frags_fd, ncpu;
	struct pc_judge judge;
	unsigned long long frames, bytes; /* run since load */
};

static int fill(struct bpf_map *map, const void *vals, size_t n, size_t size)
{
	for (__u32 k = 0; k < n; k++) {
		const char *v = (const char *)vals + k * size;
		size_t i = 0;

		while (i < size && !v[i])
			i++;
		if (i == size)
			continue; /* arrays start zeroed */
		if (bpf_map__update_elem(map, &k, sizeof(k), v, size, 0))
			return -errno;
	}
	return 0;
}

static bool env_open(struct env *e, const struct settings *s)
{
	struct portcullis *skel;
	struct pc_err perr;
	int err;

	memset(e, 0, sizeof(*e));
	build_policy();
	skel = portcullis__open();
	if (!skel) {
		pc_test_fail(__FILE__, __LINE__, "Failed to open skeleton");
		return false;
	}
	bpf_map__set_max_entries(skel->maps.counters, N_COUNTERS);
	bpf_map__set_max_entries(skel->maps.carry, N_COUNTERS);
	bpf_map__set_max_entries(skel->maps.trie_chunks, N_CHUNKS);
	bpf_map__set_max_entries(skel->maps.dirs, N_CLASSES);
	bpf_map__set_max_entries(skel->maps.pages, N_PAGES);
	skel->rodata->cfg_non_ip_pass = !s->non_ip_drop;
	skel->rodata->cfg_fragments = s->fragments;
	skel->rodata->cfg_default_pass = s->default_pass;
	skel->rodata->cfg_state = s->state;
	skel->rodata->cfg_eph_lo = s->eph_lo ? s->eph_lo : 1024;
	skel->rodata->cfg_eph_hi = s->eph_hi ? s->eph_hi : 65535;
	err = pc_program_load(skel, "loading the program", &perr) ? -1 : 0;
	if (err)
		fprintf(stderr, "%s\n", perr.msg);
	/* The flat arrays above are the maps' values (whole trie levels, directories
	 * and pages) laid end to end. */
	if (!err)
		err = fill(skel->maps.trie_root, root, 2, sizeof(struct pc_trie_root));
	if (!err)
		err = fill(skel->maps.trie_chunks, chunks, N_CHUNKS, sizeof(struct pc_trie_chunk));
	if (!err)
		err = fill(skel->maps.dirs, dirs, N_CLASSES, sizeof(struct pc_dir));
	if (!err)
		err = fill(skel->maps.pages, pages, N_PAGES, sizeof(struct pc_page));
	if (err) {
		pc_test_fail(__FILE__, __LINE__, "Failed to load or fill the program: %s",
			     strerror(-err));
		portcullis__destroy(skel);
		return false;
	}
	if (pc_judge_init(&e->judge, bpf_program__fd(skel->progs.portcullis_xdp),
			  bpf_map__fd(skel->maps.counters), N_COUNTERS, 0, &perr)) {
		pc_test_fail(__FILE__, __LINE__, "%s", perr.msg);
		portcullis__destroy(skel);
		return false;
	}
	e->skel = skel;
	e->counters_fd = bpf_map__fd(skel->maps.counters);
	e->frags_fd = bpf_map__fd(skel->maps.frags);
	e->ncpu = libbpf_num_possible_cpus();
	return true;
}

static void read_counters(struct env *e, struct pc_count *sum)
{
	struct pc_count per_cpu[e->ncpu];

	for (__u32 k = 0; k < N_COUNTERS; k++) {
		sum[k] = (struct pc_count){ 0 };
		if (bpf_map_lookup_elem(e->counters_fd, &k, per_cpu))
			continue;
		for (int c = 0; c < e->ncpu; c++) {
			sum[k].packets += per_cpu[c].packets;
			sum[k].bytes += per_cpu[c].bytes;
		}
	}
}

/* The invariant: all counters together saw exactly the frames that were run. */
static void table_end(struct env *e)
{
	struct pc_count c[N_COUNTERS];
	unsigned long long packets = 0, bytes = 0;

	read_counters(e, c);
	for (int k = 0; k < N_COUNTERS; k++) {
		packets += c[k].packets;
		bytes += c[k].bytes;
	}
	EXPECT_EQ(packets, e->frames);
	EXPECT_EQ(bytes, e->bytes);
}

static void env_close(struct env *e)
{
	if (!e->skel)
		return;
	table_end(e);
	pc_judge_free(&e->judge);
	portcullis__destroy(e->skel);
	e->skel = NULL;
}

/* One row of a table: run the frame once; the action and exactly one counter (by one
 * packet and the frame's bytes) must be as expected. A failure names `line`: the
 * row's, or the CASE's. */
static void run_case(struct env *e, int line, const char *desc, const struct pkt *f, int action,
		     int counter)
{
	if (!e->skel)
		return;
	e->frames++;
	e->bytes += f->len;
	pc_expect_verdict(__FILE__, line, &e->judge, desc, f->data, f->len, counter, action);
}

#define CASE(e, desc, f, action, counter) run_case((e), __LINE__, (desc), (f), (action), (counter))

static const char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static const char *fmt(const char *f, ...)
{
	static char buf[160];
	va_list ap;

	va_start(ap, f);
	vsnprintf(buf, sizeof(buf), f, ap);
	va_end(ap);
	return buf;
}

/* --- Common frames ------------------------------------------------------------------ */
static void tcp4(struct pkt *f, const char *src, int sport, int dport, int flags)
{
	pkt_init(f);
	PKT_IPV4(f, .src = src);
	PKT_TCP(f, .sport = sport, .dport = dport, .flags = flags);
}

static void udp4(struct pkt *f, const char *src, int sport, int dport)
{
	pkt_init(f);
	PKT_IPV4(f, .src = src);
	PKT_UDP(f, .sport = sport, .dport = dport);
	pkt_payload(f, 12);
}

static void icmp4(struct pkt *f, const char *src, int type)
{
	pkt_init(f);
	PKT_IPV4(f, .src = src);
	pkt_icmp(f, type, 0);
	pkt_payload(f, 8);
}

static void tcp6(struct pkt *f, const char *src, int sport, int dport, int flags)
{
	pkt_init(f);
	PKT_IPV6(f, .src = src);
	PKT_TCP(f, .sport = sport, .dport = dport, .flags = flags);
}

static void udp6(struct pkt *f, const char *src, int sport, int dport)
{
	pkt_init(f);
	PKT_IPV6(f, .src = src);
	PKT_UDP(f, .sport = sport, .dport = dport);
	pkt_payload(f, 12);
}

static void icmp6(struct pkt *f, const char *src, int type, int hop_limit)
{
	pkt_init(f);
	PKT_IPV6(f, .src = src, .hop_limit = hop_limit);
	pkt_icmp6(f, type, 0);
	pkt_payload(f, 8);
}

#define INET "192.0.2.1"     /* class 0 */
#define INET6 "2001:4860::1" /* class 0, below a trie chunk */
#define LAN "10.1.2.3"	     /* class 1 */
#define PASS XDP_PASS
#define DROP XDP_DROP

/* --- Tables ------------------------------------------------------------------------- */
TEST(ethernet_and_vlan)
{
	static const uint16_t tpids[][2] = { { 0x8100, 0 },	 { 0x88a8, 0 },
					     { 0x88a8, 0x8100 }, { 0x8100, 0x8100 },
					     { 0x8100, 0x88a8 }, { 0x88a8, 0x88a8 } };
	struct settings s = { 0 };
	struct env e;
	struct pkt f;

	if (geteuid())
		SKIP("needs root");
	if (!env_open(&e, &s))
		return;

	pkt_init(&f);
	pkt_next(&f, 0x0806);
	pkt_payload(&f, 28);
	CASE(&e, "ARP", &f, PASS, PC_CNT_NON_IP);
	pkt_init(&f);
	pkt_next(&f, 0x0806);
	CASE(&e, "bare Ethernet header, ARP", &f, PASS, PC_CNT_NON_IP);
	pkt_init(&f);
	PKT_IPV4(&f);
	pkt_truncate(&f, 14);
	CASE(&e, "bare Ethernet header, IPv4", &f, DROP, PC_CNT_MALFORMED);

	tcp4(&f, INET, 40000, 25, PKT_SYN);
	CASE(&e, "untagged IPv4 SYN to 25", &f, PASS, RULE(0));
	for (size_t i = 0; i < sizeof(tpids) / sizeof(tpids[0]); i++) {
		char desc[64];

		snprintf(desc, sizeof(desc), "tags %#x %#x", tpids[i][0], tpids[i][1]);
		pkt_init(&f);
		for (int t = 0; t < 2 && tpids[i][t]; t++)
			pkt_vlan(&f, tpids[i][t], 10 + t);
		PKT_IPV4(&f, .src = INET);
		PKT_TCP(&f, .dport = 25, .flags = PKT_SYN);
		CASE(&e, desc, &f, PASS, RULE(0));

		/* The same tags before IPv6 and before ARP. */
		pkt_init(&f);
		for (int t = 0; t < 2 && tpids[i][t]; t++)
			pkt_vlan(&f, tpids[i][t], 10 + t);
		PKT_IPV6(&f, .src = INET6);
		PKT_TCP(&f, .dport = 25, .flags = PKT_SYN);
		CASE(&e, desc, &f, PASS, RULE(0));
		pkt_init(&f);
		for (int t = 0; t < 2 && tpids[i][t]; t++)
			pkt_vlan(&f, tpids[i][t], 10 + t);
		pkt_next(&f, 0x0806);
		pkt_payload(&f, 28);
		CASE(&e, desc, &f, PASS, PC_CNT_NON_IP);
	}

	/* More tags than the parser walks: malformed, never non-IP (which `non-ip
	 * pass` would let through), whatever the TPIDs and what they carry. */
	for (int tags = 3; tags <= 8; tags++) {
		pkt_init(&f);
		for (int t = 0; t < tags; t++)
			pkt_vlan(&f, t % 2 ? 0x8100 : 0x88a8, 1 + t);
		PKT_IPV4(&f, .src = INET);
		PKT_TCP(&f, .dport = 23, .flags = PKT_SYN);
		CASE(&e, fmt("%d tags, a SYN to a denied port", tags), &f, DROP, PC_CNT_MALFORMED);
	}
	pkt_init(&f);
	for (int t = 0; t < 3; t++)
		pkt_vlan(&f, 0x8100, 1 + t);
	pkt_next(&f, 0x0806);
	pkt_payload(&f, 28);
	CASE(&e, "three tags and ARP", &f, DROP, PC_CNT_MALFORMED);

	/* Cut inside the first or the second tag. */
	for (int tags = 1; tags <= 2; tags++) {
		pkt_init(&f);
		for (int t = 0; t < tags; t++)
			pkt_vlan(&f, 0x8100, 1);
		PKT_IPV4(&f, .src = INET);
		PKT_TCP(&f, .dport = 25, .flags = PKT_SYN);
		for (int n = 14 + 4 * (tags - 1); n < 14 + 4 * tags; n++) {
			struct pkt g = f;

			pkt_truncate(&g, n);
			CASE(&e, fmt("%d tags, cut at %d", tags, n), &g, DROP, PC_CNT_MALFORMED);
		}
	}
	table_end(&e);
	env_close(&e);
}

TEST(non_ip_drop)
{
	struct settings s = { .non_ip_drop = 1 };
	struct env e;
	struct pkt f;

	if (geteuid())
		SKIP("needs root");
	if (!env_open(&e, &s))
		return;
	pkt_init(&f);
	pkt_next(&f, 0x0806);
	pkt_payload(&f, 28);
	CASE(&e, "ARP", &f, DROP, PC_CNT_NON_IP);
	pkt_init(&f);
	pkt_vlan(&f, 0x8100, 1);
	pkt_next(&f, 0x88cc);
	pkt_payload(&f, 40);
	CASE(&e, "LLDP in a VLAN", &f, DROP, PC_CNT_NON_IP);
	pkt_init(&f);
	pkt_vlan(&f, 0x8100, 1);
	pkt_vlan(&f, 0x8100, 2);
	pkt_vlan(&f, 0x8100, 3);
	PKT_IPV4(&f, .src = INET);
	PKT_TCP(&f, .dport = 25, .flags = PKT_SYN);
	CASE(&e, "three tags", &f, DROP, PC_CNT_MALFORMED);
	tcp4(&f, INET, 40000, 25, PKT_SYN);
	CASE(&e, "IPv4 is not affected", &f, PASS, RULE(0));
	pkt_init(&f);
	pkt_vlan(&f, 0x8100, 1);
	pkt_truncate(&f, 16);
	CASE(&e, "cut in a tag is malformed, not non-ip", &f, DROP, PC_CNT_MALFORMED);
	env_close(&e);
}

TEST(ipv4_header)
{
	struct settings s = { 0 };
	struct env e;
	struct pkt f;

	if (geteuid())
		SKIP("needs root");
	if (!env_open(&e, &s))
		return;

	for (int ihl = 0; ihl < 5; ihl++) {
		pkt_init(&f);
		PKT_IPV4(&f, .src = INET, .ihl = ihl | PKT_ZERO);
		PKT_TCP(&f, .dport = 25, .flags = PKT_SYN);
		CASE(&e, fmt("IHL %d", ihl), &f, DROP, PC_CNT_MALFORMED);
	}
	pkt_init(&f);
	PKT_IPV4(&f, .src = INET, .opt_len = 4);
	PKT_TCP(&f, .dport = 25, .flags = PKT_SYN);
	CASE(&e, "IHL 6", &f, PASS, RULE(0));
	pkt_init(&f);
	PKT_IPV4(&f, .src = INET, .opt_len = 40);
	PKT_TCP(&f, .dport = 25, .flags = PKT_SYN);
	CASE(&e, "IHL 15", &f, PASS, RULE(0));
	pkt_init(&f);
	PKT_IPV4(&f, .src = INET, .ihl = 15);
	CASE(&e, "IHL 15 in a 20-byte packet", &f, DROP, PC_CNT_MALFORMED);
	pkt_init(&f);
	PKT_IPV4(&f, .src = INET, .ihl = 15);
	pkt_ip_len(&f, 60);
	CASE(&e, "IHL 15, options beyond the frame", &f, DROP, PC_CNT_MALFORMED);
	pkt_init(&f);
	PKT_IPV4(&f, .src = INET, .ihl = 6);
	PKT_TCP(&f, .dport = 25, .flags = PKT_SYN);
	CASE(&e, "IHL 6 without options: TCP 4 bytes short", &f, DROP, PC_CNT_MALFORMED);

	for (int v = 0; v < 16; v++) {
		if (v == 4)
			continue;
		pkt_init(&f);
		PKT_IPV4(&f, .src = INET, .version = v | PKT_ZERO);
		PKT_TCP(&f, .dport = 25, .flags = PKT_SYN);
		CASE(&e, fmt("version %d after EtherType IPv4", v), &f, DROP, PC_CNT_MALFORMED);
	}
	pkt_init(&f);
	PKT_IPV6(&f, .src = INET6, .version = 4);
	PKT_TCP(&f, .dport = 25, .flags = PKT_SYN);
	CASE(&e, "version 4 after EtherType IPv6", &f, DROP, PC_CNT_MALFORMED);

	tcp4(&f, INET, 40000, 25, PKT_SYN);
	pkt_ip_len(&f, 19);
	CASE(&e, "total length 19 < IHL*4", &f, DROP, PC_CNT_MALFORMED);
	tcp4(&f, INET, 40000, 25, PKT_SYN);
	pkt_ip_len(&f, 0);
	CASE(&e, "total length 0", &f, DROP, PC_CNT_MALFORMED);
	tcp4(&f, INET, 40000, 25, PKT_SYN);
	pkt_ip_len(&f, 41);
	CASE(&e, "total length one beyond the frame", &f, DROP, PC_CNT_MALFORMED);
	tcp4(&f, INET, 40000, 25, PKT_SYN);
	pkt_ip_len(&f, 65535);
	CASE(&e, "total length 65535", &f, DROP, PC_CNT_MALFORMED);
	tcp4(&f, INET, 40000, 25, PKT_SYN);
	pkt_pad(&f, 1);
	CASE(&e, "one byte of trailing padding", &f, PASS, RULE(0));
	tcp4(&f, INET, 40000, 25, PKT_SYN);
	pkt_pad(&f, 1000);
	CASE(&e, "1000 bytes of trailing padding", &f, PASS, RULE(0));
	tcp4(&f, INET, 40000, 25, PKT_SYN);
	pkt_ip_len(&f, 20);
	CASE(&e, "TCP header in the padding", &f, DROP, PC_CNT_MALFORMED);

	/* TCP data offset */
	for (int doff = 0; doff < 5; doff++) {
		pkt_init(&f);
		PKT_IPV4(&f, .src = INET);
		PKT_TCP(&f, .dport = 25, .flags = PKT_SYN, .doff = doff | PKT_ZERO);
		pkt_payload(&f, 40);
		CASE(&e, fmt("TCP data offset %d", doff), &f, DROP, PC_CNT_MALFORMED);
	}
	pkt_init(&f);
	PKT_IPV4(&f, .src = INET);
	PKT_TCP(&f, .dport = 25, .flags = PKT_SYN, .opt_len = 40);
	CASE(&e, "TCP data offset 15", &f, PASS, RULE(0));
	pkt_init(&f);
	PKT_IPV4(&f, .src = INET);
	PKT_TCP(&f, .dport = 25, .flags = PKT_SYN, .doff = 6);
	CASE(&e, "TCP data offset 6 beyond the packet", &f, DROP, PC_CNT_MALFORMED);
	pkt_init(&f);
	PKT_IPV4(&f, .src = INET);
	PKT_TCP(&f, .dport = 25, .flags = PKT_SYN, .doff = 6);
	pkt_pad(&f, 4);
	CASE(&e, "TCP options in the Ethernet padding", &f, DROP, PC_CNT_MALFORMED);
	pkt_init(&f);
	PKT_IPV4(&f, .src = INET);
	PKT_TCP(&f, .dport = 25, .flags = PKT_SYN, .doff = 6);
	pkt_payload(&f, 4);
	CASE(&e, "TCP data offset 6, 4 bytes follow", &f, PASS, RULE(0));

	/* UDP length */
	for (int len = 0; len < 8; len++) {
		udp4(&f, "192.168.1.5", 40000, 53);
		pkt_udp_len(&f, len);
		CASE(&e, fmt("UDP length %d", len), &f, DROP, PC_CNT_MALFORMED);
	}
	udp4(&f, "192.168.1.5", 40000, 53);
	CASE(&e, "UDP length = payload", &f, PASS, RULE(10));
	udp4(&f, "192.168.1.5", 40000, 53);
	pkt_udp_len(&f, 8);
	CASE(&e, "UDP length 8 < IP payload", &f, PASS, RULE(10));
	udp4(&f, "192.168.1.5", 40000, 53);
	pkt_udp_len(&f, 21);
	CASE(&e, "UDP length one beyond the packet", &f, DROP, PC_CNT_MALFORMED);
	udp4(&f, "192.168.1.5", 40000, 53);
	pkt_udp_len(&f, 21);
	pkt_pad(&f, 10);
	CASE(&e, "UDP length into the Ethernet padding", &f, DROP, PC_CNT_MALFORMED);

	/* Protocols without a table */
	pkt_init(&f);
	PKT_IPV4(&f, .src = INET);
	pkt_next(&f, 47);
	pkt_payload(&f, 24);
	CASE(&e, "GRE", &f, DROP, PC_CNT_NO_MATCH);
	pkt_init(&f);
	PKT_IPV4(&f, .src = INET);
	pkt_icmp6(&f, 128, 0);
	CASE(&e, "protocol 58 in IPv4 (ICMPv6 echo request)", &f, DROP, PC_CNT_NO_MATCH);
	pkt_init(&f);
	PKT_IPV4(&f, .src = INET);
	pkt_next(&f, 58);
	pkt_payload(&f, 2);
	CASE(&e, "protocol 58 in IPv4, 2 bytes: not parsed", &f, DROP, PC_CNT_NO_MATCH);
	pkt_init(&f);
	PKT_IPV4(&f, .src = INET);
	pkt_next(&f, 6);
	CASE(&e, "TCP without a header", &f, DROP, PC_CNT_MALFORMED);
	table_end(&e);
	env_close(&e);
}

/* A frame and where its layers are, for cutting it. */
struct base_frame {
	const char *desc;
	struct pkt f;
	int l3, l4, l4_end; /* offsets */
	int family, action, counter;
	int line; /* where it is made: its failures name it */
};

static void make_bases(struct base_frame *b, int *n)
{
	struct base_frame *x;

	*n = 0;
#define NEW(d, fam, act, cnt)                                                                      \
	(x = &b[(*n)++], x->desc = (d), x->family = (fam), x->action = (act), x->counter = (cnt),  \
	 x->line = __LINE__, pkt_init(&x->f))
#define L3() (x->l3 = x->f.len)
#define L4() (x->l4 = x->f.len)
#define L4_END() (x->l4_end = x->f.len)

	NEW("TCP/IPv4", 4, PASS, RULE(0));
	L3(), PKT_IPV4(&x->f, .src = INET, .opt_len = 8);
	L4(), PKT_TCP(&x->f, .dport = 25, .flags = PKT_SYN, .opt_len = 12);
	L4_END(), pkt_payload(&x->f, 10);

	NEW("UDP/IPv4", 4, PASS, RULE(10));
	L3(), PKT_IPV4(&x->f, .src = "192.168.1.5");
	L4(), PKT_UDP(&x->f, .dport = 53);
	L4_END(), pkt_payload(&x->f, 12);

	NEW("ICMP/IPv4", 4, PASS, RULE(6));
	L3(), PKT_IPV4(&x->f, .src = INET);
	L4(), pkt_icmp(&x->f, 0, 0);
	L4_END(), pkt_payload(&x->f, 8);

	NEW("TCP/IPv4/QinQ", 4, PASS, RULE(1));
	pkt_vlan(&x->f, 0x88a8, 5);
	pkt_vlan(&x->f, 0x8100, 6);
	L3(), PKT_IPV4(&x->f, .src = LAN);
	L4(), PKT_TCP(&x->f, .dport = 22, .flags = PKT_SYN);
	L4_END(), pkt_payload(&x->f, 3);

	NEW("TCP/IPv6", 6, PASS, RULE(0));
	L3(), PKT_IPV6(&x->f, .src = INET6);
	L4(), PKT_TCP(&x->f, .dport = 25, .flags = PKT_SYN);
	L4_END(), pkt_payload(&x->f, 10);

	NEW("UDP/IPv6", 6, PASS, RULE(10));
	L3(), PKT_IPV6(&x->f, .src = "2001:db8:1:2:3:4:5:6");
	L4(), PKT_UDP(&x->f, .dport = 53);
	L4_END(), pkt_payload(&x->f, 12);

	NEW("ICMPv6/IPv6/VLAN", 6, PASS, RULE(5));
	pkt_vlan(&x->f, 0x8100, 5);
	L3(), PKT_IPV6(&x->f, .src = INET6);
	L4(), pkt_icmp6(&x->f, 128, 0);
	L4_END(), pkt_payload(&x->f, 8);

	NEW("TCP/IPv6 after hbh, dstopts, routing, AH, fragment, dstopts", 6, PASS, RULE(9));
	L3(), PKT_IPV6(&x->f, .src = "2001:db8::99");
	pkt_ext6(&x->f, 0, 8);
	pkt_ext6(&x->f, 60, 16);
	pkt_ext6(&x->f, 43, 24);
	pkt_ah(&x->f, 4);
	pkt_frag6(&x->f, 0, false, 7);
	pkt_ext6(&x->f, 60, 8);
	L4(), PKT_TCP(&x->f, .dport = 22, .flags = PKT_SYN);
	L4_END(), pkt_payload(&x->f, 1);
#undef NEW
#undef L3
#undef L4
#undef L4_END
}

TEST(truncation)
{
	static struct base_frame b[16];
	struct settings s = { 0 };
	struct env e;
	int n;

	if (geteuid())
		SKIP("needs root");
	if (!env_open(&e, &s))
		return;
	make_bases(b, &n);
	for (int i = 0; i < n; i++) {
		struct base_frame *x = &b[i];

		run_case(&e, x->line, x->desc, &x->f, x->action, x->counter);
		/* Cut anywhere: the IP length then claims bytes that are
		 * missing. */
		for (size_t len = 14; len < x->f.len; len++) {
			static struct pkt g;

			g = x->f;
			pkt_truncate(&g, len);
			run_case(&e, x->line, fmt("%s cut at %zu", x->desc, len), &g, DROP,
				 PC_CNT_MALFORMED);
		}
		/* An IP packet that itself ends inside a header (IPv6:
		 * from the end of the fixed header), with the lengths
		 * consistent: the frame ends there too, or padding
		 * follows. */
		for (int len = x->l3 + (x->family == 6 ? 40 : 0); len < x->l4_end; len++) {
			static struct pkt g;
			int ip_len = len - x->l3 - (x->family == 6 ? 40 : 0);

			g = x->f;
			pkt_ip_len(&g, ip_len);
			run_case(&e, x->line,
				 fmt("%s, IP packet of %d bytes, padded", x->desc, len - x->l3), &g,
				 DROP, PC_CNT_MALFORMED);
			pkt_truncate(&g, len);
			run_case(&e, x->line,
				 fmt("%s, IP packet of %d bytes", x->desc, len - x->l3), &g, DROP,
				 PC_CNT_MALFORMED);
		}
	}
	table_end(&e);
	env_close(&e);
}

TEST(ipv6_extension_headers)
{
	static const struct {
		const char *desc;
		int type, len;
	} one[] = {
		{ "hop-by-hop", 0, 8 },		 { "hop-by-hop of 16", 0, 16 },
		{ "routing", 43, 24 },		 { "destination options", 60, 8 },
		{ "dstopts of 2048", 60, 2048 },
	};
	struct settings s = { 0 };
	struct env e;
	struct pkt f;
	int off;

	if (geteuid())
		SKIP("needs root");
	if (!env_open(&e, &s))
		return;

	for (size_t i = 0; i < sizeof(one) / sizeof(one[0]); i++) {
		pkt_init(&f);
		PKT_IPV6(&f, .src = INET6);
		pkt_ext6(&f, one[i].type, one[i].len);
		PKT_TCP(&f, .dport = 25, .flags = PKT_SYN);
		CASE(&e, one[i].desc, &f, PASS, RULE(0));
	}
	pkt_init(&f);
	PKT_IPV6(&f, .src = INET6);
	pkt_frag6(&f, 0, false, 1);
	PKT_TCP(&f, .dport = 25, .flags = PKT_SYN);
	CASE(&e, "atomic fragment", &f, PASS, RULE(0));
	for (int len = 0; len <= 8; len++) {
		pkt_init(&f);
		PKT_IPV6(&f, .src = INET6);
		pkt_ah(&f, len);
		PKT_TCP(&f, .dport = 25, .flags = PKT_SYN);
		CASE(&e, fmt("AH length %d", len), &f, len & 1 ? DROP : PASS,
		     len & 1 ? PC_CNT_MALFORMED : RULE(0));
	}
	pkt_init(&f);
	PKT_IPV6(&f, .src = INET6);
	pkt_ext6(&f, 0, 8);
	pkt_ext6(&f, 60, 8);
	pkt_ext6(&f, 43, 8);
	pkt_ah(&f, 2);
	pkt_frag6(&f, 0, false, 1);
	pkt_ext6(&f, 60, 8);
	PKT_TCP(&f, .dport = 25, .flags = PKT_SYN);
	CASE(&e, "six extension headers", &f, PASS, RULE(0));
	pkt_init(&f);
	PKT_IPV6(&f, .src = INET6);
	pkt_ext6(&f, 0, 8);
	pkt_ext6(&f, 60, 8);
	pkt_ext6(&f, 43, 8);
	pkt_ah(&f, 2);
	pkt_frag6(&f, 0, false, 1);
	pkt_ext6(&f, 60, 8);
	pkt_ext6(&f, 60, 8);
	PKT_TCP(&f, .dport = 25, .flags = PKT_SYN);
	CASE(&e, "seven extension headers", &f, DROP, PC_CNT_MALFORMED);
	pkt_init(&f);
	PKT_IPV6(&f, .src = INET6);
	for (int i = 0; i < 6; i++)
		pkt_ext6(&f, 60, 8);
	pkt_next(&f, 59);
	CASE(&e, "six dstopts then no-next-header", &f, DROP, PC_CNT_NO_MATCH);
	pkt_init(&f);
	PKT_IPV6(&f, .src = INET6);
	for (int i = 0; i < 7; i++)
		pkt_ext6(&f, 60, 8);
	pkt_next(&f, 59);
	CASE(&e, "seven dstopts then no-next-header", &f, DROP, PC_CNT_MALFORMED);
	pkt_init(&f);
	PKT_IPV6(&f, .src = INET6);
	pkt_frag6(&f, 0, false, 1);
	pkt_frag6(&f, 0, false, 1);
	PKT_TCP(&f, .dport = 25, .flags = PKT_SYN);
	CASE(&e, "two fragment headers", &f, DROP, PC_CNT_MALFORMED);
	pkt_init(&f);
	PKT_IPV6(&f, .src = INET6);
	pkt_frag6(&f, 0, true, 1);
	pkt_frag6(&f, 5, false, 1);
	pkt_payload(&f, 8);
	CASE(&e, "first fragment header, then a non-first one", &f, DROP, PC_CNT_MALFORMED);

	pkt_init(&f);
	PKT_IPV6(&f, .src = INET6);
	off = f.len;
	pkt_ext6(&f, 0, 8);
	PKT_TCP(&f, .dport = 25, .flags = PKT_SYN);
	f.data[off + 1] = 255;
	CASE(&e, "hop-by-hop claims 2048 bytes", &f, DROP, PC_CNT_MALFORMED);
	pkt_init(&f);
	PKT_IPV6(&f, .src = INET6);
	off = f.len;
	pkt_ext6(&f, 0, 8);
	PKT_TCP(&f, .dport = 25, .flags = PKT_SYN);
	f.data[off + 1] = 3; /* 32 bytes, 28 in the packet */
	CASE(&e, "hop-by-hop 4 bytes beyond the packet", &f, DROP, PC_CNT_MALFORMED);
	pkt_init(&f);
	PKT_IPV6(&f, .src = INET6);
	off = f.len;
	pkt_ext6(&f, 0, 8);
	pkt_next(&f, 59);
	pkt_payload(&f, 8);
	f.data[off + 1] = 2; /* 24 bytes, 16 in the packet */
	CASE(&e, "hop-by-hop beyond the packet, then no-next-header", &f, DROP, PC_CNT_MALFORMED);
	pkt_init(&f);
	PKT_IPV6(&f, .src = INET6);
	pkt_frag6(&f, 5, false, 1);
	pkt_ip_len(&f, 4);
	pkt_pad(&f, 4);
	CASE(&e, "non-first fragment header half in the padding", &f, DROP, PC_CNT_MALFORMED);
	pkt_init(&f);
	PKT_IPV6(&f, .src = INET6);
	pkt_ext6(&f, 0, 8);
	pkt_ip_len(&f, 0);
	CASE(&e, "hop-by-hop in the Ethernet padding", &f, DROP, PC_CNT_MALFORMED);
	pkt_init(&f);
	PKT_IPV6(&f, .src = INET6);
	pkt_ext6(&f, 0, 8);
	PKT_TCP(&f, .dport = 25, .flags = PKT_SYN);
	pkt_ip_len(&f, 100);
	CASE(&e, "payload length beyond the frame", &f, DROP, PC_CNT_MALFORMED);

	pkt_init(&f);
	PKT_IPV6(&f, .src = INET6);
	pkt_next(&f, 50);
	pkt_payload(&f, 40);
	CASE(&e, "ESP", &f, DROP, PC_CNT_NO_MATCH);
	pkt_init(&f);
	PKT_IPV6(&f, .src = INET6);
	pkt_ext6(&f, 0, 8);
	pkt_next(&f, 50);
	pkt_payload(&f, 40);
	CASE(&e, "hop-by-hop, ESP", &f, DROP, PC_CNT_NO_MATCH);
	pkt_init(&f);
	PKT_IPV6(&f, .src = INET6);
	pkt_next(&f, 59);
	CASE(&e, "no next header", &f, DROP, PC_CNT_NO_MATCH);
	pkt_init(&f);
	PKT_IPV6(&f, .src = INET6);
	pkt_next(&f, 132);
	pkt_payload(&f, 12);
	CASE(&e, "SCTP", &f, DROP, PC_CNT_NO_MATCH);
	pkt_init(&f);
	PKT_IPV6(&f, .src = INET6);
	pkt_icmp(&f, 8, 0);
	CASE(&e, "protocol 1 in IPv6 (ICMP echo request)", &f, DROP, PC_CNT_NO_MATCH);
	pkt_init(&f);
	PKT_IPV6(&f, .src = INET6);
	pkt_ext6(&f, 60, 8);
	pkt_icmp6(&f, 128, 0);
	CASE(&e, "dstopts, ICMPv6 echo request", &f, PASS, RULE(5));
	pkt_init(&f);
	PKT_IPV6(&f, .src = INET6);
	pkt_icmp6(&f, 128, 0);
	pkt_ip_len(&f, 4);
	CASE(&e, "ICMPv6 header of 4 bytes", &f, DROP, PC_CNT_MALFORMED);
	table_end(&e);
	env_close(&e);
}

TEST(ndp)
{
	struct settings s = { 0 };
	struct env e;
	struct pkt f;

	if (geteuid())
		SKIP("needs root");
	if (!env_open(&e, &s))
		return;
	for (int type = 133; type <= 137; type++) {
		icmp6(&f, "fe80::1", type, 255);
		CASE(&e, fmt("NDP type %d", type), &f, PASS, PC_CNT_NDP);
		icmp6(&f, "fe80::1", type, 254);
		CASE(&e, fmt("type %d, hop limit 254", type), &f, DROP, PC_CNT_NO_MATCH);
	}
	icmp6(&f, "fe80::1", 132, 255);
	CASE(&e, "type 132, hop limit 255", &f, DROP, PC_CNT_NO_MATCH);
	icmp6(&f, "fe80::1", 138, 255);
	CASE(&e, "type 138, hop limit 255", &f, DROP, PC_CNT_NO_MATCH);
	pkt_init(&f);
	PKT_IPV6(&f, .src = "fe80::1", .hop_limit = 255);
	pkt_ext6(&f, 0, 8);
	pkt_icmp6(&f, 135, 0);
	pkt_payload(&f, 16);
	CASE(&e, "NDP after hop-by-hop", &f, PASS, PC_CNT_NDP);
	pkt_init(&f);
	PKT_IPV6(&f, .src = "fe80::1", .hop_limit = 255);
	pkt_frag6(&f, 0, false, 9);
	pkt_icmp6(&f, 135, 0);
	pkt_payload(&f, 16);
	CASE(&e, "NDP type in an atomic fragment", &f, DROP, PC_CNT_NO_MATCH);
	pkt_init(&f);
	PKT_IPV6(&f, .src = "fe80::1", .hop_limit = 255);
	pkt_frag6(&f, 0, true, 9);
	pkt_icmp6(&f, 135, 0);
	pkt_payload(&f, 16);
	CASE(&e, "NDP type in a first fragment", &f, DROP, PC_CNT_NO_MATCH);
	icmp6(&f, "fe80::1", 135, 255);
	pkt_ip_len(&f, 4);
	CASE(&e, "NDP with a 4-byte ICMPv6 header", &f, DROP, PC_CNT_MALFORMED);
	icmp4(&f, INET, 135);
	CASE(&e, "ICMPv4 type 135", &f, DROP, PC_CNT_NO_MATCH);
	table_end(&e);
	env_close(&e);
}

TEST(classify)
{
	static const struct {
		const char *src;
		bool udp;
		int port, action, counter;
	} rows[] = {
		{ "10.1.2.3", false, 22, PASS, RULE(1) },
		{ "10.255.255.255", false, 22, PASS, RULE(1) },
		{ "10.0.0.0", false, 25, DROP, PC_CNT_NO_MATCH },
		{ "11.0.0.1", false, 22, DROP, PC_CNT_NO_MATCH },
		{ "9.255.255.255", false, 25, PASS, RULE(0) },
		{ "192.168.1.5", true, 53, PASS, RULE(10) },
		{ "192.168.1.255", true, 53, PASS, RULE(10) },
		{ "192.168.2.7", true, 53, PASS, RULE(10) },
		{ "192.168.2.7", false, 25, DROP, PC_CNT_NO_MATCH },
		{ "192.168.2.8", true, 53, DROP, PC_CNT_NO_MATCH },
		{ "192.168.2.8", false, 25, PASS, RULE(0) },
		{ "192.168.0.1", false, 25, PASS, RULE(0) },
		{ "2001:db8::5", false, 22, PASS, RULE(9) },
		{ "2001:db8:ffff::5", false, 22, PASS, RULE(9) },
		{ "2001:db8:1:2:3:4:5:6", true, 53, PASS, RULE(10) },
		{ "2001:db8:1:2:3:4:5:6", false, 22, DROP, PC_CNT_NO_MATCH },
		{ "2001:db8:1:2:3:4:5:7", true, 53, DROP, PC_CNT_NO_MATCH },
		{ "2001:db8:1:2:3:4:5:7", false, 22, PASS, RULE(9) },
		{ "2001:db8:1:2:3:4:6:6", false, 22, PASS, RULE(9) },
		{ "2001:db9::1", false, 25, PASS, RULE(0) },
		{ "2001:4860::1", false, 22, DROP, PC_CNT_NO_MATCH },
		{ "::ffff:10.1.2.3", false, 22, DROP, PC_CNT_NO_MATCH },
		{ "::ffff:10.1.2.3", false, 25, PASS, RULE(0) },
		{ "0a01:0203::", false, 25, PASS, RULE(0) },
	};
	struct settings s = { 0 };
	struct env e;
	struct pkt f;

	if (geteuid())
		SKIP("needs root");
	if (!env_open(&e, &s))
		return;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		bool v6 = strchr(rows[i].src, ':');

		pkt_init(&f);
		if (v6)
			PKT_IPV6(&f, .src = rows[i].src);
		else
			PKT_IPV4(&f, .src = rows[i].src);
		if (rows[i].udp)
			PKT_UDP(&f, .dport = rows[i].port);
		else
			PKT_TCP(&f, .dport = rows[i].port, .flags = PKT_SYN);
		CASE(&e,
		     fmt("from %s to %s %d", rows[i].src, rows[i].udp ? "udp" : "tcp",
			 rows[i].port),
		     &f, rows[i].action, rows[i].counter);
	}
	/* Only the source counts. */
	pkt_init(&f);
	PKT_IPV4(&f, .src = INET, .dst = "10.0.0.1");
	PKT_TCP(&f, .dport = 22, .flags = PKT_SYN);
	CASE(&e, "to the LAN, from the internet, port 22", &f, DROP, PC_CNT_NO_MATCH);
	pkt_init(&f);
	PKT_IPV4(&f, .src = LAN, .dst = "8.8.8.8");
	PKT_TCP(&f, .dport = 22, .flags = PKT_SYN);
	CASE(&e, "from the LAN to anywhere, port 22", &f, PASS, RULE(1));
	table_end(&e);
	env_close(&e);
}

/* Rows shared by the static-reply tables: TCP/UDP from INET or ICMP echo replies. */
struct reply_row {
	const char *desc;
	int proto; /* 6, 17, 1, 58 */
	int sport, dport, flags;
	int action, counter;	   /* state off, default range */
	int action_on, counter_on; /* state on (no static replies) */
	int line;		   /* where the row is written: its failures name it */
};

/* A row of a table, with its line. */
#define ROW(...)                                                                                   \
	{                                                                                          \
		__VA_ARGS__, .line = __LINE__                                                      \
	}

static const struct reply_row reply_rows[] = {
	ROW("SYN to 25", 6, 40000, 25, PKT_SYN, PASS, RULE(0), PASS, RULE(0)),
	ROW("ACK from 443 to 40000: out rule before in rule", 6, 443, 40000, PKT_ACK, PASS, RULE(4),
	    DROP, RULE(7)),
	ROW("SYN from 443 to 40000: no ACK", 6, 443, 40000, PKT_SYN, DROP, RULE(7), DROP, RULE(7)),
	ROW("SYN-ACK from 443 to 60000", 6, 443, 60000, PKT_SYN | PKT_ACK, PASS, RULE(4), DROP,
	    PC_CNT_NO_MATCH),
	ROW("SYN from 443 to 60000", 6, 443, 60000, PKT_SYN, DROP, PC_CNT_NO_MATCH, DROP,
	    PC_CNT_NO_MATCH),
	ROW("ACK from 443 to 1023", 6, 443, 1023, PKT_ACK, DROP, PC_CNT_NO_MATCH, DROP,
	    PC_CNT_NO_MATCH),
	ROW("ACK from 443 to 1024", 6, 443, 1024, PKT_ACK, PASS, RULE(4), DROP, PC_CNT_NO_MATCH),
	ROW("ACK from 443 to 65535", 6, 443, 65535, PKT_ACK, PASS, RULE(4), DROP, PC_CNT_NO_MATCH),
	ROW("ACK from 80 to 40000: in rule before out rule", 6, 80, 40000, PKT_ACK, DROP, RULE(7),
	    DROP, RULE(7)),
	ROW("ACK from 80 to 60000: drop out rule", 6, 80, 60000, PKT_ACK, DROP, RULE(8), DROP,
	    PC_CNT_NO_MATCH),
	ROW("ACK from 53 to 60000: udp rule", 6, 53, 60000, PKT_ACK, DROP, PC_CNT_NO_MATCH, DROP,
	    PC_CNT_NO_MATCH),
	ROW("UDP from 53 to 40000", 17, 53, 40000, 0, PASS, RULE(3), DROP, PC_CNT_NO_MATCH),
	ROW("UDP from 53 to 1023", 17, 53, 1023, 0, DROP, PC_CNT_NO_MATCH, DROP, PC_CNT_NO_MATCH),
	ROW("UDP from 53 to 53", 17, 53, 53, 0, DROP, PC_CNT_NO_MATCH, DROP, PC_CNT_NO_MATCH),
	ROW("UDP from 443 to 40000: tcp rule", 17, 443, 40000, 0, DROP, PC_CNT_NO_MATCH, DROP,
	    PC_CNT_NO_MATCH),
	ROW("ICMP echo request", 1, 8, 8, 0, DROP, RULE(2), DROP, RULE(2)),
	ROW("ICMP echo reply", 1, 0, 0, 0, PASS, RULE(6), DROP, PC_CNT_NO_MATCH),
	ROW("ICMP unreachable", 1, 3, 3, 0, DROP, PC_CNT_NO_MATCH, DROP, PC_CNT_NO_MATCH),
	ROW("ICMPv6 echo request", 58, 128, 128, 0, PASS, RULE(5), PASS, RULE(5)),
	ROW("ICMPv6 echo reply", 58, 129, 129, 0, PASS, RULE(6), DROP, PC_CNT_NO_MATCH),
	ROW("ICMPv6 packet too big", 58, 2, 2, 0, DROP, PC_CNT_NO_MATCH, DROP, PC_CNT_NO_MATCH),
};

static void reply_frame(struct pkt *f, const struct reply_row *r, bool v6)
{
	switch (r->proto) {
	case 6:
		if (v6)
			tcp6(f, INET6, r->sport, r->dport, r->flags);
		else
			tcp4(f, INET, r->sport, r->dport, r->flags);
		break;
	case 17:
		if (v6)
			udp6(f, INET6, r->sport, r->dport);
		else
			udp4(f, INET, r->sport, r->dport);
		break;
	case 1:
		icmp4(f, INET, r->sport);
		break;
	default:
		icmp6(f, INET6, r->sport, 64);
	}
}

static void reply_table(bool state_on)
{
	struct settings s = { .state = state_on };
	struct env e;
	struct pkt f;

	if (geteuid())
		SKIP("needs root");
	if (!env_open(&e, &s))
		return;
	for (size_t i = 0; i < sizeof(reply_rows) / sizeof(reply_rows[0]); i++) {
		const struct reply_row *r = &reply_rows[i];

		for (int v6 = 0; v6 < 2; v6++) {
			if ((r->proto == 1 && v6) || (r->proto == 58 && !v6))
				continue;
			reply_frame(&f, r, v6);
			run_case(&e, r->line, fmt("%s%s", r->desc, v6 ? " (IPv6)" : ""), &f,
				 state_on ? r->action_on : r->action,
				 state_on ? r->counter_on : r->counter);
		}
	}
	table_end(&e);
	env_close(&e);
}

TEST(static_replies)
{
	reply_table(false);
}

TEST(state_on_reads_no_out_rules)
{
	reply_table(true);
}

TEST(ephemeral_range)
{
	struct settings s = { .eph_lo = 40000, .eph_hi = 40010 };
	struct env e;
	struct pkt f;

	if (geteuid())
		SKIP("needs root");
	if (!env_open(&e, &s))
		return;
	tcp4(&f, INET, 443, 40010, PKT_ACK);
	CASE(&e, "ACK from 443 to 40010", &f, PASS, RULE(4));
	tcp4(&f, INET, 443, 40011, PKT_ACK);
	CASE(&e, "ACK from 443 to 40011", &f, DROP, RULE(7));
	tcp4(&f, INET, 443, 60000, PKT_ACK);
	CASE(&e, "ACK from 443 to 60000", &f, DROP, PC_CNT_NO_MATCH);
	udp4(&f, INET, 53, 39999);
	CASE(&e, "UDP from 53 to 39999", &f, DROP, PC_CNT_NO_MATCH);
	udp4(&f, INET, 53, 40000);
	CASE(&e, "UDP from 53 to 40000", &f, PASS, RULE(3));
	table_end(&e);
	env_close(&e);
}

TEST(default_pass)
{
	struct settings s = { .default_pass = 1 };
	struct env e;
	struct pkt f;

	if (geteuid())
		SKIP("needs root");
	if (!env_open(&e, &s))
		return;
	tcp4(&f, INET, 40000, 26, PKT_SYN);
	CASE(&e, "SYN to 26", &f, PASS, PC_CNT_NO_MATCH);
	tcp4(&f, INET, 40000, 30000, PKT_SYN);
	CASE(&e, "drop rule still drops", &f, DROP, RULE(7));
	pkt_init(&f);
	PKT_IPV6(&f, .src = INET6);
	pkt_icmp(&f, 8, 0);
	CASE(&e, "protocol 1 in IPv6", &f, PASS, PC_CNT_NO_MATCH);
	pkt_init(&f);
	PKT_IPV6(&f, .src = INET6);
	pkt_next(&f, 50);
	pkt_payload(&f, 40);
	CASE(&e, "ESP", &f, PASS, PC_CNT_NO_MATCH);
	tcp4(&f, INET, 40000, 25, PKT_SYN);
	pkt_ip_len(&f, 19);
	CASE(&e, "malformed still drops", &f, DROP, PC_CNT_MALFORMED);

	/* A first fragment passed by default: the rest counts as no-match. */
	pkt_init(&f);
	PKT_IPV4(&f, .src = INET, .id = 77, .mf = true);
	PKT_TCP(&f, .dport = 26, .flags = PKT_SYN);
	CASE(&e, "first fragment, no rule", &f, PASS, PC_CNT_NO_MATCH);
	pkt_init(&f);
	PKT_IPV4(&f, .src = INET, .id = 77, .frag = 3);
	pkt_next(&f, 6);
	pkt_payload(&f, 30);
	CASE(&e, "its second fragment", &f, PASS, PC_CNT_NO_MATCH);
	table_end(&e);
	env_close(&e);
}

/* --- Fragments ---------------------------------------------------------------------- */
static void frag4(struct pkt *f, const char *src, int proto, int id, int off, bool mf)
{
	pkt_init(f);
	PKT_IPV4(f, .src = src, .id = id, .frag = off, .mf = mf);
	pkt_next(f, proto);
	pkt_payload(f, 24);
}

static void frag6(struct pkt *f, const char *src, int proto, uint32_t id, int off, bool m)
{
	pkt_init(f);
	PKT_IPV6(f, .src = src);
	pkt_frag6(f, off, m, id);
	pkt_next(f, proto);
	pkt_payload(f, 24);
}

static int frag_entries(struct env *e)
{
	struct pc_frag_key k, next;
	int n = 0;

	for (void *prev = NULL; !bpf_map_get_next_key(e->frags_fd, prev, &next); prev = &k) {
		k = next;
		n++;
	}
	return n;
}

/* Make every tracked datagram `age_s` seconds old (bpf_ktime_get_ns() is
 * CLOCK_MONOTONIC). */
static void age_frag_entries(struct env *e, int age_s)
{
	struct pc_frag_key k, next;
	struct pc_frag_val v;
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	for (void *prev = NULL; !bpf_map_get_next_key(e->frags_fd, prev, &next); prev = &k) {
		k = next;
		if (bpf_map_lookup_elem(e->frags_fd, &k, &v))
			continue;
		v.created_ns = ts.tv_sec * 1000000000ULL + ts.tv_nsec - age_s * 1000000000ULL;
		bpf_map_update_elem(e->frags_fd, &k, &v, BPF_EXIST);
	}
}

TEST(fragments_track)
{
	struct settings s = { 0 };
	struct env e;
	struct pkt f;

	if (geteuid())
		SKIP("needs root");
	if (!env_open(&e, &s))
		return;

	frag4(&f, INET, 6, 100, 3, true);
	CASE(&e, "IPv4 non-first fragment, nothing tracked", &f, DROP, PC_CNT_FRAGMENT);
	pkt_init(&f);
	PKT_IPV4(&f, .src = INET, .id = 100, .mf = true);
	PKT_TCP(&f, .dport = 25, .flags = PKT_SYN);
	pkt_payload(&f, 16);
	CASE(&e, "IPv4 first fragment to 25", &f, PASS, RULE(0));
	EXPECT_EQ(frag_entries(&e), 1);
	frag4(&f, INET, 6, 100, 3, true);
	CASE(&e, "its second fragment", &f, PASS, RULE(0));
	frag4(&f, INET, 6, 100, 6, false);
	CASE(&e, "its last fragment", &f, PASS, RULE(0));
	frag4(&f, INET, 6, 101, 6, false);
	CASE(&e, "another ID", &f, DROP, PC_CNT_FRAGMENT);
	frag4(&f, INET, 17, 100, 6, false);
	CASE(&e, "another protocol", &f, DROP, PC_CNT_FRAGMENT);
	frag4(&f, "192.0.2.2", 6, 100, 6, false);
	CASE(&e, "another source", &f, DROP, PC_CNT_FRAGMENT);
	pkt_init(&f);
	PKT_IPV4(&f, .src = INET, .dst = "198.51.100.2", .id = 100, .frag = 6);
	pkt_next(&f, 6);
	pkt_payload(&f, 8);
	CASE(&e, "another destination", &f, DROP, PC_CNT_FRAGMENT);
	frag4(&f, INET, 6, 100, 6, false);
	pkt_ip_len(&f, 100);
	CASE(&e, "a tracked fragment with a bad length", &f, DROP, PC_CNT_MALFORMED);

	pkt_init(&f);
	PKT_IPV4(&f, .src = INET, .id = 100, .mf = true);
	PKT_TCP(&f, .sport = 443, .dport = 40000, .flags = PKT_ACK);
	CASE(&e, "a new first fragment, same key, another rule", &f, PASS, RULE(4));
	frag4(&f, INET, 6, 100, 6, false);
	CASE(&e, "follows the new rule", &f, PASS, RULE(4));
	pkt_init(&f);
	PKT_IPV4(&f, .src = INET, .id = 100, .mf = true);
	PKT_TCP(&f, .dport = 26, .flags = PKT_SYN);
	CASE(&e, "a dropped first fragment, same key", &f, DROP, PC_CNT_NO_MATCH);
	EXPECT_EQ(frag_entries(&e), 0);
	frag4(&f, INET, 6, 100, 6, false);
	CASE(&e, "no longer admitted", &f, DROP, PC_CNT_FRAGMENT);

	/* First fragments: UDP length is the datagram's; short L4 headers. */
	pkt_init(&f);
	PKT_IPV4(&f, .src = "192.168.1.5", .id = 200, .mf = true);
	PKT_UDP(&f, .dport = 53);
	pkt_payload(&f, 16);
	pkt_udp_len(&f, 3000);
	CASE(&e, "UDP first fragment, length of the datagram", &f, PASS, RULE(10));
	frag4(&f, "192.168.1.5", 17, 200, 3, false);
	CASE(&e, "its second fragment", &f, PASS, RULE(10));
	pkt_init(&f);
	PKT_IPV4(&f, .src = "192.168.1.5", .id = 201, .mf = true);
	PKT_UDP(&f, .dport = 53);
	pkt_udp_len(&f, 7);
	CASE(&e, "UDP first fragment, length 7", &f, DROP, PC_CNT_MALFORMED);
	pkt_init(&f);
	PKT_IPV4(&f, .src = "192.168.1.5", .id = 201, .mf = true);
	PKT_UDP(&f, .dport = 53);
	pkt_udp_len(&f, 3000);
	pkt_ip_len(&f, 20 + 4);
	CASE(&e, "UDP first fragment, 4 header bytes, 4 in the padding", &f, DROP,
	     PC_CNT_MALFORMED);
	for (int n = 0; n < 20; n += 4) {
		pkt_init(&f);
		PKT_IPV4(&f, .src = INET, .id = 202, .mf = true);
		PKT_TCP(&f, .dport = 25, .flags = PKT_SYN);
		pkt_ip_len(&f, 20 + n);
		pkt_truncate(&f, 14 + 20 + n);
		CASE(&e, fmt("TCP first fragment with %d bytes of header", n), &f, DROP,
		     PC_CNT_MALFORMED);
	}
	pkt_init(&f);
	PKT_IPV4(&f, .src = INET, .id = 203, .mf = true);
	pkt_icmp(&f, 8, 0);
	pkt_ip_len(&f, 24);
	pkt_truncate(&f, 14 + 24);
	CASE(&e, "ICMP first fragment with 4 bytes of header", &f, DROP, PC_CNT_MALFORMED);
	pkt_init(&f);
	PKT_IPV4(&f, .src = INET, .id = 204, .mf = true);
	pkt_next(&f, 47);
	pkt_payload(&f, 8);
	CASE(&e, "GRE first fragment", &f, DROP, PC_CNT_NO_MATCH);

	/* IPv6: keyed without the protocol. */
	frag6(&f, INET6, 17, 0x12345678, 10, true);
	CASE(&e, "IPv6 non-first fragment, nothing tracked", &f, DROP, PC_CNT_FRAGMENT);
	pkt_init(&f);
	PKT_IPV6(&f, .src = INET6);
	pkt_frag6(&f, 0, true, 0x12345678);
	PKT_UDP(&f, .sport = 53, .dport = 40000);
	pkt_payload(&f, 16);
	pkt_udp_len(&f, 2000);
	CASE(&e, "IPv6 first fragment, UDP reply", &f, PASS, RULE(3));
	frag6(&f, INET6, 17, 0x12345678, 10, true);
	CASE(&e, "its second fragment", &f, PASS, RULE(3));
	frag6(&f, INET6, 6, 0x12345678, 20, false);
	CASE(&e, "its last fragment, another next header", &f, PASS, RULE(3));
	pkt_init(&f);
	PKT_IPV6(&f, .src = INET6);
	pkt_ext6(&f, 0, 8);
	pkt_frag6(&f, 20, false, 0x12345678);
	pkt_payload(&f, 8);
	CASE(&e, "its last fragment, after hop-by-hop", &f, PASS, RULE(3));
	frag6(&f, INET6, 17, 0x12345679, 10, true);
	CASE(&e, "another identification", &f, DROP, PC_CNT_FRAGMENT);
	frag6(&f, "2001:4860::2", 17, 0x12345678, 10, true);
	CASE(&e, "another source", &f, DROP, PC_CNT_FRAGMENT);
	pkt_init(&f);
	PKT_IPV6(&f, .src = INET6);
	pkt_frag6(&f, 0, true, 0x55);
	PKT_TCP(&f, .dport = 25, .flags = PKT_SYN);
	pkt_ip_len(&f, 8 + 12);
	pkt_truncate(&f, 14 + 40 + 8 + 12);
	CASE(&e, "IPv6 TCP first fragment with 12 bytes of header", &f, DROP, PC_CNT_MALFORMED);

	/* Entries live 30 s. */
	age_frag_entries(&e, 29);
	frag6(&f, INET6, 17, 0x12345678, 10, true);
	CASE(&e, "29 s after the first fragment", &f, PASS, RULE(3));
	frag4(&f, "192.168.1.5", 17, 200, 5, false);
	CASE(&e, "29 s after the first fragment (IPv4)", &f, PASS, RULE(10));
	age_frag_entries(&e, 31);
	frag6(&f, INET6, 17, 0x12345678, 10, true);
	CASE(&e, "31 s after the first fragment", &f, DROP, PC_CNT_FRAGMENT);
	frag4(&f, "192.168.1.5", 17, 200, 5, false);
	CASE(&e, "31 s after the first fragment (IPv4)", &f, DROP, PC_CNT_FRAGMENT);
	table_end(&e);
	env_close(&e);
}

static void fragments_fixed(int policy)
{
	struct settings s = { .fragments = policy };
	int action = policy == PC_FRAG_PASS ? PASS : DROP;
	struct env e;
	struct pkt f;

	if (geteuid())
		SKIP("needs root");
	if (!env_open(&e, &s))
		return;
	pkt_init(&f);
	PKT_IPV4(&f, .src = INET, .id = 100, .mf = true);
	PKT_TCP(&f, .dport = 25, .flags = PKT_SYN);
	CASE(&e, "IPv4 first fragment to 25", &f, PASS, RULE(0));
	pkt_init(&f);
	PKT_IPV4(&f, .src = INET, .id = 101, .mf = true);
	PKT_TCP(&f, .dport = 26, .flags = PKT_SYN);
	CASE(&e, "IPv4 first fragment to 26", &f, DROP, PC_CNT_NO_MATCH);
	frag4(&f, INET, 6, 100, 3, false);
	CASE(&e, "IPv4 non-first fragment of the passed one", &f, action, PC_CNT_FRAGMENT);
	frag4(&f, INET, 6, 101, 3, false);
	CASE(&e, "IPv4 non-first fragment of the dropped one", &f, action, PC_CNT_FRAGMENT);
	pkt_init(&f);
	PKT_IPV6(&f, .src = INET6);
	pkt_frag6(&f, 0, true, 9);
	PKT_TCP(&f, .dport = 25, .flags = PKT_SYN);
	CASE(&e, "IPv6 first fragment to 25", &f, PASS, RULE(0));
	frag6(&f, INET6, 6, 9, 3, false);
	CASE(&e, "IPv6 non-first fragment", &f, action, PC_CNT_FRAGMENT);
	frag6(&f, INET6, 6, 9, 3, false);
	pkt_ip_len(&f, 200);
	CASE(&e, "IPv6 non-first fragment, bad length", &f, DROP, PC_CNT_MALFORMED);
	EXPECT_EQ(frag_entries(&e), 0);
	table_end(&e);
	env_close(&e);
}

TEST(fragments_pass)
{
	fragments_fixed(PC_FRAG_PASS);
}

TEST(fragments_drop)
{
	fragments_fixed(PC_FRAG_DROP);
}

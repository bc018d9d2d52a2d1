// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Compiles the ordered rule list into trie, directory and page contents.
 *
 * CIDR prefixes are always nested or disjoint, so the prefixes that contain an address
 * are exactly the ancestors of the most specific one: an address's class is the set of
 * peers (zones and addresses written in rules) its most specific prefix belongs to,
 * and classes with equal sets are merged. For every (class, table, port) the first
 * rule in profile order that matches is resolved here, once, so the program does a
 * fixed number of array lookups per packet. */
#include <errno.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "compile/compile.h"
#include "profile/prefix.h"

#define TABLE_SLOTS 65536u
#define ICMP_SLOTS 256u

/* A unique prefix with the peers ("owners") that list it: zones are owners
 * 0..n_zones-1, a rule with its own addresses is owner n_zones + rule index. */
struct node {
	struct pc_prefix p;
	uint32_t *own; /* sorted, then the full set once ancestors are merged in */
	size_t n_own;
	uint32_t cls;
};

struct owner_pair {
	struct pc_prefix p;
	uint32_t owner;
};

/* Growable arrays of fixed-size items. */
struct vec {
	void *data;
	size_t n, cap, size;
};

static void *vec_push(struct vec *v)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 64;
		void *d = realloc(v->data, cap * v->size);

		if (!d)
			return NULL;
		v->data = d;
		v->cap = cap;
	}
	return (char *)v->data + v->n++ * v->size;
}

static int pair_cmp(const void *x, const void *y)
{
	const struct owner_pair *a = x, *b = y;
	int c = pc_prefix_cmp(&a->p, &b->p);

	if (c)
		return c;
	return a->owner < b->owner ? -1 : a->owner > b->owner;
}

/* Sorted union of two sorted sets, into a new array. */
static uint32_t *set_union(const uint32_t *a, size_t na, const uint32_t *b, size_t nb, size_t *n)
{
	uint32_t *out = malloc((na + nb + 1) * sizeof(*out));
	size_t i = 0, j = 0, k = 0;

	if (!out)
		return NULL;
	while (i < na || j < nb) {
		if (j == nb || (i < na && a[i] < b[j]))
			out[k++] = a[i++];
		else if (i == na || b[j] < a[i])
			out[k++] = b[j++];
		else
			out[k++] = a[i++], j++;
	}
	*n = k;
	return out;
}

static bool set_has(const uint32_t *s, size_t n, uint32_t x)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (s[mid] == x)
			return true;
		if (s[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static int collect_pairs(const struct pc_profile *p, struct vec *pairs)
{
	for (size_t z = 0; z < p->n_zones; z++) {
		for (size_t i = 0; i < p->zones[z].n_prefixes; i++) {
			struct owner_pair *op = vec_push(pairs);

			if (!op)
				return -ENOMEM;
			op->p = p->zones[z].prefixes[i];
			op->owner = z;
		}
	}
	for (size_t r = 0; r < p->n_rules; r++) {
		const struct pc_rule *rule = &p->rules[r];

		if (rule->peer_kind != PC_PEER_ADDRS)
			continue;
		for (size_t i = 0; i < rule->n_addrs; i++) {
			struct owner_pair *op = vec_push(pairs);

			if (!op)
				return -ENOMEM;
			op->p = rule->addrs[i];
			op->owner = p->n_zones + r;
		}
	}
	return 0;
}

/* Unique prefixes in (family, address, length) order, which puts every ancestor
 * before its descendants; each with its own owners. */
static int build_nodes(struct vec *pairs, struct vec *nodes)
{
	struct owner_pair *pr = pairs->data;

	if (!pairs->n)
		return 0; /* a profile without zones or addresses: class 0 only */
	qsort(pr, pairs->n, sizeof(*pr), pair_cmp);
	for (size_t i = 0; i < pairs->n;) {
		struct node *nd = vec_push(nodes);
		size_t j = i;

		if (!nd)
			return -ENOMEM;
		memset(nd, 0, sizeof(*nd));
		nd->p = pr[i].p;
		while (j < pairs->n && !pc_prefix_cmp(&pr[j].p, &nd->p))
			j++;
		nd->own = malloc((j - i) * sizeof(*nd->own));
		if (!nd->own)
			return -ENOMEM;
		for (size_t k = i; k < j; k++)
			if (!nd->n_own || nd->own[nd->n_own - 1] != pr[k].owner)
				nd->own[nd->n_own++] = pr[k].owner;
		i = j;
	}
	return 0;
}

/* Replaces each node's owners with those of all its ancestors too. */
static int inherit_owners(struct vec *nodes)
{
	struct node *nd = nodes->data;
	size_t *stack = malloc((nodes->n + 1) * sizeof(*stack)), depth = 0;

	if (!stack)
		return -ENOMEM;
	for (size_t i = 0; i < nodes->n; i++) {
		while (depth && !pc_prefix_contains(&nd[stack[depth - 1]].p, &nd[i].p))
			depth--;
		if (depth) {
			struct node *up = &nd[stack[depth - 1]];
			size_t n;
			uint32_t *u = set_union(up->own, up->n_own, nd[i].own, nd[i].n_own, &n);

			if (!u) {
				free(stack);
				return -ENOMEM;
			}
			free(nd[i].own);
			nd[i].own = u;
			nd[i].n_own = n;
		}
		stack[depth++] = i;
	}
	free(stack);
	return 0;
}

struct class_set {
	const uint32_t *own;
	size_t n_own;
};

static uint64_t set_hash(const uint32_t *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 1099511628211ull;
	return h ^ n;
}

/* Open-addressing index over items of any kind, for deduplication. */
struct dedup {
	uint32_t *slot; /* item id + 1, 0 = empty */
	size_t cap;
};

static int dedup_init(struct dedup *t, size_t expect)
{
	t->cap = 1024;
	while (t->cap < expect * 2)
		t->cap *= 2;
	t->slot = calloc(t->cap, sizeof(*t->slot));
	return t->slot ? 0 : -ENOMEM;
}

/* Finds the item equal to the candidate, or claims a slot for new_id. eq(id) tells
 * whether stored item id equals the candidate. */
static uint32_t dedup_find(struct dedup *t, uint64_t h, uint32_t new_id,
			   bool (*eq)(void *ctx, uint32_t id), void *ctx, bool *found)
{
	size_t i = h & (t->cap - 1);

	while (t->slot[i]) {
		if (eq(ctx, t->slot[i] - 1)) {
			*found = true;
			return t->slot[i] - 1;
		}
		i = (i + 1) & (t->cap - 1);
	}
	*found = false;
	t->slot[i] = new_id + 1;
	return new_id;
}

struct class_ctx {
	struct class_set *sets;
	const uint32_t *own;
	size_t n_own;
};

static bool class_eq(void *c, uint32_t id)
{
	struct class_ctx *x = c;

	return x->sets[id].n_own == x->n_own &&
	       !memcmp(x->sets[id].own, x->own, x->n_own * sizeof(*x->own));
}

/* Assigns class ids; class 0 is the empty set ("in no prefix"). */
static int assign_classes(struct vec *nodes, struct class_set **sets_out, uint32_t *n_out)
{
	struct node *nd = nodes->data;
	struct class_set *sets = calloc(nodes->n + 1, sizeof(*sets));
	struct dedup t;
	uint32_t n = 1;

	if (!sets || dedup_init(&t, nodes->n + 1)) {
		free(sets);
		return -ENOMEM;
	}
	for (size_t i = 0; i < nodes->n; i++) {
		struct class_ctx ctx = { sets, nd[i].own, nd[i].n_own };
		bool found;
		uint32_t id =
			dedup_find(&t, set_hash(nd[i].own, nd[i].n_own), n, class_eq, &ctx, &found);

		if (!found) {
			sets[n].own = nd[i].own;
			sets[n].n_own = nd[i].n_own;
			n++;
		}
		nd[i].cls = id;
	}
	free(t.slot);
	*sets_out = sets;
	*n_out = n;
	return 0;
}

static bool rule_applies(const struct pc_profile *p, size_t r, const struct class_set *c)
{
	const struct pc_rule *rule = &p->rules[r];

	switch (rule->peer_kind) {
	case PC_PEER_ANY:
		return true;
	case PC_PEER_INTERNET:
		/* Owners are sorted and zones come first. */
		return c->n_own == 0 || c->own[0] >= p->n_zones;
	case PC_PEER_ZONE:
		return set_has(c->own, c->n_own, rule->zone);
	case PC_PEER_ADDRS:
		return set_has(c->own, c->n_own, p->n_zones + r);
	}
	return false;
}

/* --- Tables and pages ------------------------------------------------------------ */

struct pages_ctx {
	struct vec pages; /* of pc_verdict_t[PC_PAGE_SIZE] */
	struct dedup index;
	const pc_verdict_t *cand;
};

static bool page_eq(void *c, uint32_t id)
{
	struct pages_ctx *x = c;
	const pc_verdict_t *pg = (const pc_verdict_t *)x->pages.data + (size_t)id * PC_PAGE_SIZE;

	return !memcmp(pg, x->cand, PC_PAGE_SIZE * sizeof(*pg));
}

static uint64_t page_hash(const pc_verdict_t *pg)
{
	uint64_t h = 1469598103934665603ull;

	for (unsigned i = 0; i < PC_PAGE_SIZE; i++)
		h = (h ^ pg[i]) * 1099511628211ull;
	return h;
}

/* Returns the page id of content pg, storing it if new, or -1. */
static int64_t page_intern(struct pages_ctx *x, const pc_verdict_t *pg)
{
	uint32_t next = x->pages.n;
	bool found;
	uint32_t id;

	x->cand = pg;
	/* The index holds at most half full slots; grow it by rebuilding. */
	if ((next + 1) * 2 > x->index.cap) {
		struct dedup bigger;

		if (dedup_init(&bigger, x->index.cap))
			return -1;
		for (uint32_t i = 0; i < next; i++) {
			const pc_verdict_t *old =
				(pc_verdict_t *)x->pages.data + (size_t)i * PC_PAGE_SIZE;
			size_t s = page_hash(old) & (bigger.cap - 1);

			while (bigger.slot[s])
				s = (s + 1) & (bigger.cap - 1);
			bigger.slot[s] = i + 1;
		}
		free(x->index.slot);
		x->index = bigger;
	}
	id = dedup_find(&x->index, page_hash(pg), next, page_eq, x, &found);
	if (found)
		return id;
	if (next >= PC_MAX_PAGES)
		return -1;
	if (!vec_push(&x->pages))
		return -1;
	memcpy((pc_verdict_t *)x->pages.data + (size_t)id * PC_PAGE_SIZE, pg,
	       PC_PAGE_SIZE * sizeof(*pg));
	return id;
}

/* Where a rule's protocol lands, and at which slots. */
struct target {
	enum pc_table table;
	const struct pc_range *ranges;
	size_t n_ranges;
	struct pc_range all; /* used when the rule lists no ports/types */
};

static const struct pc_range echo_reply4 = { 0, 0 }, echo_reply6 = { 129, 129 };

/* The tables a rule fills: in rules by destination port or type; out rules by the
 * peer's port or the type the appliance sends (the egress hook), and with state off
 * also echo-request out rules at echo-reply (stateless replies). */
#define MAX_TARGETS 6
static size_t rule_targets(const struct pc_rule *r, bool stateless, struct target *t)
{
	size_t n = 0;
	bool in = r->dir == PC_DIR_IN;

	if (r->protos & PC_P_TCP)
		t[n++] = (struct target){
			in ? PC_TBL_TCP_IN : PC_TBL_TCP_REPLY, r->ranges, r->n_ranges, { 0, 65535 }
		};
	if (r->protos & PC_P_UDP)
		t[n++] = (struct target){
			in ? PC_TBL_UDP_IN : PC_TBL_UDP_REPLY, r->ranges, r->n_ranges, { 0, 65535 }
		};
	if (r->protos & PC_P_ICMP) {
		t[n++] = (struct target){
			in ? PC_TBL_ICMP_IN : PC_TBL_ICMP_OUT, r->ranges, r->n_ranges, { 0, 255 }
		};
		if (!in && stateless && pc_rule_covers(r, 8))
			t[n++] = (struct target){ PC_TBL_ICMP_REPLY, &echo_reply4, 1, {} };
	}
	if (r->protos & PC_P_ICMP6) {
		t[n++] = (struct target){
			in ? PC_TBL_ICMP6_IN : PC_TBL_ICMP6_OUT, r->ranges, r->n_ranges, { 0, 255 }
		};
		if (!in && stateless && pc_rule_covers(r, 128))
			t[n++] = (struct target){ PC_TBL_ICMP6_REPLY, &echo_reply6, 1, {} };
	}
	return n;
}

struct build {
	const struct pc_profile *p;
	struct pc_image *img;
	pc_verdict_t *tbl[PC_TBL_COUNT]; /* the class being built, 65536 slots each */
	uint32_t filled[PC_TBL_COUNT];
	int32_t *blocker; /* per rule: the first earlier rule that took a slot it wanted */
	struct pages_ctx pages;
};

static pc_verdict_t rule_verdict(const struct pc_rule *r, size_t idx)
{
	return (pc_verdict_t)((idx + 1) | (r->action == PC_ACT_PASS ? PC_VERDICT_PASS : 0));
}

static void fill_range(struct build *b, size_t r, enum pc_table t, unsigned lo, unsigned hi)
{
	pc_verdict_t v = rule_verdict(&b->p->rules[r], r), *tbl = b->tbl[t];

	for (unsigned i = lo; i <= hi; i++) {
		if (!tbl[i]) {
			tbl[i] = v;
			b->img->wins[r]++;
			b->filled[t]++;
		} else {
			if (b->blocker[r] < 0)
				b->blocker[r] = (tbl[i] & PC_VERDICT_RULE) - 1;
			b->img->lost[r]++;
		}
	}
}

static int build_class(struct build *b, uint32_t cls, const struct class_set *set)
{
	const struct pc_profile *p = b->p;

	for (int t = 0; t < PC_TBL_COUNT; t++) {
		memset(b->tbl[t], 0, TABLE_SLOTS * sizeof(pc_verdict_t));
		b->filled[t] = 0;
	}
	for (size_t r = 0; r < p->n_rules; r++) {
		struct target tg[MAX_TARGETS];
		size_t n;

		if (!rule_applies(p, r, set))
			continue;
		n = rule_targets(&p->rules[r], !p->opt.state, tg);
		for (size_t k = 0; k < n; k++) {
			if (!tg[k].n_ranges) {
				fill_range(b, r, tg[k].table, tg[k].all.lo, tg[k].all.hi);
				continue;
			}
			for (size_t i = 0; i < tg[k].n_ranges; i++)
				fill_range(b, r, tg[k].table, tg[k].ranges[i].lo,
					   tg[k].ranges[i].hi);
		}
	}
	for (int t = 0; t < PC_TBL_COUNT; t++) {
		uint32_t *dir = b->img->dirs + (size_t)cls * PC_DIR_SLOTS;
		/* ICMP tables: types are < 256, one page. */
		unsigned n = t < PC_PORT_TABLES ? TABLE_SLOTS / PC_PAGE_SIZE : 1;

		if (!b->filled[t])
			continue; /* every slot of dir stays page 0 */
		for (unsigned hi = 0; hi < n; hi++) {
			int64_t id = page_intern(&b->pages, b->tbl[t] + hi * PC_PAGE_SIZE);

			if (id < 0)
				return -1;
			dir[pc_dir_slot(t, hi << 8)] = (uint32_t)id;
		}
	}
	return 0;
}

/* --- The address trie ------------------------------------------------------------ */

struct trie {
	uint32_t *root;
	struct vec chunks; /* of uint32_t[PC_TRIE_CHUNK] */
};

static uint32_t *trie_slot(struct trie *t, int64_t chunk, unsigned base, unsigned idx)
{
	if (chunk < 0)
		return &t->root[base + idx];
	return (uint32_t *)t->chunks.data + (size_t)chunk * PC_TRIE_CHUNK + idx;
}

/* Descends to the level where the prefix ends, splitting leaves into chunks on the
 * way, then paints the entries it covers. Prefixes are inserted shortest first, so
 * every entry painted is a leaf: chunks below it could only come from longer ones. */
static int trie_insert(struct trie *t, const struct pc_prefix *pf, uint32_t cls)
{
	unsigned base = pf->family == 4 ? 0 : PC_TRIE_V6_BASE;
	unsigned width = PC_TRIE_ROOT_BITS, byte = 2, span;
	unsigned idx = (pf->addr[0] << 8) | pf->addr[1];
	int64_t chunk = -1;

	while (pf->len > width) {
		uint32_t e = *trie_slot(t, chunk, base, idx);

		if (!(e & PC_TRIE_CHILD)) {
			uint32_t c = t->chunks.n, *fresh;

			if (c >= PC_MAX_TRIE_CHUNKS)
				return -E2BIG;
			fresh = vec_push(&t->chunks);
			if (!fresh)
				return -ENOMEM;
			for (unsigned i = 0; i < PC_TRIE_CHUNK; i++)
				fresh[i] = e;
			e = PC_TRIE_CHILD | c;
			*trie_slot(t, chunk, base, idx) = e;
		}
		chunk = e & PC_TRIE_INDEX;
		idx = pf->addr[byte++];
		width += 8;
	}
	span = 1u << (width - pf->len);
	idx &= ~(span - 1);
	for (unsigned i = idx; i < idx + span; i++)
		*trie_slot(t, chunk, base, i) = cls;
	return 0;
}

static int len_cmp(const void *x, const void *y)
{
	const struct node *a = *(struct node *const *)x, *b = *(struct node *const *)y;

	return a->p.len - b->p.len;
}

static int build_trie(struct vec *nodes, struct pc_image *img)
{
	struct node **order = malloc((nodes->n + 1) * sizeof(*order));
	struct trie t = { .chunks = { .size = PC_TRIE_CHUNK * sizeof(uint32_t) } };
	int err = 0;

	t.root = calloc(2 * PC_TRIE_ROOT_SIZE, sizeof(uint32_t));
	if (!order || !t.root) {
		free(order);
		free(t.root);
		return -ENOMEM;
	}
	for (size_t i = 0; i < nodes->n; i++)
		order[i] = (struct node *)nodes->data + i;
	if (nodes->n)
		qsort(order, nodes->n, sizeof(*order), len_cmp);
	for (size_t i = 0; i < nodes->n && !err; i++)
		err = trie_insert(&t, &order[i]->p, order[i]->cls);
	free(order);
	img->root = t.root;
	img->chunks = t.chunks.data;
	img->n_chunks = t.chunks.n;
	return err;
}

/* --- The whole compile ----------------------------------------------------------- */

/* Options that contradict each other are errors, not silent no-ops. */
static int check_options(const struct pc_profile *p, struct pc_diags *d)
{
	const struct pc_pos *flow_opts[] = { &p->opt.timeout_tcp_pos, &p->opt.timeout_udp_pos,
					     &p->opt.timeout_icmp_pos, &p->opt.flows_pos };
	int err = 0;

	for (size_t i = 0; !p->opt.state && i < sizeof(flow_opts) / sizeof(flow_opts[0]); i++)
		if (flow_opts[i]->src >= 0)
			pc_diag_add(d, PC_WARNING, *flow_opts[i],
				    "flow table options have no effect with `set state off`");
	if (p->opt.eph_lo > p->opt.eph_hi) {
		pc_diag_add(d, PC_ERROR, p->opt.eph_pos,
			    "ephemeral range %u-%u is empty; write LO-HI with LO <= HI",
			    p->opt.eph_lo, p->opt.eph_hi);
		err = -1;
	}
	return err;
}

static void fill_info(const struct pc_profile *p, struct pc_image *img, const struct pc_diags *d)
{
	for (size_t r = 0; r < p->n_rules; r++) {
		const struct pc_rule *rule = &p->rules[r];
		struct pc_rule_info *in = &img->info[r];

		in->line = rule->pos.line;
		in->action = rule->action;
		in->direction = rule->dir;
		snprintf(in->proto, sizeof(in->proto), "%s", rule->proto_text);
		snprintf(in->peer, sizeof(in->peer), "%s", rule->peer_text);
		snprintf(in->match, sizeof(in->match), "%s", rule->match_text);
		snprintf(in->label, sizeof(in->label), "%s", rule->label);
		if (rule->pos.src >= 0 && (size_t)rule->pos.src < d->n_sources)
			in->file = (uint16_t)rule->pos.src;
	}
}

static int fill_files(struct pc_image *img, const struct pc_diags *d)
{
	img->n_files = d->n_sources < PC_MAX_FILES ? (uint32_t)d->n_sources : PC_MAX_FILES;
	img->files = calloc(img->n_files + 1, sizeof(*img->files));
	if (!img->files)
		return -ENOMEM;
	for (uint32_t i = 0; i < img->n_files; i++)
		snprintf(img->files[i].path, sizeof(img->files[i].path), "%s", d->sources[i].path);
	return 0;
}

static void report_shadowed(const struct pc_profile *p, struct pc_image *img,
			    const int32_t *blocker, struct pc_diags *d)
{
	for (size_t r = 0; r < p->n_rules; r++) {
		const struct pc_rule *rule = &p->rules[r];

		if (rule->peer_kind == PC_PEER_ADDRS && !rule->n_addrs) {
			pc_diag_warn(d, rule->pos, "no-address",
				     "rule matches no address: '%s' resolved to nothing",
				     rule->peer_text);
			continue;
		}
		if (img->wins[r] || !img->lost[r])
			continue;
		pc_diag_warn(d, rule->pos, "shadowed",
			     "rule is shadowed: every packet it matches is decided by earlier "
			     "rules (the first at line %d); move it up or remove it",
			     p->rules[blocker[r]].pos.line);
	}
}

static int build_tables(const struct pc_profile *p, struct pc_image *img,
			const struct class_set *sets, int32_t *blocker)
{
	static const pc_verdict_t zero[PC_PAGE_SIZE];
	struct build b = { .p = p, .img = img, .blocker = blocker };
	int err = -ENOMEM;

	b.pages.pages.size = PC_PAGE_SIZE * sizeof(pc_verdict_t);
	img->dirs = calloc((size_t)img->n_classes * PC_DIR_SLOTS, sizeof(uint32_t));
	if (!img->dirs || dedup_init(&b.pages.index, 1024))
		goto out;
	for (int t = 0; t < PC_TBL_COUNT; t++)
		if (!(b.tbl[t] = malloc(TABLE_SLOTS * sizeof(pc_verdict_t))))
			goto out;
	if (page_intern(&b.pages, zero) != 0)
		goto out;
	for (uint32_t c = 0; c < img->n_classes; c++) {
		if (build_class(&b, c, &sets[c])) {
			err = -E2BIG;
			goto out;
		}
	}
	err = 0;
out:
	img->pages = b.pages.pages.data;
	img->n_pages = b.pages.pages.n;
	free(b.pages.index.slot);
	for (int t = 0; t < PC_TBL_COUNT; t++)
		free(b.tbl[t]);
	return err;
}

static void free_nodes(struct vec *nodes)
{
	for (size_t i = 0; i < nodes->n; i++)
		free(((struct node *)nodes->data)[i].own);
	free(nodes->data);
}

/* A map the profile would overflow: which one, how far it got, and what to change. It
 * is about the profile as a whole, so it points at the top file's first line. */
static void overflow_error(const struct pc_image *img, const char *full, struct pc_diags *d)
{
	struct pc_pos top = { .src = d->n_sources ? 0 : -1, .line = 1, .col = 1 };
	const char *advice = !strcmp(full, "trie chunks")
				     ? "write fewer prefixes, or shorter ones (each byte of a "
				       "prefix below the first two takes a chunk)"
			     : !strcmp(full, "pages")
				     ? "merge port ranges, or zones that share rules"
				     : "merge zones, or write fewer distinct prefixes";

	pc_diag_add(d, PC_ERROR, top,
		    "the profile needs more than the program's tables hold: more than %u %s "
		    "(so far %u address classes, %u pages, %u trie chunks; limits %u, %u, "
		    "%u); %s",
		    !strcmp(full, "address classes") ? PC_MAX_CLASSES
		    : !strcmp(full, "pages")	     ? PC_MAX_PAGES
						     : PC_MAX_TRIE_CHUNKS,
		    full, img->n_classes, img->n_pages, img->n_chunks, PC_MAX_CLASSES, PC_MAX_PAGES,
		    PC_MAX_TRIE_CHUNKS, advice);
}

int pc_compile(const struct pc_profile *p, struct pc_image *img, struct pc_diags *d)
{
	struct vec pairs = { .size = sizeof(struct owner_pair) };
	struct vec nodes = { .size = sizeof(struct node) };
	struct pc_pos nowhere = { .src = -1 };
	const char *full = NULL; /* the map that would overflow */
	struct class_set *sets = NULL;
	int32_t *blocker = NULL;
	int err;

	memset(img, 0, sizeof(*img));
	if (check_options(p, d))
		return -1;
	img->n_rules = p->n_rules;
	img->info = calloc(p->n_rules + 1, sizeof(*img->info));
	img->wins = calloc(p->n_rules + 1, sizeof(*img->wins));
	img->lost = calloc(p->n_rules + 1, sizeof(*img->lost));
	blocker = malloc((p->n_rules + 1) * sizeof(*blocker));
	err = !img->info || !img->wins || !img->lost || !blocker ? -ENOMEM : 0;
	for (size_t r = 0; !err && r < p->n_rules; r++)
		blocker[r] = -1;
	if (!err)
		err = collect_pairs(p, &pairs);
	if (!err)
		err = build_nodes(&pairs, &nodes);
	if (!err)
		err = inherit_owners(&nodes);
	if (!err)
		err = assign_classes(&nodes, &sets, &img->n_classes);
	if (!err && img->n_classes > PC_MAX_CLASSES)
		err = -E2BIG, full = "address classes";
	if (!err && (err = build_tables(p, img, sets, blocker)) == -E2BIG)
		full = "pages";
	if (!err && (err = build_trie(&nodes, img)) == -E2BIG)
		full = "trie chunks";
	if (!err)
		err = fill_files(img, d);
	if (!err) {
		fill_info(p, img, d);
		report_shadowed(p, img, blocker, d);
	} else if (err == -E2BIG) {
		overflow_error(img, full, d);
	} else {
		pc_diag_add(d, PC_ERROR, nowhere, "compiling the profile: %s", strerror(-err));
	}
	free(pairs.data);
	free(sets);
	free_nodes(&nodes);
	free(blocker);
	return err ? -1 : 0;
}

void pc_image_free(struct pc_image *img)
{
	free(img->root);
	free(img->chunks);
	free(img->dirs);
	free(img->pages);
	free(img->info);
	free(img->files);
	free(img->wins);
	free(img->lost);
	memset(img, 0, sizeof(*img));
}

uint64_t pc_image_bytes(const struct pc_image *img)
{
	return 2ull * PC_TRIE_ROOT_SIZE * sizeof(uint32_t) +
	       (uint64_t)img->n_chunks * PC_TRIE_CHUNK * sizeof(uint32_t) +
	       (uint64_t)img->n_classes * sizeof(struct pc_dir) +
	       (uint64_t)img->n_pages * PC_PAGE_SIZE * sizeof(pc_verdict_t) +
	       (uint64_t)img->n_rules * sizeof(struct pc_rule_info) +
	       (uint64_t)img->n_files * sizeof(struct pc_file_name);
}

uint32_t pc_image_class(const struct pc_image *img, int family, const uint8_t *addr)
{
	uint32_t e = img->root[(family == 4 ? 0 : PC_TRIE_V6_BASE) + ((addr[0] << 8) | addr[1])];
	unsigned byte = 2, bytes = family == 4 ? 4 : 16;

	while ((e & PC_TRIE_CHILD) && byte < bytes)
		e = img->chunks[(size_t)(e & PC_TRIE_INDEX) * PC_TRIE_CHUNK + addr[byte++]];
	return e & PC_TRIE_CHILD ? 0 : e;
}

pc_verdict_t pc_image_verdict(const struct pc_image *img, uint32_t cls, enum pc_table t,
			      unsigned index)
{
	uint32_t page;

	if (cls >= img->n_classes || index > 65535)
		return 0;
	if (t >= PC_PORT_TABLES && index >= PC_PAGE_SIZE)
		return 0; /* no ICMP type */
	page = img->dirs[(size_t)cls * PC_DIR_SLOTS + pc_dir_slot(t, index)];
	return img->pages[(size_t)page * PC_PAGE_SIZE + (index & 0xff)];
}

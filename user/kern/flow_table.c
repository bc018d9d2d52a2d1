// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The flow table from userspace. The program owns the per-packet work; the loader
 * keeps the table meaningful across reloads (rule indices change with the profile)
 * and fills it at load time from the sockets that are already open. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "kern/carry.h"
#include "kern/flow_table.h"
#include "kern/sockets.h"

uint16_t *pc_flows_remap(const struct pc_rule_info *old, uint32_t n_old,
			 const struct pc_rule_info *new_info, uint32_t n_new)
{
	struct pc_totals from = { .n = PC_CNT_IMPLICIT + n_old };
	uint16_t *remap = calloc(n_old + 1, sizeof(*remap));
	int32_t *map = calloc(PC_CNT_IMPLICIT + n_new, sizeof(*map));

	from.info = calloc(from.n, sizeof(*from.info));
	if (!remap || !map || !from.info) {
		free(remap);
		remap = NULL;
		goto out;
	}
	memcpy(from.info + PC_CNT_IMPLICIT, old, n_old * sizeof(*old));
	pc_carry_match(&from, new_info, n_new, map);
	for (uint32_t k = PC_CNT_IMPLICIT; k < PC_CNT_IMPLICIT + n_new; k++)
		if (map[k] >= 0)
			remap[map[k] - PC_CNT_IMPLICIT] = (uint16_t)(k - PC_CNT_IMPLICIT + 1);
out:
	free(map);
	free(from.info);
	return remap;
}

int pc_flows_rule(const struct pc_image *img, const struct pc_flow_key *k)
{
	uint32_t cls = pc_image_class(img, k->family, (const uint8_t *)k->peer);
	enum pc_table t;
	unsigned index = k->peer_port;
	pc_verdict_t v;

	switch (k->proto) {
	case IPPROTO_TCP:
		t = PC_TBL_TCP_REPLY;
		break;
	case IPPROTO_UDP:
		t = PC_TBL_UDP_REPLY;
		break;
	case IPPROTO_ICMP:
		t = PC_TBL_ICMP_OUT;
		index = 8;
		break;
	case IPPROTO_ICMPV6:
		t = PC_TBL_ICMP6_OUT;
		index = 128;
		break;
	default:
		return -1;
	}
	v = pc_image_verdict(img, cls, t, index);
	if (!(v & PC_VERDICT_RULE) || !(v & PC_VERDICT_PASS))
		return -1;
	return (v & PC_VERDICT_RULE) - 1;
}

/* Every key of the table: the walk must not see the deletes and updates it causes. */
static int flow_keys(int fd, struct pc_flow_key **out, uint32_t *n, struct pc_err *e)
{
	struct pc_flow_key *keys = NULL, *prev = NULL, k;
	uint32_t cap = 0;

	*out = NULL;
	*n = 0;
	while (!bpf_map_get_next_key(fd, prev, &k)) {
		if (*n == cap) {
			struct pc_flow_key *v;

			cap = cap ? cap * 2 : 256;
			v = realloc(keys, cap * sizeof(*v));
			if (!v) {
				free(keys);
				return pc_fail(e, ENOMEM, NULL, "listing flows");
			}
			keys = v;
		}
		keys[(*n)++] = k;
		prev = &keys[*n - 1];
	}
	if (errno != ENOENT) {
		free(keys);
		return pc_fail(e, errno, NULL, "bpf_map_get_next_key on the flow table");
	}
	*out = keys;
	return 0;
}

/* The flow's rule in generation gen, or -1 when it has none there. */
static int adopted_rule(const struct pc_flow_key *k, const struct pc_flow *f, uint32_t gen_prev,
			const uint16_t *remap, uint32_t n_remap, const struct pc_image *img)
{
	if (gen_prev && f->gen == gen_prev && f->rule < n_remap && remap[f->rule])
		return remap[f->rule] - 1;
	return img ? pc_flows_rule(img, k) : -1;
}

int pc_flows_adopt(int fd, uint32_t gen, uint32_t gen_prev, const uint16_t *remap, uint32_t n_remap,
		   const struct pc_image *img, uint32_t *kept, uint32_t *dropped, struct pc_err *e)
{
	struct pc_flow_key *keys;
	uint32_t n;

	*kept = *dropped = 0;
	if (flow_keys(fd, &keys, &n, e))
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		struct pc_flow f;
		int rule;

		if (bpf_map_lookup_elem(fd, &keys[i], &f))
			continue; /* expired from the LRU meanwhile */
		if (f.gen == gen) {
			(*kept)++;
			continue;
		}
		rule = adopted_rule(&keys[i], &f, gen_prev, remap, n_remap, img);
		if (rule < 0) {
			bpf_map_delete_elem(fd, &keys[i]);
			(*dropped)++;
			continue;
		}
		f.gen = gen;
		f.rule = (uint16_t)rule;
		/* BPF_EXIST: a flow that ended meanwhile stays ended. */
		if (!bpf_map_update_elem(fd, &keys[i], &f, BPF_EXIST))
			(*kept)++;
	}
	free(keys);
	return 0;
}

static uint64_t coarse_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* An in rule allows the peer to reach the socket's local port: an inbound session,
 * which the rules keep passing whatever the flow table says. */
static bool inbound_allowed(const struct pc_image *img, const struct pc_socket *s)
{
	uint32_t cls = pc_image_class(img, s->family, s->peer);
	pc_verdict_t v = pc_image_verdict(
		img, cls, s->proto == IPPROTO_TCP ? PC_TBL_TCP_IN : PC_TBL_UDP_IN, s->local_port);

	return (v & PC_VERDICT_RULE) && (v & PC_VERDICT_PASS);
}

static void socket_text(const struct pc_socket *s, char *buf, size_t len)
{
	char peer[INET6_ADDRSTRLEN];

	inet_ntop(s->family == 4 ? AF_INET : AF_INET6, s->peer, peer, sizeof(peer));
	snprintf(buf, len, "%s %s%s%s:%u", s->proto == IPPROTO_TCP ? "tcp" : "udp",
		 s->family == 6 ? "[" : "", peer, s->family == 6 ? "]" : "", s->peer_port);
}

static void note_cut(struct pc_seed_report *r, const struct pc_socket *s)
{
	size_t used = strlen(r->cut_list);
	char one[80];

	if (r->cut++ >= 4)
		return;
	socket_text(s, one, sizeof(one));
	snprintf(r->cut_list + used, sizeof(r->cut_list) - used, "%s%s", used ? ", " : "", one);
}

int pc_flows_seed(int fd, const struct pc_image *img, uint32_t gen, struct pc_seed_report *r,
		  struct pc_err *e)
{
	struct pc_socket *socks;
	uint64_t now = coarse_now_ns();
	size_t n;

	memset(r, 0, sizeof(*r));
	if (pc_sockets_list(&socks, &n, e))
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct pc_socket *s = &socks[i];
		struct pc_flow_key k = { .family = s->family,
					 .proto = s->proto,
					 .peer_port = s->peer_port,
					 .local_port = s->local_port };
		struct pc_flow f = {
			.seen_ns = now, .created_ns = now, .gen = gen, .origin = PC_FLOW_SOCKET
		};
		int rule;

		memcpy(k.peer, s->peer, s->family == 4 ? 4 : 16);
		memcpy(f.local, s->local, s->family == 4 ? 4 : 16);
		if (inbound_allowed(img, s)) {
			r->inbound++;
			continue;
		}
		rule = pc_flows_rule(img, &k);
		if (rule < 0) {
			note_cut(r, s);
			continue;
		}
		f.rule = (uint16_t)rule;
		if (bpf_map_update_elem(fd, &k, &f, BPF_NOEXIST) && errno != EEXIST) {
			free(socks);
			return pc_fail(e, errno, NULL, "recording an open connection as a flow");
		}
		r->recorded++;
	}
	free(socks);
	return 0;
}

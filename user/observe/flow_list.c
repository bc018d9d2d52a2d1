// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Lists the flow table: each flow with the rule that allowed it, its age, how long it
 * has been idle and how long it has left, as the running program judges them. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "core/json.h"
#include "core/rule_text.h"
#include "kern/pins.h"
#include "kern/snapshot.h"
#include "observe/flow_list.h"

struct row {
	struct pc_flow_key k;
	struct pc_flow f;
};

static const char *proto_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_ICMP:
		return "icmp";
	default:
		return "icmp6";
	}
}

static void addr_text(uint8_t family, const uint32_t *a, char *buf, size_t len)
{
	if (!inet_ntop(family == 4 ? AF_INET : AF_INET6, a, buf, len))
		snprintf(buf, len, "?");
}

/* Seconds the running program still counts the flow as live; <= 0: expired. */
static double left_s(const struct pc_load_info *li, const struct row *r, double idle)
{
	uint32_t t = r->f.closing		 ? PC_TIMEOUT_CLOSING
		     : r->k.proto == IPPROTO_TCP ? li->timeout_tcp
		     : r->k.proto == IPPROTO_UDP ? li->timeout_udp
						 : li->timeout_icmp;

	return t - idle;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static double secs(uint64_t now, uint64_t then)
{
	return now > then ? (double)(now - then) / 1e9 : 0;
}

/* The rule a flow counts on for the running generation, or NULL (a flow of an older
 * generation the loader has not rewritten yet, or a rule gone). */
static const struct pc_rule_info *flow_rule(const struct pc_snapshot *s, const struct row *r)
{
	if (r->f.gen != s->load.gen || r->f.rule >= s->n_rules)
		return NULL;
	return &s->info[r->f.rule];
}

static const char *flow_state(double left, const struct row *r)
{
	return left <= 0 ? "expired" : r->f.closing ? "closing" : "open";
}

static void print_row(const struct pc_snapshot *s, const struct row *r, uint64_t now, FILE *out)
{
	const struct pc_rule_info *rule = flow_rule(s, r);
	char peer[INET6_ADDRSTRLEN], local[INET6_ADDRSTRLEN], text[512];
	double idle = secs(now, r->f.seen_ns), left = left_s(&s->load, r, idle);
	bool icmp = r->k.proto != IPPROTO_TCP && r->k.proto != IPPROTO_UDP;
	char l[INET6_ADDRSTRLEN + 16], p[INET6_ADDRSTRLEN + 16];
	bool v6 = r->k.family == 6;

	addr_text(r->k.family, r->k.peer, peer, sizeof(peer));
	addr_text(r->k.family, r->f.local, local, sizeof(local));
	if (icmp) {
		snprintf(l, sizeof(l), "%s id %u", local, r->k.local_port);
		snprintf(p, sizeof(p), "%s", peer);
	} else {
		snprintf(l, sizeof(l), v6 ? "[%s]:%u" : "%s:%u", local, r->k.local_port);
		snprintf(p, sizeof(p), v6 ? "[%s]:%u" : "%s:%u", peer, r->k.peer_port);
	}
	fprintf(out, "%-5s %s -> %s  %-7s %6.0f %6.0f  %-6s line %u: %s\n", proto_name(r->k.proto),
		l, p, flow_state(left, r), secs(now, r->f.created_ns), idle,
		r->f.origin == PC_FLOW_SOCKET ? "socket" : "egress", rule ? rule->line : 0,
		rule ? pc_rule_text(rule, text, sizeof(text)) : "(none)");
}

/* A port, or null where the protocol has none. */
static struct json_object *port_or_null(bool has, unsigned port)
{
	return has ? json_object_new_uint64(port) : NULL;
}

static struct json_object *row_json(const struct pc_snapshot *s, const struct row *r, uint64_t now)
{
	const struct pc_rule_info *rule = flow_rule(s, r);
	struct json_object *o = json_object_new_object();
	char peer[INET6_ADDRSTRLEN], local[INET6_ADDRSTRLEN];
	double idle = secs(now, r->f.seen_ns), left = left_s(&s->load, r, idle);
	bool icmp = r->k.proto != IPPROTO_TCP && r->k.proto != IPPROTO_UDP;

	addr_text(r->k.family, r->k.peer, peer, sizeof(peer));
	addr_text(r->k.family, r->f.local, local, sizeof(local));
	pc_json_add_u64(o, "family", r->k.family);
	pc_json_add_str(o, "proto", proto_name(r->k.proto));
	pc_json_add_str(o, "local", local);
	pc_json_add(o, "local_port", port_or_null(!icmp, r->k.local_port));
	pc_json_add(o, "echo_id", port_or_null(icmp, r->k.local_port));
	pc_json_add_str(o, "peer", peer);
	pc_json_add(o, "peer_port", port_or_null(!icmp, r->k.peer_port));
	pc_json_add_str(o, "state", flow_state(left, r));
	pc_json_add_str(o, "origin", r->f.origin == PC_FLOW_SOCKET ? "socket" : "egress");
	pc_json_add(o, "age_s", pc_json_fixed(secs(now, r->f.created_ns), 1));
	pc_json_add(o, "idle_s", pc_json_fixed(idle, 1));
	pc_json_add(o, "left_s", pc_json_fixed(left > 0 ? left : 0, 1));
	pc_json_add(o, "rule", rule ? pc_rule_json(rule) : NULL);
	return o;
}

static int read_rows(int fd, struct row **out, size_t *n, struct pc_err *e)
{
	struct pc_flow_key *prev = NULL, k;
	struct row *rows = NULL;
	size_t cap = 0;

	*n = 0;
	while (!bpf_map_get_next_key(fd, prev, &k)) {
		if (*n == cap) {
			struct row *v = realloc(rows, (cap = cap ? cap * 2 : 64) * sizeof(*v));

			if (!v) {
				free(rows);
				return pc_fail(e, ENOMEM, NULL, "listing flows");
			}
			rows = v;
		}
		rows[*n].k = k;
		prev = &rows[*n].k;
		if (!bpf_map_lookup_elem(fd, &k, &rows[*n].f))
			(*n)++;
	}
	*out = rows;
	return 0;
}

/* Oldest first: the order in which they were opened. */
static int by_age(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	return x->f.created_ns < y->f.created_ns ? -1 : x->f.created_ns > y->f.created_ns;
}

int pc_flows_print(const char *ifname, bool json, FILE *out, struct pc_err *e)
{
	struct pc_snapshot s;
	struct row *rows = NULL;
	size_t n = 0;
	uint64_t now;
	int fd;

	if (pc_snapshot_read(ifname, &s, e))
		return -1;
	fd = pc_pin_open(s.gdir, PC_PIN_FLOWS, e);
	if (fd < 0 || read_rows(fd, &rows, &n, e)) {
		if (fd >= 0)
			close(fd);
		pc_snapshot_free(&s);
		return -1;
	}
	close(fd);
	qsort(rows, n, sizeof(*rows), by_age);
	now = now_ns();
	if (json) {
		struct json_object *o = json_object_new_object(), *list = json_object_new_array();

		pc_json_add_str(o, "interface", ifname);
		pc_json_add_bool(o, "state_tracking", s.load.state);
		pc_json_add_u64(o, "flows_max", s.load.flows_max);
		pc_json_add_u64(o, "count", n);
		for (size_t i = 0; i < n; i++)
			json_object_array_add(list, row_json(&s, &rows[i], now));
		pc_json_add(o, "flows", list);
		pc_json_print(out, o);
	} else {
		fprintf(out, "%zu flow%s on %s (table of %u, state %s)\n", n, n == 1 ? "" : "s",
			ifname, s.load.flows_max, s.load.state ? "on" : "off");
		if (n)
			fprintf(out, "proto local -> peer  state      age   idle  origin rule\n");
		for (size_t i = 0; i < n; i++)
			print_row(&s, &rows[i], now, out);
	}
	free(rows);
	pc_snapshot_free(&s);
	return 0;
}

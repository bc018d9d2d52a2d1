/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The parsed profile: an ordered rule list with source positions, zones flattened to
 * prefixes, and the `set` options. Produced by the parser (profile.c and its statement
 * files), consumed by compile.c. */
#ifndef PC_PROFILE_PROFILE_H
#define PC_PROFILE_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "portcullis.h"
#include "profile/diag.h"
#include "profile/digest.h"

/* An IPv4 or IPv6 prefix. addr is in network order; IPv4 uses addr[0..3], the rest
 * zero. Bits beyond len are always zero. */
struct pc_prefix {
	uint8_t family; /* 4 or 6 */
	uint8_t len;	/* 0..32 or 0..128 */
	uint8_t addr[16];
};

struct pc_zone {
	char *name;
	struct pc_pos pos;
	/* Every prefix of the zone, nested zones' included, host names resolved,
	 * duplicates removed. */
	struct pc_prefix *prefixes;
	size_t n_prefixes;
};

enum pc_peer_kind {
	PC_PEER_ANY,	  /* omitted, or `any` */
	PC_PEER_INTERNET, /* `internet`: in none of the profile's zones */
	PC_PEER_ZONE,	  /* a zone of the profile: zone index */
	PC_PEER_ADDRS,	  /* an address, prefix or host name written in the rule */
};

/* Protocol bits of a rule. */
#define PC_P_TCP 0x1u
#define PC_P_UDP 0x2u
#define PC_P_ICMP 0x4u
#define PC_P_ICMP6 0x8u

/* Inclusive range of ports (TCP/UDP) or ICMP types (0..255). */
struct pc_range {
	uint16_t lo;
	uint16_t hi;
};

struct pc_rule {
	struct pc_pos pos; /* of the statement's first token */
	enum pc_action action;
	enum pc_direction dir;
	enum pc_peer_kind peer_kind;
	int zone;		 /* PC_PEER_ZONE: index into pc_profile.zones */
	struct pc_prefix *addrs; /* PC_PEER_ADDRS: resolved prefixes (may be 0) */
	size_t n_addrs;
	unsigned protos;	 /* PC_P_* bits */
	struct pc_range *ranges; /* ports or types, sorted, merged; */
	size_t n_ranges;	 /* 0 means every port / every type */
	/* Text as an operator reads it, normalised (single spaces, lower case):
	 * peer "internet", "lan", "192.0.2.1", "mx.example.com"; proto "tcp",
	 * "tcp,udp", "icmp"; match "port 25", "port 1024-65535", "type 3,4,11",
	 * "" when no port/type was given; label without quotes, "" if none. */
	char *peer_text;
	char *proto_text;
	char *match_text;
	char *label;
};

struct pc_options {
	bool state;		       /* default true */
	uint16_t eph_lo;	       /* default 1024 */
	uint16_t eph_hi;	       /* default 65535 */
	bool non_ip_pass;	       /* default true */
	enum pc_frag_policy fragments; /* default PC_FRAG_TRACK */
	uint32_t log_rate;	       /* drop events per second, default 100; 0: off */
	bool default_pass;	       /* default false */
	bool egress_enforce;	       /* default false */
	uint32_t timeout_tcp;	       /* flow idle timeouts, seconds (PC_TIMEOUT_*) */
	uint32_t timeout_udp;
	uint32_t timeout_icmp;
	uint32_t flows_max; /* flow table entries, default PC_FLOWS_DEFAULT */
	bool no_rules;	    /* `set rules none`: a profile without rules is meant */
	/* Where each option was last set ({.src = -1} when never): later stages point
	 * their errors at the statement that asked for something. */
	struct pc_pos state_pos, eph_pos, non_ip_pos, fragments_pos, log_pos, default_pos,
		egress_pos, timeout_tcp_pos, timeout_udp_pos, timeout_icmp_pos, flows_pos,
		rules_pos;
};

/* A host name the profile names, and what it resolved to (hosts.h). */
struct pc_host {
	char *name;	     /* lower case */
	struct pc_prefix *v; /* sorted, no duplicates; none when it did not resolve */
	size_t n;
	int gai_err; /* getaddrinfo's error, 0 when it answered */
	bool kept;   /* it did not resolve now: v is what it resolved to before */
};

struct pc_hosts {
	struct pc_host *v;
	size_t n;
};

struct pc_profile {
	struct pc_zone *zones;
	size_t n_zones;
	struct pc_rule *rules;
	size_t n_rules;
	struct pc_options opt;
	/* Every host name, in the order first named, and the SHA-256 of the profile's
	 * text (digest.c): load records the second; a refresh re-resolves the first
	 * only while the second is the same. */
	struct pc_hosts hosts;
	uint8_t sha256[PC_SHA256_LEN];
};

/* Parses the profile at path (and its includes). Diagnostics go to d, whose sources
 * the positions refer to. Returns 0 when there is no error (warnings allowed), -1
 * otherwise; on -1 out is still safe to free. */
int pc_profile_parse(const char *path, struct pc_profile *out, struct pc_diags *d);
/* Same, from a string; name is used in diagnostics and includes are resolved
 * relative to the current directory. */
int pc_profile_parse_string(const char *name, const char *text, struct pc_profile *out,
			    struct pc_diags *d);
/* Same as pc_profile_parse, for a refresh: a host name that resolves to no address
 * now keeps the addresses it has in last (NULL: none), marked kept, and is not
 * warned about (the caller says what it kept). */
int pc_profile_parse_keeping(const char *path, const struct pc_hosts *last, struct pc_profile *out,
			     struct pc_diags *d);
void pc_profile_free(struct pc_profile *p);

/* Rule r covers port (or ICMP type) v: a rule that lists none covers every one. */
bool pc_rule_covers(const struct pc_rule *r, unsigned v);

/* Name tables (names.c), also used by `explain` and `check`. Return -1 if unknown. */
int pc_icmp_type_by_name(const char *name, bool v6);
const char *pc_icmp_type_name(unsigned type, bool v6); /* NULL if unnamed */

#endif /* PC_PROFILE_PROFILE_H */

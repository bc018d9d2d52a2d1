/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The parser's state, a statement and its cursor, shared by the parser's files.
 * Internal to profile/: only its .c files include it; the rest of the program knows
 * profile.h. */
#ifndef PC_PROFILE_PARSER_H
#define PC_PROFILE_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "profile/lexer.h"
#include "profile/profile.h"

#define MAX_INCLUDE_DEPTH 16

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* A file being parsed; the chain of them names an include cycle. */
struct frame {
	const char *path;
	char *dir; /* includes are relative to it; "" is the current directory */
	bool has_id;
	dev_t dev;
	ino_t ino;
};

/* Every file read, so that a second include of one is caught. */
struct included {
	dev_t dev;
	ino_t ino;
	struct pc_pos from; /* the include that read it */
};

struct parser {
	struct pc_diags *d;
	struct pc_profile *p;
	size_t errors_before;
	bool stopped;
	struct frame stack[MAX_INCLUDE_DEPTH + 1];
	int depth;
	size_t zones_cap, rules_cap;
	bool zones_full, rules_full; /* already reported */
	/* Host names, each looked up once per parse however often it is named; and
	 * what a refresh falls back on for one that no longer resolves. */
	struct pc_hosts hosts;
	const struct pc_hosts *last;
	struct included *files;
	size_t n_files;
	size_t bytes; /* read so far, the profile and its includes together */
};

/* One statement: the tokens of its line and a cursor. */
struct stmt {
	struct parser *ps;
	int src;
	int line;
	const struct pc_line *l;
	size_t i;
};

#define error_at(st, pos, ...) pc_diag_add((st)->ps->d, PC_ERROR, pos, __VA_ARGS__)
/* Every warning has an id: docs/profile.md's Lint section lists them. */
#define warning_at(st, pos, id, ...) pc_diag_warn((st)->ps->d, pos, id, __VA_ARGS__)

/* The functions below are global, for the parser's files to share: ps_, the parser's,
 * keeps them apart from any other name linked into the program or its tests. */

/* cursor.c: tokens and positions, did you mean, numbers. */
struct pc_pos ps_tpos(const struct stmt *st, const struct pc_tok *t);
const struct pc_tok *ps_peek(const struct stmt *st);
const struct pc_tok *ps_next(struct stmt *st);
struct pc_pos ps_here(const struct stmt *st);
bool ps_is_word(const struct pc_tok *t, const char *w);
const char *ps_found(const struct pc_tok *t, char *buf, size_t len);
const char *ps_where(const struct stmt *st, struct pc_pos pos, char *buf, size_t len);
const char *ps_suggest(const char *w, const char *const *cands, size_t n);
const char *ps_did_you_mean(const char *w, const char *const *cands, size_t n, char *buf,
			    size_t len);
int ps_parse_uint(const char *s, size_t n, unsigned long max, unsigned long *out);
int ps_parse_range(const char *w, unsigned long max, struct pc_range *r);

/* peer.c: prefixes, addresses, host names, peers. */
struct peer {
	enum pc_peer_kind kind;
	int zone;
	struct pc_prefix *v;
	size_t n;
	char text[256];
};

size_t ps_prefixes_dedupe(struct pc_prefix *v, size_t n);
int ps_prefixes_append(struct pc_prefix **v, size_t *n, const struct pc_prefix *add, size_t k);
int ps_find_zone(const struct pc_profile *p, const char *name);
int ps_parse_peer(struct stmt *st, const struct pc_tok *t, bool in_zone, struct peer *out);

/* The statements, each with the cursor at its keyword: zone.c, rule.c, set.c. */
void ps_parse_zone(struct stmt *st);
void ps_parse_rule(struct stmt *st);
void ps_parse_set(struct stmt *st);
void ps_rule_free(struct pc_rule *r);

#endif /* PC_PROFILE_PARSER_H */

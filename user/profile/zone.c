// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `zone NAME PEER, ...`: a name for a set of prefixes. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "profile/parser.h"

#define MAX_ZONES 4096

static bool zone_name_ok(const char *w)
{
	if (!isalpha((unsigned char)w[0]) && w[0] != '_')
		return false;
	for (size_t i = 1; w[i]; i++)
		if (!isalnum((unsigned char)w[i]) && w[i] != '_' && w[i] != '-')
			return false;
	return true;
}

void ps_parse_zone(struct stmt *st)
{
	struct parser *ps = st->ps;
	struct pc_profile *p = ps->p;
	const struct pc_tok *name, *t;
	struct pc_prefix *v = NULL;
	size_t n = 0;
	bool define = true;
	char buf[256];
	int old;

	ps_next(st);
	name = ps_next(st);
	if (!ps_is_word(name, NULL)) {
		error_at(st, name ? ps_tpos(st, name) : ps_here(st),
			 "expected a zone name after 'zone'%s, as in: zone lan "
			 "10.0.0.0/8, fc00::/7",
			 ps_found(name, buf, sizeof(buf)));
		return;
	}
	old = ps_find_zone(p, name->text);
	if (!strcmp(name->text, "any") || !strcmp(name->text, "internet")) {
		error_at(st, ps_tpos(st, name), "'%s' is a predefined zone; choose another name",
			 name->text);
		define = false;
	} else if (!zone_name_ok(name->text)) {
		error_at(st, ps_tpos(st, name),
			 "'%s' is not a valid zone name; use letters, digits, '_' "
			 "and '-', starting with a letter or '_'",
			 name->text);
		define = false;
	} else if (old >= 0) {
		error_at(st, ps_tpos(st, name),
			 "zone '%s' is already defined at %s; choose another name, "
			 "or add these peers to that definition",
			 name->text, ps_where(st, p->zones[old].pos, buf, sizeof(buf)));
		define = false;
	} else if (strlen(name->text) >= PC_TEXT_PEER) {
		/* Rules show their peer's name in PC_TEXT_PEER bytes. */
		error_at(st, ps_tpos(st, name),
			 "zone name '%s' is longer than %d bytes; shorten it", name->text,
			 PC_TEXT_PEER - 1);
	}
	for (;;) {
		struct peer peer;
		const struct pc_prefix *add;
		size_t k;

		t = ps_next(st);
		if (!ps_is_word(t, NULL)) {
			error_at(st, t ? ps_tpos(st, t) : ps_here(st),
				 "expected an address, prefix, zone or host name "
				 "after '%s'%s",
				 st->l->toks[st->i - (t ? 2 : 1)].text,
				 ps_found(t, buf, sizeof(buf)));
			break;
		}
		if (ps_parse_peer(st, t, true, &peer) == 0) {
			add = peer.kind == PC_PEER_ZONE ? p->zones[peer.zone].prefixes : peer.v;
			k = peer.kind == PC_PEER_ZONE ? p->zones[peer.zone].n_prefixes : peer.n;
			if (ps_prefixes_append(&v, &n, add, k))
				error_at(st, ps_tpos(st, t), "out of memory");
			free(peer.v);
		}
		t = ps_next(st);
		if (!t)
			break;
		if (t->kind != PC_TOK_COMMA) {
			error_at(st, ps_tpos(st, t),
				 "expected ',' between the peers of a zone%s; write "
				 "'%s, %s'",
				 ps_found(t, buf, sizeof(buf)), st->l->toks[st->i - 2].text,
				 t->text);
			break;
		}
	}
	if (define && p->n_zones == MAX_ZONES) {
		if (!ps->zones_full)
			error_at(st, ps_tpos(st, name), "more than %d zones; merge some of them",
				 MAX_ZONES);
		ps->zones_full = true;
		define = false;
	}
	if (define && p->n_zones == ps->zones_cap) {
		size_t cap = ps->zones_cap ? 2 * ps->zones_cap : 16;
		struct pc_zone *z = realloc(p->zones, cap * sizeof(*z));

		if (!z) {
			error_at(st, ps_tpos(st, name), "out of memory");
			define = false;
		} else {
			p->zones = z;
			ps->zones_cap = cap;
		}
	}
	if (define) {
		/* Defined even after an error in its peers, so that its uses do not
		 * add "unknown zone" errors to the real one. */
		struct pc_zone *z = &p->zones[p->n_zones];

		z->name = strdup(name->text);
		if (!z->name) {
			error_at(st, ps_tpos(st, name), "out of memory");
			free(v);
			return;
		}
		z->pos = ps_tpos(st, &st->l->toks[0]);
		z->prefixes = v;
		z->n_prefixes = ps_prefixes_dedupe(v, n);
		p->n_zones++;
		return;
	}
	free(v);
}

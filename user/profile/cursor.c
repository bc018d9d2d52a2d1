// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The statement cursor: tokens and positions, did you mean, numbers. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "profile/parser.h"

/* --- Tokens and positions ------------------------------------------------------ */

struct pc_pos ps_tpos(const struct stmt *st, const struct pc_tok *t)
{
	return (struct pc_pos){ st->src, st->line, t->col };
}

const struct pc_tok *ps_peek(const struct stmt *st)
{
	return st->i < st->l->n ? &st->l->toks[st->i] : NULL;
}

const struct pc_tok *ps_next(struct stmt *st)
{
	const struct pc_tok *t = ps_peek(st);

	if (t)
		st->i++;
	return t;
}

/* Where the next token is, or where a missing one belongs: after the last. */
struct pc_pos ps_here(const struct stmt *st)
{
	const struct pc_tok *t = ps_peek(st);

	if (t)
		return ps_tpos(st, t);
	return (struct pc_pos){ st->src, st->line, st->l->n ? st->l->toks[st->l->n - 1].end : 1 };
}

bool ps_is_word(const struct pc_tok *t, const char *w)
{
	return t && t->kind == PC_TOK_WORD && (!w || !strcmp(t->text, w));
}

/* ", found 'x'" for messages about an unexpected token; "" at the end of line. */
const char *ps_found(const struct pc_tok *t, char *buf, size_t len)
{
	if (!t)
		snprintf(buf, len, "%s", "");
	else if (t->kind == PC_TOK_STRING)
		snprintf(buf, len, ", found the label \"%s\"", t->text);
	else
		snprintf(buf, len, ", found '%s'", t->text);
	return buf;
}

/* "line 7" when pos is in the statement's own file, "other.conf:7" otherwise. */
const char *ps_where(const struct stmt *st, struct pc_pos pos, char *buf, size_t len)
{
	if (pos.src == st->src)
		snprintf(buf, len, "line %d", pos.line);
	else
		snprintf(buf, len, "%s:%d", st->ps->d->sources[pos.src].path, pos.line);
	return buf;
}

/* --- Did you mean ---------------------------------------------------------------- */

/* Optimal string alignment distance, case-insensitive: a swapped pair of letters
 * ("tpc") is one typo, as is a wrong case ("TCP"). */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t d[33][33];

	if (la > 32 || lb > 32)
		return SIZE_MAX;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			int ca = tolower((unsigned char)a[i - 1]);
			int cb = tolower((unsigned char)b[j - 1]);
			size_t v = d[i - 1][j - 1] + (ca != cb);

			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
			    cb == tolower((unsigned char)a[i - 2]) && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

/* The closest candidate, if it is close enough to be what was meant. */
const char *ps_suggest(const char *w, const char *const *cands, size_t n)
{
	size_t len = strlen(w);
	/* A third of the word may be wrong: "tpc" is tcp, "line" is not zone. */
	size_t best = len < 6 ? 1 : len / 3;
	const char *pick = NULL;

	for (size_t i = 0; i < n; i++) {
		size_t dist = distance(w, cands[i]);

		if (dist <= best && strcmp(w, cands[i])) {
			best = dist ? dist - 1 : 0;
			pick = cands[i];
			if (!dist)
				break;
		}
	}
	return pick;
}

/* "; did you mean 'x'?" or "". */
const char *ps_did_you_mean(const char *w, const char *const *cands, size_t n, char *buf,
			    size_t len)
{
	const char *s = ps_suggest(w, cands, n);

	if (s)
		snprintf(buf, len, "; did you mean '%s'?", s);
	else
		snprintf(buf, len, "%s", "");
	return buf;
}

/* --- Numbers ----------------------------------------------------------------------- */

/* Decimal digits only, no sign, no spaces: what an operator writes. */
int ps_parse_uint(const char *s, size_t n, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (!n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
		if (v > max)
			return -2;
	}
	*out = v;
	return 0;
}

/* "N" or "LO-HI". Returns 0, -1 when w is neither, -2 when a number is above
 * max, -3 when LO > HI. */
int ps_parse_range(const char *w, unsigned long max, struct pc_range *r)
{
	const char *dash = strchr(w, '-');
	unsigned long lo, hi;
	int err;

	if (!dash) {
		err = ps_parse_uint(w, strlen(w), max, &lo);
		hi = lo;
	} else {
		err = ps_parse_uint(w, (size_t)(dash - w), max, &lo);
		if (err != -1) {
			int e2 = ps_parse_uint(dash + 1, strlen(dash + 1), max, &hi);

			err = e2 == -1 ? -1 : err ? err : e2;
		}
	}
	if (err)
		return err;
	if (lo > hi)
		return -3;
	r->lo = (uint16_t)lo;
	r->hi = (uint16_t)hi;
	return 0;
}

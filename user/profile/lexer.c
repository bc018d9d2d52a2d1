// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Splits a profile line into tokens; the parser never sees bytes that are not text. */
#include <stdlib.h>
#include <string.h>

#include "profile/lexer.h"

int pc_utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	int len;

	if (c < 0x80)
		return 1;
	/* 0x80..0xc1 are continuation bytes or overlong two-byte forms. */
	if (c < 0xc2 || c > 0xf4)
		return 0;
	len = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
	if (n < (size_t)len)
		return 0;
	for (int i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* Overlong three- and four-byte forms, UTF-16 surrogates, beyond U+10FFFF. */
	if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] >= 0xa0) ||
	    (c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] >= 0x90))
		return 0;
	return len;
}

static void tok_free(struct pc_tok *t)
{
	free(t->text);
	t->text = NULL;
}

void pc_line_free(struct pc_line *l)
{
	for (size_t i = 0; i < l->n; i++)
		tok_free(&l->toks[i]);
	free(l->toks);
	l->toks = NULL;
	l->n = l->cap = 0;
}

static void line_clear(struct pc_line *l)
{
	for (size_t i = 0; i < l->n; i++)
		tok_free(&l->toks[i]);
	l->n = 0;
}

static int push(struct pc_line *l, enum pc_tok_kind kind, char *text, int col, int end)
{
	if (!text)
		return -1;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct pc_tok *t = realloc(l->toks, cap * sizeof(*t));

		if (!t) {
			free(text);
			return -1;
		}
		l->toks = t;
		l->cap = cap;
	}
	l->toks[l->n++] = (struct pc_tok){ kind, text, col, end };
	return 0;
}

static struct pc_pos at_col(struct pc_pos at, size_t i)
{
	at.col = (int)i + 1;
	return at;
}

/* Rejects, once per line, what a text editor would not have written: NUL and
 * other control bytes, and anything that is not UTF-8. */
static int check_text(struct pc_diags *d, struct pc_pos at, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; i < len;) {
		unsigned c = u[i];
		int n;

		if (c == 0) {
			pc_diag_add(d, PC_ERROR, at_col(at, i),
				    "NUL byte in the profile; is this a text file? "
				    "A profile is UTF-8 text");
			return -1;
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			pc_diag_add(d, PC_ERROR, at_col(at, i),
				    "control character 0x%02x; remove it (a profile "
				    "is UTF-8 text)",
				    c);
			return -1;
		}
		n = pc_utf8_seq(u + i, len - i);
		if (!n) {
			pc_diag_add(d, PC_ERROR, at_col(at, i),
				    "byte 0x%02x is not valid UTF-8; save the profile "
				    "as UTF-8 text (is this a binary file?)",
				    c);
			return -1;
		}
		i += n;
	}
	return 0;
}

/* Returns -1 after reporting an error, -2 when out of memory. */
static int lex_string(struct pc_diags *d, struct pc_pos at, const char *s, size_t len, size_t *ip,
		      struct pc_line *out)
{
	size_t start = *ip, i = start + 1;
	char *buf = malloc(len - start);
	size_t n = 0;

	if (!buf)
		return -2;
	for (; i < len && s[i] != '"'; i++) {
		if (s[i] != '\\') {
			buf[n++] = s[i];
			continue;
		}
		if (i + 1 < len && (s[i + 1] == '"' || s[i + 1] == '\\')) {
			buf[n++] = s[++i];
			continue;
		}
		pc_diag_add(d, PC_ERROR, at_col(at, i),
			    "unknown escape in a label; only \\\" and \\\\ are "
			    "escapes (write \\\\ for a backslash)");
		free(buf);
		return -1;
	}
	if (i == len) {
		pc_diag_add(d, PC_ERROR, at_col(at, start),
			    "unterminated label: add the closing '\"'");
		free(buf);
		return -1;
	}
	buf[n] = '\0';
	*ip = i + 1;
	return push(out, PC_TOK_STRING, buf, (int)start + 1, (int)i + 2) ? -2 : 0;
}

int pc_lex_line(struct pc_diags *d, struct pc_pos at, const char *s, size_t len,
		struct pc_line *out)
{
	size_t i = 0;

	line_clear(out);
	/* Files written on Windows end their lines with CR LF. */
	if (len && s[len - 1] == '\r')
		len--;
	if (check_text(d, at, s, len))
		return -1;
	/* A byte order mark is UTF-8's way of saying "UTF-8": nothing to parse. */
	if (at.line == 1 && len >= 3 && !memcmp(s, "\xef\xbb\xbf", 3))
		i = 3;
	while (i < len) {
		char c = s[i];
		size_t start = i;

		if (c == ' ' || c == '\t') {
			i++;
		} else if (c == '#') {
			break;
		} else if (c == ',') {
			i++;
			if (push(out, PC_TOK_COMMA, strdup(","), (int)start + 1, (int)i + 1))
				goto oom;
		} else if (c == '"') {
			int err = lex_string(d, at, s, len, &i, out);

			if (err == -1)
				return -1;
			if (err)
				goto oom;
		} else {
			while (i < len && !strchr(" \t,\"#", s[i]))
				i++;
			if (push(out, PC_TOK_WORD, strndup(s + start, i - start), (int)start + 1,
				 (int)i + 1))
				goto oom;
		}
	}
	return 0;
oom:
	pc_diag_add(d, PC_ERROR, at_col(at, i), "out of memory");
	return -1;
}

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The profile lexer: splits one line into words, commas and quoted labels, and
 * rejects what is not UTF-8 text before the parser sees it. */
#ifndef PC_PROFILE_LEXER_H
#define PC_PROFILE_LEXER_H

#include <stddef.h>

#include "profile/diag.h"

enum pc_tok_kind { PC_TOK_WORD, PC_TOK_COMMA, PC_TOK_STRING };

struct pc_tok {
	enum pc_tok_kind kind;
	char *text; /* the word, "," or the label with its escapes undone */
	int col;    /* 1-based byte column of the token's first byte */
	int end;    /* column just past the token (past the closing quote) */
};

struct pc_line {
	struct pc_tok *toks;
	size_t n;
	size_t cap;
};

/* Splits s[0..len) (one line, without its '\n') into out, which it clears first.
 * at gives the source and line; errors are reported at their column. Returns -1
 * after an error (the line's tokens are then incomplete), 0 otherwise. */
int pc_lex_line(struct pc_diags *d, struct pc_pos at, const char *s, size_t len,
		struct pc_line *out);
void pc_line_free(struct pc_line *l);

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if s[0] starts none.
 * Shared with the diagnostic printer, which must line its caret up the same way. */
int pc_utf8_seq(const unsigned char *s, size_t n);

#endif /* PC_PROFILE_LEXER_H */

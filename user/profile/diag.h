/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Compiler-style diagnostics: FILE:LINE:COL: error|warning: MESSAGE, the source line
 * and a caret. Collected in a list so that tests can inspect them and the CLI prints
 * them once. */
#ifndef PC_PROFILE_DIAG_H
#define PC_PROFILE_DIAG_H

#include <stddef.h>
#include <stdio.h>

/* A source file read by the parser; diagnostics point into it. */
struct pc_source {
	char *path; /* as opened (relative paths resolved against the includer) */
	char *text; /* whole file, NUL-terminated */
};

/* A position: source index into pc_diags.sources, 1-based line and column (bytes).
 * src < 0 means "no position" (the message is printed without FILE:LINE:COL). */
struct pc_pos {
	int src;
	int line;
	int col;
};

enum pc_level { PC_WARNING, PC_ERROR };

struct pc_diag {
	enum pc_level level;
	struct pc_pos pos;
	char *msg;
	/* A warning's kind ("shadowed", "non-ip-drop"), printed after the message as
	 * "[ID]" so that an operator can look it up in docs/profile.md's Lint section and
	 * tests can tell warnings apart; NULL for errors. A static string. */
	const char *id;
};

struct pc_diags {
	struct pc_source *sources;
	size_t n_sources;
	struct pc_diag *items;
	size_t n_items;
	size_t n_errors;
	size_t n_warnings;
};

/* Adds a source; returns its index or -1 (out of memory). Takes ownership of text. */
int pc_diags_add_source(struct pc_diags *d, const char *path, char *text);
void pc_diag_add(struct pc_diags *d, enum pc_level level, struct pc_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* A warning of kind id (see struct pc_diag). */
void pc_diag_warn(struct pc_diags *d, struct pc_pos pos, const char *id, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* `check --strict`: every warning becomes an error (its id stays), so that a profile
 * with any warning is refused. */
void pc_diags_strict(struct pc_diags *d);
/* Prints every diagnostic in order: header line, the source line, a caret. */
void pc_diags_print(const struct pc_diags *d, FILE *out);
/* Formats one diagnostic's header "FILE:LINE:COL: error: MSG" into buf. */
void pc_diag_format(const struct pc_diags *d, const struct pc_diag *it, char *buf, size_t len);
void pc_diags_free(struct pc_diags *d);

#endif /* PC_PROFILE_DIAG_H */

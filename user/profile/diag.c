// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Collects diagnostics and prints them compiler style, with the line and a caret. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "profile/diag.h"
#include "profile/lexer.h"

int pc_diags_add_source(struct pc_diags *d, const char *path, char *text)
{
	struct pc_source *s;
	char *p = strdup(path);

	if (!p)
		goto fail;
	s = realloc(d->sources, (d->n_sources + 1) * sizeof(*s));
	if (!s)
		goto fail;
	d->sources = s;
	d->sources[d->n_sources] = (struct pc_source){ p, text };
	return (int)d->n_sources++;
fail:
	free(p);
	free(text);
	return -1;
}

static void diag_vadd(struct pc_diags *d, enum pc_level level, struct pc_pos pos, const char *id,
		      const char *fmt, va_list ap)
{
	char *msg = NULL;

	/* Count first: an error must fail the parse even when memory is short. */
	if (level == PC_ERROR)
		d->n_errors++;
	else
		d->n_warnings++;
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	/* Capacity is the next power of two: grow when n_items reaches one. */
	if (!(d->n_items & (d->n_items - 1))) {
		size_t cap = d->n_items ? 2 * d->n_items : 1;
		struct pc_diag *it = realloc(d->items, cap * sizeof(*it));

		if (!it) {
			free(msg);
			return;
		}
		d->items = it;
	}
	d->items[d->n_items++] = (struct pc_diag){ level, pos, msg, id };
}

void pc_diag_add(struct pc_diags *d, enum pc_level level, struct pc_pos pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(d, level, pos, NULL, fmt, ap);
	va_end(ap);
}

void pc_diag_warn(struct pc_diags *d, struct pc_pos pos, const char *id, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(d, PC_WARNING, pos, id, fmt, ap);
	va_end(ap);
}

void pc_diags_strict(struct pc_diags *d)
{
	for (size_t i = 0; i < d->n_items; i++)
		if (d->items[i].level == PC_WARNING)
			d->items[i].level = PC_ERROR;
	d->n_errors += d->n_warnings;
	d->n_warnings = 0;
}

static const struct pc_source *source_of(const struct pc_diags *d, struct pc_pos pos)
{
	if (pos.src < 0 || (size_t)pos.src >= d->n_sources || pos.line < 1)
		return NULL;
	return &d->sources[pos.src];
}

void pc_diag_format(const struct pc_diags *d, const struct pc_diag *it, char *buf, size_t len)
{
	const struct pc_source *s = source_of(d, it->pos);
	const char *level = it->level == PC_ERROR ? "error" : "warning";
	const char *msg = it->msg ? it->msg : "(out of memory)";
	const char *open = it->id ? " [" : "", *id = it->id ? it->id : "",
		   *close = it->id ? "]" : "";

	if (!len)
		return;
	if (s)
		snprintf(buf, len, "%s:%d:%d: %s: %s%s%s%s", s->path, it->pos.line, it->pos.col,
			 level, msg, open, id, close);
	else
		snprintf(buf, len, "%s: %s%s%s%s", level, msg, open, id, close);
}

/* At most this many bytes of a long line are shown, around the caret: a binary file
 * or a minified line must not flood the terminal. */
#define EXCERPT_MAX 120

/* Moves off the middle of a UTF-8 sequence, forwards. */
static size_t char_start(const unsigned char *l, size_t i, size_t n)
{
	while (i < n && (l[i] & 0xc0) == 0x80)
		i++;
	return i;
}

/* Where the last excerpt's line starts. Diagnostics come mostly in line order, so
 * finding the next line from here, not from the top of the file, keeps printing the
 * 8,000 warnings of a 32,766-rule profile linear (from the top it took a second). */
struct line_cursor {
	int src;
	int line;
	const char *at;
};

/* The start of line pos.line of text, or NULL when the text is shorter. */
static const char *line_start(const char *text, struct pc_pos pos, struct line_cursor *c)
{
	const char *l = text;
	int line = 1;

	if (c->src == pos.src && c->at && c->line <= pos.line) {
		l = c->at;
		line = c->line;
	}
	for (; line < pos.line; line++) {
		const char *nl = strchr(l, '\n');

		if (!nl)
			return NULL;
		l = nl + 1;
	}
	*c = (struct line_cursor){ pos.src, line, l };
	return l;
}

/* The line, with bytes a terminal would misread shown as '?', and under it a
 * caret whose padding copies the line's tabs and counts a multi-byte character
 * as one column, so that it lines up in any tab width. A long line is cut to the
 * EXCERPT_MAX bytes around the column, with "..." where it was cut. */
static void print_excerpt(const char *text, struct pc_pos pos, struct line_cursor *c, FILE *out)
{
	const unsigned char *l = (const unsigned char *)line_start(text, pos, c);
	size_t n, i, from = 0, to, col = (size_t)pos.col - 1;

	if (!l)
		return;
	n = strcspn((const char *)l, "\n");
	if (n && l[n - 1] == '\r')
		n--;
	to = n;
	if (n > EXCERPT_MAX) {
		from = col > EXCERPT_MAX / 2 ? char_start(l, col - EXCERPT_MAX / 2, n) : 0;
		to = from + EXCERPT_MAX < n ? char_start(l, from + EXCERPT_MAX, n) : n;
	}
	fputs(from ? "..." : "", out);
	for (i = from; i < to;) {
		int k = pc_utf8_seq(l + i, n - i);

		if (k && (l[i] >= 0x20 || l[i] == '\t') && l[i] != 0x7f)
			fwrite(l + i, 1, k, out);
		else
			fputc('?', out);
		i += k ? k : 1;
	}
	fputs(to < n ? "...\n" : "\n", out);
	fputs(from ? "   " : "", out);
	for (i = from; i < col;) {
		int k = i < n ? pc_utf8_seq(l + i, n - i) : 1;

		fputc(i < n && l[i] == '\t' ? '\t' : ' ', out);
		i += k ? k : 1;
	}
	fputs("^\n", out);
}

static void diags_print_to(const struct pc_diags *d, FILE *out);

/* Diagnostics go to stderr, which has no buffer: printed there directly, each
 * character of a caret line was a write(2), 280,000 of them for the 8,000 warnings of
 * a large profile. They are put together in memory and written at once. */
void pc_diags_print(const struct pc_diags *d, FILE *out)
{
	char *mem = NULL;
	size_t len = 0;
	FILE *m = d->n_items ? open_memstream(&mem, &len) : NULL;

	if (!m) {
		diags_print_to(d, out);
		return;
	}
	diags_print_to(d, m);
	if (!fclose(m))
		fwrite(mem, 1, len, out);
	else
		diags_print_to(d, out);
	free(mem);
}

static void diags_print_to(const struct pc_diags *d, FILE *out)
{
	struct line_cursor c = { .src = -1 };
	char buf[4096];

	for (size_t i = 0; i < d->n_items; i++) {
		const struct pc_diag *it = &d->items[i];
		const struct pc_source *s = source_of(d, it->pos);

		pc_diag_format(d, it, buf, sizeof(buf));
		fprintf(out, "%s\n", buf);
		if (s && s->text && it->pos.col >= 1)
			print_excerpt(s->text, it->pos, &c, out);
	}
}

void pc_diags_free(struct pc_diags *d)
{
	for (size_t i = 0; i < d->n_sources; i++) {
		free(d->sources[i].path);
		free(d->sources[i].text);
	}
	for (size_t i = 0; i < d->n_items; i++)
		free(d->items[i].msg);
	free(d->sources);
	free(d->items);
	memset(d, 0, sizeof(*d));
}

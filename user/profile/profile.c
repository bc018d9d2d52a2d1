// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The profile parser's entry points: files and includes, and the dispatch of each
 * line's statement to zone.c, rule.c or set.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profile/digest.h"
#include "profile/hosts.h"
#include "profile/parser.h"

#define MAX_FILE_SIZE (16u << 20)
/* After this many errors the rest is mostly noise caused by the first ones. */
#define MAX_ERRORS 20

static const char *const keywords[] = { "allow", "drop", "zone", "set", "include" };

/* --- include and files ------------------------------------------------------------------- */

static void parse_file(struct parser *ps, const char *path, struct pc_pos from);

static void parse_include(struct stmt *st)
{
	struct parser *ps = st->ps;
	const struct pc_tok *t;
	const char *dir = ps->stack[ps->depth - 1].dir;
	char fnd[256], *path;

	ps_next(st);
	t = ps_next(st);
	if (!t || t->kind == PC_TOK_COMMA || !t->text[0]) {
		error_at(st, t ? ps_tpos(st, t) : ps_here(st),
			 "expected a file name after 'include'%s", ps_found(t, fnd, sizeof(fnd)));
		return;
	}
	if (ps_peek(st)) {
		error_at(st, ps_tpos(st, ps_peek(st)),
			 "unexpected '%s' after the file name; quote a name that has "
			 "spaces: include \"my file.conf\"",
			 ps_peek(st)->text);
		return;
	}
	if (ps->depth > MAX_INCLUDE_DEPTH) {
		error_at(st, ps_tpos(st, t),
			 "includes nest more than %d deep; include some of these "
			 "files from a shallower one",
			 MAX_INCLUDE_DEPTH);
		return;
	}
	if (t->text[0] == '/' || !dir[0])
		path = strdup(t->text);
	else if (asprintf(&path, "%s/%s", dir, t->text) < 0)
		path = NULL;
	if (!path) {
		error_at(st, ps_tpos(st, t), "out of memory");
		return;
	}
	parse_file(ps, path, ps_tpos(st, t));
	free(path);
}

static void statement(struct stmt *st)
{
	const struct pc_tok *t = ps_peek(st);
	static const char *const synonyms[][2] = {
		{ "accept", "allow" }, { "pass", "allow" }, { "permit", "allow" },
		{ "deny", "drop" },    { "block", "drop" }, { "reject", "drop" },
	};
	const char *mean = NULL;
	char dym[128];

	if (t->kind != PC_TOK_WORD) {
		error_at(st, ps_tpos(st, t),
			 "expected a statement (allow, drop, zone, set or include), "
			 "found %s",
			 t->kind == PC_TOK_STRING ? "a label" : "','");
		return;
	}
	if (!strcmp(t->text, "allow") || !strcmp(t->text, "drop"))
		ps_parse_rule(st);
	else if (!strcmp(t->text, "zone"))
		ps_parse_zone(st);
	else if (!strcmp(t->text, "set"))
		ps_parse_set(st);
	else if (!strcmp(t->text, "include"))
		parse_include(st);
	else {
		for (size_t i = 0; i < N_ELEMS(synonyms); i++)
			if (!strcasecmp(t->text, synonyms[i][0]))
				mean = synonyms[i][1];
		if (mean)
			snprintf(dym, sizeof(dym), "; did you mean '%s'?", mean);
		else
			ps_did_you_mean(t->text, keywords, N_ELEMS(keywords), dym, sizeof(dym));
		error_at(st, ps_tpos(st, t),
			 "unknown statement '%s'%s (a statement starts with allow, "
			 "drop, zone, set or include)",
			 t->text, dym);
	}
}

static void check_error_limit(struct parser *ps)
{
	if (ps->stopped || ps->d->n_errors - ps->errors_before < MAX_ERRORS)
		return;
	ps->stopped = true;
	pc_diag_add(ps->d, PC_ERROR, (struct pc_pos){ .src = -1 },
		    "too many errors, stopped after %d; fix these and run again", MAX_ERRORS);
}

static void parse_text(struct parser *ps, int src, const char *text, size_t len)
{
	struct pc_line l = { 0 };
	size_t off = 0;
	int line = 1;

	while (off < len && !ps->stopped) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (text + off)) : len - off;
		struct pc_pos at = { src, line, 1 };

		if (!pc_lex_line(ps->d, at, text + off, n, &l) && l.n) {
			struct stmt st = { ps, src, line, &l, 0 };

			statement(&st);
		}
		check_error_limit(ps);
		off += n + 1;
		line++;
	}
	pc_line_free(&l);
}

/* Reads a whole file of at most max bytes. Returns 0 or an errno; EFBIG when it is
 * larger. */
static int read_all(int fd, size_t max, char **text, size_t *len)
{
	size_t n = 0, cap = 0;
	char *buf = NULL;

	for (;;) {
		ssize_t r;

		if (n + 1 >= cap) {
			char *nb;

			cap = cap ? 2 * cap : 65536;
			if (cap > max + 2)
				cap = max + 2;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				return ENOMEM;
			}
			buf = nb;
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = errno;

			free(buf);
			return err;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			free(buf);
			return EFBIG;
		}
	}
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return 0;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return strdup("");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

/* Reports a file that cannot be parsed: at the include that names it, or without
 * a position for the profile itself. */
static void file_error(struct parser *ps, struct pc_pos from, const char *path, int err)
{
	const char *what = from.src < 0 ? "profile " : "";

	if (err == EFBIG && from.src >= 0)
		pc_diag_add(ps->d, PC_ERROR, from,
			    "cannot read '%s': the profile and its includes would be larger "
			    "than %u MiB together; is it a profile?",
			    path, MAX_FILE_SIZE >> 20);
	else if (err == EFBIG)
		pc_diag_add(ps->d, PC_ERROR, from,
			    "cannot read %s'%s': it is larger than %u MiB; is it "
			    "a profile?",
			    what, path, MAX_FILE_SIZE >> 20);
	else if (err == ENOENT && from.src >= 0 && path[0] != '/')
		pc_diag_add(ps->d, PC_ERROR, from,
			    "cannot read '%s': %s; the path is relative to the "
			    "including file's directory",
			    path, strerror(err));
	else
		pc_diag_add(ps->d, PC_ERROR, from, "cannot read %s'%s': %s", what, path,
			    strerror(err));
}

static const char *file_kind(mode_t mode)
{
	return S_ISDIR(mode)	? "a directory"
	       : S_ISFIFO(mode) ? "a FIFO"
	       : S_ISCHR(mode)	? "a character device"
	       : S_ISBLK(mode)	? "a block device"
	       : S_ISSOCK(mode) ? "a socket"
				: "not a regular file";
}

/* Only a regular file has an end that comes: reading a FIFO or a terminal waits for
 * a writer that may never come, and a device such as /dev/zero never ends. */
static bool not_regular(struct parser *ps, struct pc_pos from, const char *path,
			const struct stat *sb)
{
	if (S_ISREG(sb->st_mode))
		return false;
	pc_diag_add(ps->d, PC_ERROR, from,
		    "cannot read %s'%s': it is %s; a profile and the files it includes must be "
		    "regular files",
		    from.src < 0 ? "profile " : "", path, file_kind(sb->st_mode));
	return true;
}

static bool in_cycle(struct parser *ps, struct pc_pos from, const char *path, const struct stat *sb)
{
	char chain[1024];
	size_t n = 0;
	int i;

	for (i = 0; i < ps->depth; i++)
		if (ps->stack[i].has_id && ps->stack[i].dev == sb->st_dev &&
		    ps->stack[i].ino == sb->st_ino)
			break;
	if (i == ps->depth)
		return false;
	chain[0] = '\0';
	for (; i < ps->depth && n < sizeof(chain); i++)
		n += (size_t)snprintf(chain + n, sizeof(chain) - n, "%s -> ", ps->stack[i].path);
	if (n < sizeof(chain))
		snprintf(chain + n, sizeof(chain) - n, "%s", path);
	pc_diag_add(ps->d, PC_ERROR, from, "include cycle: %s; remove one of these includes",
		    chain);
	return true;
}

/* Reading a file twice would define its zones twice and repeat its rules (the
 * copies shadowed): say so at the include, not at the zones. */
static bool included_twice(struct parser *ps, struct pc_pos from, const char *path,
			   const struct stat *sb)
{
	struct included *f;
	char buf[256];

	for (size_t i = 0; i < ps->n_files; i++) {
		const struct included *o = &ps->files[i];

		if (o->dev != sb->st_dev || o->ino != sb->st_ino)
			continue;
		if (o->from.src < 0 || from.src < 0)
			snprintf(buf, sizeof(buf), "%s", "as the profile itself");
		else if (o->from.src == from.src)
			snprintf(buf, sizeof(buf), "at line %d", o->from.line);
		else
			snprintf(buf, sizeof(buf), "at %s:%d", ps->d->sources[o->from.src].path,
				 o->from.line);
		pc_diag_add(ps->d, PC_ERROR, from,
			    "'%s' is already included %s; include each file once", path, buf);
		return true;
	}
	f = realloc(ps->files, (ps->n_files + 1) * sizeof(*f));
	if (f) {
		ps->files = f;
		ps->files[ps->n_files++] = (struct included){ sb->st_dev, sb->st_ino, from };
	}
	return false;
}

static void parse_source(struct parser *ps, int src, const char *text, size_t len, char *dir,
			 const struct stat *sb)
{
	struct frame *f = &ps->stack[ps->depth++];

	*f = (struct frame){ .path = ps->d->sources[src].path, .dir = dir };
	if (sb) {
		f->has_id = true;
		f->dev = sb->st_dev;
		f->ino = sb->st_ino;
	}
	parse_text(ps, src, text, len);
	ps->depth--;
	free(dir);
}

static void parse_file(struct parser *ps, const char *path, struct pc_pos from)
{
	struct stat sb;
	size_t len = 0;
	char *text = NULL, *dir;
	int fd, err, src;

	/* O_NONBLOCK: opening a FIFO would otherwise wait for a writer before fstat
	 * could tell what it is. It changes nothing for a regular file. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		file_error(ps, from, path, errno);
		return;
	}
	if (fstat(fd, &sb)) {
		err = errno;
	} else if (not_regular(ps, from, path, &sb) || in_cycle(ps, from, path, &sb) ||
		   included_twice(ps, from, path, &sb)) {
		close(fd);
		return;
	} else {
		err = read_all(fd, MAX_FILE_SIZE - ps->bytes, &text, &len);
	}
	close(fd);
	if (err) {
		file_error(ps, from, path, err);
		return;
	}
	ps->bytes += len;
	dir = dir_of(path);
	src = pc_diags_add_source(ps->d, path, text);
	if (src < 0 || !dir) {
		pc_diag_add(ps->d, PC_ERROR, from, "out of memory reading '%s'", path);
		free(dir);
		return;
	}
	parse_source(ps, src, text, len, dir, &sb);
	/* The diagnostics print the text as a C string: NUL bytes, already
	 * reported, would cut it short. */
	for (size_t i = 0; i < len; i++)
		if (!text[i])
			text[i] = '?';
}

/* --- Entry points ------------------------------------------------------------------------ */

static void profile_init(struct pc_profile *p)
{
	const struct pc_pos none = { .src = -1 };

	memset(p, 0, sizeof(*p));
	p->opt = (struct pc_options){
		.state = true,
		.eph_lo = 1024,
		.eph_hi = 65535,
		.non_ip_pass = true,
		.fragments = PC_FRAG_TRACK,
		.log_rate = 100,
		.default_pass = false,
		.egress_enforce = false,
		.timeout_tcp = PC_TIMEOUT_TCP,
		.timeout_udp = PC_TIMEOUT_UDP,
		.timeout_icmp = PC_TIMEOUT_ICMP,
		.flows_max = PC_FLOWS_DEFAULT,
		.timeout_tcp_pos = none,
		.timeout_udp_pos = none,
		.timeout_icmp_pos = none,
		.flows_pos = none,
		.rules_pos = none,
		.state_pos = none,
		.eph_pos = none,
		.non_ip_pos = none,
		.fragments_pos = none,
		.log_pos = none,
		.default_pos = none,
		.egress_pos = none,
	};
}

/* An empty profile (or one of comments, or a byte order mark) would load and drop
 * every IP frame without a word: a truncated or wrong file must not do that. No rules
 * is accepted when the profile says so, and `set rules none` beside rules is a
 * contradiction. top is the profile's own source. */
static void check_rule_count(struct parser *ps, int top)
{
	const struct pc_profile *p = ps->p;
	char buf[256];

	if (ps->d->n_errors != ps->errors_before || top < 0)
		return;
	if (!p->n_rules && !p->opt.no_rules)
		pc_diag_add(ps->d, PC_ERROR, (struct pc_pos){ top, 1, 1 },
			    "the profile has no rules, so it would %s every IP frame; add rules, "
			    "or write `set rules none` if that is what you mean",
			    p->opt.default_pass ? "pass (`set default pass`)" : "drop");
	if (p->n_rules && p->opt.no_rules) {
		struct stmt st = { .ps = ps, .src = p->opt.rules_pos.src };

		pc_diag_add(ps->d, PC_ERROR, p->opt.rules_pos,
			    "`set rules none` says the profile has no rules, but it has %zu (the "
			    "first at %s); delete one or the other",
			    p->n_rules, ps_where(&st, p->rules[0].pos, buf, sizeof(buf)));
	}
}

/* The host names go to the profile, whose text is summed from the sources this parse
 * read (from first on). */
static int finish(struct parser *ps, size_t first)
{
	ps->p->hosts = ps->hosts;
	pc_profile_sha256(ps->d, first, ps->p->sha256);
	free(ps->files);
	return ps->d->n_errors ? -1 : 0;
}

int pc_profile_parse_keeping(const char *path, const struct pc_hosts *last, struct pc_profile *out,
			     struct pc_diags *d)
{
	struct parser ps = { .d = d, .p = out, .errors_before = d->n_errors, .last = last };

	int top = (int)d->n_sources;

	profile_init(out);
	parse_file(&ps, path, (struct pc_pos){ .src = -1 });
	check_rule_count(&ps, (size_t)top < d->n_sources ? top : -1);
	return finish(&ps, (size_t)top);
}

int pc_profile_parse(const char *path, struct pc_profile *out, struct pc_diags *d)
{
	return pc_profile_parse_keeping(path, NULL, out, d);
}

int pc_profile_parse_string(const char *name, const char *text, struct pc_profile *out,
			    struct pc_diags *d)
{
	struct parser ps = { .d = d, .p = out, .errors_before = d->n_errors };
	char *copy = strdup(text), *dir = strdup("");
	size_t first = d->n_sources;
	int src;

	profile_init(out);
	src = copy ? pc_diags_add_source(d, name, copy) : -1;
	if (src < 0 || !dir) {
		pc_diag_add(d, PC_ERROR, (struct pc_pos){ .src = -1 }, "out of memory");
		free(dir);
		return finish(&ps, first);
	}
	parse_source(&ps, src, copy, strlen(copy), dir, NULL);
	check_rule_count(&ps, src);
	return finish(&ps, first);
}

void pc_profile_free(struct pc_profile *p)
{
	for (size_t i = 0; i < p->n_zones; i++) {
		free(p->zones[i].name);
		free(p->zones[i].prefixes);
	}
	for (size_t i = 0; i < p->n_rules; i++)
		ps_rule_free(&p->rules[i]);
	free(p->zones);
	free(p->rules);
	pc_hosts_free(&p->hosts);
	memset(p, 0, sizeof(*p));
}

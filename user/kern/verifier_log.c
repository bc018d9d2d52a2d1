// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The tail of libbpf's messages, and the explanation of a failed load made from it. */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "kern/verifier_log.h"

/* The kernels `make vmtest` and `make check` run the suite on (docs/kernels.md). */
#define PC_TESTED_KERNELS                                                                          \
	"Linux 5.10, 6.1 and 6.12 (the kernels of Debian 11, 12 and 13, make vmtest) and 6.18"

static char *tail[PC_VLOG_LINES];
static size_t tail_next, tail_n;

void pc_vlog_reset(void)
{
	for (size_t i = 0; i < PC_VLOG_LINES; i++) {
		free(tail[i]);
		tail[i] = NULL;
	}
	tail_next = tail_n = 0;
}

static void keep_line(const char *s, size_t len)
{
	char *line = strndup(s, len);

	if (!line)
		return;
	free(tail[tail_next]);
	tail[tail_next] = line;
	tail_next = (tail_next + 1) % PC_VLOG_LINES;
	if (tail_n < PC_VLOG_LINES)
		tail_n++;
}

void pc_vlog_add(const char *fmt, va_list ap)
{
	char *text, *p, *nl;

	if (vasprintf(&text, fmt, ap) < 0)
		return;
	for (p = text; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl) {
			keep_line(p, strlen(p));
			break;
		}
		keep_line(p, (size_t)(nl - p));
	}
	free(text);
}

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* The program named in libbpf's "prog 'NAME': ..." line, if s is one. */
static bool prog_name(const char *s, char *out, size_t size)
{
	const char *a = strstr(s, "prog '"), *b;

	if (!starts(s, "libbpf: ") || !a || (!strstr(s, "LOAD LOG") && !strstr(s, "failed")))
		return false;
	a += strlen("prog '");
	b = strchr(a, '\'');
	if (!b)
		return false;
	snprintf(out, size, "%.*s", (int)(b - a), a);
	return true;
}

/* Lines after the last message: statistics the verifier adds at its end. */
static bool is_epilogue(const char *s)
{
	return !*s || starts(s, "processed ") || starts(s, "verification time") ||
	       starts(s, "stack depth") || starts(s, "-- END") || starts(s, "libbpf: ");
}

/* "; SOURCE" or, from newer kernels, "; SOURCE @ FILE:LINE". */
static void split_source(const char *s, struct pc_vlog_parts *out)
{
	const char *at = strstr(s, " @ ");

	if (at && strchr(at, ':')) {
		snprintf(out->source, sizeof(out->source), "%.*s", (int)(at - s), s);
		snprintf(out->where, sizeof(out->where), "%s", at + 3);
	} else {
		snprintf(out->source, sizeof(out->source), "%s", s);
	}
}

bool pc_vlog_parse(const char *const *lines, size_t n, struct pc_vlog_parts *out)
{
	size_t begin = n, end = n, msg;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n; i++)
		if (prog_name(lines[i], out->prog, sizeof(out->prog)) && strstr(lines[i], "BEGIN"))
			begin = i + 1;
	if (begin == n)
		begin = 0; /* the tail starts inside a long log */
	for (end = begin; end < n && !starts(lines[end], "-- END"); end++)
		;
	for (msg = end; msg > begin && is_epilogue(lines[msg - 1]); msg--)
		;
	if (msg == begin)
		return false;
	snprintf(out->message, sizeof(out->message), "%s", lines[msg - 1]);
	for (size_t i = msg - 1; i-- > begin;)
		if (starts(lines[i], "; ")) {
			split_source(lines[i] + 2, out);
			break;
		}
	return true;
}

/* --- Where a source line is, from the object's .BTF.ext line info ----------------- */

struct btf_hdr {
	uint16_t magic;
	uint8_t version, flags;
	uint32_t hdr_len, type_off, type_len, str_off, str_len;
};

struct btf_ext_hdr {
	uint16_t magic;
	uint8_t version, flags;
	uint32_t hdr_len, func_info_off, func_info_len, line_info_off, line_info_len;
};

struct line_rec {
	uint32_t insn_off, file_name_off, line_off, line_col;
};

static Elf_Data *section(Elf *elf, const char *name)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		const char *n;

		if (!gelf_getshdr(scn, &sh) || !(n = elf_strptr(elf, shstrndx, sh.sh_name)))
			continue;
		if (!strcmp(n, name))
			return elf_getdata(scn, NULL);
	}
	return NULL;
}

static const char *btf_str(const Elf_Data *btf, uint32_t off)
{
	const struct btf_hdr *h = btf->d_buf;
	size_t at = (size_t)h->hdr_len + h->str_off + off;

	if (off >= h->str_len || at >= btf->d_size)
		return NULL;
	return (const char *)btf->d_buf + at;
}

static const char *ltrim(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* The first line-info record whose text is source: FILE:LINE into where. */
static void find_in_line_info(const Elf_Data *btf, const Elf_Data *ext, const char *source,
			      char *where, size_t size)
{
	const struct btf_ext_hdr *h = ext->d_buf;
	const uint8_t *p, *end;
	uint32_t rec_size;

	if (ext->d_size < sizeof(*h) || btf->d_size < sizeof(struct btf_hdr) ||
	    (size_t)h->hdr_len + h->line_info_off + h->line_info_len > ext->d_size ||
	    h->line_info_len < 4)
		return;
	p = (const uint8_t *)ext->d_buf + h->hdr_len + h->line_info_off;
	end = p + h->line_info_len;
	memcpy(&rec_size, p, 4);
	if (rec_size < sizeof(struct line_rec))
		return;
	for (p += 4; p + 8 <= end;) {
		uint32_t num;

		memcpy(&num, p + 4, 4);
		p += 8;
		for (uint32_t i = 0; i < num && p + rec_size <= end; i++, p += rec_size) {
			struct line_rec r;
			const char *text, *file;

			memcpy(&r, p, sizeof(r));
			text = btf_str(btf, r.line_off);
			file = btf_str(btf, r.file_name_off);
			if (text && file && !strcmp(ltrim(text), source)) {
				snprintf(where, size, "%s:%u", file, r.line_col >> 10);
				return;
			}
		}
	}
}

static void locate(const void *obj, size_t size, const char *source, char *where, size_t wsize)
{
	Elf *elf;
	Elf_Data *btf, *ext;

	if (!obj || !source[0] || elf_version(EV_CURRENT) == EV_NONE)
		return;
	elf = elf_memory((char *)obj, size);
	if (!elf)
		return;
	btf = section(elf, ".BTF");
	ext = section(elf, ".BTF.ext");
	if (btf && ext)
		find_in_line_info(btf, ext, source, where, wsize);
	elf_end(elf);
}

int pc_vlog_explain(const void *elf, size_t elf_size, int err, const char *what, struct pc_err *e)
{
	const char *lines[PC_VLOG_LINES];
	struct pc_vlog_parts parts;
	struct utsname u;
	char *obj = NULL;

	for (size_t i = 0; i < tail_n; i++)
		lines[i] = tail[(tail_next + PC_VLOG_LINES - tail_n + i) % PC_VLOG_LINES];
	if (err == -EPERM || !pc_vlog_parse(lines, tail_n, &parts))
		return pc_fail(e, err,
			       err == -EPERM ? "run as root (CAP_BPF and CAP_NET_ADMIN)"
					     : "run with -v to see libbpf's messages",
			       "%s", what);
	if (!parts.where[0] && elf) {
		/* elf_memory() wants a writable image. */
		obj = malloc(elf_size);
		if (obj) {
			memcpy(obj, elf, elf_size);
			locate(obj, elf_size, parts.source, parts.where, sizeof(parts.where));
		}
		free(obj);
	}
	if (uname(&u))
		snprintf(u.release, sizeof(u.release), "unknown");
	pc_fail(e, err, NULL, "%s: the kernel's verifier rejected program %s", what,
		parts.prog[0] ? parts.prog : "(unnamed)");
	snprintf(e->msg + strlen(e->msg), sizeof(e->msg) - strlen(e->msg),
		 "\n  at %s: %s\n  verifier: %s\n  this kernel is %s; portcullis is tested on "
		 "%s: report this with the output of -v, which shows the whole verifier log",
		 parts.where[0] ? parts.where : "an unknown line",
		 parts.source[0] ? parts.source : "(no source line in the log)", parts.message,
		 u.release, PC_TESTED_KERNELS);
	return -1;
}

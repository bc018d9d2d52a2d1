// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* libFuzzer target for the lexer, the parser, the compiler and the lint: any bytes as
 * a profile file must either compile, its lint's warnings each at a FILE:LINE:COL
 * inside the text, or end in an error with such a position, and never crash, leak or
 * hang (ASan, UBSan and libFuzzer watch for that).
 *
 * The input is written to input.conf in a private directory that also holds a few
 * files to include (a zone file, an include cycle, binary garbage). The build links
 * this file with --wrap for three libc calls the parser makes, so that a fuzz input
 * cannot reach past that directory or the network:
 *   open()         refuses absolute paths and ".." components (EACCES): `include
 *                  /dev/stdin` would hang, `include /proc/...` would read the host;
 *   getaddrinfo()  answers from a hash of the name, instantly; names ending in
 *                  ".invalid" resolve to nothing, like the real one;
 *   freeaddrinfo() frees what the fake getaddrinfo() allocated. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compile/compile.h"
#include "compile/duties.h"
#include "compile/lint.h"
#include "profile/profile.h"

int __real_open(const char *path, int flags, ...);

/* --- The sandbox --------------------------------------------------------------------- */

static bool escapes(const char *path)
{
	const char *p = path;

	if (path[0] == '/')
		return true;
	while ((p = strstr(p, "..")) != NULL) {
		if ((p == path || p[-1] == '/') && (p[2] == '/' || p[2] == '\0'))
			return true;
		p += 2;
	}
	return false;
}

int __wrap_open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;

	if (flags & O_CREAT) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	if (escapes(path)) {
		errno = EACCES;
		return -1;
	}
	return __real_open(path, flags, mode);
}

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

static struct addrinfo *fake_addr(int family, uint32_t h, struct addrinfo *next)
{
	struct addrinfo *ai = calloc(1, sizeof(*ai));
	struct sockaddr_in6 *sin6;
	struct sockaddr_in *sin;

	if (!ai)
		return next;
	ai->ai_family = family;
	ai->ai_socktype = SOCK_STREAM;
	ai->ai_next = next;
	if (family == AF_INET) {
		sin = calloc(1, sizeof(*sin));
		if (sin) {
			sin->sin_family = AF_INET;
			sin->sin_addr.s_addr = htonl(0xc0000200u | (h & 0xff)); /* 192.0.2.x */
		}
		ai->ai_addr = (struct sockaddr *)sin;
		ai->ai_addrlen = sizeof(*sin);
	} else {
		sin6 = calloc(1, sizeof(*sin6));
		if (sin6) {
			sin6->sin6_family = AF_INET6;
			sin6->sin6_addr.s6_addr[0] = 0x20; /* 2001:db8::/32 */
			sin6->sin6_addr.s6_addr[1] = 0x01;
			sin6->sin6_addr.s6_addr[2] = 0x0d;
			sin6->sin6_addr.s6_addr[3] = 0xb8;
			memcpy(&sin6->sin6_addr.s6_addr[12], &h, 4);
		}
		ai->ai_addr = (struct sockaddr *)sin6;
		ai->ai_addrlen = sizeof(*sin6);
	}
	if (!ai->ai_addr) {
		free(ai);
		return next;
	}
	return ai;
}

int __wrap_getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
		       struct addrinfo **res)
{
	size_t n = node ? strlen(node) : 0;
	struct addrinfo *list = NULL;
	uint32_t h;

	(void)service;
	(void)hints;
	*res = NULL;
	if (!n || (n >= 8 && !strcmp(node + n - 8, ".invalid")))
		return EAI_NONAME;
	h = hash(node);
	/* One to three records, either family, a few names sharing addresses. */
	if (h & 1)
		list = fake_addr(AF_INET, h >> 4, list);
	if (h & 2)
		list = fake_addr(AF_INET6, h >> 4, list);
	if (!list || (h & 4))
		list = fake_addr(AF_INET, h >> 12, list);
	*res = list;
	return list ? 0 : EAI_MEMORY;
}

void __wrap_freeaddrinfo(struct addrinfo *ai)
{
	while (ai) {
		struct addrinfo *next = ai->ai_next;

		free(ai->ai_addr);
		free(ai);
		ai = next;
	}
}

static void put(const char *name, const char *text, size_t len)
{
	FILE *f = fopen(name, "w");

	if (!f || fwrite(text, 1, len, f) != len || fclose(f)) {
		perror(name);
		abort();
	}
}

static const char *const files[] = { "zones.conf", "rules.conf", "a.conf",	   "b.conf",
				     "self.conf",  "bin.conf",	 "sub/inner.conf", "input.conf" };
static char sandbox[] = "/tmp/pc-fuzz-XXXXXX";

static void remove_sandbox(void)
{
	if (chdir(sandbox))
		return;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		unlink(files[i]);
	rmdir("sub");
	if (!chdir("/"))
		rmdir(sandbox);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char garbage[] = { 0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, (char)0xff, '\n' };
	static const char *const texts[] = {
		"zone lan 10.0.0.0/8, fd00::/8\nzone mx mx.example.com\n",
		"allow in from lan tcp port 22\nallow out udp port domain\n",
		"include b.conf\n",
		"include a.conf\n",
		"include self.conf\n",
		NULL,
		"include ../zones.conf\nset state off\n",
	};

	(void)argc;
	(void)argv;
	if (!mkdtemp(sandbox) || chdir(sandbox) || mkdir("sub", 0700)) {
		perror("fuzz_profile: a private directory");
		abort();
	}
	atexit(remove_sandbox);
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		if (texts[i])
			put(files[i], texts[i], strlen(texts[i]));
		else
			put(files[i], garbage, sizeof(garbage));
	}
	return 0;
}

/* --- The property ---------------------------------------------------------------------- */

/* Bytes of line `line` (1-based) of text, or -1 beyond the last line. */
static long line_len(const char *text, int line)
{
	const char *p = text, *nl;

	for (int i = 1; i < line; i++) {
		nl = strchr(p, '\n');
		if (!nl)
			return -1;
		p = nl + 1;
	}
	nl = strchr(p, '\n');
	return nl ? nl - p : (long)strlen(p);
}

/* A diagnostic of this level with FILE:LINE:COL inside its source, printed that way. */
static bool positioned(const struct pc_diags *d, const struct pc_diag *it, enum pc_level level)
{
	char buf[4096], head[512];
	long n;

	if (it->level != level || it->pos.src < 0 || (size_t)it->pos.src >= d->n_sources ||
	    it->pos.line < 1 || it->pos.col < 1)
		return false;
	n = line_len(d->sources[it->pos.src].text, it->pos.line);
	if (n < 0 || it->pos.col > n + 1)
		return false;
	pc_diag_format(d, it, buf, sizeof(buf));
	snprintf(head, sizeof(head), "%s:%d:%d: %s: ", d->sources[it->pos.src].path, it->pos.line,
		 it->pos.col, level == PC_ERROR ? "error" : "warning");
	return !strncmp(buf, head, strlen(head));
}

/* Every warning of the lint, from the n-th diagnostic on, has an id and a position. */
static void check_lint(const struct pc_diags *d, size_t from)
{
	for (size_t i = from; i < d->n_items; i++) {
		if (d->items[i].id && positioned(d, &d->items[i], PC_WARNING))
			continue;
		fprintf(stderr, "fuzz_profile: a lint warning without an id or a position:\n");
		pc_diags_print(d, stderr);
		abort();
	}
}

static void check_errors(const struct pc_diags *d)
{
	for (size_t i = 0; i < d->n_items; i++)
		if (positioned(d, &d->items[i], PC_ERROR))
			return;
	fprintf(stderr, "fuzz_profile: rejected without a positioned error:\n");
	pc_diags_print(d, stderr);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pc_profile p;
	struct pc_diags d = { 0 };
	struct pc_image img = { 0 };
	char *out = NULL;
	size_t out_len = 0;
	FILE *m;
	int err;

	put("input.conf", (const char *)data, size);
	err = pc_profile_parse("input.conf", &p, &d);
	if (!err)
		err = pc_compile(&p, &img, &d);
	if (err) {
		check_errors(&d);
	} else {
		size_t before = d.n_items;

		if (d.n_errors)
			abort(); /* success with an error reported */
		pc_lint(&p, &d);
		check_lint(&d, before);
		/* `check`'s note block reads the image. */
		m = open_memstream(&out, &out_len);
		if (m) {
			pc_duties_print(&p, &img, &d, m);
			fclose(m);
		}
		free(out);
		out = NULL;
	}
	/* The printer too: carets under tabs, UTF-8, long lines. */
	m = open_memstream(&out, &out_len);
	if (m) {
		pc_diags_print(&d, m);
		fclose(m);
	}
	free(out);
	pc_image_free(&img);
	pc_profile_free(&p);
	pc_diags_free(&d);
	return 0;
}

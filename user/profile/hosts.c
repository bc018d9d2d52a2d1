// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Host names and their addresses: lookups, comparison, and the record a generation
 * keeps of them. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "profile/hosts.h"
#include "profile/prefix.h"

void pc_hosts_free(struct pc_hosts *h)
{
	for (size_t i = 0; i < h->n; i++) {
		free(h->v[i].name);
		free(h->v[i].v);
	}
	free(h->v);
	h->v = NULL;
	h->n = 0;
}

const struct pc_host *pc_hosts_find(const struct pc_hosts *h, const char *name)
{
	for (size_t i = 0; i < h->n; i++)
		if (!strcmp(h->v[i].name, name))
			return &h->v[i];
	return NULL;
}

bool pc_host_same(const struct pc_host *a, const struct pc_host *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (pc_prefix_cmp(&a->v[i], &b->v[i]))
			return false;
	return true;
}

const char *pc_host_addrs(const struct pc_host *h, char *buf, size_t len)
{
	size_t off = 0;

	snprintf(buf, len, "no address");
	for (size_t i = 0; i < h->n && off < len; i++) {
		char a[INET6_ADDRSTRLEN + 8];

		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? ", " : "",
					pc_prefix_text(&h->v[i], a, sizeof(a)));
	}
	return buf;
}

/* --- The record ----------------------------------------------------------------------- */

/* Appends to a growing string; false when out of memory. */
struct text {
	char *s;
	size_t len, cap;
	bool oom;
};

static void add(struct text *t, const char *s)
{
	size_t n = strlen(s);

	if (t->oom)
		return;
	if (t->len + n + 1 > t->cap) {
		size_t cap = (t->len + n + 1) * 2;
		char *ns = realloc(t->s, cap);

		if (!ns) {
			t->oom = true;
			return;
		}
		t->s = ns;
		t->cap = cap;
	}
	memcpy(t->s + t->len, s, n + 1);
	t->len += n;
}

char *pc_hosts_format(const struct pc_hosts *h, const uint8_t sha256[PC_SHA256_LEN])
{
	struct text t = { 0 };
	char line[64 + 2 * PC_SHA256_LEN], hex[2 * PC_SHA256_LEN + 1];

	pc_sha256_hex(sha256, hex);
	snprintf(line, sizeof(line), "portcullis-hosts %d\nsha256 %s\n", PC_HOSTS_FORMAT, hex);
	add(&t, line);
	for (size_t i = 0; i < h->n; i++) {
		add(&t, h->v[i].name);
		for (size_t k = 0; k < h->v[i].n; k++) {
			char a[INET6_ADDRSTRLEN + 8];

			add(&t, " ");
			add(&t, pc_prefix_text(&h->v[i].v[k], a, sizeof(a)));
		}
		add(&t, "\n");
	}
	if (t.oom) {
		free(t.s);
		return NULL;
	}
	return t.s;
}

static int parse_addr(const char *w, struct pc_prefix *p)
{
	bool v6 = strchr(w, ':');

	memset(p, 0, sizeof(*p));
	p->family = v6 ? 6 : 4;
	p->len = v6 ? 128 : 32;
	return inet_pton(v6 ? AF_INET6 : AF_INET, w, p->addr) == 1 ? 0 : -1;
}

/* One line: the name, then its addresses. */
static int parse_host(char *line, struct pc_hosts *out)
{
	char *save = NULL, *w = strtok_r(line, " ", &save);
	struct pc_host *h;

	if (!w)
		return -1;
	h = realloc(out->v, (out->n + 1) * sizeof(*h));
	if (!h)
		return -1;
	out->v = h;
	h = &h[out->n];
	*h = (struct pc_host){ .name = strdup(w) };
	if (!h->name)
		return -1;
	out->n++;
	while ((w = strtok_r(NULL, " ", &save))) {
		struct pc_prefix *v = realloc(h->v, (h->n + 1) * sizeof(*v));

		if (!v)
			return -1;
		h->v = v;
		if (parse_addr(w, &h->v[h->n]))
			return -1;
		h->n++;
	}
	return 0;
}

int pc_hosts_parse(const char *text, struct pc_hosts *out, uint8_t sha256[PC_SHA256_LEN])
{
	char *copy = strdup(text), *save = NULL, *line;
	int version = 0, err = -1;

	memset(out, 0, sizeof(*out));
	if (!copy)
		return -1;
	line = strtok_r(copy, "\n", &save);
	if (!line || sscanf(line, "portcullis-hosts %d", &version) != 1 ||
	    version != PC_HOSTS_FORMAT)
		goto out;
	line = strtok_r(NULL, "\n", &save);
	if (!line || strncmp(line, "sha256 ", 7) || pc_sha256_parse(line + 7, sha256))
		goto out;
	err = 0;
	while (!err && (line = strtok_r(NULL, "\n", &save)))
		err = parse_host(line, out);
out:
	free(copy);
	if (err)
		pc_hosts_free(out);
	return err;
}

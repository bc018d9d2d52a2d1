// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Mixes of mix.h: the built-in default and mix files. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf.h>

#include "core/rule_text.h"
#include "traffic/mix.h"

/* What reaches a mail appliance, by weight (per 100 frames): most of it belongs to SMTP
 * sessions already open, some is new, some is probes the matrix drops. */
const char pc_mix_default_text[] =
	"# name          weight         packet (explain's words)\n"
	"smtp-syn             5         tcp from 198.51.100.7 port 40001 to port 25 flags syn\n"
	"smtp-established    40         tcp from 198.51.100.7 port 40001 to port 25 flags ack\n"
	"tcp-denied          15         tcp from 203.0.113.9 port 40002 to port 22 flags syn\n"
	"dns-reply           10 reply   udp from 198.51.100.53 port 53 to port 40003\n"
	"icmp-echo            5         icmp from 10.2.3.4 type echo-request\n"
	"ipv6-tcp            15         tcp from 2001:db8::7 port 40004 to port 25 flags ack\n"
	"vlan-tcp             5         tcp from 198.51.100.8 port 40005 to port 443 flags syn "
	"vlan 100\n"
	"arp                  5         arp\n";

static int grow(struct pc_mix *m, struct pc_err *e)
{
	struct pc_stream *s;
	size_t cap = m->cap ? m->cap * 2 : 16;

	if (m->n < m->cap)
		return 0;
	s = realloc(m->s, cap * sizeof(*s));
	if (!s)
		return pc_fail(e, ENOMEM, NULL, "building the mix");
	m->s = s;
	m->cap = cap;
	return 0;
}

static bool name_taken(const struct pc_mix *m, const char *name)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->s[i].name, name))
			return true;
	return false;
}

int pc_mix_add(struct pc_mix *m, const char *name, unsigned weight, bool reply,
	       const struct pc_packet *pk, struct pc_err *e)
{
	struct pkt *f;
	struct pc_stream *s;

	if (grow(m, e))
		return -1;
	f = malloc(sizeof(*f));
	if (!f)
		return pc_fail(e, ENOMEM, NULL, "building the mix");
	s = &m->s[m->n];
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	for (int i = 2; name_taken(m, s->name); i++)
		snprintf(s->name, sizeof(s->name), "%.*s-%d", PC_MIX_NAME - 12, name, i);
	s->weight = weight;
	s->reply = reply;
	s->pk = *pk;
	pc_packet_frame(pk, f);
	if (f->len < PC_MIX_FRAME_MIN)
		pkt_pad(f, PC_MIX_FRAME_MIN - f->len);
	/* Cut, the frame would be another one (its IP length beyond it: malformed). */
	if (f->len > PC_MIX_FRAME_MAX) {
		size_t len = f->len;

		free(f);
		return pc_usage(
			e, "the frame of stream %s is %zu bytes, more than a stream holds (%d)",
			s->name, len, PC_MIX_FRAME_MAX);
	}
	s->len = f->len;
	memcpy(s->frame, f->data, s->len);
	free(f);
	s->want_counter = s->want_action = -1;
	s->counter = s->action = -1;
	m->n++;
	return 0;
}

uint64_t pc_mix_total_weight(const struct pc_mix *m)
{
	uint64_t w = 0;

	for (size_t i = 0; i < m->n; i++)
		w += m->s[i].weight;
	return w;
}

void pc_mix_free(struct pc_mix *m)
{
	free(m->s);
	memset(m, 0, sizeof(*m));
}

static bool valid_name(const char *s)
{
	if (!*s || strlen(s) >= PC_MIX_NAME)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("._-", *s))
			return false;
	return true;
}

/* NAME WEIGHT [reply] PACKET... */
static int parse_line(char **w, int n, struct pc_mix *m, const char *where, struct pc_err *e)
{
	struct pc_packet pk;
	char *end;
	unsigned long weight;
	bool reply;

	if (n < 3)
		return pc_usage(e, "%s: expected NAME WEIGHT [reply] PACKET", where);
	if (!valid_name(w[0]))
		return pc_usage(e,
				"%s: a stream name is letters, digits, '.', '_' and '-', at "
				"most %d: %s",
				where, PC_MIX_NAME - 1, w[0]);
	if (name_taken(m, w[0]))
		return pc_usage(e, "%s: a second stream named %s", where, w[0]);
	errno = 0;
	weight = strtoul(w[1], &end, 10);
	if (errno || *end || weight < 1 || weight > PC_MIX_WEIGHT_MAX)
		return pc_usage(e, "%s: the weight is a number, 1-%d: %s", where, PC_MIX_WEIGHT_MAX,
				w[1]);
	reply = !strcmp(w[2], "reply");
	if (pc_packet_parse(n - 2 - reply, w + 2 + reply, &pk, e) ||
	    pc_mix_add(m, w[0], weight, reply, &pk, e)) {
		char msg[sizeof(e->msg)];

		snprintf(msg, sizeof(msg), "%s", e->msg);
		return e->exit_code == 2 ? pc_usage(e, "%s: %s", where, msg) : -1;
	}
	return 0;
}

int pc_mix_parse(const char *name, const char *text, struct pc_mix *m, struct pc_err *e)
{
	char *copy = strdup(text), *save = NULL, *line;
	int lineno = 0, err = 0;

	if (!copy)
		return pc_fail(e, ENOMEM, NULL, "reading the mix %s", name);
	snprintf(m->origin, sizeof(m->origin), "%s", name);
	/* strtok_r would merge empty lines and so lose count of them. */
	for (line = copy; line && !err; line = save) {
		char where[300], *w[64], *tok, *s2;
		int n = 0;

		save = strchr(line, '\n');
		if (save)
			*save++ = '\0';
		lineno++;
		if (strchr(line, '#'))
			*strchr(line, '#') = '\0';
		for (tok = strtok_r(line, " \t\r", &s2); tok && n < 64;
		     tok = strtok_r(NULL, " \t\r", &s2))
			w[n++] = tok;
		if (!n)
			continue;
		snprintf(where, sizeof(where), "%s:%d", name, lineno);
		err = parse_line(w, n, m, where, e);
	}
	free(copy);
	if (!err && !m->n)
		err = pc_usage(e, "%s: no stream; a line is NAME WEIGHT [reply] PACKET", name);
	return err;
}

int pc_mix_default(struct pc_mix *m, struct pc_err *e)
{
	return pc_mix_parse("built-in default mix", pc_mix_default_text, m, e);
}

int pc_mix_read(const char *path, struct pc_mix *m, struct pc_err *e)
{
	FILE *f = fopen(path, "r");
	char *text;
	long len;
	int err;

	if (!f)
		return pc_usage(e, "cannot open the mix %s: %s", path, strerror(errno));
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) ||
	    !(text = calloc(1, len + 1))) {
		fclose(f);
		return pc_fail(e, errno, NULL, "reading the mix %s", path);
	}
	if (fread(text, 1, len, f) != (size_t)len) {
		fclose(f);
		free(text);
		return pc_fail(e, EIO, NULL, "reading the mix %s", path);
	}
	fclose(f);
	err = pc_mix_parse(path, text, m, e);
	free(text);
	return err;
}

int pc_mix_load(const char *what, const struct pc_profile *p, const char *profile_path,
		struct pc_mix *m, struct pc_err *e)
{
	if (!what || !strcmp(what, "default"))
		return pc_mix_default(m, e);
	if (strcmp(what, "profile"))
		return pc_mix_read(what, m, e);
	if (!p)
		return pc_usage(e, "--mix profile derives the mix from a profile: add "
				   "--profile PROFILE");
	if (pc_mix_from_profile(p, m, e))
		return -1;
	snprintf(m->origin, sizeof(m->origin), "derived from %s", profile_path);
	return 0;
}

const char *pc_mix_outcome(const struct pc_stream *s, const struct pc_rule_info *info,
			   uint32_t n_rules, char *buf, size_t len)
{
	const char *verdict = s->action == XDP_PASS ? "PASS" : "DROP";

	if (s->counter < 0)
		snprintf(buf, len, "?");
	else if (s->counter < PC_CNT_IMPLICIT)
		snprintf(buf, len, "%s %s", verdict, pc_implicit_name(s->counter));
	else if (info && (uint32_t)(s->counter - PC_CNT_IMPLICIT) < n_rules)
		snprintf(buf, len, "%s line %u", verdict, info[s->counter - PC_CNT_IMPLICIT].line);
	else
		snprintf(buf, len, "%s rule %d", verdict, s->counter - PC_CNT_IMPLICIT);
	return buf;
}

void pc_mix_write(const struct pc_mix *m, const struct pc_rule_info *info, uint32_t n_rules,
		  FILE *out)
{
	fprintf(out, "# %s: %zu streams; NAME WEIGHT [reply] PACKET\n", m->origin, m->n);
	for (size_t i = 0; i < m->n; i++) {
		const struct pc_stream *s = &m->s[i];
		char words[256], outcome[64];

		fprintf(out, "%-28s %4u %-5s %s", s->name, s->weight, s->reply ? "reply" : "",
			pc_packet_words(&s->pk, words, sizeof(words)));
		if (s->counter >= 0)
			fprintf(out, "  # %s",
				pc_mix_outcome(s, info, n_rules, outcome, sizeof(outcome)));
		fputc('\n', out);
	}
}

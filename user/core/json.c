// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The JSON outputs through json-c, and the escaping of Prometheus label values. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/json.h"

/* "/" escaped as "\/" is valid but makes every path unreadable. */
static int print_flags = JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE;

void pc_json_set_pretty(bool pretty)
{
	print_flags = JSON_C_TO_STRING_NOSLASHESCAPE |
		      (pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED
			      : JSON_C_TO_STRING_PLAIN);
}

void pc_json_print(FILE *out, struct json_object *o)
{
	fputs(json_object_to_json_string_ext(o, print_flags), out);
	fputc('\n', out);
	/* A pipe reader of a stream sees each object as it comes. */
	fflush(out);
	json_object_put(o);
}

/* The length of the well-formed UTF-8 sequence at s (Unicode's table 3-7: no
 * overlong forms, no surrogates, nothing above U+10FFFF), or 0. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t n;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

char *pc_json_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	/* Each bad byte grows to three. */
	char *buf = malloc(strlen(s) * 3 + 1), *w = buf;

	if (!buf)
		return NULL;
	while (*p) {
		size_t n = utf8_len(p);

		if (n) {
			memcpy(w, p, n);
			w += n;
			p += n;
		} else {
			memcpy(w, "\xef\xbf\xbd", 3);
			w += 3;
			p++;
		}
	}
	*w = 0;
	return buf;
}

struct json_object *pc_json_string(const char *s)
{
	struct json_object *o;
	char *clean;

	if (!s)
		return NULL;
	clean = pc_json_utf8(s);
	if (!clean)
		return NULL;
	o = json_object_new_string(clean);
	free(clean);
	return o;
}

struct json_object *pc_json_string_or_null(const char *s)
{
	return s && s[0] ? pc_json_string(s) : NULL;
}

struct json_object *pc_json_time(long long wall_ns)
{
	time_t t = (time_t)(wall_ns / 1000000000LL);
	int ms = (int)(wall_ns % 1000000000LL / 1000000);
	char date[40], zone[8] = "+0000", text[64];
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(zone, sizeof(zone), "%z", &tm);
	/* strftime writes +hhmm; RFC 3339 spells it +hh:mm. */
	snprintf(text, sizeof(text), "%s.%03d%.3s:%.2s", date, ms, zone, zone + 3);
	return json_object_new_string(text);
}

struct json_object *pc_json_fixed(double v, int decimals)
{
	char text[64];

	snprintf(text, sizeof(text), "%.*f", decimals, v);
	return json_object_new_double_s(v, text);
}

void pc_json_add(struct json_object *o, const char *key, struct json_object *v)
{
	json_object_object_add(o, key, v);
}

void pc_json_add_str(struct json_object *o, const char *key, const char *s)
{
	json_object_object_add(o, key, pc_json_string(s));
}

void pc_json_add_u64(struct json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_uint64(v));
}

void pc_json_add_i64(struct json_object *o, const char *key, int64_t v)
{
	json_object_object_add(o, key, json_object_new_int64(v));
}

void pc_json_add_bool(struct json_object *o, const char *key, bool v)
{
	json_object_object_add(o, key, json_object_new_boolean(v));
}

void pc_prom_label(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(out, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", out);
		else
			fputc(*s, out);
	}
}

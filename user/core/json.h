/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The JSON outputs, built with json-c: one convention for every command (docs/portcullis.8,
 * JSON OUTPUT): valid UTF-8 whatever the operator wrote, times as RFC 3339 strings, and
 * compact or (-p) pretty printing chosen once by main.c. Also the Prometheus label
 * escaping. */
#ifndef PC_CORE_JSON_H
#define PC_CORE_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

/* -p: every later pc_json_print() pretty-prints. */
void pc_json_set_pretty(bool pretty);
/* Prints o (compact, on one line, unless pretty) and a newline, flushes, and frees o. */
void pc_json_print(FILE *out, struct json_object *o);

/* A JSON string of s (NULL: null). Bytes that are not UTF-8 become U+FFFD each, so
 * the output stays valid UTF-8 whatever a label, name or path holds. */
struct json_object *pc_json_string(const char *s);
/* The same, with "" as null: an absent label or match. */
struct json_object *pc_json_string_or_null(const char *s);
/* wall_ns (CLOCK_REALTIME) as RFC 3339 in local time, milliseconds and the offset:
 * "2025-03-01T12:00:00.250+01:00". */
struct json_object *pc_json_time(long long wall_ns);
/* A number written with `decimals` digits after the point (seconds, rates). */
struct json_object *pc_json_fixed(double v, int decimals);

/* o[key] = v; v NULL is null. */
void pc_json_add(struct json_object *o, const char *key, struct json_object *v);
void pc_json_add_str(struct json_object *o, const char *key, const char *s);
void pc_json_add_u64(struct json_object *o, const char *key, uint64_t v);
void pc_json_add_i64(struct json_object *o, const char *key, int64_t v);
void pc_json_add_bool(struct json_object *o, const char *key, bool v);

/* A copy of s (malloc'd; NULL when out of memory) in which each byte that does not
 * begin or continue a well-formed UTF-8 sequence is U+FFFD: what pc_json_string()
 * writes. */
char *pc_json_utf8(const char *s);

/* Writes s escaped for a Prometheus label value (quotes not included). */
void pc_prom_label(FILE *out, const char *s);

#endif /* PC_CORE_JSON_H */

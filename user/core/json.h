/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* String quoting for the JSON and Prometheus outputs. */
#ifndef PC_CORE_JSON_H
#define PC_CORE_JSON_H

#include <stdio.h>

/* Writes s as a JSON string literal, quotes included. */
void pc_json_str(FILE *out, const char *s);
/* Writes s escaped for a Prometheus label value (quotes not included). */
void pc_prom_label(FILE *out, const char *s);

#endif /* PC_CORE_JSON_H */

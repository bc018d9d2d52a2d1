/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* How a loaded rule reads, in one place: as profile text for people (stats, explain,
 * log, the reload diff) and as the JSON object of a rule for scripts. */
#ifndef PC_CORE_RULE_TEXT_H
#define PC_CORE_RULE_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/error.h"
#include "core/json.h"
#include "portcullis.h"

/* "allow" or "drop"; "in" or "out". */
/* The name of implicit counter i as docs/semantics.md §7.1 spells it ("non-ip",
 * "no-match"...). */
const char *pc_implicit_name(unsigned i);
/* The same as a JSON key or value: "non_ip", "no_match"... */
const char *pc_implicit_key(unsigned i);
const char *pc_rule_action(const struct pc_rule_info *r);
const char *pc_rule_direction(const struct pc_rule_info *r);
/* `allow in from internet tcp port 25 "SMTP: receive email"`, as in the profile. */
const char *pc_rule_text(const struct pc_rule_info *r, char *buf, size_t len);
/* {"line": 39, "action": "allow", "direction", "peer", "proto", "match", "label"}: a
 * rule in every JSON output (match and label null when the rule has none); the caller
 * may add members. */
struct json_object *pc_rule_json(const struct pc_rule_info *r);

/* The file a rule is in, from the profile's file names ("" when unknown). */
const char *pc_rule_file(const struct pc_rule_info *r, const struct pc_file_name *files,
			 uint32_t n_files);

#endif /* PC_CORE_RULE_TEXT_H */

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Rule descriptions shared by every command that names a rule. */
#include <errno.h>
#include <stdlib.h>

#include "core/json.h"
#include "core/rule_text.h"

static const char *const implicit_names[PC_CNT_IMPLICIT] = {
	[PC_CNT_NON_IP] = "non-ip",	[PC_CNT_MALFORMED] = "malformed", [PC_CNT_NDP] = "ndp",
	[PC_CNT_FRAGMENT] = "fragment", [PC_CNT_NO_MATCH] = "no-match",
};

/* The same as JSON keys and values, snake_case (docs/portcullis.8, JSON OUTPUT). */
static const char *const implicit_keys[PC_CNT_IMPLICIT] = {
	[PC_CNT_NON_IP] = "non_ip",	[PC_CNT_MALFORMED] = "malformed", [PC_CNT_NDP] = "ndp",
	[PC_CNT_FRAGMENT] = "fragment", [PC_CNT_NO_MATCH] = "no_match",
};

const char *pc_implicit_name(unsigned i)
{
	return i < PC_CNT_IMPLICIT ? implicit_names[i] : "?";
}

const char *pc_implicit_key(unsigned i)
{
	return i < PC_CNT_IMPLICIT ? implicit_keys[i] : "unknown";
}

const char *pc_rule_action(const struct pc_rule_info *r)
{
	return r->action == PC_ACT_PASS ? "allow" : "drop";
}

const char *pc_rule_direction(const struct pc_rule_info *r)
{
	return r->direction == PC_DIR_IN ? "in" : "out";
}

const char *pc_rule_text(const struct pc_rule_info *r, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s %s %s %s%s%s%s%s%s", pc_rule_action(r), pc_rule_direction(r),
		 r->direction == PC_DIR_IN ? "from" : "to", r->peer, r->proto,
		 r->match[0] ? " " : "", r->match, r->label[0] ? " \"" : "", r->label,
		 r->label[0] ? "\"" : "");
	return buf;
}

struct json_object *pc_rule_json(const struct pc_rule_info *r)
{
	struct json_object *o = json_object_new_object();

	pc_json_add_u64(o, "line", r->line);
	pc_json_add_str(o, "action", pc_rule_action(r));
	pc_json_add_str(o, "direction", pc_rule_direction(r));
	pc_json_add_str(o, "peer", r->peer);
	pc_json_add_str(o, "proto", r->proto);
	pc_json_add(o, "match", pc_json_string_or_null(r->match));
	pc_json_add(o, "label", pc_json_string_or_null(r->label));
	return o;
}

const char *pc_rule_file(const struct pc_rule_info *r, const struct pc_file_name *files,
			 uint32_t n_files)
{
	return files && r->file < n_files ? files[r->file].path : "";
}

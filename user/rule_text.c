// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Rule descriptions shared by every command that names a rule. */
#include "json.h"
#include "rule_text.h"

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

void pc_rule_json_fields(FILE *out, const struct pc_rule_info *r)
{
	fprintf(out, "\"line\": %u, \"action\": \"%s\", \"direction\": \"%s\", \"peer\": ", r->line,
		pc_rule_action(r), pc_rule_direction(r));
	pc_json_str(out, r->peer);
	fputs(", \"proto\": ", out);
	pc_json_str(out, r->proto);
	fputs(", \"match\": ", out);
	pc_json_str(out, r->match);
	fputs(", \"label\": ", out);
	pc_json_str(out, r->label);
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `check --json`: what pc_matrix_print() prints, and the diagnostics, as one object. */
#include <arpa/inet.h>

#include "compile/matrix.h"
#include "core/json.h"
#include "core/mapmem.h"
#include "core/rule_text.h"
#include "profile/prefix.h"

static struct json_object *diag_json(const struct pc_diags *d, const struct pc_diag *it)
{
	struct json_object *o = json_object_new_object();
	bool at = it->pos.src >= 0 && (size_t)it->pos.src < d->n_sources;

	pc_json_add_str(o, "level", it->level == PC_ERROR ? "error" : "warning");
	pc_json_add_str(o, "file", at ? d->sources[it->pos.src].path : NULL);
	pc_json_add(o, "line", at ? json_object_new_int(it->pos.line) : NULL);
	pc_json_add(o, "column", at ? json_object_new_int(it->pos.col) : NULL);
	pc_json_add_str(o, "message", it->msg);
	return o;
}

static struct json_object *zones_json(const struct pc_profile *p)
{
	struct json_object *zones = json_object_new_array();

	for (size_t z = 0; z < p->n_zones; z++) {
		struct json_object *o = json_object_new_object(), *list = json_object_new_array();
		char buf[INET6_ADDRSTRLEN + 4];

		pc_json_add_str(o, "name", p->zones[z].name);
		for (size_t i = 0; i < p->zones[z].n_prefixes; i++)
			json_object_array_add(
				list, pc_json_string(pc_prefix_text(&p->zones[z].prefixes[i], buf,
								    sizeof(buf))));
		pc_json_add(o, "prefixes", list);
		json_object_array_add(zones, o);
	}
	return zones;
}

/* Each rule as the running program names it, with its file and what check notes. */
static struct json_object *rules_json(const struct pc_profile *p, const struct pc_image *img)
{
	struct json_object *rules = json_object_new_array();

	for (uint32_t r = 0; r < img->n_rules && r < p->n_rules; r++) {
		struct json_object *o = pc_rule_json(&img->info[r]);
		bool decides = img->wins[r];

		pc_json_add(o, "file",
			    pc_json_string_or_null(
				    pc_rule_file(&img->info[r], img->files, img->n_files)));
		pc_json_add_bool(o, "shadowed", !decides && img->lost[r]);
		pc_json_add_bool(o, "stateless_no_reply",
				 !decides && p->rules[r].dir == PC_DIR_OUT && !p->opt.state);
		json_object_array_add(rules, o);
	}
	return rules;
}

static const char *frag_name(enum pc_frag_policy f)
{
	return f == PC_FRAG_TRACK ? "track" : f == PC_FRAG_PASS ? "pass" : "drop";
}

/* The `set` options, typed; names as the profile's, snake_case. */
static struct json_object *settings_json(const struct pc_options *o)
{
	struct json_object *s = json_object_new_object(), *t = json_object_new_object();

	pc_json_add_str(s, "default", o->default_pass ? "pass" : "drop");
	pc_json_add_bool(s, "state_tracking", o->state);
	pc_json_add_str(s, "non_ip", o->non_ip_pass ? "pass" : "drop");
	pc_json_add_str(s, "fragments", frag_name(o->fragments));
	pc_json_add_u64(s, "ephemeral_low", o->eph_lo);
	pc_json_add_u64(s, "ephemeral_high", o->eph_hi);
	pc_json_add_str(s, "egress_policy", o->egress_enforce ? "enforce" : "open");
	pc_json_add_u64(t, "tcp", o->timeout_tcp);
	pc_json_add_u64(t, "udp", o->timeout_udp);
	pc_json_add_u64(t, "icmp", o->timeout_icmp);
	pc_json_add(s, "timeout_s", t);
	pc_json_add_u64(s, "flows_max", o->flows_max);
	pc_json_add(s, "log_rate", o->log_rate ? json_object_new_uint64(o->log_rate) : NULL);
	return s;
}

static struct json_object *compiled_json(const struct pc_profile *p, const struct pc_image *img)
{
	struct json_object *o = json_object_new_object();

	pc_json_add_u64(o, "rules", img->n_rules);
	pc_json_add_u64(o, "address_classes", img->n_classes);
	pc_json_add_u64(o, "trie_chunks", img->n_chunks);
	pc_json_add_u64(o, "pages", img->n_pages);
	pc_json_add_u64(o, "table_bytes", pc_image_bytes(img));
	pc_json_add_u64(o, "flow_table_bytes", (uint64_t)p->opt.flows_max * PC_FLOW_ENTRY_BYTES);
	return o;
}

void pc_matrix_json(const char *path, const struct pc_profile *p, const struct pc_image *img,
		    const struct pc_diags *d, bool valid, FILE *out)
{
	struct json_object *o = json_object_new_object(), *diags = json_object_new_array();

	pc_json_add_str(o, "profile", path);
	pc_json_add_bool(o, "valid", valid);
	pc_json_add_u64(o, "errors", d->n_errors);
	pc_json_add_u64(o, "warnings", d->n_warnings);
	for (size_t i = 0; i < d->n_items; i++)
		json_object_array_add(diags, diag_json(d, &d->items[i]));
	pc_json_add(o, "diagnostics", diags);
	pc_json_add(o, "zones", valid ? zones_json(p) : NULL);
	pc_json_add(o, "rules", valid ? rules_json(p, img) : NULL);
	pc_json_add(o, "settings", valid ? settings_json(&p->opt) : NULL);
	pc_json_add(o, "compiled", valid ? compiled_json(p, img) : NULL);
	pc_json_print(out, o);
}

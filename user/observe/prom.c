// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Writes the exposition, family by family. A rule's labels are its text and its
 * line, never anything a reload changes for an unchanged rule (the generation, the
 * rule's index): a reload that keeps a rule keeps its series, and the counters
 * kern/carry.c carries over keep it from going back. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/rule_text.h"
#include "observe/prom.h"
#include "profile/digest.h"

static const char *const what[2] = { "packets", "bytes" };

static void family(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{iface="..." : the caller adds its own labels and the closing brace. */
static void sample_start(FILE *out, const char *name, const struct pc_scrape_iface *si)
{
	fprintf(out, "%s{iface=\"", name);
	pc_prom_label(out, si->iface.name);
	fputc('"', out);
}

static void label(FILE *out, const char *name, const char *value)
{
	fprintf(out, ",%s=\"", name);
	pc_prom_label(out, value);
	fputc('"', out);
}

static void rule_labels(FILE *out, const struct pc_rule_info *ri)
{
	fprintf(out, ",line=\"%u\",action=\"%s\",direction=\"%s\"", ri->line, pc_rule_action(ri),
		pc_rule_direction(ri));
	label(out, "zone", ri->peer);
	label(out, "proto", ri->proto);
	label(out, "match", ri->match);
	label(out, "label", ri->label);
}

static void up(const struct pc_scrape *sc, FILE *out)
{
	family(out, "portcullis_up", "gauge",
	       "1 when the interface is there and its pinned state was read whole, 0 when "
	       "not (the interface is gone, its pins unreadable); its other series are "
	       "then left out.");
	for (size_t k = 0; k < sc->n; k++) {
		sample_start(out, "portcullis_up", &sc->ifs[k]);
		fprintf(out, "} %d\n", sc->ifs[k].up);
	}
}

static void profile(const struct pc_scrape *sc, FILE *out)
{
	family(out, "portcullis_profile_info", "gauge",
	       "The profile loaded: its path and the SHA-256 of its text as loaded (empty "
	       "for a load by a portcullis that did not record it).");
	for (size_t k = 0; k < sc->n; k++) {
		const struct pc_scrape_iface *si = &sc->ifs[k];
		char hex[2 * PC_SHA256_LEN + 1];

		if (!si->up)
			continue;
		pc_sha256_hex(si->snap.load.profile_sha256, hex);
		sample_start(out, "portcullis_profile_info", si);
		label(out, "path", si->snap.load.profile);
		label(out, "sha256", hex);
		fputs("} 1\n", out);
	}
	family(out, "portcullis_profile_loaded_timestamp_seconds", "gauge",
	       "When the running profile was loaded, in seconds since the epoch.");
	for (size_t k = 0; k < sc->n; k++) {
		if (!sc->ifs[k].up)
			continue;
		sample_start(out, "portcullis_profile_loaded_timestamp_seconds", &sc->ifs[k]);
		fprintf(out, "} %llu\n", (unsigned long long)sc->ifs[k].snap.load.loaded_at);
	}
}

/* The counters of one side: "" (ingress, the XDP program) or "egress_". */
static void counters(const struct pc_scrape *sc, bool egress, FILE *out)
{
	const char *side = egress ? "egress_" : "";
	char name[64], help[160];

	for (int w = 0; w < 2; w++) {
		snprintf(name, sizeof(name), "portcullis_%srule_%s_total", side, what[w]);
		snprintf(help, sizeof(help), "%s decided by a profile rule%s.",
			 w ? "Bytes of frames" : "Frames",
			 egress ? " at the egress hook" : ", at ingress (XDP)");
		family(out, name, "counter", help);
		for (size_t k = 0; k < sc->n; k++) {
			const struct pc_scrape_iface *si = &sc->ifs[k];
			const struct pc_count *c = egress ? si->snap.ecount : si->snap.count;

			for (uint32_t r = 0; si->up && c && r < si->snap.n_rules; r++) {
				const struct pc_count *rc = &c[PC_CNT_IMPLICIT + r];

				sample_start(out, name, si);
				rule_labels(out, &si->snap.info[r]);
				fprintf(out, "} %llu\n",
					(unsigned long long)(w ? rc->bytes : rc->packets));
			}
		}
		snprintf(name, sizeof(name), "portcullis_%simplicit_%s_total", side, what[w]);
		snprintf(help, sizeof(help), "%s no rule decided, by implicit outcome%s.",
			 w ? "Bytes of frames" : "Frames",
			 egress ? ", at the egress hook" : ", at ingress (XDP)");
		family(out, name, "counter", help);
		for (size_t k = 0; k < sc->n; k++) {
			const struct pc_scrape_iface *si = &sc->ifs[k];
			const struct pc_count *c = egress ? si->snap.ecount : si->snap.count;

			for (unsigned i = 0; si->up && c && i < PC_CNT_IMPLICIT; i++) {
				sample_start(out, name, si);
				label(out, "outcome", pc_implicit_name(i));
				fprintf(out, "} %llu\n",
					(unsigned long long)(w ? c[i].bytes : c[i].packets));
			}
		}
	}
}

/* A gauge or counter of one number per interface that is up (and has it). */
typedef bool (*value_fn)(const struct pc_scrape_iface *si, unsigned long long *v);

static void per_iface(const struct pc_scrape *sc, const char *name, const char *type,
		      const char *help, value_fn fn, FILE *out)
{
	unsigned long long v;

	family(out, name, type, help);
	for (size_t k = 0; k < sc->n; k++) {
		if (!sc->ifs[k].up || !fn(&sc->ifs[k], &v))
			continue;
		sample_start(out, name, &sc->ifs[k]);
		fprintf(out, "} %llu\n", v);
	}
}

static bool flows(const struct pc_scrape_iface *si, unsigned long long *v)
{
	*v = si->fp.flows;
	return si->fp.has_flows;
}

static bool flows_max(const struct pc_scrape_iface *si, unsigned long long *v)
{
	*v = si->snap.load.flows_max;
	return si->fp.has_flows;
}

static bool log_events(const struct pc_scrape_iface *si, unsigned long long *v)
{
	*v = si->fp.log_events;
	return si->fp.has_events;
}

static bool log_unread(const struct pc_scrape_iface *si, unsigned long long *v)
{
	*v = si->fp.log_unread;
	return si->fp.has_events;
}

static bool log_lost(const struct pc_scrape_iface *si, unsigned long long *v)
{
	*v = si->fp.log_lost;
	return si->fp.has_lost;
}

static bool map_bytes(const struct pc_scrape_iface *si, unsigned long long *v)
{
	*v = si->fp.map_bytes;
	return true;
}

static bool rules(const struct pc_scrape_iface *si, unsigned long long *v)
{
	*v = si->snap.n_rules;
	return true;
}

void pc_prom_write(const struct pc_scrape *sc, FILE *out)
{
	up(sc, out);
	profile(sc, out);
	per_iface(sc, "portcullis_profile_rules", "gauge", "Rules of the running profile.", rules,
		  out);
	counters(sc, false, out);
	counters(sc, true, out);
	per_iface(sc, "portcullis_flows", "gauge",
		  "Entries of the flow table (connections the appliance opened), live or "
		  "expired but not yet reused.",
		  flows, out);
	per_iface(sc, "portcullis_flows_max", "gauge",
		  "Capacity of the flow table (set flows); beyond it the oldest flow goes.",
		  flows_max, out);
	per_iface(sc, "portcullis_log_events_total", "counter",
		  "Drop events the program wrote to the event ring for `portcullis log`, "
		  "since this profile was loaded. Drops beyond the log rate are not events.",
		  log_events, out);
	per_iface(sc, "portcullis_log_events_lost_total", "counter",
		  "Drop events within the log rate that the full event ring had no room "
		  "for (no reader, or one too slow), since this profile was loaded.",
		  log_lost, out);
	per_iface(sc, "portcullis_log_events_unread", "gauge",
		  "Events in the ring that no reader has taken yet; a full ring loses the next.",
		  log_unread, out);
	per_iface(sc, "portcullis_map_bytes", "gauge",
		  "Kernel memory of the running profile's maps, as the kernel counts it.",
		  map_bytes, out);
}

int pc_prom_render(const struct pc_scrape *sc, char **buf, size_t *len, struct pc_err *e)
{
	FILE *m = open_memstream(buf, len);

	if (!m)
		return pc_fail(e, errno, NULL, "open_memstream for the exposition");
	pc_prom_write(sc, m);
	if (ferror(m) | fclose(m)) {
		free(*buf);
		*buf = NULL;
		return pc_fail(e, ENOMEM, NULL, "writing the exposition");
	}
	return 0;
}

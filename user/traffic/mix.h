/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A mix: the streams of frames that `bench` times and `flood` sends, from one place so
 * that what is measured is what is sent. A mix is
 *  - the built-in default, a mail appliance's inbound traffic (pc_mix_default);
 *  - derived from a profile, a stream per matrix cell and its denied neighbours
 *    (pc_mix_from_profile, cells.c);
 *  - or read from a file, one stream a line:
 *	NAME WEIGHT [reply] PACKET
 *    PACKET in `explain`'s words (packet.h); `reply` marks a reply to a connection the
 *    appliance opened, which under `state on` passes only once its flow exists.
 * Frames are at least 60 bytes (the Ethernet minimum without the FCS). */
#ifndef PC_TRAFFIC_MIX_H
#define PC_TRAFFIC_MIX_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/error.h"
#include "portcullis.h"
#include "profile/profile.h"
#include "traffic/packet_words.h"

#define PC_MIX_NAME 48
#define PC_MIX_FRAME_MAX 128
#define PC_MIX_FRAME_MIN 60
#define PC_MIX_WEIGHT_MAX 1000000

struct pc_stream {
	char name[PC_MIX_NAME];
	unsigned weight;
	bool reply; /* answers an out rule: under state on it needs a flow entry */
	struct pc_packet pk;
	uint8_t frame[PC_MIX_FRAME_MAX];
	uint32_t len;
	/* What the profile says (derived mixes): the counter index and XDP action the
	 * frame was made for; -1 when the mix does not know. */
	int want_counter;
	int want_action;
	/* A reply whose flow the test bed recorded (pc_testbed_seed): the prediction
	 * is that of a real connection's reply, which elsewhere is a look-alike. */
	bool seeded;
	/* What the real program did with the frame (pc_testbed_judge); -1 until then. */
	int counter;
	int action;
};

struct pc_mix {
	struct pc_stream *s;
	size_t n, cap;
	char origin[256]; /* "built-in default", "derived from PATH", the file */
};

/* The mix `bench` uses unless told otherwise, as mix-file text. */
extern const char pc_mix_default_text[];

int pc_mix_default(struct pc_mix *m, struct pc_err *e);
/* Parses mix-file text; name is used in error messages (NAME:LINE: ...). */
int pc_mix_parse(const char *name, const char *text, struct pc_mix *m, struct pc_err *e);
int pc_mix_read(const char *path, struct pc_mix *m, struct pc_err *e);
/* Per matrix cell of p (rule x protocol): a frame the rule decides, and for an allow
 * rule its denied neighbours (another port or type, the other protocol); then ARP. */
int pc_mix_from_profile(const struct pc_profile *p, struct pc_mix *m, struct pc_err *e);
/* --mix WHAT: "default", "profile" (derived from p, which must be given) or a file. */
int pc_mix_load(const char *what, const struct pc_profile *p, const char *profile_path,
		struct pc_mix *m, struct pc_err *e);
void pc_mix_free(struct pc_mix *m);

/* Adds a stream built from pk; the name is made unique. */
int pc_mix_add(struct pc_mix *m, const char *name, unsigned weight, bool reply,
	       const struct pc_packet *pk, struct pc_err *e);
uint64_t pc_mix_total_weight(const struct pc_mix *m);

/* "PASS line 39" or "DROP no-match": a judged stream's outcome (info: n_rules). */
const char *pc_mix_outcome(const struct pc_stream *s, const struct pc_rule_info *info,
			   uint32_t n_rules, char *buf, size_t len);
/* The mix as a mix file; judged outcomes as comments when info is given. */
void pc_mix_write(const struct pc_mix *m, const struct pc_rule_info *info, uint32_t n_rules,
		  FILE *out);

#endif /* PC_TRAFFIC_MIX_H */

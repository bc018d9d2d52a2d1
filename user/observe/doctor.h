/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* `portcullis doctor [IFACE]`: whether this kernel, and IFACE, suit portcullis. Each
 * check ends ok, warn (portcullis works, with a cost or a limit) or fail (it cannot
 * work as documented), says what it found and, short of ok, what to do. */
#ifndef PC_OBSERVE_DOCTOR_H
#define PC_OBSERVE_DOCTOR_H

#include <stdbool.h>
#include <stdio.h>

#include "core/error.h"
#include "observe/doctor_facts.h"

enum pc_check_status { PC_CHECK_OK, PC_CHECK_WARN, PC_CHECK_FAIL };

struct pc_check {
	enum pc_check_status status;
	const char *name; /* stable: scripts read it in the JSON */
	char found[384];
	char advice[256]; /* "" for none */
};

#define PC_DOCTOR_MAX 32

struct pc_doctor {
	struct pc_check v[PC_DOCTOR_MAX];
	unsigned n;
};

/* The checks of the kernel, and of one interface, from their facts. */
void pc_doctor_judge_sys(const struct pc_doctor_sys *s, struct pc_doctor *d);
void pc_doctor_judge_if(const struct pc_doctor_if *f, struct pc_doctor *d);

/* "ok", "warn", "fail". */
const char *pc_check_status_name(enum pc_check_status s);
/* The worst status among d's checks. */
enum pc_check_status pc_doctor_worst(const struct pc_doctor *d);

/* One line per check ("warn rx_queues: FOUND; ADVICE") and a count; or, json, an
 * object {"interface": ..., "checks": [{"name", "status", "found", "advice"}], "ok",
 * "warn", "fail"}. ifname NULL: the kernel only. */
void pc_doctor_print(const struct pc_doctor *d, const char *ifname, bool json, FILE *out);

/* The command: gathers, judges, prints. -1 with e set when a check failed (exit 1),
 * or for an IFACE that is not an interface of this namespace (exit 2). */
int pc_doctor_run(const char *ifname, bool json, FILE *out, struct pc_err *e);

#endif /* PC_OBSERVE_DOCTOR_H */

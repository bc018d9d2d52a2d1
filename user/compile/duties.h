/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The duties of a mail appliance that a profile can leave out: DNS and NTP out, ICMP
 * errors in. `check` ends with them as notes: leaving one out is a choice (a resolver
 * reached another way, a clock set by the hypervisor), so they are never warnings. */
#ifndef PC_COMPILE_DUTIES_H
#define PC_COMPILE_DUTIES_H

#include <stdio.h>

#include "compile/compile.h"

enum pc_duty { PC_DUTY_DNS_UDP, PC_DUTY_DNS_TCP, PC_DUTY_NTP, PC_DUTY_ICMP_ERRORS, PC_DUTY_COUNT };

struct pc_duty_state {
	int rule;	  /* an allow rule that does it, or -1 */
	bool by_state;	  /* ICMP errors: `set state on` passes those about the flows */
	char missing[64]; /* ICMP errors under `state off`: the types no rule admits */
};

/* Which duties p, compiled into img, does, and how. */
void pc_duties(const struct pc_profile *p, const struct pc_image *img,
	       struct pc_duty_state out[PC_DUTY_COUNT]);
/* The note block `check` prints after the matrix; d names the rules' files. */
void pc_duties_print(const struct pc_profile *p, const struct pc_image *img,
		     const struct pc_diags *d, FILE *out);

#endif /* PC_COMPILE_DUTIES_H */

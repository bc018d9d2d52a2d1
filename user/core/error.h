/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* One error message carried up to the command that reports it: what failed, the
 * errno when the kernel refused, and what to do. */
#ifndef PC_CORE_ERROR_H
#define PC_CORE_ERROR_H

#include <stddef.h>

struct pc_err {
	int exit_code; /* 1 runtime failure, 2 usage or profile error */
	char msg[1024];
};

/* Sets e to "WHAT: strerror (errno N); ADVICE" (parts left out when errnum is 0 or
 * advice NULL), exit code 1, and returns -1. */
int pc_fail(struct pc_err *e, int errnum, const char *advice, const char *what, ...)
	__attribute__((format(printf, 4, 5)));
/* A usage or input error: exit code 2. */
int pc_usage(struct pc_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif /* PC_CORE_ERROR_H */

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Formats the one message a failed command prints. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"

int pc_fail(struct pc_err *e, int errnum, const char *advice, const char *what, ...)
{
	size_t n;
	va_list ap;

	va_start(ap, what);
	vsnprintf(e->msg, sizeof(e->msg), what, ap);
	va_end(ap);
	n = strlen(e->msg);
	if (errnum && n < sizeof(e->msg))
		n += snprintf(e->msg + n, sizeof(e->msg) - n, ": %s (errno %d)",
			      strerror(errnum < 0 ? -errnum : errnum),
			      errnum < 0 ? -errnum : errnum);
	if (advice && n < sizeof(e->msg))
		snprintf(e->msg + n, sizeof(e->msg) - n, "; %s", advice);
	e->exit_code = 1;
	return -1;
}

int pc_usage(struct pc_err *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	e->exit_code = 2;
	return -1;
}

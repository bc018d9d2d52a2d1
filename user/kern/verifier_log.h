/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The verifier's log of a failed load, made into an error an operator can act on:
 * the program, the source line the verifier stopped at (from the object's BTF line
 * info), its last message, this kernel and the kernels portcullis is tested on.
 * libbpf prints the log through its print callback; the callback keeps the tail. */
#ifndef PC_KERN_VERIFIER_LOG_H
#define PC_KERN_VERIFIER_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

/* Lines of the log kept: the verifier's last words come at its end. */
#define PC_VLOG_LINES 64

/* Forgets what earlier loads printed. */
void pc_vlog_reset(void);
/* One message of libbpf's (any level): kept, in the tail. */
void pc_vlog_add(const char *fmt, va_list ap);

/* Fills e with the failed load's explanation, err being libbpf's error; elf is the
 * BPF object (for the line info), what says what was loaded. */
int pc_vlog_explain(const void *elf, size_t elf_size, int err, const char *what, struct pc_err *e);

/* The parts of a log, for tests: the program, the source line (text, and file:line
 * where known), the verifier's last message. Returns false if no load failure is in
 * the lines. */
struct pc_vlog_parts {
	char prog[64];
	char source[160];
	char where[160];
	char message[256];
};
bool pc_vlog_parse(const char *const *lines, size_t n, struct pc_vlog_parts *out);

#endif /* PC_KERN_VERIFIER_LOG_H */

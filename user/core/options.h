/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Command-line options declared once, in the style of xdp-tools' params: a command is a
 * table of option descriptors (name, argument, kind, range or choices, help), and from
 * that table come the getopt_long array, the checking of every value, the usage line of
 * a usage error, `portcullis CMD --help` and the man page's synopsis. One number
 * parser and one duration parser serve every command. */
#ifndef PC_CORE_OPTIONS_H
#define PC_CORE_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/error.h"

enum pc_opt_kind {
	PC_OPT_FLAG,	 /* no argument */
	PC_OPT_NUMBER,	 /* a decimal number in [min, max] */
	PC_OPT_DURATION, /* seconds in [min, max], written 30, 30s, 5m, 2h or 1d */
	PC_OPT_STRING,	 /* any text: a path, a mix name */
	PC_OPT_ENUM,	 /* one of choices; the value is its index */
	PC_OPT_MAC,	 /* a MAC address, aa:bb:cc:dd:ee:ff */
};

struct pc_opt {
	const char *name; /* the long name, without "--"; NULL ends a table */
	char short_name;  /* 0: none */
	const char *arg;  /* the argument's name in usage (SECONDS); enums show choices */
	enum pc_opt_kind kind;
	unsigned long long min, max; /* numbers and durations */
	const char *const *choices;  /* enums: NULL-terminated */
	unsigned n_shown; /* enums: choices shown in usage (0: all); the rest are aliases */
	unsigned group;	  /* options sharing a nonzero group exclude each other */
	bool required;
	bool in_operands; /* written in the command's operands text, not after them */
	const char *help;
};

/* One command: its operands (usage text before the options), what it does, its options. */
struct pc_cmd_spec {
	const char *name;
	const char *operands;
	const char *summary;
	const struct pc_opt *opts;
	/* Options end at the first operand: explain's packet words follow IFACE. */
	bool options_first;
};

/* The value of one option after parsing; set says whether it was given. */
struct pc_opt_value {
	bool set;
	unsigned long long num; /* numbers, durations, enum indices */
	const char *str;	/* the argument as given */
	uint8_t mac[6];
};

#define PC_OPTS_MAX 16
#define PC_OPTS_HELP 1

/* Parses argv (argv[0] the command's name) against c: v[i] is the value of c->opts[i].
 * Returns 0 with *operand the index of the first operand in argv, PC_OPTS_HELP after
 * printing the help to stdout, or -1 with a usage error (exit code 2) that ends in the
 * usage line. */
int pc_opts_parse(const struct pc_cmd_spec *c, int argc, char **argv,
		  struct pc_opt_value v[PC_OPTS_MAX], int *operand, struct pc_err *e);

/* A usage error of command c: "WHAT; usage: portcullis CMD ...". Returns -1. */
int pc_opts_usage(const struct pc_cmd_spec *c, struct pc_err *e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The usage line after "portcullis CMD ": operands, then each option (exclusive ones
 * as [--a | --b], required ones without brackets). Truncated to size. */
void pc_opts_usage_line(const struct pc_cmd_spec *c, char *buf, size_t size);

/* `portcullis CMD --help`: usage, summary, then one line per option with its help. */
void pc_opts_help(const struct pc_cmd_spec *c, FILE *out);

/* The synopsis lines of a man page for "portcullis CMD USAGE": groff, one line per
 * element ([--mode native|generic]), options in bold, arguments in italics. */
void pc_opts_groff(const char *cmd, const char *usage, FILE *out);

/* The shared parsers. A number is decimal digits only (no sign, no spaces); a duration
 * is a number of seconds with an optional unit s, m, h or d. 0 or -1. */
int pc_parse_number(const char *s, unsigned long long min, unsigned long long max,
		    unsigned long long *out);
int pc_parse_duration(const char *s, unsigned long long min, unsigned long long max,
		      unsigned long long *secs);
int pc_parse_mac(const char *s, uint8_t mac[6]);

#endif /* PC_CORE_OPTIONS_H */

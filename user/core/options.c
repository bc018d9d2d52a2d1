// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Option tables: getopt_long driven by a command's table, every value checked by its
 * kind, and the usage, help and man page synopsis written from the same table, so that
 * they cannot drift apart. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/options.h"

/* getopt_long's value of table entry i; short names keep their own character. */
#define LONG_VAL(i) (256 + (i))
#define HELP_VAL 'h'

int pc_parse_number(const char *s, unsigned long long min, unsigned long long max,
		    unsigned long long *out)
{
	char *end;

	/* strtoull takes a sign and leading spaces, and wraps "-1" round: digits only. */
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || *end || *out < min || *out > max ? -1 : 0;
}

int pc_parse_duration(const char *s, unsigned long long min, unsigned long long max,
		      unsigned long long *secs)
{
	static const struct {
		char unit;
		unsigned mult;
	} units[] = { { 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 } };
	size_t n = strlen(s);
	char num[32];

	if (!n || n >= sizeof(num))
		return -1;
	memcpy(num, s, n + 1);
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		unsigned long long v;

		if (num[n - 1] != units[i].unit)
			continue;
		num[n - 1] = 0;
		if (pc_parse_number(num, 0, max / units[i].mult, &v))
			return -1;
		*secs = v * units[i].mult;
		return *secs < min ? -1 : 0;
	}
	return pc_parse_number(num, min, max, secs);
}

int pc_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char end;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &end) != 6)
		return -1;
	for (int i = 0; i < 6; i++) {
		if (v[i] > 0xff)
			return -1;
		mac[i] = v[i];
	}
	return 0;
}

static size_t n_opts(const struct pc_cmd_spec *c)
{
	size_t n = 0;

	while (c->opts && c->opts[n].name)
		n++;
	return n;
}

static unsigned n_choices(const struct pc_opt *o)
{
	unsigned n = 0;

	while (o->choices[n])
		n++;
	return n;
}

static unsigned n_shown(const struct pc_opt *o)
{
	return o->n_shown ? o->n_shown : n_choices(o);
}

/* Appends to buf (NUL-terminated, size bytes), truncating. */
static void append(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void append(char *buf, size_t size, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	if (len + 1 >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + len, size - len, fmt, ap);
	va_end(ap);
}

/* "--mode native|generic", "--confirm SECONDS", "--force". */
static void opt_usage(const struct pc_opt *o, char *buf, size_t size)
{
	append(buf, size, "--%s", o->name);
	if (o->kind == PC_OPT_ENUM) {
		for (unsigned i = 0; i < n_shown(o); i++)
			append(buf, size, "%c%s", i ? '|' : ' ', o->choices[i]);
	} else if (o->kind != PC_OPT_FLAG) {
		append(buf, size, " %s", o->arg);
	}
}

/* Whether an earlier option of the table shares o's group: then it was written there. */
static bool group_written(const struct pc_opt *opts, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (opts[i].group && opts[k].group == opts[i].group)
			return true;
	return false;
}

void pc_opts_usage_line(const struct pc_cmd_spec *c, char *buf, size_t size)
{
	size_t n = n_opts(c);

	snprintf(buf, size, "%s", c->operands ? c->operands : "");
	for (size_t i = 0; i < n; i++) {
		const struct pc_opt *o = &c->opts[i];

		if (o->in_operands || group_written(c->opts, i))
			continue;
		append(buf, size, "%s%s", buf[0] ? " " : "", o->required ? "" : "[");
		opt_usage(o, buf, size);
		for (size_t k = i + 1; o->group && k < n; k++) {
			if (c->opts[k].group != o->group)
				continue;
			append(buf, size, " | ");
			opt_usage(&c->opts[k], buf, size);
		}
		append(buf, size, "%s", o->required ? "" : "]");
	}
}

int pc_opts_usage(const struct pc_cmd_spec *c, struct pc_err *e, const char *fmt, ...)
{
	char what[512], usage[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	pc_opts_usage_line(c, usage, sizeof(usage));
	return pc_usage(e, "%s; usage: portcullis %s%s%s", what, c->name, usage[0] ? " " : "",
			usage);
}

/* "native, generic or skb": the shown choices, for an error message. */
static void choices_text(const struct pc_opt *o, char *buf, size_t size)
{
	unsigned n = n_shown(o);

	buf[0] = 0;
	for (unsigned i = 0; i < n; i++)
		append(buf, size, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ", o->choices[i]);
}

static int parse_enum(const struct pc_opt *o, const char *arg, struct pc_opt_value *v)
{
	for (unsigned i = 0; o->choices[i]; i++)
		if (!strcmp(arg, o->choices[i])) {
			v->num = i;
			return 0;
		}
	return -1;
}

/* What a bad value of o should have been, for the usage error. */
static void expected_text(const struct pc_opt *o, char *buf, size_t size)
{
	switch (o->kind) {
	case PC_OPT_NUMBER:
		snprintf(buf, size, "a number %llu-%llu", o->min, o->max);
		break;
	case PC_OPT_DURATION:
		snprintf(buf, size, "seconds %llu-%llu (or with a unit: 90s, 5m, 2h, 1d)", o->min,
			 o->max);
		break;
	case PC_OPT_ENUM:
		choices_text(o, buf, size);
		break;
	case PC_OPT_MAC:
		snprintf(buf, size, "a MAC address, aa:bb:cc:dd:ee:ff");
		break;
	default:
		snprintf(buf, size, "%s", o->arg ? o->arg : "no argument");
	}
}

static int parse_value(const struct pc_opt *o, const char *arg, struct pc_opt_value *v)
{
	v->str = arg;
	switch (o->kind) {
	case PC_OPT_NUMBER:
		return pc_parse_number(arg, o->min, o->max, &v->num);
	case PC_OPT_DURATION:
		return pc_parse_duration(arg, o->min, o->max, &v->num);
	case PC_OPT_ENUM:
		return parse_enum(o, arg, v);
	case PC_OPT_MAC:
		return pc_parse_mac(arg, v->mac);
	default:
		return 0;
	}
}

/* The table's entry for getopt_long's return value c; -1 when none. */
static int entry_of(const struct pc_cmd_spec *c, int val)
{
	size_t n = n_opts(c);

	if (val >= LONG_VAL(0) && (size_t)(val - LONG_VAL(0)) < n)
		return val - LONG_VAL(0);
	for (size_t i = 0; i < n; i++)
		if (c->opts[i].short_name && c->opts[i].short_name == val)
			return i;
	return -1;
}

/* The getopt_long arrays of c: long options, then the short ones as a string. */
static void getopt_arrays(const struct pc_cmd_spec *c, struct option *lo, char *so)
{
	size_t n = n_opts(c), k = 0;

	*so++ = c->options_first ? '+' : ':';
	if (c->options_first)
		*so++ = ':';
	for (size_t i = 0; i < n; i++) {
		int has_arg = c->opts[i].kind == PC_OPT_FLAG ? no_argument : required_argument;

		lo[i] = (struct option){ c->opts[i].name, has_arg, NULL, LONG_VAL(i) };
		if (!c->opts[i].short_name)
			continue;
		so[k++] = c->opts[i].short_name;
		if (has_arg == required_argument)
			so[k++] = ':';
	}
	lo[n] = (struct option){ "help", no_argument, NULL, HELP_VAL };
	lo[n + 1] = (struct option){ 0 };
	so[k++] = HELP_VAL;
	so[k] = 0;
}

/* The option getopt_long just refused, as the user wrote it. */
static const char *bad_option(char **argv)
{
	static char buf[3];

	if (optopt && optopt < 256) {
		snprintf(buf, sizeof(buf), "-%c", optopt);
		return buf;
	}
	return argv[optind - 1];
}

/* Options of one group given together, or a required one missing. */
static int check_conflicts(const struct pc_cmd_spec *c, const struct pc_opt_value *v,
			   struct pc_err *e)
{
	size_t n = n_opts(c);

	for (size_t i = 0; i < n; i++) {
		if (c->opts[i].required && !v[i].set)
			return pc_opts_usage(c, e, "--%s is required: %s", c->opts[i].name,
					     c->opts[i].help);
		for (size_t k = i + 1; v[i].set && c->opts[i].group && k < n; k++)
			if (v[k].set && c->opts[k].group == c->opts[i].group)
				return pc_opts_usage(c, e,
						     "--%s and --%s exclude each other: give one",
						     c->opts[i].name, c->opts[k].name);
	}
	return 0;
}

static int take(const struct pc_cmd_spec *c, int i, const char *arg, struct pc_opt_value *v,
		struct pc_err *e)
{
	const struct pc_opt *o = &c->opts[i];
	char want[160];

	/* Given twice, one of them would be ignored without a word. */
	if (v[i].set)
		return pc_opts_usage(c, e, "--%s is given twice", o->name);
	v[i].set = true;
	if (o->kind == PC_OPT_FLAG || !parse_value(o, arg, &v[i]))
		return 0;
	expected_text(o, want, sizeof(want));
	return pc_opts_usage(c, e, "--%s takes %s, not '%s'", o->name, want, arg);
}

int pc_opts_parse(const struct pc_cmd_spec *c, int argc, char **argv,
		  struct pc_opt_value v[PC_OPTS_MAX], int *operand, struct pc_err *e)
{
	struct option lo[PC_OPTS_MAX + 2];
	char so[3 + 2 * PC_OPTS_MAX + 2];
	int val, i;

	memset(v, 0, sizeof(*v) * PC_OPTS_MAX);
	if (n_opts(c) > PC_OPTS_MAX)
		return pc_fail(e, 0, NULL, "%s has more than %d options", c->name, PC_OPTS_MAX);
	getopt_arrays(c, lo, so);
	/* 0, not 1: getopt re-reads the optstring's '+' of this command. */
	optind = 0;
	opterr = 0;
	while ((val = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		if (val == HELP_VAL) {
			pc_opts_help(c, stdout);
			return PC_OPTS_HELP;
		}
		if (val == ':')
			return pc_opts_usage(c, e, "%s needs an argument", argv[optind - 1]);
		i = entry_of(c, val);
		if (i < 0)
			return pc_opts_usage(c, e, "unknown option %s", bad_option(argv));
		if (take(c, i, optarg, v, e))
			return -1;
	}
	*operand = optind;
	return check_conflicts(c, v, e);
}

/* "  -m, --mode native|generic" or "      --confirm SECONDS". */
static void help_left(const struct pc_opt *o, char *buf, size_t size)
{
	if (o->short_name)
		snprintf(buf, size, "  -%c, ", o->short_name);
	else
		snprintf(buf, size, "      ");
	opt_usage(o, buf, size);
}

static void help_right(const struct pc_opt *o, char *buf, size_t size)
{
	snprintf(buf, size, "%s", o->help);
	if (o->kind == PC_OPT_NUMBER)
		append(buf, size, " (%llu-%llu)", o->min, o->max);
	if (o->kind == PC_OPT_DURATION)
		append(buf, size, " (%llu-%llu s; or 90s, 5m, 2h, 1d)", o->min, o->max);
	if (o->required)
		append(buf, size, " (required)");
}

void pc_opts_help(const struct pc_cmd_spec *c, FILE *out)
{
	static const struct pc_opt help = { .name = "help",
					    .short_name = 'h',
					    .help = "this help" };
	char usage[512], left[128], right[256];
	size_t n = n_opts(c), width = 24;

	pc_opts_usage_line(c, usage, sizeof(usage));
	fprintf(out, "usage: portcullis %s%s%s\n%s\n\noptions:\n", c->name, usage[0] ? " " : "",
		usage, c->summary);
	for (size_t i = 0; i < n; i++) {
		help_left(&c->opts[i], left, sizeof(left));
		if (strlen(left) + 2 > width)
			width = strlen(left) + 2;
	}
	for (size_t i = 0; i <= n; i++) {
		const struct pc_opt *o = i < n ? &c->opts[i] : &help;

		help_left(o, left, sizeof(left));
		help_right(o, right, sizeof(right));
		fprintf(out, "%-*s%s\n", (int)width, left, right);
	}
	for (size_t i = 0; i < n; i++)
		if (c->opts[i].group) {
			fprintf(out, "Options written [--a | --b] above exclude each other.\n");
			break;
		}
}

/* A word of a usage line in groff: options and literal words bold, arguments (upper
 * case) italic, punctuation roman; '-' as \\- so that it stays a hyphen-minus. */
static void groff_word(const char *w, size_t len, FILE *out)
{
	bool upper = false, lower = false;

	for (size_t i = 0; i < len; i++) {
		upper |= isupper((unsigned char)w[i]) != 0;
		lower |= islower((unsigned char)w[i]) != 0;
	}
	if (upper || lower)
		fputs(upper && !lower ? "\\fI" : "\\fB", out);
	for (size_t i = 0; i < len; i++)
		fputs(w[i] == '-' ? "\\-" : (char[]){ w[i], 0 }, out);
	if (upper || lower)
		fputs("\\fR", out);
}

/* One element: a bracketed group (with what it nests) or a bare word. Spaces inside
 * it do not break the line: "[--confirm SECONDS]" stays whole. */
static const char *groff_element(const char *s, FILE *out)
{
	int depth = 0;

	/* \\% keeps groff from hyphenating the element (--con-firm) across lines. */
	fputs("\\%", out);
	do {
		size_t w = strcspn(s, "[]| ");

		if (w) {
			groff_word(s, w, out);
			s += w;
			continue;
		}
		depth += *s == '[' ? 1 : *s == ']' ? -1 : 0;
		fputs(*s == ' ' ? "\\ " : (char[]){ *s, 0 }, out);
		s++;
	} while (*s && (depth > 0 || *s != ' '));
	return s;
}

/* Bare words share a line ("IFACE PROFILE"); each bracketed group has its own. */
void pc_opts_groff(const char *cmd, const char *usage, FILE *out)
{
	bool open = false;

	fprintf(out, ".B portcullis%s%s\n", cmd ? " " : "", cmd ? cmd : "");
	while (*usage) {
		bool group;

		while (*usage == ' ')
			usage++;
		if (!*usage)
			break;
		group = *usage == '[';
		if (open)
			fputc(group ? '\n' : ' ', out);
		usage = groff_element(usage, out);
		open = !group;
		if (group)
			fputc('\n', out);
	}
	if (open)
		fputc('\n', out);
}

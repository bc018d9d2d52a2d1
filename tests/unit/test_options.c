// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The option tables: the shared number, duration and MAC parsers; parsing against a
 * table (values, ranges, conflicts, an option given twice, a required one missing);
 * the usage line; and the man page's synopsis, which must be what the tables render:
 * an option added to a table and not to docs/portcullis.8 fails here. */
#include <stdlib.h>

#include "cli/commands.h"
#include "core/options.h"
#include "harness.h"

#define MAN_PAGE "docs/portcullis.8"

TEST(number_takes_digits_in_range)
{
	unsigned long long v = 0;

	EXPECT_EQ(pc_parse_number("42", 1, 100, &v), 0);
	EXPECT_EQ(v, 42);
	EXPECT_EQ(pc_parse_number("1", 1, 1, &v), 0);
	EXPECT_EQ(pc_parse_number("0", 1, 100, &v), -1);
	EXPECT_EQ(pc_parse_number("101", 1, 100, &v), -1);
	EXPECT_EQ(pc_parse_number("18446744073709551615", 0, ~0ULL, &v), 0);
	EXPECT_EQ(v, ~0ULL);
}

TEST(number_refuses_what_strtoull_would_bend)
{
	unsigned long long v;

	/* strtoull turns "-1" into ULLONG_MAX and skips spaces and a '+'. */
	EXPECT_EQ(pc_parse_number("-1", 0, ~0ULL, &v), -1);
	EXPECT_EQ(pc_parse_number("+1", 0, 10, &v), -1);
	EXPECT_EQ(pc_parse_number(" 1", 0, 10, &v), -1);
	EXPECT_EQ(pc_parse_number("", 0, 10, &v), -1);
	EXPECT_EQ(pc_parse_number("1x", 0, 10, &v), -1);
	EXPECT_EQ(pc_parse_number("0x10", 0, 100, &v), -1);
	EXPECT_EQ(pc_parse_number("18446744073709551616", 0, ~0ULL, &v), -1);
}

TEST(duration_takes_seconds_and_units)
{
	unsigned long long s = 0;

	EXPECT_EQ(pc_parse_duration("30", 1, 86400, &s), 0);
	EXPECT_EQ(s, 30);
	EXPECT_EQ(pc_parse_duration("30s", 1, 86400, &s), 0);
	EXPECT_EQ(s, 30);
	EXPECT_EQ(pc_parse_duration("5m", 1, 86400, &s), 0);
	EXPECT_EQ(s, 300);
	EXPECT_EQ(pc_parse_duration("2h", 1, 86400, &s), 0);
	EXPECT_EQ(s, 7200);
	EXPECT_EQ(pc_parse_duration("1d", 1, 86400, &s), 0);
	EXPECT_EQ(s, 86400);
}

TEST(duration_refuses_bad_units_and_ranges)
{
	unsigned long long s;

	EXPECT_EQ(pc_parse_duration("2d", 1, 86400, &s), -1);
	EXPECT_EQ(pc_parse_duration("0s", 1, 86400, &s), -1);
	EXPECT_EQ(pc_parse_duration("0", 1, 86400, &s), -1);
	EXPECT_EQ(pc_parse_duration("1.5m", 1, 86400, &s), -1);
	EXPECT_EQ(pc_parse_duration("m", 1, 86400, &s), -1);
	EXPECT_EQ(pc_parse_duration("5w", 1, 86400, &s), -1);
	EXPECT_EQ(pc_parse_duration("5mm", 1, 86400, &s), -1);
	EXPECT_EQ(pc_parse_duration("", 1, 86400, &s), -1);
	EXPECT_EQ(pc_parse_duration("-1m", 0, 86400, &s), -1);
	/* Overflow of the multiplication, not only of the number. */
	EXPECT_EQ(pc_parse_duration("9999999999999999999d", 1, ~0ULL, &s), -1);
}

TEST(mac_is_six_hex_bytes)
{
	uint8_t mac[6];

	EXPECT_EQ(pc_parse_mac("02:00:0a:ff:00:01", mac), 0);
	EXPECT_EQ(mac[0], 2);
	EXPECT_EQ(mac[3], 0xff);
	EXPECT_EQ(mac[5], 1);
	EXPECT_EQ(pc_parse_mac("02:00:0a:ff:00", mac), -1);
	EXPECT_EQ(pc_parse_mac("02:00:0a:ff:00:01:02", mac), -1);
	EXPECT_EQ(pc_parse_mac("02:00:0a:ff:00:100", mac), -1);
	EXPECT_EQ(pc_parse_mac("02:00:0a:ff:00:01x", mac), -1);
}

static const char *const colours[] = { "red", "green", "verde", NULL };

enum { T_JSON, T_PROM, T_WAIT, T_COUNT, T_COLOUR, T_NAME, T_MAC };

static const struct pc_cmd_spec test_cmd = {
	.name = "test",
	.operands = "IFACE",
	.summary = "a command for the tests",
	.opts =
		(const struct pc_opt[]){
			[T_JSON] = { "json", 'j', NULL, PC_OPT_FLAG, .group = 1, .help = "JSON" },
			[T_PROM] = { "prometheus", 0, NULL, PC_OPT_FLAG, .group = 1,
				     .help = "text" },
			[T_WAIT] = { "wait", 'w', "SECONDS", PC_OPT_DURATION, 1, 3600,
				     .help = "wait" },
			[T_COUNT] = { "count", 0, "N", PC_OPT_NUMBER, 1, 10, .help = "count" },
			[T_COLOUR] = { "colour", 0, NULL, PC_OPT_ENUM, .choices = colours,
				       .n_shown = 2, .help = "colour" },
			[T_NAME] = { "name", 0, "NAME", PC_OPT_STRING, .required = true,
				     .help = "a name is needed" },
			[T_MAC] = { "mac", 0, "MAC", PC_OPT_MAC, .help = "mac" },
			{ 0 } },
};

/* The words parse() last gave getopt, as getopt left them (operands moved last). */
static char *argv[17];

/* Parses the words of line (space-separated, at most 16) against test_cmd. */
static int parse(const char *line, struct pc_opt_value *v, int *op, struct pc_err *e)
{
	static char buf[256];
	char *save = NULL;
	int argc = 1;

	argv[0] = "test";
	snprintf(buf, sizeof(buf), "%s", line);
	for (char *w = strtok_r(buf, " ", &save); w && argc < 16; w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	*e = (struct pc_err){ 0 };
	return pc_opts_parse(&test_cmd, argc, argv, v, op, e);
}

TEST(parse_takes_each_kind)
{
	struct pc_opt_value v[PC_OPTS_MAX];
	struct pc_err e;
	int op;

	EXPECT_EQ(parse("eth0 -j --wait 5m --count 3 --colour verde --name x --mac 0:1:2:3:4:5", v,
			&op, &e),
		  0);
	EXPECT_STR(e.msg, "");
	EXPECT_STR(argv[op], "eth0");
	EXPECT_TRUE(v[T_JSON].set);
	EXPECT_TRUE(!v[T_PROM].set);
	EXPECT_EQ(v[T_WAIT].num, 300);
	EXPECT_EQ(v[T_COUNT].num, 3);
	EXPECT_EQ(v[T_COLOUR].num, 2);
	EXPECT_STR(v[T_NAME].str, "x");
	EXPECT_EQ(v[T_MAC].mac[5], 5);
	/* Operands may come after the options too (getopt permutes them). */
	EXPECT_EQ(parse("--name x -w 2 eth0", v, &op, &e), 0);
	EXPECT_STR(argv[op], "eth0");
	EXPECT_EQ(v[T_WAIT].num, 2);
}

static void expect_usage(const char *line, const char *want, int lineno)
{
	struct pc_opt_value v[PC_OPTS_MAX];
	struct pc_err e;
	int op;

	if (parse(line, v, &op, &e) != -1 || e.exit_code != 2 || !strstr(e.msg, want) ||
	    !strstr(e.msg, "; usage: portcullis test IFACE"))
		pc_test_fail(__FILE__, lineno, "'%s' gave exit %d '%s', expected '%s'", line,
			     e.exit_code, e.msg, want);
}

TEST(parse_refuses_with_a_clear_message)
{
	expect_usage("eth0", "--name is required: a name is needed", __LINE__);
	expect_usage("eth0 --name x --json --prometheus",
		     "--json and --prometheus exclude each other", __LINE__);
	expect_usage("eth0 --name x -j --prometheus", "--json and --prometheus exclude", __LINE__);
	expect_usage("eth0 --name x --count 3 --count 4", "--count is given twice", __LINE__);
	expect_usage("eth0 --name x --count 11", "--count takes a number 1-10, not '11'", __LINE__);
	expect_usage("eth0 --name x --wait 2h", "--wait takes seconds 1-3600", __LINE__);
	expect_usage("eth0 --name x --colour blue", "--colour takes red or green, not 'blue'",
		     __LINE__);
	expect_usage("eth0 --name x --mac 1:2", "--mac takes a MAC address", __LINE__);
	expect_usage("eth0 --name x --frobnicate", "unknown option --frobnicate", __LINE__);
	expect_usage("eth0 --name x -q", "unknown option -q", __LINE__);
	expect_usage("eth0 --name x --count", "--count needs an argument", __LINE__);
	expect_usage("eth0 --name x --json=1", "unknown option --json=1", __LINE__);
}

TEST(usage_line_comes_from_the_table)
{
	char buf[512];

	pc_opts_usage_line(&test_cmd, buf, sizeof(buf));
	EXPECT_STR(buf, "IFACE [--json | --prometheus] [--wait SECONDS] [--count N] "
			"[--colour red|green] --name NAME [--mac MAC]");
	pc_opts_usage_line(&pc_cmd_stats, buf, sizeof(buf));
	EXPECT_STR(buf, "IFACE|--all [--json | --prometheus] [--watch SECONDS] [--textfile DIR]");
}

TEST(help_lists_every_option)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	pc_opts_help(&test_cmd, f);
	fclose(f);
	EXPECT_TRUE(strstr(text, "usage: portcullis test IFACE [--json | --prometheus]") == text);
	EXPECT_TRUE(strstr(text, "  -j, --json "));
	EXPECT_TRUE(strstr(text, "      --count N "));
	EXPECT_TRUE(strstr(text, "count (1-10)"));
	EXPECT_TRUE(strstr(text, "  -h, --help "));
	free(text);
}

/* explain: options end at IFACE, whose packet words follow. */
TEST(options_first_stops_at_the_first_operand)
{
	char *words[] = { "explain", "--profile", "p.conf", "tcp", "from", "192.0.2.1" };
	struct pc_opt_value v[PC_OPTS_MAX];
	struct pc_err e = { 0 };
	int op;

	EXPECT_EQ(pc_opts_parse(&pc_cmd_explain, 6, words, v, &op, &e), 0);
	EXPECT_EQ(op, 3);
	EXPECT_STR(v[EXPLAIN_PROFILE].str, "p.conf");
}

/* Every command's table is well formed: help text, an argument name where one is
 * taken, choices for enums, a range that holds a value. */
TEST(every_table_is_complete)
{
	for (size_t i = 0; pc_commands[i]; i++) {
		const struct pc_cmd_spec *c = pc_commands[i];

		EXPECT_TRUE(c->summary && *c->summary);
		for (const struct pc_opt *o = c->opts; o && o->name; o++) {
			EXPECT_TRUE(o->help && *o->help);
			if (o->kind == PC_OPT_ENUM)
				EXPECT_TRUE(o->choices && o->choices[0]);
			else if (o->kind != PC_OPT_FLAG)
				EXPECT_TRUE(o->arg != NULL);
			if (o->kind == PC_OPT_NUMBER || o->kind == PC_OPT_DURATION)
				EXPECT_TRUE(o->min <= o->max && o->max > 0);
			if (!o->help || !*o->help)
				pc_test_fail(__FILE__, __LINE__, "%s --%s has no help", c->name,
					     o->name);
		}
	}
}

/* The lines of MAN_PAGE between ".SH SYNOPSIS" and the next ".SH", or NULL. */
static char *man_synopsis(void)
{
	char line[1024], *text = NULL;
	size_t len = 0;
	FILE *in = fopen(MAN_PAGE, "r"), *out;
	bool inside = false;

	if (!in)
		return NULL;
	out = open_memstream(&text, &len);
	while (fgets(line, sizeof(line), in)) {
		if (!strncmp(line, ".SH ", 4)) {
			if (inside)
				break;
			inside = !strcmp(line, ".SH SYNOPSIS\n");
			continue;
		}
		if (inside)
			fputs(line, out);
	}
	fclose(in);
	fclose(out);
	return text;
}

/* The first line where a and b differ, for the failure message. */
static void first_difference(const char *a, const char *b, char *buf, size_t size)
{
	int line = 1;

	while (*a && *a == *b) {
		line += *a == '\n';
		a++;
		b++;
	}
	while (line > 1 && a[-1] != '\n') {
		a--;
		b--;
	}
	snprintf(buf, size, "line %d: man page has '%.*s', the tables '%.*s'", line,
		 (int)strcspn(a, "\n"), a, (int)strcspn(b, "\n"), b);
}

TEST(man_page_synopsis_matches_the_tables)
{
	char *man = man_synopsis(), *tables = NULL, diff[1024];
	size_t len = 0;
	FILE *f;

	if (!man)
		SKIP("no " MAN_PAGE " here (run from the repository's root)");
	f = open_memstream(&tables, &len);
	pc_commands_synopsis(f);
	fclose(f);
	if (strcmp(man, tables)) {
		first_difference(man, tables, diff, sizeof(diff));
		pc_test_fail(__FILE__, __LINE__,
			     "the SYNOPSIS of " MAN_PAGE " is not what the option tables say "
			     "(`portcullis --synopsis` prints it): %s",
			     diff);
	}
	free(man);
	free(tables);
}

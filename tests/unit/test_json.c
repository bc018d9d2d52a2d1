// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* core/json.c: whatever an operator writes in a label, name or path, the output is
 * valid JSON in valid UTF-8: quotes, backslashes and control characters escaped, each
 * byte that is not UTF-8 written as U+FFFD; and the times are RFC 3339. */
#include <stdlib.h>

#include "core/json.h"
#include "harness.h"

/* o printed compact, as the commands print it. */
static char *printed(struct json_object *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	pc_json_print(out, o);
	fclose(out);
	return buf;
}

static char *string_printed(const char *s)
{
	struct json_object *o = json_object_new_object();

	pc_json_add_str(o, "s", s);
	return printed(o);
}

TEST(well_formed_utf8_is_kept)
{
	char *s = pc_json_utf8("mx \xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xa7");

	EXPECT_STR(s, "mx \xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xa7");
	free(s);
}

TEST(each_bad_byte_becomes_one_replacement_character)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "a\xff"
		  "b",
		  "a\xef\xbf\xbd"
		  "b" },						    /* never UTF-8 */
		{ "\xe9t\xe9", "\xef\xbf\xbdt\xef\xbf\xbd" },		    /* Latin-1 */
		{ "\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd" },		    /* overlong "/" */
		{ "\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" }, /* a surrogate */
		{ "\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "x\xe2\x82", "x\xef\xbf\xbd\xef\xbf\xbd" }, /* cut short at the end */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = pc_json_utf8(cases[i].in);

		EXPECT_STR(s, cases[i].out);
		free(s);
	}
}

TEST(strings_are_escaped_and_sanitised_in_the_output)
{
	char *s = string_printed("say \"hi\" \\ to\n\t\x01 /etc \xff");

	EXPECT_STR(s, "{\"s\":\"say \\\"hi\\\" \\\\ to\\n\\t\\u0001 /etc \xef\xbf\xbd\"}\n");
	free(s);
}

TEST(empty_and_absent_strings_are_null)
{
	struct json_object *o = json_object_new_object();
	char *s;

	pc_json_add(o, "label", pc_json_string_or_null(""));
	pc_json_add_str(o, "profile", NULL);
	s = printed(o);
	EXPECT_STR(s, "{\"label\":null,\"profile\":null}\n");
	free(s);
}

TEST(times_are_rfc3339_with_milliseconds_and_offset)
{
	struct json_object *o = pc_json_time(1700000000LL * 1000000000LL + 250000000LL);
	const char *t = json_object_get_string(o);
	int y, mo, d, h, mi, sec, ms, oh, om;
	char sign, tee, colon;

	EXPECT_EQ(sscanf(t, "%4d-%2d-%2d%c%2d:%2d:%2d.%3d%c%2d%c%2d", &y, &mo, &d, &tee, &h, &mi,
			 &sec, &ms, &sign, &oh, &colon, &om),
		  12);
	EXPECT_EQ(strlen(t), 29);
	EXPECT_EQ(tee, 'T');
	EXPECT_EQ(ms, 250);
	EXPECT_TRUE(sign == '+' || sign == '-');
	EXPECT_EQ(colon, ':');
	json_object_put(o);
}

TEST(pretty_is_indented_and_compact_is_one_line)
{
	struct json_object *o = json_object_new_object();
	char *s;

	pc_json_add_u64(o, "a", 1);
	pc_json_add_bool(o, "b", true);
	pc_json_set_pretty(true);
	s = printed(json_object_get(o));
	EXPECT_STR(s, "{\n  \"a\": 1,\n  \"b\": true\n}\n");
	free(s);
	pc_json_set_pretty(false);
	s = printed(o);
	EXPECT_STR(s, "{\"a\":1,\"b\":true}\n");
	free(s);
}

TEST(fixed_numbers_keep_their_decimals)
{
	struct json_object *o = json_object_new_object();
	char *s;

	pc_json_add(o, "age_s", pc_json_fixed(12.04, 1));
	pc_json_add(o, "seconds", pc_json_fixed(0.5, 6));
	s = printed(o);
	EXPECT_STR(s, "{\"age_s\":12.0,\"seconds\":0.500000}\n");
	free(s);
}

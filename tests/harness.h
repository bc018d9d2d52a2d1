/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A small test harness: TEST() registers a function, EXPECT_*() report what differed
 * and mark the test failed, SKIP() ends a test as skipped. Each binary ends with
 * "N passed, N failed, N skipped", which tests/run.sh adds up. */
#ifndef PC_HARNESS_H
#define PC_HARNESS_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

typedef void (*pc_test_fn)(void);
void pc_test_register(const char *name, pc_test_fn fn);
void pc_test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void pc_test_skip(const char *why);
bool pc_test_failed(void);
/* Keeps a profile text that a test parses as a fuzzing seed: when PC_CORPUS_OUT names
 * a directory, writes it there under a name made from its contents (make's seed rule
 * runs the profile and compiler tests that way). len < 0: strlen(text). */
void pc_test_corpus(const char *text, long len);

#define TEST(name)                                                                                 \
	static void name(void);                                                                    \
	__attribute__((constructor)) static void register_##name(void)                             \
	{                                                                                          \
		pc_test_register(#name, name);                                                     \
	}                                                                                          \
	static void name(void)

#define EXPECT_TRUE(c)                                                                             \
	do {                                                                                       \
		if (!(c))                                                                          \
			pc_test_fail(__FILE__, __LINE__, "expected %s", #c);                       \
	} while (0)

#define EXPECT_EQ(a, b)                                                                            \
	do {                                                                                       \
		long long _a = (long long)(a), _b = (long long)(b);                                \
		if (_a != _b)                                                                      \
			pc_test_fail(__FILE__, __LINE__, "%s == %lld, expected %s == %lld", #a,    \
				     _a, #b, _b);                                                  \
	} while (0)

#define EXPECT_STR(a, b)                                                                           \
	do {                                                                                       \
		const char *_a = (a), *_b = (b);                                                   \
		if (!_a || !_b || strcmp(_a, _b))                                                  \
			pc_test_fail(__FILE__, __LINE__, "%s is \"%s\", expected \"%s\"", #a,      \
				     _a ? _a : "(null)", _b ? _b : "(null)");                      \
	} while (0)

#define SKIP(why)                                                                                  \
	do {                                                                                       \
		pc_test_skip(why);                                                                 \
		return;                                                                            \
	} while (0)

#endif /* PC_HARNESS_H */

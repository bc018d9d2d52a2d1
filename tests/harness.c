// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Runs the tests registered with TEST(), optionally only those named on the command
 * line, and prints one line per test and the summary tests/run.sh reads. */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>

#include "harness.h"

#define MAX_TESTS 512

static struct {
	const char *name;
	pc_test_fn fn;
} tests[MAX_TESTS];
static int n_tests;
static bool cur_failed, cur_skipped;
static const char *cur_name;

void pc_test_register(const char *name, pc_test_fn fn)
{
	if (n_tests == MAX_TESTS) {
		fprintf(stderr, "harness: more than %d tests\n", MAX_TESTS);
		exit(2);
	}
	tests[n_tests].name = name;
	tests[n_tests++].fn = fn;
}

void pc_test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("  %s:%d: %s: ", file, line, cur_name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	cur_failed = true;
}

void pc_test_skip(const char *why)
{
	printf("  %s: skipped: %s\n", cur_name, why);
	cur_skipped = true;
}

void pc_test_corpus(const char *text, long len)
{
	const char *dir = getenv("PC_CORPUS_OUT");
	uint64_t h = 14695981039346656037ULL;
	size_t n = len < 0 ? strlen(text) : (size_t)len;
	char path[4096];
	FILE *f;

	if (!dir || !*dir)
		return;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)text[i]) * 1099511628211ULL;
	snprintf(path, sizeof(path), "%s/test-%016llx", dir, (unsigned long long)h);
	f = fopen(path, "w");
	if (!f || fwrite(text, 1, n, f) != n) {
		fprintf(stderr, "harness: writing %s failed\n", path);
		exit(2);
	}
	fclose(f);
}

bool pc_test_failed(void)
{
	return cur_failed;
}

static bool selected(const char *name, int argc, char **argv)
{
	if (argc < 2)
		return true;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], name))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0, skipped = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 0; i < n_tests; i++) {
		if (!selected(tests[i].name, argc, argv))
			continue;
		cur_name = tests[i].name;
		cur_failed = cur_skipped = false;
		tests[i].fn();
		if (cur_failed) {
			failed++;
			printf("FAIL %s\n", cur_name);
		} else if (cur_skipped) {
			skipped++;
			printf("SKIP %s\n", cur_name);
		} else {
			passed++;
			printf("ok   %s\n", cur_name);
		}
	}
	printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
	return failed ? 1 : 0;
}

/*
 * A small test harness, written for discolog.
 *
 *	TEST(name) { CHECK_INT_EQ(f(), 3); }
 *	TEST_MAIN(suite, { "name", test_name }, ...)
 *
 * A failed check is reported with both expressions and values and the test
 * goes on, so one run shows every failure.  The last line printed is
 * "<suite>: N passed, N failed"; the exit status is 1 when anything failed.
 * A test name given on the command line runs that test alone.
 */
#ifndef TEST_H
#define TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int test_failed_checks;

#define TEST(name) static void test_##name(void)

#define CHECK_FAIL_(fmt, ...)                                                  \
	do {                                                                   \
		fprintf(stderr, "  %s:%d: " fmt "\n", __FILE__, __LINE__,      \
		        __VA_ARGS__);                                          \
		test_failed_checks++;                                          \
	} while (0)

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond))                                                   \
			CHECK_FAIL_("CHECK(%s) failed", #cond);                \
	} while (0)

#define CHECK_INT_EQ(a, b)                                                     \
	do {                                                                   \
		long long a_ = (long long)(a), b_ = (long long)(b);            \
		if (a_ != b_)                                                  \
			CHECK_FAIL_("%s == %s: %lld != %lld", #a, #b, a_, b_); \
	} while (0)

#define CHECK_STR_EQ(a, b)                                                     \
	do {                                                                   \
		const char *a_ = (a), *b_ = (b);                               \
		if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0)           \
			CHECK_FAIL_("%s == %s: \"%s\" != \"%s\"", #a, #b,      \
			            a_ ? a_ : "(null)", b_ ? b_ : "(null)");   \
	} while (0)

#define CHECK_SLICE_EQ(s, lit)                                                 \
	do {                                                                   \
		struct slice s_ = (s);                                         \
		if (s_.len != strlen(lit) ||                                   \
		    (s_.len && memcmp(s_.p, lit, s_.len) != 0))                \
			CHECK_FAIL_("%s == \"%s\": got \"%.*s\"", #s, lit,     \
			            (int)s_.len, s_.p ? s_.p : "");            \
	} while (0)

#define CHECK_OK(expr) CHECK_INT_EQ((expr), 0)

struct test_case {
	const char *name;
	void (*fn)(void);
};

static inline int
test_run(const char *suite, const struct test_case *t, size_t n, int argc,
         char **argv)
{
	int passed = 0, failed = 0;

	for (size_t i = 0; i < n; i++) {
		int before = test_failed_checks;

		if (argc > 1 && strcmp(argv[1], t[i].name) != 0)
			continue;
		t[i].fn();
		if (test_failed_checks == before) {
			passed++;
		} else {
			failed++;
			fprintf(stderr, "FAIL %s.%s\n", suite, t[i].name);
		}
	}
	printf("%s: %d passed, %d failed\n", suite, passed, failed);
	return failed ? 1 : 0;
}

#define TEST_MAIN(suite, ...)                                                  \
	int main(int argc, char **argv)                                        \
	{                                                                      \
		static const struct test_case cases_[] = {__VA_ARGS__};        \
		return test_run(suite, cases_,                                 \
		                sizeof(cases_) / sizeof(cases_[0]), argc,      \
		                argv);                                         \
	}

#define T(name)                                                                \
	{                                                                      \
#name, test_##name                                             \
	}

#endif

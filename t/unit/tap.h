/*
 * tap.h - the smallest TAP producer: one test program per lib module, run
 * by prove. Each check prints "ok N - what" or "not ok N - what" with the
 * file and line; done_testing() prints the plan and sets the exit status.
 *
 *	int main(void) {
 *		ok(1 + 1 == 2, "arithmetic");
 *		is_str(got, "want", "what it is");
 *		return done_testing();
 *	}
 */
#ifndef MTA_TAP_H
#define MTA_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;

static inline int
tap_ok(int pass, const char *file, int line, const char *what)
{
	tap_count++;
	printf("%s %d - %s\n", pass ? "ok" : "not ok", tap_count, what);
	if (!pass) {
		tap_failed++;
		printf("#   Failed at %s line %d\n", file, line);
	}
	fflush(stdout);
	return pass;
}

static inline int
tap_is_str(const char *got, const char *want, const char *file, int line,
	   const char *what)
{
	int pass = (got == NULL && want == NULL) ||
		   (got && want && strcmp(got, want) == 0);

	if (!tap_ok(pass, file, line, what)) {
		printf("#          got: %s%s%s\n", got ? "'" : "", got ? got : "NULL",
		       got ? "'" : "");
		printf("#     expected: %s%s%s\n", want ? "'" : "",
		       want ? want : "NULL", want ? "'" : "");
	}
	return pass;
}

static inline int
tap_is_long(long got, long want, const char *file, int line, const char *what)
{
	int pass = got == want;

	if (!tap_ok(pass, file, line, what))
		printf("#          got: %ld\n#     expected: %ld\n", got, want);
	return pass;
}

#define ok(cond, what) tap_ok(!!(cond), __FILE__, __LINE__, what)
#define is_str(got, want, what) tap_is_str(got, want, __FILE__, __LINE__, what)
#define is_int(got, want, what) \
	tap_is_long((long)(got), (long)(want), __FILE__, __LINE__, what)

static inline int
done_testing(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Minimal test reporting shared by the C tests: one line per check,
 * "PASS name" or "FAIL name: why", and a closing "N passed, N failed".
 */
#ifndef FREEFLOW_TEST_UTIL_H
#define FREEFLOW_TEST_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static int t_passed, t_failed;

__attribute__((format(printf, 3, 4), unused))
static bool t_check(bool ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		printf("PASS %s\n", name);
		t_passed++;
		return true;
	}
	printf("FAIL %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	t_failed++;
	fflush(stdout);
	return false;
}

/* CHECK(cond, name, fmt, ...): the message explains a failure */
#define CHECK(cond, ...) t_check(!!(cond), __VA_ARGS__)

__attribute__((unused)) static int t_summary(void)
{
	printf("%d passed, %d failed\n", t_passed, t_failed);
	return t_failed ? 1 : 0;
}

#endif /* FREEFLOW_TEST_UTIL_H */

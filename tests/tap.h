/*
 * tap.h — the few TAP helpers the C unit tests share.  Two kinds of skip:
 * tap_skip and tap_skip_all for checks this configuration cannot run (a
 * build without OpenSSL); tap_missing_input and tap_missing_input_all for
 * checks whose input scripts/setup.sh or the build provides (the Debian
 * kernel, kmod, headers, the shim) and is not there: a skip on a
 * developer's machine, a failure under CI=true.  tests/common.sh has the
 * same pairs for the shell tests.
 */
#ifndef MT_TAP_H
#define MT_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_count, tap_failed;

static inline void tap_ok(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline void tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!cond)
		tap_failed++;
}

static inline void tap_skip(const char *what, const char *why)
{
	printf("ok %d - %s # SKIP %s\n", ++tap_count, what, why);
}

static inline void tap_skip_all(const char *why)
{
	printf("1..0 # SKIP %s\n", why);
}

/* A CI run (.ci/run exports CI=true): every input setup.sh installs must be
 * present. */
static inline bool tap_ci(void)
{
	const char *ci = getenv("CI");

	return ci && strcmp(ci, "true") == 0;
}

#define TAP_CI_NOTE "a missing input, a failure under CI=true"

/* One check whose input is missing: a failure under CI, else a skip. */
static inline void tap_missing_input(const char *what, const char *why)
{
	if (!tap_ci()) {
		tap_skip(what, why);
		return;
	}
	tap_ok(0, "%s", what);
	printf("#   %s (" TAP_CI_NOTE ")\n", why);
}

/* A whole test whose input is missing; returns the exit status for main. */
static inline int tap_missing_input_all(const char *why)
{
	if (!tap_ci()) {
		tap_skip_all(why);
		return 0;
	}
	printf("not ok 1 - %s (" TAP_CI_NOTE ")\n1..1\n", why);
	return 1;
}

#define tap_is_int(got, want, ...) do { \
	long long _g = (got), _w = (want); \
	tap_ok(_g == _w, __VA_ARGS__); \
	if (_g != _w) printf("#   got %lld, want %lld\n", _g, _w); \
} while (0)

#define tap_is_str(got, want, ...) do { \
	const char *_g = (got), *_w = (want); \
	int _eq = _g && _w ? strcmp(_g, _w) == 0 : _g == _w; \
	tap_ok(_eq, __VA_ARGS__); \
	if (!_eq) printf("#   got '%s', want '%s'\n", _g ? _g : "(null)", _w ? _w : "(null)"); \
} while (0)

/* Print the plan and return the exit status. */
static inline int tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif

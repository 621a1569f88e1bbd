/*
 * libmodtool — helpers shared by the library's files, not part of the API.
 */
#ifndef LIBMODTOOL_INTERNAL_H
#define LIBMODTOOL_INTERNAL_H

#include <stdint.h>
#include <string.h>
#include "libmodtool.h"

/* Record a failure for mt_last_error() and return -err (err is positive). */
int mt_fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Report a message (syslog priority, text ending in '\n') to the caller's
 * log function, if any. */
void mt_log(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* fnmatch(pattern, string, 0) == 0, fast for simple ASCII patterns. */
int mt_glob_match(const char *pattern, const char *string);

/* False only when no pattern starting with `prefix` can match `string`. */
int mt_glob_could_match(const char *prefix, const char *string);

static inline uint16_t mt_get16(const void *p, bool big)
{
	const uint8_t *b = p;
	return big ? (uint16_t)(b[0] << 8 | b[1]) : (uint16_t)(b[1] << 8 | b[0]);
}

static inline uint32_t mt_get32(const void *p, bool big)
{
	const uint8_t *b = p;
	return big ? (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]
		   : (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0];
}

static inline uint64_t mt_get64(const void *p, bool big)
{
	const uint8_t *b = p;
	uint64_t hi = mt_get32(big ? b : b + 4, big), lo = mt_get32(big ? b + 4 : b, big);
	return hi << 32 | lo;
}

/* True when [off, off+len) lies inside a buffer of `size` bytes. */
static inline bool mt_in_bounds(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

#endif

/*
 * depmod-util.h — memory and files for depmod's units (depmod-util.c): an
 * arena allocator and whole-file reading.  Below every other depmod unit;
 * not part of the API.
 */
#ifndef LIBMODTOOL_DEPMOD_UTIL_H
#define LIBMODTOOL_DEPMOD_UTIL_H

#include <stddef.h>

struct dm_chunk;

struct dm_arena {
	struct dm_chunk *chunks;
	char *pos, *end;
};

/* 8-byte aligned; NULL when out of memory. */
void *dm_arena_alloc(struct dm_arena *a, size_t size);
/* Copy of s[0..len) with a NUL appended. */
char *dm_arena_strndup(struct dm_arena *a, const char *s, size_t len);
void dm_arena_release(struct dm_arena *a);

/* A whole file, NUL-terminated (malloc'd), or NULL with errno set. */
char *dm_read_file(const char *path, size_t *size);

#endif

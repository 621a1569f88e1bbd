/*
 * depmod-util.c — memory and files for depmod's units: the arena allocator
 * the module set, its symbols and dependency lines live in (freed at once
 * at the end of a run), and reading a whole file into memory.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "depmod-util.h"
#include "internal.h"

struct dm_chunk {
	struct dm_chunk *next;
	max_align_t data[];
};

#define CHUNK_SIZE ((size_t)256 << 10)

void *dm_arena_alloc(struct dm_arena *a, size_t size)
{
	struct dm_chunk *c;
	size_t avail, want;
	char *p;

	size = (size + 7) & ~(size_t)7;
	avail = (size_t)(a->end - a->pos);
	if (a->pos && size <= avail) {
		p = a->pos;
		a->pos += size;
		return p;
	}
	if (size > SIZE_MAX - sizeof(*c))
		return NULL;
	/* Big requests get a chunk of their own; the current one stays open. */
	want = size > CHUNK_SIZE / 4 ? size : CHUNK_SIZE;
	c = malloc(sizeof(*c) + want);
	if (!c)
		return NULL;
	c->next = a->chunks;
	a->chunks = c;
	p = (char *)c->data;
	if (want == CHUNK_SIZE) {
		a->pos = p + size;
		a->end = p + want;
	}
	return p;
}

char *dm_arena_strndup(struct dm_arena *a, const char *s, size_t len)
{
	char *p = dm_arena_alloc(a, len + 1);

	if (p) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

void dm_arena_release(struct dm_arena *a)
{
	while (a->chunks) {
		struct dm_chunk *next = a->chunks->next;

		free(a->chunks);
		a->chunks = next;
	}
	a->pos = a->end = NULL;
}

char *dm_read_file(const char *path, size_t *size)
{
	size_t cap = 0, len = 0;
	char *text = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return NULL;
	for (;;) {
		ssize_t got;

		if (len + 1 >= cap && mt_array_reserve(&text, &cap, cap ? cap * 2 : 65536, 1) < 0) {
			err = ENOMEM;
			break;
		}
		got = read(fd, text + len, cap - len - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			err = errno;
		if (got <= 0)
			break;
		len += (size_t)got;
	}
	close(fd);
	if (err) {
		free(text);
		errno = err;
		return NULL;
	}
	text[len] = '\0';
	*size = len;
	return text;
}

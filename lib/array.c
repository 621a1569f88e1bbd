/*
 * array.c — the library's one growable array: room for more elements in
 * an array that grows by doubling, with sizes checked against overflow.
 * An array that only ever grows one element at a time needs no capacity
 * of its own (mt_array_room); one that grows by more keeps it
 * (mt_array_reserve).
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include "internal.h"

#define MIN_CAPACITY 8

int mt_array_reserve(void *arrayp, size_t *cap, size_t want, size_t size)
{
	void *array, *grown;
	size_t n = *cap < MIN_CAPACITY ? MIN_CAPACITY : *cap;

	if (want <= *cap)
		return 0;
	while (n < want) {
		if (n > SIZE_MAX / 2)
			return -ENOMEM;
		n *= 2;
	}
	if (n > SIZE_MAX / size)
		return -ENOMEM;
	/* arrayp is a T **: read and write it as bytes, whatever T is */
	memcpy(&array, arrayp, sizeof(array));
	grown = realloc(array, n * size);
	if (!grown)
		return -ENOMEM;
	memcpy(arrayp, &grown, sizeof(grown));
	*cap = n;
	return 0;
}

int mt_array_room(void *arrayp, size_t count, size_t size)
{
	/* Grown only here, the array holds MIN_CAPACITY elements, then the
	 * power of two at or above its count: full at 0 and at those powers. */
	size_t cap = count;

	if (count != 0 && (count < MIN_CAPACITY || (count & (count - 1)) != 0))
		return 0;
	return mt_array_reserve(arrayp, &cap, count + 1, size);
}

/*
 * strv.c — string vectors (char ** and a count), the form in which the
 * library hands out lists of names and paths.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include "internal.h"

void mt_strv_free(char **strv, int count)
{
	if (!strv)
		return;
	for (int i = 0; i < count; i++)
		free(strv[i]);
	free(strv);
}

int mt_strv_push(char ***strv, int *count, const char *s)
{
	char *copy = strdup(s);

	if (!copy || MT_ARRAY_APPEND(*strv, *count, copy) < 0) {
		free(copy);
		return -ENOMEM;
	}
	return 0;
}

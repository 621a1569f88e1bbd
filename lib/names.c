/*
 * names.c — module names, aliases and paths as kmod spells them: name and
 * alias normalization, and paths made absolute.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "internal.h"

int mt_name_normalize(const char *name, char *buf, size_t size)
{
	size_t len = 0;

	if (size == 0)
		return -ENAMETOOLONG;
	for (; name[len] && name[len] != '.'; len++) {
		if (len + 1 >= size)
			return -ENAMETOOLONG;
		buf[len] = name[len] == '-' ? '_' : name[len];
	}
	buf[len] = '\0';
	return (int)len;
}

int mt_modname_normalize(const char *path, char *buf, size_t size)
{
	const char *base = strrchr(path, '/');
	int len = mt_name_normalize(base ? base + 1 : path, buf, size);

	return len == 0 ? -EINVAL : len;
}

int mt_alias_normalize(const char *alias, char *buf, size_t size)
{
	size_t i = 0;

	for (const char *s = alias; *s; s++) {
		char c = *s;

		if (c == '[') {
			const char *end = strchr(s, ']');

			if (!end)
				return -EINVAL;
			if ((size_t)(end - s) + 1 >= size - i)
				return -ENAMETOOLONG;
			memcpy(buf + i, s, (size_t)(end - s) + 1);
			i += (size_t)(end - s) + 1;
			s = end;
			continue;
		}
		if (c == ']')
			return -EINVAL;
		if (i + 1 >= size)
			return -ENAMETOOLONG;
		buf[i++] = c == '-' ? '_' : c;
	}
	if (size == 0)
		return -ENAMETOOLONG;
	buf[i] = '\0';
	return (int)i;
}

char *mt_path_absolute(const char *path)
{
	char cwd[PATH_MAX], *out;

	if (path[0] == '/')
		return strdup(path);
	if (!getcwd(cwd, sizeof(cwd)))
		return NULL;
	if (asprintf(&out, "%s/%s", cwd, path) < 0)
		return NULL;
	return out;
}

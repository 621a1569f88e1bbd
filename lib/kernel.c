/*
 * kernel.c — what the running kernel says about modules: the list in
 * /proc/modules and each module's state under /sys/module/NAME.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "internal.h"

#define PROC_MODULES "/proc/modules"
#define SYS_MODULE "/sys/module"

void mt_strv_free(char **strv, int count)
{
	if (!strv)
		return;
	for (int i = 0; i < count; i++)
		free(strv[i]);
	free(strv);
}

/* Append a copy of `s` to a growing string vector. */
static int strv_push(char ***strv, int *count, const char *s)
{
	char **grown, *copy = strdup(s);

	if (!copy)
		return -ENOMEM;
	grown = realloc(*strv, sizeof(**strv) * (size_t)(*count + 1));
	if (!grown) {
		free(copy);
		return -ENOMEM;
	}
	grown[(*count)++] = copy;
	*strv = grown;
	return 0;
}

int mt_loaded_modules(char ***out)
{
	char *line = NULL, name[PATH_MAX];
	size_t cap = 0;
	char **names = NULL;
	int count = 0, err = 0;
	FILE *fp;

	fp = fopen(PROC_MODULES, "re");
	if (!fp)
		return mt_fail(errno, "could not open %s: %s", PROC_MODULES, strerror(errno));
	while (getline(&line, &cap, fp) > 0) {
		char *tok = strtok(line, " \t\n");

		if (!tok || mt_modname_normalize(tok, name, sizeof(name)) < 0)
			continue;
		if (strv_push(&names, &count, name) < 0) {
			err = mt_fail(ENOMEM, "%s: out of memory", PROC_MODULES);
			break;
		}
	}
	free(line);
	fclose(fp);
	if (err < 0) {
		mt_strv_free(names, count);
		return err;
	}
	*out = names;
	return count;
}

/* Read a sysfs file holding a decimal number followed by whitespace.
 * -errno when the file cannot be opened, -EINVAL when it holds no number
 * (with a message, as that means a broken sysfs rather than an absent one). */
static int read_sys_long(const char *path, long *value)
{
	char buf[64], *end;
	ssize_t got;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	got = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (got < 0)
		return mt_fail(errno, "could not read integer from '%s': '%s'", path, strerror(errno));
	buf[got] = '\0';
	errno = 0;
	*value = strtol(buf, &end, 10);
	if (end == buf || errno || !isspace((unsigned char)*end))
		return mt_fail(EINVAL, "could not read integer from '%s': '%s'", path,
			       strerror(EINVAL));
	return 0;
}

int mt_module_refcnt(const char *name, long *refcnt)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), SYS_MODULE "/%s/refcnt", name);
	return read_sys_long(path, refcnt);
}

/* Second field of NAME's line in /proc/modules. */
static int proc_modules_size(const char *name, long *size)
{
	char *line = NULL, *tok, *save, *end;
	size_t cap = 0;
	int err = -ENOENT;
	FILE *fp;

	fp = fopen(PROC_MODULES, "re");
	if (!fp)
		return -errno;
	while (getline(&line, &cap, fp) > 0) {
		tok = strtok_r(line, " \t\n", &save);
		if (!tok || strcmp(tok, name) != 0)
			continue;
		tok = strtok_r(NULL, " \t\n", &save);
		if (tok) {
			*size = strtol(tok, &end, 10);
			if (end != tok && *end == '\0') {
				err = 0;
				break;
			}
		}
		err = mt_fail(EINVAL, "invalid line format in %s for %s", PROC_MODULES, name);
		break;
	}
	free(line);
	fclose(fp);
	return err;
}

int mt_module_size(const char *name, long *size)
{
	char path[PATH_MAX];
	struct stat st;
	int err;

	snprintf(path, sizeof(path), SYS_MODULE "/%s", name);
	if (stat(path, &st) < 0)
		return -errno;
	snprintf(path, sizeof(path), SYS_MODULE "/%s/coresize", name);
	err = read_sys_long(path, size);
	if (err == -EINVAL)
		return mt_fail(EINVAL, "failed to read coresize from " SYS_MODULE "/%s", name);
	if (err < 0)
		return proc_modules_size(name, size);
	return 0;
}

int mt_module_holders(const char *name, char ***out)
{
	char path[PATH_MAX], holder[PATH_MAX];
	char **names = NULL;
	struct dirent *ent;
	int count = 0;
	DIR *dir;

	snprintf(path, sizeof(path), SYS_MODULE "/%s/holders", name);
	dir = opendir(path);
	if (!dir)
		return mt_fail(errno, "could not open '%s': %s", path, strerror(errno));
	while ((ent = readdir(dir))) {
		if (ent->d_name[0] == '.')
			continue;
		if (mt_modname_normalize(ent->d_name, holder, sizeof(holder)) < 0)
			continue;
		if (strv_push(&names, &count, holder) < 0) {
			closedir(dir);
			mt_strv_free(names, count);
			return mt_fail(ENOMEM, "%s: out of memory", path);
		}
	}
	closedir(dir);
	*out = names;
	return count;
}

/*
 * conf-list.c — which configuration files are read, for modprobe.d and
 * depmod.d alike: the *.conf entries of each configuration directory and
 * the files given by path, merged by base name (the first file of a name
 * shadows the later ones) and kept in base-name order.  What the caller
 * says about skipped entries is up to it: this unit only reports them.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include "internal.h"

static void report(const struct mt_conf_lister *how, enum mt_conf_event event, const char *dir,
		   const char *name, int err)
{
	if (how->report)
		how->report(how->data, event, dir, name, err);
}

int mt_conf_list_add(struct mt_conf_list *list, const char *dir, const char *name,
		     const struct mt_conf_lister *how)
{
	const char *base = dir || !strrchr(name, '/') ? name : strrchr(name, '/') + 1;
	size_t lo = 0, hi = list->n;
	struct mt_conf_file *f;
	char *path;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = strcmp(list->files[mid].name, base);

		if (cmp == 0) {
			report(how, MT_CONF_DUPLICATE, dir, name, 0);
			return 0;
		}
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (mt_array_reserve(&list->files, &list->cap, list->n + 1, sizeof(*list->files)) < 0)
		return -ENOMEM;
	if (dir ? asprintf(&path, "%s/%s", dir, name) < 0 : !(path = strdup(name)))
		return -ENOMEM;
	f = &list->files[lo];
	memmove(f + 1, f, (list->n - lo) * sizeof(*f));
	f->path = path;
	f->name = path + strlen(path) - strlen(base);
	list->n++;
	return 0;
}

static bool has_conf_suffix(const char *name)
{
	size_t len = strlen(name);

	return len >= 5 && strcmp(name + len - 5, ".conf") == 0;
}

static int add_dir(struct mt_conf_list *list, const char *dir, const struct mt_conf_lister *how)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int err = 0;

	if (!d) {
		report(how, MT_CONF_NO_DIR, dir, NULL, errno);
		return 0;
	}
	while (err == 0 && (de = readdir(d))) {
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		if (!has_conf_suffix(de->d_name)) {
			report(how, MT_CONF_NOT_CONF, dir, de->d_name, 0);
			continue;
		}
		if (fstatat(dirfd(d), de->d_name, &st, 0) < 0) {
			report(how, MT_CONF_NO_STAT, dir, de->d_name, errno);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			report(how, MT_CONF_SUBDIR, dir, de->d_name, 0);
			continue;
		}
		if (S_ISREG(st.st_mode) || !how->regular_only)
			err = mt_conf_list_add(list, dir, de->d_name, how);
	}
	closedir(d);
	if (err == 0)
		report(how, MT_CONF_DIR_DONE, dir, NULL, 0);
	return err;
}

int mt_conf_list_add_path(struct mt_conf_list *list, const char *path,
			  const struct mt_conf_lister *how)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		report(how, MT_CONF_NO_PATH, NULL, path, errno);
		return 0;
	}
	if (S_ISDIR(st.st_mode))
		return add_dir(list, path, how);
	return mt_conf_list_add(list, NULL, path, how);
}

void mt_conf_list_release(struct mt_conf_list *list)
{
	for (size_t i = 0; i < list->n; i++)
		free(list->files[i].path);
	free(list->files);
	*list = (struct mt_conf_list){ 0 };
}

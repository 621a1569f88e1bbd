/*
 * modinfo.c — a module's information list: the built-in modules' lists in
 * modules.builtin.modinfo, and parameters merged from parm/parmtype entries.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "internal.h"

static int push_kv(struct mt_kv **list, int *count, const char *s, size_t len)
{
	const char *eq = memchr(s, '=', len);
	struct mt_kv *grown = realloc(*list, sizeof(**list) * (size_t)(*count + 1));

	if (!grown)
		return -ENOMEM;
	*list = grown;
	grown[*count] = (struct mt_kv){
		.key = s,
		.key_len = eq ? (size_t)(eq - s) : len,
		.value = eq ? eq + 1 : s + len,
		.value_len = eq ? len - (size_t)(eq - s) - 1 : 0,
	};
	(*count)++;
	return 0;
}

struct mt_builtin_info {
	void *map;
	size_t size;
};

int mt_builtin_modinfo(const char *dirname, const char *name,
		       struct mt_builtin_info **info, struct mt_kv **out)
{
	char path[PATH_MAX];
	size_t name_len = strlen(name);
	struct mt_kv *list = NULL;
	struct mt_builtin_info *bi;
	const char *p, *end;
	struct stat st;
	int fd, count = 0, err = 0;

	snprintf(path, sizeof(path), "%s/modules.builtin.modinfo", dirname);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return mt_fail(errno, "%s: %s", path, strerror(errno));
	bi = calloc(1, sizeof(*bi));
	if (!bi || fstat(fd, &st) < 0) {
		err = mt_fail(bi ? errno : ENOMEM, "%s: %s", path, strerror(bi ? errno : ENOMEM));
		close(fd);
		free(bi);
		return err;
	}
	bi->size = (size_t)st.st_size;
	if (bi->size) {
		bi->map = mmap(NULL, bi->size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (bi->map == MAP_FAILED) {
			err = mt_fail(errno, "%s: cannot map: %s", path, strerror(errno));
			close(fd);
			free(bi);
			return err;
		}
	}
	close(fd);

	/* NUL-terminated "MODNAME.key=value" records; the module's entries are
	 * the first contiguous run carrying its prefix. */
	p = bi->map;
	end = bi->size ? p + bi->size : p;	/* an empty file is not mapped */
	while (p < end) {
		const char *nul = memchr(p, '\0', (size_t)(end - p));
		size_t len = nul ? (size_t)(nul - p) : (size_t)(end - p);
		const char *dot = memchr(p, '.', len);

		if (!dot) {
			err = mt_fail(EINVAL, "%s: record without a module name", path);
			break;
		}
		if ((size_t)(dot - p) == name_len && memcmp(p, name, name_len) == 0) {
			err = push_kv(&list, &count, dot + 1, len - name_len - 1);
			if (err < 0)
				break;
		} else if (count) {
			break;
		}
		p = nul ? nul + 1 : end;
	}
	if (err < 0) {
		free(list);
		mt_builtin_info_free(bi);
		return err;
	}
	*info = bi;
	*out = list;
	return count;
}

void mt_builtin_info_free(struct mt_builtin_info *info)
{
	if (!info)
		return;
	if (info->size)
		munmap(info->map, info->size);
	free(info);
}

static bool key_is(const struct mt_kv *kv, const char *key)
{
	return kv->key_len == strlen(key) && memcmp(kv->key, key, kv->key_len) == 0;
}

int mt_params_merge(const struct mt_kv *list, int count, struct mt_param **out,
		    void (*invalid)(const struct mt_kv *kv, void *data), void *data)
{
	struct mt_param *params = NULL;
	int n = 0;

	for (int i = 0; i < count; i++) {
		const struct mt_kv *kv = &list[i];
		bool is_type = key_is(kv, "parmtype");
		const char *colon;
		struct mt_param *p = NULL;
		size_t name_len;

		if (!is_type && !key_is(kv, "parm"))
			continue;
		colon = memchr(kv->value, ':', kv->value_len);
		if (!colon) {
			if (invalid)
				invalid(kv, data);
			continue;
		}
		name_len = (size_t)(colon - kv->value);
		for (int j = 0; j < n; j++) {
			if (params[j].name_len == name_len &&
			    memcmp(params[j].name, kv->value, name_len) == 0) {
				p = &params[j];
				break;
			}
		}
		if (!p) {
			struct mt_param *grown = realloc(params, sizeof(*params) * (size_t)(n + 1));

			if (!grown) {
				free(params);
				return -ENOMEM;
			}
			params = grown;
			p = &params[n++];
			*p = (struct mt_param){ .name = kv->value, .name_len = name_len };
		}
		if (is_type) {
			p->type = colon + 1;
			p->type_len = kv->value_len - name_len - 1;
		} else {
			p->desc = colon + 1;
			p->desc_len = kv->value_len - name_len - 1;
		}
	}
	*out = params;
	return n;
}

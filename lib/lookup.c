/*
 * lookup.c — a module directory and name resolution through its indexes:
 * from a name, alias or symbol to the modules (with paths) it stands for,
 * and a module's state, built in per the directory's modules.builtin.bin or
 * else as the kernel shows it.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/utsname.h>
#include "internal.h"

enum index_id {
	INDEX_DEP,
	INDEX_ALIAS,
	INDEX_SYMBOLS,
	INDEX_BUILTIN,
	INDEX_BUILTIN_ALIAS,
	INDEX_COUNT
};

static const char *const index_files[INDEX_COUNT] = {
	[INDEX_DEP] = "modules.dep.bin",
	[INDEX_ALIAS] = "modules.alias.bin",
	[INDEX_SYMBOLS] = "modules.symbols.bin",
	[INDEX_BUILTIN] = "modules.builtin.bin",
	[INDEX_BUILTIN_ALIAS] = "modules.builtin.alias.bin",
};

struct mt_ctx {
	const struct mt_config *config;
	struct mt_index *index[INDEX_COUNT];
	bool index_tried[INDEX_COUNT];
	int index_err[INDEX_COUNT];
	char dirname[];
};

int mt_ctx_new(const char *dirname, struct mt_ctx **out)
{
	char buf[PATH_MAX];
	struct mt_ctx *ctx;
	size_t len;

	if (!dirname) {
		struct utsname u;

		if (uname(&u) < 0)
			return mt_fail(errno, "uname() failed: %s", strerror(errno));
		if ((size_t)snprintf(buf, sizeof(buf), "/lib/modules/%s", u.release) >= sizeof(buf))
			return mt_fail(ENAMETOOLONG, "module directory name too long");
		dirname = buf;
	}
	len = strlen(dirname);
	ctx = calloc(1, sizeof(*ctx) + len + 1);
	if (!ctx)
		return mt_fail(ENOMEM, "out of memory");
	memcpy(ctx->dirname, dirname, len);
	*out = ctx;
	return 0;
}

void mt_ctx_free(struct mt_ctx *ctx)
{
	if (!ctx)
		return;
	for (int i = 0; i < INDEX_COUNT; i++)
		mt_index_close(ctx->index[i]);
	free(ctx);
}

const char *mt_ctx_dirname(const struct mt_ctx *ctx)
{
	return ctx->dirname;
}

void mt_ctx_set_config(struct mt_ctx *ctx, const struct mt_config *cfg)
{
	ctx->config = cfg;
}

const struct mt_config *mt_ctx_config(const struct mt_ctx *ctx)
{
	return ctx->config;
}

/* The index, opened on first use; NULL when missing (a skipped step) with
 * *err = 0, NULL with *err < 0 when it exists but cannot be used. */
static struct mt_index *ctx_index(struct mt_ctx *ctx, enum index_id id, int *err)
{
	if (!ctx->index_tried[id]) {
		char path[PATH_MAX];
		int ret;

		ctx->index_tried[id] = true;
		snprintf(path, sizeof(path), "%s/%s", ctx->dirname, index_files[id]);
		ret = mt_index_open(path, &ctx->index[id]);
		/* depmod writes the built-in indexes empty (0 bytes) when their
		 * sources are missing: like kmod, treat them as absent then */
		if (ret == -ENOENT || (ret < 0 && (id == INDEX_BUILTIN || id == INDEX_BUILTIN_ALIAS)))
			ret = 0;
		ctx->index_err[id] = ret;
	}
	*err = ctx->index_err[id];
	return ctx->index[id];
}

void mt_modrefs_free(struct mt_modref *refs, int count)
{
	if (!refs)
		return;
	for (int i = 0; i < count; i++) {
		free(refs[i].name);
		free(refs[i].path);
		free(refs[i].deps);
		free(refs[i].alias);
	}
	free(refs);
}

/* Prefix a relative index path with the module directory. */
static char *absolute_path(const struct mt_ctx *ctx, const char *path, size_t len)
{
	char *out;

	if (path[0] == '/')
		return strndup(path, len);
	if (asprintf(&out, "%s/%.*s", ctx->dirname, (int)len, path) < 0)
		return NULL;
	return out;
}

int mt_module_dep(struct mt_ctx *ctx, struct mt_modref *ref)
{
	struct mt_index *idx;
	char *line, *colon;
	int err;

	idx = ctx_index(ctx, INDEX_DEP, &err);
	if (!idx)
		return err;
	errno = 0;
	line = mt_index_lookup(idx, ref->name);
	if (!line)
		return errno ? -errno : 0;
	colon = strchr(line, ':');
	if (!colon) {
		free(line);
		return mt_fail(EINVAL, "%s/%s: bad entry for %s", ctx->dirname,
			       index_files[INDEX_DEP], ref->name);
	}
	ref->path = absolute_path(ctx, line, (size_t)(colon - line));
	ref->deps = strdup(colon + 1);
	free(line);
	if (!ref->path || !ref->deps)
		return -ENOMEM;
	return 1;
}

int mt_module_builtin(struct mt_ctx *ctx, const char *name)
{
	struct mt_index *idx;
	char *value;
	int err;

	idx = ctx_index(ctx, INDEX_BUILTIN, &err);
	if (!idx)
		return err;
	errno = 0;
	value = mt_index_lookup(idx, name);
	if (!value)
		return errno ? -errno : 0;
	free(value);
	return 1;
}

int mt_module_initstate(struct mt_ctx *ctx, const char *name)
{
	if (mt_module_builtin(ctx, name) > 0)
		return MT_INITSTATE_BUILTIN;
	return mt_kernel_initstate(name);
}

bool mt_module_in_kernel(struct mt_ctx *ctx, const char *name)
{
	int state = mt_module_initstate(ctx, name);

	return state == MT_INITSTATE_LIVE || state == MT_INITSTATE_BUILTIN;
}

static int push_ref(struct mt_modref **refs, int *count, const char *name, size_t len,
		    const char *alias)
{
	struct mt_modref *grown = realloc(*refs, sizeof(**refs) * (size_t)(*count + 1));
	struct mt_modref *ref;

	if (!grown)
		return -ENOMEM;
	*refs = grown;
	ref = &grown[*count];
	*ref = (struct mt_modref){ .name = strndup(name, len), .alias = alias ? strdup(alias) : NULL };
	(*count)++;
	if (!ref->name || (alias && !ref->alias))
		return -ENOMEM;
	return 0;
}

/* A wildcard index step: every value names a module. */
static int lookup_wild(struct mt_ctx *ctx, enum index_id id, const char *key, bool builtin,
		       struct mt_modref **refs, int *count)
{
	struct mt_index_value *values;
	struct mt_index *idx;
	int n, err;

	idx = ctx_index(ctx, id, &err);
	if (!idx)
		return err;
	n = mt_index_lookup_wild(idx, key, &values);
	if (n < 0)
		return n;
	for (int i = 0; i < n && err >= 0; i++) {
		err = push_ref(refs, count, values[i].value, strlen(values[i].value), key);
		if (err >= 0)
			(*refs)[*count - 1].builtin = builtin;
	}
	mt_index_values_free(values, n);
	return err;
}

/* Paths of modules found by name through an alias or symbol index. */
static int resolve_paths(struct mt_ctx *ctx, struct mt_modref *refs, int count)
{
	for (int i = 0; i < count; i++) {
		int err = refs[i].builtin ? 0 : mt_module_dep(ctx, &refs[i]);

		if (err < 0)
			return err;
		if (err == 0 && !refs[i].builtin) {
			err = mt_module_builtin(ctx, refs[i].name);
			if (err < 0)
				return err;
			refs[i].builtin = err > 0;
		}
	}
	return 0;
}

int mt_lookup(struct mt_ctx *ctx, const char *query, unsigned flags, struct mt_modref **out)
{
	char key[PATH_MAX];
	struct mt_modref *refs = NULL;
	int count = 0, err;

	if (flags & MT_LOOKUP_NAME_ONLY)
		err = mt_modname_normalize(query, key, sizeof(key));
	else
		err = mt_alias_normalize(query, key, sizeof(key));
	if (err < 0)
		return mt_fail(-err, "invalid module name '%s'", query);

	if (ctx->config && !(flags & MT_LOOKUP_NAME_ONLY)) {
		const struct mt_config_alias *aliases;
		int n = 0;

		aliases = mt_config_aliases(ctx->config, &n);
		for (int i = 0; i < n; i++) {
			if (!mt_glob_match(aliases[i].pattern, key))
				continue;
			err = push_ref(&refs, &count, aliases[i].modname, strlen(aliases[i].modname),
				       aliases[i].pattern);
			if (err < 0)
				goto fail;
		}
		if (count)
			goto resolve;
	}
	if ((flags & MT_LOOKUP_NAME_ONLY) || !strchr(key, ':')) {
		struct mt_modref ref = { .name = key };

		err = mt_module_dep(ctx, &ref);
		if (err < 0)
			goto fail;
		if (err > 0) {
			err = push_ref(&refs, &count, key, strlen(key), NULL);
			if (err < 0) {
				free(ref.path);
				free(ref.deps);
				goto fail;
			}
			refs[0].path = ref.path;
			refs[0].deps = ref.deps;
			goto done;
		}
	}
	if (!(flags & MT_LOOKUP_NAME_ONLY)) {
		if (strncmp(key, "symbol:", 7) == 0) {
			err = lookup_wild(ctx, INDEX_SYMBOLS, key, false, &refs, &count);
			if (err < 0)
				goto fail;
			if (count)
				goto resolve;
		}
		if (ctx->config && (mt_config_install(ctx->config, key, true) ||
				    mt_config_remove(ctx->config, key, true))) {
			err = push_ref(&refs, &count, key, strlen(key), NULL);
			if (err < 0)
				goto fail;
			goto resolve;
		}
		err = lookup_wild(ctx, INDEX_ALIAS, key, false, &refs, &count);
		if (err < 0)
			goto fail;
		if (count)
			goto resolve;
	}
	err = mt_module_builtin(ctx, key);
	if (err < 0)
		goto fail;
	if (err > 0) {
		err = push_ref(&refs, &count, key, strlen(key), NULL);
		if (err < 0)
			goto fail;
		refs[0].builtin = true;
		goto done;
	}
	err = lookup_wild(ctx, INDEX_BUILTIN_ALIAS, key, true, &refs, &count);
	if (err < 0)
		goto fail;
	goto done;
resolve:
	err = resolve_paths(ctx, refs, count);
	if (err < 0)
		goto fail;
done:
	*out = refs;
	return count;
fail:
	mt_modrefs_free(refs, count);
	return err;
}

/*
 * lookup.c — name resolution through a context's indexes and
 * configuration: from a name, alias or symbol to the modules (with paths)
 * it stands for, and a module's state, built in per the directory's
 * modules.builtin.bin or else as the kernel shows it.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <syslog.h>
#include "internal.h"

void mt_modref_release(struct mt_modref *ref)
{
	free(ref->name);
	free(ref->path);
	mt_strv_free(ref->deps, ref->ndeps);
	free(ref->alias);
}

int mt_modref_copy(struct mt_modref *dst, const struct mt_modref *src)
{
	*dst = (struct mt_modref){
		.name = strdup(src->name),
		.path = src->path ? strdup(src->path) : NULL,
		.alias = src->alias ? strdup(src->alias) : NULL,
		.builtin = src->builtin,
	};
	if (!dst->name || (src->path && !dst->path) || (src->alias && !dst->alias))
		goto fail;
	for (int i = 0; i < src->ndeps; i++)
		if (mt_strv_push(&dst->deps, &dst->ndeps, src->deps[i]) < 0)
			goto fail;
	return 0;
fail:
	mt_modref_release(dst);
	*dst = (struct mt_modref){ 0 };
	return -ENOMEM;
}

void mt_modrefs_free(struct mt_modref *refs, int count)
{
	if (!refs)
		return;
	for (int i = 0; i < count; i++)
		mt_modref_release(&refs[i]);
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

/* Append the paths of a modules.dep line's dependency list. */
static int push_dep_paths(const struct mt_ctx *ctx, const char *s, struct mt_modref *ref)
{
	while (*s) {
		const char *start;
		char *path;
		int err;

		s += strspn(s, " \t");
		if (!*s)
			break;
		start = s;
		s += strcspn(s, " \t");
		path = absolute_path(ctx, start, (size_t)(s - start));
		err = path ? mt_strv_push(&ref->deps, &ref->ndeps, path) : -ENOMEM;
		free(path);
		if (err < 0)
			return err;
	}
	return 0;
}

int mt_module_dep(struct mt_ctx *ctx, struct mt_modref *ref)
{
	struct mt_index *idx;
	char *line, *colon;
	int err;

	idx = mt_ctx_index(ctx, MT_INDEX_DEP);
	if (!idx)
		return 0;
	errno = 0;
	line = mt_index_lookup(idx, ref->name);
	if (!line)
		return errno ? -errno : 0;
	colon = strchr(line, ':');
	if (!colon) {
		free(line);
		return mt_fail(EINVAL, "%s/%s: bad entry for %s", ctx->dirname,
			       mt_index_file(MT_INDEX_DEP), ref->name);
	}
	ref->path = absolute_path(ctx, line, (size_t)(colon - line));
	err = ref->path ? push_dep_paths(ctx, colon + 1, ref) : -ENOMEM;
	free(line);
	return err < 0 ? err : 1;
}

int mt_module_builtin(struct mt_ctx *ctx, const char *name)
{
	struct mt_index *idx;
	char *value;

	idx = mt_ctx_index(ctx, MT_INDEX_BUILTIN);
	if (!idx)
		return 0;
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

/* One name resolution in progress: the normalized query and what the
 * steps found so far. */
struct lookup {
	struct mt_ctx *ctx;
	const char *key;
	unsigned flags;
	struct mt_modref *refs;
	int count;
};

static int push_ref(struct lookup *l, const char *name, const char *alias, bool builtin)
{
	struct mt_modref *ref;

	if (mt_array_room(&l->refs, (size_t)l->count, sizeof(*l->refs)) < 0)
		return -ENOMEM;
	ref = &l->refs[l->count++];
	*ref = (struct mt_modref){
		.name = strdup(name),
		.alias = alias ? strdup(alias) : NULL,
		.builtin = builtin,
	};
	if (!ref->name || (alias && !ref->alias))
		return -ENOMEM;
	return 0;
}

/* Take back the last result. */
static void pop_ref(struct lookup *l)
{
	mt_modref_release(&l->refs[--l->count]);
}

/* A wildcard index: every value names a module. */
static int lookup_wild(struct lookup *l, enum mt_index_id id, bool builtin)
{
	struct mt_index_value *values;
	struct mt_index *idx;
	int n, err = 0;

	idx = mt_ctx_index(l->ctx, id);
	if (!idx)
		return 0;
	n = mt_index_lookup_wild(idx, l->key, &values);
	if (n < 0)
		return n;
	for (int i = 0; i < n && err >= 0; i++)
		err = push_ref(l, values[i].value, l->key, builtin);
	mt_index_values_free(values, n);
	return err;
}

/* Configuration aliases whose pattern matches, in configuration order. */
static int lookup_config_alias(struct lookup *l)
{
	const struct mt_config_alias *aliases;
	int n = 0, err = 0;

	if (!l->ctx->config)
		return 0;
	aliases = mt_config_aliases(l->ctx->config, &n);
	for (int i = 0; i < n && err >= 0; i++)
		if (mt_glob_match(aliases[i].pattern, l->key))
			err = push_ref(l, aliases[i].modname, aliases[i].pattern, false);
	return err;
}

/* The module of that name in modules.dep.bin, with its path; a query with
 * a ':' is no module name (except for MT_LOOKUP_NAME_ONLY). */
static int lookup_dep(struct lookup *l)
{
	int err;

	if (!(l->flags & MT_LOOKUP_NAME_ONLY) && strchr(l->key, ':'))
		return 0;
	err = push_ref(l, l->key, NULL, false);
	if (err >= 0)
		err = mt_module_dep(l->ctx, &l->refs[l->count - 1]);
	if (err <= 0)
		pop_ref(l);
	return err;
}

/* "symbol:NAME": the modules exporting NAME. */
static int lookup_symbol(struct lookup *l)
{
	if (strncmp(l->key, "symbol:", 7) != 0)
		return 0;
	return lookup_wild(l, MT_INDEX_SYMBOLS, false);
}

/* A module of that name with a configured install or remove command. */
static int lookup_command(struct lookup *l)
{
	const struct mt_config *cfg = l->ctx->config;

	if (!cfg || (!mt_config_install(cfg, l->key, true) && !mt_config_remove(cfg, l->key, true)))
		return 0;
	return push_ref(l, l->key, NULL, false);
}

static int lookup_alias(struct lookup *l)
{
	return lookup_wild(l, MT_INDEX_ALIAS, false);
}

static int lookup_builtin(struct lookup *l)
{
	int err = mt_module_builtin(l->ctx, l->key);

	return err <= 0 ? err : push_ref(l, l->key, NULL, true);
}

static int lookup_builtin_alias(struct lookup *l)
{
	return lookup_wild(l, MT_INDEX_BUILTIN_ALIAS, true);
}

/* kmod's order; the first step that finds anything ends the lookup, and a
 * missing index makes its step find nothing. */
static const struct lookup_step {
	int (*run)(struct lookup *l);
	bool by_name;		/* a step of MT_LOOKUP_NAME_ONLY too */
	bool find_paths;	/* found by name only: look up paths */
} lookup_steps[] = {
	{ lookup_config_alias,	false,	true },
	{ lookup_dep,		true,	false },
	{ lookup_symbol,	false,	true },
	{ lookup_command,	false,	true },
	{ lookup_alias,		false,	true },
	{ lookup_builtin,	true,	false },
	{ lookup_builtin_alias,	true,	false },
};

/* Paths of modules found by name: from modules.dep.bin, else the module
 * may be built in. */
static int find_paths(struct lookup *l)
{
	for (int i = 0; i < l->count; i++) {
		struct mt_modref *ref = &l->refs[i];
		int err = mt_module_dep(l->ctx, ref);

		if (err == 0) {
			err = mt_module_builtin(l->ctx, ref->name);
			ref->builtin = err > 0;
		}
		if (err < 0)
			return err;
	}
	return 0;
}

int mt_lookup(struct mt_ctx *ctx, const char *query, unsigned flags, struct mt_modref **out)
{
	char key[PATH_MAX];
	struct lookup l = { .ctx = ctx, .key = key, .flags = flags };
	int err;

	if (flags & MT_LOOKUP_NAME_ONLY)
		err = mt_name_normalize(query, key, sizeof(key));
	else
		err = mt_alias_normalize(query, key, sizeof(key));
	if (err < 0)
		return mt_fail(-err, "invalid module name '%s'", query);
	err = 0;
	for (size_t i = 0; i < sizeof(lookup_steps) / sizeof(lookup_steps[0]); i++) {
		const struct lookup_step *step = &lookup_steps[i];

		if ((flags & MT_LOOKUP_NAME_ONLY) && !step->by_name)
			continue;
		err = step->run(&l);
		if (err >= 0 && l.count && step->find_paths)
			err = find_paths(&l);
		if (err < 0 || l.count)
			break;
	}
	if (err < 0 || l.count == 0) {
		/* a step may have taken back what it tried (lookup_dep) */
		mt_modrefs_free(l.refs, l.count);
		l.refs = NULL;
	}
	if (err < 0)
		return err;
	*out = l.refs;
	return l.count;
}

int mt_lookup_softdeps(struct mt_ctx *ctx, const char *const *names, int n,
		       struct mt_modref **out)
{
	struct mt_modref *all = NULL;
	size_t cap = 0;
	int count = 0;

	for (int i = 0; i < n; i++) {
		struct mt_modref *refs;
		int nrefs = mt_lookup(ctx, names[i], 0, &refs);

		if (nrefs < 0) {
			mt_log(ctx, LOG_ERR, "failed to lookup dependency '%s', continuing anyway.\n",
			       names[i]);
			continue;
		}
		if (nrefs == 0)
			continue;
		if (mt_array_reserve(&all, &cap, (size_t)count + (size_t)nrefs, sizeof(*all)) < 0) {
			mt_modrefs_free(refs, nrefs);
			mt_modrefs_free(all, count);
			return -ENOMEM;
		}
		memcpy(all + count, refs, sizeof(*refs) * (size_t)nrefs);
		count += nrefs;
		free(refs);
	}
	*out = all;
	return count;
}

int mt_module_softdeps(struct mt_ctx *ctx, const char *name, struct mt_modref **pre, int *npre,
		       struct mt_modref **post, int *npost)
{
	const char *const *pre_names = NULL, *const *post_names = NULL;
	int npre_names = 0, npost_names = 0;

	*pre = *post = NULL;
	*npre = *npost = 0;
	if (!ctx->config || !mt_config_softdeps(ctx->config, name, &pre_names, &npre_names,
						&post_names, &npost_names))
		return 0;
	*npre = mt_lookup_softdeps(ctx, pre_names, npre_names, pre);
	if (*npre < 0)
		return *npre;
	*npost = mt_lookup_softdeps(ctx, post_names, npost_names, post);
	if (*npost < 0) {
		int err = *npost;

		mt_modrefs_free(*pre, *npre);
		*pre = NULL;
		*npre = *npost = 0;
		return err;
	}
	return 0;
}

int mt_module_weakdeps(struct mt_ctx *ctx, const char *name, struct mt_modref **out)
{
	const char *const *names = NULL;
	int n = 0;

	*out = NULL;
	if (!ctx->config || !mt_config_weakdeps(ctx->config, name, &names, &n))
		return 0;
	return mt_lookup_softdeps(ctx, names, n, out);
}

int mt_lookup_path(struct mt_ctx *ctx, const char *path, struct mt_modref **out)
{
	struct mt_modref *ref, dep = { 0 };
	char name[PATH_MAX];
	struct stat st;
	int err;

	if (stat(path, &st) < 0)
		return -errno;
	err = mt_modname_normalize(path, name, sizeof(name));
	if (err < 0)
		return err;
	ref = calloc(1, sizeof(*ref));
	if (!ref)
		return -ENOMEM;
	ref->name = strdup(name);
	ref->path = mt_path_absolute(path);
	dep.name = ref->name;
	err = ref->name && ref->path ? mt_module_dep(ctx, &dep) : -ENOMEM;
	/* the file given, with the dependencies of its name */
	free(dep.path);
	ref->deps = dep.deps;
	ref->ndeps = dep.ndeps;
	if (err < 0) {
		mt_modrefs_free(ref, 1);
		return err;
	}
	*out = ref;
	return 1;
}

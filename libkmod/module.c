/*
 * module.c — kmod's module objects: one per name (or name and alias) in a
 * context's pool, reference counted, made by name, by path and from
 * libmodtool's lookups; what kmod works out once and keeps in them (the
 * modules.dep line, the dependencies as modules, options, install and
 * remove commands, built in or not, the open file); soft and weak
 * dependencies, and the blacklist and built-in filters.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include "internal.h"

/* ---- the pool --------------------------------------------------------------- */

static size_t key_hash(const char *key)
{
	uint32_t h = 2166136261u;

	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		h = (h ^ *p) * 16777619u;
	return h;
}

static struct kmod_module **pool_slot(struct lk_pool *pool, const char *key)
{
	struct kmod_module **slot = &pool->buckets[key_hash(key) & (pool->nbuckets - 1)];

	while (*slot && strcmp((*slot)->key, key) != 0)
		slot = &(*slot)->pool_next;
	return slot;
}

static struct kmod_module *pool_find(struct lk_pool *pool, const char *key)
{
	return pool->nbuckets ? *pool_slot(pool, key) : NULL;
}

/* Room for one more module: the buckets double when the chains grow
 * longer than two on average.  0 or -ENOMEM. */
static int pool_grow(struct lk_pool *pool)
{
	struct kmod_module **old = pool->buckets;
	size_t n = pool->nbuckets, size = n ? n * 2 : 256;

	if (pool->count < n * 2)
		return 0;
	pool->buckets = calloc(size, sizeof(*pool->buckets));
	if (!pool->buckets) {
		pool->buckets = old;
		return n ? 0 : -ENOMEM;		/* longer chains will do */
	}
	pool->nbuckets = size;
	for (size_t i = 0; i < n; i++) {
		for (struct kmod_module *m = old[i], *next; m; m = next) {
			struct kmod_module **slot = pool_slot(pool, m->key);

			next = m->pool_next;
			m->pool_next = NULL;
			*slot = m;
		}
	}
	free(old);
	return 0;
}

static void pool_remove(struct lk_pool *pool, struct kmod_module *mod)
{
	struct kmod_module **slot = pool_slot(pool, mod->key);

	*slot = mod->pool_next;
	pool->count--;
}

/* ---- making and releasing --------------------------------------------------- */

int lk_module_get(struct kmod_ctx *ctx, const char *name, const char *alias,
		  struct kmod_module **out)
{
	size_t name_len = strlen(name), alias_len = alias ? strlen(alias) : 0;
	size_t key_len = name_len + (alias ? alias_len + 1 : 0);
	struct kmod_module *mod;
	char key[PATH_MAX];

	if (key_len >= sizeof(key))
		return -ENAMETOOLONG;
	memcpy(key, name, name_len + 1);
	if (alias) {
		key[name_len] = '\\';
		memcpy(key + name_len + 1, alias, alias_len + 1);
	}
	mod = pool_find(&ctx->pool, key);
	if (mod) {
		*out = kmod_module_ref(mod);
		return 0;
	}
	if (pool_grow(&ctx->pool) < 0)
		return -ENOMEM;
	mod = calloc(1, sizeof(*mod) + key_len + 1);
	if (!mod)
		return -ENOMEM;
	memcpy(mod->key, key, key_len + 1);
	mod->name = strndup(name, name_len);
	mod->alias = alias ? strdup(alias) : NULL;
	if (!mod->name || (alias && !mod->alias)) {
		free(mod->name);
		free(mod);
		return -ENOMEM;
	}
	mod->ctx = kmod_ref(ctx);
	mod->refcount = 1;
	*pool_slot(&ctx->pool, key) = mod;
	ctx->pool.count++;
	*out = mod;
	return 0;
}

struct kmod_module *kmod_module_ref(struct kmod_module *mod)
{
	if (!mod)
		return NULL;
	mod->refcount++;
	return mod;
}

struct kmod_module *kmod_module_unref(struct kmod_module *mod)
{
	if (!mod)
		return NULL;
	if (--mod->refcount > 0)
		return mod;
	pool_remove(&mod->ctx->pool, mod);
	kmod_module_unref_list(mod->deps);
	mt_module_close(mod->file);
	mt_strv_free(mod->dep_paths, mod->ndep_paths);
	free(mod->options);
	free(mod->path);
	free(mod->alias);
	free(mod->name);
	kmod_unref(mod->ctx);
	free(mod);
	return NULL;
}

int kmod_module_unref_list(struct kmod_list *list)
{
	while (list) {
		kmod_module_unref(list->data);
		list = lk_list_remove_first(list);
	}
	return 0;
}

struct kmod_module *kmod_module_get_module(const struct kmod_list *entry)
{
	return entry ? kmod_module_ref(entry->data) : NULL;
}

int kmod_module_new_from_name(struct kmod_ctx *ctx, const char *name, struct kmod_module **mod)
{
	char buf[PATH_MAX];
	int err;

	if (!ctx || !name || !mod)
		return -ENOENT;
	err = mt_name_normalize(name, buf, sizeof(buf));
	if (err < 0)
		return err;
	return lk_module_get(ctx, buf, NULL, mod);
}

/* kmod_module_new_from_path: the module of the file's name, which takes the
 * path when it has none; a module of that name with another path is
 * refused.  A module made from a path is never built in. */
static int module_from_path(struct kmod_ctx *ctx, const char *path, struct kmod_module **out)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	struct kmod_module *mod;
	char name[PATH_MAX], *absolute;
	struct stat st;
	int err;

	absolute = mt_path_absolute(path);
	if (!absolute)
		return -errno;
	if (stat(absolute, &st) < 0) {
		err = -errno;
		free(absolute);
		return err;
	}
	err = *base ? mt_name_normalize(base, name, sizeof(name)) : -ENOENT;
	if (err >= 0)
		err = lk_module_get(ctx, name, NULL, &mod);
	if (err < 0) {
		free(absolute);
		return err;
	}
	if (!mod->path) {
		mod->path = absolute;
	} else if (strcmp(mod->path, absolute) != 0) {
		lk_log(ctx, LOG_ERR, "kmod_module '%s' already exists with different path: "
		       "new-path='%s' old-path='%s'\n", name, absolute, mod->path);
		free(absolute);
		kmod_module_unref(mod);
		return -EEXIST;
	} else {
		free(absolute);
	}
	mod->builtin = LK_BUILTIN_NO;
	*out = mod;
	return 0;
}

int kmod_module_new_from_path(struct kmod_ctx *ctx, const char *path, struct kmod_module **mod)
{
	if (!ctx || !path || !mod)
		return -ENOENT;
	lk_mt(ctx, __func__);
	return module_from_path(ctx, path, mod);
}

/* A copy of a string vector: 0 or -ENOMEM. */
static int strv_copy(char *const *strv, int n, char ***out)
{
	char **copy = n ? calloc((size_t)n, sizeof(*copy)) : NULL;

	if (n && !copy)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		copy[i] = strdup(strv[i]);
		if (!copy[i]) {
			mt_strv_free(copy, i);
			return -ENOMEM;
		}
	}
	*out = copy;
	return 0;
}

int lk_module_from_ref(struct kmod_ctx *ctx, const struct mt_modref *ref,
		       struct kmod_module **out)
{
	struct kmod_module *mod;
	int err = lk_module_get(ctx, ref->name, ref->alias, &mod);

	if (err < 0)
		return err;
	if (ref->builtin)
		mod->builtin = LK_BUILTIN_YES;
	if (ref->path && !mod->dep_read) {
		if (!mod->path && !(mod->path = strdup(ref->path)))
			err = -ENOMEM;
		if (err == 0)
			err = strv_copy(ref->deps, ref->ndeps, &mod->dep_paths);
		if (err < 0) {
			kmod_module_unref(mod);
			return err;
		}
		mod->ndep_paths = ref->ndeps;
		mod->dep_read = true;
	}
	*out = mod;
	return 0;
}

int lk_modules_from_refs(struct kmod_ctx *ctx, const struct mt_modref *refs, int n,
			 struct kmod_list **list)
{
	for (int i = 0; i < n; i++) {
		struct kmod_module *mod;
		int err = lk_module_from_ref(ctx, &refs[i], &mod);

		if (err == 0 && (err = lk_list_append(list, mod)) < 0)
			kmod_module_unref(mod);
		if (err < 0)
			return err;
	}
	return 0;
}

/* ---- lookups ------------------------------------------------------------------ */

int kmod_module_new_from_lookup(struct kmod_ctx *ctx, const char *given_alias,
				struct kmod_list **list)
{
	struct mt_modref *refs;
	int n, err;

	if (!ctx || !given_alias)
		return -ENOENT;
	if (!list || *list) {
		lk_mt(ctx, __func__);
		lk_log(ctx, LOG_ERR, "An empty list is needed to create lookup\n");
		return -ENOSYS;
	}
	n = mt_lookup(lk_mt(ctx, __func__), given_alias, 0, &refs);
	if (n < 0)
		return n;
	err = lk_modules_from_refs(ctx, refs, n, list);
	mt_modrefs_free(refs, n);
	if (err < 0) {
		kmod_module_unref_list(*list);
		*list = NULL;
	}
	return err;
}

static int name_lookup(struct kmod_ctx *ctx, const char *modname, struct kmod_module **mod)
{
	struct mt_modref *refs;
	int n, err = 0;

	if (!ctx || !modname || !mod)
		return -ENOENT;
	n = mt_lookup(lk_mt(ctx, "kmod_module_new_from_name_lookup"), modname,
		      MT_LOOKUP_NAME_ONLY, &refs);
	if (n < 0)
		return n;
	if (n > 0)
		err = lk_module_from_ref(ctx, &refs[0], mod);
	mt_modrefs_free(refs, n);
	return err;
}

/* kmod 34.2 exports it at LIBKMOD_30, Debian's kmod 30 at LIBKMOD_5: both,
 * the first the default (libkmod.sym). */
int lk_name_lookup(struct kmod_ctx *ctx, const char *modname, struct kmod_module **mod);
int lk_name_lookup_5(struct kmod_ctx *ctx, const char *modname, struct kmod_module **mod);
__asm__(".symver lk_name_lookup, kmod_module_new_from_name_lookup@@LIBKMOD_30");
__asm__(".symver lk_name_lookup_5, kmod_module_new_from_name_lookup@LIBKMOD_5");

int lk_name_lookup(struct kmod_ctx *ctx, const char *modname, struct kmod_module **mod)
{
	return name_lookup(ctx, modname, mod);
}

int lk_name_lookup_5(struct kmod_ctx *ctx, const char *modname, struct kmod_module **mod)
{
	return name_lookup(ctx, modname, mod);
}

/* ---- what kmod works out once per module --------------------------------------- */

/* The module's modules.dep.bin line, while not read: its path (kept when
 * the module has one) and dependency paths. */
static void read_dep(struct kmod_module *mod)
{
	struct mt_modref ref = { .name = mod->name };

	if (mod->dep_read)
		return;
	if (mt_module_dep(mod->ctx->mt, &ref) > 0) {
		if (!mod->path) {
			mod->path = ref.path;
			ref.path = NULL;
		}
		mod->dep_paths = ref.deps;
		mod->ndep_paths = ref.ndeps;
		ref.deps = NULL;
		ref.ndeps = 0;
		mod->dep_read = true;
	}
	free(ref.path);
	mt_strv_free(ref.deps, ref.ndeps);
}

const char *kmod_module_get_name(const struct kmod_module *mod)
{
	return mod ? mod->name : NULL;
}

const char *kmod_module_get_path(const struct kmod_module *mod)
{
	if (!mod)
		return NULL;
	lk_mt(mod->ctx, __func__);
	read_dep((struct kmod_module *)mod);
	return mod->path;
}

/* The dependencies as modules, each made from its path, in the reverse of
 * the line's order (kmod prepends them).  A dependency that cannot be made
 * leaves none, to be tried again. */
static void make_deps(struct kmod_module *mod)
{
	struct kmod_list *list = NULL;

	read_dep(mod);
	if (mod->deps_made || !mod->dep_read)
		return;
	for (int i = 0; i < mod->ndep_paths; i++) {
		struct kmod_module *dep;
		int err = module_from_path(mod->ctx, mod->dep_paths[i], &dep);

		if (err == 0 && (err = lk_list_prepend(&list, dep)) < 0)
			kmod_module_unref(dep);
		if (err < 0) {
			lk_log(mod->ctx, LOG_ERR, "could not get module %s, a dependency of %s: %s\n",
			       mod->dep_paths[i], mod->name, strerror(-err));
			kmod_module_unref_list(list);
			return;
		}
	}
	mod->deps = list;
	mod->deps_made = true;
}

struct kmod_list *kmod_module_get_dependencies(const struct kmod_module *mod)
{
	struct kmod_list *copy = NULL;

	if (!mod)
		return NULL;
	lk_mt(mod->ctx, __func__);
	make_deps((struct kmod_module *)mod);
	for (const struct kmod_list *l = mod->deps; l; l = kmod_list_next(mod->deps, l)) {
		if (lk_list_append(&copy, l->data) < 0) {
			kmod_module_unref_list(copy);
			return NULL;
		}
		kmod_module_ref(l->data);
	}
	return copy;
}

bool lk_module_builtin(struct kmod_module *mod)
{
	if (mod->builtin == LK_BUILTIN_UNKNOWN)
		mod->builtin = mt_module_builtin(mod->ctx->mt, mod->name) > 0 ? LK_BUILTIN_YES
									 : LK_BUILTIN_NO;
	return mod->builtin == LK_BUILTIN_YES;
}

void lk_module_ref(struct kmod_module *mod, struct mt_modref *ref)
{
	read_dep(mod);
	*ref = (struct mt_modref){
		.name = mod->name,
		.path = mod->path,
		.deps = mod->dep_paths,
		.ndeps = mod->ndep_paths,
		.alias = mod->alias,
		.builtin = lk_module_builtin(mod),
	};
}

int lk_module_file(struct kmod_module *mod, struct mt_module **file)
{
	if (!mod->file) {
		const char *path = kmod_module_get_path(mod);
		int err;

		if (!path)
			return -ENOENT;
		err = mt_module_open(path, &mod->file);
		if (err < 0)
			return err;
	}
	*file = mod->file;
	return 0;
}

const char *kmod_module_get_options(const struct kmod_module *mod)
{
	struct kmod_module *m = (struct kmod_module *)mod;

	if (!mod)
		return NULL;
	if (!m->options_known) {
		const struct mt_config *cfg = mt_ctx_config(m->ctx->mt);

		m->options = cfg ? mt_config_options(cfg, m->name, m->alias) : NULL;
		m->options_known = true;
	}
	return m->options;
}

const char *kmod_module_get_install_commands(const struct kmod_module *mod)
{
	struct kmod_module *m = (struct kmod_module *)mod;

	if (!mod)
		return NULL;
	if (!m->install_known) {
		const struct mt_config *cfg = mt_ctx_config(m->ctx->mt);

		m->install = cfg ? mt_config_install(cfg, m->name, false) : NULL;
		m->install_known = true;
	}
	return m->install;
}

const char *kmod_module_get_remove_commands(const struct kmod_module *mod)
{
	struct kmod_module *m = (struct kmod_module *)mod;

	if (!mod)
		return NULL;
	if (!m->remove_known) {
		const struct mt_config *cfg = mt_ctx_config(m->ctx->mt);

		m->remove = cfg ? mt_config_remove(cfg, m->name, false) : NULL;
		m->remove_known = true;
	}
	return m->remove;
}

/* ---- soft and weak dependencies, filters ------------------------------------- */

int kmod_module_get_softdeps(const struct kmod_module *mod, struct kmod_list **pre,
			     struct kmod_list **post)
{
	struct mt_modref *pre_refs, *post_refs;
	int npre, npost, err;

	if (!mod || !pre || !post)
		return -ENOENT;
	err = mt_module_softdeps(lk_mt(mod->ctx, __func__), mod->name, &pre_refs, &npre,
				 &post_refs, &npost);
	if (err < 0)
		return err;
	err = lk_modules_from_refs(mod->ctx, pre_refs, npre, pre);
	if (err == 0)
		err = lk_modules_from_refs(mod->ctx, post_refs, npost, post);
	mt_modrefs_free(pre_refs, npre);
	mt_modrefs_free(post_refs, npost);
	return err;
}

int kmod_module_get_weakdeps(const struct kmod_module *mod, struct kmod_list **weak)
{
	struct mt_modref *refs;
	int n, err;

	if (!mod || !weak)
		return -ENOENT;
	n = mt_module_weakdeps(lk_mt(mod->ctx, __func__), mod->name, &refs);
	if (n < 0)
		return n;
	err = lk_modules_from_refs(mod->ctx, refs, n, weak);
	mt_modrefs_free(refs, n);
	return err;
}

int kmod_module_apply_filter(const struct kmod_ctx *ctx, enum kmod_filter filter_type,
			     const struct kmod_list *input, struct kmod_list **output)
{
	const struct mt_config *cfg;

	if (!ctx || !output)
		return -ENOENT;
	*output = NULL;
	cfg = mt_ctx_config(lk_mt(ctx, __func__));
	for (const struct kmod_list *l = input; l; l = kmod_list_next(input, l)) {
		struct kmod_module *mod = l->data;

		if ((filter_type & KMOD_FILTER_BLACKLIST) && cfg &&
		    mt_config_blacklisted(cfg, mod->name))
			continue;
		if ((filter_type & KMOD_FILTER_BUILTIN) && lk_module_builtin(mod))
			continue;
		if (lk_list_append(output, mod) < 0) {
			kmod_module_unref_list(*output);
			*output = NULL;
			return -ENOMEM;
		}
		kmod_module_ref(mod);
	}
	return 0;
}

int kmod_module_get_filtered_blacklist(const struct kmod_ctx *ctx, const struct kmod_list *input,
				       struct kmod_list **output)
{
	return kmod_module_apply_filter(ctx, KMOD_FILTER_BLACKLIST, input, output);
}

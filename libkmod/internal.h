/*
 * internal.h — what the files of libkmod.so.2 share.  The library is kmod's
 * interface (libkmod.h) over libmodtool: every lookup, configuration
 * query, probe and file read is a libmodtool call, and these files only
 * keep kmod's objects — the context with its log function and its pool of
 * modules, modules with their reference counts and what kmod caches in
 * them, kmod's circular lists — and map arguments, flags and errors.
 */
#ifndef LIBKMOD_INTERNAL_H
#define LIBKMOD_INTERNAL_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include "libkmod.h"
#include "libmodtool.h"

/* ---- lists (list.c) ------------------------------------------------------
 * kmod's list: circular and doubly linked, the list being its first entry;
 * NULL is the empty list. */
struct kmod_list {
	struct kmod_list *next, *prev;
	void *data;
};

/* Append (prepend) an entry holding `data` to *list: 0 or -ENOMEM, the list
 * unchanged then. */
int lk_list_append(struct kmod_list **list, void *data);
int lk_list_prepend(struct kmod_list **list, void *data);

/* Remove the first entry (its data is the caller's); the rest. */
struct kmod_list *lk_list_remove_first(struct kmod_list *list);

/* Free every entry and, with free_data, each one's data. */
void lk_list_free(struct kmod_list *list, void (*free_data)(void *data));

/* ---- the context (ctx.c) ------------------------------------------------ */
typedef void (*lk_log_fn)(void *data, int priority, const char *file, int line, const char *fn,
			  const char *format, va_list args);

struct lk_pool {
	struct kmod_module **buckets;
	size_t nbuckets, count;
};

struct kmod_ctx {
	int refcount;
	struct mt_ctx *mt;
	lk_log_fn log_fn;
	void *log_data;
	const void *userdata;
	/* the kmod_* function at work, named in its messages */
	const char *fn;
	/* the modules alive, by kmod's key: the name, or "NAME\ALIAS" */
	struct lk_pool pool;
};

/* ctx's libmodtool context, for work done by function `fn` (__func__). */
struct mt_ctx *lk_mt(const struct kmod_ctx *ctx, const char *fn);

/* Tell ctx's log function, when within its priority (a message of the
 * adapter's own, in kmod's words). */
void lk_log(const struct kmod_ctx *ctx, int priority, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* mt_last_error() as an error message of ctx. */
void lk_log_last_error(const struct kmod_ctx *ctx);

/* ---- modules (module.c) ------------------------------------------------- */
enum lk_builtin { LK_BUILTIN_UNKNOWN, LK_BUILTIN_NO, LK_BUILTIN_YES };

struct kmod_module {
	struct kmod_ctx *ctx;		/* a reference */
	struct kmod_module *pool_next;
	int refcount;
	char *name;
	char *alias;			/* the alias it was found through, or NULL */
	char *path;
	/* modules.dep.bin's line, once read: path and dependency paths */
	bool dep_read;
	char **dep_paths;
	int ndep_paths;
	/* the dependencies as modules, the line read backwards, once made */
	bool deps_made;
	struct kmod_list *deps;
	bool options_known, install_known, remove_known;
	char *options;
	const char *install, *remove;	/* in the configuration */
	enum lk_builtin builtin;
	struct mt_module *file;		/* opened on first use */
	char key[];
};

/* The module of that name (and alias), a new reference: from the pool, or
 * new.  0 or -ENOMEM. */
int lk_module_get(struct kmod_ctx *ctx, const char *name, const char *alias,
		  struct kmod_module **out);

/* The module of a libmodtool lookup result, with what the lookup found (the
 * path, its dependencies, built in).  0 or -ENOMEM. */
int lk_module_from_ref(struct kmod_ctx *ctx, const struct mt_modref *ref,
		       struct kmod_module **out);

/* Modules of lookup results appended to *list: 0 or -ENOMEM. */
int lk_modules_from_refs(struct kmod_ctx *ctx, const struct mt_modref *refs, int n,
			 struct kmod_list **list);

/* The module as a libmodtool lookup result: name, alias, path and
 * modules.dep dependencies, built in or not; the strings are the module's. */
void lk_module_ref(struct kmod_module *mod, struct mt_modref *ref);

/* Whether it is built in, looked up once. */
bool lk_module_builtin(struct kmod_module *mod);

/* Its module file, opened on first use (kmod keeps it open too): 0 or
 * -errno, -ENOENT without a path. */
int lk_module_file(struct kmod_module *mod, struct mt_module **file);

/* libmodtool's "no such section" as kmod 30's library says it. */
static inline int lk_section_err(int err)
{
	return err == -ENODATA ? -ENOENT : err;
}

#endif

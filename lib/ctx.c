/*
 * ctx.c — the library context: a module directory (the running kernel's by
 * default), where the messages about work done in it go (a log function
 * and a priority, per context, so that two users of the library in one
 * process keep theirs apart), the modprobe.d configuration read for it, and
 * its binary indexes, each opened on first use or all at once (as
 * kmod_load_resources does), and whether what was read is still what is on
 * disk.  What is looked up in the indexes is lookup.c's.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/utsname.h>
#include <syslog.h>
#include "internal.h"

static const char *const index_files[MT_INDEX_COUNT] = {
	[MT_INDEX_DEP] = "modules.dep.bin",
	[MT_INDEX_ALIAS] = "modules.alias.bin",
	[MT_INDEX_SYMBOLS] = "modules.symbols.bin",
	[MT_INDEX_BUILTIN] = "modules.builtin.bin",
	[MT_INDEX_BUILTIN_ALIAS] = "modules.builtin.alias.bin",
};

/* KMOD_LOG, as libkmod reads it: a number, or a word starting with "err",
 * "info" or "debug"; any other word is 0. */
static int priority_from_env(void)
{
	const char *env = getenv("KMOD_LOG");
	char *end;
	long prio;

	if (!env)
		return LOG_ERR;
	prio = strtol(env, &end, 10);
	if (*end == '\0' || isspace((unsigned char)*end))
		return prio < INT_MIN ? INT_MIN : prio > INT_MAX ? INT_MAX : (int)prio;
	if (strncmp(env, "err", 3) == 0)
		return LOG_ERR;
	if (strncmp(env, "info", 4) == 0)
		return LOG_INFO;
	if (strncmp(env, "debug", 5) == 0)
		return LOG_DEBUG;
	return 0;
}

int mt_ctx_new(const char *dirname, struct mt_ctx **out)
{
	char buf[PATH_MAX];
	struct mt_ctx *ctx;
	size_t len;

	if (!dirname) {
		struct utsname u;

		if (uname(&u) < 0)
			return mt_fail(errno, "uname() failed: %s", strerror(errno));
		if ((size_t)snprintf(buf, sizeof(buf), MODULE_DIRECTORY "/%s", u.release) >= sizeof(buf))
			return mt_fail(ENAMETOOLONG, "module directory name too long");
		dirname = buf;
	}
	len = strlen(dirname);
	ctx = calloc(1, sizeof(*ctx) + len + 1);
	if (!ctx)
		return mt_fail(ENOMEM, "out of memory");
	memcpy(ctx->dirname, dirname, len);
	ctx->log_priority = priority_from_env();
	*out = ctx;
	return 0;
}

void mt_ctx_free(struct mt_ctx *ctx)
{
	if (!ctx)
		return;
	for (int i = 0; i < MT_INDEX_COUNT; i++)
		mt_index_close(ctx->index[i]);
	mt_config_free(ctx->config);
	free(ctx);
}

const char *mt_ctx_dirname(const struct mt_ctx *ctx)
{
	return ctx->dirname;
}

void mt_ctx_set_log_fn(struct mt_ctx *ctx, mt_log_fn fn, void *data)
{
	ctx->log_fn = fn;
	ctx->log_data = data;
}

void mt_ctx_set_log_priority(struct mt_ctx *ctx, int priority)
{
	ctx->log_priority = priority;
}

int mt_ctx_log_priority(const struct mt_ctx *ctx)
{
	return ctx->log_priority;
}

int mt_ctx_load_config(struct mt_ctx *ctx, const char *const *paths, int npaths)
{
	struct mt_config *cfg;
	int err = mt_config_read(ctx, paths, npaths, &cfg);

	if (err < 0)
		return err;
	mt_config_free(ctx->config);
	ctx->config = cfg;
	return 0;
}

const struct mt_config *mt_ctx_config(const struct mt_ctx *ctx)
{
	return ctx->config;
}

const char *mt_index_file(enum mt_index_id id)
{
	return index_files[id];
}

int mt_ctx_dump_index(struct mt_ctx *ctx, enum mt_index_id id, FILE *out)
{
	struct mt_index *idx = mt_ctx_index(ctx, id);

	if (!idx)
		return -ENOENT;
	return mt_index_dump(idx, out,
			     id == MT_INDEX_ALIAS || id == MT_INDEX_SYMBOLS ? "alias " : "");
}

struct mt_index *mt_ctx_index(struct mt_ctx *ctx, enum mt_index_id id)
{
	if (!ctx->index_tried[id]) {
		char path[PATH_MAX];

		ctx->index_tried[id] = true;
		snprintf(path, sizeof(path), "%s/%s", ctx->dirname, index_files[id]);
		/* As in kmod, an index that cannot be opened (missing, or
		 * with a bad header, like the empty built-in indexes depmod
		 * writes when their sources are missing) is no index. */
		if (mt_index_open(path, &ctx->index[id]) < 0)
			ctx->index[id] = NULL;
	}
	return ctx->index[id];
}

void mt_ctx_unload_indexes(struct mt_ctx *ctx)
{
	for (int i = 0; i < MT_INDEX_COUNT; i++) {
		mt_index_close(ctx->index[i]);
		ctx->index[i] = NULL;
		ctx->index_tried[i] = false;
	}
	ctx->indexes_loaded = false;
}

int mt_ctx_load_indexes(struct mt_ctx *ctx)
{
	/* kmod_load_resources' order, which decides whose error is told */
	static const enum mt_index_id order[] = {
		MT_INDEX_DEP, MT_INDEX_ALIAS, MT_INDEX_SYMBOLS, MT_INDEX_BUILTIN_ALIAS,
		MT_INDEX_BUILTIN,
	};

	if (ctx->indexes_loaded)
		return 0;
	/* opened anew: one opened on demand may be an older file */
	mt_ctx_unload_indexes(ctx);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		enum mt_index_id id = order[i];
		char path[PATH_MAX];
		int err;

		snprintf(path, sizeof(path), "%s/%s", ctx->dirname, index_files[id]);
		err = mt_index_open_logged(ctx, path, &ctx->index[id]);
		ctx->index_tried[id] = true;
		if (err < 0) {
			ctx->index[id] = NULL;
			/* kmod lets the newest index, which older depmods do
			 * not write, be missing */
			if (id == MT_INDEX_BUILTIN_ALIAS)
				continue;
			mt_ctx_unload_indexes(ctx);
			return err;
		}
	}
	ctx->indexes_loaded = true;
	return 0;
}

int mt_ctx_validate(const struct mt_ctx *ctx)
{
	if (ctx->config && mt_config_changed(ctx->config))
		return MT_RESOURCES_RECREATE;
	for (int i = 0; i < MT_INDEX_COUNT; i++) {
		if (ctx->index[i] && mt_index_changed(ctx->index[i]))
			return MT_RESOURCES_RELOAD;
	}
	return MT_RESOURCES_OK;
}

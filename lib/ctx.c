/*
 * ctx.c — the library context: a module directory (the running kernel's by
 * default), where the messages about work done in it go (a log function
 * and a priority, per context, so that two users of the library in one
 * process keep theirs apart), the modprobe.d configuration read for it, and
 * its binary indexes, each opened on first use.  What is looked up in them
 * is lookup.c's.
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
	int err;
	struct mt_index *idx = mt_ctx_index(ctx, id, &err);

	if (!idx)
		return err < 0 ? err : -ENOENT;
	return mt_index_dump(idx, out,
			     id == MT_INDEX_ALIAS || id == MT_INDEX_SYMBOLS ? "alias " : "");
}

struct mt_index *mt_ctx_index(struct mt_ctx *ctx, enum mt_index_id id, int *err)
{
	if (!ctx->index_tried[id]) {
		char path[PATH_MAX];
		int ret;

		ctx->index_tried[id] = true;
		snprintf(path, sizeof(path), "%s/%s", ctx->dirname, index_files[id]);
		ret = mt_index_open(path, &ctx->index[id]);
		/* depmod writes the built-in indexes empty (0 bytes) when their
		 * sources are missing: like kmod, treat them as absent then */
		if (ret == -ENOENT ||
		    (ret < 0 && (id == MT_INDEX_BUILTIN || id == MT_INDEX_BUILTIN_ALIAS)))
			ret = 0;
		ctx->index_err[id] = ret;
	}
	*err = ctx->index_err[id];
	return ctx->index[id];
}

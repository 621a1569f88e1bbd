/*
 * ctx.c — kmod's library context over a libmodtool context: creation with
 * kmod's defaults (module directory made absolute, configuration read at
 * once), references, userdata, the log function and priority (libmodtool's
 * messages are handed to the kmod log function; the default one writes to
 * stderr as kmod 34.2 does), and the resources: the indexes loaded,
 * unloaded and checked against the disk, and dumped.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include "internal.h"

/* kmod 34.2's log_filep, without the debug build's file and line. */
static void log_stderr(void *data, int priority, const char *file, int line, const char *fn,
		       const char *format, va_list args)
{
	static const char *const names[] = {
		[LOG_EMERG] = "EMERGENCY", [LOG_ALERT] = "ALERT", [LOG_CRIT] = "CRITICAL",
		[LOG_ERR] = "ERROR", [LOG_WARNING] = "WARNING", [LOG_NOTICE] = "NOTICE",
		[LOG_INFO] = "INFO", [LOG_DEBUG] = "DEBUG",
	};
	FILE *fp = data;

	(void)file;
	(void)line;
	if (priority >= LOG_EMERG && priority <= LOG_DEBUG)
		fprintf(fp, "libkmod: %s: %s: ", names[priority], fn);
	else
		fprintf(fp, "libkmod: L:%d: %s: ", priority, fn);
	vfprintf(fp, format, args);
}

/* kmod's log functions take a format and its arguments. */
static void call_log(const struct kmod_ctx *ctx, int priority, const char *format, ...)
{
	va_list ap;

	va_start(ap, format);
	ctx->log_fn(ctx->log_data, priority, __FILE__, __LINE__, ctx->fn ? ctx->fn : "libkmod",
		    format, ap);
	va_end(ap);
}

/* Every message of the libmodtool context. */
static void log_message(int priority, const char *msg, void *data)
{
	const struct kmod_ctx *ctx = data;

	if (ctx->log_fn)
		call_log(ctx, priority, "%s", msg);
}

void lk_log(const struct kmod_ctx *ctx, int priority, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!ctx->log_fn || priority > mt_ctx_log_priority(ctx->mt))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	call_log(ctx, priority, "%s", msg);
}

void lk_log_last_error(const struct kmod_ctx *ctx)
{
	lk_log(ctx, LOG_ERR, "%s\n", mt_last_error());
}

struct mt_ctx *lk_mt(const struct kmod_ctx *ctx, const char *fn)
{
	((struct kmod_ctx *)ctx)->fn = fn;
	return ctx->mt;
}

struct kmod_ctx *kmod_new(const char *dirname, const char *const *config_paths)
{
	struct kmod_ctx *ctx = calloc(1, sizeof(*ctx));
	char *absolute = NULL;
	int n = 0;

	if (!ctx)
		return NULL;
	/* kmod makes a relative directory absolute, without cleaning it up */
	if (dirname && !(absolute = mt_path_absolute(dirname)))
		goto fail;
	if (mt_ctx_new(absolute, &ctx->mt) < 0)
		goto fail;
	free(absolute);
	absolute = NULL;
	ctx->refcount = 1;
	ctx->log_fn = log_stderr;
	ctx->log_data = stderr;
	mt_ctx_set_log_fn(ctx->mt, log_message, ctx);
	while (config_paths && config_paths[n])
		n++;
	if (mt_ctx_load_config(lk_mt(ctx, __func__), config_paths, n) < 0) {
		lk_log_last_error(ctx);
		goto fail;
	}
	return ctx;
fail:
	free(absolute);
	mt_ctx_free(ctx->mt);
	free(ctx);
	return NULL;
}

struct kmod_ctx *kmod_ref(struct kmod_ctx *ctx)
{
	if (!ctx)
		return NULL;
	ctx->refcount++;
	return ctx;
}

struct kmod_ctx *kmod_unref(struct kmod_ctx *ctx)
{
	if (!ctx)
		return NULL;
	if (--ctx->refcount > 0)
		return ctx;
	/* every module holds a reference: the pool is empty */
	free(ctx->pool.buckets);
	mt_ctx_free(ctx->mt);
	free(ctx);
	return NULL;
}

void kmod_set_log_fn(struct kmod_ctx *ctx, lk_log_fn log_fn, const void *data)
{
	if (!ctx)
		return;
	ctx->log_fn = log_fn;
	ctx->log_data = (void *)data;
}

int kmod_get_log_priority(const struct kmod_ctx *ctx)
{
	return ctx ? mt_ctx_log_priority(ctx->mt) : -1;
}

void kmod_set_log_priority(struct kmod_ctx *ctx, int priority)
{
	if (ctx)
		mt_ctx_set_log_priority(ctx->mt, priority);
}

void *kmod_get_userdata(const struct kmod_ctx *ctx)
{
	return ctx ? (void *)ctx->userdata : NULL;
}

void kmod_set_userdata(struct kmod_ctx *ctx, const void *userdata)
{
	if (ctx)
		ctx->userdata = userdata;
}

/* kmod crashes on NULL; NULL has no directory. */
const char *kmod_get_dirname(const struct kmod_ctx *ctx)
{
	return ctx ? mt_ctx_dirname(ctx->mt) : NULL;
}

int kmod_load_resources(struct kmod_ctx *ctx)
{
	if (!ctx)
		return -ENOENT;
	return mt_ctx_load_indexes(lk_mt(ctx, __func__));
}

void kmod_unload_resources(struct kmod_ctx *ctx)
{
	if (ctx)
		mt_ctx_unload_indexes(ctx->mt);
}

int kmod_validate_resources(struct kmod_ctx *ctx)
{
	if (!ctx)
		return KMOD_RESOURCES_MUST_RECREATE;
	return mt_ctx_validate(ctx->mt);
}

/* A stream onto the caller's descriptor.  kmod writes its dump with
 * write(2) and looks at no result: a failed write is not an error. */
static ssize_t write_fd(void *cookie, const char *buf, size_t size)
{
	int fd = *(int *)cookie;
	size_t done = 0;

	while (done < size) {
		ssize_t n = write(fd, buf + done, size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	return (ssize_t)size;
}

int kmod_dump_index(struct kmod_ctx *ctx, enum kmod_index type, int fd)
{
	static const enum mt_index_id ids[] = {
		[KMOD_INDEX_MODULES_DEP] = MT_INDEX_DEP,
		[KMOD_INDEX_MODULES_ALIAS] = MT_INDEX_ALIAS,
		[KMOD_INDEX_MODULES_SYMBOL] = MT_INDEX_SYMBOLS,
		[KMOD_INDEX_MODULES_BUILTIN_ALIAS] = MT_INDEX_BUILTIN_ALIAS,
		[KMOD_INDEX_MODULES_BUILTIN] = MT_INDEX_BUILTIN,
	};
	cookie_io_functions_t io = { .write = write_fd };
	FILE *out;
	int err;

	if (!ctx)
		return -ENOSYS;
	if ((unsigned)type >= sizeof(ids) / sizeof(ids[0]))
		return -ENOENT;
	out = fopencookie(&fd, "w", io);
	if (!out)
		return -ENOMEM;
	err = mt_ctx_dump_index(lk_mt(ctx, __func__), ids[type], out);
	fclose(out);
	/* kmod: an index that cannot be read, missing or not */
	return err < 0 ? -ENOSYS : 0;
}

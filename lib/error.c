/*
 * error.c — the per-thread "last error" message behind mt_last_error(), and
 * the messages the library reports as it goes: each to the log function of
 * the context it concerns, when the context has one and the message is
 * within its priority (silent otherwise, and without a context).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include "internal.h"

static _Thread_local char last_error[1024];

int mt_fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	return -err;
}

const char *mt_last_error(void)
{
	return last_error;
}

void mt_log(const struct mt_ctx *ctx, int priority, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!ctx || !ctx->log_fn || priority > ctx->log_priority)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ctx->log_fn(priority, msg, ctx->log_data);
}

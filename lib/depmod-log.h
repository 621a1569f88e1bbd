/*
 * depmod-log.h — where depmod's messages go (depmod-log.c): the log of the
 * caller's context, or the buffer of an output generated in another thread.  Below every
 * other depmod unit; not part of the API.
 */
#ifndef LIBMODTOOL_DEPMOD_LOG_H
#define LIBMODTOOL_DEPMOD_LOG_H

#include <stdarg.h>
#include <syslog.h>

struct mt_ctx;

/* The context's log (mt_log) when collect is NULL, else the collector. */
struct dm_log {
	const struct mt_ctx *ctx;
	void (*collect)(void *data, int priority, const char *fmt, va_list ap);
	void *data;
};

void dm_msg(const struct dm_log *log, int priority, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif

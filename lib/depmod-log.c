/*
 * depmod-log.c — depmod's messages: formatted once and handed to the log
 * of the caller's context, or to the collector of an output generated in
 * another thread (depmod-output.c gives them at the output's turn).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include "depmod-log.h"
#include "internal.h"

void dm_msg(const struct dm_log *log, int priority, const char *fmt, ...)
{
	va_list ap;
	char *text;
	int len;

	va_start(ap, fmt);
	if (log->collect) {
		log->collect(log->data, priority, fmt, ap);
		va_end(ap);
		return;
	}
	len = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (len >= 0) {
		mt_log(log->ctx, priority, "%s", text);
		free(text);
	}
}

/*
 * error.c — the per-thread "last error" message behind mt_last_error().
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

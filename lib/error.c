/*
 * error.c — the per-thread "last error" message behind mt_last_error(), and
 * the messages the library reports as it goes (through the caller's log
 * function; silent without one).
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

static void (*log_fn)(int priority, const char *msg, void *data);
static void *log_data;

void mt_set_log_fn(void (*fn)(int priority, const char *msg, void *data), void *data)
{
	log_fn = fn;
	log_data = data;
}

void mt_log(int priority, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!log_fn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_fn(priority, msg, log_data);
}

/*
 * log.c — the tools' message printer (see log.h).
 */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "libmodtool.h"
#include "log.h"

static const char *prog = "modtool";
static int threshold = LOG_WARNING;
static bool to_syslog;

void log_open(const char *argv0, bool use_syslog)
{
	const char *slash = strrchr(argv0, '/');

	prog = slash ? slash + 1 : argv0;
	to_syslog = use_syslog;
	if (to_syslog)
		openlog(prog, LOG_CONS, LOG_DAEMON);
}

int log_set_threshold(int priority)
{
	threshold = priority > LOG_DEBUG ? LOG_DEBUG : priority;
	return threshold;
}

void log_close(void)
{
	if (to_syslog)
		closelog();
}

static const char *level_name(int priority, char *buf, size_t size)
{
	static const char *const names[] = {
		[LOG_CRIT] = "FATAL", [LOG_ERR] = "ERROR", [LOG_WARNING] = "WARNING",
		[LOG_NOTICE] = "NOTICE", [LOG_INFO] = "INFO", [LOG_DEBUG] = "DEBUG",
	};

	if (priority >= LOG_CRIT && priority <= LOG_DEBUG)
		return names[priority];
	snprintf(buf, size, "LOG-%03d", priority);
	return buf;
}

/* Print a message whatever the threshold; a FATAL one exits. */
static void print(int priority, const char *text)
{
	char levelbuf[16];
	const char *level = level_name(priority, levelbuf, sizeof(levelbuf));

	if (to_syslog)
		syslog(priority, "%s: %s", level, text);
	else
		fprintf(stderr, "%s: %s: %s", prog, level, text);
	if (priority <= LOG_CRIT)
		exit(EXIT_FAILURE);
}

void log_msg(int priority, const char *fmt, ...)
{
	char *text;
	va_list ap;

	if (priority > threshold)
		return;
	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	va_end(ap);
	print(priority, text ? text : "(out of memory)\n");
	free(text);
}

/* The context has already dropped what is above its own priority. */
static void library_message(int priority, const char *msg, void *data)
{
	(void)data;
	print(priority, msg);
}

void log_library_messages(struct mt_ctx *ctx)
{
	mt_ctx_set_log_fn(ctx, library_message, NULL);
}

/*
 * log.h — kmod-style tool messages: "PROG: LEVEL: text" on stderr, or to
 * syslog with -s; a FATAL message exits with status 1.
 */
#ifndef MT_TOOLS_LOG_H
#define MT_TOOLS_LOG_H

#include <syslog.h>

/* Program name from argv[0]; threshold starts at LOG_WARNING. */
void log_open(const char *argv0, bool use_syslog);
/* Messages above `priority` are dropped (LOG_DEBUG at most, returned). */
int log_set_threshold(int priority);
void log_close(void);

/* Print the messages of the library's context `ctx` as the tool's own,
 * filtered by the context's priority, not the tool's threshold. */
struct mt_ctx;
void log_library_messages(struct mt_ctx *ctx);
void log_msg(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define FATAL(...) log_msg(LOG_CRIT, __VA_ARGS__)
#define ERR(...) log_msg(LOG_ERR, __VA_ARGS__)
#define WRN(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define INF(...) log_msg(LOG_INFO, __VA_ARGS__)
#define DBG(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif

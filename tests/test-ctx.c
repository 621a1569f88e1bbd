/*
 * test-ctx.c — the library context: its module directory, its log function
 * and priority (each context its own: two users of the library in one
 * process keep their messages apart), the priority taken from KMOD_LOG as
 * libkmod reads it, and the configuration it owns.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include "libmodtool.h"
#include "tap.h"

struct log {
	char text[4096];
	int count, last_priority;
};

static void record(int priority, const char *msg, void *data)
{
	struct log *log = data;
	size_t used = strlen(log->text);

	snprintf(log->text + used, sizeof(log->text) - used, "%s", msg);
	log->count++;
	log->last_priority = priority;
}

static char dir[256];

static char *write_conf(const char *name, const char *text)
{
	char *path;
	FILE *fp;

	if (asprintf(&path, "%s/%s", dir, name) < 0)
		exit(1);
	fp = fopen(path, "w");
	if (!fp || fputs(text, fp) < 0 || fclose(fp) != 0) {
		perror(path);
		exit(1);
	}
	return path;
}

static int priority_for(const char *env)
{
	struct mt_ctx *ctx;
	int prio;

	if (env)
		setenv("KMOD_LOG", env, 1);
	else
		unsetenv("KMOD_LOG");
	if (mt_ctx_new(dir, &ctx) < 0)
		return -1000;
	prio = mt_ctx_log_priority(ctx);
	mt_ctx_free(ctx);
	return prio;
}

static void test_priority_from_env(void)
{
	tap_is_int(priority_for(NULL), LOG_ERR, "no KMOD_LOG: LOG_ERR");
	tap_is_int(priority_for("6"), 6, "KMOD_LOG=6");
	tap_is_int(priority_for("7 "), 7, "KMOD_LOG='7 ': the number before the space");
	tap_is_int(priority_for("debug"), LOG_DEBUG, "KMOD_LOG=debug");
	tap_is_int(priority_for("info"), LOG_INFO, "KMOD_LOG=info");
	tap_is_int(priority_for("errors"), LOG_ERR, "KMOD_LOG=errors: starts with err");
	tap_is_int(priority_for("warning"), 0, "KMOD_LOG=warning: another word is 0");
	tap_is_int(priority_for("ERR"), 0, "KMOD_LOG=ERR: the words are lower case");
	unsetenv("KMOD_LOG");
}

static void test_two_contexts(void)
{
	struct log log_a = { .count = 0 }, log_b = { .count = 0 };
	const char *conf_a = write_conf("a.conf", "bogus line-a\n");
	const char *conf_b = write_conf("b.conf", "bogus line-b\nalias x y\n");
	struct mt_ctx *a, *b, *silent;

	if (mt_ctx_new(dir, &a) < 0 || mt_ctx_new(dir, &b) < 0 || mt_ctx_new(dir, &silent) < 0) {
		printf("Bail out! mt_ctx_new: %s\n", mt_last_error());
		exit(1);
	}
	tap_is_str(mt_ctx_dirname(a), dir, "the context's directory");
	tap_ok(mt_ctx_config(a) == NULL, "no configuration before it is loaded");
	mt_ctx_set_log_fn(a, record, &log_a);
	mt_ctx_set_log_fn(b, record, &log_b);

	tap_is_int(mt_ctx_load_config(a, &conf_a, 1), 0, "context a reads its configuration");
	tap_is_int(mt_ctx_load_config(b, &conf_b, 1), 0, "context b reads its configuration");
	tap_is_int(mt_ctx_load_config(silent, &conf_b, 1), 0,
		   "a context without a log function reads it silently");
	tap_ok(log_a.count == 1 && strstr(log_a.text, "line 1: ignoring bad line starting with 'bogus'") &&
	       strstr(log_a.text, "a.conf"), "a's message went to a's log function");
	tap_ok(log_b.count == 1 && strstr(log_b.text, "b.conf") && !strstr(log_b.text, "a.conf"),
	       "b's message went to b's log function only");
	tap_is_int(log_a.last_priority, LOG_ERR, "at LOG_ERR");

	{
		int n;
		const struct mt_config_alias *aliases = mt_config_aliases(mt_ctx_config(b), &n);

		tap_ok(n == 1 && strcmp(aliases[0].pattern, "x") == 0 &&
		       strcmp(aliases[0].modname, "y") == 0, "the context owns its configuration");
	}

	/* Below the context's priority, nothing is reported. */
	mt_ctx_set_log_priority(a, LOG_CRIT);
	tap_is_int(mt_ctx_log_priority(a), LOG_CRIT, "the priority is set");
	tap_is_int(mt_ctx_load_config(a, &conf_a, 1), 0, "a reads its configuration again");
	tap_is_int(log_a.count, 1, "an error above LOG_CRIT is dropped");
	mt_ctx_set_log_priority(a, LOG_ERR);
	tap_is_int(mt_ctx_load_config(a, &conf_a, 1), 0, "and once more at LOG_ERR");
	tap_is_int(log_a.count, 2, "the error is reported again");
	mt_ctx_set_log_fn(a, NULL, NULL);
	tap_is_int(mt_ctx_load_config(a, &conf_a, 1), 0, "and without a log function");
	tap_is_int(log_a.count, 2, "nothing is reported");

	mt_ctx_free(a);
	mt_ctx_free(b);
	mt_ctx_free(silent);
	unlink(conf_a);
	unlink(conf_b);
	free((char *)conf_a);
	free((char *)conf_b);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/test-ctx.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		printf("Bail out! cannot create a directory in %s\n", dir);
		return 1;
	}
	test_priority_from_env();
	test_two_contexts();
	rmdir(dir);
	return tap_done();
}

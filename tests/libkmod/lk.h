/*
 * lk.h — what the libkmod differential programs share.  Each program
 * exercises one area of libkmod's public API (libkmod.h only) and prints a
 * transcript on stdout that depends on nothing but the library's behaviour
 * and its inputs, so that two runs, one per library, can be compared byte
 * for byte (tests/libkmod-diff.sh):
 *
 * - the work directory (-w) and the module directory (-d, as given and
 *   as its canonical path) are printed as WORK and TREE, since the driver's
 *   temporary directory changes between runs;
 * - no pointer is printed, only whether it is NULL;
 * - error codes are printed by name (-ENOENT);
 * - log messages are captured with kmod_set_log_fn and printed as
 *   priority and formatted text: the file, line and function name kmod
 *   passes are its internals, which another implementation need not share;
 * - control bytes in strings are printed as \xHH, one record a line.
 *
 * Common options: -d TREE (default: the installed tree, tests/module-tree.h),
 * -w WORK (a directory the program may write to), -C PATH (a configuration
 * path for kmod_new, repeatable; none given: an empty configuration).
 */
#ifndef LK_H
#define LK_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <libkmod.h>
#include "../module-tree.h"

#define LK_MAX_CONFIG 16

struct lk_opts {
	const char *tree;
	char real_tree[4096];	/* the tree's canonical path, also TREE */
	const char *work;
	const char *config[LK_MAX_CONFIG + 1];	/* NULL-terminated */
	int nconfig;
	int argc;		/* the operands after the options */
	char **argv;
};

static struct lk_opts lk;

static inline void lk_die(const char *what)
{
	fflush(stdout);
	fprintf(stderr, "libkmod test: %s\n", what);
	exit(2);
}

/* Write s with WORK and TREE substituted and control bytes escaped; a
 * newline is kept only at the very end of s. */
static inline void lk_put(const char *s)
{
	const char *subst[3][2] = {
		{ lk.work, "WORK" }, { lk.real_tree, "TREE" }, { lk.tree, "TREE" },
	};

	while (*s) {
		bool done = false;

		for (int i = 0; i < 3 && !done; i++) {
			const char *from = subst[i][0];
			size_t n = from ? strlen(from) : 0;

			if (n && strncmp(s, from, n) == 0) {
				fputs(subst[i][1], stdout);
				s += n;
				done = true;
			}
		}
		if (done)
			continue;
		unsigned char c = (unsigned char)*s++;

		if (c == '\n' && *s == '\0')
			putchar('\n');
		else if (c < 0x20 || c == 0x7f || c == '\\')
			printf("\\x%02x", c);
		else
			putchar(c);
	}
}

static inline void lk_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void lk_printf(const char *fmt, ...)
{
	char buf[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	lk_put(buf);
}

/* A string that may be NULL. */
static inline const char *lk_s(const char *s)
{
	return s ? s : "(null)";
}

/* A return code: 0, a positive number, or an errno name. */
static inline const char *lk_rc(long rc)
{
	static char bufs[4][32];
	static int next;
	char *buf = bufs[next++ % 4];

	if (rc >= 0) {
		snprintf(buf, sizeof(bufs[0]), "%ld", rc);
	} else {
		const char *name = rc >= -4095 ? strerrorname_np((int)-rc) : NULL;

		if (name)
			snprintf(buf, sizeof(bufs[0]), "-%s", name);
		else
			snprintf(buf, sizeof(bufs[0]), "%ld", rc);
	}
	return buf;
}

/* The log function: priority and message, one line. */
static inline void lk_log(void *data, int priority, const char *file, int line,
			  const char *fn, const char *format, va_list args)
{
	char buf[8192];
	size_t n;

	(void)data; (void)file; (void)line; (void)fn;
	vsnprintf(buf, sizeof(buf), format, args);
	n = strlen(buf);
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	lk_printf("  log %d: %s\n", priority, buf);
}

/* kmod_new with the log captured; NULL config means the options' (empty
 * when none were given). */
static inline struct kmod_ctx *lk_new(const char *dirname, const char *const *config)
{
	struct kmod_ctx *ctx = kmod_new(dirname, config ? config : lk.config);

	if (ctx)
		kmod_set_log_fn(ctx, lk_log, NULL);
	return ctx;
}

/* The context most programs use: the tree, the options' configuration. */
static inline struct kmod_ctx *lk_ctx(void)
{
	struct kmod_ctx *ctx = lk_new(lk.tree, NULL);

	if (!ctx)
		lk_die("kmod_new failed");
	return ctx;
}

static inline void lk_options(int argc, char **argv)
{
	int c;

	while ((c = getopt(argc, argv, "d:w:C:")) != -1) {
		switch (c) {
		case 'd':
			lk.tree = optarg;
			break;
		case 'w':
			lk.work = optarg;
			break;
		case 'C':
			if (lk.nconfig == LK_MAX_CONFIG)
				lk_die("too many -C");
			lk.config[lk.nconfig++] = optarg;
			break;
		default:
			lk_die("usage: [-d TREE] [-w WORK] [-C CONFIG]... [ARG]...");
		}
	}
	if (!lk.tree)
		lk.tree = module_tree();
	if (!lk.tree)
		lk_die("no module directory (-d)");
	if (!realpath(lk.tree, lk.real_tree))
		lk.real_tree[0] = '\0';
	lk.argc = argc - optind;
	lk.argv = argv + optind;
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
}

/* Each entry of a module list: name and path. */
static inline void lk_print_modules(const char *indent, const struct kmod_list *list)
{
	const struct kmod_list *l;

	kmod_list_foreach(l, list) {
		struct kmod_module *m = kmod_module_get_module(l);

		lk_printf("%s%s %s\n", indent, lk_s(kmod_module_get_name(m)),
			  lk_s(kmod_module_get_path(m)));
		kmod_module_unref(m);
	}
}

/* The lines of a text file (a trailing newline stripped); NULL-terminated
 * array of strings in one allocation, or NULL if the file cannot be read. */
static inline char **lk_read_lines(const char *path, size_t *count)
{
	FILE *fp = fopen(path, "r");
	char **lines = NULL, *line = NULL;
	size_t n = 0, cap = 0;
	ssize_t len;

	if (!fp)
		return NULL;
	while ((len = getline(&line, &cap, fp)) >= 0) {
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		lines = realloc(lines, (n + 2) * sizeof(*lines));
		if (!lines)
			lk_die("out of memory");
		lines[n++] = strdup(line);
		if (!lines[n - 1])
			lk_die("out of memory");
	}
	free(line);
	fclose(fp);
	if (!lines) {
		lines = malloc(sizeof(*lines));
		if (!lines)
			lk_die("out of memory");
	}
	lines[n] = NULL;
	if (count)
		*count = n;
	return lines;
}

static inline void lk_free_lines(char **lines)
{
	if (!lines)
		return;
	for (char **l = lines; *l; l++)
		free(*l);
	free(lines);
}

/* The module paths of modules.dep (relative to the tree), in its order. */
static inline char **lk_modules_dep(size_t *count)
{
	char path[4096];
	char **lines;

	snprintf(path, sizeof(path), "%s/modules.dep", lk.tree);
	lines = lk_read_lines(path, count);
	if (!lines)
		lk_die("cannot read modules.dep");
	for (char **l = lines; *l; l++) {
		char *colon = strchr(*l, ':');

		if (colon)
			*colon = '\0';
	}
	return lines;
}

/* The module name of a path as kmod derives it: the basename up to the
 * first dot, dashes as underscores. */
static inline void lk_modname(const char *path, char *name, size_t size)
{
	const char *base = strrchr(path, '/');
	size_t i = 0;

	base = base ? base + 1 : path;
	for (; base[i] && base[i] != '.' && i + 1 < size; i++)
		name[i] = base[i] == '-' ? '_' : base[i];
	name[i] = '\0';
}

/* Write a file (created or truncated); dies on failure. */
static inline void lk_write(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	if (!fp || fputs(text, fp) == EOF || fclose(fp) != 0)
		lk_die("cannot write a file in the work directory");
}

/* "WORK/name" in a static buffer (one of four). */
static inline const char *lk_path(const char *name)
{
	static char bufs[4][4096];
	static int next;
	char *buf = bufs[next++ % 4];

	if (!lk.work)
		lk_die("this program needs a work directory (-w)");
	snprintf(buf, sizeof(bufs[0]), "%s/%s", lk.work, name);
	return buf;
}

#endif

/*
 * fuzz.h — what the fuzz targets (tests/fuzz/fuzz-*.c) share: the entry
 * point libFuzzer and the replay driver call, a scratch directory for the
 * inputs that the library reads from files, a library context over it whose
 * log function reads every message of every priority (so that formatting a
 * message from hostile bytes is checked too), and a sink that makes the
 * compiler keep reads of the results.
 *
 * A target must not leak, crash or keep state between inputs beyond what
 * these helpers set up once.
 */
#ifndef MT_FUZZ_H
#define MT_FUZZ_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>
#include "libmodtool.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads that must happen: every byte passed here is read once. */
static volatile unsigned fuzz_sink;

static inline void fuzz_use(const void *p, size_t len)
{
	const unsigned char *b = p;
	unsigned sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += b[i];
	fuzz_sink += sum;
}

static inline void fuzz_use_str(const char *s)
{
	if (s)
		fuzz_use(s, strlen(s));
}

static inline void fuzz_die(const char *what)
{
	fprintf(stderr, "fuzz: %s: %s\n", what, strerror(errno));
	abort();
}

static void fuzz_log(int priority, const char *msg, void *data)
{
	(void)priority;
	(void)data;
	fuzz_use_str(msg);
}

static char fuzz_dir_path[64];

static int fuzz_remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	remove(path);
	return 0;
}

static inline const char *fuzz_dir(void);

/* Remove everything below the scratch directory (the directory stays). */
static inline void fuzz_clear_dir(void)
{
	DIR *d = opendir(fuzz_dir());
	struct dirent *ent;
	char path[PATH_MAX];

	if (!d)
		fuzz_die(fuzz_dir_path);
	while ((ent = readdir(d))) {
		if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", fuzz_dir_path, ent->d_name);
		nftw(path, fuzz_remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	}
	closedir(d);
}

static void fuzz_remove_dir(void)
{
	fuzz_clear_dir();
	rmdir(fuzz_dir_path);
}

/* The scratch directory of this process (made on first use, removed at
 * exit). */
static inline const char *fuzz_dir(void)
{
	if (!fuzz_dir_path[0]) {
		const char *tmp = getenv("TMPDIR");

		snprintf(fuzz_dir_path, sizeof(fuzz_dir_path), "%s/mt-fuzz-XXXXXX",
			 tmp && *tmp && strlen(tmp) < 40 ? tmp : "/tmp");
		if (!mkdtemp(fuzz_dir_path))
			fuzz_die("mkdtemp");
		atexit(fuzz_remove_dir);
	}
	return fuzz_dir_path;
}

static struct mt_ctx *fuzz_ctx_ptr;

static void fuzz_free_ctx(void)
{
	mt_ctx_free(fuzz_ctx_ptr);
}

/* The context of this process (made on first use, freed at exit): the
 * scratch directory as its module directory, every message to fuzz_log. */
static inline struct mt_ctx *fuzz_ctx(void)
{
	if (!fuzz_ctx_ptr) {
		if (mt_ctx_new(fuzz_dir(), &fuzz_ctx_ptr) < 0)
			fuzz_die("mt_ctx_new");
		mt_ctx_set_log_fn(fuzz_ctx_ptr, fuzz_log, NULL);
		mt_ctx_set_log_priority(fuzz_ctx_ptr, LOG_DEBUG);
		atexit(fuzz_free_ctx);
	}
	return fuzz_ctx_ptr;
}

/* Every entry of the module's information list (mt_module_info, as
 * modinfo lists it), touched. */
static inline void fuzz_use_info(const struct mt_modref *ref)
{
	const struct mt_kv *list;
	struct mt_info *info;
	int n = mt_module_info(fuzz_ctx(), ref, &info, &list);

	for (int i = 0; i < n; i++) {
		fuzz_use(list[i].key, list[i].key_len);
		fuzz_use(list[i].value, list[i].value_len);
	}
	if (n >= 0)
		mt_info_free(info);
}

/* NAME in the scratch directory, written to buf. */
static inline const char *fuzz_path(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", fuzz_dir(), name);
	return buf;
}

/* Make the missing directories leading to the absolute `path`. */
static inline void fuzz_make_parents(const char *path)
{
	char copy[PATH_MAX];

	snprintf(copy, sizeof(copy), "%s", path);
	for (char *p = copy + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		if (mkdir(copy, 0755) < 0 && errno != EEXIST)
			fuzz_die(copy);
		*p = '/';
	}
}

/* Write `size` bytes to `path`, replacing it and making its directories. */
static inline void fuzz_write(const char *path, const void *data, size_t size)
{
	int fd;

	fuzz_make_parents(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		fuzz_die(path);
	for (size_t done = 0; done < size; ) {
		ssize_t n = write(fd, (const char *)data + done, size - done);

		if (n < 0)
			fuzz_die(path);
		done += (size_t)n;
	}
	if (close(fd) < 0)
		fuzz_die(path);
}

/* /dev/null as a stream, for the dumps. */
static inline FILE *fuzz_null(void)
{
	static FILE *null;

	if (!null && !(null = fopen("/dev/null", "we")))
		fuzz_die("/dev/null");
	return null;
}

#endif

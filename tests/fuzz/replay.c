/*
 * replay.c — the fuzz targets' inputs as a TAP test, built with the normal
 * toolchain (no libFuzzer): replay-NAME feeds every file of
 * tests/fuzz/corpus/NAME and tests/fuzz/regress/NAME (under $top_srcdir),
 * or the files given as arguments, to fuzz-NAME.c's
 * LLVMFuzzerTestOneInput, one TAP line per file.  In the sanitizers build a
 * crash or undefined behaviour aborts the test and a leak fails the file
 * that caused it; the corpora and the inputs of every finding fixed so
 * become regression tests of `make check`.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../tap.h"

#ifdef __SANITIZE_ADDRESS__
#define HAVE_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HAVE_LSAN 1
#endif
#endif
#ifdef HAVE_LSAN
#include <sanitizer/lsan_interface.h>
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Leaks since the last call: reported on stderr, true when there were. */
static bool leaked(void)
{
#ifdef HAVE_LSAN
	return __lsan_do_recoverable_leak_check() != 0;
#else
	return false;
#endif
}

static void replay(const char *path)
{
	FILE *fp = fopen(path, "rbe");
	uint8_t *data = NULL;
	size_t size = 0, cap = 0;

	if (!fp) {
		tap_ok(0, "%s: %s", path, strerror(errno));
		return;
	}
	for (;;) {
		size_t n;

		if (size == cap) {
			uint8_t *grown = realloc(data, cap ? cap * 2 : 65536);

			if (!grown) {
				printf("Bail out! out of memory\n");
				exit(1);
			}
			data = grown;
			cap = cap ? cap * 2 : 65536;
		}
		n = fread(data + size, 1, cap - size, fp);
		size += n;
		if (n == 0)
			break;
	}
	if (ferror(fp)) {
		tap_ok(0, "%s: read error", path);
		fclose(fp);
		free(data);
		return;
	}
	fclose(fp);
	/* Said before the run: a crash leaves the name in the log. */
	printf("# %s\n", path);
	LLVMFuzzerTestOneInput(data, size);
	free(data);
	tap_ok(!leaked(), "%s", path);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every file of a directory, in name order; a missing directory is none. */
static void replay_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *ent;
	char **names = NULL;
	size_t n = 0;

	if (!d)
		return;
	while ((ent = readdir(d))) {
		char **grown;

		if (ent->d_name[0] == '.')
			continue;
		grown = realloc(names, sizeof(*names) * (n + 1));
		if (!grown || asprintf(&grown[n], "%s/%s", dir, ent->d_name) < 0) {
			printf("Bail out! out of memory\n");
			exit(1);
		}
		names = grown;
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		replay(names[i]);
		free(names[i]);
	}
	free(names);
}

int main(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/'), *top = getenv("top_srcdir");
	char dir[PATH_MAX];

	/* Line by line: a sanitizer ends the process with _exit. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	base = base ? base + 1 : argv[0];
	if (strncmp(base, "replay-", 7) != 0) {
		fprintf(stderr, "%s: run as replay-NAME\n", argv[0]);
		return 2;
	}
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			replay(argv[i]);
	} else {
		if (!top) {
			printf("Bail out! top_srcdir is not set\n");
			return 1;
		}
		snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s", top, base + 7);
		replay_dir(dir);
		snprintf(dir, sizeof(dir), "%s/tests/fuzz/regress/%s", top, base + 7);
		replay_dir(dir);
		if (tap_count == 0)
			tap_ok(0, "no inputs in tests/fuzz/corpus/%s", base + 7);
	}
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

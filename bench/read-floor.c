/*
 * read-floor.c — the floor of the depmod rows of the bench: walks a module
 * directory as depmod does and reads, on as many threads as depmod uses,
 * just what depmod reads of each module (the ELF header, the section table
 * and names, and the sections of depmod's queries) with the library's
 * module reader, doing nothing with it.  Its time is what a depmod would
 * take that spent nothing on the work itself.
 *
 *   bench/read-floor DIR [THREADS]
 */
#include "config.h"

#include <ftw.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "internal.h"

/* lib/depmod.c's wanted_sections, which depmod reads of every module. */
static const char *const sections[] = {
	".modinfo", ".symtab", ".strtab", "__versions", "__ksymtab_strings", NULL,
};

static char **paths;
static size_t n_paths, cap_paths;
static atomic_size_t next;
static atomic_int failed;

static int add_path(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_F && mt_module_suffix(path, strlen(path)) >= 0) {
		if (mt_array_reserve(&paths, &cap_paths, n_paths + 1, sizeof(*paths)) < 0 ||
		    !(paths[n_paths] = strdup(path)))
			return -1;
		n_paths++;
	}
	return 0;
}

/* Batches of 8 neighbours, as depmod's parse workers take them. */
static void *reader(void *arg)
{
	struct mt_module_reader r;
	size_t first;

	(void)arg;
	mt_module_reader_init(&r, sections);
	while ((first = atomic_fetch_add(&next, 8)) < n_paths) {
		for (size_t i = first; i < first + 8 && i < n_paths; i++) {
			struct mt_module *mod;

			if (mt_module_read(&r, paths[i], &mod) < 0)
				atomic_store(&failed, 1);
			else
				mt_module_close(mod);
		}
	}
	mt_module_reader_release(&r);
	return NULL;
}

int main(int argc, char **argv)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned n = argc > 2 ? (unsigned)atoi(argv[2]) : cpus > 0 ? (unsigned)cpus : 1;
	pthread_t tids[64];
	unsigned started = 0;

	if (argc < 2) {
		fputs("usage: read-floor DIR [THREADS]\n", stderr);
		return 2;
	}
	if (nftw(argv[1], add_path, 64, FTW_PHYS) != 0) {
		fprintf(stderr, "read-floor: cannot walk %s\n", argv[1]);
		return 1;
	}
	if (n < 1 || n > 64)
		n = 1;
	for (; started + 1 < n; started++)
		if (pthread_create(&tids[started], NULL, reader, NULL) != 0)
			break;
	reader(NULL);
	for (unsigned i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	for (size_t i = 0; i < n_paths; i++)
		free(paths[i]);
	free(paths);
	if (atomic_load(&failed))
		fprintf(stderr, "read-floor: some modules could not be read\n");
	printf("%zu modules\n", n_paths);
	return 0;
}

/*
 * dump-index.c — print the five binary indexes of a module directory as
 * libkmod reads them (kmod_dump_index), for the depmod differential tests:
 *
 *   dump-index DIR
 *
 * Each index is introduced by a line "== <file>"; an index libkmod cannot
 * open (missing, empty or corrupt) shows "(unreadable)".  Exit status 1
 * only when DIR cannot be used at all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>
#include <unistd.h>
#include <libkmod.h>

static const struct {
	enum kmod_index type;
	const char *file;
} indexes[] = {
	{ KMOD_INDEX_MODULES_DEP, "modules.dep.bin" },
	{ KMOD_INDEX_MODULES_ALIAS, "modules.alias.bin" },
	{ KMOD_INDEX_MODULES_SYMBOL, "modules.symbols.bin" },
	{ KMOD_INDEX_MODULES_BUILTIN, "modules.builtin.bin" },
	{ KMOD_INDEX_MODULES_BUILTIN_ALIAS, "modules.builtin.alias.bin" },
};

int main(int argc, char **argv)
{
	static const char *const no_config[] = { NULL };
	struct kmod_ctx *ctx;

	if (argc != 2) {
		fprintf(stderr, "usage: dump-index DIR\n");
		return 1;
	}
	for (size_t i = 0; i < sizeof(indexes) / sizeof(indexes[0]); i++) {
		/* A fresh context per index: libkmod reads each file on demand
		 * and one unreadable file must not hide the others. */
		ctx = kmod_new(argv[1], no_config);
		if (!ctx) {
			fprintf(stderr, "dump-index: cannot use %s\n", argv[1]);
			return 1;
		}
		kmod_set_log_priority(ctx, LOG_EMERG);
		printf("== %s\n", indexes[i].file);
		fflush(stdout);
		if (kmod_dump_index(ctx, indexes[i].type, STDOUT_FILENO) < 0)
			printf("(unreadable)\n");
		fflush(stdout);
		kmod_unref(ctx);
	}
	return 0;
}

/*
 * dump.c — kmod_dump_index of each KMOD_INDEX_* to a file in the work
 * directory (-w), whose content the transcript then carries, with the
 * indexes opened on demand and loaded (kmod_load_resources), and for index
 * types kmod does not have.
 */
#include <fcntl.h>
#include "lk.h"

static const struct {
	const char *label;
	enum kmod_index type;
} indexes[] = {
	{ "KMOD_INDEX_MODULES_DEP", KMOD_INDEX_MODULES_DEP },
	{ "KMOD_INDEX_MODULES_ALIAS", KMOD_INDEX_MODULES_ALIAS },
	{ "KMOD_INDEX_MODULES_SYMBOL", KMOD_INDEX_MODULES_SYMBOL },
	{ "KMOD_INDEX_MODULES_BUILTIN_ALIAS", KMOD_INDEX_MODULES_BUILTIN_ALIAS },
	{ "KMOD_INDEX_MODULES_BUILTIN", KMOD_INDEX_MODULES_BUILTIN },
};

/* Dump into a file, then copy the file into the transcript. */
static void dump(struct kmod_ctx *ctx, const char *label, enum kmod_index type, bool show)
{
	const char *file = lk_path("dump.out");
	int fd = open(file, O_RDWR | O_CREAT | O_TRUNC, 0644), rc;
	char buf[65536];
	ssize_t n;
	long size = 0;

	if (fd < 0)
		lk_die("cannot create a work file");
	rc = kmod_dump_index(ctx, type, fd);
	lk_printf("== %s: %s\n", label, lk_rc(rc));
	fflush(stdout);
	lseek(fd, 0, SEEK_SET);
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		size += n;
		if (show && fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
			lk_die("cannot write the transcript");
	}
	close(fd);
	lk_printf("== end: %ld bytes\n", size);
}

int main(int argc, char **argv)
{
	struct kmod_ctx *ctx;

	lk_options(argc, argv);
	ctx = lk_ctx();
	lk_printf("# opened on demand\n");
	for (size_t i = 0; i < sizeof(indexes) / sizeof(indexes[0]); i++)
		dump(ctx, indexes[i].label, indexes[i].type, true);
	dump(ctx, "type 5", (enum kmod_index)5, true);
	dump(ctx, "type -1", (enum kmod_index)-1, true);
	dump(ctx, "_KMOD_INDEX_PAD", _KMOD_INDEX_PAD, true);
	lk_printf("load: %s\n", lk_rc(kmod_load_resources(ctx)));
	lk_printf("# loaded: sizes only, the contents must not change\n");
	for (size_t i = 0; i < sizeof(indexes) / sizeof(indexes[0]); i++)
		dump(ctx, indexes[i].label, indexes[i].type, false);
	dump(ctx, "type 5", (enum kmod_index)5, true);
	lk_printf("# to a closed descriptor\n");
	lk_printf("rc %s\n", lk_rc(kmod_dump_index(ctx, KMOD_INDEX_MODULES_BUILTIN, 1000)));
	kmod_unref(ctx);

	ctx = lk_new("/nonexistent/modules", NULL);
	if (!ctx)
		lk_die("kmod_new failed");
	lk_printf("# no module directory\n");
	for (size_t i = 0; i < sizeof(indexes) / sizeof(indexes[0]); i++)
		dump(ctx, indexes[i].label, indexes[i].type, true);
	kmod_unref(ctx);
	return 0;
}

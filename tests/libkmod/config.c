/*
 * config.c — the configuration iterators: kmod_config_get_blacklists,
 * _install_commands, _remove_commands, _aliases, _options and _softdeps,
 * every key and value in order, as `modprobe -c` prints them (the driver
 * checks them against kmod's modprobe -c), for the configuration given
 * (-C), an empty one, and the system's (NULL config_paths); and the
 * iterator's behaviour at its ends.  Weak dependencies (kmod 33) are the
 * weakdeps program's.
 */
#include "lk.h"

typedef struct kmod_config_iter *(*getter)(const struct kmod_ctx *);

static const struct {
	const char *kind;
	getter get;
	bool has_value;
} iterators[] = {
	{ "blacklist", kmod_config_get_blacklists, false },
	{ "install", kmod_config_get_install_commands, true },
	{ "remove", kmod_config_get_remove_commands, true },
	{ "alias", kmod_config_get_aliases, true },
	{ "options", kmod_config_get_options, true },
	{ "softdep", kmod_config_get_softdeps, true },
};

static void dump(const char *label, struct kmod_ctx *ctx)
{
	lk_printf("== %s\n", label);
	for (size_t i = 0; i < sizeof(iterators) / sizeof(iterators[0]); i++) {
		struct kmod_config_iter *iter = iterators[i].get(ctx);

		if (!iter) {
			lk_printf("%s: NULL\n", iterators[i].kind);
			continue;
		}
		while (kmod_config_iter_next(iter)) {
			const char *value = kmod_config_iter_get_value(iter);

			if (iterators[i].has_value)
				lk_printf("%s %s %s\n", iterators[i].kind,
					  lk_s(kmod_config_iter_get_key(iter)), lk_s(value));
			else
				lk_printf("%s %s%s%s\n", iterators[i].kind,
					  lk_s(kmod_config_iter_get_key(iter)),
					  value ? " value " : "", value ? value : "");
		}
		kmod_config_iter_free_iter(iter);
	}
}

/* Before the first kmod_config_iter_next, at the end, and after it. */
static void ends(struct kmod_ctx *ctx)
{
	struct kmod_config_iter *iter = kmod_config_get_aliases(ctx);
	int n = 0;

	lk_printf("== iterator ends\n");
	if (!iter) {
		lk_printf("aliases: NULL\n");
		return;
	}
	lk_printf("key before next: %s\n", lk_s(kmod_config_iter_get_key(iter)));
	lk_printf("value before next: %s\n", lk_s(kmod_config_iter_get_value(iter)));
	while (kmod_config_iter_next(iter))
		n++;
	lk_printf("entries: %d\n", n);
	lk_printf("key at the end: %s\n", lk_s(kmod_config_iter_get_key(iter)));
	n = kmod_config_iter_next(iter);
	lk_printf("next after the end: %d\n", n);
	lk_printf("key then: %s\n", lk_s(kmod_config_iter_get_key(iter)));
	while (n && kmod_config_iter_next(iter))
		n++;
	lk_printf("entries of the second round: %d\n", n);
	kmod_config_iter_free_iter(iter);
}

int main(int argc, char **argv)
{
	static const char *const empty[] = { NULL };
	struct kmod_ctx *ctx;

	lk_options(argc, argv);
	ctx = lk_ctx();
	dump("configuration given", ctx);
	ends(ctx);
	kmod_unref(ctx);

	ctx = lk_new(lk.tree, empty);
	if (!ctx)
		lk_die("kmod_new failed");
	dump("empty configuration", ctx);
	ends(ctx);
	kmod_unref(ctx);

	/* In a directory without modules.softdep. */
	ctx = lk_new("/nonexistent/modules", empty);
	if (!ctx)
		lk_die("kmod_new failed");
	dump("empty configuration, no module directory", ctx);
	ends(ctx);
	kmod_unref(ctx);

	fflush(stdout);
	ctx = kmod_new(lk.tree, NULL);
	if (!ctx)
		lk_die("kmod_new failed");
	kmod_set_log_fn(ctx, lk_log, NULL);
	dump("system configuration", ctx);
	kmod_unref(ctx);
	return 0;
}

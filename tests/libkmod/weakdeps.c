/*
 * weakdeps.c — the two functions kmod 33 added, kmod_config_get_weakdeps
 * and kmod_module_get_weakdeps, taken at run time with dlvsym at their
 * version node LIBKMOD_33, so that the one binary runs on a library that
 * has them and on kmod 30's, which has not: there it prints
 * "LIBKMOD_33: not available" and nothing else.
 *
 * With the configuration given (-C, weakdep lines), it prints every
 * weakdep entry of the configuration iterator, then the weak dependencies
 * of each key and of each operand.
 */
#include <dlfcn.h>
#include "lk.h"

typedef struct kmod_config_iter *(*config_get_weakdeps_fn)(const struct kmod_ctx *);
typedef int (*module_get_weakdeps_fn)(const struct kmod_module *, struct kmod_list **);

static module_get_weakdeps_fn module_get_weakdeps;

static void weakdeps_of(struct kmod_ctx *ctx, const char *name)
{
	struct kmod_module *mod = NULL;
	struct kmod_list *weak = NULL;
	int rc = kmod_module_new_from_name(ctx, name, &mod);

	if (!mod) {
		lk_printf("module %s: %s\n", name, lk_rc(rc));
		return;
	}
	rc = module_get_weakdeps(mod, &weak);
	lk_printf("module %s: weakdeps %s\n", name, lk_rc(rc));
	lk_print_modules("  ", weak);
	kmod_module_unref_list(weak);
	kmod_module_unref(mod);
}

int main(int argc, char **argv)
{
	config_get_weakdeps_fn config_get_weakdeps;
	struct kmod_config_iter *iter;
	struct kmod_ctx *ctx;

	lk_options(argc, argv);
	config_get_weakdeps = (config_get_weakdeps_fn)dlvsym(RTLD_DEFAULT,
		"kmod_config_get_weakdeps", "LIBKMOD_33");
	module_get_weakdeps = (module_get_weakdeps_fn)dlvsym(RTLD_DEFAULT,
		"kmod_module_get_weakdeps", "LIBKMOD_33");
	if (!config_get_weakdeps || !module_get_weakdeps) {
		lk_printf("LIBKMOD_33: not available\n");
		return 0;
	}
	ctx = lk_ctx();
	iter = config_get_weakdeps(ctx);
	lk_printf("iterator: %s\n", iter ? "an iterator" : "NULL");
	while (iter && kmod_config_iter_next(iter))
		lk_printf("weakdep %s %s\n", lk_s(kmod_config_iter_get_key(iter)),
			  lk_s(kmod_config_iter_get_value(iter)));
	if (iter)
		kmod_config_iter_free_iter(iter);

	iter = config_get_weakdeps(ctx);
	while (iter && kmod_config_iter_next(iter))
		weakdeps_of(ctx, kmod_config_iter_get_key(iter));
	if (iter)
		kmod_config_iter_free_iter(iter);
	for (int i = 0; i < lk.argc; i++)
		weakdeps_of(ctx, lk.argv[i]);
	kmod_unref(ctx);
	return 0;
}

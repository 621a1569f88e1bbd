/*
 * deps.c — what libkmod knows about a module from the indexes and the
 * configuration (-C): for every module of modules.dep and modules.builtin
 * and every name the configuration mentions, kmod_module_get_dependencies
 * (names and paths, in order), kmod_module_get_softdeps (pre and post),
 * kmod_module_get_options, kmod_module_get_install_commands and
 * kmod_module_get_remove_commands.  Weak dependencies (kmod 33) are the
 * weakdeps program's.
 */
#include "lk.h"

static void print_module(struct kmod_ctx *ctx, const char *name)
{
	struct kmod_module *mod = NULL;
	struct kmod_list *deps, *pre = NULL, *post = NULL;
	int rc = kmod_module_new_from_name(ctx, name, &mod);

	lk_printf("== %s: %s\n", name, lk_rc(rc));
	if (!mod)
		return;
	lk_printf("path: %s\n", lk_s(kmod_module_get_path(mod)));
	deps = kmod_module_get_dependencies(mod);
	lk_printf("dependencies:\n");
	lk_print_modules("  ", deps);
	kmod_module_unref_list(deps);
	rc = kmod_module_get_softdeps(mod, &pre, &post);
	lk_printf("softdeps: %s\n", lk_rc(rc));
	lk_print_modules("  pre: ", pre);
	lk_print_modules("  post: ", post);
	kmod_module_unref_list(pre);
	kmod_module_unref_list(post);
	lk_printf("options: %s\n", lk_s(kmod_module_get_options(mod)));
	lk_printf("install: %s\n", lk_s(kmod_module_get_install_commands(mod)));
	lk_printf("remove: %s\n", lk_s(kmod_module_get_remove_commands(mod)));
	kmod_module_unref(mod);
}

/* The keys of one configuration iterator, and each word of its values that
 * names a module (softdep values: "pre: a b post: c"). */
static void configured(struct kmod_ctx *ctx, struct kmod_config_iter *iter, bool values)
{
	while (iter && kmod_config_iter_next(iter)) {
		const char *value = kmod_config_iter_get_value(iter);

		print_module(ctx, kmod_config_iter_get_key(iter));
		if (!values || !value)
			continue;
		char *copy = strdup(value), *save = NULL;

		if (!copy)
			lk_die("out of memory");
		for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
			if (strcmp(w, "pre:") != 0 && strcmp(w, "post:") != 0)
				print_module(ctx, w);
		free(copy);
	}
	if (iter)
		kmod_config_iter_free_iter(iter);
}

int main(int argc, char **argv)
{
	struct kmod_ctx *ctx;
	char path[4096], name[256], **lines;
	size_t count;

	lk_options(argc, argv);
	ctx = lk_ctx();
	lk_printf("load: %s\n", lk_rc(kmod_load_resources(ctx)));
	lines = lk_modules_dep(&count);
	lk_printf("# modules.dep: %zu modules\n", count);
	for (size_t i = 0; i < count; i++) {
		lk_modname(lines[i], name, sizeof(name));
		print_module(ctx, name);
	}
	lk_free_lines(lines);

	snprintf(path, sizeof(path), "%s/modules.builtin", lk.tree);
	lines = lk_read_lines(path, &count);
	lk_printf("# modules.builtin: %zu modules\n", lines ? count : 0);
	for (char **l = lines; l && *l; l++) {
		lk_modname(*l, name, sizeof(name));
		print_module(ctx, name);
	}
	lk_free_lines(lines);

	lk_printf("# configured names\n");
	configured(ctx, kmod_config_get_options(ctx), false);
	configured(ctx, kmod_config_get_install_commands(ctx), false);
	configured(ctx, kmod_config_get_remove_commands(ctx), false);
	configured(ctx, kmod_config_get_softdeps(ctx), true);
	configured(ctx, kmod_config_get_blacklists(ctx), false);
	configured(ctx, kmod_config_get_aliases(ctx), true);
	kmod_unref(ctx);
	return 0;
}

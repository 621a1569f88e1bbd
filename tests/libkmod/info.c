/*
 * info.c — what libkmod reads from module files: for every module of
 * modules.dep, every builtin module of modules.builtin, and every path given
 * as an operand (the driver passes compressed copies), kmod_module_get_info
 * (every key and value in order, the signature's included),
 * kmod_module_get_versions, kmod_module_get_symbols and
 * kmod_module_get_dependency_symbols with their accessors.
 */
#include "lk.h"

static void print_module(struct kmod_module *mod)
{
	struct kmod_list *list = NULL, *l;
	int rc;

	rc = kmod_module_get_info(mod, &list);
	lk_printf("info: %s\n", lk_rc(rc));
	kmod_list_foreach(l, list)
		lk_printf("  %s=%s\n", lk_s(kmod_module_info_get_key(l)),
			  lk_s(kmod_module_info_get_value(l)));
	kmod_module_info_free_list(list);

	list = NULL;
	rc = kmod_module_get_versions(mod, &list);
	lk_printf("versions: %s\n", lk_rc(rc));
	kmod_list_foreach(l, list)
		lk_printf("  %s 0x%016llx\n", lk_s(kmod_module_version_get_symbol(l)),
			  (unsigned long long)kmod_module_version_get_crc(l));
	kmod_module_versions_free_list(list);

	list = NULL;
	rc = kmod_module_get_symbols(mod, &list);
	lk_printf("symbols: %s\n", lk_rc(rc));
	kmod_list_foreach(l, list)
		lk_printf("  %s 0x%016llx\n", lk_s(kmod_module_symbol_get_symbol(l)),
			  (unsigned long long)kmod_module_symbol_get_crc(l));
	kmod_module_symbols_free_list(list);

	list = NULL;
	rc = kmod_module_get_dependency_symbols(mod, &list);
	lk_printf("dependency symbols: %s\n", lk_rc(rc));
	kmod_list_foreach(l, list) {
		int bind = kmod_module_dependency_symbol_get_bind(l);

		lk_printf("  %s 0x%016llx %c\n", lk_s(kmod_module_dependency_symbol_get_symbol(l)),
			  (unsigned long long)kmod_module_dependency_symbol_get_crc(l),
			  bind > 0x20 && bind < 0x7f ? bind : '?');
	}
	kmod_module_dependency_symbols_free_list(list);
}

static void by_name(struct kmod_ctx *ctx, const char *name)
{
	struct kmod_module *mod = NULL;
	int rc = kmod_module_new_from_name(ctx, name, &mod);

	lk_printf("== %s: %s %s\n", name, lk_rc(rc), mod ? lk_s(kmod_module_get_path(mod)) : "");
	if (mod)
		print_module(mod);
	kmod_module_unref(mod);
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
		by_name(ctx, name);
	}
	lk_free_lines(lines);

	snprintf(path, sizeof(path), "%s/modules.builtin", lk.tree);
	lines = lk_read_lines(path, &count);
	lk_printf("# modules.builtin: %zu modules\n", lines ? count : 0);
	for (char **l = lines; l && *l; l++) {
		lk_modname(*l, name, sizeof(name));
		by_name(ctx, name);
	}
	lk_free_lines(lines);

	lk_printf("# paths: %d\n", lk.argc);
	for (int i = 0; i < lk.argc; i++) {
		struct kmod_module *mod = NULL;
		int rc = kmod_module_new_from_path(ctx, lk.argv[i], &mod);

		lk_printf("== %s: %s %s\n", lk.argv[i], lk_rc(rc),
			  mod ? lk_s(kmod_module_get_name(mod)) : "");
		if (mod)
			print_module(mod);
		kmod_module_unref(mod);
	}
	kmod_unref(ctx);
	return 0;
}

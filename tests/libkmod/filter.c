/*
 * filter.c — kmod_module_apply_filter (KMOD_FILTER_BLACKLIST,
 * KMOD_FILTER_BUILTIN, both, none) and the deprecated
 * kmod_module_get_filtered_blacklist, on the results of looking up every
 * module name of modules.dep and modules.builtin, the configuration's (-C)
 * aliases, blacklisted names and softdeps, and the tree's alias patterns
 * that match more than one module.
 */
#include "lk.h"

static struct kmod_ctx *ctx;

static void print_names(const char *label, int rc, const struct kmod_list *list)
{
	const struct kmod_list *l;

	lk_printf(" %s(%s)", label, lk_rc(rc));
	kmod_list_foreach(l, list) {
		struct kmod_module *m = kmod_module_get_module(l);

		lk_printf(" %s", lk_s(kmod_module_get_name(m)));
		kmod_module_unref(m);
	}
}

static void filter(const char *what)
{
	static const struct {
		const char *label;
		unsigned int type;
	} filters[] = {
		{ "blacklist", KMOD_FILTER_BLACKLIST },
		{ "builtin", KMOD_FILTER_BUILTIN },
		{ "both", KMOD_FILTER_BLACKLIST | KMOD_FILTER_BUILTIN },
		{ "none", 0 },
	};
	struct kmod_list *in = NULL, *out;
	int rc = kmod_module_new_from_lookup(ctx, what, &in);

	lk_printf("%s:", what);
	print_names("in", rc, in);
	for (size_t i = 0; i < sizeof(filters) / sizeof(filters[0]); i++) {
		out = NULL;
		rc = kmod_module_apply_filter(ctx, (enum kmod_filter)filters[i].type, in, &out);
		print_names(filters[i].label, rc, out);
		kmod_module_unref_list(out);
	}
	out = NULL;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
	rc = kmod_module_get_filtered_blacklist(ctx, in, &out);
#pragma GCC diagnostic pop
	print_names("filtered_blacklist", rc, out);
	kmod_module_unref_list(out);
	lk_printf("\n");
	kmod_module_unref_list(in);
}

static void each_key(struct kmod_config_iter *iter, bool words)
{
	while (iter && kmod_config_iter_next(iter)) {
		const char *value = kmod_config_iter_get_value(iter);

		filter(kmod_config_iter_get_key(iter));
		if (!words || !value)
			continue;
		char *copy = strdup(value), *save = NULL;

		if (!copy)
			lk_die("out of memory");
		for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
			if (strcmp(w, "pre:") != 0 && strcmp(w, "post:") != 0)
				filter(w);
		free(copy);
	}
	if (iter)
		kmod_config_iter_free_iter(iter);
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	char path[4096], name[256], **lines;
	size_t count;

	lk_options(argc, argv);
	ctx = lk_ctx();
	lk_printf("load: %s\n", lk_rc(kmod_load_resources(ctx)));
	lk_printf("== module names\n");
	lines = lk_modules_dep(&count);
	for (size_t i = 0; i < count; i++) {
		lk_modname(lines[i], name, sizeof(name));
		filter(name);
	}
	lk_free_lines(lines);
	lk_printf("== builtin modules\n");
	snprintf(path, sizeof(path), "%s/modules.builtin", lk.tree);
	lines = lk_read_lines(path, NULL);
	for (char **l = lines; l && *l; l++) {
		lk_modname(*l, name, sizeof(name));
		filter(name);
	}
	lk_free_lines(lines);
	lk_printf("== configuration\n");
	each_key(kmod_config_get_aliases(ctx), true);
	each_key(kmod_config_get_blacklists(ctx), false);
	each_key(kmod_config_get_softdeps(ctx), true);
	/* Aliases several modules share: lists longer than one. */
	lk_printf("== shared aliases\n");
	snprintf(path, sizeof(path), "%s/modules.alias", lk.tree);
	lines = lk_read_lines(path, &count);
	for (size_t i = 0; lines && i < count; i++) {
		char *space = strrchr(lines[i], ' ');

		if (strncmp(lines[i], "alias ", 6) != 0 || !space)
			lines[i][0] = '\0';
		else
			*space = '\0';
	}
	if (lines)
		qsort(lines, count, sizeof(*lines), by_string);
	for (size_t i = 1; lines && i < count; i++) {
		if (lines[i][0] && strcmp(lines[i], lines[i - 1]) == 0 &&
		    (i < 2 || strcmp(lines[i], lines[i - 2]) != 0))
			filter(lines[i] + 6);
	}
	lk_free_lines(lines);
	kmod_unref(ctx);
	return 0;
}

/*
 * lookup.c — finding modules: kmod_module_new_from_lookup for every module
 * name of modules.dep (and its dashed spelling), every builtin module, every
 * alias of modules.alias made concrete, every builtin alias, every exported
 * symbol (symbol:NAME), the modaliases of the machine's devices
 * (/sys/devices, when readable), the configuration's aliases and install
 * commands (-C), and unknown and invalid names; kmod_module_new_from_name,
 * kmod_module_new_from_name_lookup and kmod_module_new_from_path on real,
 * relative, missing and odd inputs; kmod_module_initstate_str.
 */
#include <ftw.h>
#include <sys/stat.h>
#include "lk.h"

static struct kmod_ctx *ctx;

static void lookup(const char *what)
{
	struct kmod_list *list = NULL;
	int rc = kmod_module_new_from_lookup(ctx, what, &list);

	lk_printf("lookup '%s': %s\n", what, lk_rc(rc));
	lk_print_modules("  ", list);
	kmod_module_unref_list(list);
}

static void name_lookup(const char *what)
{
	struct kmod_module *mod = NULL;
	int rc = kmod_module_new_from_name_lookup(ctx, what, &mod);

	lk_printf("name lookup '%s': %s", what, lk_rc(rc));
	if (mod)
		lk_printf(" %s %s", lk_s(kmod_module_get_name(mod)),
			  lk_s(kmod_module_get_path(mod)));
	lk_printf("\n");
	kmod_module_unref(mod);
}

static void from_name(const char *what)
{
	struct kmod_module *mod = NULL;
	int rc = kmod_module_new_from_name(ctx, what, &mod);

	lk_printf("from name '%s': %s", what, lk_rc(rc));
	if (mod)
		lk_printf(" %s %s", lk_s(kmod_module_get_name(mod)),
			  lk_s(kmod_module_get_path(mod)));
	lk_printf("\n");
	kmod_module_unref(mod);
}

static void from_path(const char *what)
{
	struct kmod_module *mod = NULL;
	int rc = kmod_module_new_from_path(ctx, what, &mod);

	lk_printf("from path '%s': %s", what, lk_rc(rc));
	if (mod)
		lk_printf(" %s %s", lk_s(kmod_module_get_name(mod)),
			  lk_s(kmod_module_get_path(mod)));
	lk_printf("\n");
	kmod_module_unref(mod);
}

/* A modules.alias pattern made into a string it matches: '*' matches the
 * empty string, '?' and a bracket expression one character of theirs. */
static void concrete(const char *pattern, char *out, size_t size)
{
	size_t n = 0;

	for (const char *p = pattern; *p && n + 1 < size; p++) {
		if (*p == '*')
			continue;
		if (*p == '?') {
			out[n++] = 'x';
		} else if (*p == '[') {
			const char *close = strchr(p + 1, ']');

			if (!close) {
				out[n++] = *p;
				continue;
			}
			out[n++] = p[1] == '!' || p[1] == '^' ? '~' : p[1];
			p = close;
		} else {
			out[n++] = *p;
		}
	}
	out[n] = '\0';
}

static void names(void)
{
	size_t count;
	char **paths = lk_modules_dep(&count), name[256];

	for (size_t i = 0; i < count; i++) {
		lk_modname(paths[i], name, sizeof(name));
		lookup(name);
		if (strchr(name, '_')) {
			for (char *c = name; *c; c++)
				if (*c == '_')
					*c = '-';
			lookup(name);
		}
	}
	for (size_t i = 0; i < count; i++) {
		lk_modname(paths[i], name, sizeof(name));
		name_lookup(name);
	}
	lk_free_lines(paths);
}

static void builtins(void)
{
	char path[4096], name[256];
	char **lines;

	snprintf(path, sizeof(path), "%s/modules.builtin", lk.tree);
	lines = lk_read_lines(path, NULL);
	if (!lines)
		return;
	for (char **l = lines; *l; l++) {
		lk_modname(*l, name, sizeof(name));
		lookup(name);
		name_lookup(name);
	}
	lk_free_lines(lines);
}

/* "alias PATTERN MODULE" lines of a text index. */
static void aliases(const char *file, const char *prefix)
{
	char path[4096], buf[4096];
	char **lines;

	snprintf(path, sizeof(path), "%s/%s", lk.tree, file);
	lines = lk_read_lines(path, NULL);
	if (!lines)
		return;
	for (char **l = lines; *l; l++) {
		char *alias, *end;

		if (strncmp(*l, "alias ", 6) != 0)
			continue;
		alias = *l + 6;
		end = strrchr(alias, ' ');
		if (!end)
			continue;
		*end = '\0';
		if (prefix && strncmp(alias, prefix, strlen(prefix)) != 0)
			continue;
		concrete(alias, buf, sizeof(buf));
		lookup(buf);
	}
	lk_free_lines(lines);
}

/* The builtin aliases, as kmod_dump_index lists them: "ALIAS MODULE". */
static void builtin_aliases(void)
{
	const char *file = lk_path("lookup-builtin-alias");
	FILE *fp = fopen(file, "w+");
	char line[4096];

	if (!fp)
		lk_die("cannot create a work file");
	if (kmod_dump_index(ctx, KMOD_INDEX_MODULES_BUILTIN_ALIAS, fileno(fp)) < 0) {
		fclose(fp);
		return;
	}
	rewind(fp);
	while (fgets(line, sizeof(line), fp)) {
		char *space = strchr(line, ' ');

		if (space)
			*space = '\0';
		lookup(line);
	}
	fclose(fp);
}

static char **modaliases;
static size_t n_modaliases;

static int collect_modalias(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	char buf[4096];
	FILE *fp;

	(void)st;
	if (type != FTW_F || strcmp(path + ftw->base, "modalias") != 0)
		return 0;
	fp = fopen(path, "r");
	if (!fp)
		return 0;
	if (fgets(buf, sizeof(buf), fp)) {
		buf[strcspn(buf, "\n")] = '\0';
		modaliases = realloc(modaliases, (n_modaliases + 1) * sizeof(*modaliases));
		if (!modaliases || !(modaliases[n_modaliases++] = strdup(buf)))
			lk_die("out of memory");
	}
	fclose(fp);
	return 0;
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void device_modaliases(void)
{
	nftw("/sys/devices", collect_modalias, 32, FTW_PHYS);
	qsort(modaliases, n_modaliases, sizeof(*modaliases), by_string);
	for (size_t i = 0; i < n_modaliases; i++) {
		if (i > 0 && strcmp(modaliases[i], modaliases[i - 1]) == 0)
			continue;
		lookup(modaliases[i]);
	}
	for (size_t i = 0; i < n_modaliases; i++)
		free(modaliases[i]);
	free(modaliases);
}

/* The configuration's aliases and install commands, by their keys. */
static void configured(void)
{
	struct kmod_config_iter *iter;

	iter = kmod_config_get_aliases(ctx);
	while (iter && kmod_config_iter_next(iter))
		lookup(kmod_config_iter_get_key(iter));
	if (iter)
		kmod_config_iter_free_iter(iter);
	iter = kmod_config_get_install_commands(ctx);
	while (iter && kmod_config_iter_next(iter))
		lookup(kmod_config_iter_get_key(iter));
	if (iter)
		kmod_config_iter_free_iter(iter);
}

static const char *const odd_names[] = {
	"", "no_such_module", "no-such-module", "EXT4", "ext4.ko", "ext4 ", " ext4",
	"foo[", "foo]bar", "foo[bar]", "[", "]", "*", "?", "ext*", "ext?", "pci:*",
	"symbol:", "symbol:no_such_symbol", "symbol:*", "a/b", "/ext4", "..",
	"usb:v*", "-", "_", "a-b_c-d",
};

static void odd(void)
{
	char longname[600];

	for (size_t i = 0; i < sizeof(odd_names) / sizeof(odd_names[0]); i++) {
		lookup(odd_names[i]);
		name_lookup(odd_names[i]);
		from_name(odd_names[i]);
	}
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	lookup(longname);
	name_lookup(longname);
	from_name(longname);
	longname[250] = '\0';
	lookup(longname);
	from_name(longname);
}

static void paths(void)
{
	size_t count;
	char **rel = lk_modules_dep(&count), abs[4096], cwd[4096];

	for (size_t i = 0; i < count; i += 7) {
		snprintf(abs, sizeof(abs), "%s/%s", lk.tree, rel[i]);
		from_path(abs);
	}
	if (!getcwd(cwd, sizeof(cwd)) || chdir(lk.tree) != 0)
		lk_die("cannot change directory");
	for (size_t i = 0; i < count && i < 50; i++)
		from_path(rel[i]);
	snprintf(abs, sizeof(abs), "./%s", rel[0]);
	from_path(abs);
	from_path("modules.dep");
	from_path(".");
	if (chdir(cwd) != 0)
		lk_die("cannot change directory");
	from_path(lk.tree);
	from_path("/nonexistent/foo.ko");
	from_path("nonexistent.ko");
	from_path("");
	snprintf(abs, sizeof(abs), "%s/modules.dep", lk.tree);
	from_path(abs);
	/* The same module by name and by path: one object, whose path is the
	 * path given. */
	snprintf(abs, sizeof(abs), "%s/%s", lk.tree, rel[0]);
	{
		struct kmod_module *a = NULL, *b = NULL, *c = NULL;
		char name[256];

		lk_modname(rel[0], name, sizeof(name));
		kmod_module_new_from_name(ctx, name, &a);
		kmod_module_new_from_name(ctx, name, &b);
		kmod_module_new_from_path(ctx, abs, &c);
		lk_printf("from name twice: the same object: %d\n", a && a == b);
		lk_printf("by name, then by path: the same object: %d\n", a && a == c);
		kmod_module_unref(a);
		kmod_module_unref(b);
		kmod_module_unref(c);
	}
	lk_free_lines(rel);
}

int main(int argc, char **argv)
{
	lk_options(argc, argv);
	ctx = lk_ctx();
	lk_printf("== initstate strings\n");
	for (int s = -1; s <= 5; s++)
		lk_printf("initstate %d: %s\n", s,
			  lk_s(kmod_module_initstate_str((enum kmod_module_initstate)s)));
	lk_printf("== before kmod_load_resources\n");
	lookup("ext4");
	lookup("symbol:jbd2_journal_start");
	lookup("fs-vfat");
	lk_printf("load: %s\n", lk_rc(kmod_load_resources(ctx)));
	lk_printf("== module names\n");
	names();
	lk_printf("== builtin modules\n");
	builtins();
	lk_printf("== aliases\n");
	aliases("modules.alias", NULL);
	lk_printf("== builtin aliases\n");
	builtin_aliases();
	lk_printf("== symbols\n");
	aliases("modules.symbols", "symbol:");
	lk_printf("== device modaliases\n");
	device_modaliases();
	lk_printf("== configuration\n");
	configured();
	lk_printf("== odd names\n");
	odd();
	lk_printf("== paths\n");
	paths();
	kmod_unref(ctx);
	return 0;
}

/*
 * ctx.c — the library context: kmod_new with default, explicit, relative
 * and odd directory names, kmod_get_dirname, references, userdata, the log
 * priority (set, and read from KMOD_LOG), the log function, and the
 * resources: load, validate after a configuration or an index changed,
 * unload.  The resource checks work on a copy of the tree's indexes in the
 * work directory (-w), which they modify.
 */
#include <fcntl.h>
#include <libgen.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include "lk.h"

static const char *const index_files[] = {
	"modules.dep.bin", "modules.alias.bin", "modules.symbols.bin",
	"modules.builtin.bin", "modules.builtin.alias.bin", "modules.softdep",
};

static void copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out;
	char buf[65536];
	size_t n;

	if (!in)
		return;		/* a tree without that index: so is the copy */
	out = fopen(to, "wb");
	if (!out)
		lk_die("cannot copy an index");
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			lk_die("cannot copy an index");
	fclose(in);
	if (fclose(out) != 0)
		lk_die("cannot copy an index");
}

/* Set a file's modification time seconds after its current one, so that
 * the change is seen whatever the file system's time granularity. */
static void age(const char *path, int seconds)
{
	struct stat st;
	struct timespec times[2];

	if (stat(path, &st) != 0)
		lk_die("cannot stat a work file");
	times[0] = st.st_atim;
	times[1] = st.st_mtim;
	times[1].tv_sec += seconds;
	if (utimensat(AT_FDCWD, path, times, 0) != 0)
		lk_die("cannot set a work file's time");
}

static void print_dirname(const char *label, const char *dirname)
{
	struct kmod_ctx *ctx = lk_new(dirname, NULL);

	if (!ctx) {
		lk_printf("%s: kmod_new failed\n", label);
		return;
	}
	lk_printf("%s: dirname %s\n", label, lk_s(kmod_get_dirname(ctx)));
	kmod_unref(ctx);
}

static void dirnames(void)
{
	char parent[4096], base[4096], cwd[4096], buf[4096 + 8];
	struct utsname u;
	struct kmod_ctx *ctx;

	uname(&u);
	ctx = kmod_new(NULL, NULL);
	if (ctx) {
		const char *d = kmod_get_dirname(ctx);
		char want[4096];

		/* Printed as a comparison: the running kernel's release is the
		 * build machine's, not a property of the library. */
		snprintf(want, sizeof(want), "/lib/modules/%s", u.release);
		lk_printf("NULL dirname: %s\n", d && strcmp(d, want) == 0 ?
			  "/lib/modules/RELEASE (uname -r)" : lk_s(d));
		kmod_unref(ctx);
	}
	print_dirname("tree", lk.tree);
	snprintf(buf, sizeof(buf), "%s/", lk.tree);
	print_dirname("tree with a slash", buf);
	snprintf(buf, sizeof(buf), "%s//", lk.tree);
	print_dirname("tree with two slashes", buf);
	print_dirname("nonexistent", "/nonexistent/modules");
	print_dirname("empty", "");

	snprintf(parent, sizeof(parent), "%s", lk.tree);
	snprintf(base, sizeof(base), "%s", lk.tree);
	if (!getcwd(cwd, sizeof(cwd)) || chdir(dirname(parent)) != 0)
		lk_die("cannot change directory");
	print_dirname("relative", basename(base));
	snprintf(buf, sizeof(buf), "./%s", basename(base));
	print_dirname("relative with ./", buf);
	print_dirname("dot", ".");
	if (chdir(cwd) != 0)
		lk_die("cannot change directory");
}

static void references(void)
{
	struct kmod_ctx *ctx = lk_ctx();
	static int cookie;

	lk_printf("kmod_ref returns the context: %d\n", kmod_ref(ctx) == ctx);
	lk_printf("kmod_unref with a reference left returns the context: %d\n",
		  kmod_unref(ctx) == ctx);
	lk_printf("userdata before set: %s\n", kmod_get_userdata(ctx) ? "set" : "NULL");
	kmod_set_userdata(ctx, &cookie);
	lk_printf("userdata after set: %s\n",
		  kmod_get_userdata(ctx) == &cookie ? "the pointer given" : "another");
	kmod_set_userdata(ctx, NULL);
	lk_printf("userdata after set NULL: %s\n", kmod_get_userdata(ctx) ? "set" : "NULL");
	lk_printf("last kmod_unref returns NULL: %d\n", kmod_unref(ctx) == NULL);
}

static void priorities(void)
{
	static const char *const values[] = {
		"0", "3", "4", "6", "7", "8", "42", "-1", " 5", "5 ", "5x", "err",
		"info", "debug", "warning", "ERR", "errors", "", "junk",
	};
	struct kmod_ctx *ctx;

	unsetenv("KMOD_LOG");
	ctx = lk_ctx();
	lk_printf("priority without KMOD_LOG: %d\n", kmod_get_log_priority(ctx));
	kmod_set_log_priority(ctx, LOG_DEBUG);
	lk_printf("after set LOG_DEBUG: %d\n", kmod_get_log_priority(ctx));
	kmod_set_log_priority(ctx, 42);
	lk_printf("after set 42: %d\n", kmod_get_log_priority(ctx));
	kmod_set_log_priority(ctx, -3);
	lk_printf("after set -3: %d\n", kmod_get_log_priority(ctx));
	kmod_unref(ctx);
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		setenv("KMOD_LOG", values[i], 1);
		ctx = kmod_new(lk.tree, lk.config);
		if (!ctx)
			lk_die("kmod_new failed");
		lk_printf("KMOD_LOG='%s': priority %d\n", values[i], kmod_get_log_priority(ctx));
		kmod_unref(ctx);
	}
	unsetenv("KMOD_LOG");
}

/* Messages reach the log function after kmod_set_log_fn, at and below the
 * priority; the library's own errors on a bad call are such messages. */
static void log_function(void)
{
	struct kmod_ctx *ctx = lk_ctx();
	struct kmod_list *list = NULL, *nonempty = NULL;
	int rc;

	kmod_module_new_from_lookup(ctx, "ext4", &nonempty);
	lk_printf("lookup into a non-empty list at LOG_ERR:\n");
	rc = kmod_module_new_from_lookup(ctx, "ext4", nonempty ? &nonempty : &list);
	lk_printf("  rc %s\n", lk_rc(rc));
	kmod_set_log_priority(ctx, LOG_CRIT);
	lk_printf("the same at LOG_CRIT:\n");
	rc = kmod_module_new_from_lookup(ctx, "ext4", nonempty ? &nonempty : &list);
	lk_printf("  rc %s\n", lk_rc(rc));
	kmod_module_unref_list(nonempty);
	kmod_unref(ctx);
}

static void validate(const char *label, struct kmod_ctx *ctx)
{
	lk_printf("%s: validate %d\n", label, kmod_validate_resources(ctx));
}

static void resources(void)
{
	char from[4096], copy[4096], confdir[4096], conf[4096];
	const char *config[] = { confdir, NULL };
	struct kmod_ctx *ctx;
	int rc;

	snprintf(copy, sizeof(copy), "%s", lk_path("ctx-tree"));
	snprintf(confdir, sizeof(confdir), "%s", lk_path("ctx.d"));
	snprintf(conf, sizeof(conf), "%s", lk_path("ctx.d/a.conf"));
	if (mkdir(copy, 0755) != 0 || mkdir(confdir, 0755) != 0)
		lk_die("cannot create work directories");
	for (size_t i = 0; i < sizeof(index_files) / sizeof(index_files[0]); i++) {
		char to[256];

		snprintf(from, sizeof(from), "%s/%s", lk.tree, index_files[i]);
		snprintf(to, sizeof(to), "ctx-tree/%s", index_files[i]);
		copy_file(from, lk_path(to));
	}
	lk_write(conf, "options dummy numdummies=1\n");

	ctx = lk_new(copy, config);
	if (!ctx)
		lk_die("kmod_new failed");
	validate("before load", ctx);
	rc = kmod_load_resources(ctx);
	lk_printf("load: %s\n", lk_rc(rc));
	validate("loaded", ctx);
	rc = kmod_load_resources(ctx);
	lk_printf("load again: %s\n", lk_rc(rc));
	validate("loaded twice", ctx);
	age(lk_path("ctx-tree/modules.dep.bin"), 10);
	validate("modules.dep.bin newer", ctx);
	kmod_unload_resources(ctx);
	validate("unloaded", ctx);
	rc = kmod_load_resources(ctx);
	lk_printf("reload: %s\n", lk_rc(rc));
	validate("reloaded", ctx);
	age(lk_path("ctx-tree/modules.alias.bin"), 10);
	validate("modules.alias.bin newer", ctx);
	kmod_unload_resources(ctx);
	kmod_unload_resources(ctx);
	validate("unloaded twice", ctx);
	rc = kmod_load_resources(ctx);
	lk_printf("reload: %s\n", lk_rc(rc));
	lk_write(conf, "options dummy numdummies=2\n");
	age(conf, 10);
	validate("configuration file newer", ctx);
	kmod_unref(ctx);

	ctx = lk_new(copy, config);
	if (!ctx)
		lk_die("kmod_new failed");
	rc = kmod_load_resources(ctx);
	lk_printf("new context load: %s\n", lk_rc(rc));
	validate("new context", ctx);
	lk_write(lk_path("ctx.d/b.conf"), "options loop max_loop=2\n");
	age(lk_path("ctx.d/b.conf"), 10);
	age(confdir, 20);
	validate("configuration file added", ctx);
	kmod_unref(ctx);

	/* An index that disappears from a loaded context, or is missing. */
	ctx = lk_new(copy, config);
	if (!ctx)
		lk_die("kmod_new failed");
	rc = kmod_load_resources(ctx);
	lk_printf("load: %s\n", lk_rc(rc));
	unlink(lk_path("ctx-tree/modules.dep.bin"));
	validate("modules.dep.bin removed", ctx);
	kmod_unload_resources(ctx);
	rc = kmod_load_resources(ctx);
	lk_printf("load without modules.dep.bin: %s\n", lk_rc(rc));
	validate("without modules.dep.bin", ctx);
	kmod_unref(ctx);

	ctx = lk_new("/nonexistent/modules", config);
	if (!ctx)
		lk_die("kmod_new failed");
	rc = kmod_load_resources(ctx);
	lk_printf("load in a nonexistent directory: %s\n", lk_rc(rc));
	validate("nonexistent directory", ctx);
	kmod_unref(ctx);
}

/* Messages of configuration parsing are logged by kmod_new, before a log
 * function can be set: they go to the default logger, stderr, which the
 * driver compares too (its ERROR lines, without kmod's file:line func). */
static void bad_configuration(void)
{
	const char *config[] = { lk_path("bad.d"), NULL };
	struct kmod_ctx *ctx;
	struct kmod_config_iter *iter;

	if (mkdir(config[0], 0755) != 0)
		lk_die("cannot create a work directory");
	lk_write(lk_path("bad.d/bad.conf"),
		 "foo bar\n" "alias onlyone\n" "options\n" "install\n" "remove x\n"
		 "softdep x\n" "blacklist\n" "alias a b c\n" "options m a=1\n");
	fflush(stdout);
	ctx = kmod_new(lk.tree, config);
	lk_printf("kmod_new with a bad configuration: %s\n", ctx ? "a context" : "NULL");
	iter = kmod_config_get_aliases(ctx);
	while (iter && kmod_config_iter_next(iter))
		lk_printf("  alias %s %s\n", lk_s(kmod_config_iter_get_key(iter)),
			  lk_s(kmod_config_iter_get_value(iter)));
	if (iter)
		kmod_config_iter_free_iter(iter);
	kmod_unref(ctx);
}

int main(int argc, char **argv)
{
	lk_options(argc, argv);
	lk_printf("== directory names\n");
	dirnames();
	lk_printf("== references and userdata\n");
	references();
	lk_printf("== log priority\n");
	priorities();
	lk_printf("== log function\n");
	log_function();
	lk_printf("== resources\n");
	resources();
	lk_printf("== bad configuration\n");
	bad_configuration();
	return 0;
}

/*
 * test-lookup.c — TAP unit test of a module directory (lookup.c) and of
 * modprobe's removal as a dry run (remove.c), on indexes written into a
 * temporary directory: the modules.dep dependencies as a vector, the steps
 * of name resolution in kmod's order (and those of MT_LOOKUP_NAME_ONLY), a
 * module from a path, the built-in state, the events of a removal in
 * kmod's order, soft and weak dependencies resolved, a probe's callbacks
 * (only install commands run, through run_install), and the indexes loaded
 * at once and checked against the disk.  Nothing here touches the kernel:
 * the only sysfs reads are of module names no kernel has.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "libmodtool.h"
#include "tap.h"

static char dir[PATH_MAX / 2];

/* DIR/NAME: a static buffer, valid until the next call. */
static const char *in_dir(const char *name)
{
	static char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

/* Write DIR/FILE as an index of key/value pairs (a NULL key ends them). */
static void write_index(const char *file, const char *const *pairs)
{
	struct mt_index_builder *b = mt_index_builder_new();
	FILE *fp = fopen(in_dir(file), "w");

	if (!b || !fp) {
		printf("Bail out! cannot write %s\n", file);
		exit(1);
	}
	for (; *pairs; pairs += 2)
		mt_index_builder_add(b, pairs[0], pairs[1], 0);
	mt_index_builder_write(b, fp, MT_INDEX_LAYOUT_PREORDER);
	fclose(fp);
	mt_index_builder_free(b);
}

static void write_file(const char *file, const char *text)
{
	FILE *fp = fopen(in_dir(file), "w");

	if (!fp) {
		printf("Bail out! cannot write %s\n", file);
		exit(1);
	}
	fputs(text, fp);
	fclose(fp);
}

static void make_directory(void)
{
	static const char *const dep[] = {
		"ext4", "kernel/fs/ext4/ext4.ko: kernel/lib/crc16.ko\tkernel/fs/mbcache.ko  /abs/jbd2.ko",
		"crc16", "kernel/lib/crc16.ko:",
		"mbcache", "kernel/fs/mbcache.ko:",
		"my_mod", "kernel/my-mod.ko: kernel/lib/crc16.ko",
		"weird:name", "kernel/weird.ko:",
		"bad", "no colon here",
		NULL,
	};
	static const char *const alias[] = { "fs_ext4", "ext4", "pci:v1234*", "crc16", NULL };
	static const char *const symbols[] = { "symbol:crc16_fn", "crc16", NULL };
	static const char *const builtin[] = { "unix", "", NULL };
	static const char *const builtin_alias[] = { "net_pf_1", "unix", NULL };

	write_index("modules.dep.bin", dep);
	write_index("modules.alias.bin", alias);
	write_index("modules.symbols.bin", symbols);
	write_index("modules.builtin.bin", builtin);
	write_index("modules.builtin.alias.bin", builtin_alias);
	write_file("test.conf",
		   "alias myext ext4\n"
		   "alias mbcache crc16\n"
		   "install foo /bin/true\n"
		   "remove foo /bin/true\n"
		   "softdep ext4 pre: crc16 post: foo\n"
		   "weakdep ext4 mbcache nosuch x[\n"
		   "install bar /bin/echo $CMDLINE_OPTS-$CMDLINE_OPTS\n"
		   "install baz /bin/true\n"
		   "softdep baz pre: bar post: foo\n"
		   "blacklist bar\n");
	write_file("my-mod.ko", "not an ELF file, never read");
}

static void test_module_dep(struct mt_ctx *ctx)
{
	struct mt_modref ref = { .name = "ext4" };
	int ret;

	ret = mt_module_dep(ctx, &ref);
	tap_is_int(ret, 1, "dep: ext4 found");
	tap_is_str(ref.path, in_dir("kernel/fs/ext4/ext4.ko"), "dep: a relative path is made absolute");
	tap_is_int(ref.ndeps, 3, "dep: three dependencies, split at spaces and tabs");
	if (ref.ndeps == 3) {
		tap_is_str(ref.deps[0], in_dir("kernel/lib/crc16.ko"), "dep: first in line order");
		tap_is_str(ref.deps[1], in_dir("kernel/fs/mbcache.ko"), "dep: after a tab");
		tap_is_str(ref.deps[2], "/abs/jbd2.ko", "dep: an absolute path stays");
	}
	free(ref.path);
	mt_strv_free(ref.deps, ref.ndeps);

	ref = (struct mt_modref){ .name = "crc16" };
	ret = mt_module_dep(ctx, &ref);
	tap_ok(ret == 1 && ref.ndeps == 0 && !ref.deps, "dep: no dependencies, an empty vector");
	free(ref.path);

	ref = (struct mt_modref){ .name = "nosuch" };
	tap_ok(mt_module_dep(ctx, &ref) == 0 && !ref.path, "dep: absent");

	ref = (struct mt_modref){ .name = "bad" };
	ret = mt_module_dep(ctx, &ref);
	tap_is_int(ret, -EINVAL, "dep: a line without ':' is an error");
	tap_ok(strstr(mt_last_error(), "modules.dep.bin: bad entry for bad") != NULL,
	       "dep: ... named in the message");
}

/* "name path alias builtin" of each result, one per line. */
static char *lookup(struct mt_ctx *ctx, const char *query, unsigned flags)
{
	static char buf[4096];
	struct mt_modref *refs;
	size_t len = 0;
	int n = mt_lookup(ctx, query, flags, &refs);

	if (n < 0) {
		snprintf(buf, sizeof(buf), "error %d", n);
		return buf;
	}
	buf[0] = '\0';
	for (int i = 0; i < n; i++) {
		const char *path = refs[i].path;

		if (path && strncmp(path, dir, strlen(dir)) == 0)
			path += strlen(dir);
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s %s %s %s %d\n", refs[i].name,
					path ? path : "-", refs[i].alias ? refs[i].alias : "-",
					refs[i].builtin ? "builtin" : "module", refs[i].ndeps);
	}
	mt_modrefs_free(refs, n);
	return buf;
}

static void test_lookup(struct mt_ctx *ctx)
{
	tap_is_str(lookup(ctx, "ext4", 0), "ext4 /kernel/fs/ext4/ext4.ko - module 3\n",
		   "lookup: modules.dep.bin by name");
	tap_is_str(lookup(ctx, "myext", 0), "ext4 /kernel/fs/ext4/ext4.ko myext module 3\n",
		   "lookup: a configuration alias, with the path");
	tap_is_str(lookup(ctx, "mbcache", 0), "crc16 /kernel/lib/crc16.ko mbcache module 0\n",
		   "lookup: configuration aliases come before modules.dep.bin");
	tap_is_str(lookup(ctx, "symbol:crc16_fn", 0), "crc16 /kernel/lib/crc16.ko symbol:crc16_fn module 0\n",
		   "lookup: modules.symbols.bin");
	tap_is_str(lookup(ctx, "foo", 0), "foo - - module 0\n", "lookup: a configured install/remove command");
	tap_is_str(lookup(ctx, "fs-ext4", 0), "ext4 /kernel/fs/ext4/ext4.ko fs_ext4 module 3\n",
		   "lookup: modules.alias.bin, the alias normalized");
	tap_is_str(lookup(ctx, "pci:v1234d5678", 0), "crc16 /kernel/lib/crc16.ko pci:v1234d5678 module 0\n",
		   "lookup: a wildcard alias");
	tap_is_str(lookup(ctx, "unix", 0), "unix - - builtin 0\n", "lookup: modules.builtin.bin");
	tap_is_str(lookup(ctx, "net-pf-1", 0), "unix - net_pf_1 builtin 0\n", "lookup: modules.builtin.alias.bin");
	tap_is_str(lookup(ctx, "weird:name", 0), "", "lookup: a name with ':' is not looked up in modules.dep.bin");
	tap_is_str(lookup(ctx, "nosuch", 0), "", "lookup: nothing found");
	tap_is_str(lookup(ctx, "x[", 0), "error -22", "lookup: an invalid alias");

	tap_is_str(lookup(ctx, "ext4.ko", MT_LOOKUP_NAME_ONLY), "ext4 /kernel/fs/ext4/ext4.ko - module 3\n",
		   "name only: a module name (normalized as a name)");
	tap_is_str(lookup(ctx, "weird:name", MT_LOOKUP_NAME_ONLY), "weird:name /kernel/weird.ko - module 0\n",
		   "name only: ':' is no obstacle");
	tap_is_str(lookup(ctx, "myext", MT_LOOKUP_NAME_ONLY), "", "name only: no configuration aliases");
	tap_is_str(lookup(ctx, "fs-ext4", MT_LOOKUP_NAME_ONLY), "", "name only: no modules.alias.bin");
	tap_is_str(lookup(ctx, "symbol:crc16_fn", MT_LOOKUP_NAME_ONLY), "", "name only: no symbols");
	tap_is_str(lookup(ctx, "foo", MT_LOOKUP_NAME_ONLY), "", "name only: no commands");
	tap_is_str(lookup(ctx, "unix", MT_LOOKUP_NAME_ONLY), "unix - - builtin 0\n", "name only: built in");
	tap_is_str(lookup(ctx, "net-pf-1", MT_LOOKUP_NAME_ONLY), "unix - net_pf_1 builtin 0\n",
		   "name only: built-in aliases");
	tap_is_str(lookup(ctx, "/x/ext4", MT_LOOKUP_NAME_ONLY), "",
		   "name only: a directory stays part of the name");
	tap_is_str(lookup(ctx, "", MT_LOOKUP_NAME_ONLY), "", "name only: the empty name, nothing");
}

static void append_log(int priority, const char *msg, void *data)
{
	(void)priority;
	strncat(data, msg, 1023 - strlen(data));
}

/* Each module of a result list: "name alias;" */
static const char *names_of(const struct mt_modref *refs, int n)
{
	static char buf[1024];
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s %s;", refs[i].name,
					refs[i].alias ? refs[i].alias : "-");
	return buf;
}

static void test_dependencies(struct mt_ctx *ctx)
{
	struct mt_modref *pre, *post, *weak;
	int npre, npost, n;

	tap_is_int(mt_module_softdeps(ctx, "ext4", &pre, &npre, &post, &npost), 0, "softdeps: found");
	tap_is_str(names_of(pre, npre), "crc16 -;", "softdeps: pre, looked up");
	tap_ok(npre == 1 && pre[0].path && strcmp(pre[0].path, in_dir("kernel/lib/crc16.ko")) == 0,
	       "softdeps: ... with the path");
	tap_is_str(names_of(post, npost), "foo -;", "softdeps: post, a command's module");
	mt_modrefs_free(pre, npre);
	mt_modrefs_free(post, npost);
	tap_ok(mt_module_softdeps(ctx, "crc16", &pre, &npre, &post, &npost) == 0 && !npre && !npost &&
	       !pre && !post, "softdeps: none");

	n = mt_module_weakdeps(ctx, "ext4", &weak);
	tap_is_str(n >= 0 ? names_of(weak, n) : "error", "crc16 mbcache;",
		   "weakdeps: resolved (mbcache is a configuration alias), the unknown ones left out");
	mt_modrefs_free(weak, n);
	tap_is_int(mt_module_weakdeps(ctx, "crc16", &weak), 0, "weakdeps: none");
}

/* What a probe shows and asks to run. */
static char probe_log[4096];

static void probe_show(const struct mt_probe_action *a, void *data)
{
	size_t len = strlen(probe_log);

	(void)data;
	snprintf(probe_log + len, sizeof(probe_log) - len, "show %s %s '%s'\n", a->name,
		 a->install_command ? a->install_command : a->path ? a->path : "-", a->options);
}

/* Why each entry of a load list is there. */
static void probe_reasons(const struct mt_probe_action *a, void *data)
{
	static const char *const reasons[] = {
		[MT_PROBE_REQUESTED] = "requested", [MT_PROBE_DEPENDENCY] = "dependency",
		[MT_PROBE_SOFTDEP_PRE] = "pre", [MT_PROBE_SOFTDEP_POST] = "post",
	};
	size_t len = strlen(probe_log);

	(void)data;
	snprintf(probe_log + len, sizeof(probe_log) - len, "%s %s %s\n", a->name, reasons[a->reason],
		 a->of ? a->of : "-");
}

static int probe_install(const struct mt_probe_action *a, const char *command, void *data)
{
	size_t len = strlen(probe_log);

	snprintf(probe_log + len, sizeof(probe_log) - len, "run %s '%s'\n", a->name, command);
	return *(int *)data;
}

static int probe(struct mt_ctx *ctx, const char *name, unsigned flags, const char *params,
		 int install_result, bool *blacklisted)
{
	const struct mt_probe_callbacks cb = { probe_show, probe_install, &install_result };
	struct mt_modref *refs;
	int n = mt_lookup(ctx, name, 0, &refs), err;

	probe_log[0] = '\0';
	if (n != 1)
		return -1000;
	err = mt_probe_insert_with(ctx, &refs[0], flags, params, &cb, blacklisted);
	mt_modrefs_free(refs, n);
	return err;
}

static void test_probe(struct mt_ctx *ctx)
{
	bool blacklisted = true;
	int err;

	err = probe(ctx, "foo", 0, NULL, 0, &blacklisted);
	tap_ok(err == 0 && !blacklisted && strcmp(probe_log, "show foo /bin/true ''\nrun foo '/bin/true'\n") == 0,
	       "probe: run_install runs an install command");
	err = probe(ctx, "bar", 0, "a=1", 7, &blacklisted);
	tap_is_str(probe_log, "show bar /bin/echo $CMDLINE_OPTS-$CMDLINE_OPTS 'a=1'\n"
		   "run bar '/bin/echo a=1-a=1'\n", "probe: ... with the options substituted");
	tap_ok(err == 7 && !blacklisted, "probe: what run_install returns is the result");
	blacklisted = true;
	err = probe(ctx, "unix", MT_PROBE_BLACKLIST, NULL, 0, &blacklisted);
	tap_ok(err == 0 && !blacklisted, "probe: a module in the kernel is not blacklisted");
	err = probe(ctx, "bar", MT_PROBE_BLACKLIST, NULL, 0, &blacklisted);
	tap_ok(err == MT_PROBE_BLACKLISTED && blacklisted && !probe_log[0],
	       "probe: a blacklisted module is skipped, and said to be");
	err = probe(ctx, "baz", MT_PROBE_DRY_RUN, NULL, 0, &blacklisted);
	tap_is_str(probe_log, "show bar /bin/echo $CMDLINE_OPTS-$CMDLINE_OPTS ''\nshow baz - ''\n"
		   "show foo /bin/true ''\n",
		   "probe: soft dependencies, blacklisted or not (and they override the command)");
	err = probe(ctx, "baz", MT_PROBE_DRY_RUN | MT_PROBE_BLACKLIST | MT_PROBE_BLACKLIST_ALL, NULL, 0,
		    &blacklisted);
	tap_ok(err == 0 && !blacklisted &&
	       strcmp(probe_log, "show baz - ''\nshow foo /bin/true ''\n") == 0,
	       "probe: MT_PROBE_BLACKLIST_ALL leaves out blacklisted dependencies");
}

static void test_probe_reasons(struct mt_ctx *ctx)
{
	struct mt_modref *refs;
	int n = mt_lookup(ctx, "ext4", 0, &refs), err;

	probe_log[0] = '\0';
	err = n == 1 ? mt_probe_insert(ctx, &refs[0], MT_PROBE_DRY_RUN | MT_PROBE_IGNORE_LOADED, NULL,
				       probe_reasons, NULL) : -1;
	tap_ok(err == 0 && strcmp(probe_log, "jbd2 dependency ext4\nmbcache dependency ext4\n"
				  "crc16 dependency ext4\ncrc16 pre ext4\next4 requested -\n"
				  "foo post ext4\n") == 0,
	       "probe: each entry with why it is there, a module repeated for each reason");
	if (n > 0)
		mt_modrefs_free(refs, n);
}

/* Rename DIR/FROM to DIR/TO. */
static void move(const char *from, const char *to)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s", in_dir(from));
	if (rename(path, in_dir(to)) < 0) {
		printf("Bail out! cannot rename %s\n", path);
		exit(1);
	}
}

/* Loading the indexes at once, and checking them against the disk. */
static void test_resources(const char *conf)
{
	struct timespec times[2] = { { 0, UTIME_OMIT }, { 0, 0 } };
	struct mt_ctx *ctx;
	char log[1024] = "";
	struct stat st;

	if (mt_ctx_new(dir, &ctx) < 0 || mt_ctx_load_config(ctx, &conf, 1) < 0) {
		tap_ok(0, "resources: a context");
		return;
	}
	tap_is_int(mt_ctx_validate(ctx), MT_RESOURCES_OK, "validate: nothing open");
	tap_is_int(mt_ctx_load_indexes(ctx), 0, "load: every index");
	tap_is_int(mt_ctx_load_indexes(ctx), 0, "load: again, nothing to do");
	tap_is_int(mt_ctx_validate(ctx), MT_RESOURCES_OK, "validate: unchanged");
	stat(in_dir("modules.alias.bin"), &st);
	times[1] = st.st_mtim;
	times[1].tv_sec += 10;
	utimensat(AT_FDCWD, in_dir("modules.alias.bin"), times, 0);
	tap_is_int(mt_ctx_validate(ctx), MT_RESOURCES_RELOAD, "validate: an index changed");
	mt_ctx_unload_indexes(ctx);
	tap_is_int(mt_ctx_validate(ctx), MT_RESOURCES_OK, "validate: unloaded");
	tap_is_str(lookup(ctx, "fs-ext4", 0), "ext4 /kernel/fs/ext4/ext4.ko fs_ext4 module 3\n",
		   "unload: the indexes open again on use");
	tap_is_int(mt_ctx_validate(ctx), MT_RESOURCES_OK, "validate: opened on demand, unchanged");
	stat(conf, &st);
	times[1] = st.st_mtim;
	times[1].tv_sec += 10;
	utimensat(AT_FDCWD, conf, times, 0);
	tap_is_int(mt_ctx_validate(ctx), MT_RESOURCES_RECREATE, "validate: a configuration path changed");
	mt_ctx_free(ctx);

	/* A modules.dep.bin with a bad magic is no index, but load says so. */
	move("modules.dep.bin", "modules.dep.bin.good");
	write_file("modules.dep.bin", "XXXXXXXXXXXXXXXX");
	mt_ctx_new(dir, &ctx);
	mt_ctx_set_log_fn(ctx, append_log, log);
	tap_is_str(lookup(ctx, "fs-ext4", 0), "ext4 - fs_ext4 module 0\n",
		   "bad index: skipped by lookups, silently");
	tap_is_str(log, "", "bad index: ... no message");
	tap_is_int(mt_ctx_load_indexes(ctx), -EINVAL, "load: a bad index fails");
	tap_is_str(log, "magic check fail: 58585858 instead of b007f457\n", "load: ... in kmod's words");
	tap_is_str(lookup(ctx, "fs-ext4", 0), "ext4 - fs_ext4 module 0\n",
		   "load: none kept, lookups go on");
	mt_ctx_free(ctx);
	move("modules.dep.bin.good", "modules.dep.bin");

	/* Only modules.builtin.alias.bin may be missing. */
	move("modules.builtin.alias.bin", "modules.builtin.alias.bin.good");
	mt_ctx_new(dir, &ctx);
	tap_is_int(mt_ctx_load_indexes(ctx), 0, "load: without modules.builtin.alias.bin");
	mt_ctx_free(ctx);
	move("modules.builtin.alias.bin.good", "modules.builtin.alias.bin");
	move("modules.symbols.bin", "modules.symbols.bin.good");
	mt_ctx_new(dir, &ctx);
	tap_is_int(mt_ctx_load_indexes(ctx), -ENOENT, "load: without modules.symbols.bin");
	mt_ctx_free(ctx);
	move("modules.symbols.bin.good", "modules.symbols.bin");
}

static void test_lookup_path(struct mt_ctx *ctx)
{
	struct mt_modref *refs;
	char cwd[PATH_MAX], want[PATH_MAX];
	int n;

	n = mt_lookup_path(ctx, in_dir("my-mod.ko"), &refs);
	tap_is_int(n, 1, "path: one module");
	if (n == 1) {
		tap_is_str(refs[0].name, "my_mod", "path: named after the file");
		tap_is_str(refs[0].path, in_dir("my-mod.ko"), "path: the file given");
		tap_ok(refs[0].ndeps == 1 && strcmp(refs[0].deps[0], in_dir("kernel/lib/crc16.ko")) == 0,
		       "path: the dependencies of its name");
		mt_modrefs_free(refs, n);
	}
	if (!getcwd(cwd, sizeof(cwd)) || chdir(dir) < 0) {
		tap_ok(0, "path: chdir to the directory");
		return;
	}
	n = mt_lookup_path(ctx, "./my-mod.ko", &refs);
	snprintf(want, sizeof(want), "%s/./my-mod.ko", dir);
	tap_ok(n == 1 && strcmp(refs[0].path, want) == 0, "path: relative, prefixed with the working directory");
	if (n == 1)
		mt_modrefs_free(refs, n);
	tap_is_int(mt_lookup_path(ctx, "./nosuch.ko", &refs), -ENOENT, "path: no such file");
	if (chdir(cwd) < 0)
		tap_ok(0, "path: back to the working directory");
}

static void test_state(struct mt_ctx *ctx)
{
	tap_is_int(mt_module_builtin(ctx, "unix"), 1, "state: unix is built in");
	tap_is_int(mt_module_initstate(ctx, "unix"), MT_INITSTATE_BUILTIN, "state: BUILTIN from the directory");
	tap_ok(mt_module_in_kernel(ctx, "unix"), "state: a built-in module is in the kernel");
	tap_is_int(mt_module_initstate(ctx, "mt_no_kernel_has_this"), MT_INITSTATE_NONE,
		   "state: else the kernel's (not loaded)");
	tap_ok(mt_kernel_initstate("unix") != MT_INITSTATE_BUILTIN, "state: the kernel's never says BUILTIN");
}

/* The events of a removal, one "KIND name [command]" per line. */
static char events[4096];

static void record(const struct mt_remove_event *e, void *data)
{
	static const char *const kinds[] = {
		[MT_REMOVE_DELETING] = "delete", [MT_REMOVE_RUNNING_COMMAND] = "run",
		[MT_REMOVE_BUILTIN] = "builtin", [MT_REMOVE_NOT_LOADED] = "not-loaded",
		[MT_REMOVE_HELD] = "held", [MT_REMOVE_IN_USE] = "in-use",
		[MT_REMOVE_UNSUPPORTED] = "unsupported", [MT_REMOVE_COMMAND_FAILED] = "command-failed",
		[MT_REMOVE_SLEEP_FAILED] = "sleep-failed",
	};
	size_t len = strlen(events);

	(void)data;
	snprintf(events + len, sizeof(events) - len, "%s %s%s%s\n", kinds[e->kind], e->name,
		 e->command ? " " : "", e->command ? e->command : "");
}

static void test_remove(struct mt_ctx *ctx)
{
	unsigned show_depends = MT_PROBE_DRY_RUN | MT_PROBE_IGNORE_LOADED;
	int err;

	events[0] = '\0';
	err = mt_probe_remove(ctx, "ext4", show_depends, 0, record, NULL);
	tap_is_int(err, 0, "remove -D: succeeds");
	tap_is_str(events,
		   "run foo /bin/true\n"
		   "delete ext4\n"
		   "delete jbd2\n"
		   "delete mbcache\n"
		   "delete crc16\n",
		   "remove -D: post softdeps, the module, its dependencies right to left, pre softdeps "
		   "(crc16, a dependency, not again)");

	events[0] = '\0';
	err = mt_probe_remove(ctx, "ext4", show_depends | MT_PROBE_IGNORE_COMMAND, 0, record, NULL);
	tap_is_str(events, "delete ext4\ndelete jbd2\ndelete mbcache\ndelete crc16\n",
		   "remove -D -i: no soft dependencies");

	events[0] = '\0';
	err = mt_probe_remove(ctx, "unix", MT_PROBE_DRY_RUN, 0, record, NULL);
	tap_ok(err == -ENOENT && strcmp(events, "builtin unix\n") == 0, "remove: a built-in module is refused");

	events[0] = '\0';
	err = mt_probe_remove(ctx, "mt_no_kernel_has_this", MT_PROBE_DRY_RUN, 0, record, NULL);
	tap_ok(err == 0 && !events[0], "remove: a module not loaded is no error");
	err = mt_probe_remove(ctx, "mt_no_kernel_has_this", MT_PROBE_DRY_RUN | MT_PROBE_FAIL_ON_LOADED, 0,
			      record, NULL);
	tap_ok(err == -ENOENT && strcmp(events, "not-loaded mt_no_kernel_has_this\n") == 0,
	       "remove --first-time: ... but refused");

	events[0] = '\0';
	err = mt_remove_check(ctx, "unix", record, NULL);
	tap_ok(err == -ENOENT && strcmp(events, "builtin unix\n") == 0, "check: a built-in module");
	events[0] = '\0';
	err = mt_remove_check(ctx, "mt_no_kernel_has_this", record, NULL);
	tap_ok(err == -ENOENT && strcmp(events, "not-loaded mt_no_kernel_has_this\n") == 0,
	       "check: a module not loaded");
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

static void remove_dir(void)
{
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR"), *conf;
	struct mt_ctx *ctx;

	snprintf(dir, sizeof(dir), "%s/test-lookup.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		printf("Bail out! cannot create a directory in %s\n", dir);
		return 1;
	}
	atexit(remove_dir);
	make_directory();
	conf = strdup(in_dir("test.conf"));
	if (!conf || mt_ctx_new(dir, &ctx) < 0 || mt_ctx_load_config(ctx, &conf, 1) < 0) {
		printf("Bail out! %s\n", mt_last_error());
		return 1;
	}

	test_module_dep(ctx);
	test_lookup(ctx);
	test_lookup_path(ctx);
	test_state(ctx);
	test_remove(ctx);
	test_dependencies(ctx);
	test_probe(ctx);
	test_probe_reasons(ctx);

	mt_ctx_free(ctx);
	test_resources(conf);
	free((char *)conf);
	return tap_done();
}

/*
 * probe.c — loading and removal, run under the test shim (tests/shim.md)
 * on a fake root whose /lib/modules/RELEASE is the real tree and whose
 * /etc/modprobe.d holds the test configuration (the driver sets it up):
 * kmod_module_probe_insert_module with each flag, a print_action and a
 * run_install callback, kmod_module_insert_module and
 * kmod_module_remove_module, kmod_module_new_from_loaded, and what the
 * fake /sys says: initstate, refcnt, holders, sections, size.  After each
 * step the module calls the shim recorded (MT_SHIM_LOG) are printed.
 *
 * Operands: the module names to probe, in the roles
 *   DEPS      a module with dependencies (and softdeps from the configuration)
 *   COMMAND   a module with an install command
 *   BLACK     a blacklisted module, and BLACKALIAS an alias of it
 *   OPTIONS   a module with options in the configuration
 *   BUILTIN   a builtin module
 */
#include <fcntl.h>
#include <sys/stat.h>
#include "lk.h"

static struct kmod_ctx *ctx;
static const char *deps_name, *command_name, *black_name, *black_alias, *options_name,
	*builtin_name;
static long log_offset;
static int install_rc;

static void shim_log(void)
{
	const char *path = getenv("MT_SHIM_LOG");
	FILE *fp = path ? fopen(path, "r") : NULL;
	char line[4096];

	if (!fp)
		return;
	fseek(fp, log_offset, SEEK_SET);
	while (fgets(line, sizeof(line), fp))
		lk_printf("  call %s", line);
	log_offset = ftell(fp);
	fclose(fp);
}

static void print_action(struct kmod_module *m, bool install, const char *options)
{
	lk_printf("  action %s %s %s '%s'\n", install ? "install" : "insmod",
		  lk_s(kmod_module_get_name(m)), lk_s(kmod_module_get_path(m)), lk_s(options));
}

static int run_install(struct kmod_module *m, const char *cmdline, void *data)
{
	lk_printf("  run_install %s '%s' data %s\n", lk_s(kmod_module_get_name(m)),
		  lk_s(cmdline), data == &install_rc ? "given" : "another");
	return install_rc;
}

static void loaded(void)
{
	struct kmod_list *list = NULL, *l;
	int rc = kmod_module_new_from_loaded(ctx, &list);

	lk_printf("  loaded: %s", lk_rc(rc));
	kmod_list_foreach(l, list) {
		struct kmod_module *m = kmod_module_get_module(l);

		lk_printf(" %s", lk_s(kmod_module_get_name(m)));
		kmod_module_unref(m);
	}
	lk_printf("\n");
	kmod_module_unref_list(list);
}

static struct kmod_module *module(const char *name)
{
	struct kmod_module *m = NULL;

	if (kmod_module_new_from_name(ctx, name, &m) < 0 || !m)
		lk_die("kmod_module_new_from_name failed");
	return m;
}

static const struct {
	const char *label;
	unsigned int flags;
} flag_names[] = {
	{ "FORCE_VERMAGIC", KMOD_PROBE_FORCE_VERMAGIC },
	{ "FORCE_MODVERSION", KMOD_PROBE_FORCE_MODVERSION },
	{ "IGNORE_COMMAND", KMOD_PROBE_IGNORE_COMMAND },
	{ "IGNORE_LOADED", KMOD_PROBE_IGNORE_LOADED },
	{ "DRY_RUN", KMOD_PROBE_DRY_RUN },
	{ "FAIL_ON_LOADED", KMOD_PROBE_FAIL_ON_LOADED },
	{ "APPLY_BLACKLIST_ALL", KMOD_PROBE_APPLY_BLACKLIST_ALL },
	{ "APPLY_BLACKLIST", KMOD_PROBE_APPLY_BLACKLIST },
	{ "APPLY_BLACKLIST_ALIAS_ONLY", KMOD_PROBE_APPLY_BLACKLIST_ALIAS_ONLY },
};

static void probe_module(struct kmod_module *m, const char *how, unsigned int flags,
			 const char *extra, bool callbacks)
{
	char label[512] = "";
	int rc;

	for (size_t i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
		if (flags & flag_names[i].flags)
			snprintf(label + strlen(label), sizeof(label) - strlen(label), "%s%s",
				 *label ? "|" : "", flag_names[i].label);
	lk_printf("probe %s (%s) %s extra '%s'%s\n", lk_s(kmod_module_get_name(m)), how,
		  *label ? label : "0", lk_s(extra), callbacks ? "" : " without callbacks");
	rc = kmod_module_probe_insert_module(m, flags, extra,
					     callbacks ? run_install : NULL, &install_rc,
					     callbacks ? print_action : NULL);
	lk_printf("  rc %s\n", lk_rc(rc));
	shim_log();
	loaded();
}

/* Every module a lookup of the name gives, probed. */
static void probe(const char *what, unsigned int flags, const char *extra)
{
	struct kmod_list *list = NULL, *l;
	int rc = kmod_module_new_from_lookup(ctx, what, &list);

	if (rc < 0 || !list)
		lk_printf("lookup %s: %s, %s\n", what, lk_rc(rc), list ? "a list" : "nothing");
	kmod_list_foreach(l, list) {
		struct kmod_module *m = kmod_module_get_module(l);

		probe_module(m, what, flags, extra, true);
		kmod_module_unref(m);
	}
	kmod_module_unref_list(list);
}

static void remove_module(const char *name, unsigned int flags)
{
	struct kmod_module *m = module(name);
	int rc = kmod_module_remove_module(m, flags);

	lk_printf("remove %s flags 0x%x: %s\n", name, flags, lk_rc(rc));
	shim_log();
	kmod_module_unref(m);
}

static void insert_module(const char *name, unsigned int flags, const char *options)
{
	struct kmod_module *m = module(name);
	int rc = kmod_module_insert_module(m, flags, options);

	lk_printf("insert %s flags 0x%x options '%s': %s\n", name, flags, lk_s(options),
		  lk_rc(rc));
	shim_log();
	kmod_module_unref(m);
}

static void state(const char *name)
{
	struct kmod_module *m = module(name);
	struct kmod_list *list, *l;
	int s = kmod_module_get_initstate(m);

	lk_printf("state %s: initstate %s (%s) refcnt %s size %ld\n", name, lk_rc(s),
		  s >= 0 ? lk_s(kmod_module_initstate_str((enum kmod_module_initstate)s)) : "-",
		  lk_rc(kmod_module_get_refcnt(m)), kmod_module_get_size(m));
	list = kmod_module_get_holders(m);
	lk_printf("  holders:%s\n", list ? "" : " NULL");
	lk_print_modules("    ", list);
	kmod_module_unref_list(list);
	list = kmod_module_get_sections(m);
	lk_printf("  sections:%s\n", list ? "" : " NULL");
	kmod_list_foreach(l, list)
		lk_printf("    %s 0x%lx\n", lk_s(kmod_module_section_get_name(l)),
			  kmod_module_section_get_address(l));
	kmod_module_section_free_list(list);
	kmod_module_unref(m);
}

static void sysfs_write(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) || close(fd) != 0)
		lk_die("cannot write the fake sysfs");
}

static void sysfs_mkdir(const char *path)
{
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		lk_die("cannot create a fake sysfs directory");
}

/* Holders, a reference count, sections and states the kernel would show. */
static void fake_sysfs(void)
{
	char path[512];

	lk_printf("== fake sysfs\n");
	probe(deps_name, 0, NULL);
	snprintf(path, sizeof(path), "/sys/module/%s/sections", deps_name);
	sysfs_mkdir(path);
	snprintf(path, sizeof(path), "/sys/module/%s/sections/.text", deps_name);
	sysfs_write(path, "0xffffffffc0a00000\n");
	snprintf(path, sizeof(path), "/sys/module/%s/sections/.data", deps_name);
	sysfs_write(path, "0xffffffffc0a80000\n");
	snprintf(path, sizeof(path), "/sys/module/%s/sections/.gnu.linkonce.this_module", deps_name);
	sysfs_write(path, "0xffffffffc0a81000\n");
	snprintf(path, sizeof(path), "/sys/module/%s/sections/bad", deps_name);
	sysfs_write(path, "not a number\n");
	state(deps_name);
	unlink(path);
	state(deps_name);

	/* Its first dependency, held by it. */
	{
		struct kmod_module *m = module(deps_name);
		struct kmod_list *d = kmod_module_get_dependencies(m), *l;

		kmod_list_foreach(l, d) {
			struct kmod_module *dep = kmod_module_get_module(l);
			const char *dn = kmod_module_get_name(dep);

			snprintf(path, sizeof(path), "/sys/module/%s/holders/%s", dn, deps_name);
			sysfs_mkdir(path);
			snprintf(path, sizeof(path), "/sys/module/%s/refcnt", dn);
			sysfs_write(path, "1\n");
			state(dn);
			remove_module(dn, 0);
			remove_module(dn, KMOD_REMOVE_FORCE);
			snprintf(path, sizeof(path), "/sys/module/%s/holders/%s", dn, deps_name);
			rmdir(path);
			remove_module(dn, 0);
			remove_module(dn, KMOD_REMOVE_FORCE);
			state(dn);
			kmod_module_unref(dep);
		}
		kmod_module_unref_list(d);
		kmod_module_unref(m);
	}
	snprintf(path, sizeof(path), "/sys/module/%s/initstate", deps_name);
	sysfs_write(path, "coming\n");
	state(deps_name);
	probe(deps_name, 0, NULL);
	remove_module(deps_name, 0);
	sysfs_write(path, "going\n");
	state(deps_name);
	sysfs_write(path, "strange\n");
	state(deps_name);
	sysfs_write(path, "live\n");
	snprintf(path, sizeof(path), "/sys/module/%s/coresize", deps_name);
	unlink(path);
	state(deps_name);
	remove_module(deps_name, 0);
	state(deps_name);

	/* A builtin module: a /sys/module directory without initstate. */
	snprintf(path, sizeof(path), "/sys/module/%s", builtin_name);
	sysfs_mkdir(path);
	state(builtin_name);
	probe(builtin_name, 0, NULL);
	probe(builtin_name, KMOD_PROBE_FAIL_ON_LOADED, NULL);
	remove_module(builtin_name, 0);
	state("no_such_module");
}

static void flags(void)
{
	lk_printf("== probe flags\n");
	loaded();
	probe(deps_name, KMOD_PROBE_DRY_RUN, NULL);
	probe(deps_name, KMOD_PROBE_DRY_RUN | KMOD_PROBE_IGNORE_COMMAND, NULL);
	probe(deps_name, 0, NULL);
	probe(deps_name, 0, NULL);
	probe(deps_name, KMOD_PROBE_FAIL_ON_LOADED, NULL);
	probe(deps_name, KMOD_PROBE_IGNORE_LOADED, NULL);
	probe(deps_name, KMOD_PROBE_DRY_RUN | KMOD_PROBE_IGNORE_LOADED, NULL);
	state(deps_name);
	remove_module(deps_name, 0);
	remove_module(deps_name, 0);
	remove_module(deps_name, KMOD_REMOVE_NOLOG);

	probe(command_name, KMOD_PROBE_DRY_RUN, NULL);
	probe(command_name, 0, "extra=1");
	install_rc = -5;
	probe(command_name, 0, NULL);
	install_rc = 3;
	probe(command_name, 0, NULL);
	install_rc = 0;
	probe(command_name, KMOD_PROBE_IGNORE_COMMAND, "extra=1");
	probe(command_name, KMOD_PROBE_IGNORE_COMMAND | KMOD_PROBE_FAIL_ON_LOADED, NULL);
	remove_module(command_name, 0);

	probe(options_name, KMOD_PROBE_DRY_RUN, "more=2");
	probe(options_name, KMOD_PROBE_IGNORE_COMMAND, "more=2");
	remove_module(options_name, 0);

	probe(black_name, KMOD_PROBE_APPLY_BLACKLIST, NULL);
	probe(black_name, KMOD_PROBE_APPLY_BLACKLIST_ALL, NULL);
	probe(black_name, KMOD_PROBE_APPLY_BLACKLIST_ALIAS_ONLY, NULL);
	probe(black_alias, KMOD_PROBE_APPLY_BLACKLIST_ALIAS_ONLY | KMOD_PROBE_IGNORE_COMMAND, NULL);
	probe(black_alias, KMOD_PROBE_APPLY_BLACKLIST | KMOD_PROBE_IGNORE_COMMAND, NULL);
	probe(black_alias, KMOD_PROBE_IGNORE_COMMAND | KMOD_PROBE_DRY_RUN, NULL);
	probe(black_alias, KMOD_PROBE_DRY_RUN, NULL);
	/* A blacklisted dependency of a module: ALL applies it, the others do not. */
	probe(options_name, KMOD_PROBE_APPLY_BLACKLIST_ALL | KMOD_PROBE_DRY_RUN, NULL);
	probe(options_name, KMOD_PROBE_APPLY_BLACKLIST | KMOD_PROBE_DRY_RUN, NULL);

	probe(deps_name, KMOD_PROBE_FORCE_VERMAGIC | KMOD_PROBE_IGNORE_COMMAND, NULL);
	remove_module(deps_name, 0);
	probe(deps_name, KMOD_PROBE_FORCE_MODVERSION | KMOD_PROBE_IGNORE_COMMAND, NULL);
	remove_module(deps_name, 0);
	probe(deps_name, KMOD_PROBE_FORCE_VERMAGIC | KMOD_PROBE_FORCE_MODVERSION, NULL);
	remove_module(deps_name, 0);

	/* Without callbacks (no install command is run: IGNORE_COMMAND). */
	{
		struct kmod_module *m = module(deps_name);

		probe_module(m, deps_name, KMOD_PROBE_IGNORE_COMMAND, NULL, false);
		kmod_module_unref(m);
	}
	loaded();
}

static void insert_remove(void)
{
	struct kmod_list *list = NULL, *l;

	lk_printf("== insert and remove\n");
	insert_module(command_name, 0, NULL);
	insert_module(command_name, 0, NULL);
	remove_module(command_name, 0);
	insert_module(command_name, 0, "a=1 b=\"x y\"");
	remove_module(command_name, KMOD_REMOVE_FORCE);
	insert_module(command_name, KMOD_INSERT_FORCE_VERMAGIC, NULL);
	remove_module(command_name, KMOD_REMOVE_NOWAIT);
	insert_module(command_name, KMOD_INSERT_FORCE_MODVERSION, "c=3");
	remove_module(command_name, 0);
	insert_module(command_name, KMOD_INSERT_FORCE_VERMAGIC | KMOD_INSERT_FORCE_MODVERSION, NULL);
	remove_module(command_name, 0);
	insert_module("no_such_module", 0, NULL);
	remove_module("no_such_module", 0);
	remove_module("no_such_module", KMOD_REMOVE_NOLOG);

	/* Failures the kernel reports. */
	setenv("MT_SHIM_FAIL", "finit_module:ENOSYS", 1);
	insert_module(command_name, 0, NULL);
	remove_module(command_name, 0);
	setenv("MT_SHIM_FAIL", "finit_module:ENOEXEC", 1);
	insert_module(command_name, 0, NULL);
	setenv("MT_SHIM_FAIL", "finit_module:ENOSYS,init_module:EEXIST", 1);
	insert_module(command_name, 0, NULL);
	setenv("MT_SHIM_FAIL", "finit_module:EKEYREJECTED", 1);
	probe(command_name, KMOD_PROBE_IGNORE_COMMAND, NULL);
	setenv("MT_SHIM_FAIL", "finit_module:EPERM", 1);
	probe(deps_name, KMOD_PROBE_IGNORE_COMMAND, NULL);
	unsetenv("MT_SHIM_FAIL");
	insert_module(command_name, 0, NULL);
	setenv("MT_SHIM_FAIL", "delete_module:EBUSY", 1);
	remove_module(command_name, 0);
	setenv("MT_SHIM_FAIL", "delete_module:EAGAIN", 1);
	remove_module(command_name, 0);
	unsetenv("MT_SHIM_FAIL");
	remove_module(command_name, 0);

	/* Everything loaded, removed. */
	kmod_module_new_from_loaded(ctx, &list);
	kmod_list_foreach(l, list) {
		struct kmod_module *m = kmod_module_get_module(l);
		int rc = kmod_module_remove_module(m, 0);

		lk_printf("remove %s: %s\n", lk_s(kmod_module_get_name(m)), lk_rc(rc));
		kmod_module_unref(m);
	}
	kmod_module_unref_list(list);
	shim_log();
	loaded();
}

int main(int argc, char **argv)
{
	lk_options(argc, argv);
	if (lk.argc != 6)
		lk_die("usage: probe [-w WORK] DEPS COMMAND BLACK BLACKALIAS OPTIONS BUILTIN");
	deps_name = lk.argv[0];
	command_name = lk.argv[1];
	black_name = lk.argv[2];
	black_alias = lk.argv[3];
	options_name = lk.argv[4];
	builtin_name = lk.argv[5];
	/* The fake system's defaults: /lib/modules/`uname -r` and the
	 * configuration directories, all inside the shim's root. */
	ctx = kmod_new(NULL, NULL);
	if (!ctx)
		lk_die("kmod_new failed");
	kmod_set_log_fn(ctx, lk_log, NULL);
	lk_printf("dirname: %s\n", lk_s(kmod_get_dirname(ctx)));
	flags();
	insert_remove();
	fake_sysfs();
	kmod_unref(ctx);
	return 0;
}

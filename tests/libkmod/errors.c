/*
 * errors.c — return values on bad input: NULL arguments where kmod checks
 * them, bad module files (empty, not ELF, truncated), and corrupt indexes
 * (empty, bad magic, bad version, truncated, offsets out of range), made in
 * the work directory (-w).  Each case runs in a child process, so that a
 * crash shows as "killed by signal N" and the rest still runs.
 *
 * Left out because kmod 30 crashes, hangs or reads past the end of the
 * file on them (a replacement should do better, so the transcripts could
 * not agree): kmod_get_dirname(NULL) and kmod_config_iter_free_iter(NULL)
 * crash; an index cut short (after its header, or in the middle) makes
 * lookups loop forever; an index shorter than its header, or whose root
 * offset lies past its end, is read from beyond the end of the file.
 * With the operand "beyond-kmod" the program runs those cases instead, for
 * a library that does better: each must return.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "lk.h"

static struct kmod_ctx *ctx;
static struct kmod_module *mod;	/* a real module */

typedef void (*case_fn)(void);

static void run_case(const char *what, case_fn fn)
{
	pid_t pid;
	int status;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		lk_die("fork failed");
	if (pid == 0) {
		alarm(10);	/* a hang shows as SIGALRM */
		lk_printf("%s:", what);
		fn();
		lk_printf("\n");
		fflush(stdout);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		lk_die("waitpid failed");
	if (WIFSIGNALED(status))
		lk_printf("%s: killed by signal %d\n", what, WTERMSIG(status));
}

static void rc(long r)
{
	lk_printf(" %s", lk_rc(r));
}

static void ptr(const void *p)
{
	lk_printf(" %s", p ? "non-NULL" : "NULL");
}

#define INT_CASE(name, expr) static void name(void) { rc(expr); }
#define PTR_CASE(name, expr) static void name(void) { ptr(expr); }
#define VOID_CASE(name, expr) static void name(void) { expr; lk_printf(" done"); }

static struct kmod_module *m_out;
static struct kmod_list *l_out, *l_out2;

INT_CASE(c_log_priority, kmod_get_log_priority(NULL))
VOID_CASE(c_set_log_priority, kmod_set_log_priority(NULL, LOG_DEBUG))
PTR_CASE(c_ref, kmod_ref(NULL))
PTR_CASE(c_unref, kmod_unref(NULL))
PTR_CASE(c_get_userdata, kmod_get_userdata(NULL))
VOID_CASE(c_set_userdata, kmod_set_userdata(NULL, &m_out))
VOID_CASE(c_set_log_fn, kmod_set_log_fn(NULL, lk_log, NULL))
INT_CASE(c_load, kmod_load_resources(NULL))
VOID_CASE(c_unload, kmod_unload_resources(NULL))
INT_CASE(c_validate, kmod_validate_resources(NULL))
INT_CASE(c_dump_null, kmod_dump_index(NULL, KMOD_INDEX_MODULES_DEP, 1))
PTR_CASE(c_list_next, kmod_list_next(NULL, NULL))
PTR_CASE(c_list_prev, kmod_list_prev(NULL, NULL))
PTR_CASE(c_list_last, kmod_list_last(NULL))
PTR_CASE(c_blacklists, kmod_config_get_blacklists(NULL))
PTR_CASE(c_install, kmod_config_get_install_commands(NULL))
PTR_CASE(c_remove, kmod_config_get_remove_commands(NULL))
PTR_CASE(c_aliases, kmod_config_get_aliases(NULL))
PTR_CASE(c_options, kmod_config_get_options(NULL))
PTR_CASE(c_softdeps, kmod_config_get_softdeps(NULL))
PTR_CASE(c_iter_key, kmod_config_iter_get_key(NULL))
PTR_CASE(c_iter_value, kmod_config_iter_get_value(NULL))
INT_CASE(c_iter_next, kmod_config_iter_next(NULL))
INT_CASE(c_name_nullctx, kmod_module_new_from_name(NULL, "ext4", &m_out))
INT_CASE(c_name_null, kmod_module_new_from_name(ctx, NULL, &m_out))
INT_CASE(c_name_nullout, kmod_module_new_from_name(ctx, "ext4", NULL))
INT_CASE(c_path_nullctx, kmod_module_new_from_path(NULL, "/x.ko", &m_out))
INT_CASE(c_path_null, kmod_module_new_from_path(ctx, NULL, &m_out))
INT_CASE(c_path_nullout, kmod_module_new_from_path(ctx, "/x.ko", NULL))
INT_CASE(c_lookup_nullctx, kmod_module_new_from_lookup(NULL, "ext4", &l_out))
INT_CASE(c_lookup_null, kmod_module_new_from_lookup(ctx, NULL, &l_out))
INT_CASE(c_lookup_nullout, kmod_module_new_from_lookup(ctx, "ext4", NULL))
INT_CASE(c_nlookup_nullctx, kmod_module_new_from_name_lookup(NULL, "ext4", &m_out))
INT_CASE(c_nlookup_null, kmod_module_new_from_name_lookup(ctx, NULL, &m_out))
INT_CASE(c_nlookup_nullout, kmod_module_new_from_name_lookup(ctx, "ext4", NULL))
INT_CASE(c_loaded_nullctx, kmod_module_new_from_loaded(NULL, &l_out))
INT_CASE(c_loaded_nullout, kmod_module_new_from_loaded(ctx, NULL))
PTR_CASE(c_mod_ref, kmod_module_ref(NULL))
PTR_CASE(c_mod_unref, kmod_module_unref(NULL))
INT_CASE(c_unref_list, kmod_module_unref_list(NULL))
PTR_CASE(c_get_module, kmod_module_get_module(NULL))
INT_CASE(c_remove_mod, kmod_module_remove_module(NULL, 0))
INT_CASE(c_insert_mod, kmod_module_insert_module(NULL, 0, NULL))
INT_CASE(c_probe, kmod_module_probe_insert_module(NULL, 0, NULL, NULL, NULL, NULL))
PTR_CASE(c_get_name, kmod_module_get_name(NULL))
PTR_CASE(c_get_path, kmod_module_get_path(NULL))
PTR_CASE(c_get_options, kmod_module_get_options(NULL))
PTR_CASE(c_get_install, kmod_module_get_install_commands(NULL))
PTR_CASE(c_get_remove, kmod_module_get_remove_commands(NULL))
PTR_CASE(c_get_deps, kmod_module_get_dependencies(NULL))
INT_CASE(c_softdeps_null, kmod_module_get_softdeps(NULL, &l_out, &l_out2))
INT_CASE(c_softdeps_nullpre, kmod_module_get_softdeps(mod, NULL, &l_out2))
INT_CASE(c_softdeps_nullpost, kmod_module_get_softdeps(mod, &l_out, NULL))
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
INT_CASE(c_fb_nullctx, kmod_module_get_filtered_blacklist(NULL, NULL, &l_out))
INT_CASE(c_fb_nullin, kmod_module_get_filtered_blacklist(ctx, NULL, &l_out))
INT_CASE(c_fb_nullout, kmod_module_get_filtered_blacklist(ctx, NULL, NULL))
#pragma GCC diagnostic pop
INT_CASE(c_af_nullctx, kmod_module_apply_filter(NULL, KMOD_FILTER_BLACKLIST, NULL, &l_out))
INT_CASE(c_af_nullin, kmod_module_apply_filter(ctx, KMOD_FILTER_BLACKLIST, NULL, &l_out))
INT_CASE(c_af_nullout, kmod_module_apply_filter(ctx, KMOD_FILTER_BLACKLIST, NULL, NULL))
INT_CASE(c_initstate, kmod_module_get_initstate(NULL))
INT_CASE(c_refcnt, kmod_module_get_refcnt(NULL))
PTR_CASE(c_holders, kmod_module_get_holders(NULL))
PTR_CASE(c_sections, kmod_module_get_sections(NULL))
PTR_CASE(c_section_name, kmod_module_section_get_name(NULL))
static void c_section_address(void)
{
	lk_printf(" %s", kmod_module_section_get_address(NULL) == (unsigned long)-1 ?
		  "ULONG_MAX" : "another value");
}
VOID_CASE(c_section_free, kmod_module_section_free_list(NULL))
INT_CASE(c_size, kmod_module_get_size(NULL))
INT_CASE(c_info_null, kmod_module_get_info(NULL, &l_out))
INT_CASE(c_info_nullout, kmod_module_get_info(mod, NULL))
PTR_CASE(c_info_key, kmod_module_info_get_key(NULL))
PTR_CASE(c_info_value, kmod_module_info_get_value(NULL))
VOID_CASE(c_info_free, kmod_module_info_free_list(NULL))
INT_CASE(c_versions_null, kmod_module_get_versions(NULL, &l_out))
INT_CASE(c_versions_nullout, kmod_module_get_versions(mod, NULL))
PTR_CASE(c_version_symbol, kmod_module_version_get_symbol(NULL))
INT_CASE(c_version_crc, (long)kmod_module_version_get_crc(NULL))
VOID_CASE(c_versions_free, kmod_module_versions_free_list(NULL))
INT_CASE(c_symbols_null, kmod_module_get_symbols(NULL, &l_out))
INT_CASE(c_symbols_nullout, kmod_module_get_symbols(mod, NULL))
PTR_CASE(c_symbol_symbol, kmod_module_symbol_get_symbol(NULL))
INT_CASE(c_symbol_crc, (long)kmod_module_symbol_get_crc(NULL))
VOID_CASE(c_symbols_free, kmod_module_symbols_free_list(NULL))
INT_CASE(c_depsyms_null, kmod_module_get_dependency_symbols(NULL, &l_out))
INT_CASE(c_depsyms_nullout, kmod_module_get_dependency_symbols(mod, NULL))
PTR_CASE(c_depsym_symbol, kmod_module_dependency_symbol_get_symbol(NULL))
INT_CASE(c_depsym_bind, kmod_module_dependency_symbol_get_bind(NULL))
INT_CASE(c_depsym_crc, (long)kmod_module_dependency_symbol_get_crc(NULL))
VOID_CASE(c_depsyms_free, kmod_module_dependency_symbols_free_list(NULL))

static const struct {
	const char *what;
	case_fn fn;
} null_cases[] = {
#define C(fn, what) { what, fn }
	C(c_log_priority, "kmod_get_log_priority(NULL)"),
	C(c_set_log_priority, "kmod_set_log_priority(NULL, LOG_DEBUG)"),
	C(c_ref, "kmod_ref(NULL)"),
	C(c_unref, "kmod_unref(NULL)"),
	C(c_get_userdata, "kmod_get_userdata(NULL)"),
	C(c_set_userdata, "kmod_set_userdata(NULL, p)"),
	C(c_set_log_fn, "kmod_set_log_fn(NULL, fn, NULL)"),
	C(c_load, "kmod_load_resources(NULL)"),
	C(c_unload, "kmod_unload_resources(NULL)"),
	C(c_validate, "kmod_validate_resources(NULL)"),
	C(c_dump_null, "kmod_dump_index(NULL, DEP, 1)"),
	C(c_list_next, "kmod_list_next(NULL, NULL)"),
	C(c_list_prev, "kmod_list_prev(NULL, NULL)"),
	C(c_list_last, "kmod_list_last(NULL)"),
	C(c_blacklists, "kmod_config_get_blacklists(NULL)"),
	C(c_install, "kmod_config_get_install_commands(NULL)"),
	C(c_remove, "kmod_config_get_remove_commands(NULL)"),
	C(c_aliases, "kmod_config_get_aliases(NULL)"),
	C(c_options, "kmod_config_get_options(NULL)"),
	C(c_softdeps, "kmod_config_get_softdeps(NULL)"),
	C(c_iter_key, "kmod_config_iter_get_key(NULL)"),
	C(c_iter_value, "kmod_config_iter_get_value(NULL)"),
	C(c_iter_next, "kmod_config_iter_next(NULL)"),
	C(c_name_nullctx, "kmod_module_new_from_name(NULL, name, &mod)"),
	C(c_name_null, "kmod_module_new_from_name(ctx, NULL, &mod)"),
	C(c_name_nullout, "kmod_module_new_from_name(ctx, name, NULL)"),
	C(c_path_nullctx, "kmod_module_new_from_path(NULL, path, &mod)"),
	C(c_path_null, "kmod_module_new_from_path(ctx, NULL, &mod)"),
	C(c_path_nullout, "kmod_module_new_from_path(ctx, path, NULL)"),
	C(c_lookup_nullctx, "kmod_module_new_from_lookup(NULL, name, &list)"),
	C(c_lookup_null, "kmod_module_new_from_lookup(ctx, NULL, &list)"),
	C(c_lookup_nullout, "kmod_module_new_from_lookup(ctx, name, NULL)"),
	C(c_nlookup_nullctx, "kmod_module_new_from_name_lookup(NULL, name, &mod)"),
	C(c_nlookup_null, "kmod_module_new_from_name_lookup(ctx, NULL, &mod)"),
	C(c_nlookup_nullout, "kmod_module_new_from_name_lookup(ctx, name, NULL)"),
	C(c_loaded_nullctx, "kmod_module_new_from_loaded(NULL, &list)"),
	C(c_loaded_nullout, "kmod_module_new_from_loaded(ctx, NULL)"),
	C(c_mod_ref, "kmod_module_ref(NULL)"),
	C(c_mod_unref, "kmod_module_unref(NULL)"),
	C(c_unref_list, "kmod_module_unref_list(NULL)"),
	C(c_get_module, "kmod_module_get_module(NULL)"),
	C(c_remove_mod, "kmod_module_remove_module(NULL, 0)"),
	C(c_insert_mod, "kmod_module_insert_module(NULL, 0, NULL)"),
	C(c_probe, "kmod_module_probe_insert_module(NULL, ...)"),
	C(c_get_name, "kmod_module_get_name(NULL)"),
	C(c_get_path, "kmod_module_get_path(NULL)"),
	C(c_get_options, "kmod_module_get_options(NULL)"),
	C(c_get_install, "kmod_module_get_install_commands(NULL)"),
	C(c_get_remove, "kmod_module_get_remove_commands(NULL)"),
	C(c_get_deps, "kmod_module_get_dependencies(NULL)"),
	C(c_softdeps_null, "kmod_module_get_softdeps(NULL, &pre, &post)"),
	C(c_softdeps_nullpre, "kmod_module_get_softdeps(mod, NULL, &post)"),
	C(c_softdeps_nullpost, "kmod_module_get_softdeps(mod, &pre, NULL)"),
	C(c_fb_nullctx, "kmod_module_get_filtered_blacklist(NULL, NULL, &out)"),
	C(c_fb_nullin, "kmod_module_get_filtered_blacklist(ctx, NULL, &out)"),
	C(c_fb_nullout, "kmod_module_get_filtered_blacklist(ctx, NULL, NULL)"),
	C(c_af_nullctx, "kmod_module_apply_filter(NULL, BLACKLIST, NULL, &out)"),
	C(c_af_nullin, "kmod_module_apply_filter(ctx, BLACKLIST, NULL, &out)"),
	C(c_af_nullout, "kmod_module_apply_filter(ctx, BLACKLIST, NULL, NULL)"),
	C(c_initstate, "kmod_module_get_initstate(NULL)"),
	C(c_refcnt, "kmod_module_get_refcnt(NULL)"),
	C(c_holders, "kmod_module_get_holders(NULL)"),
	C(c_sections, "kmod_module_get_sections(NULL)"),
	C(c_section_name, "kmod_module_section_get_name(NULL)"),
	C(c_section_address, "kmod_module_section_get_address(NULL)"),
	C(c_section_free, "kmod_module_section_free_list(NULL)"),
	C(c_size, "kmod_module_get_size(NULL)"),
	C(c_info_null, "kmod_module_get_info(NULL, &list)"),
	C(c_info_nullout, "kmod_module_get_info(mod, NULL)"),
	C(c_info_key, "kmod_module_info_get_key(NULL)"),
	C(c_info_value, "kmod_module_info_get_value(NULL)"),
	C(c_info_free, "kmod_module_info_free_list(NULL)"),
	C(c_versions_null, "kmod_module_get_versions(NULL, &list)"),
	C(c_versions_nullout, "kmod_module_get_versions(mod, NULL)"),
	C(c_version_symbol, "kmod_module_version_get_symbol(NULL)"),
	C(c_version_crc, "kmod_module_version_get_crc(NULL)"),
	C(c_versions_free, "kmod_module_versions_free_list(NULL)"),
	C(c_symbols_null, "kmod_module_get_symbols(NULL, &list)"),
	C(c_symbols_nullout, "kmod_module_get_symbols(mod, NULL)"),
	C(c_symbol_symbol, "kmod_module_symbol_get_symbol(NULL)"),
	C(c_symbol_crc, "kmod_module_symbol_get_crc(NULL)"),
	C(c_symbols_free, "kmod_module_symbols_free_list(NULL)"),
	C(c_depsyms_null, "kmod_module_get_dependency_symbols(NULL, &list)"),
	C(c_depsyms_nullout, "kmod_module_get_dependency_symbols(mod, NULL)"),
	C(c_depsym_symbol, "kmod_module_dependency_symbol_get_symbol(NULL)"),
	C(c_depsym_bind, "kmod_module_dependency_symbol_get_bind(NULL)"),
	C(c_depsym_crc, "kmod_module_dependency_symbol_get_crc(NULL)"),
	C(c_depsyms_free, "kmod_module_dependency_symbols_free_list(NULL)"),
#undef C
};

/* ---- bad module files -------------------------------------------------- */

static const char *bad_path;

static void c_bad_file(void)
{
	struct kmod_module *m = NULL;
	struct kmod_list *list = NULL;
	int r = kmod_module_new_from_path(ctx, bad_path, &m);

	lk_printf(" new_from_path %s", lk_rc(r));
	if (!m)
		return;
	lk_printf(" name %s", lk_s(kmod_module_get_name(m)));
	r = kmod_module_get_info(m, &list);
	lk_printf(" info %s", lk_rc(r));
	kmod_module_info_free_list(list);
	list = NULL;
	r = kmod_module_get_versions(m, &list);
	lk_printf(" versions %s", lk_rc(r));
	kmod_module_versions_free_list(list);
	list = NULL;
	r = kmod_module_get_symbols(m, &list);
	lk_printf(" symbols %s", lk_rc(r));
	kmod_module_symbols_free_list(list);
	list = NULL;
	r = kmod_module_get_dependency_symbols(m, &list);
	lk_printf(" dependency symbols %s", lk_rc(r));
	kmod_module_dependency_symbols_free_list(list);
	kmod_module_unref(m);
}

static char *read_file(const char *path, size_t *size)
{
	FILE *fp = fopen(path, "rb");
	char *data = NULL;
	size_t cap = 0, n;

	*size = 0;
	if (!fp)
		lk_die("cannot read a file to corrupt");
	do {
		if (*size == cap) {
			cap = cap ? cap * 2 : 1 << 20;
			data = realloc(data, cap);
			if (!data)
				lk_die("out of memory");
		}
		n = fread(data + *size, 1, cap - *size, fp);
		*size += n;
	} while (n > 0);
	fclose(fp);
	return data;
}

static void write_bytes(const char *path, const void *data, size_t size)
{
	FILE *fp = fopen(path, "wb");

	if (!fp || fwrite(data, 1, size, fp) != size || fclose(fp) != 0)
		lk_die("cannot write a work file");
}

static void bad_files(void)
{
	char real[4096], name[64];
	char **rel;
	size_t count, size;
	char *data;
	static const size_t cuts[] = { 4, 16, 63, 64, 65, 1000, 4096 };

	rel = lk_modules_dep(&count);
	if (!count)
		lk_die("modules.dep is empty");
	snprintf(real, sizeof(real), "%s/%s", lk_s(lk.tree), lk_s(rel[0]));
	lk_free_lines(rel);
	data = read_file(real, &size);

	write_bytes(lk_path("empty.ko"), "", 0);
	write_bytes(lk_path("text.ko"), "not a module\n", 13);
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		if (cuts[i] >= size)
			continue;
		snprintf(name, sizeof(name), "cut-%zu.ko", cuts[i]);
		write_bytes(lk_path(name), data, cuts[i]);
	}
	snprintf(name, sizeof(name), "cut-half.ko");
	write_bytes(lk_path(name), data, size / 2);
	/* The ELF class byte of a 64-bit module changed to 32-bit. */
	data[4] = 1;
	write_bytes(lk_path("class32.ko"), data, size);
	data[4] = 2;
	data[5] = 2;	/* big-endian */
	write_bytes(lk_path("bigendian.ko"), data, size);
	free(data);

	static const char *const files[] = {
		"empty.ko", "text.ko", "cut-4.ko", "cut-16.ko", "cut-63.ko", "cut-64.ko",
		"cut-65.ko", "cut-1000.ko", "cut-4096.ko", "cut-half.ko", "class32.ko",
		"bigendian.ko", "nonexistent.ko", ".",
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char what[256];

		bad_path = lk_path(files[i]);
		snprintf(what, sizeof(what), "module file %s", files[i]);
		run_case(what, c_bad_file);
	}
}

/* ---- corrupt indexes ----------------------------------------------------- */

static const char *bad_dir;

static void c_bad_index(void)
{
	struct kmod_ctx *c = lk_new(bad_dir, NULL);
	struct kmod_list *list = NULL;
	struct kmod_module *m = NULL;
	int r;
	int fd = open("/dev/null", O_WRONLY);

	if (!c) {
		lk_printf(" kmod_new NULL");
		return;
	}
	r = kmod_module_new_from_lookup(c, "ext4", &list);
	lk_printf(" lookup %s", lk_rc(r));
	kmod_module_unref_list(list);
	list = NULL;
	r = kmod_module_new_from_lookup(c, "pci:v00008086d00001234sv0sd0bc0sc0i0", &list);
	lk_printf(" lookup modalias %s", lk_rc(r));
	kmod_module_unref_list(list);
	r = kmod_module_new_from_name_lookup(c, "ext4", &m);
	lk_printf(" name lookup %s", lk_rc(r));
	kmod_module_unref(m);
	m = NULL;
	r = kmod_module_new_from_name(c, "ext4", &m);
	lk_printf(" path %s", m ? lk_s(kmod_module_get_path(m)) : "-");
	kmod_module_unref(m);
	for (int t = KMOD_INDEX_MODULES_DEP; t <= KMOD_INDEX_MODULES_BUILTIN; t++) {
		r = kmod_dump_index(c, (enum kmod_index)t, fd);
		lk_printf(" dump%d %s", t, lk_rc(r));
	}
	r = kmod_load_resources(c);
	lk_printf(" load %s", lk_rc(r));
	close(fd);
	kmod_unref(c);
}

static void put32(char *p, uint32_t v)
{
	p[0] = (char)(v >> 24);
	p[1] = (char)(v >> 16);
	p[2] = (char)(v >> 8);
	p[3] = (char)v;
}

static void bad_indexes(void)
{
	static const char *const files[] = {
		"modules.dep.bin", "modules.alias.bin", "modules.symbols.bin",
		"modules.builtin.bin", "modules.builtin.alias.bin",
	};
	char src[4096], what[256];

	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		static const char *const kinds[] = { "empty", "magic", "version" };
		size_t size;
		char *data;

		snprintf(src, sizeof(src), "%s/%s", lk.tree, files[f]);
		if (access(src, R_OK) != 0)
			continue;
		data = read_file(src, &size);
		for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
			char dir[4096], path[4096 + 64], *copy = malloc(size + 1);
			size_t n = size;

			if (!copy)
				lk_die("out of memory");
			memcpy(copy, data, size);
			if (strcmp(kinds[k], "empty") == 0)
				n = 0;
			else if (strcmp(kinds[k], "magic") == 0)
				copy[0] ^= 0x55;
			else if (strcmp(kinds[k], "version") == 0)
				put32(copy + 4, 0x00030001);
			snprintf(dir, sizeof(dir), "%s", lk_path("idx"));
			mkdir(dir, 0755);
			for (size_t g = 0; g < sizeof(files) / sizeof(files[0]); g++) {
				snprintf(path, sizeof(path), "%s/%s", dir, files[g]);
				unlink(path);
			}
			snprintf(path, sizeof(path), "%s/%s", dir, files[f]);
			write_bytes(path, copy, n);
			free(copy);
			bad_dir = dir;
			snprintf(what, sizeof(what), "index %s %s", files[f], kinds[k]);
			run_case(what, c_bad_index);
		}
		free(data);
	}
}

/* ---- what kmod 30 does not survive ------------------------------------------- */

PTR_CASE(c_get_dirname, kmod_get_dirname(NULL))
VOID_CASE(c_iter_free, kmod_config_iter_free_iter(NULL))

enum { CUT_HALF = -1, CUT_LAST_BYTE = -2, CUT_NONE = -3 };

/* Copies of every index, each cut at `cut` bytes (or CUT_*), alone in a
 * directory, then looked up and dumped. */
static void cut_indexes(const char *label, long cut, bool root_past_end)
{
	static const char *const files[] = {
		"modules.dep.bin", "modules.alias.bin", "modules.symbols.bin",
		"modules.builtin.bin", "modules.builtin.alias.bin",
	};
	char src[4096], dir[4096], path[4096 + 64], what[256];

	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		size_t size, n;
		char *data;

		snprintf(src, sizeof(src), "%s/%s", lk.tree, files[f]);
		if (access(src, R_OK) != 0)
			continue;
		data = read_file(src, &size);
		n = cut == CUT_HALF ? size / 2 : cut == CUT_LAST_BYTE ? size - 1 :
		    cut == CUT_NONE || (size_t)cut > size ? size : (size_t)cut;
		if (root_past_end && size >= 12)
			put32(data + 8, (uint32_t)size + 4096);
		snprintf(dir, sizeof(dir), "%s", lk_path("cut"));
		mkdir(dir, 0755);
		for (size_t g = 0; g < sizeof(files) / sizeof(files[0]); g++) {
			snprintf(path, sizeof(path), "%s/%s", dir, files[g]);
			unlink(path);
		}
		snprintf(path, sizeof(path), "%s/%s", dir, files[f]);
		write_bytes(path, data, n);
		free(data);
		bad_dir = dir;
		snprintf(what, sizeof(what), "index %s %s", files[f], label);
		run_case(what, c_bad_index);
	}
}

static void beyond_kmod(void)
{
	lk_printf("== what kmod 30 does not survive\n");
	run_case("kmod_get_dirname(NULL)", c_get_dirname);
	run_case("kmod_config_iter_free_iter(NULL)", c_iter_free);
	cut_indexes("shorter than its header", 7, false);
	cut_indexes("cut after its header", 12, false);
	cut_indexes("cut in the middle", CUT_HALF, false);
	cut_indexes("without its last byte", CUT_LAST_BYTE, false);
	cut_indexes("with its root past the end", CUT_NONE, true);
}

int main(int argc, char **argv)
{
	lk_options(argc, argv);
	ctx = lk_ctx();
	if (lk.argc == 1 && strcmp(lk.argv[0], "beyond-kmod") == 0) {
		beyond_kmod();
		kmod_unref(ctx);
		return 0;
	}
	if (kmod_module_new_from_name(ctx, "ext4", &mod) < 0)
		lk_die("kmod_module_new_from_name failed");
	lk_printf("== NULL arguments\n");
	for (size_t i = 0; i < sizeof(null_cases) / sizeof(null_cases[0]); i++)
		run_case(null_cases[i].what, null_cases[i].fn);
	lk_printf("== bad module files\n");
	bad_files();
	lk_printf("== corrupt indexes\n");
	bad_indexes();
	kmod_module_unref(mod);
	kmod_unref(ctx);
	return 0;
}

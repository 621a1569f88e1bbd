/*
 * fuzz-depmod.c — fuzz target of depmod over a small module directory made
 * from the input, whose outputs are then read back: every binary index is
 * opened and dumped, modules.dep.bin must give each line of modules.dep
 * under its module's name, and modules.devname is read.
 *
 * The input is parts separated by PART_SEPARATOR, each a file (a part not
 * given, or an empty module part: no file):
 *   0  options: words "-e" (check symbols), "-w" (warn about duplicates),
 *      "post" (kmod 30's layout), "map" (part 7 is a System.map rather than
 *      a Module.symvers), "-PC" (symbol prefix C), "files" (the modules as
 *      an explicit list, no configuration), "-n" (text outputs to
 *      /dev/null, nothing written), "-v" (edges to /dev/null)
 *   1  kernel/a.ko    2  kernel/sub/b.ko    3  updates/a.ko
 *      (".ko.gz", ".ko.xz" or ".ko.zst" when the part has that magic)
 *   4  modules.order    5  modules.builtin    6  modules.builtin.modinfo
 *   7  Module.symvers or System.map    8  a depmod.d file
 */
#include "fuzz.h"

#define PART_SEPARATOR "\n%%\n"
#define NPARTS 9
#define RELEASE "6.1.0-fuzz"

struct part {
	const uint8_t *data;
	size_t size;
};

/* Split the input; *n is the number of parts given. */
static void split(const uint8_t *data, size_t size, struct part *parts, int *n)
{
	size_t sep_len = strlen(PART_SEPARATOR);
	const uint8_t *p = data, *end = data + size;

	for (*n = 0; *n < NPARTS; (*n)++) {
		const uint8_t *sep = memmem(p, (size_t)(end - p), PART_SEPARATOR, sep_len);

		parts[*n] = (struct part){ p, (size_t)((sep ? sep : end) - p) };
		if (!sep) {
			(*n)++;
			break;
		}
		p = sep + sep_len;
	}
}

static bool has_word(const struct part *options, const char *word)
{
	size_t len = strlen(word);

	for (size_t i = 0; i + len <= options->size; i++) {
		if (memcmp(options->data + i, word, len) == 0 &&
		    (i == 0 || options->data[i - 1] == ' ') &&
		    (i + len == options->size || options->data[i + len] == ' ' ||
		     options->data[i + len] == '\n'))
			return true;
	}
	return false;
}

/* -PC: the character after "-P". */
static char symbol_prefix(const struct part *options)
{
	for (size_t i = 0; i + 2 < options->size; i++) {
		if (memcmp(options->data + i, "-P", 2) == 0 && (i == 0 || options->data[i - 1] == ' '))
			return (char)options->data[i + 2];
	}
	return '\0';
}

static const char *module_suffix(const struct part *m)
{
	static const struct {
		const char *magic, *suffix;
		size_t len;
	} formats[] = {
		{ "\x1f\x8b", ".ko.gz", 2 },
		{ "\xfd" "7zXZ", ".ko.xz", 5 },
		{ "\x28\xb5\x2f\xfd", ".ko.zst", 4 },
	};

	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (m->size >= formats[i].len && memcmp(m->data, formats[i].magic, formats[i].len) == 0)
			return formats[i].suffix;
	return ".ko";
}

/* Read back D/NAME.bin: dump it, look the module names up. */
static void read_index(const char *dir, const char *name)
{
	char path[PATH_MAX], *value;
	struct mt_index_value *values;
	struct mt_index *idx;
	int n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (mt_index_open(path, &idx) < 0)
		return;
	mt_index_dump(idx, fuzz_null(), "");
	value = mt_index_lookup(idx, "a");
	fuzz_use_str(value);
	free(value);
	n = mt_index_lookup_wild(idx, "b", &values);
	if (n >= 0)
		mt_index_values_free(values, n);
	mt_index_close(idx);
}

/* Each line of modules.dep is the value of its module in modules.dep.bin. */
static void check_dep_bin(const char *dir)
{
	char path[PATH_MAX], name[256], *line = NULL, *value;
	struct mt_index *idx;
	size_t cap = 0;
	ssize_t len;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/modules.dep", dir);
	fp = fopen(path, "re");
	if (!fp)
		return;
	snprintf(path, sizeof(path), "%s/modules.dep.bin", dir);
	if (mt_index_open(path, &idx) < 0) {
		fprintf(stderr, "fuzz-depmod: %s\n", mt_last_error());
		abort();
	}
	while ((len = getline(&line, &cap, fp)) > 0) {
		char *colon = strchr(line, ':');

		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		if (!colon)
			continue;
		*colon = '\0';
		if (mt_modname_normalize(line, name, sizeof(name)) < 0)
			continue;
		*colon = ':';
		value = mt_index_lookup(idx, name);
		if (!value || strcmp(value, line) != 0) {
			fprintf(stderr, "fuzz-depmod: modules.dep.bin has '%s' for '%s', "
				"modules.dep has '%s'\n", value ? value : "(nothing)", name, line);
			abort();
		}
		free(value);
	}
	free(line);
	fclose(fp);
	mt_index_close(idx);
}

static void read_outputs(const char *dir)
{
	static const char *const indexes[] = { "modules.dep.bin", "modules.alias.bin",
		"modules.symbols.bin", "modules.builtin.bin", "modules.builtin.alias.bin" };
	struct mt_devname *devnames;
	char path[PATH_MAX];
	int n, bad;

	for (size_t i = 0; i < sizeof(indexes) / sizeof(indexes[0]); i++)
		read_index(dir, indexes[i]);
	check_dep_bin(dir);
	snprintf(path, sizeof(path), "%s/modules.devname", dir);
	n = mt_devnames_read(fuzz_ctx(), path, &devnames, &bad);
	if (n >= 0)
		mt_devnames_free(devnames, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const module_paths[] = { "kernel/a", "kernel/sub/b", "updates/a" };
	static const char *const dir_files[] = { "modules.order", "modules.builtin",
						 "modules.builtin.modinfo" };
	/* The scratch directory's name is short: these hold its paths. */
	char root[128], dir[256], path[PATH_MAX], kernel_symbols[128], config_dir[128];
	char files[3][PATH_MAX];
	const char *file_list[3], *config_paths[2] = { config_dir, NULL };
	struct mt_depmod_options opts = { .version = RELEASE, .threads = 1 };
	struct part parts[NPARTS], none = { NULL, 0 };
	const struct part *options = &none;
	int nparts;
	size_t nfiles = 0;

	fuzz_clear_dir();
	split(data, size, parts, &nparts);
	if (nparts > 0)
		options = &parts[0];
	fuzz_path(root, sizeof(root), "root");
	snprintf(dir, sizeof(dir), "%s/lib/modules/" RELEASE, root);
	fuzz_path(config_dir, sizeof(config_dir), "depmod.d");
	fuzz_path(kernel_symbols, sizeof(kernel_symbols), "kernel-symbols");
	if (mkdir(config_dir, 0755) < 0)
		fuzz_die(config_dir);
	fuzz_make_parents(dir);
	if (mkdir(dir, 0755) < 0)
		fuzz_die(dir);

	for (int i = 1; i <= 3 && i < nparts; i++) {
		if (parts[i].size == 0)
			continue;
		snprintf(files[nfiles], sizeof(files[nfiles]), "%s/%s%s", dir, module_paths[i - 1],
			 module_suffix(&parts[i]));
		fuzz_write(files[nfiles], parts[i].data, parts[i].size);
		file_list[nfiles] = files[nfiles];
		nfiles++;
	}
	for (int i = 4; i <= 6 && i < nparts; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, dir_files[i - 4]);
		fuzz_write(path, parts[i].data, parts[i].size);
	}
	if (nparts > 7) {
		fuzz_write(kernel_symbols, parts[7].data, parts[7].size);
		if (has_word(options, "map"))
			opts.system_map = kernel_symbols;
		else
			opts.symvers = kernel_symbols;
	}
	if (nparts > 8) {
		snprintf(path, sizeof(path), "%s/fuzz.conf", config_dir);
		fuzz_write(path, parts[8].data, parts[8].size);
	}

	opts.basedir = root;
	opts.config_paths = config_paths;
	if (has_word(options, "files")) {
		opts.files = file_list;
		opts.n_files = nfiles;
	}
	opts.check_symbols = has_word(options, "-e");
	opts.warn_duplicates = has_word(options, "-w");
	opts.layout = has_word(options, "post") ? MT_INDEX_LAYOUT_POSTORDER
						: MT_INDEX_LAYOUT_PREORDER;
	opts.symbol_prefix = symbol_prefix(options);
	if (has_word(options, "-n"))
		opts.show = fuzz_null();
	if (has_word(options, "-v"))
		opts.edges = fuzz_null();

	if (mt_depmod_run(fuzz_ctx(), &opts) == 0 && !opts.show)
		read_outputs(dir);
	return 0;
}

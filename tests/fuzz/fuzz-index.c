/*
 * fuzz-index.c — fuzz target of the readers of a module directory's
 * generated files, each given the input as its file: the binary index
 * (open, dump, then exact and wildcard lookups of the keys the dump showed
 * and of strings found in the input), modules.devname, and
 * modules.builtin.modinfo (looked up by the module names its records start
 * with).
 */
#include "fuzz.h"

#define MAX_KEYS 24
#define MAX_KEY_LEN 256

struct keys {
	char *key[MAX_KEYS];
	int n;
};

static void add_key(struct keys *k, const char *s, size_t len)
{
	if (k->n == MAX_KEYS || len > MAX_KEY_LEN)
		return;
	k->key[k->n] = strndup(s, len);
	if (!k->key[k->n])
		fuzz_die("strndup");
	k->n++;
}

/* Keys of the dump's "KEY VALUE" lines (a key holding a space or newline
 * is cut there: still a key to look up). */
static void keys_of_dump(struct keys *k, const char *dump, size_t size)
{
	for (const char *p = dump, *end = dump + size; p < end; ) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *line_end = nl ? nl : end;
		const char *sp = memchr(p, ' ', (size_t)(line_end - p));

		add_key(k, p, (size_t)((sp ? sp : line_end) - p));
		p = line_end + 1;
	}
}

/* Printable runs of the input, as the prefixes of its nodes are. */
static void keys_of_input(struct keys *k, const uint8_t *data, size_t size)
{
	size_t start = 0;

	for (size_t i = 0; i <= size; i++) {
		if (i < size && data[i] >= 0x20 && data[i] < 0x7f)
			continue;
		if (i - start >= 1)
			add_key(k, (const char *)data + start, i - start);
		start = i + 1;
	}
}

static void use_index(const char *path, const uint8_t *data, size_t size)
{
	static const char *const fixed[] = { "", "a", "*", "pci:v00008086d00001234sv*",
					     "symbol:printk" };
	struct mt_index_value *values;
	struct mt_index *idx;
	struct keys k = { .n = 0 };
	char *dump = NULL, *value;
	size_t dump_size = 0;
	FILE *mem;
	int n;

	if (mt_index_open(path, &idx) < 0)
		return;
	mem = open_memstream(&dump, &dump_size);
	if (!mem)
		fuzz_die("open_memstream");
	mt_index_dump(idx, mem, "prefix ");
	if (fclose(mem) != 0)
		fuzz_die("fclose");
	keys_of_dump(&k, dump, dump_size);
	free(dump);
	keys_of_input(&k, data, size);
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		add_key(&k, fixed[i], strlen(fixed[i]));

	for (int i = 0; i < k.n; i++) {
		value = mt_index_lookup(idx, k.key[i]);
		fuzz_use_str(value);
		free(value);
		n = mt_index_lookup_wild(idx, k.key[i], &values);
		for (int j = 0; j < n; j++)
			fuzz_use_str(values[j].value);
		if (n >= 0)
			mt_index_values_free(values, n);
		free(k.key[i]);
	}
	mt_index_close(idx);
}

static void use_devnames(const char *path)
{
	struct mt_devname *list;
	int bad, n = mt_devnames_read(fuzz_ctx(), path, &list, &bad);

	for (int i = 0; i < n; i++) {
		fuzz_use_str(list[i].module);
		fuzz_use_str(list[i].devname);
	}
	if (n >= 0)
		mt_devnames_free(list, n);
}

/* The information list of built-in module `name` (the context's module
 * directory is the scratch directory). */
static void builtin_lookup(const char *name)
{
	fuzz_use_info(&(struct mt_modref){ .name = (char *)name, .builtin = true });
}

/* The module of the record at `pos`: up to its '.'. */
static void builtin_lookup_at(const uint8_t *data, size_t size, size_t pos)
{
	const char *rec = (const char *)data + pos, *dot;
	char name[64];

	if (pos >= size)
		return;
	dot = memchr(rec, '.', strnlen(rec, size - pos));
	if (!dot || dot - rec >= (ptrdiff_t)sizeof(name))
		return;
	snprintf(name, sizeof(name), "%.*s", (int)(dot - rec), rec);
	builtin_lookup(name);
}

/* The modules of the first record and of the first one past the middle,
 * and one that is absent. */
static void use_builtin_modinfo(const uint8_t *data, size_t size)
{
	const uint8_t *nul = size ? memchr(data + size / 2, '\0', size - size / 2) : NULL;

	builtin_lookup_at(data, size, 0);
	if (nul)
		builtin_lookup_at(data, size, (size_t)(nul - data) + 1);
	builtin_lookup("absent");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[PATH_MAX];

	fuzz_write(fuzz_path(path, sizeof(path), "modules.dep.bin"), data, size);
	use_index(path, data, size);
	fuzz_write(fuzz_path(path, sizeof(path), "modules.devname"), data, size);
	use_devnames(path);
	fuzz_write(fuzz_path(path, sizeof(path), "modules.builtin.modinfo"), data, size);
	use_builtin_modinfo(data, size);
	return 0;
}

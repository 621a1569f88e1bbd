/*
 * fuzz-elf.c — fuzz target of a module image: the appended signature, the
 * ELF headers, .modinfo with the parameter merge of modinfo.c, __versions,
 * the exports with their namespaces, the imports, the name in struct module
 * and the strip of a copy for forced loading (then read again).  The input
 * is also read as a file by mt_elf_read, whole and as depmod's compact
 * image of a few sections: the compact image must give what the whole one
 * gives for what those sections hold (their bytes, .modinfo, __versions,
 * the imports, the names of the exports).
 */
#include <sys/mman.h>
#include "fuzz.h"
#include "internal.h"

/* The sections depmod reads compactly (lib/depmod.c). */
static const char *const compact_sections[] = {
	".modinfo", ".symtab", ".strtab", "__versions", "__ksymtab_strings", NULL,
};

static void invalid_param(const struct mt_kv *kv, void *data)
{
	(void)data;
	fuzz_use(kv->key, kv->key_len);
	fuzz_use(kv->value, kv->value_len);
}

static void use_modinfo(const struct mt_elf *elf)
{
	struct mt_param *params;
	struct mt_kv *list;
	const char *value;
	size_t len;
	int n, np;

	n = mt_elf_modinfo(elf, &list);
	if (n < 0)
		return;
	for (int i = 0; i < n; i++) {
		fuzz_use(list[i].key, list[i].key_len);
		fuzz_use(list[i].value, list[i].value_len);
	}
	value = mt_kv_find(list, n, "vermagic", &len);
	if (value)
		fuzz_use(value, len);
	np = mt_params_merge(list, n, &params, invalid_param, NULL);
	for (int i = 0; i < np; i++) {
		fuzz_use(params[i].name, params[i].name_len);
		if (params[i].desc)
			fuzz_use(params[i].desc, params[i].desc_len);
		if (params[i].type)
			fuzz_use(params[i].type, params[i].type_len);
	}
	if (np >= 0)
		free(params);
	free(list);
}

static void use_symbols(int n, struct mt_symbol *list)
{
	for (int i = 0; i < n; i++) {
		fuzz_use_str(list[i].name);
		fuzz_use_str(list[i].ns);
		fuzz_sink += (unsigned)list[i].crc + list[i].weak;
	}
	if (n >= 0)
		free(list);
}

static void use_elf(const uint8_t *data, size_t size, bool again)
{
	struct mt_symbol *symbols;
	struct mt_elf *elf;
	const void *section;
	char name[64];
	size_t section_size;
	void *copy;
	int n;

	if (mt_elf_open(data, size, "fuzz.ko", &elf) < 0)
		return;
	fuzz_sink += mt_elf_class(elf) + mt_elf_big_endian(elf) + mt_elf_machine(elf);
	if (mt_elf_section(elf, "__ksymtab_strings", &section, &section_size) == 0)
		fuzz_use(section, section_size);
	use_modinfo(elf);
	n = mt_elf_versions(elf, &symbols);
	use_symbols(n, symbols);
	n = mt_elf_exports(elf, &symbols);
	use_symbols(n, symbols);
	n = mt_elf_imports(elf, &symbols);
	use_symbols(n, symbols);
	if (mt_elf_module_name(elf, name, sizeof(name)) >= 0)
		fuzz_use_str(name);

	copy = malloc(size);
	if (!copy)
		fuzz_die("malloc");
	memcpy(copy, data, size);
	if (mt_elf_strip(elf, copy, MT_STRIP_MODVERSIONS | MT_STRIP_VERMAGIC) == 0 && again)
		use_elf(copy, size, false);
	free(copy);
	mt_elf_close(elf);
}

static void mismatch(const char *what)
{
	fprintf(stderr, "fuzz-elf: the compact image differs from the whole one: %s\n", what);
	abort();
}

static void same_kvs(const struct mt_elf *whole, const struct mt_elf *compact)
{
	struct mt_kv *a = NULL, *b = NULL;
	int na = mt_elf_modinfo(whole, &a), nb = mt_elf_modinfo(compact, &b);

	if (na != nb)
		mismatch(".modinfo count");
	for (int i = 0; i < na; i++)
		if (a[i].key_len != b[i].key_len || a[i].value_len != b[i].value_len ||
		    memcmp(a[i].key, b[i].key, a[i].key_len) != 0 ||
		    memcmp(a[i].value, b[i].value, a[i].value_len) != 0)
			mismatch(".modinfo entry");
	if (na >= 0) {
		free(a);
		free(b);
	}
}

/* Symbol lists: the same names in order, and the CRCs and weak flags
 * unless only the names count (the CRCs of exports live in __kcrctab). */
static void same_symbols(int (*get)(const struct mt_elf *, struct mt_symbol **),
			 const struct mt_elf *whole, const struct mt_elf *compact,
			 bool names_only, const char *what)
{
	struct mt_symbol *a = NULL, *b = NULL;
	int na = get(whole, &a), nb = get(compact, &b);

	if (na != nb)
		mismatch(what);
	for (int i = 0; i < na; i++)
		if (strcmp(a[i].name, b[i].name) != 0 ||
		    (!names_only && (a[i].crc != b[i].crc || a[i].weak != b[i].weak)))
			mismatch(what);
	if (na >= 0) {
		free(a);
		free(b);
	}
}

/* Each section the compact image holds: found in both or in neither, with
 * the same bytes; and the same header answers. */
static void same_sections(const struct mt_elf *whole, const struct mt_elf *compact)
{
	if (mt_elf_class(whole) != mt_elf_class(compact) ||
	    mt_elf_big_endian(whole) != mt_elf_big_endian(compact) ||
	    mt_elf_machine(whole) != mt_elf_machine(compact))
		mismatch("the ELF header");
	for (size_t i = 0; compact_sections[i]; i++) {
		const void *a, *b;
		size_t na, nb;
		int found_a = mt_elf_section(whole, compact_sections[i], &a, &na) == 0;
		int found_b = mt_elf_section(compact, compact_sections[i], &b, &nb) == 0;

		if (found_a != found_b || (found_a && (na != nb || (na && memcmp(a, b, na) != 0))))
			mismatch(compact_sections[i]);
	}
}

/* mt_elf_read of the input as a file, whole, compact and compact with the
 * tail (whose last tail_size bytes must be the file's). */
static void compare_reads(const uint8_t *data, size_t size)
{
	static int fd = -1;
	struct mt_elf_buffers whole_buf = { 0 }, compact_buf = { 0 }, tail_buf = { 0 };
	struct mt_elf *whole = NULL, *compact = NULL, *tail = NULL;
	int err_whole, err_compact, err_tail;

	if (fd < 0 && (fd = memfd_create("fuzz-elf", MFD_CLOEXEC)) < 0)
		fuzz_die("memfd_create");
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		fuzz_die("memfd");
	err_whole = mt_elf_read(fd, size, NULL, false, &whole_buf, "fuzz.ko", &whole);
	err_compact = mt_elf_read(fd, size, compact_sections, false, &compact_buf, "fuzz.ko",
				  &compact);
	err_tail = mt_elf_read(fd, size, compact_sections, true, &tail_buf, "fuzz.ko", &tail);
	if ((err_whole < 0) != (err_compact < 0) || (err_whole < 0) != (err_tail < 0))
		mismatch("one opens, another does not");
	if (err_whole == 0) {
		if (whole_buf.image_size != size || memcmp(whole_buf.image, data, size) != 0)
			mismatch("the whole image is not the file");
		if (tail_buf.tail_size > size || tail_buf.tail_size > tail_buf.image_size ||
		    memcmp(tail_buf.image + tail_buf.image_size - tail_buf.tail_size,
			   data + size - tail_buf.tail_size, tail_buf.tail_size) != 0)
			mismatch("the tail is not the file's end");
		same_sections(whole, compact);
		same_sections(whole, tail);
		same_kvs(whole, compact);
		same_kvs(whole, tail);
		same_symbols(mt_elf_versions, whole, compact, false, "__versions");
		same_symbols(mt_elf_imports, whole, compact, false, "imports");
		same_symbols(mt_elf_exports, whole, compact, true, "exports");
		same_symbols(mt_elf_exports, whole, tail, true, "exports (tail)");
		mt_elf_close(whole);
		mt_elf_close(compact);
		mt_elf_close(tail);
	}
	mt_elf_buffers_release(&whole_buf);
	mt_elf_buffers_release(&compact_buf);
	mt_elf_buffers_release(&tail_buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mt_signature sig;

	if (mt_signature_parse(fuzz_ctx(), data, size, &sig) == 0) {
		fuzz_use_str(sig.id_type);
		fuzz_use_str(sig.hash_algo);
		fuzz_use_str(sig.signer);
		fuzz_use(sig.key_id, sig.key_id_len);
		fuzz_use(sig.signature, sig.signature_len);
		mt_signature_release(&sig);
	}
	use_elf(data, size, true);
	compare_reads(data, size);
	return 0;
}

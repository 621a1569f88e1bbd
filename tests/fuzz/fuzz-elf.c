/*
 * fuzz-elf.c — fuzz target of a module image: the appended signature, the
 * ELF headers, .modinfo with the parameter merge of modinfo.c, __versions,
 * the exports with their namespaces, the imports, the name in struct module
 * and the strip of a copy for forced loading (then read again).
 */
#include "fuzz.h"

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mt_signature sig;

	fuzz_setup();
	if (mt_signature_parse(data, size, &sig) == 0) {
		fuzz_use_str(sig.id_type);
		fuzz_use_str(sig.hash_algo);
		fuzz_use_str(sig.signer);
		fuzz_use(sig.key_id, sig.key_id_len);
		fuzz_use(sig.signature, sig.signature_len);
		mt_signature_release(&sig);
	}
	use_elf(data, size, true);
	return 0;
}

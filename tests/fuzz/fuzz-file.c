/*
 * fuzz-file.c — fuzz target of the module file loader (file.c): the input
 * is a file on disk, plain, gzip, xz or zstd by its magic bytes, opened and
 * loaded (decompressed within the size cap) twice, the second time from the
 * cache; then opened as a module (module.c), whose image must be the same
 * bytes, and read as ELF; then listed as modinfo lists a module file
 * (modinfo.c: .modinfo and the appended signature as hex fields).
 */
#include "fuzz.h"

/* The module's image is the file's contents, decompressed: for a plain
 * file, the input itself. */
static void use_module(const char *path, const uint8_t *data, size_t size)
{
	const struct mt_elf *elf;
	struct mt_module *mod;
	struct mt_kv *list;
	const void *image;
	size_t len;
	int n;

	if (mt_module_open(path, &mod) < 0)
		return;
	if (mt_module_image(mod, &image, &len) == 0) {
		if (mt_file_compression(mt_module_file(mod)) == MT_COMPRESSION_NONE &&
		    (len != size || memcmp(image, data, size) != 0)) {
			fprintf(stderr, "fuzz-file: the module's image is not the file\n");
			abort();
		}
		if (mt_module_elf(mod, &elf) == 0) {
			n = mt_elf_modinfo(elf, &list);
			if (n >= 0)
				free(list);
		}
	}
	mt_module_close(mod);
}


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[PATH_MAX];
	struct mt_file *file;
	const void *contents, *again;
	size_t len, len_again;

	fuzz_write(fuzz_path(path, sizeof(path), "module.ko"), data, size);
	if (mt_file_open(path, &file) < 0)
		return 0;
	fuzz_use_str(mt_compression_name(mt_file_compression(file)));
	fuzz_sink += mt_compression_supported(mt_file_compression(file));
	fuzz_use_str(mt_file_path(file));
	if (mt_file_load(file, &contents, &len) == 0) {
		/* The first and last pages: a wrong size shows, and a bomb
		 * decompressed up to the cap costs no extra time here. */
		fuzz_use(contents, len < 4096 ? len : 4096);
		if (len > 4096)
			fuzz_use((const char *)contents + len - 4096, 4096);
		if (mt_file_load(file, &again, &len_again) != 0 || again != contents ||
		    len_again != len) {
			fprintf(stderr, "fuzz-file: the second load differs from the first\n");
			abort();
		}
	}
	mt_file_close(file);
	use_module(path, data, size);
	fuzz_use_info(&(struct mt_modref){ .name = "module", .path = (char *)path });
	return 0;
}

/*
 * test-strip.c — mt_elf_strip, what forced init_module loading sends: in
 * every ELF flavour exactly the vermagic string is blanked and exactly
 * SHF_ALLOC of __versions is cleared; nothing else of the image changes.
 */
#include <errno.h>
#include <stdlib.h>
#include "libmodtool.h"
#include "genmod.h"
#include "tap.h"

static const char *const modinfo[] = { "license=GPL", "vermagic=6.1.0 SMP mod_unload", "name=m" };
static const struct genmod_symbol versions[] = { { .name = "module_layout", .crc = 0x1234 } };

static void check_flavour(unsigned elf_class, bool big)
{
	struct genmod_spec spec = {
		.elf_class = elf_class, .big_endian = big, .modinfo = modinfo, .n_modinfo = 3,
		.versions = versions, .n_versions = 1, .name = "m",
	};
	unsigned char *image, *copy;
	struct mt_elf *elf;
	size_t size, changed = 0, first = 0, last = 0;
	const void *vermagic_at;
	size_t modinfo_size;
	int count;
	struct mt_kv *kv;

	genmod_build(&spec, &image, &size);
	copy = malloc(size);
	memcpy(copy, image, size);
	mt_elf_open(image, size, "m.ko", &elf);
	mt_elf_section(elf, ".modinfo", &vermagic_at, &modinfo_size);

	tap_is_int(mt_elf_strip(elf, copy, MT_STRIP_VERMAGIC), 0, "ELF%u %s: strip vermagic",
		   elf_class, big ? "BE" : "LE");
	for (size_t i = 0; i < size; i++) {
		if (copy[i] != image[i]) {
			if (!changed++)
				first = i;
			last = i;
		}
	}
	tap_is_int(changed, strlen(modinfo[1]), "  exactly the vermagic string's bytes changed");
	tap_ok(changed && copy[first] == 0 && last - first + 1 == changed &&
	       memcmp(image + first, modinfo[1], changed) == 0, "  the whole string, blanked");
	mt_elf_close(elf);

	mt_elf_open(copy, size, "copy.ko", &elf);
	count = mt_elf_modinfo(elf, &kv);
	tap_is_int(count, 2, "  the stripped .modinfo reads as two entries");
	tap_ok(count == 2 && !mt_kv_find(kv, count, "vermagic", NULL), "  without vermagic");
	free(kv);
	tap_is_int(mt_elf_strip(elf, copy, MT_STRIP_VERMAGIC), -ENODATA,
		   "  a second vermagic strip: ENODATA");
	mt_elf_close(elf);

	memcpy(copy, image, size);
	mt_elf_open(image, size, "m.ko", &elf);
	tap_is_int(mt_elf_strip(elf, copy, MT_STRIP_MODVERSIONS), 0, "  strip modversions");
	changed = 0;
	for (size_t i = 0; i < size; i++) {
		if (copy[i] != image[i]) {
			changed++;
			first = i;
		}
	}
	tap_ok(changed == 1 && (image[first] & 0x2) && copy[first] == (image[first] & ~0x2),
	       "  one byte changed: SHF_ALLOC cleared");
	mt_elf_close(elf);
	free(copy);
	free(image);
}

int main(void)
{
	static const char *const no_vermagic[] = { "license=GPL" };
	struct genmod_spec spec = { .elf_class = 64, .modinfo = no_vermagic, .n_modinfo = 1 };
	unsigned char *image;
	struct mt_elf *elf;
	size_t size;

	for (unsigned c = 32; c <= 64; c += 32) {
		check_flavour(c, false);
		check_flavour(c, true);
	}
	genmod_build(&spec, &image, &size);
	mt_elf_open(image, size, "plain.ko", &elf);
	tap_is_int(mt_elf_strip(elf, image, MT_STRIP_MODVERSIONS), 0,
		   "no __versions: nothing to strip");
	tap_is_int(mt_elf_strip(elf, image, MT_STRIP_VERMAGIC), -ENODATA,
		   ".modinfo without vermagic: ENODATA");
	mt_elf_close(elf);
	free(image);
	return tap_done();
}

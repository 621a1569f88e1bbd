/*
 * genmod.h — writer of synthetic kernel modules (ELF relocatable files, in
 * genmod-lib.c) shared by the genmod command and the C unit tests.
 */
#ifndef MT_GENMOD_H
#define MT_GENMOD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct genmod_symbol {
	const char *name;
	uint64_t crc;		/* exports and __versions; stored in the field's width */
	bool weak;		/* imports only */
};

/* The struct kernel_symbol of an export (genmod_spec's ksymtab). */
struct genmod_ksymtab {
	const char *namespace;	/* NULL or "" for none */
	bool gpl;		/* in __ksymtab_gpl rather than __ksymtab */
};

struct genmod_spec {
	unsigned elf_class;		/* 32 or 64 */
	bool big_endian;
	unsigned machine;		/* e_machine; 0 means EM_X86_64 or EM_386 by class */
	const char *const *modinfo;	/* "key=value" strings; none: no .modinfo */
	size_t n_modinfo;
	/* Exports go to __ksymtab_strings and, unless ksymtab_only, get a
	 * __crc_NAME symbol: local in __kcrctab pointing at a 32-bit word as on
	 * 6.1 kernels, or SHN_ABS with the CRC as value when abs_crcs. */
	const struct genmod_symbol *exports;
	size_t n_exports;
	bool ksymtab_only;
	bool abs_crcs;
	/* When set (one per export), each export also gets a struct
	 * kernel_symbol at a local __ksymtab_NAME in __ksymtab or
	 * __ksymtab_gpl, its namespace (or "") after its name in
	 * __ksymtab_strings as 6.1 does, and relocations of the name and
	 * namespace fields against the section symbol of __ksymtab_strings (the
	 * value field gets none: there is no code).  ELF64: RELA with 32-bit
	 * PC-relative fields as on x86-64, or 64-bit pointers when
	 * ksymtab_pointers; ELF32: REL with 32-bit pointers and the addends
	 * stored in the fields. */
	const struct genmod_ksymtab *ksymtab;
	bool ksymtab_pointers;		/* ELF64 only */
	const struct genmod_symbol *imports;	/* undefined symbols */
	size_t n_imports;
	const struct genmod_symbol *versions;	/* __versions records */
	size_t n_versions;
	const char *name;		/* struct module name; NULL: no this_module */
	/* A .note.gnu.build-id section (the first, as in a kernel build)
	 * holding one NT_GNU_BUILD_ID note of owner "GNU" with these bytes;
	 * none when build_id_len is 0. */
	const unsigned char *build_id;
	size_t build_id_len;
};

/* Build the image in memory (*image malloc'd).  0 or a negative errno:
 * -EINVAL for a bad class, a name too long for its field or
 * ksymtab_pointers on ELF32, -ENOMEM. */
int genmod_build(const struct genmod_spec *spec, unsigned char **image, size_t *size);

/* Build and write to `path`.  0 or a negative errno. */
int genmod_write(const struct genmod_spec *spec, const char *path);

/* Store an integer in the given byte order (also used to corrupt images). */
static inline void genmod_put16(unsigned char *p, uint16_t v, bool big)
{
	for (int i = 0; i < 2; i++)
		p[big ? 1 - i : i] = (unsigned char)(v >> (8 * i));
}

static inline void genmod_put32(unsigned char *p, uint32_t v, bool big)
{
	for (int i = 0; i < 4; i++)
		p[big ? 3 - i : i] = (unsigned char)(v >> (8 * i));
}

static inline void genmod_put64(unsigned char *p, uint64_t v, bool big)
{
	for (int i = 0; i < 8; i++)
		p[big ? 7 - i : i] = (unsigned char)(v >> (8 * i));
}

#endif

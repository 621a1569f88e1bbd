/*
 * genmod-lib.c — the synthetic module writer behind genmod.h: ELF
 * relocatable files with .note.gnu.build-id, .modinfo, __ksymtab_strings, __kcrctab, __ksymtab
 * and __ksymtab_gpl with their relocations, __versions,
 * .gnu.linkonce.this_module, .symtab and .strtab laid out as a 6.1 kernel
 * build does, in either class and byte order.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "genmod.h"

#define EM_386		3
#define EM_X86_64	62
#define SHT_PROGBITS	1
#define SHT_SYMTAB	2
#define SHT_STRTAB	3
#define SHT_RELA	4
#define SHT_NOTE	7
#define SHT_REL		9
#define SHF_WRITE	0x1
#define SHF_ALLOC	0x2
#define SHF_MERGE	0x10
#define SHF_STRINGS	0x20
#define SHF_INFO_LINK	0x40
#define SHN_ABS		0xfff1
#define STB_LOCAL	0
#define STB_GLOBAL	1
#define STB_WEAK	2
#define STT_NOTYPE	0
#define STT_OBJECT	1
#define STT_SECTION	3
#define R_X86_64_64	1
#define R_X86_64_PC32	2
#define R_386_32	1

/* With ksymtab, symbol 1 is the section symbol of __ksymtab_strings. */
#define STRINGS_SYMBOL	1

#define VERSION_RECORD_SIZE 64
#define NT_GNU_BUILD_ID	3

/* Sections in file order; absent ones get no index. */
enum {
	SEC_BUILD_ID,
	SEC_MODINFO,
	SEC_KSYMTAB_STRINGS,
	SEC_KCRCTAB,
	SEC_KSYMTAB,		/* each __ksymtab section is followed by its relocations */
	SEC_REL_KSYMTAB,
	SEC_KSYMTAB_GPL,
	SEC_REL_KSYMTAB_GPL,
	SEC_VERSIONS,
	SEC_THIS_MODULE,
	SEC_SYMTAB,
	SEC_STRTAB,
	SEC_SHSTRTAB,
	SEC_COUNT
};

struct buf {
	unsigned char *data;
	size_t len, cap;
	bool failed;
};

struct section {
	const char *name;
	bool present;
	unsigned index;
	uint32_t type;
	uint64_t flags;
	uint64_t align;
	uint64_t entsize;
	uint32_t name_offset;
	uint32_t link, info;
	struct buf body;
};

struct writer {
	bool is64, big;
	unsigned field;		/* width of a struct kernel_symbol field */
	struct section sec[SEC_COUNT];
};

/* Append `n` zero bytes; NULL (and b->failed) when out of memory. */
static unsigned char *buf_grow(struct buf *b, size_t n)
{
	if (b->failed)
		return NULL;
	if (b->cap - b->len < n) {
		size_t cap = b->cap ? b->cap : 256;
		unsigned char *data;

		while (cap - b->len < n)
			cap *= 2;
		data = realloc(b->data, cap);
		if (!data) {
			b->failed = true;
			return NULL;
		}
		b->data = data;
		b->cap = cap;
	}
	memset(b->data + b->len, 0, n);
	b->len += n;
	return b->data + b->len - n;
}

/* Append prefix and s as one string with its NUL; returns its offset. */
static uint32_t buf_add_string(struct buf *b, const char *prefix, const char *s)
{
	size_t off = b->len, n1 = strlen(prefix), n2 = strlen(s);
	unsigned char *p = buf_grow(b, n1 + n2 + 1);

	if (p) {
		memcpy(p, prefix, n1);
		memcpy(p + n1, s, n2);
	}
	return (uint32_t)off;
}

static void buf_align(struct buf *b, size_t align)
{
	if (b->len % align)
		buf_grow(b, align - b->len % align);
}

static void put_word(const struct writer *w, unsigned char *p, uint64_t v)
{
	if (w->is64)
		genmod_put64(p, v, w->big);
	else
		genmod_put32(p, (uint32_t)v, w->big);
}

static void add_symbol(struct writer *w, const char *prefix, const char *name,
		       unsigned bind, unsigned type, uint16_t shndx, uint64_t value, uint64_t size)
{
	uint32_t name_off = buf_add_string(&w->sec[SEC_STRTAB].body, prefix, name);
	unsigned char *p = buf_grow(&w->sec[SEC_SYMTAB].body, w->is64 ? 24 : 16);
	unsigned char info = (unsigned char)(bind << 4 | type);

	if (!p)
		return;
	genmod_put32(p, name_off, w->big);
	if (w->is64) {
		p[4] = info;
		genmod_put16(p + 6, shndx, w->big);
		genmod_put64(p + 8, value, w->big);
		genmod_put64(p + 16, size, w->big);
	} else {
		genmod_put32(p + 4, (uint32_t)value, w->big);
		genmod_put32(p + 8, (uint32_t)size, w->big);
		p[12] = info;
		genmod_put16(p + 14, shndx, w->big);
	}
}

static void define_section(struct writer *w, int id, const char *name, uint32_t type,
			   uint64_t flags, uint64_t align, uint64_t entsize)
{
	w->sec[id] = (struct section){ .name = name, .present = true, .type = type,
				       .flags = flags, .align = align, .entsize = entsize };
}

/* A relocation of the field at `offset` of a __ksymtab section (`field`
 * points at it, NULL when out of memory) to __ksymtab_strings + `addend`. */
static void add_ksymtab_reloc(struct writer *w, struct section *rel, uint64_t offset,
			      unsigned char *field, uint32_t addend)
{
	unsigned char *p = buf_grow(&rel->body, (size_t)rel->entsize);

	if (!p || !field)
		return;
	if (w->is64) {
		genmod_put64(p, offset, w->big);
		genmod_put64(p + 8, (uint64_t)STRINGS_SYMBOL << 32 |
			     (w->field == 4 ? R_X86_64_PC32 : R_X86_64_64), w->big);
		genmod_put64(p + 16, addend, w->big);
	} else {
		genmod_put32(p, (uint32_t)offset, w->big);
		genmod_put32(p + 4, STRINGS_SYMBOL << 8 | R_386_32, w->big);
		genmod_put32(field, addend, w->big);
	}
}

/* The struct kernel_symbol of an export, its __ksymtab_NAME symbol and the
 * relocations of its name and namespace fields. */
static void add_ksymtab_entry(struct writer *w, const struct genmod_symbol *e, bool gpl,
			      uint32_t name_off, uint32_t ns_off)
{
	struct section *table = &w->sec[gpl ? SEC_KSYMTAB_GPL : SEC_KSYMTAB];
	struct section *rel = &w->sec[gpl ? SEC_REL_KSYMTAB_GPL : SEC_REL_KSYMTAB];
	size_t entry = table->body.len;
	unsigned char *p = buf_grow(&table->body, 3 * w->field);

	add_symbol(w, "__ksymtab_", e->name, STB_LOCAL, STT_NOTYPE, (uint16_t)table->index,
		   entry, 0);
	add_ksymtab_reloc(w, rel, entry + w->field, p ? p + w->field : NULL, name_off);
	add_ksymtab_reloc(w, rel, entry + 2 * w->field, p ? p + 2 * w->field : NULL, ns_off);
}

static void fill_sections(struct writer *w, const struct genmod_spec *spec)
{
	size_t name_field = w->is64 ? 56 : 60, name_offset = w->is64 ? 24 : 12;
	size_t crc_size = w->is64 ? 8 : 4;
	struct section *sec = w->sec;
	struct buf *strings = &sec[SEC_KSYMTAB_STRINGS].body;
	unsigned char *p;

	/* Symbols: the null entry; with ksymtab, the section symbol of
	 * __ksymtab_strings and the __ksymtab_ symbols; the local __crc_
	 * symbols; then globals. */
	add_symbol(w, "", "", STB_LOCAL, STT_NOTYPE, 0, 0, 0);
	if (spec->ksymtab)
		add_symbol(w, "", "", STB_LOCAL, STT_SECTION,
			   (uint16_t)sec[SEC_KSYMTAB_STRINGS].index, 0, 0);

	if (spec->build_id_len) {
		size_t padded = (spec->build_id_len + 3) & ~(size_t)3;

		p = buf_grow(&sec[SEC_BUILD_ID].body, 16 + padded);
		if (p) {
			genmod_put32(p, 4, w->big);
			genmod_put32(p + 4, (uint32_t)spec->build_id_len, w->big);
			genmod_put32(p + 8, NT_GNU_BUILD_ID, w->big);
			memcpy(p + 12, "GNU", 4);
			memcpy(p + 16, spec->build_id, spec->build_id_len);
		}
	}
	for (size_t i = 0; i < spec->n_modinfo; i++)
		buf_add_string(&sec[SEC_MODINFO].body, "", spec->modinfo[i]);
	for (size_t i = 0; i < spec->n_exports; i++) {
		const struct genmod_symbol *e = &spec->exports[i];
		const struct genmod_ksymtab *k = spec->ksymtab ? &spec->ksymtab[i] : NULL;
		uint32_t name_off = buf_add_string(strings, "", e->name);
		const char *ns = k && k->namespace ? k->namespace : "";

		if (k)
			add_ksymtab_entry(w, e, k->gpl, name_off, buf_add_string(strings, "", ns));
		if (sec[SEC_KCRCTAB].present && (p = buf_grow(&sec[SEC_KCRCTAB].body, 4)))
			genmod_put32(p, (uint32_t)e->crc, w->big);
	}
	for (size_t i = 0; i < spec->n_versions; i++) {
		p = buf_grow(&sec[SEC_VERSIONS].body, VERSION_RECORD_SIZE);
		if (p) {
			put_word(w, p, spec->versions[i].crc);
			memcpy(p + crc_size, spec->versions[i].name, strlen(spec->versions[i].name));
		}
	}
	if (spec->name) {
		p = buf_grow(&sec[SEC_THIS_MODULE].body, name_offset + name_field);
		if (p)
			memcpy(p + name_offset, spec->name, strlen(spec->name));
	}

	for (size_t i = 0; i < spec->n_exports && !spec->ksymtab_only; i++) {
		if (spec->abs_crcs)
			add_symbol(w, "__crc_", spec->exports[i].name, STB_LOCAL, STT_NOTYPE,
				   SHN_ABS, spec->exports[i].crc, 0);
		else
			add_symbol(w, "__crc_", spec->exports[i].name, STB_LOCAL, STT_NOTYPE,
				   (uint16_t)sec[SEC_KCRCTAB].index, 4 * i, 0);
	}
	sec[SEC_SYMTAB].info = (uint32_t)(sec[SEC_SYMTAB].body.len / (w->is64 ? 24 : 16));
	if (spec->name)
		add_symbol(w, "", "__this_module", STB_GLOBAL, STT_OBJECT,
			   (uint16_t)sec[SEC_THIS_MODULE].index, 0, sec[SEC_THIS_MODULE].body.len);
	for (size_t i = 0; i < spec->n_imports; i++)
		add_symbol(w, "", spec->imports[i].name, spec->imports[i].weak ? STB_WEAK : STB_GLOBAL,
			   STT_NOTYPE, 0, 0, 0);
	sec[SEC_SYMTAB].link = sec[SEC_STRTAB].index;
	for (int id = SEC_KSYMTAB; id <= SEC_KSYMTAB_GPL; id += 2) {
		sec[id + 1].link = sec[SEC_SYMTAB].index;
		sec[id + 1].info = sec[id].index;
	}
}

static bool spec_valid(const struct genmod_spec *spec)
{
	size_t max_name = spec->elf_class == 64 ? 55 : 59;

	if (spec->elf_class != 32 && spec->elf_class != 64)
		return false;
	if (spec->ksymtab_pointers && spec->elf_class != 64)
		return false;
	if (spec->name && strlen(spec->name) > max_name)
		return false;
	for (size_t i = 0; i < spec->n_versions; i++) {
		if (strlen(spec->versions[i].name) > max_name)
			return false;
	}
	return true;
}

/* Header, section contents, then the section header table. */
static int assemble(struct writer *w, const struct genmod_spec *spec,
		    unsigned char **image, size_t *size)
{
	unsigned ehsize = w->is64 ? 64 : 52, shentsize = w->is64 ? 64 : 40;
	struct buf out = { 0 };
	uint64_t offsets[SEC_COUNT] = { 0 };
	unsigned nsections = 1;
	unsigned char *p;
	uint64_t shoff;

	buf_grow(&out, ehsize);
	for (int id = 0; id < SEC_COUNT; id++) {
		struct section *s = &w->sec[id];

		if (!s->present)
			continue;
		if (s->body.failed)
			out.failed = true;
		buf_align(&out, s->align);
		offsets[id] = out.len;
		if ((p = buf_grow(&out, s->body.len)))
			memcpy(p, s->body.data, s->body.len);
		nsections++;
	}
	buf_align(&out, 8);
	shoff = out.len;
	buf_grow(&out, (size_t)nsections * shentsize);
	if (out.failed) {
		free(out.data);
		return -ENOMEM;
	}

	p = out.data;
	memcpy(p, "\177ELF", 4);
	p[4] = w->is64 ? 2 : 1;
	p[5] = w->big ? 2 : 1;
	p[6] = 1;
	genmod_put16(p + 16, 1, w->big);	/* ET_REL */
	genmod_put16(p + 18, (uint16_t)(spec->machine ? spec->machine :
					w->is64 ? EM_X86_64 : EM_386), w->big);
	genmod_put32(p + 20, 1, w->big);
	if (w->is64)
		genmod_put64(p + 40, shoff, w->big);
	else
		genmod_put32(p + 32, (uint32_t)shoff, w->big);
	p += w->is64 ? 52 : 40;
	genmod_put16(p, (uint16_t)ehsize, w->big);
	genmod_put16(p + 6, (uint16_t)shentsize, w->big);
	genmod_put16(p + 8, (uint16_t)nsections, w->big);
	genmod_put16(p + 10, (uint16_t)w->sec[SEC_SHSTRTAB].index, w->big);

	for (int id = 0; id < SEC_COUNT; id++) {
		const struct section *s = &w->sec[id];

		if (!s->present)
			continue;
		p = out.data + shoff + (size_t)s->index * shentsize;
		genmod_put32(p, s->name_offset, w->big);
		genmod_put32(p + 4, s->type, w->big);
		if (w->is64) {
			genmod_put64(p + 8, s->flags, w->big);
			genmod_put64(p + 24, offsets[id], w->big);
			genmod_put64(p + 32, s->body.len, w->big);
			genmod_put32(p + 40, s->link, w->big);
			genmod_put32(p + 44, s->info, w->big);
			genmod_put64(p + 48, s->align, w->big);
			genmod_put64(p + 56, s->entsize, w->big);
		} else {
			genmod_put32(p + 8, (uint32_t)s->flags, w->big);
			genmod_put32(p + 16, (uint32_t)offsets[id], w->big);
			genmod_put32(p + 20, (uint32_t)s->body.len, w->big);
			genmod_put32(p + 24, s->link, w->big);
			genmod_put32(p + 28, s->info, w->big);
			genmod_put32(p + 32, (uint32_t)s->align, w->big);
			genmod_put32(p + 36, (uint32_t)s->entsize, w->big);
		}
	}
	*image = out.data;
	*size = out.len;
	return 0;
}

/* A __ksymtab section and its relocation section. */
static void define_ksymtab(struct writer *w, int id, const char *name, const char *rel_name)
{
	unsigned word = w->is64 ? 8 : 4;

	define_section(w, id, name, SHT_PROGBITS, SHF_ALLOC, w->field, 0);
	define_section(w, id + 1, rel_name, w->is64 ? SHT_RELA : SHT_REL, SHF_INFO_LINK, word,
		       w->is64 ? 3 * word : 2 * word);
}

int genmod_build(const struct genmod_spec *spec, unsigned char **image, size_t *size)
{
	struct writer w = { .is64 = spec->elf_class == 64, .big = spec->big_endian,
			    .field = spec->ksymtab_pointers ? 8 : 4 };
	unsigned index = 1;
	int err;

	if (!spec_valid(spec))
		return -EINVAL;
	if (spec->build_id_len)
		define_section(&w, SEC_BUILD_ID, ".note.gnu.build-id", SHT_NOTE, SHF_ALLOC, 4, 0);
	if (spec->n_modinfo)
		define_section(&w, SEC_MODINFO, ".modinfo", SHT_PROGBITS, SHF_ALLOC, 1, 0);
	if (spec->n_exports) {
		define_section(&w, SEC_KSYMTAB_STRINGS, "__ksymtab_strings", SHT_PROGBITS,
			       SHF_ALLOC | SHF_MERGE | SHF_STRINGS, 1, 1);
		if (!spec->ksymtab_only && !spec->abs_crcs)
			define_section(&w, SEC_KCRCTAB, "__kcrctab", SHT_PROGBITS, SHF_ALLOC, 4, 0);
	}
	for (size_t i = 0; spec->ksymtab && i < spec->n_exports; i++) {
		if (spec->ksymtab[i].gpl && !w.sec[SEC_KSYMTAB_GPL].present)
			define_ksymtab(&w, SEC_KSYMTAB_GPL, "__ksymtab_gpl",
				       w.is64 ? ".rela__ksymtab_gpl" : ".rel__ksymtab_gpl");
		else if (!spec->ksymtab[i].gpl && !w.sec[SEC_KSYMTAB].present)
			define_ksymtab(&w, SEC_KSYMTAB, "__ksymtab",
				       w.is64 ? ".rela__ksymtab" : ".rel__ksymtab");
	}
	if (spec->n_versions)
		define_section(&w, SEC_VERSIONS, "__versions", SHT_PROGBITS, SHF_ALLOC, 32, 0);
	if (spec->name)
		define_section(&w, SEC_THIS_MODULE, ".gnu.linkonce.this_module", SHT_PROGBITS,
			       SHF_ALLOC | SHF_WRITE, 64, 0);
	define_section(&w, SEC_SYMTAB, ".symtab", SHT_SYMTAB, 0, 8, w.is64 ? 24 : 16);
	define_section(&w, SEC_STRTAB, ".strtab", SHT_STRTAB, 0, 1, 0);
	define_section(&w, SEC_SHSTRTAB, ".shstrtab", SHT_STRTAB, 0, 1, 0);

	buf_grow(&w.sec[SEC_SHSTRTAB].body, 1);
	for (int id = 0; id < SEC_COUNT; id++) {
		if (!w.sec[id].present)
			continue;
		w.sec[id].index = index++;
		w.sec[id].name_offset = buf_add_string(&w.sec[SEC_SHSTRTAB].body, "",
						       w.sec[id].name);
	}
	fill_sections(&w, spec);
	err = assemble(&w, spec, image, size);
	for (int id = 0; id < SEC_COUNT; id++)
		free(w.sec[id].body.data);
	return err;
}

int genmod_write(const struct genmod_spec *spec, const char *path)
{
	unsigned char *image;
	size_t size, done = 0;
	int fd, err = genmod_build(spec, &image, &size);

	if (err < 0)
		return err;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	while (done < size) {
		ssize_t n = write(fd, image + done, size - done);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		done += (size_t)n;
	}
	if (close(fd) < 0 && err == 0)
		err = -errno;
out:
	free(image);
	return err;
}

/*
 * elf.c — reading kernel modules as ELF relocatable images: header
 * validation, section lookup by name, .modinfo strings, __versions,
 * exported symbols with their namespaces, imported symbols, the name in
 * struct module, the GNU build id note; and reading a plain module file
 * into reused buffers, whole or only the sections a caller names.
 *
 * The image is never copied: mt_elf_open validates the headers and keeps
 * pointers, and every later read is bounds-checked against the image size.
 * All fields are read in the file's byte order with its class's layout.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>
#include "internal.h"

#define ELF_HEADER_SIZE(is64)	((is64) ? 64u : 52u)
#define SHDR_SIZE(is64)		((is64) ? 64u : 40u)
#define SYM_SIZE(is64)		((is64) ? 24u : 16u)
#define EHDR_SHOFF(is64)	((is64) ? 40u : 32u)	/* where e_shoff is */
#define SHDR_OFFSET(is64)	((is64) ? 24u : 16u)	/* where sh_offset is */

#define SHN_UNDEF	0u
#define SHN_LORESERVE	0xff00u
#define SHN_ABS		0xfff1u
#define SHN_XINDEX	0xffffu

#define SHT_RELA	4u
#define SHT_NOBITS	8u
#define SHT_REL		9u
#define STB_WEAK	2u
#define STT_SPARC_REGISTER 13u
#define EM_SPARC	2u
#define EM_SPARCV9	43u

#define NT_GNU_BUILD_ID	3u
#define BUILD_ID_SECTION ".note.gnu.build-id"

#define VERSION_RECORD_SIZE 64u
#define CRC_PREFIX "__crc_"
#define KSYMTAB_PREFIX "__ksymtab_"

struct mt_elf {
	const uint8_t *image;
	size_t size;
	bool is64;
	bool big;
	unsigned machine;
	uint64_t shoff;
	uint64_t shnum;
	const char *shstrtab;
	size_t shstrtab_size;
	char name[];
};

struct shdr {
	uint32_t name;
	uint32_t type;
	uint32_t link;
	uint32_t info;
	uint64_t offset;
	uint64_t size;
};

struct sym {
	uint32_t name;
	uint8_t info;
	uint16_t shndx;
	uint64_t value;
};

/* The ELF header fields that locate the section table. */
struct ehdr {
	uint64_t shoff;
	unsigned machine, shentsize, shnum, shstrndx;
};

/* The header at p, of the given class and byte order. */
static void decode_ehdr(const uint8_t *p, bool is64, bool big, struct ehdr *h)
{
	h->machine = mt_get16(p + 18, big);
	if (is64) {
		h->shoff = mt_get64(p + EHDR_SHOFF(is64), big);
		h->shentsize = mt_get16(p + 58, big);
		h->shnum = mt_get16(p + 60, big);
		h->shstrndx = mt_get16(p + 62, big);
	} else {
		h->shoff = mt_get32(p + EHDR_SHOFF(is64), big);
		h->shentsize = mt_get16(p + 46, big);
		h->shnum = mt_get16(p + 48, big);
		h->shstrndx = mt_get16(p + 50, big);
	}
}

/* The section header at p. */
static void decode_shdr(const uint8_t *p, bool is64, bool big, struct shdr *sh)
{
	sh->name = mt_get32(p, big);
	sh->type = mt_get32(p + 4, big);
	if (is64) {
		sh->offset = mt_get64(p + SHDR_OFFSET(is64), big);
		sh->size = mt_get64(p + 32, big);
		sh->link = mt_get32(p + 40, big);
		sh->info = mt_get32(p + 44, big);
	} else {
		sh->offset = mt_get32(p + SHDR_OFFSET(is64), big);
		sh->size = mt_get32(p + 20, big);
		sh->link = mt_get32(p + 24, big);
		sh->info = mt_get32(p + 28, big);
	}
}

/* Section header `idx`; the caller guarantees idx < elf->shnum. */
static void read_shdr(const struct mt_elf *elf, uint64_t idx, struct shdr *sh)
{
	decode_shdr(elf->image + elf->shoff + idx * SHDR_SIZE(elf->is64), elf->is64, elf->big, sh);
}

/* Contents of a section, or false when they lie outside the image.
 * SHT_NOBITS sections occupy no file space: their contents are empty. */
static bool shdr_contents(const struct mt_elf *elf, const struct shdr *sh,
			  const uint8_t **data, size_t *size)
{
	if (sh->type == SHT_NOBITS) {
		*data = elf->image;
		*size = 0;
		return true;
	}
	if (!mt_in_bounds(sh->offset, sh->size, elf->size))
		return false;
	*data = elf->image + sh->offset;
	*size = sh->size;
	return true;
}

int mt_elf_open(const void *data, size_t size, const char *name, struct mt_elf **out)
{
	const uint8_t *p = data;
	struct mt_elf hdr, *elf;
	unsigned shentsize, shstrndx;
	struct ehdr eh;
	const uint8_t *strtab;
	size_t strtab_size, name_len;
	const char *problem = NULL;
	struct shdr sh;

	if (size <= 16 || memcmp(p, "\177ELF", 4) != 0)
		return mt_fail(ENOEXEC, "%s: not an ELF file", name);
	if (p[4] != 1 && p[4] != 2)
		return mt_fail(EINVAL, "%s: invalid ELF class %u", name, p[4]);
	hdr = (struct mt_elf){ .image = p, .size = size, .is64 = p[4] == 2 };
	if (size <= ELF_HEADER_SIZE(hdr.is64))
		return mt_fail(EINVAL, "%s: truncated ELF header", name);
	if (p[5] != 1 && p[5] != 2)
		return mt_fail(EINVAL, "%s: invalid ELF data encoding %u", name, p[5]);
	hdr.big = p[5] == 2;
	decode_ehdr(p, hdr.is64, hdr.big, &eh);
	hdr.machine = eh.machine;
	hdr.shoff = eh.shoff;
	hdr.shnum = eh.shnum;
	shentsize = eh.shentsize;
	shstrndx = eh.shstrndx;
	if (shentsize != SHDR_SIZE(hdr.is64))
		return mt_fail(EINVAL, "%s: invalid section header size %u", name, shentsize);

	/* Past 0xff00 sections, e_shnum is 0 and section 0's sh_size holds the
	 * count; e_shstrndx is SHN_XINDEX and section 0's sh_link holds it. */
	if (hdr.shoff != 0 && (hdr.shnum == 0 || shstrndx == SHN_XINDEX)) {
		if (!mt_in_bounds(hdr.shoff, shentsize, size))
			return mt_fail(EINVAL, "%s: section header table outside the file", name);
		read_shdr(&hdr, 0, &sh);
		if (hdr.shnum == 0)
			hdr.shnum = sh.size;
		if (shstrndx == SHN_XINDEX)
			shstrndx = sh.link;
	}
	if (hdr.shoff > size || hdr.shnum > (size - hdr.shoff) / shentsize)
		return mt_fail(EINVAL, "%s: section header table outside the file", name);

	if (shstrndx == SHN_UNDEF || shstrndx >= hdr.shnum)
		return mt_fail(EINVAL, "%s: invalid section name table index %u", name, shstrndx);
	read_shdr(&hdr, shstrndx, &sh);
	if (!shdr_contents(&hdr, &sh, &strtab, &strtab_size))
		problem = "lies outside the file";
	else if (strtab_size == 0)
		problem = "is empty";
	else if (strtab[strtab_size - 1] != '\0')
		problem = "is not NUL-terminated";
	if (problem)
		return mt_fail(EINVAL, "%s: section name table %s", name, problem);
	hdr.shstrtab = (const char *)strtab;
	hdr.shstrtab_size = strtab_size;

	name_len = strlen(name);
	elf = malloc(sizeof(*elf) + name_len + 1);
	if (!elf)
		return mt_fail(ENOMEM, "%s: out of memory", name);
	*elf = hdr;
	memcpy(elf->name, name, name_len + 1);
	*out = elf;
	return 0;
}

/* ---- reading a file ------------------------------------------------------ */

/* Room for the ELF header of either class, in a file and in a compact image. */
#define EHDR_SPACE 64u
/* Ranges closer than this are read with one call. */
#define MERGE_GAP ((uint64_t)16 << 10)
/* The section names usually lie just before the section table. */
#define TABLE_SLACK ((uint64_t)4 << 10)
/* A module's signature follows the section table; more after it than this
 * is an unusual layout, read whole. */
#define TAIL_LIMIT ((uint64_t)64 << 10)

/* A reused buffer; bytes it gains are zeroed, so none is uninitialized. */
static bool reserve(unsigned char **buf, size_t *cap, size_t size)
{
	size_t old = *cap;

	if (mt_array_reserve(buf, cap, size, 1) < 0)
		return false;
	memset(*buf + old, 0, *cap - old);
	return true;
}

/* Read [off, off+len) of the file to `to`. */
static bool read_at(int fd, unsigned char *to, uint64_t off, uint64_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t got = pread(fd, to + done, (size_t)len - done, (off_t)(off + done));

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return false;
		done += (size_t)got;
	}
	return true;
}

static void put_word(unsigned char *p, uint64_t v, bool is64, bool big)
{
	unsigned n = is64 ? 8 : 4;

	for (unsigned i = 0; i < n; i++)
		p[big ? n - 1 - i : i] = (unsigned char)(v >> (8 * i));
}

static bool is_wanted(const char *const *sections, const char *name)
{
	for (; *sections; sections++)
		if (strcmp(name, *sections) == 0)
			return true;
	return false;
}

/* Part of a file and its place in the compact image. */
struct block {
	uint64_t off, end;	/* in the file */
	uint64_t at;		/* in the image */
};

static int cmp_block(const void *a, const void *b)
{
	const struct block *x = a, *y = b;

	return (x->off > y->off) - (x->off < y->off);
}

/*
 * The compact image of a file (see mt_elf_read): the ELF header, the
 * section table, the section names and the wanted sections packed into
 * b->image, with the header and the table rewritten to point at the new
 * places; sections left out point past the end of the image.  With `tail`,
 * the bytes from the end of the section table to the end of the file come
 * last, read with the table.  `head` is the file's first EHDR_SPACE bytes.
 * Returns the image size, or 0 when the layout is unusual (the whole file
 * is then read and mt_elf_open judges it).
 */
static size_t read_compact(int fd, size_t size, const unsigned char *head,
			   const char *const *sections, bool tail, struct mt_elf_buffers *b)
{
	bool is64 = head[4] == 2, big = head[5] == 2, ok;
	uint64_t table_len, win_off, win_end, tail_len, names_at;
	unsigned shsize = SHDR_SIZE(is64);
	struct shdr names, sh;
	struct block *blocks;
	size_t n = 0, k, total, end;
	const unsigned char *table;
	const char *name_text;
	struct ehdr eh;

	if ((head[4] != 1 && head[4] != 2) || (head[5] != 1 && head[5] != 2))
		return 0;
	decode_ehdr(head, is64, big, &eh);
	table_len = (uint64_t)eh.shnum * eh.shentsize;
	if (eh.shentsize != shsize || eh.shnum == 0 || eh.shstrndx == 0 ||
	    eh.shstrndx >= eh.shnum || eh.shoff < EHDR_SPACE ||
	    !mt_in_bounds(eh.shoff, table_len, size))
		return 0;

	/* The section table with the bytes before it, usually the names, and
	 * the tail after it. */
	tail_len = tail ? size - (eh.shoff + table_len) : 0;
	if (tail_len > TAIL_LIMIT)
		return 0;
	win_off = eh.shoff - EHDR_SPACE > TABLE_SLACK ? eh.shoff - TABLE_SLACK : EHDR_SPACE;
	win_end = eh.shoff + table_len + tail_len;
	if (!reserve(&b->table, &b->table_cap, win_end - win_off) ||
	    !read_at(fd, b->table, win_off, win_end - win_off))
		return 0;
	table = b->table + (eh.shoff - win_off);
	decode_shdr(table + (uint64_t)eh.shstrndx * shsize, is64, big, &names);
	if (names.size == 0 || !mt_in_bounds(names.offset, names.size, size))
		return 0;
	if (names.offset >= win_off && names.offset + names.size <= eh.shoff) {
		name_text = (const char *)b->table + (names.offset - win_off);
	} else {
		size_t at = win_end - win_off;

		if (!reserve(&b->table, &b->table_cap, at + names.size) ||
		    !read_at(fd, b->table + at, names.offset, names.size))
			return 0;
		table = b->table + (eh.shoff - win_off);
		name_text = (const char *)b->table + at;
	}
	if (name_text[names.size - 1] != '\0')
		return 0;

	/* The wanted sections, merged when close, placed after the names. */
	blocks = malloc(eh.shnum * sizeof(*blocks));
	if (!blocks)
		return 0;
	for (uint64_t i = 1; i < eh.shnum; i++) {
		decode_shdr(table + i * shsize, is64, big, &sh);
		if (sh.name < names.size && sh.type != SHT_NOBITS && sh.size > 0 &&
		    mt_in_bounds(sh.offset, sh.size, size) && is_wanted(sections, name_text + sh.name))
			blocks[n++] = (struct block){ sh.offset, sh.offset + sh.size, 0 };
	}
	if (n > 0)
		qsort(blocks, n, sizeof(*blocks), cmp_block);
	names_at = EHDR_SPACE + table_len;
	total = (size_t)(names_at + names.size);
	k = 0;
	for (size_t i = 0; i < n; ) {
		struct block blk = blocks[i++];

		while (i < n && blocks[i].off <= blk.end + MERGE_GAP) {
			if (blocks[i].end > blk.end)
				blk.end = blocks[i].end;
			i++;
		}
		total = (total + 7) & ~(size_t)7;
		blk.at = total;
		total += (size_t)(blk.end - blk.off);
		blocks[k++] = blk;
	}
	n = k;
	end = total + (size_t)tail_len;
	ok = reserve(&b->image, &b->image_cap, end);
	for (size_t i = 0; ok && i < n; i++)
		ok = read_at(fd, b->image + blocks[i].at, blocks[i].off, blocks[i].end - blocks[i].off);
	if (ok) {
		unsigned char *image_table = b->image + EHDR_SPACE;

		memcpy(b->image, head, EHDR_SPACE);
		memcpy(image_table, table, table_len);
		memcpy(b->image + names_at, name_text, names.size);
		memcpy(b->image + total, table + table_len, tail_len);
		put_word(b->image + EHDR_SHOFF(is64), EHDR_SPACE, is64, big);
		for (uint64_t i = 1; i < eh.shnum; i++) {
			uint64_t at;

			decode_shdr(table + i * shsize, is64, big, &sh);
			/* Past the end, but an empty section of the file stays
			 * an empty section found: the whole image's answers. */
			at = sh.size == 0 && sh.offset <= size ? end : end + 1;
			if (i == eh.shstrndx) {
				at = names_at;
			} else {
				for (size_t j = 0; j < n; j++)
					if (sh.offset >= blocks[j].off && sh.offset <= blocks[j].end &&
					    sh.size <= blocks[j].end - sh.offset)
						at = blocks[j].at + (sh.offset - blocks[j].off);
			}
			put_word(image_table + i * shsize + SHDR_OFFSET(is64), at, is64, big);
		}
	}
	free(blocks);
	b->tail_size = (size_t)tail_len;
	return ok ? end : 0;
}

int mt_elf_read(int fd, size_t size, const char *const *sections, bool tail,
		struct mt_elf_buffers *b, const char *name, struct mt_elf **out)
{
	unsigned char head[EHDR_SPACE];
	size_t len = 0;

	if (size < EHDR_SPACE || !read_at(fd, head, 0, EHDR_SPACE) ||
	    memcmp(head, "\177ELF", 4) != 0)
		return mt_fail(ENOEXEC, "%s: not an ELF file", name);
	if (sections)
		len = read_compact(fd, size, head, sections, tail, b);
	if (len == 0) {
		len = size;
		if (!reserve(&b->image, &b->image_cap, len))
			return mt_fail(ENOMEM, "%s: out of memory", name);
		if (!read_at(fd, b->image, 0, len))
			return mt_fail(EIO, "%s: read failed", name);
		b->tail_size = size;
	}
	b->image_size = len;
	return mt_elf_open(b->image, len, name, out);
}

void mt_elf_buffers_release(struct mt_elf_buffers *b)
{
	free(b->image);
	free(b->table);
	*b = (struct mt_elf_buffers){ 0 };
}

void mt_elf_close(struct mt_elf *elf)
{
	free(elf);
}

unsigned mt_elf_class(const struct mt_elf *elf)
{
	return elf->is64 ? 64 : 32;
}

bool mt_elf_big_endian(const struct mt_elf *elf)
{
	return elf->big;
}

unsigned mt_elf_machine(const struct mt_elf *elf)
{
	return elf->machine;
}

/* Like mt_elf_section, but reports absence without recording an error. */
static bool find_section(const struct mt_elf *elf, const char *name,
			 const uint8_t **data, size_t *size)
{
	struct shdr sh;

	for (uint64_t i = 1; i < elf->shnum; i++) {
		read_shdr(elf, i, &sh);
		if (sh.name >= elf->shstrtab_size || strcmp(elf->shstrtab + sh.name, name) != 0)
			continue;
		if (shdr_contents(elf, &sh, data, size))
			return true;
	}
	return false;
}

int mt_elf_section(const struct mt_elf *elf, const char *name,
		   const void **data, size_t *size)
{
	const uint8_t *d;

	if (!find_section(elf, name, &d, size))
		return mt_fail(ENODATA, "%s: no section %s", elf->name, name);
	*data = d;
	return 0;
}

/* malloc for a result array whose count must fit the int return value. */
static void *alloc_result(const struct mt_elf *elf, size_t count, size_t elem_size, int *err)
{
	void *array;

	if (count > INT_MAX) {
		*err = mt_fail(EOVERFLOW, "%s: too many entries", elf->name);
		return NULL;
	}
	array = malloc(count ? count * elem_size : 1);
	if (!array)
		*err = mt_fail(ENOMEM, "%s: out of memory", elf->name);
	return array;
}

/* Next string of a NUL-separated area, skipping any run of NULs before it;
 * the last string may be unterminated.  NULL at the end. */
static const char *next_string(const char **pos, const char *end, size_t *len)
{
	const char *s = *pos, *nul;

	while (s < end && *s == '\0')
		s++;
	if (s == end)
		return NULL;
	nul = memchr(s, '\0', end - s);
	*len = (nul ? nul : end) - s;
	*pos = s + *len;
	return s;
}

int mt_elf_modinfo(const struct mt_elf *elf, struct mt_kv **out)
{
	const uint8_t *data;
	const char *start, *end, *pos, *s, *eq;
	size_t size, len, count = 0;
	struct mt_kv *list;
	int err;

	if (!find_section(elf, ".modinfo", &data, &size))
		return mt_fail(ENODATA, "%s: no .modinfo section", elf->name);
	start = (const char *)data;
	end = start + size;
	while (start < end && *start == '\0')
		start++;
	/* kmod treats a single byte left after the leading NULs as no strings. */
	if (end - start <= 1)
		start = end;

	for (pos = start; next_string(&pos, end, &len); )
		count++;
	list = alloc_result(elf, count, sizeof(*list), &err);
	if (!list)
		return err;
	count = 0;
	for (pos = start; (s = next_string(&pos, end, &len)); count++) {
		eq = memchr(s, '=', len);
		list[count].key = s;
		list[count].key_len = eq ? (size_t)(eq - s) : len;
		list[count].value = eq ? eq + 1 : s + len;
		list[count].value_len = eq ? len - (size_t)(eq - s) - 1 : 0;
	}
	*out = list;
	return (int)count;
}

const char *mt_kv_find(const struct mt_kv *list, int count, const char *key, size_t *len)
{
	size_t key_len = strlen(key);

	for (int i = 0; i < count; i++) {
		if (list[i].key_len == key_len && memcmp(list[i].key, key, key_len) == 0) {
			if (len)
				*len = list[i].value_len;
			return list[i].value;
		}
	}
	return NULL;
}

int mt_elf_versions(const struct mt_elf *elf, struct mt_symbol **out)
{
	unsigned crc_size = elf->is64 ? 8 : 4;
	const uint8_t *data, *rec;
	size_t size, count;
	struct mt_symbol *list;
	const char *name;
	int err;

	if (!find_section(elf, "__versions", &data, &size))
		return mt_fail(ENODATA, "%s: no __versions section", elf->name);
	if (size % VERSION_RECORD_SIZE != 0)
		return mt_fail(EINVAL, "%s: __versions size %zu is not a multiple of %u",
			       elf->name, size, VERSION_RECORD_SIZE);
	count = size / VERSION_RECORD_SIZE;
	list = alloc_result(elf, count, sizeof(*list), &err);
	if (!list)
		return err;
	for (size_t i = 0; i < count; i++) {
		rec = data + i * VERSION_RECORD_SIZE;
		name = (const char *)rec + crc_size;
		if (!memchr(name, '\0', VERSION_RECORD_SIZE - crc_size)) {
			free(list);
			return mt_fail(EINVAL, "%s: __versions entry %zu has an unterminated name",
				       elf->name, i);
		}
		list[i] = (struct mt_symbol){
			.name = name[0] == '.' ? name + 1 : name,
			.crc = elf->is64 ? mt_get64(rec, elf->big) : mt_get32(rec, elf->big),
		};
	}
	*out = list;
	return (int)count;
}

/* .symtab with its .strtab, both found by name. */
struct symtab {
	const uint8_t *entries;
	size_t count;
	const char *strings;
	size_t names_end;	/* name offsets below this are NUL-terminated */
};

static int symtab_open(const struct mt_elf *elf, struct symtab *st)
{
	const uint8_t *syms, *strs;
	size_t syms_size, strs_size;

	if (!find_section(elf, ".symtab", &syms, &syms_size))
		return mt_fail(ENODATA, "%s: no .symtab section", elf->name);
	if (!find_section(elf, ".strtab", &strs, &strs_size))
		return mt_fail(ENODATA, "%s: no .strtab section", elf->name);
	if (syms_size % SYM_SIZE(elf->is64) != 0)
		return mt_fail(EINVAL, "%s: .symtab size %zu is not a multiple of %u",
			       elf->name, syms_size, SYM_SIZE(elf->is64));
	st->entries = syms;
	st->count = syms_size / SYM_SIZE(elf->is64);
	st->strings = (const char *)strs;
	st->names_end = strs_size;
	while (st->names_end > 0 && strs[st->names_end - 1] != '\0')
		st->names_end--;
	return 0;
}

static void read_sym(const struct mt_elf *elf, const struct symtab *st, size_t idx,
		     struct sym *sym)
{
	const uint8_t *p = st->entries + idx * SYM_SIZE(elf->is64);

	sym->name = mt_get32(p, elf->big);
	if (elf->is64) {
		sym->info = p[4];
		sym->shndx = mt_get16(p + 6, elf->big);
		sym->value = mt_get64(p + 8, elf->big);
	} else {
		sym->value = mt_get32(p + 4, elf->big);
		sym->info = p[12];
		sym->shndx = mt_get16(p + 14, elf->big);
	}
}

/* Name of a symbol, or NULL when st_name does not lead to a terminated string. */
static const char *sym_name(const struct symtab *st, const struct sym *sym)
{
	return sym->name < st->names_end ? st->strings + sym->name : NULL;
}

/* CRC of a __crc_ symbol: its value when absolute (or undefined), else the
 * 32-bit word at that offset of its section; all-ones when unreadable. */
static uint64_t export_crc(const struct mt_elf *elf, const struct sym *sym)
{
	const uint8_t *data;
	size_t size;
	struct shdr sh;

	if (sym->shndx == SHN_UNDEF || sym->shndx == SHN_ABS)
		return sym->value;
	if (sym->shndx >= SHN_LORESERVE || sym->shndx >= elf->shnum)
		return UINT64_MAX;
	read_shdr(elf, sym->shndx, &sh);
	if (!shdr_contents(elf, &sh, &data, &size) || !mt_in_bounds(sym->value, 4, size))
		return UINT64_MAX;
	return mt_get32(data + sym->value, elf->big);
}

/* Exports from __crc_ symbols; 0 when the table is unusable or has none. */
static int crc_exports(const struct mt_elf *elf, const struct symtab *st, struct mt_symbol **out)
{
	size_t prefix_len = strlen(CRC_PREFIX), count = 0, n = 0, first = 0, last = 0;
	struct mt_symbol *list;
	struct sym sym;
	const char *name;
	int err;

	for (size_t i = 1; i < st->count; i++) {
		read_sym(elf, st, i, &sym);
		name = sym_name(st, &sym);
		if (!name)
			return 0;
		if (strncmp(name, CRC_PREFIX, prefix_len) == 0) {
			first = count++ ? first : i;
			last = i;
		}
	}
	if (count == 0)
		return 0;
	list = alloc_result(elf, count, sizeof(*list), &err);
	if (!list)
		return err;
	/* The kernel build emits the __crc_ symbols together: the second pass
	 * covers only their span. */
	for (size_t i = first; i <= last; i++) {
		read_sym(elf, st, i, &sym);
		name = sym_name(st, &sym);
		if (strncmp(name, CRC_PREFIX, prefix_len) != 0)
			continue;
		list[n++] = (struct mt_symbol){ .name = name + prefix_len,
						.crc = export_crc(elf, &sym) };
	}
	*out = list;
	return (int)count;
}

static int ksymtab_string_exports(const struct mt_elf *elf, struct mt_symbol **out)
{
	const uint8_t *data;
	const char *pos, *end, *s;
	size_t size, len, count = 0;
	struct mt_symbol *list;
	int err;

	if (!find_section(elf, "__ksymtab_strings", &data, &size))
		return mt_fail(ENODATA, "%s: no exported symbols", elf->name);
	pos = (const char *)data;
	end = pos + size;
	while (pos < end && *pos == '\0')
		pos++;
	if (pos < end && end[-1] != '\0')
		return mt_fail(EINVAL, "%s: __ksymtab_strings is not NUL-terminated", elf->name);

	for (const char *p = pos; next_string(&p, end, &len); )
		count++;
	list = alloc_result(elf, count, sizeof(*list), &err);
	if (!list)
		return err;
	count = 0;
	while ((s = next_string(&pos, end, &len)))
		list[count++] = (struct mt_symbol){ .name = s };
	*out = list;
	return (int)count;
}

/*
 * Namespaces.  Each export NAME has a symbol __ksymtab_NAME at its struct
 * kernel_symbol { value, name, namespace } in __ksymtab or __ksymtab_gpl:
 * three 32-bit PC-relative offsets with CONFIG_HAVE_ARCH_PREL32_RELOCATIONS
 * (x86-64, arm64, ...), else three pointers.  The fields are zero in the
 * file and filled by relocations of .rela__ksymtab* (addend in the entry) or
 * .rel__ksymtab* (addend stored in the field).  PC-relative or absolute, a
 * field ends up pointing at symbol + addend, so the namespace is the string
 * at that offset of the symbol's section; relocation types are not read.  No
 * relocation, an empty string, or anything out of place: no namespace.
 *
 * The field width is decided per relocation section.  ELF32 fields are 4
 * bytes in both layouts.  In ELF64, 4-byte fields put the name field of the
 * first entry at offset 4, while 8-byte pointers keep every field at a
 * multiple of 8: a relocation at an offset of 4 modulo 8 means 4 bytes.
 */

/* The relocation of a namespace field, keyed by its struct kernel_symbol. */
struct ns_reloc {
	uint32_t section;	/* the __ksymtab section */
	uint32_t sym;
	uint64_t entry;		/* offset of the struct in that section */
	int64_t addend;
};

/* A REL or RELA section of a __ksymtab section, with symbols from .symtab. */
struct ksymtab_rel {
	const uint8_t *entries;
	size_t count;
	unsigned entsize;
	bool rela;
	uint32_t target;
	const uint8_t *target_data;
	size_t target_size;
};

static bool is_ksymtab_section(const struct mt_elf *elf, const struct shdr *sh)
{
	const char *name;

	if (sh->name >= elf->shstrtab_size)
		return false;
	name = elf->shstrtab + sh->name;
	return strncmp(name, "__ksymtab", 9) == 0 && strcmp(name, "__ksymtab_strings") != 0;
}

/* Whether section `idx` relocates a __ksymtab section with the symbols of
 * `st`; if so, *rel describes it. */
static bool ksymtab_rel_section(const struct mt_elf *elf, const struct symtab *st, uint64_t idx,
				struct ksymtab_rel *rel)
{
	const uint8_t *symbols;
	struct shdr sh, other;
	size_t size;

	read_shdr(elf, idx, &sh);
	if ((sh.type != SHT_REL && sh.type != SHT_RELA) || sh.info == 0 ||
	    sh.info >= elf->shnum || sh.link == 0 || sh.link >= elf->shnum)
		return false;
	read_shdr(elf, sh.info, &other);
	if (!is_ksymtab_section(elf, &other) ||
	    !shdr_contents(elf, &other, &rel->target_data, &rel->target_size))
		return false;
	read_shdr(elf, sh.link, &other);
	if (!shdr_contents(elf, &other, &symbols, &size) || symbols != st->entries)
		return false;
	rel->rela = sh.type == SHT_RELA;
	rel->entsize = (elf->is64 ? 8u : 4u) * (rel->rela ? 3 : 2);
	if (!shdr_contents(elf, &sh, &rel->entries, &size) || size % rel->entsize != 0)
		return false;
	rel->count = size / rel->entsize;
	rel->target = sh.info;
	return true;
}

static uint64_t rel_offset(const struct mt_elf *elf, const struct ksymtab_rel *rel, size_t i)
{
	const uint8_t *p = rel->entries + i * rel->entsize;

	return elf->is64 ? mt_get64(p, elf->big) : mt_get32(p, elf->big);
}

/* Symbol and addend of relocation `i`, which applies to the field of `width`
 * bytes at `offset` of the target section. */
static void read_rel(const struct mt_elf *elf, const struct ksymtab_rel *rel, size_t i,
		     unsigned width, uint64_t offset, struct ns_reloc *r)
{
	const uint8_t *p = rel->entries + i * rel->entsize, *field = rel->target_data + offset;

	r->sym = elf->is64 ? (uint32_t)(mt_get64(p + 8, elf->big) >> 32)
			   : mt_get32(p + 4, elf->big) >> 8;
	if (!rel->rela)
		r->addend = width == 4 ? (int32_t)mt_get32(field, elf->big)
				       : (int64_t)mt_get64(field, elf->big);
	else
		r->addend = elf->is64 ? (int64_t)mt_get64(p + 16, elf->big)
				      : (int32_t)mt_get32(p + 8, elf->big);
}

static int ns_reloc_cmp(const void *a, const void *b)
{
	const struct ns_reloc *x = a, *y = b;

	if (x->section != y->section)
		return x->section < y->section ? -1 : 1;
	return (x->entry > y->entry) - (x->entry < y->entry);
}

/* The relocations of namespace fields sorted by section and entry.  0 (with
 * *count 0 when there are none or the tables are unusable) or -ENOMEM. */
static int ns_relocs(const struct mt_elf *elf, const struct symtab *st,
		     struct ns_reloc **out, size_t *count)
{
	struct ns_reloc *list = NULL;
	size_t bytes = 0, n = 0, cap = 0;
	struct ksymtab_rel rel;

	*count = 0;
	for (uint64_t idx = 1; idx < elf->shnum; idx++) {
		unsigned width = elf->is64 ? 8 : 4;

		if (!ksymtab_rel_section(elf, st, idx, &rel) || rel.count == 0)
			continue;
		/* Sections of a well-formed file do not overlap, so the tables fit
		 * in the image together: this bounds the work on hostile files. */
		if (rel.count * rel.entsize > elf->size - bytes) {
			free(list);
			return 0;
		}
		bytes += rel.count * rel.entsize;
		if (mt_array_reserve(&list, &cap, n + rel.count, sizeof(*list)) < 0) {
			free(list);
			return mt_fail(ENOMEM, "%s: out of memory", elf->name);
		}
		for (size_t i = 0; width == 8 && i < rel.count; i++) {
			if (rel_offset(elf, &rel, i) % 8 == 4)
				width = 4;
		}
		for (size_t i = 0; i < rel.count; i++) {
			uint64_t offset = rel_offset(elf, &rel, i);

			if (offset % (3 * width) != 2 * width ||
			    !mt_in_bounds(offset, width, rel.target_size))
				continue;
			list[n] = (struct ns_reloc){ .section = rel.target,
						     .entry = offset - 2 * width };
			read_rel(elf, &rel, i, width, offset, &list[n++]);
		}
	}
	/* Relocation sections whose entries were all rejected leave nothing. */
	if (n == 0) {
		free(list);
		return 0;
	}
	qsort(list, n, sizeof(*list), ns_reloc_cmp);
	*out = list;
	*count = n;
	return 0;
}

/* The only element of a sorted array equal to `key`, or NULL when there is
 * none or more than one. */
static const void *find_unique(const void *key, const void *base, size_t count, size_t size,
			       int (*cmp)(const void *, const void *))
{
	const char *found = bsearch(key, base, count, size, cmp), *start = base;

	if (!found || (found > start && cmp(key, found - size) == 0) ||
	    (found + size < start + count * size && cmp(key, found + size) == 0))
		return NULL;
	return found;
}

/* A __ksymtab_NAME symbol: NAME and the relocation of its namespace field. */
struct ksymtab_ref {
	const char *name;
	const struct ns_reloc *reloc;
};

static int ksymtab_ref_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ksymtab_ref *)a)->name, ((const struct ksymtab_ref *)b)->name);
}

/* The __ksymtab_ symbols of `st` at a struct kernel_symbol whose namespace
 * field has a relocation, sorted by name; none when there are more of them
 * than relocations, as a well-formed module has one per struct.  Only
 * symbols in a relocated section get their name compared.  0 or -ENOMEM. */
static int ksymtab_refs(const struct mt_elf *elf, const struct symtab *st,
			const struct ns_reloc *relocs, size_t nrelocs,
			struct ksymtab_ref **out, size_t *count)
{
	size_t prefix_len = strlen(KSYMTAB_PREFIX), n = 0;
	size_t nsections = elf->shnum < SHN_LORESERVE ? elf->shnum : SHN_LORESERVE;
	struct ksymtab_ref *list = calloc(nrelocs, sizeof(*list));
	bool *relocated = calloc(nsections, sizeof(*relocated));
	const struct ns_reloc *r;
	struct ns_reloc entry;
	const char *name;
	struct sym sym;

	*count = 0;
	if (!list || !relocated) {
		free(list);
		free(relocated);
		return mt_fail(ENOMEM, "%s: out of memory", elf->name);
	}
	for (size_t i = 0; i < nrelocs; i++) {
		if (relocs[i].section < nsections)
			relocated[relocs[i].section] = true;
	}
	for (size_t i = 1; i < st->count; i++) {
		read_sym(elf, st, i, &sym);
		if (sym.shndx >= nsections || !relocated[sym.shndx])
			continue;
		entry = (struct ns_reloc){ .section = sym.shndx, .entry = sym.value };
		r = find_unique(&entry, relocs, nrelocs, sizeof(*relocs), ns_reloc_cmp);
		name = r ? sym_name(st, &sym) : NULL;
		if (!name || strncmp(name, KSYMTAB_PREFIX, prefix_len) != 0)
			continue;
		if (n == nrelocs) {
			n = 0;
			break;
		}
		list[n++] = (struct ksymtab_ref){ .name = name + prefix_len, .reloc = r };
	}
	free(relocated);
	qsort(list, n, sizeof(*list), ksymtab_ref_cmp);
	*out = list;
	*count = n;
	return 0;
}

/* The non-empty string a namespace relocation points at, or NULL. */
static const char *ns_string(const struct mt_elf *elf, const struct symtab *st,
			     const struct ns_reloc *r)
{
	const uint8_t *data;
	struct shdr sh;
	struct sym sym;
	size_t size;
	uint64_t pos;

	if (r->sym == 0 || r->sym >= st->count)
		return NULL;
	read_sym(elf, st, r->sym, &sym);
	if (sym.shndx == SHN_UNDEF || sym.shndx >= SHN_LORESERVE || sym.shndx >= elf->shnum)
		return NULL;
	read_shdr(elf, sym.shndx, &sh);
	if (!shdr_contents(elf, &sh, &data, &size) || sym.value > size)
		return NULL;
	if (r->addend < 0 ? (uint64_t)-(r->addend + 1) >= sym.value
			  : (uint64_t)r->addend >= size - sym.value)
		return NULL;
	pos = sym.value + (uint64_t)r->addend;
	if (data[pos] == '\0' || !memchr(data + pos, '\0', size - pos))
		return NULL;
	return (const char *)data + pos;
}

/* Set the namespaces of `count` exports.  0 or -ENOMEM. */
static int export_namespaces(const struct mt_elf *elf, const struct symtab *st,
			     struct mt_symbol *list, size_t count)
{
	struct ns_reloc *relocs = NULL;
	struct ksymtab_ref *refs = NULL;
	size_t nrelocs, nrefs;
	int err;

	err = ns_relocs(elf, st, &relocs, &nrelocs);
	if (err < 0 || nrelocs == 0)
		return err;
	err = ksymtab_refs(elf, st, relocs, nrelocs, &refs, &nrefs);
	if (err < 0)
		goto out;
	for (size_t i = 0; i < count; i++) {
		const struct ksymtab_ref key = { .name = list[i].name };
		const struct ksymtab_ref *ref = find_unique(&key, refs, nrefs, sizeof(*refs),
							    ksymtab_ref_cmp);

		if (ref)
			list[i].ns = ns_string(elf, st, ref->reloc);
	}
out:
	free(relocs);
	free(refs);
	return err;
}

int mt_elf_exports(const struct mt_elf *elf, struct mt_symbol **out)
{
	struct symtab st;
	bool have_symtab = symtab_open(elf, &st) == 0;
	int count = have_symtab ? crc_exports(elf, &st, out) : 0, err;

	if (count == 0)
		count = ksymtab_string_exports(elf, out);
	if (count <= 0 || !have_symtab)
		return count;
	err = export_namespaces(elf, &st, *out, (size_t)count);
	if (err < 0) {
		free(*out);
		return err;
	}
	return count;
}

/* An open-addressing table of __versions entries by name: slot values are
 * entry index + 1, 0 is empty; at most half full, so probes stay short. */
struct version_table {
	uint32_t *slots;
	size_t mask;
};

static size_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static bool version_table_init(struct version_table *t, const struct mt_symbol *versions,
			       size_t count)
{
	size_t cap = 16;

	while (cap < 2 * count)
		cap *= 2;
	t->slots = calloc(cap, sizeof(*t->slots));
	t->mask = cap - 1;
	if (!t->slots)
		return false;
	for (size_t i = 0; i < count; i++) {
		size_t h = name_hash(versions[i].name) & t->mask;

		while (t->slots[h])
			h = (h + 1) & t->mask;
		t->slots[h] = (uint32_t)i + 1;
	}
	return true;
}

/* Mark every entry named `name` covered; the first one's index in section
 * order, or SIZE_MAX when there is none. */
static size_t version_table_take(const struct version_table *t, const struct mt_symbol *versions,
				 bool *covered, const char *name)
{
	size_t first = SIZE_MAX;

	for (size_t h = name_hash(name) & t->mask; t->slots[h]; h = (h + 1) & t->mask) {
		size_t i = t->slots[h] - 1;

		if (strcmp(versions[i].name, name) == 0) {
			covered[i] = true;
			if (i < first)
				first = i;
		}
	}
	return first;
}

static bool is_import(const struct sym *sym, const char *name, bool skip_registers)
{
	return sym->shndx == SHN_UNDEF && name[0] != '\0' &&
	       !(skip_registers && (sym->info & 0xf) == STT_SPARC_REGISTER);
}

int mt_elf_imports(const struct mt_elf *elf, struct mt_symbol **out)
{
	bool skip_registers = elf->machine == EM_SPARC || elf->machine == EM_SPARCV9;
	struct mt_symbol *versions = NULL, *list = NULL;
	struct version_table table = { 0 };
	bool *covered = NULL;
	size_t nversions, nundef = 0, n = 0;
	struct symtab st;
	struct sym sym;
	const char *name;
	int err;

	/* Without a symbol table the imports are unknown: kmod reports EINVAL. */
	err = symtab_open(elf, &st);
	if (err < 0)
		return err == -ENODATA ? -EINVAL : err;
	for (size_t i = 1; i < st.count; i++) {
		read_sym(elf, &st, i, &sym);
		name = sym_name(&st, &sym);
		if (!name)
			return mt_fail(EINVAL, "%s: .symtab entry %zu has an invalid name offset %u",
				       elf->name, i, sym.name);
		if (is_import(&sym, name, skip_registers))
			nundef++;
	}

	/* As in kmod, a missing or malformed __versions only means no CRCs. */
	err = mt_elf_versions(elf, &versions);
	if (err == -ENOMEM)
		return err;
	nversions = err > 0 ? (size_t)err : 0;

	list = alloc_result(elf, nundef + nversions, sizeof(*list), &err);
	if (!list)
		goto out;
	covered = calloc(nversions ? nversions : 1, sizeof(*covered));
	if (!covered || !version_table_init(&table, versions, nversions)) {
		err = mt_fail(ENOMEM, "%s: out of memory", elf->name);
		goto out;
	}

	for (size_t i = 1; i < st.count; i++) {
		const char *key;
		size_t v;

		read_sym(elf, &st, i, &sym);
		name = sym_name(&st, &sym);
		if (!is_import(&sym, name, skip_registers))
			continue;
		list[n] = (struct mt_symbol){ .name = name, .weak = (sym.info >> 4) == STB_WEAK };
		/* __versions names lost their leading '.', so compare likewise. */
		key = name[0] == '.' ? name + 1 : name;
		v = version_table_take(&table, versions, covered, key);
		if (v != SIZE_MAX)
			list[n].crc = versions[v].crc;
		n++;
	}
	for (size_t i = 0; i < nversions; i++) {
		if (!covered[i])
			list[n++] = versions[i];
	}
	*out = list;
	list = NULL;
	err = (int)n;
out:
	free(list);
	free(versions);
	free(table.slots);
	free(covered);
	return err;
}

/*
 * struct module starts with `enum module_state state; struct list_head list;
 * char name[MODULE_NAME_LEN];` with MODULE_NAME_LEN = 64 - sizeof(long), so
 * the name sits at 4 + pad + 2 pointers: offset 24 on 64-bit, 12 on 32-bit.
 * Checked against the 6.1 amd64 tree (ext4.ko has "ext4" at offset 0x18).
 */
int mt_elf_module_name(const struct mt_elf *elf, char *buf, size_t size)
{
	size_t offset = elf->is64 ? 24 : 12, field = elf->is64 ? 56 : 60, len;
	const uint8_t *data, *nul;
	size_t section_size;

	if (!find_section(elf, ".gnu.linkonce.this_module", &data, &section_size))
		return mt_fail(ENODATA, "%s: no .gnu.linkonce.this_module section", elf->name);
	if (!mt_in_bounds(offset, field, section_size))
		return mt_fail(EINVAL, "%s: .gnu.linkonce.this_module is too small", elf->name);
	nul = memchr(data + offset, '\0', field);
	if (!nul || nul == data + offset)
		return mt_fail(EINVAL, "%s: module name in .gnu.linkonce.this_module is %s",
			       elf->name, nul ? "empty" : "unterminated");
	len = (size_t)(nul - (data + offset));
	if (len >= size)
		return mt_fail(ENAMETOOLONG, "%s: module name is too long", elf->name);
	memcpy(buf, data + offset, len + 1);
	return (int)len;
}

/* Notes are 4-byte aligned here: the kernel links .note.gnu.build-id so. */
static uint64_t note_pad(uint64_t n)
{
	return (n + 3) & ~UINT64_C(3);
}

int mt_elf_build_id(const struct mt_elf *elf, const void **id, size_t *len)
{
	const uint8_t *data;
	size_t size, pos = 0;

	if (!find_section(elf, BUILD_ID_SECTION, &data, &size))
		return mt_fail(ENODATA, "%s: no %s section", elf->name, BUILD_ID_SECTION);
	/* Each note: namesz, descsz, type, then the name and the descriptor,
	 * each padded to 4 bytes; sizes come from the file, so every step is
	 * checked against what is left of the section. */
	while (pos < size) {
		uint32_t namesz, descsz, type;
		uint64_t name_at, desc_at, next;

		if (size - pos < 12)
			return mt_fail(EINVAL, "%s: %s: truncated note header at offset %zu",
				       elf->name, BUILD_ID_SECTION, pos);
		namesz = mt_get32(data + pos, elf->big);
		descsz = mt_get32(data + pos + 4, elf->big);
		type = mt_get32(data + pos + 8, elf->big);
		name_at = (uint64_t)pos + 12;
		desc_at = name_at + note_pad(namesz);
		next = desc_at + note_pad(descsz);
		if (!mt_in_bounds(name_at, namesz, size) ||
		    !mt_in_bounds(desc_at, descsz, size))
			return mt_fail(EINVAL, "%s: %s: note at offset %zu is larger than the section",
				       elf->name, BUILD_ID_SECTION, pos);
		if (type == NT_GNU_BUILD_ID && namesz == 4 && memcmp(data + name_at, "GNU", 4) == 0) {
			if (descsz == 0)
				return mt_fail(EINVAL, "%s: %s: empty build id", elf->name,
					       BUILD_ID_SECTION);
			*id = data + desc_at;
			*len = descsz;
			return 0;
		}
		pos = next < size ? (size_t)next : size;
	}
	return mt_fail(ENODATA, "%s: %s holds no GNU build id note", elf->name, BUILD_ID_SECTION);
}

/* Offset of sh_flags in a section header; SHF_ALLOC is bit 1 in both widths
 * and lies in the low word, so only that word is touched. */
static size_t shdr_flags_low_word(const struct mt_elf *elf, uint64_t idx)
{
	size_t off = (size_t)(elf->shoff + idx * SHDR_SIZE(elf->is64)) + 8;

	return elf->is64 && elf->big ? off + 4 : off;
}

int mt_elf_strip(const struct mt_elf *elf, void *copy, unsigned flags)
{
	uint8_t *out = copy;
	const uint8_t *data;
	size_t size;

	if (flags & MT_STRIP_MODVERSIONS) {
		struct shdr sh;

		for (uint64_t i = 1; i < elf->shnum; i++) {
			read_shdr(elf, i, &sh);
			if (sh.name < elf->shstrtab_size &&
			    strcmp(elf->shstrtab + sh.name, "__versions") == 0) {
				size_t off = shdr_flags_low_word(elf, i);
				uint32_t f = mt_get32(out + off, elf->big) & ~UINT32_C(0x2);

				for (int b = 0; b < 4; b++)
					out[off + b] = (uint8_t)(f >> (elf->big ? 24 - 8 * b : 8 * b));
				break;
			}
		}
	}
	if ((flags & MT_STRIP_VERMAGIC) && find_section(elf, ".modinfo", &data, &size)) {
		const char *pos = (const char *)data, *end = pos + size, *s;
		size_t len;

		while ((s = next_string(&pos, end, &len))) {
			if (len >= 9 && memcmp(s, "vermagic=", 9) == 0) {
				memset(out + (s - (const char *)elf->image), 0, len);
				return 0;
			}
		}
		return mt_fail(ENODATA, "%s: no vermagic in .modinfo", elf->name);
	}
	return 0;
}

/*
 * test-elf.c — the ELF module reader: round trips of genmod images in both
 * classes and byte orders, hand-corrupted images (each failure must give
 * the exact errno and a message naming the file), the build id note,
 * reading files whole or only named sections (mt_elf_read), and a few real
 * modules of the installed Debian tree when it is present.
 */
#include <errno.h>
#include <glob.h>
#include <stdlib.h>
#include "genmod.h"
#include "internal.h"
#include "libmodtool.h"
#include "module-tree.h"
#include "tap.h"

/* Field offsets of the ELF structures for one class. */
struct layout {
	unsigned word;				/* size of addresses and offsets */
	size_t e_shoff, e_shentsize, e_shnum, e_shstrndx;
	size_t shdr_size, sh_offset, sh_size, sh_link;
	size_t sym_size, st_value, st_info, st_shndx;
};

static const struct layout layout64 = { 8, 40, 58, 60, 62, 64, 24, 32, 40, 24, 8, 4, 6 };
static const struct layout layout32 = { 4, 32, 46, 48, 50, 40, 16, 20, 24, 16, 4, 12, 14 };

/* An image in an exactly sized buffer, so ASan sees any read past its end. */
struct img {
	unsigned char *data;
	size_t size;
	bool big;
	const struct layout *l;
};

static uint64_t get(const struct img *m, size_t off, unsigned width)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < width; i++)
		v |= (uint64_t)m->data[off + (m->big ? width - 1 - i : i)] << (8 * i);
	return v;
}

static void put(struct img *m, size_t off, unsigned width, uint64_t v)
{
	if (width == 2)
		genmod_put16(m->data + off, (uint16_t)v, m->big);
	else if (width == 4)
		genmod_put32(m->data + off, (uint32_t)v, m->big);
	else
		genmod_put64(m->data + off, v, m->big);
}

static struct img img_copy(const unsigned char *data, size_t size, const struct img *like)
{
	struct img m = { malloc(size ? size : 1), size, like->big, like->l };

	if (!m.data)
		abort();
	memcpy(m.data, data, size);
	return m;
}

static struct img img_build(const struct genmod_spec *spec)
{
	struct img like = { .big = spec->big_endian,
			    .l = spec->elf_class == 64 ? &layout64 : &layout32 };
	unsigned char *data;
	size_t size;
	struct img m;

	if (genmod_build(spec, &data, &size) < 0)
		abort();
	m = img_copy(data, size, &like);
	free(data);
	return m;
}

/* File offset of section header `idx`. */
static size_t shdr(const struct img *m, unsigned idx)
{
	return get(m, m->l->e_shoff, m->l->word) + (size_t)idx * m->l->shdr_size;
}

/* Index of the section named `name`, parsed independently of the reader. */
static unsigned section_index(const struct img *m, const char *name)
{
	unsigned count = (unsigned)get(m, m->l->e_shnum, 2);
	size_t strtab = get(m, shdr(m, (unsigned)get(m, m->l->e_shstrndx, 2)) + m->l->sh_offset,
			    m->l->word);

	for (unsigned i = 1; i < count; i++) {
		if (strcmp((const char *)m->data + strtab + get(m, shdr(m, i), 4), name) == 0)
			return i;
	}
	abort();
}

static size_t sh_field(const struct img *m, const char *name, size_t field)
{
	return shdr(m, section_index(m, name)) + field;
}

static size_t section_offset(const struct img *m, const char *name)
{
	return get(m, sh_field(m, name, m->l->sh_offset), m->l->word);
}

static size_t section_size(const struct img *m, const char *name)
{
	return get(m, sh_field(m, name, m->l->sh_size), m->l->word);
}

/* File offset of symbol `idx` of .symtab. */
static size_t sym_entry(const struct img *m, unsigned idx)
{
	return section_offset(m, ".symtab") + (size_t)idx * m->l->sym_size;
}

static int img_open(const struct img *m, const char *name, struct mt_elf **elf)
{
	return mt_elf_open(m->data, m->size, name, elf);
}

/* Open the image again after patching it; bail out if it no longer opens. */
static struct mt_elf *reopen(struct mt_elf *elf, const struct img *m, const char *file)
{
	if (elf)
		mt_elf_close(elf);
	if (img_open(m, file, &elf) < 0) {
		printf("Bail out! %s\n", mt_last_error());
		exit(1);
	}
	return elf;
}

static void check_message(const char *file)
{
	tap_ok(strstr(mt_last_error(), file) != NULL, "%s: message names the file: %s",
	       file, mt_last_error());
}

/* The call failed with exactly -want and said so about `file`. */
static void check_fail(int ret, int want, const char *file, const char *what)
{
	tap_is_int(ret, -want, "%s: %s fails with %s", file, what, strerror(want));
	check_message(file);
}

static void check_open_fails(const struct img *m, int want, const char *file)
{
	struct mt_elf *elf = NULL;
	int ret = img_open(m, file, &elf);

	check_fail(ret, want, file, "open");
	if (ret == 0)
		mt_elf_close(elf);
}

static const char *const standard_modinfo[] = {
	"license=GPL", "description=two = signs", "flag", "alias=pci:v*d*", "vermagic=6.1.0 SMP",
};

static const struct genmod_symbol standard_exports[] = {
	{ .name = "mt_export_one", .crc = 0x12345678 },
	{ .name = "mt_export_two", .crc = 0xdeadbeef },
};

static const struct genmod_symbol standard_imports[] = {
	{ .name = "printk" }, { .name = "maybe_there", .weak = true }, { .name = "kmalloc" },
};

/* printk's CRC is over 32 bits so that 64-bit records are read whole. */
static const struct genmod_symbol standard_versions64[] = {
	{ .name = "printk", .crc = 0x1122334455667788ull },
	{ .name = "module_layout", .crc = 0x0badcafe },
	{ .name = ".kmalloc", .crc = 0x99 },
};

static const struct genmod_symbol standard_versions32[] = {
	{ .name = "printk", .crc = 0x55667788 },
	{ .name = "module_layout", .crc = 0x0badcafe },
	{ .name = ".kmalloc", .crc = 0x99 },
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static struct genmod_spec standard_spec(unsigned elf_class, bool big)
{
	return (struct genmod_spec){
		.elf_class = elf_class,
		.big_endian = big,
		.modinfo = standard_modinfo,
		.n_modinfo = COUNT(standard_modinfo),
		.exports = standard_exports,
		.n_exports = COUNT(standard_exports),
		.imports = standard_imports,
		.n_imports = COUNT(standard_imports),
		.versions = elf_class == 64 ? standard_versions64 : standard_versions32,
		.n_versions = 3,
		.name = "mt_round_trip",
	};
}

static void check_kv(const struct mt_kv *kv, const char *key, const char *value, const char *ctx)
{
	tap_ok(kv->key_len == strlen(key) && memcmp(kv->key, key, kv->key_len) == 0 &&
	       kv->value_len == strlen(value) && memcmp(kv->value, value, kv->value_len) == 0,
	       "%s: modinfo '%s' = '%s' (got '%.*s' = '%.*s')", ctx, key, value,
	       (int)kv->key_len, kv->key, (int)kv->value_len, kv->value);
}

/* A symbol without a namespace, as every one outside the namespace tests. */
static void check_symbol(const struct mt_symbol *s, const char *name, uint64_t crc, bool weak,
			 const char *ctx)
{
	tap_ok(strcmp(s->name, name) == 0 && s->crc == crc && s->weak == weak && !s->ns,
	       "%s: %s crc %#llx%s (got %s %#llx%s%s)", ctx, name, (unsigned long long)crc,
	       weak ? " weak" : "", s->name, (unsigned long long)s->crc, s->weak ? " weak" : "",
	       s->ns ? " with a namespace" : "");
}

static void test_round_trip(unsigned elf_class, bool big, unsigned machine)
{
	struct genmod_spec spec = standard_spec(elf_class, big);
	const struct genmod_symbol *vers = spec.versions;
	char ctx[32], name[64];
	struct mt_elf *elf;
	struct mt_kv *kv;
	struct mt_symbol *syms;
	const void *data;
	size_t size, len;
	struct img m;
	int n;

	snprintf(ctx, sizeof(ctx), "ELF%u %s", elf_class, big ? "BE" : "LE");
	spec.machine = machine;
	m = img_build(&spec);
	elf = reopen(NULL, &m, ctx);

	tap_is_int(mt_elf_class(elf), elf_class, "%s: class", ctx);
	tap_is_int(mt_elf_big_endian(elf), big, "%s: byte order", ctx);
	tap_is_int(mt_elf_machine(elf), machine, "%s: machine", ctx);

	tap_is_int(mt_elf_section(elf, ".modinfo", &data, &size), 0, "%s: .modinfo found", ctx);
	tap_ok((const unsigned char *)data == m.data + section_offset(&m, ".modinfo") &&
	       size == section_size(&m, ".modinfo"), "%s: .modinfo points into the image", ctx);
	check_fail(mt_elf_section(elf, ".nosuch", &data, &size), ENODATA, ctx, "missing section");

	n = mt_elf_modinfo(elf, &kv);
	tap_is_int(n, 5, "%s: modinfo count", ctx);
	if (n == 5) {
		check_kv(&kv[0], "license", "GPL", ctx);
		check_kv(&kv[1], "description", "two = signs", ctx);
		check_kv(&kv[2], "flag", "", ctx);
		check_kv(&kv[3], "alias", "pci:v*d*", ctx);
		check_kv(&kv[4], "vermagic", "6.1.0 SMP", ctx);
		tap_ok(mt_kv_find(kv, n, "flag", &len) == kv[2].value && len == 0,
		       "%s: kv_find of a key without '='", ctx);
		tap_ok(mt_kv_find(kv, n, "alias", &len) == kv[3].value && len == 8,
		       "%s: kv_find alias", ctx);
		tap_ok(mt_kv_find(kv, n, "alia", &len) == NULL, "%s: kv_find needs the whole key", ctx);
	}
	if (n >= 0)
		free(kv);

	n = mt_elf_versions(elf, &syms);
	tap_is_int(n, 3, "%s: versions count", ctx);
	if (n == 3) {
		check_symbol(&syms[0], "printk", vers[0].crc, false, ctx);
		check_symbol(&syms[1], "module_layout", 0x0badcafe, false, ctx);
		check_symbol(&syms[2], "kmalloc", 0x99, false, ctx);
	}
	if (n >= 0)
		free(syms);

	n = mt_elf_exports(elf, &syms);
	tap_is_int(n, 2, "%s: exports count", ctx);
	if (n == 2) {
		check_symbol(&syms[0], "mt_export_one", 0x12345678, false, ctx);
		check_symbol(&syms[1], "mt_export_two", 0xdeadbeef, false, ctx);
	}
	if (n >= 0)
		free(syms);

	n = mt_elf_imports(elf, &syms);
	tap_is_int(n, 4, "%s: imports count", ctx);
	if (n == 4) {
		check_symbol(&syms[0], "printk", vers[0].crc, false, ctx);
		check_symbol(&syms[1], "maybe_there", 0, true, ctx);
		check_symbol(&syms[2], "kmalloc", 0x99, false, ctx);
		check_symbol(&syms[3], "module_layout", 0x0badcafe, false, ctx);
	}
	if (n >= 0)
		free(syms);

	tap_is_int(mt_elf_module_name(elf, name, sizeof(name)), 13, "%s: module name length", ctx);
	tap_is_str(name, "mt_round_trip", "%s: module name", ctx);
	check_fail(mt_elf_module_name(elf, name, 13), ENAMETOOLONG, ctx, "module name in a short buffer");
	mt_elf_close(elf);
	free(m.data);
}

static void test_export_variants(unsigned elf_class, bool big)
{
	struct genmod_spec spec = standard_spec(elf_class, big);
	uint64_t abs_crc = elf_class == 64 ? 0xfedcba9876543210ull : 0x76543210;
	struct genmod_symbol abs_export[] = { { .name = "mt_abs", .crc = abs_crc } };
	char ctx[48];
	struct mt_symbol *syms;
	struct mt_elf *elf;
	struct img m;
	int n;

	snprintf(ctx, sizeof(ctx), "ELF%u %s ksymtab-only", elf_class, big ? "BE" : "LE");
	spec.ksymtab_only = true;
	m = img_build(&spec);
	elf = reopen(NULL, &m, ctx);
	n = mt_elf_exports(elf, &syms);
	tap_is_int(n, 2, "%s: exports from __ksymtab_strings", ctx);
	if (n == 2) {
		check_symbol(&syms[0], "mt_export_one", 0, false, ctx);
		check_symbol(&syms[1], "mt_export_two", 0, false, ctx);
	}
	if (n >= 0)
		free(syms);
	mt_elf_close(elf);
	free(m.data);

	snprintf(ctx, sizeof(ctx), "ELF%u %s abs-crcs", elf_class, big ? "BE" : "LE");
	spec.ksymtab_only = false;
	spec.abs_crcs = true;
	spec.exports = abs_export;
	spec.n_exports = 1;
	m = img_build(&spec);
	elf = reopen(NULL, &m, ctx);
	n = mt_elf_exports(elf, &syms);
	tap_is_int(n, 1, "%s: one export", ctx);
	if (n == 1)
		check_symbol(&syms[0], "mt_abs", abs_crc, false, ctx);
	if (n >= 0)
		free(syms);
	mt_elf_close(elf);
	free(m.data);
}

/* Sections that are absent give ENODATA, with the file named. */
static void test_absent_sections(void)
{
	struct genmod_spec spec = { .elf_class = 64 };
	struct mt_symbol *syms;
	struct mt_kv *kv;
	struct mt_elf *elf;
	char name[64];
	struct img m = img_build(&spec);
	int n;

	elf = reopen(NULL, &m, "bare.ko");
	tap_is_int(mt_elf_machine(elf), 62, "bare.ko: genmod's default machine is x86-64");
	check_fail(mt_elf_modinfo(elf, &kv), ENODATA, "bare.ko", "modinfo");
	check_fail(mt_elf_versions(elf, &syms), ENODATA, "bare.ko", "versions");
	check_fail(mt_elf_exports(elf, &syms), ENODATA, "bare.ko", "exports");
	check_fail(mt_elf_module_name(elf, name, sizeof(name)), ENODATA, "bare.ko", "module name");
	n = mt_elf_imports(elf, &syms);
	tap_is_int(n, 0, "bare.ko: no imports");
	if (n >= 0)
		free(syms);
	mt_elf_close(elf);
	free(m.data);
}

static void test_header_errors(void)
{
	struct genmod_spec spec = standard_spec(64, false);
	struct genmod_spec spec32 = standard_spec(32, true);
	struct img good = img_build(&spec), good32 = img_build(&spec32), m;
	const struct layout *l = good.l;
	uint64_t shoff = get(&good, l->e_shoff, 8);

	m = img_copy(good.data, 16, &good);
	check_open_fails(&m, ENOEXEC, "sixteen.ko");
	free(m.data);

	m = img_copy(good.data, good.size, &good);
	m.data[1] = 'e';
	check_open_fails(&m, ENOEXEC, "bad-magic.ko");
	free(m.data);

	m = img_copy(good.data, 40, &good);
	check_open_fails(&m, EINVAL, "truncated-header.ko");
	free(m.data);

	m = img_copy(good.data, 64, &good);
	check_open_fails(&m, EINVAL, "header-only.ko");
	free(m.data);

	m = img_copy(good32.data, 52, &good32);
	check_open_fails(&m, EINVAL, "header-only32.ko");
	free(m.data);

	m = img_copy(good.data, good.size, &good);
	m.data[4] = 3;
	check_open_fails(&m, EINVAL, "bad-class.ko");
	m.data[4] = 2;
	m.data[5] = 0;
	check_open_fails(&m, EINVAL, "bad-data.ko");
	m.data[5] = 1;

	put(&m, l->e_shentsize, 2, 40);
	check_open_fails(&m, EINVAL, "lying-shentsize.ko");
	put(&m, l->e_shentsize, 2, 64);

	put(&m, l->e_shoff, 8, m.size - 10);
	check_open_fails(&m, EINVAL, "shoff-past-end.ko");
	put(&m, l->e_shoff, 8, UINT64_MAX - 8);
	check_open_fails(&m, EINVAL, "shoff-overflow.ko");
	put(&m, l->e_shoff, 8, shoff);

	put(&m, l->e_shnum, 2, get(&m, l->e_shnum, 2) + 1);
	check_open_fails(&m, EINVAL, "shnum-past-end.ko");
	put(&m, l->e_shnum, 2, get(&m, l->e_shnum, 2) - 1);

	put(&m, l->e_shstrndx, 2, get(&m, l->e_shnum, 2));
	check_open_fails(&m, EINVAL, "shstrndx-out-of-range.ko");
	put(&m, l->e_shstrndx, 2, 0);
	check_open_fails(&m, EINVAL, "shstrndx-zero.ko");
	free(m.data);

	m = img_copy(good32.data, good32.size, &good32);
	put(&m, m.l->e_shentsize, 2, 64);
	check_open_fails(&m, EINVAL, "lying-shentsize32.ko");
	put(&m, m.l->e_shentsize, 2, 40);
	put(&m, m.l->e_shstrndx, 2, 200);
	check_open_fails(&m, EINVAL, "shstrndx-out-of-range32.ko");
	free(m.data);
	free(good.data);
	free(good32.data);
}

static void test_shstrtab_errors(void)
{
	struct genmod_spec spec = standard_spec(64, false);
	struct img good = img_build(&spec), m;
	size_t off = section_offset(&good, ".shstrtab"), size = section_size(&good, ".shstrtab");
	size_t size_field = sh_field(&good, ".shstrtab", good.l->sh_size);
	size_t off_field = sh_field(&good, ".shstrtab", good.l->sh_offset);

	m = img_copy(good.data, good.size, &good);
	m.data[off + size - 1] = 'x';
	check_open_fails(&m, EINVAL, "shstrtab-unterminated.ko");
	free(m.data);

	m = img_copy(good.data, good.size, &good);
	put(&m, size_field, 8, 0);
	check_open_fails(&m, EINVAL, "shstrtab-empty.ko");
	put(&m, size_field, 8, m.size);
	check_open_fails(&m, EINVAL, "shstrtab-past-end.ko");
	put(&m, size_field, 8, size);
	put(&m, off_field, 8, UINT64_MAX - 2);
	check_open_fails(&m, EINVAL, "shstrtab-offset-overflow.ko");
	free(m.data);
	free(good.data);
}

/* Headers past the end or with a bad name are skipped by the lookup. */
static void test_section_lookup(void)
{
	struct genmod_spec spec = standard_spec(64, false);
	struct img m = img_build(&spec);
	const struct layout *l = m.l;
	size_t modinfo = shdr(&m, section_index(&m, ".modinfo"));
	size_t versions = shdr(&m, section_index(&m, "__versions"));
	size_t modinfo_off = get(&m, modinfo + l->sh_offset, 8);
	size_t modinfo_size = get(&m, modinfo + l->sh_size, 8);
	uint64_t modinfo_name = get(&m, modinfo, 4), versions_name = get(&m, versions, 4);
	struct mt_elf *elf = NULL;
	const void *data;
	struct mt_kv *kv;
	size_t size;
	int n;

	put(&m, modinfo + l->sh_offset, 8, m.size - modinfo_size + 1);
	elf = reopen(elf, &m, "lookup.ko");
	check_fail(mt_elf_section(elf, ".modinfo", &data, &size), ENODATA, "lookup.ko",
		   "section one byte past the end");
	check_fail(mt_elf_modinfo(elf, &kv), ENODATA, "lookup.ko", "modinfo past the end");

	put(&m, modinfo + l->sh_offset, 8, UINT64_MAX - 4);
	elf = reopen(elf, &m, "lookup.ko");
	check_fail(mt_elf_section(elf, ".modinfo", &data, &size), ENODATA, "lookup.ko",
		   "section with a wrapping offset");

	put(&m, modinfo + l->sh_offset, 8, m.size - modinfo_size);
	elf = reopen(elf, &m, "lookup.ko");
	tap_ok(mt_elf_section(elf, ".modinfo", &data, &size) == 0 && size == modinfo_size,
	       "lookup.ko: section ending exactly at the end is found");

	/* Overlapping other data is allowed: the whole file as .modinfo. */
	put(&m, modinfo + l->sh_offset, 8, 0);
	put(&m, modinfo + l->sh_size, 8, m.size);
	elf = reopen(elf, &m, "lookup.ko");
	tap_ok(mt_elf_section(elf, ".modinfo", &data, &size) == 0 && data == m.data &&
	       size == m.size, "lookup.ko: overlapping section is found");

	/* First match wins, but a match past the end is skipped for the next. */
	put(&m, versions, 4, modinfo_name);
	elf = reopen(elf, &m, "lookup.ko");
	tap_ok(mt_elf_section(elf, ".modinfo", &data, &size) == 0 && data == m.data,
	       "lookup.ko: first of two same-named sections");
	put(&m, modinfo + l->sh_size, 8, m.size + 1);
	elf = reopen(elf, &m, "lookup.ko");
	tap_ok(mt_elf_section(elf, ".modinfo", &data, &size) == 0 &&
	       data == m.data + get(&m, versions + l->sh_offset, 8),
	       "lookup.ko: same-named section after one past the end");
	put(&m, versions, 4, versions_name);
	put(&m, modinfo + l->sh_offset, 8, modinfo_off);
	put(&m, modinfo + l->sh_size, 8, modinfo_size);

	put(&m, modinfo, 4, section_size(&m, ".shstrtab"));
	elf = reopen(elf, &m, "lookup.ko");
	check_fail(mt_elf_section(elf, ".modinfo", &data, &size), ENODATA, "lookup.ko",
		   "section with sh_name just past the name table");
	put(&m, modinfo, 4, UINT32_MAX);
	elf = reopen(elf, &m, "lookup.ko");
	check_fail(mt_elf_section(elf, ".modinfo", &data, &size), ENODATA, "lookup.ko",
		   "section with sh_name far past the name table");
	put(&m, modinfo, 4, modinfo_name);

	/* SHT_NOBITS: no contents whatever the offset says. */
	put(&m, modinfo + 4, 4, 8);
	put(&m, modinfo + l->sh_offset, 8, UINT64_MAX);
	elf = reopen(elf, &m, "lookup.ko");
	tap_ok(mt_elf_section(elf, ".modinfo", &data, &size) == 0 && size == 0,
	       "lookup.ko: NOBITS section is found empty");
	n = mt_elf_modinfo(elf, &kv);
	tap_is_int(n, 0, "lookup.ko: NOBITS .modinfo has no strings");
	if (n >= 0)
		free(kv);
	mt_elf_close(elf);
	free(m.data);
}

/* Extended numbering: e_shnum 0 and e_shstrndx SHN_XINDEX defer to section 0. */
static void test_extended_numbering(void)
{
	struct genmod_spec spec = standard_spec(32, true);
	struct img m = img_build(&spec);
	const struct layout *l = m.l;
	uint64_t shnum = get(&m, l->e_shnum, 2), shstrndx = get(&m, l->e_shstrndx, 2);
	struct mt_elf *elf;
	const void *data;
	size_t size;

	put(&m, l->e_shnum, 2, 0);
	put(&m, shdr(&m, 0) + l->sh_size, 4, shnum);
	put(&m, l->e_shstrndx, 2, 0xffff);
	put(&m, shdr(&m, 0) + l->sh_link, 4, shstrndx);
	elf = reopen(NULL, &m, "xindex.ko");
	tap_is_int(mt_elf_section(elf, "__versions", &data, &size), 0,
		   "xindex.ko: sections found through section 0");
	mt_elf_close(elf);

	put(&m, shdr(&m, 0) + l->sh_link, 4, shnum);
	check_open_fails(&m, EINVAL, "xindex-bad-link.ko");
	put(&m, shdr(&m, 0) + l->sh_link, 4, shstrndx);
	/* Section 0 is never the name table, even when its sh_size (the count)
	 * makes the file's first bytes look like a terminated string table. */
	put(&m, l->e_shstrndx, 2, 0);
	check_open_fails(&m, EINVAL, "xindex-shstrndx-zero.ko");
	put(&m, l->e_shstrndx, 2, 0xffff);
	put(&m, shdr(&m, 0) + l->sh_size, 4, 0x10000000);
	check_open_fails(&m, EINVAL, "xindex-huge-count.ko");
	put(&m, l->e_shoff, 4, 0);
	check_open_fails(&m, EINVAL, "no-sections.ko");
	free(m.data);
}

static void test_modinfo_strings(void)
{
	static const struct {
		const char *file;
		const char *bytes;
		size_t len;
		int count;
		const char *first_key, *first_value;
	} cases[] = {
		{ "modinfo-unterminated.ko", "license=GPL", 11, 1, "license", "GPL" },
		{ "modinfo-nul-runs.ko", "\0\0a=1\0\0\0b\0", 10, 2, "a", "1" },
		{ "modinfo-last-unterminated.ko", "a=1\0b=2", 7, 2, "a", "1" },
		{ "modinfo-one-byte-left.ko", "\0\0\0x", 4, 0, NULL, NULL },
		{ "modinfo-only-nuls.ko", "\0\0\0\0", 4, 0, NULL, NULL },
	};
	const char *const one[] = { "license=GPL-and-some-more-room" };
	struct genmod_spec spec = { .elf_class = 32, .modinfo = one, .n_modinfo = 1 };
	struct img good = img_build(&spec);
	size_t off = section_offset(&good, ".modinfo");
	size_t size_field = sh_field(&good, ".modinfo", good.l->sh_size);

	for (size_t i = 0; i < COUNT(cases); i++) {
		struct img m = img_copy(good.data, good.size, &good);
		struct mt_elf *elf;
		struct mt_kv *kv;
		int n;

		memcpy(m.data + off, cases[i].bytes, cases[i].len);
		put(&m, size_field, 4, cases[i].len);
		elf = reopen(NULL, &m, cases[i].file);
		n = mt_elf_modinfo(elf, &kv);
		tap_is_int(n, cases[i].count, "%s: string count", cases[i].file);
		if (n > 0 && cases[i].count > 0)
			check_kv(&kv[0], cases[i].first_key, cases[i].first_value, cases[i].file);
		if (n >= 0)
			free(kv);
		mt_elf_close(elf);
		free(m.data);
	}
	free(good.data);
}

static void test_versions_errors(void)
{
	struct genmod_spec spec = standard_spec(64, true);
	struct img m = img_build(&spec);
	size_t size_field = sh_field(&m, "__versions", m.l->sh_size);
	size_t off = section_offset(&m, "__versions");
	struct mt_symbol *syms;
	struct mt_elf *elf;
	int n;

	put(&m, size_field, 8, 64 * 3 - 1);
	elf = reopen(NULL, &m, "versions.ko");
	check_fail(mt_elf_versions(elf, &syms), EINVAL, "versions.ko", "__versions size 191");
	n = mt_elf_imports(elf, &syms);
	tap_is_int(n, 3, "versions.ko: imports without the bad __versions");
	if (n == 3)
		check_symbol(&syms[0], "printk", 0, false, "versions.ko");
	if (n >= 0)
		free(syms);

	put(&m, size_field, 8, 0);
	elf = reopen(elf, &m, "versions.ko");
	n = mt_elf_versions(elf, &syms);
	tap_is_int(n, 0, "versions.ko: empty __versions");
	if (n >= 0)
		free(syms);

	put(&m, size_field, 8, 64 * 3);
	memset(m.data + off + 64 + 8, 'x', 56);
	elf = reopen(elf, &m, "versions.ko");
	check_fail(mt_elf_versions(elf, &syms), EINVAL, "versions.ko", "name without NUL");
	mt_elf_close(elf);
	free(m.data);
}

/* Symbol-table damage: imports fail, exports fall back to __ksymtab_strings. */
static void test_symtab_errors(void)
{
	struct genmod_spec spec = standard_spec(32, false);
	struct img good = img_build(&spec), m;
	size_t symtab_size = sh_field(&good, ".symtab", good.l->sh_size);
	size_t strtab_off = section_offset(&good, ".strtab");
	size_t strtab_size = section_size(&good, ".strtab");
	/* Symbols: null, 2 x __crc_, __this_module, then the 3 imports. */
	size_t last_import = sym_entry(&good, 6);
	struct mt_symbol *syms;
	struct mt_elf *elf;
	int n;

	m = img_copy(good.data, good.size, &good);
	put(&m, symtab_size, 4, get(&m, symtab_size, 4) - 1);
	elf = reopen(NULL, &m, "symtab-size.ko");
	check_fail(mt_elf_imports(elf, &syms), EINVAL, "symtab-size.ko", "imports");
	n = mt_elf_exports(elf, &syms);
	tap_ok(n == 2 && syms[0].crc == 0, "symtab-size.ko: exports fall back to strings");
	if (n >= 0)
		free(syms);
	mt_elf_close(elf);
	free(m.data);

	m = img_copy(good.data, good.size, &good);
	put(&m, last_import, 4, strtab_size);
	elf = reopen(NULL, &m, "st-name.ko");
	check_fail(mt_elf_imports(elf, &syms), EINVAL, "st-name.ko", "imports with st_name past .strtab");
	n = mt_elf_exports(elf, &syms);
	tap_ok(n == 2 && syms[0].crc == 0, "st-name.ko: exports fall back to strings");
	if (n >= 0)
		free(syms);
	mt_elf_close(elf);
	free(m.data);

	/* The last name in .strtab loses its NUL. */
	m = img_copy(good.data, good.size, &good);
	m.data[strtab_off + strtab_size - 1] = 'x';
	elf = reopen(NULL, &m, "strtab-unterminated.ko");
	check_fail(mt_elf_imports(elf, &syms), EINVAL, "strtab-unterminated.ko", "imports");
	mt_elf_close(elf);
	free(m.data);

	m = img_copy(good.data, good.size, &good);
	m.data[section_offset(&m, ".shstrtab") + get(&m, sh_field(&m, ".symtab", 0), 4) + 1] = 'X';
	elf = reopen(NULL, &m, "no-symtab.ko");
	check_fail(mt_elf_imports(elf, &syms), EINVAL, "no-symtab.ko", "imports");
	mt_elf_close(elf);
	free(m.data);
	free(good.data);
}

static void test_ksymtab_strings_errors(void)
{
	struct genmod_spec spec = standard_spec(64, false);
	struct img m;
	size_t off, size;
	struct mt_symbol *syms;
	struct mt_elf *elf;
	int n;

	spec.ksymtab_only = true;
	m = img_build(&spec);
	off = section_offset(&m, "__ksymtab_strings");
	size = section_size(&m, "__ksymtab_strings");
	m.data[off + size - 1] = 'x';
	elf = reopen(NULL, &m, "ksymtab-strings.ko");
	check_fail(mt_elf_exports(elf, &syms), EINVAL, "ksymtab-strings.ko", "unterminated strings");
	m.data[off + size - 1] = '\0';
	m.data[off] = '\0';	/* "\0t_export_one\0mt_export_two\0" */
	elf = reopen(elf, &m, "ksymtab-strings.ko");
	n = mt_elf_exports(elf, &syms);
	tap_ok(n == 2 && strcmp(syms[0].name, "t_export_one") == 0,
	       "ksymtab-strings.ko: leading NUL skipped");
	if (n >= 0)
		free(syms);
	mt_elf_close(elf);
	free(m.data);
}

/* CRCs read from a section: out of range gives all-ones. */
static void test_crc_locations(void)
{
	struct genmod_spec spec = standard_spec(64, true);
	struct img m = img_build(&spec);
	size_t crc_sym = sym_entry(&m, 1);
	struct mt_symbol *syms;
	struct mt_elf *elf;
	int n;

	put(&m, crc_sym + m.l->st_value, 8, section_size(&m, "__kcrctab") - 3);
	put(&m, sym_entry(&m, 2) + m.l->st_shndx, 2, 0xfff0);
	elf = reopen(NULL, &m, "crc.ko");
	n = mt_elf_exports(elf, &syms);
	tap_is_int(n, 2, "crc.ko: exports");
	if (n == 2) {
		check_symbol(&syms[0], "mt_export_one", UINT64_MAX, false, "crc.ko value past section");
		check_symbol(&syms[1], "mt_export_two", UINT64_MAX, false, "crc.ko reserved shndx");
	}
	if (n >= 0)
		free(syms);
	put(&m, crc_sym + m.l->st_shndx, 2, 0);
	put(&m, crc_sym + m.l->st_value, 8, 0xabcdef);
	elf = reopen(elf, &m, "crc.ko");
	n = mt_elf_exports(elf, &syms);
	tap_ok(n == 2 && syms[0].crc == 0xabcdef, "crc.ko: undefined __crc_ symbol uses its value");
	if (n >= 0)
		free(syms);
	mt_elf_close(elf);
	free(m.data);
}

/* STT_REGISTER symbols are skipped only on SPARC. */
static void test_sparc_registers(void)
{
	static const unsigned machines[] = { 2, 43, 62 };	/* SPARC, SPARCV9, x86-64 */
	enum { STB_GLOBAL_REGISTER = 1 << 4 | 13 };

	for (size_t i = 0; i < COUNT(machines); i++) {
		struct genmod_spec spec = standard_spec(64, true);
		struct mt_symbol *syms;
		struct mt_elf *elf;
		struct img m;
		int n;

		spec.machine = machines[i];
		m = img_build(&spec);
		/* maybe_there, the one import without a __versions entry */
		m.data[sym_entry(&m, 5) + m.l->st_info] = STB_GLOBAL_REGISTER;
		elf = reopen(NULL, &m, "sparc.ko");
		n = mt_elf_imports(elf, &syms);
		tap_is_int(n, machines[i] == 62 ? 4 : 3, "machine %u: register symbol %s", machines[i],
			   machines[i] == 62 ? "kept" : "skipped");
		if (n >= 0)
			free(syms);
		mt_elf_close(elf);
		free(m.data);
	}
}

static void test_module_name_errors(void)
{
	struct genmod_spec spec = standard_spec(32, false);
	struct img m = img_build(&spec);
	size_t off = section_offset(&m, ".gnu.linkonce.this_module");
	size_t size_field = sh_field(&m, ".gnu.linkonce.this_module", m.l->sh_size);
	struct mt_elf *elf;
	char name[64];

	put(&m, size_field, 4, 12 + 59);
	elf = reopen(NULL, &m, "this-module.ko");
	check_fail(mt_elf_module_name(elf, name, sizeof(name)), EINVAL, "this-module.ko",
		   "section too small");
	put(&m, size_field, 4, 12 + 60);
	memset(m.data + off + 12, 'x', 60);
	elf = reopen(elf, &m, "this-module.ko");
	check_fail(mt_elf_module_name(elf, name, sizeof(name)), EINVAL, "this-module.ko",
		   "name without NUL");
	m.data[off + 12 + 59] = '\0';
	elf = reopen(elf, &m, "this-module.ko");
	tap_is_int(mt_elf_module_name(elf, name, sizeof(name)), 59,
		   "this-module.ko: name filling the 32-bit field");
	m.data[off + 12] = '\0';
	elf = reopen(elf, &m, "this-module.ko");
	check_fail(mt_elf_module_name(elf, name, sizeof(name)), EINVAL, "this-module.ko",
		   "empty name");
	mt_elf_close(elf);
	free(m.data);
}

/* Exports in __ksymtab and __ksymtab_gpl: the first entries of both hold a
 * namespace, so only the section tells them apart. */
static const struct genmod_symbol ns_exports[] = {
	{ .name = "mt_ns_one", .crc = 0x1111 },
	{ .name = "mt_ns_none", .crc = 0x2222 },
	{ .name = "mt_ns_gpl", .crc = 0x3333 },
};

static const struct genmod_ksymtab ns_ksymtab[] = {
	{ .namespace = "NS_ONE" }, { .namespace = NULL }, { .namespace = "NS_GPL", .gpl = true },
};

/* Symbols of an ns_spec image: null, the section symbol of
 * __ksymtab_strings, __ksymtab_ of each export in order, their __crc_, then
 * the imports. */
enum { NS_STRINGS_SYM = 1, NS_KSYMTAB_ONE = 2, NS_KSYMTAB_GPL = 4 };

static struct genmod_spec ns_spec(unsigned elf_class, bool big, bool pointers)
{
	return (struct genmod_spec){ .elf_class = elf_class, .big_endian = big,
				     .exports = ns_exports, .n_exports = COUNT(ns_exports),
				     .ksymtab = ns_ksymtab, .ksymtab_pointers = pointers };
}

static const char *ns_or_dash(const char *ns)
{
	return ns ? ns : "-";
}

/* The exports of `m` are ns_exports, with their CRCs and these namespaces. */
static void check_namespaces(const struct img *m, const char *file, const char *one,
			     const char *none, const char *gpl)
{
	const char *want[] = { one, none, gpl };
	struct mt_elf *elf = reopen(NULL, m, file);
	struct mt_symbol *syms;
	int n = mt_elf_exports(elf, &syms);
	bool ok = n == (int)COUNT(ns_exports);

	for (int i = 0; ok && i < n; i++) {
		ok = strcmp(syms[i].name, ns_exports[i].name) == 0 &&
		     syms[i].crc == ns_exports[i].crc &&
		     (want[i] ? syms[i].ns && strcmp(syms[i].ns, want[i]) == 0
			      : !syms[i].ns);
	}
	tap_ok(ok, "%s: namespaces %s, %s, %s", file, ns_or_dash(one), ns_or_dash(none),
	       ns_or_dash(gpl));
	if (!ok && n == (int)COUNT(ns_exports))
		printf("#   got %s, %s, %s\n", ns_or_dash(syms[0].ns),
		       ns_or_dash(syms[1].ns), ns_or_dash(syms[2].ns));
	if (n >= 0)
		free(syms);
	mt_elf_close(elf);
}

static void test_namespace_round_trip(unsigned elf_class, bool big, bool pointers)
{
	static const char *const fallback[] = { "mt_ns_one", "NS_ONE", "mt_ns_none", "mt_ns_gpl",
						"NS_GPL" };
	struct genmod_spec spec = ns_spec(elf_class, big, pointers);
	struct mt_symbol *syms;
	struct mt_elf *elf;
	char ctx[48];
	struct img m;
	bool ok;
	int n;

	snprintf(ctx, sizeof(ctx), "ELF%u %s %s", elf_class, big ? "BE" : "LE",
		 pointers ? "pointers" : elf_class == 64 ? "PREL32" : "REL");
	m = img_build(&spec);
	check_namespaces(&m, ctx, "NS_ONE", NULL, "NS_GPL");
	elf = reopen(NULL, &m, ctx);
	n = mt_elf_exports(elf, &syms);
	tap_ok(n == 3 && (const unsigned char *)syms[0].ns ==
	       m.data + section_offset(&m, "__ksymtab_strings") + strlen("mt_ns_one") + 1,
	       "%s: the namespace points into __ksymtab_strings", ctx);
	if (n >= 0)
		free(syms);
	mt_elf_close(elf);
	free(m.data);

	/* Without __crc_ symbols the exports come from __ksymtab_strings, where
	 * the namespaces are too: they are listed, with no namespace of their
	 * own (there is no __ksymtab_NS_ONE). */
	spec.ksymtab_only = true;
	m = img_build(&spec);
	elf = reopen(NULL, &m, ctx);
	n = mt_elf_exports(elf, &syms);
	ok = n == (int)COUNT(fallback);
	for (int i = 0; ok && i < n; i++) {
		const char *want = i == 0 ? "NS_ONE" : i == 3 ? "NS_GPL" : NULL;

		ok = strcmp(syms[i].name, fallback[i]) == 0 &&
		     (want ? syms[i].ns && strcmp(syms[i].ns, want) == 0
			   : !syms[i].ns);
	}
	tap_ok(ok, "%s ksymtab-only: namespaces of the exports, none for the strings", ctx);
	if (n >= 0)
		free(syms);
	mt_elf_close(elf);
	free(m.data);
}

/* r_info of a relocation: `sym` with the type genmod uses. */
static void set_rel_sym(struct img *m, size_t entry, uint64_t sym)
{
	if (m->l == &layout64)
		put(m, entry + 8, 8, sym << 32 | 2);
	else
		put(m, entry + 4, 4, sym << 8 | 1);
}

/* Addend of a relocation of `table`: in the entry (RELA, ELF64) or in the
 * field it applies to (REL, ELF32). */
static void set_addend(struct img *m, size_t entry, const char *table, uint64_t addend)
{
	if (m->l == &layout64)
		put(m, entry + 16, 8, addend);
	else
		put(m, section_offset(m, table) + get(m, entry, 4), 4, addend);
}

/* Check the namespaces of a damaged copy, then free it. */
static void check_damaged(struct img *m, const char *what, const char *one, const char *none,
			  const char *gpl)
{
	char file[80];

	snprintf(file, sizeof(file), "ns%s-%s-%s.ko", m->l == &layout64 ? "64" : "32",
		 m->big ? "be" : "le", what);
	check_namespaces(m, file, one, none, gpl);
	free(m->data);
}

/* Damaged relocations, symbols and sections: the namespaces they lead to are
 * NULL, the others and the export list itself stay. */
static void test_namespace_errors(unsigned elf_class, bool big)
{
	struct genmod_spec spec = ns_spec(elf_class, big, false);
	struct img good = img_build(&spec), m;
	const struct layout *l = good.l;
	bool is64 = elf_class == 64;
	unsigned w = l->word;
	uint64_t top = is64 ? UINT64_MAX : UINT32_MAX;
	const char *rel_name = is64 ? ".rela__ksymtab" : ".rel__ksymtab";
	const char *gpl_rel_name = is64 ? ".rela__ksymtab_gpl" : ".rel__ksymtab_gpl";
	/* .rel(a)__ksymtab: name and namespace of mt_ns_one, then of mt_ns_none */
	size_t rel_size = is64 ? 24 : 8, name_one = section_offset(&good, rel_name);
	size_t ns_one = name_one + rel_size;
	size_t table_size = section_size(&good, "__ksymtab");
	size_t strings = section_offset(&good, "__ksymtab_strings");
	size_t strings_size = section_size(&good, "__ksymtab_strings");
	size_t strings_sym = sym_entry(&good, NS_STRINGS_SYM);
	size_t ksymtab_one = sym_entry(&good, NS_KSYMTAB_ONE);
	size_t rel_shdr = shdr(&good, section_index(&good, rel_name));
	size_t gpl_rel_shdr = shdr(&good, section_index(&good, gpl_rel_name));
	size_t gpl_ns = strlen("mt_ns_one") + strlen("NS_ONE") + strlen("mt_ns_none") + 4 +
			strlen("mt_ns_gpl") + 1;
	unsigned shnum = (unsigned)get(&good, l->e_shnum, 2);

#define DAMAGE (m = img_copy(good.data, good.size, &good))
	DAMAGE;
	check_damaged(&m, "intact", "NS_ONE", NULL, "NS_GPL");

	/* The relocation of mt_ns_one's namespace field. */
	DAMAGE;
	put(&m, ns_one, w, table_size + 8);
	check_damaged(&m, "offset-past-section", NULL, NULL, "NS_GPL");
	DAMAGE;
	put(&m, ns_one, w, top - 7);
	check_damaged(&m, "offset-at-the-top", NULL, NULL, "NS_GPL");
	DAMAGE;
	put(&m, ns_one, w, 0);
	check_damaged(&m, "no-relocation", NULL, NULL, "NS_GPL");
	DAMAGE;
	put(&m, name_one, w, 8);
	check_damaged(&m, "two-relocations", NULL, NULL, "NS_GPL");
	DAMAGE;
	set_rel_sym(&m, ns_one, 0);
	check_damaged(&m, "null-symbol", NULL, NULL, "NS_GPL");
	DAMAGE;
	set_rel_sym(&m, ns_one, 9999);
	check_damaged(&m, "symbol-past-symtab", NULL, NULL, "NS_GPL");
	DAMAGE;
	set_rel_sym(&m, ns_one, is64 ? UINT32_MAX : 0xffffff);
	check_damaged(&m, "symbol-index-max", NULL, NULL, "NS_GPL");
	DAMAGE;
	set_addend(&m, ns_one, "__ksymtab", strings_size);
	check_damaged(&m, "addend-past-section", NULL, NULL, "NS_GPL");
	DAMAGE;
	set_addend(&m, ns_one, "__ksymtab", top);
	check_damaged(&m, "addend-minus-one", NULL, NULL, "NS_GPL");
	DAMAGE;
	set_addend(&m, ns_one, "__ksymtab", is64 ? UINT64_C(1) << 63 : UINT32_C(1) << 31);
	check_damaged(&m, "addend-most-negative", NULL, NULL, "NS_GPL");
	DAMAGE;
	set_addend(&m, ns_one, "__ksymtab", is64 ? INT64_MAX : INT32_MAX);
	check_damaged(&m, "addend-most-positive", NULL, NULL, "NS_GPL");
	DAMAGE;
	set_addend(&m, ns_one, "__ksymtab", strings_size - 1);
	check_damaged(&m, "addend-at-the-last-nul", NULL, NULL, "NS_GPL");
	DAMAGE;
	set_addend(&m, ns_one, "__ksymtab", gpl_ns);
	check_damaged(&m, "addend-to-another-string", "NS_GPL", NULL, "NS_GPL");
	if (is64) {
		DAMAGE;
		put(&m, section_offset(&m, "__ksymtab") + 8, 4, 0xffffffff);
		check_damaged(&m, "rela-ignores-the-field", "NS_ONE", NULL, "NS_GPL");
	}

	/* The string and the symbol the relocations go through. */
	DAMAGE;
	m.data[strings + strings_size - 1] = 'x';
	check_damaged(&m, "unterminated-string", "NS_ONE", NULL, NULL);
	DAMAGE;
	put(&m, strings_sym + l->st_value, w, 1);
	check_damaged(&m, "symbol-value", "S_ONE", "mt_ns_gpl", "S_GPL");
	DAMAGE;
	put(&m, strings_sym + l->st_value, w, strings_size + 1);
	check_damaged(&m, "symbol-value-past-section", NULL, NULL, NULL);
	DAMAGE;
	put(&m, strings_sym + l->st_shndx, 2, 0);
	check_damaged(&m, "symbol-undefined", NULL, NULL, NULL);
	DAMAGE;
	put(&m, strings_sym + l->st_shndx, 2, 0xfff1);
	check_damaged(&m, "symbol-absolute", NULL, NULL, NULL);
	DAMAGE;
	put(&m, strings_sym + l->st_shndx, 2, shnum);
	check_damaged(&m, "symbol-section-past-table", NULL, NULL, NULL);

	/* The __ksymtab_ symbols. */
	DAMAGE;
	put(&m, ksymtab_one + l->st_value, w, 1);
	check_damaged(&m, "ksymtab-misaligned", NULL, NULL, "NS_GPL");
	DAMAGE;
	put(&m, ksymtab_one + l->st_shndx, 2, section_index(&m, "__ksymtab_gpl"));
	check_damaged(&m, "ksymtab-in-the-gpl-section", "NS_GPL", NULL, "NS_GPL");
	DAMAGE;
	put(&m, ksymtab_one + l->st_shndx, 2, 0xfff1);
	check_damaged(&m, "ksymtab-absolute", NULL, NULL, "NS_GPL");
	DAMAGE;
	put(&m, sym_entry(&m, NS_KSYMTAB_GPL), 4, get(&m, ksymtab_one, 4));
	check_damaged(&m, "ksymtab-twice", NULL, NULL, NULL);

	/* The relocation sections and the sections they name. */
	DAMAGE;
	put(&m, rel_shdr + l->sh_link, 4, section_index(&m, ".strtab"));
	check_damaged(&m, "rel-link-not-symtab", NULL, NULL, "NS_GPL");
	DAMAGE;
	put(&m, rel_shdr + l->sh_link, 4, shnum);
	check_damaged(&m, "rel-link-past-table", NULL, NULL, "NS_GPL");
	DAMAGE;
	put(&m, rel_shdr + l->sh_link + 4, 4, section_index(&m, "__ksymtab_strings"));
	check_damaged(&m, "rel-info-not-ksymtab", NULL, NULL, "NS_GPL");
	DAMAGE;
	put(&m, rel_shdr + l->sh_link + 4, 4, shnum);
	check_damaged(&m, "rel-info-past-table", NULL, NULL, "NS_GPL");
	DAMAGE;
	put(&m, rel_shdr + l->sh_size, w, 3 * rel_size + 1);
	check_damaged(&m, "rel-size-not-a-multiple", NULL, NULL, "NS_GPL");
	DAMAGE;
	put(&m, rel_shdr + l->sh_offset, w, m.size);
	check_damaged(&m, "rel-past-end", NULL, NULL, "NS_GPL");
	DAMAGE;
	put(&m, shdr(&m, section_index(&m, "__ksymtab")) + 4, 4, 8);
	check_damaged(&m, "table-nobits", NULL, NULL, "NS_GPL");
	/* The whole file read as relocations overlaps the other table. */
	DAMAGE;
	put(&m, gpl_rel_shdr + l->sh_offset, w, 0);
	put(&m, gpl_rel_shdr + l->sh_size, w, m.size - m.size % rel_size);
	check_damaged(&m, "overlapping-tables", NULL, NULL, NULL);
#undef DAMAGE
	free(good.data);

	/* A fourth __ksymtab_ symbol (an import turned into one) for three
	 * structs: the module is inconsistent, no namespace at all. */
	spec.imports = standard_imports;
	spec.n_imports = 1;
	m = img_build(&spec);
	put(&m, sym_entry(&m, 8), 4, get(&m, sym_entry(&m, NS_KSYMTAB_ONE), 4));
	put(&m, sym_entry(&m, 8) + l->st_shndx, 2, section_index(&m, "__ksymtab"));
	check_damaged(&m, "more-ksymtab-symbols-than-structs", NULL, NULL, NULL);
}

/* ---- mt_elf_read --------------------------------------------------------- */

/* What depmod reads. */
static const char *const parsed_sections[] = {
	".modinfo", ".symtab", ".strtab", "__versions", "__ksymtab_strings", NULL,
};

static bool same_kv(const struct mt_kv *a, const struct mt_kv *b)
{
	return a->key_len == b->key_len && a->value_len == b->value_len &&
	       memcmp(a->key, b->key, a->key_len) == 0 &&
	       memcmp(a->value, b->value, a->value_len) == 0;
}

static bool same_symbols(int (*query)(const struct mt_elf *, struct mt_symbol **),
			 const struct mt_elf *a, const struct mt_elf *b, bool crcs)
{
	struct mt_symbol *sa = NULL, *sb = NULL;
	int na = query(a, &sa), nb = query(b, &sb);
	bool same = na == nb;

	for (int i = 0; same && i < na; i++)
		same = strcmp(sa[i].name, sb[i].name) == 0 && (!crcs || sa[i].crc == sb[i].crc) &&
		       sa[i].weak == sb[i].weak;
	if (na >= 0)
		free(sa);
	if (nb >= 0)
		free(sb);
	return same;
}

/* The queries depmod makes give the same on both; the CRCs of exports
 * (read from __kcrctab, which depmod asks for only when it checks them)
 * only with `crcs`. */
static bool same_queries(const struct mt_elf *a, const struct mt_elf *b, bool crcs)
{
	struct mt_kv *ka = NULL, *kb = NULL;
	int na = mt_elf_modinfo(a, &ka), nb = mt_elf_modinfo(b, &kb);
	bool same = na == nb;

	for (int i = 0; same && i < na; i++)
		same = same_kv(&ka[i], &kb[i]);
	if (na >= 0)
		free(ka);
	if (nb >= 0)
		free(kb);
	return same && same_symbols(mt_elf_exports, a, b, crcs) &&
	       same_symbols(mt_elf_imports, a, b, true) && same_symbols(mt_elf_versions, a, b, true);
}

/* An unnamed temporary file holding `size` bytes of data. */
static FILE *temp_file(const void *data, size_t size)
{
	FILE *f = tmpfile();

	if (!f || fwrite(data, 1, size, f) != size || fflush(f) != 0) {
		printf("Bail out! cannot write a temporary file\n");
		exit(1);
	}
	return f;
}

static void test_read_sections(unsigned elf_class, bool big)
{
	struct genmod_spec spec = standard_spec(elf_class, big);
	struct mt_elf_buffers b = { 0 };
	struct mt_elf *full, *elf;
	const void *data;
	char ctx[32], name[64];
	size_t size;
	struct img m;
	FILE *f;
	int ret;

	snprintf(ctx, sizeof(ctx), "read ELF%u %s", elf_class, big ? "BE" : "LE");
	m = img_build(&spec);
	full = reopen(NULL, &m, ctx);
	f = temp_file(m.data, m.size);

	ret = mt_elf_read(fileno(f), m.size, parsed_sections, false, &b, ctx, &elf);
	tap_is_int(ret, 0, "%s: named sections read", ctx);
	if (ret == 0) {
		/* genmod's sections lie close together: one read takes them all */
		tap_ok(same_queries(full, elf, true),
		       "%s: modinfo, exports, imports, versions as read whole", ctx);
		tap_is_int(mt_elf_section(elf, ".modinfo", &data, &size), 0,
			   "%s: .modinfo found", ctx);
		tap_ok((const unsigned char *)data >= b.image &&
		       (const unsigned char *)data < b.image + b.image_cap, "%s: ... in the buffer", ctx);
		mt_elf_close(elf);
	}
	ret = mt_elf_read(fileno(f), m.size, NULL, false, &b, ctx, &elf);
	tap_is_int(ret, 0, "%s: read whole into the same buffers", ctx);
	if (ret == 0) {
		tap_is_int(mt_elf_module_name(elf, name, sizeof(name)), 13,
			   "%s: every section is there", ctx);
		tap_ok(same_queries(full, elf, true), "%s: the same queries as the image", ctx);
		mt_elf_close(elf);
	}
	check_fail(mt_elf_read(fileno(f), m.size + 100, NULL, false, &b, ctx, &elf), EIO, ctx,
		   "a file shorter than said");
	fclose(f);

	/* A section table past the end: read whole, and mt_elf_open says why. */
	put(&m, m.l->e_shoff, m.l->word, m.size);
	f = temp_file(m.data, m.size);
	check_fail(mt_elf_read(fileno(f), m.size, parsed_sections, false, &b, ctx, &elf), EINVAL, ctx,
		   "a table outside the file");
	fclose(f);
	mt_elf_close(full);
	free(m.data);
	mt_elf_buffers_release(&b);
}

/* Extended numbering is left to the whole read; compressed and short
 * files are not ELF. */
static void test_read_unusual(void)
{
	static const char zstd_head[64] = "\x28\xb5\x2f\xfd zstd, not ELF";
	struct genmod_spec spec = standard_spec(64, false);
	struct img m = img_build(&spec);
	const struct layout *l = m.l;
	uint64_t shnum = get(&m, l->e_shnum, 2);
	struct mt_elf_buffers b = { 0 };
	struct mt_elf *elf;
	char name[64];
	FILE *f;
	int ret;

	put(&m, l->e_shnum, 2, 0);
	put(&m, shdr(&m, 0) + l->sh_size, 8, shnum);
	f = temp_file(m.data, m.size);
	ret = mt_elf_read(fileno(f), m.size, parsed_sections, false, &b, "xnum.ko", &elf);
	tap_is_int(ret, 0, "xnum.ko: read");
	if (ret == 0) {
		tap_is_int(mt_elf_module_name(elf, name, sizeof(name)), 13,
			   "xnum.ko: read whole, unasked sections included");
		mt_elf_close(elf);
	}
	fclose(f);
	free(m.data);

	f = temp_file(zstd_head, sizeof(zstd_head));
	check_fail(mt_elf_read(fileno(f), 64, parsed_sections, false, &b, "comp.ko.zst", &elf), ENOEXEC,
		   "comp.ko.zst", "a compressed file");
	check_fail(mt_elf_read(fileno(f), 20, parsed_sections, false, &b, "short.ko", &elf), ENOEXEC,
		   "short.ko", "a file shorter than any ELF header");
	fclose(f);
	mt_elf_buffers_release(&b);
}

/* Real modules: the compact image answers depmod's queries as the whole. */
static void test_read_real(void)
{
	struct mt_elf_buffers b = { 0 }, whole = { 0 };
	size_t checked = 0, same = 0, compact = 0;
	glob_t g;

	if (glob("/lib/modules/*/kernel/fs/*/*.ko", 0, NULL, &g) != 0) {
		printf("ok %d - real modules read by section # SKIP no plain module tree\n",
		       ++tap_count);
		return;
	}
	for (size_t i = 0; i < g.gl_pathc && checked < 100; i++) {
		FILE *f = fopen(g.gl_pathv[i], "rb");
		struct mt_elf *a, *c;
		long size;

		if (!f)
			continue;
		fseek(f, 0, SEEK_END);
		size = ftell(f);
		if (size > 0 &&
		    mt_elf_read(fileno(f), (size_t)size, NULL, false, &whole, g.gl_pathv[i], &a) == 0) {
			if (mt_elf_read(fileno(f), (size_t)size, parsed_sections, false, &b, g.gl_pathv[i],
					&c) == 0) {
				const void *data;
				size_t len;

				same += same_queries(a, c, false);
				compact += mt_elf_section(c, ".text", &data, &len) == -ENODATA;
				mt_elf_close(c);
			}
			checked++;
			mt_elf_close(a);
		}
		fclose(f);
	}
	tap_ok(checked > 0 && same == checked, "%zu real modules read by section answer as whole",
	       checked);
	tap_ok(compact > checked / 2, "... and %zu of them without reading their .text", compact);
	globfree(&g);
	mt_elf_buffers_release(&b);
	mt_elf_buffers_release(&whole);
}

/* Whole file in an exactly sized buffer, or NULL. */
static unsigned char *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	unsigned char *data = NULL;
	long len = -1;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0)
		len = ftell(f);
	if (len > 0 && fseek(f, 0, SEEK_SET) == 0 && (data = malloc((size_t)len))) {
		*size = fread(data, 1, (size_t)len, f);
		if (*size != (size_t)len) {
			free(data);
			data = NULL;
		}
	}
	fclose(f);
	return data;
}

/* Index of the symbol `name` in a list, or -1. */
static int find_symbol(const struct mt_symbol *syms, int n, const char *name)
{
	for (int i = 0; i < n; i++) {
		if (strcmp(syms[i].name, name) == 0)
			return i;
	}
	return -1;
}

static void check_ext4(const struct mt_elf *elf)
{
	const char *release = module_tree_release(module_tree());
	size_t release_len = strlen(release), len;
	struct mt_symbol *syms;
	struct mt_kv *kv;
	const char *vermagic;
	char name[64];
	int n, i;

	tap_is_int(mt_elf_class(elf), 64, "ext4.ko: ELF64");
	tap_is_int(mt_elf_module_name(elf, name, sizeof(name)), 4, "ext4.ko: name length");
	tap_is_str(name, "ext4", "ext4.ko: module name");
	n = mt_elf_modinfo(elf, &kv);
	vermagic = n > 0 ? mt_kv_find(kv, n, "vermagic", &len) : NULL;
	tap_ok(vermagic && len > release_len && memcmp(vermagic, release, release_len) == 0 &&
	       vermagic[release_len] == ' ',
	       "ext4.ko: vermagic starts with the tree's release %s", release);
	if (n >= 0)
		free(kv);
	n = mt_elf_imports(elf, &syms);
	i = n > 0 ? find_symbol(syms, n, "jbd2_journal_start") : -1;
	tap_ok(i >= 0 && syms[i].crc == 0xb4080944 && !syms[i].weak,
	       "ext4.ko: imports jbd2_journal_start with its __versions CRC");
	tap_ok(n > 0 && strcmp(syms[n - 1].name, "module_layout") == 0,
	       "ext4.ko: module_layout comes last, from __versions only");
	if (n >= 0)
		free(syms);
}

static void check_jbd2(const struct mt_elf *elf)
{
	struct mt_symbol *syms;
	int n = mt_elf_exports(elf, &syms);
	int i = n > 0 ? find_symbol(syms, n, "jbd2_journal_start") : -1;

	tap_ok(n == 60 && i >= 0 && syms[i].crc == 0xb4080944,
	       "jbd2.ko: 60 exports, jbd2_journal_start with the CRC ext4 expects");
	if (n >= 0)
		free(syms);
}

/* Run `check` on a module of the installed tree (a missing input when
 * absent). */
static void test_real_module(const char *relpath, void (*check)(const struct mt_elf *elf))
{
	const char *tree = module_tree();
	char path[PATH_MAX + 64], why[PATH_MAX + 128];
	unsigned char *data;
	struct mt_elf *elf;
	size_t size;
	int ret;

	if (!tree) {
		tap_missing_input(relpath, "no module tree under /lib/modules (linux-image-amd64)");
		return;
	}
	snprintf(path, sizeof(path), "%s/%s", tree, relpath);
	data = read_file(path, &size);
	if (!data) {
		snprintf(why, sizeof(why), "cannot read %s", path);
		tap_missing_input(relpath, why);
		return;
	}
	ret = mt_elf_open(data, size, path, &elf);
	tap_is_int(ret, 0, "%s: opens", relpath);
	if (ret == 0) {
		check(elf);
		mt_elf_close(elf);
	}
	free(data);
}

/* The build id note: found in both classes and byte orders; absent, or of
 * another owner or type: -ENODATA; a note whose sizes run past the section
 * (wrapping ones too), an empty build id or a truncated header: -EINVAL;
 * each with a message naming the file. */
static void test_build_id(unsigned elf_class, bool big)
{
	static const unsigned char id[24] = { 0xae, 0x7a, 0x2e, 1, 2, 3, 4, 5, 6, 7, 8, 9,
					      10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 0x4f, 0x57 };
	static const char *const modinfo[] = { "name=bid" };
	struct genmod_spec spec = { .elf_class = elf_class, .big_endian = big, .modinfo = modinfo,
				    .n_modinfo = 1, .build_id = id, .build_id_len = 20 };
	char file[64];
	struct mt_elf *elf = NULL;
	const void *got;
	size_t len, note;
	struct img m;

	snprintf(file, sizeof(file), "bid%u%s.ko", elf_class, big ? "be" : "le");
	m = img_build(&spec);
	note = section_offset(&m, ".note.gnu.build-id");
	elf = reopen(elf, &m, file);
	tap_is_int(mt_elf_build_id(elf, &got, &len), 0, "%s: build id found", file);
	tap_ok(got == m.data + note + 16 && len == 20 && memcmp(got, id, 20) == 0,
	       "%s: the 20 bytes after the note header", file);

	/* owner or type of another note */
	m.data[note + 14] = 'X';
	elf = reopen(elf, &m, file);
	check_fail(mt_elf_build_id(elf, &got, &len), ENODATA, file, "owner GNX");
	m.data[note + 14] = 'U';
	put(&m, note + 8, 4, 1);
	elf = reopen(elf, &m, file);
	check_fail(mt_elf_build_id(elf, &got, &len), ENODATA, file, "note type 1");
	put(&m, note + 8, 4, 3);
	put(&m, note, 4, 3);
	elf = reopen(elf, &m, file);
	check_fail(mt_elf_build_id(elf, &got, &len), ENODATA, file, "owner of 3 bytes");
	put(&m, note, 4, 4);

	/* sizes past the section, including ones that wrap */
	put(&m, note + 4, 4, 21);
	elf = reopen(elf, &m, file);
	check_fail(mt_elf_build_id(elf, &got, &len), EINVAL, file, "descriptor 1 byte too long");
	put(&m, note + 4, 4, 0xffffffff);
	elf = reopen(elf, &m, file);
	check_fail(mt_elf_build_id(elf, &got, &len), EINVAL, file, "descriptor size 2^32-1");
	put(&m, note + 4, 4, 20);
	put(&m, note, 4, 0xfffffffd);
	elf = reopen(elf, &m, file);
	check_fail(mt_elf_build_id(elf, &got, &len), EINVAL, file, "owner size 2^32-3");
	put(&m, note, 4, 4);
	put(&m, note + 4, 4, 0);
	elf = reopen(elf, &m, file);
	check_fail(mt_elf_build_id(elf, &got, &len), EINVAL, file, "empty build id");
	put(&m, note + 4, 4, 20);
	put(&m, sh_field(&m, ".note.gnu.build-id", m.l->sh_size), m.l->word, 11);
	elf = reopen(elf, &m, file);
	check_fail(mt_elf_build_id(elf, &got, &len), EINVAL, file, "a section shorter than a header");
	put(&m, sh_field(&m, ".note.gnu.build-id", m.l->sh_size), m.l->word, 0);
	elf = reopen(elf, &m, file);
	check_fail(mt_elf_build_id(elf, &got, &len), ENODATA, file, "an empty section");
	mt_elf_close(elf);
	free(m.data);

	/* a note of another type before the build id: 16 + 4 bytes, then a
	 * build id of 4 bytes in the remaining 20 */
	spec.build_id_len = 24;
	m = img_build(&spec);
	note = section_offset(&m, ".note.gnu.build-id");
	put(&m, note + 4, 4, 4);
	put(&m, note + 8, 4, 1);
	put(&m, note + 20, 4, 4);
	put(&m, note + 24, 4, 4);
	put(&m, note + 28, 4, 3);
	memcpy(m.data + note + 32, "GNU", 4);
	elf = reopen(NULL, &m, file);
	tap_ok(mt_elf_build_id(elf, &got, &len) == 0 && got == m.data + note + 36 && len == 4,
	       "%s: the build id note after another note", file);
	mt_elf_close(elf);
	free(m.data);

	spec.build_id_len = 0;
	m = img_build(&spec);
	elf = reopen(NULL, &m, file);
	check_fail(mt_elf_build_id(elf, &got, &len), ENODATA, file, "no note section");
	mt_elf_close(elf);
	free(m.data);
}

int main(void)
{
	test_round_trip(64, false, 62);
	test_round_trip(64, true, 22);
	test_round_trip(32, false, 40);
	test_round_trip(32, true, 8);
	test_export_variants(64, false);
	test_export_variants(64, true);
	test_export_variants(32, false);
	test_export_variants(32, true);
	test_absent_sections();
	test_header_errors();
	test_shstrtab_errors();
	test_section_lookup();
	test_extended_numbering();
	test_modinfo_strings();
	test_versions_errors();
	test_symtab_errors();
	test_ksymtab_strings_errors();
	test_crc_locations();
	test_sparc_registers();
	test_module_name_errors();
	test_namespace_round_trip(64, false, false);
	test_namespace_round_trip(64, true, false);
	test_namespace_round_trip(64, false, true);
	test_namespace_round_trip(64, true, true);
	test_namespace_round_trip(32, false, false);
	test_namespace_round_trip(32, true, false);
	test_namespace_errors(64, false);
	test_namespace_errors(64, true);
	test_namespace_errors(32, false);
	test_namespace_errors(32, true);
	test_read_sections(64, false);
	test_read_sections(64, true);
	test_read_sections(32, false);
	test_read_sections(32, true);
	test_read_unusual();
	test_read_real();
	test_real_module("kernel/fs/ext4/ext4.ko", check_ext4);
	test_real_module("kernel/fs/jbd2/jbd2.ko", check_jbd2);
	test_build_id(64, false);
	test_build_id(64, true);
	test_build_id(32, false);
	test_build_id(32, true);
	return tap_done();
}

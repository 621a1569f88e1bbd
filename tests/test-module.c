/*
 * test-module.c — opening modules (module.c): the file, image and ELF view
 * of plain and gzip-compressed genmod modules and the failures on the way,
 * then the reader depmod uses: compact or whole images in reused buffers,
 * compressed files through the library, directories opened once.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef ENABLE_ZLIB
#include <zlib.h>
#endif
#include "genmod.h"
#include "internal.h"
#include "libmodtool.h"
#include "tap.h"

static char dir[] = "/tmp/mt-test-module-XXXXXX";
static unsigned char *image;
static size_t image_size;

static const char *const modinfo[] = { "license=GPL", "alias=mt:test", "vermagic=6.1.0 SMP" };
static const struct genmod_symbol exports[] = { { "mt_exported", 0x1234, false } };
static const char *const parsed_sections[] = { ".modinfo", ".symtab", ".strtab", NULL };

/* DIR/NAME, written; the path is malloc'd. */
static char *write_file(const char *name, const void *data, size_t size)
{
	char *p;
	FILE *fp;

	if (asprintf(&p, "%s/%s", dir, name) < 0)
		abort();
	fp = fopen(p, "wb");
	if (!fp || fwrite(data, 1, size, fp) != size || fclose(fp) != 0) {
		printf("Bail out! cannot write %s\n", p);
		exit(1);
	}
	return p;
}

static void check_message(const char *what, const char *path)
{
	tap_ok(strstr(mt_last_error(), path) != NULL, "%s: the message names the file (%s)", what,
	       mt_last_error());
}

/* The ELF view of a genmod image: its name and its alias. */
static void check_elf(const char *what, const struct mt_elf *elf)
{
	struct mt_kv *kv;
	char name[64];
	int n = mt_elf_modinfo(elf, &kv);

	tap_ok(n == 3 && mt_kv_find(kv, n, "alias", NULL) == kv[1].value,
	       "%s: the ELF view has the .modinfo", what);
	if (n >= 0)
		free(kv);
	tap_is_int(mt_elf_module_name(elf, name, sizeof(name)), 9, "%s: and the module name", what);
}

static void test_open(const char *what, const char *path, enum mt_compression comp)
{
	const struct mt_elf *elf, *again;
	struct mt_module *mod;
	const void *data;
	size_t size;
	int err = mt_module_open(path, &mod);

	tap_is_int(err, 0, "%s: opens", what);
	if (err < 0)
		return;
	tap_is_int(mt_file_compression(mt_module_file(mod)), comp, "%s: compression", what);
	tap_is_str(mt_file_path(mt_module_file(mod)), path, "%s: the file's path", what);
	err = mt_module_image(mod, &data, &size);
	tap_ok(err == 0 && size == image_size && memcmp(data, image, size) == 0,
	       "%s: the image is the module's contents", what);
	err = mt_module_elf(mod, &elf);
	tap_is_int(err, 0, "%s: ELF view", what);
	if (err == 0) {
		check_elf(what, elf);
		tap_ok(mt_module_elf(mod, &again) == 0 && again == elf, "%s: made once", what);
	}
	mt_module_close(mod);
}

static void test_open_failures(void)
{
	char *text = write_file("text.ko", "not a module at all\n", 20);
	char *short_file = write_file("short.ko", "\177EL", 3);
	const struct mt_elf *elf;
	struct mt_module *mod;

	tap_is_int(mt_module_open("/nonexistent/x.ko", &mod), -ENOENT, "missing: ENOENT");
	check_message("missing", "/nonexistent/x.ko");
	tap_is_int(mt_module_open(short_file, &mod), -EINVAL, "shorter than a magic: EINVAL");
	tap_is_int(mt_module_open(text, &mod), 0, "not ELF: the file opens");
	tap_is_int(mt_module_elf(mod, &elf), -ENOEXEC, "not ELF: no ELF view");
	check_message("not ELF", text);
	mt_module_close(mod);
	mt_module_close(NULL);
	free(text);
	free(short_file);
}

/* With r.tail, the bytes after the section table come last in the compact
 * image: where a signature is. */
static void test_reader_tail(void)
{
	static const char trailer[] = "~Module signature appended~\n";
	unsigned char *signed_image = malloc(image_size + sizeof(trailer));
	struct mt_module_reader r;
	struct mt_module *mod;
	const void *data;
	char *path = NULL;
	size_t size;
	int err;

	if (signed_image) {
		memcpy(signed_image, image, image_size);
		memcpy(signed_image + image_size, trailer, sizeof(trailer) - 1);
		path = write_file("signed.ko", signed_image, image_size + sizeof(trailer) - 1);
	}
	mt_module_reader_init(&r, parsed_sections);
	r.tail = true;
	err = path ? mt_module_read(&r, path, &mod) : -ENOMEM;
	tap_is_int(err, 0, "reader with tail: a plain module");
	if (err == 0) {
		tap_ok(mt_module_tail(mod, &data, &size) == 0 && size >= sizeof(trailer) - 1 &&
		       memcmp((const char *)data + size - (sizeof(trailer) - 1), trailer,
			      sizeof(trailer) - 1) == 0 &&
		       size < image_size,
		       "reader with tail: a compact image ending with the file's last bytes");
		mt_module_close(mod);
	}
	mt_module_reader_release(&r);
	free(signed_image);
	free(path);
}

static void test_reader(const char *plain, const char *gz)
{
	char *other, *text = write_file("text.ko", "not a module at all\n", 20);
	struct mt_module_reader r;
	const struct mt_elf *elf;
	struct mt_module *mod;
	const void *data;
	char sub[600];
	size_t size;
	int err;

	snprintf(sub, sizeof(sub), "%s/sub", dir);
	mkdir(sub, 0755);
	other = write_file("sub/other.ko", image, image_size);

	mt_module_reader_init(&r, parsed_sections);
	err = mt_module_read(&r, plain, &mod);
	tap_is_int(err, 0, "reader: a plain module");
	if (err == 0) {
		tap_ok(mt_module_file(mod) == NULL, "reader: read into its buffers, no file");
		tap_ok(mt_module_image(mod, &data, &size) == 0 && data == r.buffers.image &&
		       size == r.buffers.image_size, "reader: the image is the buffer's");
		tap_is_int(mt_module_elf(mod, &elf), 0, "reader: the ELF view is made");
		check_elf("reader, plain.ko", elf);
		mt_module_close(mod);
	}
	tap_ok(r.dir_fd < 0 && r.dir_len == strlen(dir) + 1 && memcmp(r.dir, plain, r.dir_len) == 0,
	       "reader: notes the module's directory");
	err = mt_module_read(&r, plain, &mod);
	if (err == 0)
		mt_module_close(mod);
	tap_ok(err == 0 && r.dir_fd >= 0 && r.dir_len == strlen(dir) + 1,
	       "reader: keeps it open from its second module on");
	err = mt_module_read(&r, other, &mod);
	tap_ok(err == 0 && r.dir_len == strlen(sub) + 1, "reader: another directory is opened");
	if (err == 0) {
		mt_module_elf(mod, &elf);
		check_elf("reader, sub/other.ko", elf);
		mt_module_close(mod);
	}
	err = mt_module_read(&r, gz, &mod);
	if (!mt_compression_supported(MT_COMPRESSION_GZIP)) {
		tap_is_int(err, -ENOTSUP, "reader: gzip compiled out");
	} else {
		tap_ok(err == 0 && mt_module_file(mod) &&
		       mt_file_compression(mt_module_file(mod)) == MT_COMPRESSION_GZIP,
		       "reader: a compressed module goes through the library");
		if (err == 0) {
			tap_ok(mt_module_image(mod, &data, &size) == 0 && size == image_size,
			       "reader: ... decompressed whole");
			mt_module_close(mod);
		}
	}
	tap_is_int(mt_module_read(&r, text, &mod), -ENOEXEC, "reader: not ELF: ENOEXEC");
	check_message("reader: not ELF", text);
	tap_is_int(mt_module_read(&r, sub, &mod), -EISDIR, "reader: a directory: EISDIR");
	tap_is_int(mt_module_read(&r, "/nonexistent/x.ko", &mod), -ENOENT, "reader: missing: ENOENT");
	check_message("reader: missing", "/nonexistent/x.ko");
	mt_module_reader_release(&r);

	test_reader_tail();
	mt_module_reader_init(&r, NULL);
	err = mt_module_read(&r, plain, &mod);
	tap_ok(err == 0 && mt_module_image(mod, &data, &size) == 0 && size == image_size &&
	       memcmp(data, image, size) == 0, "reader without sections: the whole file");
	if (err == 0)
		mt_module_close(mod);
	if (chdir(dir) == 0) {
		err = mt_module_read(&r, "plain.ko", &mod);
		tap_is_int(err, 0, "reader: a path without a directory");
		if (err == 0)
			mt_module_close(mod);
	}
	mt_module_reader_release(&r);
	free(other);
	free(text);
}

static void remove_dir(void)
{
	static const char *const names[] = { "plain.ko", "gz.ko.gz", "short.ko", "text.ko",
					     "sub/other.ko", "sub", "" };
	char path[600];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		remove(path);
	}
}

/* plain.ko gzip-compressed, or a stub when zlib is compiled out. */
static char *write_gz(void)
{
#ifdef ENABLE_ZLIB
	size_t cap = image_size * 2 + 64;
	unsigned char *out = malloc(cap);
	z_stream zs = { 0 };
	char *path;

	if (!out || deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	zs.next_in = image;
	zs.avail_in = (uInt)image_size;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
		abort();
	path = write_file("gz.ko.gz", out, zs.total_out);
	deflateEnd(&zs);
	free(out);
	return path;
#else
	return write_file("gz.ko.gz", "\x1f\x8b\x08\0\0\0\0\0", 8);
#endif
}

int main(void)
{
	struct genmod_spec spec = {
		.elf_class = 64, .modinfo = modinfo, .n_modinfo = 3,
		.exports = exports, .n_exports = 1, .name = "mt_module",
	};
	char *plain, *gz;

	if (!mkdtemp(dir) || genmod_build(&spec, &image, &image_size) < 0) {
		printf("Bail out! cannot set up\n");
		return 1;
	}
	plain = write_file("plain.ko", image, image_size);
	test_open("plain", plain, MT_COMPRESSION_NONE);
	gz = write_gz();
	if (mt_compression_supported(MT_COMPRESSION_GZIP))
		test_open("gzip", gz, MT_COMPRESSION_GZIP);
	test_open_failures();
	test_reader(plain, gz);
	free(plain);
	free(gz);
	free(image);
	remove_dir();
	return tap_done();
}

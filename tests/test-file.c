/*
 * test-file.c — opening module files: magic detection, mapping, and
 * decompression of good, truncated and corrupt gzip/xz/zstd streams; that
 * the decompressors are loaded only when a compressed module needs them.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef ENABLE_ZLIB
#include <zlib.h>
#endif
#ifdef ENABLE_XZ
#include <lzma.h>
#endif
#ifdef ENABLE_ZSTD
#include <zstd.h>
#endif
#include "libmodtool.h"
#include "tap.h"

static char dir[] = "/tmp/mt-test-file-XXXXXX";
static unsigned char payload[200000];

/*
 * The test is not linked with the compression libraries: it takes the
 * compressors from them with dlopen, once the checks that the library loads
 * them only when needed are done; with --disable-dlopen they are linked into
 * the library, and so already there.
 */
#ifdef ENABLE_DLOPEN
static void *open_library(const char *soname)
{
	void *lib = dlopen(soname, RTLD_NOW);

	if (!lib) {
		printf("Bail out! %s\n", dlerror());
		exit(1);
	}
	return lib;
}
#define LIBRARY(soname) open_library(soname)
#else
#define LIBRARY(soname) RTLD_DEFAULT
#endif

static void *must_dlsym(void *lib, const char *name)
{
	void *sym = dlsym(lib, name);

	if (!sym) {
		printf("Bail out! %s: %s\n", name, dlerror());
		exit(1);
	}
	return sym;
}

/* Function `sym` of `lib`, with its declared type. */
#define SYMBOL(lib, sym) ((__typeof__(&sym))must_dlsym(lib, #sym))

#ifdef ENABLE_DLOPEN
/* The optional libraries mapped into this process, as "soname soname". */
static const char *mapped_libraries(void)
{
	static const char *const sonames[] = {
#ifdef ENABLE_ZLIB
		ZLIB_SONAME,
#endif
#ifdef ENABLE_XZ
		XZ_SONAME,
#endif
#ifdef ENABLE_ZSTD
		ZSTD_SONAME,
#endif
#ifdef ENABLE_OPENSSL
		OPENSSL_SONAME,
#endif
	};
	static char found[256];
	char line[4096];
	FILE *maps = fopen("/proc/self/maps", "r");

	if (!maps) {
		printf("Bail out! cannot read /proc/self/maps\n");
		exit(1);
	}
	found[0] = '\0';
	while (fgets(line, sizeof(line), maps)) {
		const char *name = strrchr(line, '/');

		/* the file is the soname's target, e.g. liblzma.so.5.4.1 */
		for (size_t i = 0; name && i < sizeof(sonames) / sizeof(sonames[0]); i++) {
			size_t len = strlen(sonames[i]);

			if (strncmp(name + 1, sonames[i], len) == 0 && strchr(".\n", name[1 + len]) &&
			    !strstr(found, sonames[i]))
				snprintf(found + strlen(found), sizeof(found) - strlen(found), "%s%s",
					 found[0] ? " " : "", sonames[i]);
		}
	}
	fclose(maps);
	return found;
}
#endif

static char *write_file(const char *name, const void *data, size_t size)
{
	static char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "wb");
	if (!fp || fwrite(data, 1, size, fp) != size || fclose(fp) != 0) {
		printf("Bail out! cannot write %s\n", path);
		exit(1);
	}
	return path;
}

/* Open, detect, load; compare with `payload` when `want_err` is 0. */
static void check_load(const char *what, const char *path, enum mt_compression comp, int want_err)
{
	struct mt_file *file;
	const void *data;
	size_t size;
	int err = mt_file_open(path, &file);

	tap_is_int(err, 0, "%s: opens", what);
	if (err < 0)
		return;
	tap_is_int(mt_file_compression(file), comp, "%s: detected by magic", what);
	err = mt_file_load(file, &data, &size);
	tap_is_int(err, want_err, "%s: load result", what);
	if (err == 0) {
		tap_ok(size == sizeof(payload) && memcmp(data, payload, size) == 0,
		       "%s: contents round-trip", what);
	} else {
		tap_ok(strstr(mt_last_error(), path) != NULL, "%s: error names the file (%s)",
		       what, mt_last_error());
	}
	mt_file_close(file);
}

/* Good stream, then the same truncated to half and with a corrupted middle. */
static void check_stream(const char *name, enum mt_compression comp,
			 unsigned char *buf, size_t len)
{
	char what[64];

	if (!mt_compression_supported(comp)) {
		struct mt_file *file;
		const void *data;
		size_t size;

		mt_file_open(write_file(name, buf, len), &file);
		tap_is_int(mt_file_load(file, &data, &size), -ENOTSUP, "%s: compiled out", name);
		tap_ok(strstr(mt_last_error(), "compiled without") != NULL, "%s: says so", name);
		mt_file_close(file);
		return;
	}
	check_load(name, write_file(name, buf, len), comp, 0);
	snprintf(what, sizeof(what), "truncated %s", name);
	check_load(what, write_file("truncated", buf, len / 2), comp, -EINVAL);
	for (size_t i = len / 3; i < len / 3 + 16 && i < len; i++)
		buf[i] ^= 0x5a;
	snprintf(what, sizeof(what), "corrupt %s", name);
	check_load(what, write_file("corrupt", buf, len), comp, -EINVAL);
}

#if defined(ENABLE_DLOPEN) && defined(ENABLE_XZ)
/* "\177ELF modtool xz\n" compressed by xz(1), built in: the test must not
 * load liblzma itself before it checks that loading an xz module does. */
static const unsigned char small_xz[] = {
	0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00, 0x01, 0x69, 0x22, 0xde, 0x36,
	0x02, 0x00, 0x21, 0x01, 0x16, 0x00, 0x00, 0x00, 0x74, 0x2f, 0xe5, 0xa3,
	0x01, 0x00, 0x0f, 0x7f, 0x45, 0x4c, 0x46, 0x20, 0x6d, 0x6f, 0x64, 0x74,
	0x6f, 0x6f, 0x6c, 0x20, 0x78, 0x7a, 0x0a, 0x00, 0xa9, 0x97, 0x2c, 0xaf,
	0x00, 0x01, 0x24, 0x10, 0xe9, 0x44, 0xd9, 0xcc, 0x90, 0x42, 0x99, 0x0d,
	0x01, 0x00, 0x00, 0x00, 0x00, 0x01, 0x59, 0x5a,
};

static void check_xz_loads_liblzma(void)
{
	static const char text[] = "\177ELF modtool xz\n";
	struct mt_file *file = NULL;
	const void *data = NULL;
	size_t size = 0;
	int err = mt_file_open(write_file("small.ko.xz", small_xz, sizeof(small_xz)), &file);

	if (err == 0)
		err = mt_file_load(file, &data, &size);
	tap_ok(err == 0 && size == strlen(text) && memcmp(data, text, size) == 0,
	       "a small xz module loads (%s)", err ? mt_last_error() : "ok");
	mt_file_close(file);
	tap_is_str(mapped_libraries(), XZ_SONAME,
		   "loading an xz module maps %s and no other optional library", XZ_SONAME);
}
#endif

/* The one list of module file suffixes. */
static void test_suffixes(void)
{
	static const struct {
		const char *name;
		int want;
	} cases[] = {
		{ "ext4.ko", MT_COMPRESSION_NONE },
		{ "/a/b/ext4.ko.gz", MT_COMPRESSION_GZIP },
		{ "ext4.ko.xz", MT_COMPRESSION_XZ },
		{ "ext4.ko.zst", MT_COMPRESSION_ZSTD },
		{ ".ko", -ENOENT },
		{ "ext4.ko.bz2", -ENOENT },
		{ "ext4.ko.xz.orig", -ENOENT },
		{ "ext4", -ENOENT },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		tap_is_int(mt_module_suffix(cases[i].name, strlen(cases[i].name)), cases[i].want,
			   "suffix of %s", cases[i].name);
	tap_is_int(mt_module_suffix("a.ko.zst", 4), MT_COMPRESSION_NONE,
		   "only the first len bytes count");
}

int main(void)
{
	static unsigned char out[sizeof(payload) * 2];
	struct mt_file *file;

	if (!mkdtemp(dir)) {
		printf("Bail out! mkdtemp failed\n");
		return 1;
	}
	/* ELF-like but compressible: text with some variation. */
	memcpy(payload, "\177ELF", 4);
	for (size_t i = 4; i < sizeof(payload); i++)
		payload[i] = (unsigned char)("modtool test payload "[i % 21] + (i / 4096) % 3);

#ifdef ENABLE_DLOPEN
	tap_is_str(mapped_libraries(), "", "no optional library is mapped at start");
#endif
	check_load("plain", write_file("plain.ko", payload, sizeof(payload)), MT_COMPRESSION_NONE, 0);
#ifdef ENABLE_DLOPEN
	tap_is_str(mapped_libraries(), "", "loading a plain module maps no optional library");
#endif
#if defined(ENABLE_DLOPEN) && defined(ENABLE_XZ)
	check_xz_loads_liblzma();
#endif

	tap_is_int(mt_file_open(write_file("short.ko", "\x28\xb5\x2f", 3), &file), -EINVAL,
		   "file shorter than a magic is EINVAL");
	tap_is_int(mt_file_open(dir, &file), -EISDIR, "a directory is EISDIR");
	tap_is_int(mt_file_open("/nonexistent/x.ko", &file), -ENOENT, "missing file is ENOENT");
	tap_ok(strstr(mt_last_error(), "/nonexistent/x.ko") != NULL, "message names the file");

#ifdef ENABLE_ZLIB
	{
		void *zlib = LIBRARY(ZLIB_SONAME);
		z_stream zs = { 0 };

		SYMBOL(zlib, deflateInit2_)(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
					    ZLIB_VERSION, (int)sizeof(zs));
		zs.next_in = payload;
		zs.avail_in = sizeof(payload);
		zs.next_out = out;
		zs.avail_out = sizeof(out);
		SYMBOL(zlib, deflate)(&zs, Z_FINISH);
		check_stream("gz.ko", MT_COMPRESSION_GZIP, out, zs.total_out);
		SYMBOL(zlib, deflateEnd)(&zs);
	}
#else
	check_stream("gz.ko", MT_COMPRESSION_GZIP, (unsigned char *)"\x1f\x8b\x08\0\0\0\0\0", 8);
#endif
#ifdef ENABLE_XZ
	{
		void *xz = LIBRARY(XZ_SONAME);
		size_t pos = 0;

		SYMBOL(xz, lzma_easy_buffer_encode)(6, LZMA_CHECK_CRC32, NULL, payload,
						    sizeof(payload), out, &pos, sizeof(out));
		/* named .ko: the magic, not the name, decides */
		check_stream("xz-named.ko", MT_COMPRESSION_XZ, out, pos);
	}
#else
	check_stream("xz.ko", MT_COMPRESSION_XZ, (unsigned char *)"\xfd" "7zXZ\0\0\0", 8);
#endif
#ifdef ENABLE_ZSTD
	{
		void *zstd = LIBRARY(ZSTD_SONAME);
		size_t len = SYMBOL(zstd, ZSTD_compress)(out, sizeof(out), payload, sizeof(payload), 3);
		ZSTD_CCtx *cctx = SYMBOL(zstd, ZSTD_createCCtx)();
		ZSTD_outBuffer zout = { out, sizeof(out), 0 };
		ZSTD_inBuffer zin = { payload, sizeof(payload), 0 };

		check_stream("zst.ko", MT_COMPRESSION_ZSTD, out, len);
		/* a streamed frame declares no content size; decode it anyway */
		SYMBOL(zstd, ZSTD_compressStream2)(cctx, &zout, &zin, ZSTD_e_continue);
		SYMBOL(zstd, ZSTD_compressStream2)(cctx, &zout, &zin, ZSTD_e_end);
		SYMBOL(zstd, ZSTD_freeCCtx)(cctx);
		tap_is_int(SYMBOL(zstd, ZSTD_getFrameContentSize)(out, zout.pos) ==
			   ZSTD_CONTENTSIZE_UNKNOWN, 1,
			   "streamed zstd frame has no content size");
		check_load("zstd without content size", write_file("stream.ko.zst", out, zout.pos),
			   MT_COMPRESSION_ZSTD, 0);
	}
#else
	check_stream("zst.ko", MT_COMPRESSION_ZSTD, (unsigned char *)"\x28\xb5\x2f\xfd\0\0\0\0", 8);
#endif
	test_suffixes();
	return tap_done();
}

/*
 * test-file.c — opening module files: magic detection, mapping, and
 * decompression of good, truncated and corrupt gzip/xz/zstd streams.
 */
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

	check_load("plain", write_file("plain.ko", payload, sizeof(payload)), MT_COMPRESSION_NONE, 0);

	tap_is_int(mt_file_open(write_file("short.ko", "\x28\xb5\x2f", 3), &file), -EINVAL,
		   "file shorter than a magic is EINVAL");
	tap_is_int(mt_file_open(dir, &file), -EISDIR, "a directory is EISDIR");
	tap_is_int(mt_file_open("/nonexistent/x.ko", &file), -ENOENT, "missing file is ENOENT");
	tap_ok(strstr(mt_last_error(), "/nonexistent/x.ko") != NULL, "message names the file");

#ifdef ENABLE_ZLIB
	{
		z_stream zs = { 0 };

		deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
		zs.next_in = payload;
		zs.avail_in = sizeof(payload);
		zs.next_out = out;
		zs.avail_out = sizeof(out);
		deflate(&zs, Z_FINISH);
		check_stream("gz.ko", MT_COMPRESSION_GZIP, out, zs.total_out);
		deflateEnd(&zs);
	}
#else
	check_stream("gz.ko", MT_COMPRESSION_GZIP, (unsigned char *)"\x1f\x8b\x08\0\0\0\0\0", 8);
#endif
#ifdef ENABLE_XZ
	{
		size_t pos = 0;

		lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, NULL, payload, sizeof(payload),
					out, &pos, sizeof(out));
		/* named .ko: the magic, not the name, decides */
		check_stream("xz-named.ko", MT_COMPRESSION_XZ, out, pos);
	}
#else
	check_stream("xz.ko", MT_COMPRESSION_XZ, (unsigned char *)"\xfd" "7zXZ\0\0\0", 8);
#endif
#ifdef ENABLE_ZSTD
	{
		size_t len = ZSTD_compress(out, sizeof(out), payload, sizeof(payload), 3);
		ZSTD_CCtx *cctx = ZSTD_createCCtx();
		ZSTD_outBuffer zout = { out, sizeof(out), 0 };
		ZSTD_inBuffer zin = { payload, sizeof(payload), 0 };

		check_stream("zst.ko", MT_COMPRESSION_ZSTD, out, len);
		/* a streamed frame declares no content size; decode it anyway */
		ZSTD_compressStream2(cctx, &zout, &zin, ZSTD_e_continue);
		ZSTD_compressStream2(cctx, &zout, &zin, ZSTD_e_end);
		ZSTD_freeCCtx(cctx);
		tap_is_int(ZSTD_getFrameContentSize(out, zout.pos) == ZSTD_CONTENTSIZE_UNKNOWN, 1,
			   "streamed zstd frame has no content size");
		check_load("zstd without content size", write_file("stream.ko.zst", out, zout.pos),
			   MT_COMPRESSION_ZSTD, 0);
	}
#else
	check_stream("zst.ko", MT_COMPRESSION_ZSTD, (unsigned char *)"\x28\xb5\x2f\xfd\0\0\0\0", 8);
#endif
	return tap_done();
}

/*
 * file.c — opening module files: magic-byte detection of gzip, xz and zstd,
 * read-only mapping of plain files and bounded decompression of the others
 * (through the decompressors' tables of dlib.c, loaded on first use).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#define MT_OPTIONAL_LIBS
#include "internal.h"

/* No module comes close; the cap stops a decompression bomb. */
#define MAX_DECOMPRESSED_SIZE ((size_t)1 << 30)
#define MAGIC_LEN 6

struct mt_file {
	int fd;
	enum mt_compression compression;
	bool mapped;
	void *data;
	size_t size;
	char path[];
};

static const struct {
	enum mt_compression compression;
	const char *name;
	unsigned char magic[MAGIC_LEN];
	size_t magic_len;
} formats[] = {
	{ MT_COMPRESSION_ZSTD, "zstd", { 0x28, 0xb5, 0x2f, 0xfd }, 4 },
	{ MT_COMPRESSION_XZ, "xz", { 0xfd, '7', 'z', 'X', 'Z', 0x00 }, 6 },
	{ MT_COMPRESSION_GZIP, "gzip", { 0x1f, 0x8b }, 2 },
};

/* Module file names end in one of these. */
static const struct {
	const char *suffix;
	enum mt_compression compression;
} suffixes[] = {
	{ ".ko", MT_COMPRESSION_NONE },
	{ ".ko.gz", MT_COMPRESSION_GZIP },
	{ ".ko.xz", MT_COMPRESSION_XZ },
	{ ".ko.zst", MT_COMPRESSION_ZSTD },
};

int mt_module_suffix(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		size_t slen = strlen(suffixes[i].suffix);

		if (len > slen && memcmp(name + len - slen, suffixes[i].suffix, slen) == 0)
			return (int)suffixes[i].compression;
	}
	return -ENOENT;
}

const char *mt_compression_name(enum mt_compression comp)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (formats[i].compression == comp)
			return formats[i].name;
	return NULL;
}

bool mt_compression_supported(enum mt_compression comp)
{
	switch (comp) {
	case MT_COMPRESSION_NONE:
		return true;
#ifdef ENABLE_ZLIB
	case MT_COMPRESSION_GZIP:
		return true;
#endif
#ifdef ENABLE_XZ
	case MT_COMPRESSION_XZ:
		return true;
#endif
#ifdef ENABLE_ZSTD
	case MT_COMPRESSION_ZSTD:
		return true;
#endif
	default:
		return false;
	}
}

int mt_file_open(const char *path, struct mt_file **out)
{
	unsigned char magic[MAGIC_LEN];
	size_t len = strlen(path);
	struct mt_file *file;
	ssize_t got;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return mt_fail(errno, "%s: %s", path, strerror(errno));
	got = pread(fd, magic, sizeof(magic), 0);
	if (got < 0) {
		int err = errno;

		close(fd);
		return mt_fail(err, "%s: %s", path, strerror(err));
	}
	if (got < MAGIC_LEN) {
		close(fd);
		return mt_fail(EINVAL, "%s: file too short to be a module", path);
	}
	file = calloc(1, sizeof(*file) + len + 1);
	if (!file) {
		close(fd);
		return mt_fail(ENOMEM, "%s: out of memory", path);
	}
	file->fd = fd;
	memcpy(file->path, path, len + 1);
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (memcmp(magic, formats[i].magic, formats[i].magic_len) == 0) {
			file->compression = formats[i].compression;
			break;
		}
	}
	*out = file;
	return 0;
}

void mt_file_close(struct mt_file *file)
{
	if (!file)
		return;
	if (file->mapped)
		munmap(file->data, file->size);
	else
		free(file->data);
	close(file->fd);
	free(file);
}

int mt_file_fd(const struct mt_file *file)
{
	return file->fd;
}

const char *mt_file_path(const struct mt_file *file)
{
	return file->path;
}

enum mt_compression mt_file_compression(const struct mt_file *file)
{
	return file->compression;
}

/* Read the whole (compressed) file into memory. */
static int read_all(struct mt_file *file, void **buf, size_t *size)
{
	struct stat st;
	size_t done = 0;
	unsigned char *p;

	if (fstat(file->fd, &st) < 0)
		return mt_fail(errno, "%s: %s", file->path, strerror(errno));
	if ((uint64_t)st.st_size > MAX_DECOMPRESSED_SIZE)
		return mt_fail(EFBIG, "%s: file too large", file->path);
	p = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!p)
		return mt_fail(ENOMEM, "%s: out of memory", file->path);
	while (done < (size_t)st.st_size) {
		ssize_t got = pread(file->fd, p + done, (size_t)st.st_size - done, (off_t)done);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			int err = got < 0 ? errno : EIO;

			free(p);
			return mt_fail(err, "%s: read failed: %s", file->path, strerror(err));
		}
		done += (size_t)got;
	}
	*buf = p;
	*size = done;
	return 0;
}

/* Output buffer that grows by doubling up to MAX_DECOMPRESSED_SIZE. */
struct growbuf {
	unsigned char *data;
	size_t size, used;
};

#if defined(ENABLE_ZLIB) || defined(ENABLE_XZ) || defined(ENABLE_ZSTD)

static int growbuf_reserve(struct growbuf *b, size_t hint)
{
	size_t want = b->size ? b->size * 2 : (hint < 65536 ? 65536 : hint);
	unsigned char *p;

	if (b->size >= MAX_DECOMPRESSED_SIZE)
		return -EFBIG;
	if (want > MAX_DECOMPRESSED_SIZE)
		want = MAX_DECOMPRESSED_SIZE;
	p = realloc(b->data, want);
	if (!p)
		return -ENOMEM;
	b->data = p;
	b->size = want;
	return 0;
}

static int decompress_error(struct mt_file *file, struct growbuf *out, int err, const char *what)
{
	free(out->data);
	if (err == EFBIG)
		return mt_fail(EFBIG, "%s: decompressed size exceeds %zu MiB",
			       file->path, MAX_DECOMPRESSED_SIZE >> 20);
	if (err == ENOMEM)
		return mt_fail(ENOMEM, "%s: out of memory", file->path);
	return mt_fail(err, "%s: %s: %s", file->path,
		       mt_compression_name(file->compression), what);
}
#endif

#ifdef ENABLE_ZLIB
static int decompress_gzip(struct mt_file *file, const unsigned char *in, size_t in_size,
			   struct growbuf *out)
{
	const struct mt_zlib *zlib;
	z_stream zs = { 0 };
	int ret = mt_load_zlib(file->path, &zlib);

	if (ret < 0)
		return ret;
	if (zlib->inflateInit2_(&zs, 15 + 16, ZLIB_VERSION, (int)sizeof(zs)) != Z_OK)
		return decompress_error(file, out, ENOMEM, "cannot initialise zlib");
	zs.next_in = (unsigned char *)in;
	zs.avail_in = in_size > UINT32_MAX ? UINT32_MAX : (uInt)in_size;
	do {
		if (out->used == out->size && (ret = growbuf_reserve(out, in_size * 4)) < 0) {
			zlib->inflateEnd(&zs);
			return decompress_error(file, out, -ret, "");
		}
		zs.next_out = out->data + out->used;
		zs.avail_out = (uInt)(out->size - out->used);
		ret = zlib->inflate(&zs, Z_NO_FLUSH);
		out->used = out->size - zs.avail_out;
	} while (ret == Z_OK);
	zlib->inflateEnd(&zs);
	if (ret != Z_STREAM_END)
		return decompress_error(file, out, EINVAL,
					ret == Z_BUF_ERROR ? "unexpected end of input"
							   : zs.msg ? zs.msg : "corrupt data");
	return 0;
}
#endif

#ifdef ENABLE_XZ
static const char *xz_message(lzma_ret ret)
{
	switch (ret) {
	case LZMA_MEM_ERROR: return "out of memory";
	case LZMA_FORMAT_ERROR: return "file format not recognized";
	case LZMA_OPTIONS_ERROR: return "unsupported compression options";
	case LZMA_DATA_ERROR: return "file is corrupt";
	case LZMA_BUF_ERROR: return "unexpected end of input";
	default: return "decoder error";
	}
}

static int decompress_xz(struct mt_file *file, const unsigned char *in, size_t in_size,
			 struct growbuf *out)
{
	lzma_stream strm = LZMA_STREAM_INIT;
	const struct mt_xz *xz;
	lzma_ret ret;
	int err = mt_load_xz(file->path, &xz);

	if (err < 0)
		return err;
	if (xz->lzma_stream_decoder(&strm, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK)
		return decompress_error(file, out, ENOMEM, "cannot initialise liblzma");
	strm.next_in = in;
	strm.avail_in = in_size;
	do {
		if (out->used == out->size && (err = growbuf_reserve(out, in_size * 4)) < 0) {
			xz->lzma_end(&strm);
			return decompress_error(file, out, -err, "");
		}
		strm.next_out = out->data + out->used;
		strm.avail_out = out->size - out->used;
		ret = xz->lzma_code(&strm, LZMA_FINISH);
		out->used = out->size - strm.avail_out;
	} while (ret == LZMA_OK);
	xz->lzma_end(&strm);
	if (ret != LZMA_STREAM_END)
		return decompress_error(file, out, ret == LZMA_MEM_ERROR ? ENOMEM : EINVAL,
					xz_message(ret));
	return 0;
}
#endif

#ifdef ENABLE_ZSTD
static int decompress_zstd(struct mt_file *file, const unsigned char *in, size_t in_size,
			   struct growbuf *out)
{
	ZSTD_inBuffer zin = { in, in_size, 0 };
	const struct mt_zstd *zstd;
	unsigned long long declared;
	ZSTD_DStream *ds;
	size_t ret;
	int err = mt_load_zstd(file->path, &zstd);

	if (err < 0)
		return err;
	declared = zstd->ZSTD_getFrameContentSize(in, in_size);
	if (declared == ZSTD_CONTENTSIZE_ERROR)
		return decompress_error(file, out, EINVAL, "not a valid frame");
	/* Streams without a declared size are decoded too, growing the buffer. */
	if (declared != ZSTD_CONTENTSIZE_UNKNOWN) {
		if (declared > MAX_DECOMPRESSED_SIZE)
			return decompress_error(file, out, EFBIG, "");
		if ((err = growbuf_reserve(out, declared ? (size_t)declared : 1)) < 0)
			return decompress_error(file, out, -err, "");
	}
	ds = zstd->ZSTD_createDStream();
	if (!ds)
		return decompress_error(file, out, ENOMEM, "");
	do {
		ZSTD_outBuffer zout;

		if (out->used == out->size && (err = growbuf_reserve(out, in_size * 4)) < 0) {
			zstd->ZSTD_freeDStream(ds);
			return decompress_error(file, out, -err, "");
		}
		zout = (ZSTD_outBuffer){ out->data, out->size, out->used };
		ret = zstd->ZSTD_decompressStream(ds, &zout, &zin);
		out->used = zout.pos;
		if (zstd->ZSTD_isError(ret)) {
			const char *msg = zstd->ZSTD_getErrorName(ret);

			zstd->ZSTD_freeDStream(ds);
			return decompress_error(file, out, EINVAL, msg);
		}
	} while (ret != 0 && (zin.pos < zin.size || out->used == out->size));
	zstd->ZSTD_freeDStream(ds);
	if (ret != 0)
		return decompress_error(file, out, EINVAL, "unexpected end of input");
	return 0;
}
#endif

static int decompress(struct mt_file *file)
{
	struct growbuf out = { 0 };
	size_t in_size = 0;
	void *in = NULL;
	int err;

	if (!mt_compression_supported(file->compression))
		return mt_fail(ENOTSUP, "%s: compiled without %s support", file->path,
			       mt_compression_name(file->compression));
	err = read_all(file, &in, &in_size);
	if (err < 0)
		return err;
	switch (file->compression) {
#ifdef ENABLE_ZLIB
	case MT_COMPRESSION_GZIP:
		err = decompress_gzip(file, in, in_size, &out);
		break;
#endif
#ifdef ENABLE_XZ
	case MT_COMPRESSION_XZ:
		err = decompress_xz(file, in, in_size, &out);
		break;
#endif
#ifdef ENABLE_ZSTD
	case MT_COMPRESSION_ZSTD:
		err = decompress_zstd(file, in, in_size, &out);
		break;
#endif
	default:
		err = mt_fail(ENOTSUP, "%s: unknown compression", file->path);
	}
	free(in);
	if (err < 0)
		return err;
	file->data = out.data;
	file->size = out.used;
	return 0;
}

int mt_file_load(struct mt_file *file, const void **data, size_t *size)
{
	if (!file->data) {
		if (file->compression != MT_COMPRESSION_NONE) {
			int err = decompress(file);

			if (err < 0)
				return err;
		} else {
			struct stat st;
			void *p;

			if (fstat(file->fd, &st) < 0)
				return mt_fail(errno, "%s: %s", file->path, strerror(errno));
			p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, file->fd, 0);
			if (p == MAP_FAILED)
				return mt_fail(errno, "%s: cannot map: %s", file->path, strerror(errno));
			file->data = p;
			file->size = (size_t)st.st_size;
			file->mapped = true;
		}
	}
	*data = file->data;
	*size = file->size;
	return 0;
}

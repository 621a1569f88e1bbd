/*
 * libmodtool — helpers shared by the library's files, not part of the API.
 */
#ifndef LIBMODTOOL_INTERNAL_H
#define LIBMODTOOL_INTERNAL_H

#include <limits.h>
#include <stdint.h>
#include <string.h>
#include "libmodtool.h"

/* Record a failure for mt_last_error() and return -err (err is positive). */
int mt_fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * ---- the context (ctx.c) ----------------------------------------------------
 * Every unit may read a context's fields; ctx.c creates and frees it.
 */
struct mt_ctx {
	mt_log_fn log_fn;		/* NULL: silent */
	void *log_data;
	int log_priority;		/* messages above it are dropped */
	struct mt_config *config;	/* NULL until mt_ctx_load_config */
	struct mt_index *index[MT_INDEX_COUNT];
	bool index_tried[MT_INDEX_COUNT];
	bool indexes_loaded;		/* by mt_ctx_load_indexes */
	char dirname[];
};

/* The context's index `id`, opened on first use; NULL when it cannot be
 * opened (missing, or with a bad header), which makes a lookup step skip
 * it, as kmod does. */
struct mt_index *mt_ctx_index(struct mt_ctx *ctx, enum mt_index_id id);

/* mt_index_open, and a bad header (magic, major version) also logged to
 * ctx in kmod's words (index.c). */
int mt_index_open_logged(const struct mt_ctx *ctx, const char *path, struct mt_index **out);

/* True when the file of an open index is gone or has another modification
 * time than when it was opened (index.c). */
bool mt_index_changed(const struct mt_index *idx);

/* Receives an index entry: its key and one of its values (neither
 * NUL-terminated); 0 to go on, -errno to stop the walk with. */
typedef int (*mt_index_entry_fn)(const char *key, size_t key_len, const char *value,
				 size_t value_len, void *data);

/* Every value of every key of `idx`, in mt_index_dump's order (index.c).
 * 0, what `fn` stopped with, or -errno for a corrupt index. */
int mt_index_foreach(struct mt_index *idx, mt_index_entry_fn fn, void *data);

/* The file name of index `id` in the module directory. */
const char *mt_index_file(enum mt_index_id id);

/* Report a message (syslog priority, text ending in '\n') to the log
 * function of `ctx` (error.c); silent when ctx is NULL, has no log
 * function, or the priority is above the context's. */
void mt_log(const struct mt_ctx *ctx, int priority, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Read the modprobe.d configuration for the context's module directory, as
 * mt_ctx_load_config describes (config.c).  0 or -errno. */
int mt_config_read(struct mt_ctx *ctx, const char *const *paths, int npaths,
		   struct mt_config **out);
void mt_config_free(struct mt_config *cfg);

/* The names of softdep or weakdep entry `index` (of `kind`, in
 * configuration order, as mt_config_entry counts them), pointing into cfg:
 * a softdep's "pre:" and "post:" lists, a weakdep's names in *pre (none in
 * *post).  1, or 0 past the last entry or for another kind (config.c). */
int mt_config_entry_deps(const struct mt_config *cfg, enum mt_config_kind kind, int index,
			 const char *const **pre, int *npre, const char *const **post, int *npost);

/* True when a configuration path that was read (a directory or a file
 * given) is gone or has another modification time than then (config.c). */
bool mt_config_changed(const struct mt_config *cfg);

/*
 * ---- growable arrays (array.c) ----------------------------------------------
 * `arrayp` is the address of the array's pointer (T **), NULL for an array
 * not yet allocated.  Both give 0, or -ENOMEM with the array as it was.
 */

/* Room for `want` elements of `size` bytes; *cap is the capacity (0 at
 * first), which grows by doubling. */
int mt_array_reserve(void *arrayp, size_t *cap, size_t want, size_t size);

/* Room for one element more than `count`, in an array grown only by this
 * function (its capacity follows from its count). */
int mt_array_room(void *arrayp, size_t count, size_t size);

/* Append `item` to `array`, which holds `count` elements (an int or size_t
 * lvalue, incremented) and is grown only this way: 0 or -ENOMEM.  The
 * arguments are evaluated more than once. */
#define MT_ARRAY_APPEND(array, count, item) \
	(mt_array_room(&(array), (size_t)(count), sizeof(*(array))) < 0 ? -ENOMEM : \
	 ((array)[(count)++] = (item), 0))

/* Append a copy of `s` to a string vector (free with mt_strv_free).
 * 0 or -ENOMEM (the vector unchanged). */
int mt_strv_push(char ***strv, int *count, const char *s);

/* A deep copy of `src` into `dst`, and the release of a mt_modref's
 * strings (lookup.c).  The copy is complete or -ENOMEM with nothing
 * allocated. */
int mt_modref_copy(struct mt_modref *dst, const struct mt_modref *src);
void mt_modref_release(struct mt_modref *ref);

/* Every module that soft dependency names resolve to, in order; a name
 * that cannot be looked up is logged and skipped (lookup.c).  Count (array
 * in *out, free with mt_modrefs_free) or -ENOMEM. */
int mt_lookup_softdeps(struct mt_ctx *ctx, const char *const *names, int n,
		       struct mt_modref **out);

/* fnmatch(pattern, string, 0) == 0, fast for simple ASCII patterns. */
int mt_glob_match(const char *pattern, const char *string);

/* False only when no pattern starting with `prefix` can match `string`. */
int mt_glob_could_match(const char *prefix, const char *string);

/*
 * ---- configuration file lists (conf-list.c) --------------------------------
 * The files of modprobe.d and depmod.d: every *.conf entry (not starting
 * with '.') of a directory, and files given by path, each listed under its
 * base name, kept sorted by it; a name already listed keeps its first file.
 */
struct mt_conf_file {
	char *path;
	const char *name;	/* the base name, inside path */
};

struct mt_conf_list {
	struct mt_conf_file *files;
	size_t n, cap;
};

/* What listing comes across.  `dir` is the directory (NULL for a path given
 * by itself), `name` the entry or path, `err` the errno of a failure. */
enum mt_conf_event {
	MT_CONF_NO_PATH,	/* a path that cannot be stat'ed: skipped */
	MT_CONF_NO_DIR,		/* a directory that cannot be opened: skipped */
	MT_CONF_NOT_CONF,	/* an entry not ending in ".conf": skipped */
	MT_CONF_NO_STAT,	/* an entry that cannot be stat'ed: skipped */
	MT_CONF_SUBDIR,		/* a directory inside the directory: skipped */
	MT_CONF_DUPLICATE,	/* a base name already listed: skipped */
	MT_CONF_DIR_DONE,	/* a directory has been listed */
};

/* How a caller lists: which entries count, and its messages (report may
 * be NULL). */
struct mt_conf_lister {
	bool regular_only;	/* skip FIFOs, devices and sockets silently */
	void (*report)(void *data, enum mt_conf_event event, const char *dir,
		       const char *name, int err);
	void *data;
};

/* A directory's entries, or the file `path` itself.  0 or -ENOMEM. */
int mt_conf_list_add_path(struct mt_conf_list *list, const char *path,
			  const struct mt_conf_lister *how);
/* DIR/NAME (or the path NAME when dir is NULL), whether it exists or not.
 * 0 or -ENOMEM. */
int mt_conf_list_add(struct mt_conf_list *list, const char *dir, const char *name,
		     const struct mt_conf_lister *how);
void mt_conf_list_release(struct mt_conf_list *list);

/*
 * ---- reading ELF files (elf.c) ----------------------------------------------
 * mt_elf_read reads a plain module file into buffers that one thread reuses
 * from file to file.  With `sections` (NULL-terminated names), only the ELF
 * header, the section table, the section names and those sections are read,
 * with a few preads (ranges close together as one), into a compact image
 * whose header and table point at their new places; a section left out
 * points past its end, where every query finds nothing.  With `tail`, the
 * bytes from the end of the section table to the end of the file (where a
 * module's signature is) come last in the image, read with the table; the
 * buffers' tail_size says how many of the image's last bytes are the file's
 * last (all of them for a whole file).  A few reads into a
 * small reused buffer beat both mapping each file (threads then contend for
 * the address space) and reading it whole.  An unusual layout, or `sections`
 * NULL, reads the whole file.  The image is then mt_elf_open'ed as `name`;
 * it and the mt_elf stay valid until the next read into the same buffers.
 * -ENOEXEC when the file (`size` bytes, open on fd) does not start with an
 * ELF header (it may be compressed), -ENOMEM, -EIO, or mt_elf_open's error.
 */
struct mt_elf_buffers {
	unsigned char *image, *table;
	size_t image_cap, table_cap;
	size_t image_size;	/* of the image last read */
	size_t tail_size;	/* its last bytes that are the file's last */
};

int mt_elf_read(int fd, size_t size, const char *const *sections, bool tail,
		struct mt_elf_buffers *b, const char *name, struct mt_elf **out);
void mt_elf_buffers_release(struct mt_elf_buffers *b);

/*
 * ---- reading many modules (module.c) ----------------------------------------
 * A thread that reads many modules keeps a reader: the buffers plain files
 * are read into (mt_elf_read, only `sections` when not NULL), and the
 * directory of the last module, open from its second module on, as modules
 * of a directory come in a row and opening them relative to it spares
 * resolving the whole path.
 */
struct mt_module_reader {
	struct mt_elf_buffers buffers;
	const char *const *sections;
	bool tail;		/* read the file's tail too (mt_elf_read); false after init */
	int dir_fd;		/* or -1 */
	size_t dir_len;
	char dir[PATH_MAX];	/* dir_len bytes: the directory with its '/' */
};

void mt_module_reader_init(struct mt_module_reader *r, const char *const *sections);
void mt_module_reader_release(struct mt_module_reader *r);

/* The module at `path` with its ELF view made (mt_module_elf gives it).  A
 * plain file is read into r's buffers and has no mt_file (mt_module_file
 * gives NULL, mt_module_image the image read); anything else goes the way
 * of mt_module_open.  Close the module before the next read with r.
 * mt_module_read_plain reads plain files only: -ENOEXEC for the others. */
int mt_module_read(struct mt_module_reader *r, const char *path, struct mt_module **out);
int mt_module_read_plain(struct mt_module_reader *r, const char *path, struct mt_module **out);

/* Bytes before the end of `data` that its signature trailer claims (the
 * trailer and what its info block describes), 0 without a trailer
 * (signature.c). */
size_t mt_signature_span(const void *data, size_t size);

/* The last bytes of the module's file that it holds, where a signature is:
 * the whole image of a module opened or read whole, the tail of one read
 * with r->tail set.  0 or mt_module_image's error. */
int mt_module_tail(struct mt_module *mod, const void **data, size_t *size);

static inline uint16_t mt_get16(const void *p, bool big)
{
	const uint8_t *b = p;
	return big ? (uint16_t)(b[0] << 8 | b[1]) : (uint16_t)(b[1] << 8 | b[0]);
}

static inline uint32_t mt_get32(const void *p, bool big)
{
	const uint8_t *b = p;
	return big ? (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]
		   : (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0];
}

static inline uint64_t mt_get64(const void *p, bool big)
{
	const uint8_t *b = p;
	uint64_t hi = mt_get32(big ? b : b + 4, big), lo = mt_get32(big ? b + 4 : b, big);
	return hi << 32 | lo;
}

/* True when [off, off+len) lies inside a buffer of `size` bytes. */
static inline bool mt_in_bounds(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

/*
 * ---- optional libraries (dlib.c) -------------------------------------------
 * zlib, liblzma, libzstd and libcrypto are called through tables of their
 * functions.  mt_load_<lib>() fills the table on first use (thread-safe) and
 * returns 0, or -ELIBACC with "<subject>: <what needs it> but <soname> cannot
 * be loaded: <why>" for mt_last_error().  Declared only for the files that
 * define MT_OPTIONAL_LIBS before including this header: the libraries'
 * headers are large and claim common names (compress, crc32).  Hidden:
 * libmodtool.sym exports every mt_* name it does not list as local.
 */
#ifdef MT_OPTIONAL_LIBS
#define MT_DLIB_MEMBER(sym) __typeof__(sym) *sym;
#define MT_DLIB_HIDDEN __attribute__((visibility("hidden")))

#ifdef ENABLE_ZLIB
#include <zlib.h>
#define MT_ZLIB_SYMBOLS(X) X(inflateInit2_) X(inflate) X(inflateEnd)
struct mt_zlib { MT_ZLIB_SYMBOLS(MT_DLIB_MEMBER) };
MT_DLIB_HIDDEN int mt_load_zlib(const char *subject, const struct mt_zlib **out);
#endif

#ifdef ENABLE_XZ
#include <lzma.h>
#define MT_XZ_SYMBOLS(X) X(lzma_stream_decoder) X(lzma_code) X(lzma_end)
struct mt_xz { MT_XZ_SYMBOLS(MT_DLIB_MEMBER) };
MT_DLIB_HIDDEN int mt_load_xz(const char *subject, const struct mt_xz **out);
#endif

#ifdef ENABLE_ZSTD
#include <zstd.h>
#define MT_ZSTD_SYMBOLS(X) \
	X(ZSTD_getFrameContentSize) X(ZSTD_createDStream) X(ZSTD_decompressStream) \
	X(ZSTD_freeDStream) X(ZSTD_isError) X(ZSTD_getErrorName)
struct mt_zstd { MT_ZSTD_SYMBOLS(MT_DLIB_MEMBER) };
MT_DLIB_HIDDEN int mt_load_zstd(const char *subject, const struct mt_zstd **out);
#endif

#ifdef ENABLE_OPENSSL
#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#define MT_CRYPTO_SYMBOLS(X) \
	X(ERR_set_mark) X(ERR_pop_to_mark) X(d2i_PKCS7) X(PKCS7_free) \
	X(PKCS7_get_signer_info) X(OPENSSL_sk_value) X(PKCS7_SIGNER_INFO_get0_algs) \
	X(X509_ALGOR_get0) X(X509_NAME_entry_count) X(X509_NAME_get_index_by_NID) \
	X(X509_NAME_get_entry) X(X509_NAME_ENTRY_get_data) X(ASN1_STRING_length) \
	X(ASN1_STRING_get0_data) X(OBJ_obj2txt) X(ASN1_INTEGER_to_BN) X(BN_num_bits) \
	X(BN_bn2bin) X(BN_free)
struct mt_crypto { MT_CRYPTO_SYMBOLS(MT_DLIB_MEMBER) };
MT_DLIB_HIDDEN int mt_load_crypto(const char *subject, const struct mt_crypto **out);
#endif
#endif /* MT_OPTIONAL_LIBS */

#endif

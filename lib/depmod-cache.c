/*
 * depmod-cache.c — depmod's cache of parsed modules (--incremental): for
 * each module file, its key (size, times, inode: dm_cache_key) and exactly
 * what parse_module found in it, so that a later run gives a module whose
 * key is unchanged the same results without opening it.  The outputs are
 * always generated again from the configuration and the whole module set;
 * only the parsing is saved.
 *
 * The file is an image of native words, checked whole before anything in
 * it is used, as any hostile input: a header (magic, byte order, format
 * version, the modtool build's parser id, the parse params, the size and a
 * checksum of the rest), then one record per module, 8-byte aligned:
 *
 *   u32 record size, path length, number of exports, imports, aliases,
 *       softdeps, weakdeps, 0
 *   u64 file size, inode; s64 mtime s, ctime s; u32 mtime ns, ctime ns
 *   u64 CRC of each export, then of each import; u32 hash (dm_hash) of
 *   each export name, then of each import's looked-up name; u8 weak of
 *   each import
 *   the path, export names, import names, aliases, softdeps and weakdeps,
 *   each NUL-terminated, then zeros up to the next multiple of 8
 *
 * Reading it is one read into one buffer, whose strings the modules then
 * point to; a record's strings are checked as a module is filled from it.
 * A new cache copies the records of the modules filled from the old one,
 * and when that is all of them in the same order, it is not written again.
 * Writing it goes with the outputs (depmod-output.c), all or nothing.  The parser id changes with the sources of the parsing code
 * (MT_PARSER_ID, made by the build), so a depmod built otherwise never
 * trusts an older depmod's results.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "depmod-cache.h"
#include "internal.h"
#include "lib/parser-id.h"

#define CACHE_MAGIC "modtool depcache"	/* 16 bytes, no NUL */
#define CACHE_FORMAT 1
#define BYTE_ORDER_MARK 0x01020304u

struct header {
	char magic[16];
	uint32_t byte_order;
	uint32_t format;
	char parser_id[32];
	uint32_t params;	/* symbol prefix | all_sections << 8 */
	uint32_t n_records;
	uint64_t size;		/* of the whole file */
	uint64_t checksum;	/* of what follows the header */
};

_Static_assert(sizeof(struct header) == DM_CACHE_HEADER_SIZE, "the header's size");

struct record {
	uint32_t size, path_len;
	uint32_t n_exports, n_imports, n_aliases, n_softdeps, n_weakdeps, zero;
	uint64_t file_size, ino;
	int64_t mtime_sec, ctime_sec;
	uint32_t mtime_nsec, ctime_nsec;
};

/* Records are checked with this bound on every count: a module has far
 * fewer, and the sums below cannot overflow. */
#define MAX_COUNT (1u << 24)

struct slot {
	uint32_t hash;
	uint32_t record;	/* index + 1; 0: empty */
};

struct dm_cache {
	char *data;
	size_t size;
	struct dm_cache_params params;
	const struct record **records;
	size_t n_records;
	struct slot *slots;	/* open addressing on the path, power of two */
	size_t mask;
};

/* ---- keys ------------------------------------------------------------------ */

/* A filesystem that keeps whole seconds (nanoseconds 0) may stamp a later
 * change with the same second, or two (FAT); others stamp with the clock
 * tick at most 10 ms behind (coarse time). */
static bool clearly_before(int64_t sec, uint32_t nsec, const struct timespec *start)
{
	int64_t margin_ns = nsec == 0 ? 3000000000 : 100000000;
	int64_t start_ns = (int64_t)start->tv_sec * 1000000000 + start->tv_nsec;

	return sec * 1000000000 + nsec < start_ns - margin_ns;
}

bool dm_cache_stat(const char *path, const struct timespec *start, struct dm_cache_key *key)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return false;
	*key = (struct dm_cache_key){
		.size = (uint64_t)st.st_size, .ino = (uint64_t)st.st_ino,
		.mtime_sec = st.st_mtim.tv_sec, .mtime_nsec = (uint32_t)st.st_mtim.tv_nsec,
		.ctime_sec = st.st_ctim.tv_sec, .ctime_nsec = (uint32_t)st.st_ctim.tv_nsec,
	};
	/* Every change of the contents sets ctime to the time of the change
	 * (mtime can be set to anything). */
	key->stored = clearly_before(key->ctime_sec, key->ctime_nsec, start);
	return true;
}

static bool same_key(const struct record *r, const struct dm_cache_key *k)
{
	return r->file_size == k->size && r->ino == k->ino && r->mtime_sec == k->mtime_sec &&
	       r->mtime_nsec == k->mtime_nsec && r->ctime_sec == k->ctime_sec &&
	       r->ctime_nsec == k->ctime_nsec;
}

/* ---- the image --------------------------------------------------------------- */

static uint64_t rotl(uint64_t x, unsigned r)
{
	return (x << r) | (x >> (64 - r));
}

/* A 64-bit checksum in four independent lanes (so that it runs at memory
 * speed): it detects damage, it does not authenticate. */
static uint64_t checksum(const char *p, size_t n)
{
	static const uint64_t k1 = 0x9e3779b185ebca87ull, k2 = 0xc2b2ae3d27d4eb4full;
	uint64_t lane[4] = { k1, k2, k1 ^ k2, k1 + k2 }, h, w;
	size_t i = 0;

	for (; i + 32 <= n; i += 32) {
		for (unsigned l = 0; l < 4; l++) {
			memcpy(&w, p + i + 8 * l, 8);
			lane[l] = rotl(lane[l] + w * k2, 31) * k1;
		}
	}
	h = rotl(lane[0], 1) + rotl(lane[1], 7) + rotl(lane[2], 12) + rotl(lane[3], 18) + n;
	for (; i < n; i++)
		h = rotl(h ^ (unsigned char)p[i], 11) * k1;
	h ^= h >> 33;
	h *= k2;
	h ^= h >> 29;
	return h;
}

static void make_header(struct header *h, const struct dm_cache_params *params, size_t n_records,
			size_t size)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->magic, CACHE_MAGIC, sizeof(h->magic));
	h->byte_order = BYTE_ORDER_MARK;
	h->format = CACHE_FORMAT;
	strncpy(h->parser_id, MT_PARSER_ID, sizeof(h->parser_id));
	h->params = (uint32_t)(unsigned char)params->symbol_prefix |
		    (uint32_t)params->all_sections << 8;
	h->n_records = (uint32_t)n_records;
	h->size = size;
}

void dm_cache_seal(char *image, size_t size, size_t n_records,
		   const struct dm_cache_params *params)
{
	struct header h;

	make_header(&h, params, n_records, size);
	h.checksum = checksum(image + sizeof(h), size - sizeof(h));
	memcpy(image, &h, sizeof(h));
}

static size_t strings_of(const struct record *r)
{
	return (size_t)r->n_exports + r->n_imports + r->n_aliases + r->n_softdeps + r->n_weakdeps;
}

/* Offset of a record's strings: after the CRCs, hashes and weak flags. */
static size_t strings_offset(const struct record *r)
{
	return sizeof(*r) + ((size_t)r->n_exports + r->n_imports) * 12 + r->n_imports;
}

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* Check the record at data[0..avail) as far as indexing it needs (its
 * strings are checked when it is used): NULL, or why it is not whole. */
static const char *check_record(const char *data, size_t avail)
{
	const struct record *r = (const struct record *)data;

	if (avail < sizeof(*r))
		return "a truncated record";
	if (r->size < sizeof(*r) || r->size > avail || r->size % 8 || r->zero)
		return "a record of a bad size";
	if (r->n_exports > MAX_COUNT || r->n_imports > MAX_COUNT || r->n_aliases > MAX_COUNT ||
	    r->n_softdeps > MAX_COUNT || r->n_weakdeps > MAX_COUNT || r->path_len > MAX_COUNT ||
	    strings_offset(r) + r->path_len >= r->size ||
	    /* each string takes a byte at least: the work is bounded by the size */
	    strings_of(r) >= r->size - strings_offset(r) - r->path_len ||
	    data[strings_offset(r) + r->path_len] != '\0' ||
	    memchr(data + strings_offset(r), '\0', r->path_len))
		return "a record with bad counts or path";
	return NULL;
}

static const char *record_path(const struct record *r)
{
	return (const char *)r + strings_offset(r);
}

/* Check the whole image and index its records: NULL, or why not. */
static const char *check_image(struct dm_cache *c, int *err)
{
	struct header want, got;
	size_t off = sizeof(got), cap = 16;

	*err = 0;
	if (c->size < sizeof(got))
		return "truncated";
	memcpy(&got, c->data, sizeof(got));
	make_header(&want, &c->params, got.n_records, c->size);
	if (memcmp(got.magic, want.magic, sizeof(got.magic)) != 0)
		return "not a depmod cache";
	if (got.byte_order != BYTE_ORDER_MARK)
		return "of another byte order";
	if (got.format != CACHE_FORMAT)
		return "of another format version";
	if (memcmp(got.parser_id, want.parser_id, sizeof(got.parser_id)) != 0)
		return "made by another modtool build";
	if (got.params != want.params)
		return "made with other options (-P, or -e with -E)";
	if (got.size != c->size)
		return "truncated or extended";
	if (got.checksum != checksum(c->data + sizeof(got), c->size - sizeof(got)))
		return "damaged (checksum mismatch)";
	if (got.n_records > (c->size - sizeof(got)) / sizeof(struct record))
		return "with a bad record count";
	while (cap < (size_t)got.n_records * 2)
		cap *= 2;
	c->records = malloc((got.n_records ? got.n_records : 1) * sizeof(*c->records));
	c->slots = calloc(cap, sizeof(*c->slots));
	if (!c->records || !c->slots) {
		*err = -ENOMEM;
		return NULL;
	}
	c->mask = cap - 1;
	for (size_t i = 0; i < got.n_records; i++) {
		const char *why = check_record(c->data + off, c->size - off);
		const struct record *r = (const struct record *)(c->data + off);
		uint32_t hash;
		size_t k;

		if (why)
			return why;
		c->records[i] = r;
		hash = dm_hash(record_path(r), r->path_len);
		for (k = hash & c->mask; c->slots[k].record; k = (k + 1) & c->mask)
			;
		c->slots[k] = (struct slot){ hash, (uint32_t)i + 1 };
		off += r->size;
	}
	if (off != c->size)
		return "with data after the records";
	c->n_records = got.n_records;
	return NULL;
}

int dm_cache_from_buffer(char *data, size_t size, const char *name,
			 const struct dm_cache_params *params, const struct dm_log *log,
			 struct dm_cache **out)
{
	struct dm_cache *c = calloc(1, sizeof(*c));
	const char *why;
	int err;

	*out = NULL;
	if (!c) {
		free(data);
		return -ENOMEM;
	}
	*c = (struct dm_cache){ .data = data, .size = size, .params = *params };
	/* The records are read in place: the buffer must be aligned as they. */
	why = (uintptr_t)data % 8 ? "misaligned" : check_image(c, &err);
	if (why || err < 0) {
		if (why)
			dm_msg(log, LOG_NOTICE, "ignoring the cache %s: %s\n", name, why);
		dm_cache_close(c);
		return why ? 0 : err;
	}
	*out = c;
	return 0;
}

/* Far more than the cache of any module directory (some 7 MiB for 4,000
 * modules): a bigger file is not read. */
#define MAX_CACHE_SIZE (256u << 20)

/* The whole file at path, in one buffer of its size: 0 and the data, a
 * negative errno, or 1 with why it is not read. */
static int read_cache(const char *path, char **data, size_t *size, const char **why)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;
	size_t len = 0;
	struct stat st;
	char *buf = NULL;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		err = -errno;
	} else if (!S_ISREG(st.st_mode)) {
		*why = "not a regular file";
		err = 1;
	} else if ((uint64_t)st.st_size > MAX_CACHE_SIZE) {
		*why = "too large";
		err = 1;
	} else if (!(buf = malloc(st.st_size ? (size_t)st.st_size : 1))) {
		err = -ENOMEM;
	}
	while (err == 0 && len < (size_t)st.st_size) {
		ssize_t got = read(fd, buf + len, (size_t)st.st_size - len);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			err = -errno;
		else if (got == 0)
			break;
		else
			len += (size_t)got;
	}
	close(fd);
	if (err != 0) {
		free(buf);
		return err;
	}
	*data = buf;
	*size = len;
	return 0;
}

int dm_cache_open(const char *path, const struct dm_cache_params *params,
		  const struct dm_log *log, struct dm_cache **out)
{
	const char *why = NULL;
	size_t size = 0;
	char *data = NULL;
	int err;

	*out = NULL;
	err = read_cache(path, &data, &size, &why);
	if (err == -ENOMEM || err == -ENOENT)
		return err == -ENOMEM ? err : 0;
	if (err != 0) {
		dm_msg(log, LOG_NOTICE, "ignoring the cache %s: %s\n", path,
		       why ? why : strerror(-err));
		return 0;
	}
	/* (one changed while it is read is found truncated or extended) */
	return dm_cache_from_buffer(data, size, path, params, log, out);
}

void dm_cache_close(struct dm_cache *c)
{
	if (!c)
		return;
	free(c->records);
	free(c->slots);
	free(c->data);
	free(c);
}

size_t dm_cache_count(const struct dm_cache *c)
{
	return c->n_records;
}

/* A record's strings, walked within its bounds. */
struct strings {
	const char *pos, *end;
	bool bad;
};

static const char *next_string(struct strings *s, size_t *len)
{
	const char *str = s->pos, *nul = s->bad ? NULL : memchr(str, '\0', (size_t)(s->end - str));

	if (!nul) {
		s->bad = true;
		*len = 0;
		return "";
	}
	*len = (size_t)(nul - str);
	s->pos = nul + 1;
	return str;
}

/* The next n strings, as an arena array (NULL when n is 0). */
static const char **take_strings(struct strings *s, size_t n, struct dm_arena *a, bool *nomem)
{
	const char **v = n ? dm_arena_alloc(a, n * sizeof(*v)) : NULL;
	size_t len;

	if (n && !v) {
		*nomem = true;
		return NULL;
	}
	for (size_t i = 0; i < n && !s->bad; i++)
		v[i] = next_string(s, &len);
	return v;
}

/* The rest must be the zeros up to the record's end. */
static bool only_padding(const struct strings *s)
{
	if (s->bad || s->end - s->pos >= 8)
		return false;
	for (const char *p = s->pos; p < s->end; p++)
		if (*p)
			return false;
	return true;
}

int dm_cache_fill_record(const struct dm_cache *c, size_t i, struct dm_module *m,
			 struct dm_arena *a)
{
	const struct record *r = c->records[i];
	size_t n_syms = (size_t)r->n_exports + r->n_imports, len;
	const char *crcs = (const char *)(r + 1), *hashes = crcs + n_syms * 8;
	const unsigned char *weak = (const unsigned char *)hashes + n_syms * 4;
	struct strings s = { record_path(r) + r->path_len + 1, (const char *)r + r->size, false };
	char prefix = c->params.symbol_prefix;
	struct dm_export *exports;
	struct dm_import *imports;
	bool nomem = false;

	exports = dm_arena_alloc(a, r->n_exports * sizeof(*exports));
	imports = dm_arena_alloc(a, r->n_imports * sizeof(*imports));
	if ((r->n_exports && !exports) || (r->n_imports && !imports))
		return -ENOMEM;
	for (size_t j = 0; j < r->n_exports; j++, crcs += 8, hashes += 4) {
		exports[j].name = next_string(&s, &len);
		memcpy(&exports[j].crc, crcs, 8);
		memcpy(&exports[j].hash, hashes, 4);
	}
	for (size_t j = 0; j < r->n_imports; j++, crcs += 8, hashes += 4) {
		const char *name = next_string(&s, &len), *key = name[0] == '.' ? name + 1 : name;

		if (prefix && key[0] == prefix)
			key++;
		imports[j] = (struct dm_import){
			.name = name, .weak = weak[j] != 0, .skip = (unsigned char)(key - name),
		};
		memcpy(&imports[j].crc, crcs, 8);
		memcpy(&imports[j].hash, hashes, 4);
	}
	m->aliases = take_strings(&s, r->n_aliases, a, &nomem);
	m->softdeps = take_strings(&s, r->n_softdeps, a, &nomem);
	m->weakdeps = take_strings(&s, r->n_weakdeps, a, &nomem);
	if (nomem)
		return -ENOMEM;
	if (!only_padding(&s)) {
		/* damaged: the module is parsed instead */
		m->aliases = m->softdeps = m->weakdeps = NULL;
		return 0;
	}
	m->load_err = 0;
	m->exports = exports;
	m->imports = imports;
	m->n_exports = r->n_exports;
	m->n_imports = r->n_imports;
	m->n_aliases = r->n_aliases;
	m->n_softdeps = r->n_softdeps;
	m->n_weakdeps = r->n_weakdeps;
	return 1;
}

int dm_cache_fill(const struct dm_cache *c, struct dm_module *m, struct dm_cache_key *key,
		  struct dm_arena *a)
{
	size_t len = strlen(m->path);
	uint32_t hash = dm_hash(m->path, len);

	for (size_t k = hash & c->mask; c->slots[k].record; k = (k + 1) & c->mask) {
		size_t i = c->slots[k].record - 1;
		const struct record *r = c->records[i];
		int found;

		if (c->slots[k].hash != hash || r->path_len != len ||
		    memcmp(record_path(r), m->path, len) != 0)
			continue;
		if (!same_key(r, key))
			return 0;
		found = dm_cache_fill_record(c, i, m, a);
		if (found > 0)
			key->record = c->slots[k].record;
		return found;
	}
	return 0;
}

/* ---- writing ---------------------------------------------------------------- */

static size_t strings_size(const char *const *v, size_t n)
{
	size_t size = 0;

	for (size_t i = 0; i < n; i++)
		size += strlen(v[i]) + 1;
	return size;
}

static size_t record_size(const struct dm_module *m)
{
	size_t size = sizeof(struct record) + (m->n_exports + m->n_imports) * 12 + m->n_imports +
		      strlen(m->path) + 1;

	for (size_t i = 0; i < m->n_exports; i++)
		size += strlen(m->exports[i].name) + 1;
	for (size_t i = 0; i < m->n_imports; i++)
		size += strlen(m->imports[i].name) + 1;
	size += strings_size(m->aliases, m->n_aliases) + strings_size(m->softdeps, m->n_softdeps) +
		strings_size(m->weakdeps, m->n_weakdeps);
	return align8(size);
}

static char *put_string(char *p, const char *s)
{
	size_t len = strlen(s) + 1;

	memcpy(p, s, len);
	return p + len;
}

static char *put_strings(char *p, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p = put_string(p, v[i]);
	return p;
}

static void put_record(char *p, size_t size, const struct dm_module *m,
		       const struct dm_cache_key *k)
{
	struct record r = {
		.size = (uint32_t)size, .path_len = (uint32_t)strlen(m->path),
		.n_exports = (uint32_t)m->n_exports, .n_imports = (uint32_t)m->n_imports,
		.n_aliases = (uint32_t)m->n_aliases, .n_softdeps = (uint32_t)m->n_softdeps,
		.n_weakdeps = (uint32_t)m->n_weakdeps,
		.file_size = k->size, .ino = k->ino, .mtime_sec = k->mtime_sec,
		.ctime_sec = k->ctime_sec, .mtime_nsec = k->mtime_nsec, .ctime_nsec = k->ctime_nsec,
	};
	char *start = p;

	memcpy(p, &r, sizeof(r));
	p += sizeof(r);
	for (size_t i = 0; i < m->n_exports; i++, p += 8)
		memcpy(p, &m->exports[i].crc, 8);
	for (size_t i = 0; i < m->n_imports; i++, p += 8)
		memcpy(p, &m->imports[i].crc, 8);
	for (size_t i = 0; i < m->n_exports; i++, p += 4)
		memcpy(p, &m->exports[i].hash, 4);
	for (size_t i = 0; i < m->n_imports; i++, p += 4)
		memcpy(p, &m->imports[i].hash, 4);
	for (size_t i = 0; i < m->n_imports; i++)
		*p++ = (char)m->imports[i].weak;
	p = put_string(p, m->path);
	for (size_t i = 0; i < m->n_exports; i++)
		p = put_string(p, m->exports[i].name);
	for (size_t i = 0; i < m->n_imports; i++)
		p = put_string(p, m->imports[i].name);
	p = put_strings(p, m->aliases, m->n_aliases);
	p = put_strings(p, m->softdeps, m->n_softdeps);
	p = put_strings(p, m->weakdeps, m->n_weakdeps);
	memset(p, 0, size - (size_t)(p - start));
}

/* A module beyond the format's bounds (never a real one) is left out. */
static bool fits(const struct dm_module *m, size_t size)
{
	return size <= UINT32_MAX && m->n_exports <= MAX_COUNT && m->n_imports <= MAX_COUNT &&
	       m->n_aliases <= MAX_COUNT && m->n_softdeps <= MAX_COUNT &&
	       m->n_weakdeps <= MAX_COUNT && strlen(m->path) <= MAX_COUNT;
}

/* The size of module i's record, 0 for none. */
static size_t new_record_size(const struct dm_module *m, const struct dm_cache_key *k,
			      const struct dm_cache *old)
{
	size_t size;

	if (!k->stored || m->load_err)
		return 0;
	if (k->record)
		return old->records[k->record - 1]->size;
	size = record_size(m);
	return fits(m, size) ? size : 0;
}

bool dm_cache_unchanged(const struct dm_cache *old, const struct dm_cache_key *keys, size_t n)
{
	if (!old || old->n_records != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (keys[i].record != i + 1 || !keys[i].stored)
			return false;
	return true;
}

int dm_cache_build(struct dm_module *const *mods, const struct dm_cache_key *keys, size_t n,
		   const struct dm_cache *old, const struct dm_cache_params *params, char **data,
		   size_t *size)
{
	size_t total = sizeof(struct header), n_records = 0, off;
	size_t *sizes = malloc((n ? n : 1) * sizeof(*sizes));
	char *p;

	if (!sizes)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		sizes[i] = new_record_size(mods[i], &keys[i], old);
		total += sizes[i];
		n_records += sizes[i] != 0;
	}
	p = malloc(total);
	if (!p) {
		free(sizes);
		return -ENOMEM;
	}
	off = sizeof(struct header);
	for (size_t i = 0; i < n; i++) {
		if (!sizes[i])
			continue;
		if (keys[i].record)
			memcpy(p + off, old->records[keys[i].record - 1], sizes[i]);
		else
			put_record(p + off, sizes[i], mods[i], &keys[i]);
		off += sizes[i];
	}
	free(sizes);
	dm_cache_seal(p, total, n_records, params);
	*data = p;
	*size = total;
	return 0;
}

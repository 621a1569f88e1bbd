/*
 * depmod-cache.h — what depmod parsed from each module file, kept between
 * runs in a file of the output directory (depmod-cache.c), so that a run
 * parses only the modules whose file changed.  Uses the module model
 * (depgraph.h) and the arena; below depmod.c; not part of the API.
 */
#ifndef LIBMODTOOL_DEPMOD_CACHE_H
#define LIBMODTOOL_DEPMOD_CACHE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include "depgraph.h"
#include "depmod-log.h"

/* The cache's file name in the output directory. */
#define DM_CACHE_NAME "modules.depmod-cache.bin"

/* What identifies the contents of a module file: a record is used only for
 * a file of the same path whose key is equal in every field. */
struct dm_cache_key {
	uint64_t size, ino;
	int64_t mtime_sec, ctime_sec;
	uint32_t mtime_nsec, ctime_nsec;
	bool stored;		/* may be written to the cache (see dm_cache_stat) */
	uint32_t record;	/* 1 + the cache record the module was filled
				 * from (dm_cache_fill); 0: parsed */
};

/* What else shapes parse_module's results: a cache made with other values
 * is not used. */
struct dm_cache_params {
	char symbol_prefix;	/* -P */
	bool all_sections;	/* the modules were read whole (-e with -E) */
};

/* The key of the file at path, stat'ed before it is read.  It is stored
 * only when the file's status last changed clearly before `start` (the
 * run's start): a change in the same tick of the filesystem's clock, after
 * the file was read, would otherwise leave the key equal to a stale
 * record's.  false when path cannot be stat'ed. */
bool dm_cache_stat(const char *path, const struct timespec *start, struct dm_cache_key *key);

/* A cache read from a file or a buffer, checked whole (the strings of a
 * record are checked as it is used): a cache that is missing (quietly) or
 * cannot be used — truncated, corrupt, of another format, modtool build,
 * byte order or params — gives NULL and 0, logging why at LOG_NOTICE; only
 * -ENOMEM fails. */
struct dm_cache;
int dm_cache_open(const char *path, const struct dm_cache_params *params,
		  const struct dm_log *log, struct dm_cache **out);
/* data (malloc'd) is the cache's from here on, whatever the result;
 * `name` names it in messages. */
int dm_cache_from_buffer(char *data, size_t size, const char *name,
			 const struct dm_cache_params *params, const struct dm_log *log,
			 struct dm_cache **out);
void dm_cache_close(struct dm_cache *c);

/* Fill m's parse results (load_err, exports, imports, aliases, softdeps,
 * weakdeps) from the record of m->path if its key equals *key, and set
 * key->record: 1 when filled, 0 when there is no such record (or it is
 * damaged), -ENOMEM.  The strings stay in the cache, which must outlive m;
 * the arrays go to the arena.  Thread-safe. */
int dm_cache_fill(const struct dm_cache *c, struct dm_module *m, struct dm_cache_key *key,
		  struct dm_arena *a);

/* The records of a cache, for checking it: their number, and filling a
 * module from record i as dm_cache_fill does. */
size_t dm_cache_count(const struct dm_cache *c);
int dm_cache_fill_record(const struct dm_cache *c, size_t i, struct dm_module *m,
			 struct dm_arena *a);

/* The header of a cache image of `size` bytes (at least
 * DM_CACHE_HEADER_SIZE) whose records follow it: written over the image's
 * first bytes, with the checksum of the rest. */
#define DM_CACHE_HEADER_SIZE 80
void dm_cache_seal(char *image, size_t size, size_t n_records,
		   const struct dm_cache_params *params);

/* Whether the cache for mods[i] with keys[i] would be `old` itself: every
 * module filled from old's records, in their order. */
bool dm_cache_unchanged(const struct dm_cache *old, const struct dm_cache_key *keys, size_t n);

/* The cache of mods[i] with keys[i], for those parsed without error whose
 * key may be stored, as a malloc'd file image; the records of modules
 * filled from `old` (or NULL) are copied from it.  -ENOMEM. */
int dm_cache_build(struct dm_module *const *mods, const struct dm_cache_key *keys, size_t n,
		   const struct dm_cache *old, const struct dm_cache_params *params, char **data,
		   size_t *size);

#endif

/*
 * depmod-config.h — the depmod.d configuration (depmod-config.c): the
 * search order, overrides, external directories and excluded names read
 * from the files.  Uses depmod-log.h; not part of the API.
 */
#ifndef LIBMODTOOL_DEPMOD_CONFIG_H
#define LIBMODTOOL_DEPMOD_CONFIG_H

#include <stddef.h>
#include "depmod-log.h"

enum dm_search_type {
	DM_SEARCH_DIR,		/* a directory relative to D */
	DM_SEARCH_BUILTIN,	/* "built-in": modules that match nothing */
	DM_SEARCH_EXTERNAL,	/* "external": the external directories */
};

struct dm_search {
	enum dm_search_type type;
	char *path;
	size_t len;
};

struct dm_config {
	struct dm_search *searches;	/* config order; first = highest */
	size_t n_searches;
	char **overrides;		/* "SUBDIR/NAME", config order */
	size_t n_overrides;
	char **externals;		/* absolute directories, config order */
	size_t n_externals;
	char **excludes;		/* entry names skipped by the walk */
	size_t n_excludes;
};

/* Read the depmod.d files (`paths` NULL-terminated, NULL: the defaults) for
 * kernel `version`.  Problems in the files are logged and skipped; only
 * running out of memory fails (-ENOMEM). */
int dm_config_load(struct dm_config *cfg, const char *const *paths, const char *version,
		   const struct dm_log *log);
void dm_config_release(struct dm_config *cfg);

#endif

/*
 * depgraph.h — depmod's model of a module directory (depgraph.c): the
 * modules with what parsing found in them, the symbol table and the
 * dependency graph, and the steps that order, resolve and number them.
 * Uses the configuration (depmod-config.h), the arena (depmod-util.h) and
 * depmod-log.h; not part of the API.
 */
#ifndef LIBMODTOOL_DEPGRAPH_H
#define LIBMODTOOL_DEPGRAPH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "depmod-config.h"
#include "depmod-log.h"
#include "depmod-util.h"

/* SuperFastHash (Paul Hsieh), kmod's hash: orders modules and symbols. */
uint32_t dm_hash(const char *key, size_t len);

struct dm_export {
	const char *name;
	uint64_t crc;
	uint32_t hash;
};

struct dm_import {
	const char *name;	/* as in the module, for messages */
	uint64_t crc;
	uint32_t hash;		/* of the looked-up name: name + skip */
	unsigned char skip;	/* a leading '.' and symbol prefix */
	bool weak;
};

struct dm_module {
	const char *name;	/* normalized module name */
	const char *path;	/* absolute path: opened and shown in messages */
	const char *outpath;	/* written to outputs: relative to D, or absolute */
	size_t name_len;
	size_t dir_len;		/* length of outpath's directory part (with '/') */
	uint32_t hash;
	bool in_tree;		/* under D: has an order-match path */
	bool external;		/* from an external directory */
	int order_line;		/* modules.order line, -1 if not listed */

	/* Filled by a parsing thread. */
	int load_err;		/* "failed to load symbols" errno, or 0 */
	struct dm_export *exports;
	struct dm_import *imports;
	const char **aliases, **softdeps, **weakdeps;
	size_t n_exports, n_imports, n_aliases, n_softdeps, n_weakdeps;

	/* The graph. */
	struct dm_module **deps;	/* direct dependencies, first-use order */
	size_t n_deps, deps_cap;
	unsigned idx;		/* position in g->mods (the final order once sorted) */
	unsigned users;		/* remaining users during numbering */
	int topo;		/* topological number, -1: none (cycle) */
	unsigned stamp;		/* traversal marks */
	const char *dep_line;	/* "<outpath>:[ <dep>...]" without '\n' */
	size_t dep_line_len;
};

struct dm_symbol {
	const char *name;
	struct dm_module *owner;	/* NULL: a kernel symbol */
	uint64_t crc;
	uint32_t hash;
};

struct dm_graph {
	struct dm_arena arena;
	struct dm_module **mods;	/* discovery order, then final order */
	size_t n_mods, mods_cap;
	struct dm_module **by_name;	/* open addressing, power of two */
	size_t by_name_cap;
	struct dm_symbol *syms;		/* open addressing on the name */
	size_t n_syms, syms_cap;
	const struct dm_symbol **owned;	/* see dm_graph_sort_symbols */
	size_t n_owned;
	unsigned stamp;
};

void dm_graph_init(struct dm_graph *g);
void dm_graph_release(struct dm_graph *g);

/* Add a module found at `path` (absolute; `rel` is its part relative to D,
 * NULL outside D; `external`: from an external directory).  A module of the
 * same name already present is kept or replaced following the override and
 * search rules of `cfg`; without a configuration a second module of a name
 * fails with -EEXIST.  Returns 0, -EEXIST or -ENOMEM. */
int dm_graph_add(struct dm_graph *g, const char *path, const char *rel, bool external,
		 const struct dm_config *cfg);

/* Final order: hash order of the names, then D/modules.order (logged
 * problems: missing file, last line without '\n').  Sets each idx. */
int dm_graph_sort(struct dm_graph *g, const char *dirname, const struct dm_log *log);

/* Symbol table: a later add of a name replaces the earlier one. */
int dm_graph_add_symbol(struct dm_graph *g, const char *name, uint32_t hash,
			struct dm_module *owner, uint64_t crc);

/* The symbols of modules in kmod's 2048-bucket hash order: g->owned. */
int dm_graph_sort_symbols(struct dm_graph *g);

struct dm_resolve {
	bool check;		/* -e with -E or -F: unknown symbols */
	bool check_crcs;	/* -e with -E: CRC mismatches */
	FILE *edges;		/* -v lines, or NULL */
};

/* Direct dependencies of every module from its imports, in module order. */
int dm_graph_resolve(struct dm_graph *g, const struct dm_resolve *how, const struct dm_log *log);

/* Topological numbering; -ELOOP after reporting the cycles. */
int dm_graph_number(struct dm_graph *g, const struct dm_log *log);

/* Each module's dep_line: all modules it reaches, by topological number. */
int dm_graph_dep_lines(struct dm_graph *g);

#endif

/*
 * depmod-internal.h — what depmod-config.c, depgraph.c and depmod.c share:
 * the parsed configuration, the module set with its symbol table and
 * dependency graph.  Not part of the API.
 */
#ifndef LIBMODTOOL_DEPMOD_INTERNAL_H
#define LIBMODTOOL_DEPMOD_INTERNAL_H

#include "libmodtool.h"
#include "internal.h"
#include "depmod-log.h"
#include "depmod-util.h"

/* ---- configuration (depmod-config.c) ------------------------------------- */

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

/* ---- modules, symbols and dependencies (depgraph.c) ---------------------- */

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

/* ---- the outputs (depmod-output.c) ---------------------------------------- */

/* What the outputs are made of besides the module set, and where they go. */
struct dm_output_options {
	const char *dirname;	/* D: modules.builtin and .builtin.modinfo */
	const char *outdir;	/* the files go there, created 0755 */
	FILE *show;		/* -n: the text outputs go here instead */
	enum mt_index_layout layout;	/* of the .bin files */
	bool warn_duplicates;	/* -w: report duplicate aliases */
	unsigned threads;	/* generating threads; 0: one per CPU */
};

/* The output files of the module set g.  Start generating, once the
 * modules are parsed and in their final order, what needs nothing more (in
 * other threads); finish once the dependencies are known: generate the
 * rest and write every file in kmod's order (or the text ones on
 * opts->show), or with write false (dependency cycles) throw everything
 * away.  g and log must stay valid until finished. */
struct dm_outputs;
int dm_outputs_start(const struct dm_graph *g, const struct dm_output_options *opts,
		     const struct dm_log *log, struct dm_outputs **out);
int dm_outputs_finish(struct dm_outputs *o, bool write);

#endif

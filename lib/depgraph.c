/*
 * depgraph.c — depmod's model of a module directory: the module set with
 * kmod's duplicate-name resolution (override, then search priorities), the
 * final module order (SuperFastHash bucket order, then modules.order), the
 * symbol table (a later definition wins), dependency edges, topological
 * numbering with cycle reports, and each module's modules.dep line.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include "depgraph.h"
#include "internal.h"

#define MODULE_BUCKETS 512u
#define SYMBOL_BUCKETS 2048u

/* ---- hashing ------------------------------------------------------------- */

static inline uint32_t le16(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

/* A lone trailing byte counts as a signed char, as in kmod. */
static inline uint32_t schar(unsigned char c)
{
	return (uint32_t)(int32_t)(signed char)c;
}

uint32_t dm_hash(const char *key, size_t len)
{
	const unsigned char *k = (const unsigned char *)key;
	uint32_t h = (uint32_t)len, t;
	size_t rem = len & 3;

	for (len >>= 2; len > 0; len--, k += 4) {
		h += le16(k);
		t = (le16(k + 2) << 11) ^ h;
		h = (h << 16) ^ t;
		h += h >> 11;
	}
	switch (rem) {
	case 3:
		h += le16(k);
		h ^= h << 16;
		h ^= schar(k[2]) << 18;
		h += h >> 11;
		break;
	case 2:
		h += le16(k);
		h ^= h << 11;
		h += h >> 17;
		break;
	case 1:
		h += schar(k[0]);
		h ^= h << 10;
		h += h >> 1;
		break;
	}
	h ^= h << 3;
	h += h >> 5;
	h ^= h << 4;
	h += h >> 17;
	h ^= h << 25;
	h += h >> 6;
	return h;
}

/* ---- the module set ------------------------------------------------------ */

void dm_graph_init(struct dm_graph *g)
{
	*g = (struct dm_graph){ 0 };
}

void dm_graph_release(struct dm_graph *g)
{
	free(g->mods);
	free(g->by_name);
	free(g->syms);
	free(g->owned);
	dm_arena_release(&g->arena);
	*g = (struct dm_graph){ 0 };
}

static size_t name_slot(const struct dm_graph *g, const char *name, size_t len, uint32_t hash)
{
	size_t mask = g->by_name_cap - 1, i = hash & mask;

	for (; g->by_name[i]; i = (i + 1) & mask) {
		const struct dm_module *m = g->by_name[i];

		if (m->hash == hash && m->name_len == len && memcmp(m->name, name, len) == 0)
			break;
	}
	return i;
}

/* The module of that name, or NULL. */
static struct dm_module *graph_find(const struct dm_graph *g, const char *name, size_t len)
{
	if (g->by_name_cap == 0)
		return NULL;
	return g->by_name[name_slot(g, name, len, dm_hash(name, len))];
}

static int grow_names(struct dm_graph *g)
{
	size_t cap = g->by_name_cap ? g->by_name_cap * 2 : 1024;
	struct dm_module **table = calloc(cap, sizeof(*table)), **old = g->by_name;
	size_t old_cap = g->by_name_cap;

	if (!table)
		return -ENOMEM;
	g->by_name = table;
	g->by_name_cap = cap;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i])
			table[name_slot(g, old[i]->name, old[i]->name_len, old[i]->hash)] = old[i];
	free(old);
	return 0;
}

/* Does the search directory `s` (relative to D) lead module m's path? */
static bool under_search_dir(const struct dm_search *s, const struct dm_module *m)
{
	return m->in_tree && strncmp(m->outpath, s->path, s->len) == 0 && m->outpath[s->len] == '/';
}

/* Index of the first configured external directory holding m. */
static size_t external_rank(const struct dm_config *cfg, const struct dm_module *m)
{
	for (size_t i = 0; i < cfg->n_externals; i++) {
		size_t len = strlen(cfg->externals[i]);

		if (strncmp(m->path, cfg->externals[i], len) == 0 && m->path[len] == '/')
			return i;
	}
	return cfg->n_externals;
}

/* A search priority: lower values are stronger. */
struct prio {
	size_t search, sub;
};

static bool prio_set(const struct prio *p)
{
	return p->search != SIZE_MAX;
}

/* kmod's rule for a second module of a name: overrides from the last one
 * configured, then search priorities, where `old` is only tested against
 * directories `new` does not match; new must be strictly stronger. */
static bool new_wins(const struct dm_config *cfg, const struct dm_module *old,
		     const struct dm_module *new)
{
	struct prio pn = { SIZE_MAX, 0 }, po = { SIZE_MAX, 0 }, builtin = { SIZE_MAX, 0 };

	for (size_t i = cfg->n_overrides; i-- > 0; ) {
		const char *ov = cfg->overrides[i];
		size_t len = strlen(ov);

		if (new->in_tree && len == new->dir_len + new->name_len &&
		    memcmp(ov, new->outpath, len) == 0)
			return true;
		if (old->in_tree && len == old->dir_len + old->name_len &&
		    memcmp(ov, old->outpath, len) == 0)
			return false;
	}
	for (size_t i = 0; i < cfg->n_searches; i++) {
		const struct dm_search *s = &cfg->searches[i];

		switch (s->type) {
		case DM_SEARCH_BUILTIN:
			if (!prio_set(&builtin))
				builtin.search = i;
			break;
		case DM_SEARCH_EXTERNAL:
			if (!prio_set(&pn) && new->external)
				pn = (struct prio){ i, external_rank(cfg, new) };
			if (!prio_set(&po) && old->external)
				po = (struct prio){ i, external_rank(cfg, old) };
			break;
		case DM_SEARCH_DIR:
			if (under_search_dir(s, new)) {
				if (!prio_set(&pn))
					pn = (struct prio){ i, 0 };
			} else if (!prio_set(&po) && under_search_dir(s, old)) {
				po = (struct prio){ i, 0 };
			}
			break;
		}
	}
	if (!prio_set(&pn))
		pn = builtin;
	if (!prio_set(&po))
		po = builtin;
	return pn.search < po.search || (pn.search == po.search && pn.sub < po.sub);
}

int dm_graph_add(struct dm_graph *g, const char *path, const char *rel, bool external,
		 const struct dm_config *cfg)
{
	size_t path_len = strlen(path), slot;
	char name[NAME_MAX + 1];
	struct dm_module *m;
	const char *slash;
	int len;

	len = mt_modname_normalize(path, name, sizeof(name));
	if (len < 0)
		return 0;	/* ".ko": no name, nothing kmod could use */
	if (g->by_name_cap == 0 || (g->n_mods + 1) * 2 > g->by_name_cap) {
		if (grow_names(g) < 0)
			return -ENOMEM;
	}
	m = dm_arena_alloc(&g->arena, sizeof(*m));
	if (!m)
		return -ENOMEM;
	*m = (struct dm_module){ .name_len = (size_t)len, .hash = dm_hash(name, (size_t)len),
				 .in_tree = rel != NULL, .external = external,
				 .order_line = -1, .topo = -1 };
	m->name = dm_arena_strndup(&g->arena, name, (size_t)len);
	m->path = dm_arena_strndup(&g->arena, path, path_len);
	if (!m->name || !m->path)
		return -ENOMEM;
	m->outpath = rel ? m->path + (path_len - strlen(rel)) : m->path;
	slash = strrchr(m->outpath, '/');
	m->dir_len = slash ? (size_t)(slash - m->outpath) + 1 : 0;

	slot = name_slot(g, m->name, m->name_len, m->hash);
	if (g->by_name[slot]) {
		struct dm_module *old = g->by_name[slot];

		if (!cfg)
			return -EEXIST;
		if (!new_wins(cfg, old, m))
			return 0;
		m->idx = old->idx;
		g->mods[m->idx] = m;
		g->by_name[slot] = m;
		return 0;
	}
	if (mt_array_reserve(&g->mods, &g->mods_cap, g->n_mods + 1, sizeof(*g->mods)) < 0)
		return -ENOMEM;
	m->idx = (unsigned)g->n_mods;	/* discovery position until sorted */
	g->mods[g->n_mods++] = m;
	g->by_name[slot] = m;
	return 0;
}

/* ---- order --------------------------------------------------------------- */

static int cmp_hash_order(const void *a, const void *b)
{
	const struct dm_module *x = *(struct dm_module *const *)a, *y = *(struct dm_module *const *)b;
	uint32_t bx = x->hash % MODULE_BUCKETS, by = y->hash % MODULE_BUCKETS;

	if (bx != by)
		return bx < by ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int cmp_order_line(const void *a, const void *b)
{
	const struct dm_module *x = *(struct dm_module *const *)a, *y = *(struct dm_module *const *)b;

	return (x->order_line > y->order_line) - (x->order_line < y->order_line);
}

/* The order-match path of m: its path relative to D cut after the module
 * name plus three characters ("kernel/foo.ko.xz" -> "kernel/foo.ko"). */
static bool order_path_is(const struct dm_module *m, const char *line, size_t len)
{
	size_t full = strlen(m->outpath), cut = m->dir_len + m->name_len + 3;

	if (cut > full)
		cut = full;
	return m->in_tree && cut == len && memcmp(m->outpath, line, len) == 0;
}

/* Mark the modules listed in modules.order; false when it is unusable. */
static bool read_order(struct dm_graph *g, const char *dirname, const struct dm_log *log)
{
	char path[PATH_MAX], name[NAME_MAX + 1];
	char *text, *line, *nl;
	unsigned lineno = 0;
	size_t size;

	snprintf(path, sizeof(path), "%s/modules.order", dirname);
	text = dm_read_file(path, &size);
	if (!text) {
		dm_msg(log, LOG_WARNING, "could not open modules.order at %s: %s\n", dirname,
		       strerror(errno));
		return false;
	}
	for (size_t i = 0; i < size; i++)
		lineno += text[i] == '\n';
	if (size > 0 && text[size - 1] != '\n') {
		dm_msg(log, LOG_ERR, "%s/modules.order:%u corrupted line misses '\\n'\n", dirname,
		       lineno + 1);
		free(text);
		return false;
	}
	/* The first line naming a module decides (kmod 34.2). */
	lineno = 0;
	for (line = text; (nl = memchr(line, '\n', size - (size_t)(line - text))); line = nl + 1) {
		struct dm_module *m;
		int len;

		lineno++;
		*nl = '\0';
		len = mt_modname_normalize(line, name, sizeof(name));
		if (len <= 0)
			continue;
		m = graph_find(g, name, (size_t)len);
		if (m && m->order_line < 0 && order_path_is(m, line, (size_t)(nl - line)))
			m->order_line = (int)lineno;
	}
	free(text);
	return true;
}

int dm_graph_sort(struct dm_graph *g, const char *dirname, const struct dm_log *log)
{
	struct dm_module **sorted;
	size_t listed = 0, k;

	if (g->n_mods > 0)
		qsort(g->mods, g->n_mods, sizeof(*g->mods), cmp_hash_order);
	if (read_order(g, dirname, log)) {
		sorted = malloc((g->n_mods ? g->n_mods : 1) * sizeof(*sorted));
		if (!sorted)
			return -ENOMEM;
		for (size_t i = 0; i < g->n_mods; i++)
			if (g->mods[i]->order_line >= 0)
				sorted[listed++] = g->mods[i];
		/* order lines are distinct, so qsort's instability is harmless */
		qsort(sorted, listed, sizeof(*sorted), cmp_order_line);
		k = listed;
		for (size_t i = 0; i < g->n_mods; i++)
			if (g->mods[i]->order_line < 0)
				sorted[k++] = g->mods[i];
		free(g->mods);
		g->mods = sorted;
		g->mods_cap = g->n_mods ? g->n_mods : 1;
	}
	for (size_t i = 0; i < g->n_mods; i++)
		g->mods[i]->idx = (unsigned)i;
	return 0;
}

/* ---- symbols ------------------------------------------------------------- */

static size_t sym_slot(const struct dm_symbol *table, size_t cap, const char *name,
		       uint32_t hash)
{
	size_t mask = cap - 1, i = hash & mask;

	while (table[i].name && (table[i].hash != hash || strcmp(table[i].name, name) != 0))
		i = (i + 1) & mask;
	return i;
}

int dm_graph_add_symbol(struct dm_graph *g, const char *name, uint32_t hash,
			struct dm_module *owner, uint64_t crc)
{
	struct dm_symbol *s;

	if ((g->n_syms + 1) * 2 > g->syms_cap) {
		size_t cap = g->syms_cap ? g->syms_cap * 2 : 16384;
		struct dm_symbol *table = calloc(cap, sizeof(*table));

		if (!table)
			return -ENOMEM;
		for (size_t i = 0; i < g->syms_cap; i++)
			if (g->syms[i].name)
				table[sym_slot(table, cap, g->syms[i].name, g->syms[i].hash)] = g->syms[i];
		free(g->syms);
		g->syms = table;
		g->syms_cap = cap;
	}
	s = &g->syms[sym_slot(g->syms, g->syms_cap, name, hash)];
	if (!s->name) {
		s->name = name;
		s->hash = hash;
		g->n_syms++;
	}
	s->owner = owner;
	s->crc = crc;
	return 0;
}

static const struct dm_symbol *find_symbol(const struct dm_graph *g, const char *name,
					  uint32_t hash)
{
	const struct dm_symbol *s;

	if (g->syms_cap == 0)
		return NULL;
	s = &g->syms[sym_slot(g->syms, g->syms_cap, name, hash)];
	return s->name ? s : NULL;
}

static int cmp_symbol_order(const void *a, const void *b)
{
	const struct dm_symbol *x = *(const struct dm_symbol *const *)a;
	const struct dm_symbol *y = *(const struct dm_symbol *const *)b;
	uint32_t bx = x->hash % SYMBOL_BUCKETS, by = y->hash % SYMBOL_BUCKETS;

	if (bx != by)
		return bx < by ? -1 : 1;
	return strcmp(x->name, y->name);
}

int dm_graph_sort_symbols(struct dm_graph *g)
{
	const struct dm_symbol **list = malloc((g->n_syms ? g->n_syms : 1) * sizeof(*list));
	size_t n = 0;

	if (!list)
		return -ENOMEM;
	for (size_t i = 0; i < g->syms_cap; i++)
		if (g->syms[i].name && g->syms[i].owner)
			list[n++] = &g->syms[i];
	if (n > 0)
		qsort(list, n, sizeof(*list), cmp_symbol_order);
	free(g->owned);
	g->owned = list;
	g->n_owned = n;
	return 0;
}

/* ---- dependencies -------------------------------------------------------- */

static int add_dep(struct dm_graph *g, struct dm_module *m, struct dm_module *dep)
{
	if (m->n_deps == m->deps_cap) {
		size_t cap = m->deps_cap ? m->deps_cap * 2 : 8;
		struct dm_module **deps = dm_arena_alloc(&g->arena, cap * sizeof(*deps));

		if (!deps)
			return -ENOMEM;
		if (m->n_deps)
			memcpy(deps, m->deps, m->n_deps * sizeof(*deps));
		m->deps = deps;
		m->deps_cap = cap;
	}
	m->deps[m->n_deps++] = dep;
	return 0;
}

int dm_graph_resolve(struct dm_graph *g, const struct dm_resolve *how, const struct dm_log *log)
{
	for (size_t i = 0; i < g->n_mods; i++) {
		struct dm_module *m = g->mods[i];
		unsigned mark = ++g->stamp;

		for (size_t j = 0; j < m->n_imports; j++) {
			const struct dm_import *imp = &m->imports[j];
			const struct dm_symbol *s = find_symbol(g, imp->name + imp->skip, imp->hash);

			if (!s) {
				if (how->check && !imp->weak)
					dm_msg(log, LOG_WARNING, "%s needs unknown symbol %s\n",
					       m->path, imp->name);
				continue;
			}
			if (how->check_crcs && !imp->weak && imp->crc != s->crc)
				dm_msg(log, LOG_WARNING, "%s disagrees about version of symbol %s\n",
				       m->path, imp->name);
			if (!s->owner || s->owner->stamp == mark)
				continue;
			s->owner->stamp = mark;
			if (add_dep(g, m, s->owner) < 0)
				return -ENOMEM;
			if (how->edges)
				fprintf(how->edges, "%s needs \"%s\": %s\n", m->path, s->name,
					s->owner->path);
		}
	}
	return 0;
}

/* A path from `start` back to itself through unnumbered modules, depth
 * first in dependency order; its length (0: none) with the modules in path. */
static size_t find_cycle(struct dm_graph *g, struct dm_module *start, struct dm_module **path,
			 size_t *next)
{
	unsigned mark = ++g->stamp;
	size_t depth = 1;

	path[0] = start;
	next[0] = 0;
	start->stamp = mark;
	while (depth > 0) {
		struct dm_module *m = path[depth - 1], *dep;

		if (next[depth - 1] == m->n_deps) {
			depth--;
			continue;
		}
		dep = m->deps[next[depth - 1]++];
		if (dep == start)
			return depth;
		if (dep->topo >= 0 || dep->stamp == mark)
			continue;
		dep->stamp = mark;
		path[depth] = dep;
		next[depth++] = 0;
	}
	return 0;
}

/* kmod's report: starting points are taken in module order, circularly;
 * after a cycle is reported the scan goes on after the position of its last
 * module (so "a1 s a2 t", with a1 <-> a2 and self-cycles s and t, reports
 * a1, then t, then s). */
static int report_cycles(struct dm_graph *g, const struct dm_log *log)
{
	struct dm_module **path = malloc(g->n_mods * sizeof(*path));
	size_t *next = malloc(g->n_mods * sizeof(*next));
	bool *done = calloc(g->n_mods, sizeof(*done));	/* tried or reported */
	bool *named = calloc(g->n_mods, sizeof(*named));	/* in a reported cycle */
	size_t remaining = 0, in_cycles = 0, pos = 0;

	if (!path || !next || !done || !named) {
		free(path);
		free(next);
		free(done);
		free(named);
		return -ENOMEM;
	}
	for (size_t i = 0; i < g->n_mods; i++)
		remaining += g->mods[i]->topo < 0;
	while (remaining > 0) {
		struct dm_module *m = g->mods[pos];
		char *text = NULL;
		size_t len, text_size = 0;
		FILE *fp;

		if (m->topo >= 0 || done[pos]) {
			pos = (pos + 1) % g->n_mods;
			continue;
		}
		done[pos] = true;
		remaining--;
		len = find_cycle(g, m, path, next);
		if (len == 0) {
			pos = (pos + 1) % g->n_mods;
			continue;
		}
		fp = open_memstream(&text, &text_size);
		if (!fp)
			break;
		for (size_t k = 0; k < len; k++) {
			fprintf(fp, "%s -> ", path[k]->name);
			if (k > 0 && !done[path[k]->idx]) {
				done[path[k]->idx] = true;
				remaining--;
			}
			if (!named[path[k]->idx]) {
				named[path[k]->idx] = true;
				in_cycles++;
			}
		}
		fprintf(fp, "%s", m->name);
		if (fclose(fp) == 0)
			dm_msg(log, LOG_ERR, "Cycle detected: %s\n", text);
		free(text);
		pos = (path[len - 1]->idx + 1) % g->n_mods;
	}
	dm_msg(log, LOG_ERR, "Found %zu modules in dependency cycles!\n", in_cycles);
	free(path);
	free(next);
	free(done);
	free(named);
	return -ELOOP;
}

int dm_graph_number(struct dm_graph *g, const struct dm_log *log)
{
	struct dm_module **stack;
	size_t top = 0;
	int number = 0;

	for (size_t i = 0; i < g->n_mods; i++)
		for (size_t j = 0; j < g->mods[i]->n_deps; j++)
			g->mods[i]->deps[j]->users++;
	stack = malloc((g->n_mods ? g->n_mods : 1) * sizeof(*stack));
	if (!stack)
		return -ENOMEM;
	for (size_t i = 0; i < g->n_mods; i++)
		if (g->mods[i]->users == 0)
			stack[top++] = g->mods[i];
	while (top > 0) {
		struct dm_module *m = stack[--top];

		m->topo = number++;
		for (size_t j = 0; j < m->n_deps; j++)
			if (--m->deps[j]->users == 0)
				stack[top++] = m->deps[j];
	}
	free(stack);
	if ((size_t)number < g->n_mods)
		return report_cycles(g, log);
	return 0;
}

static int cmp_topo(const void *a, const void *b)
{
	const struct dm_module *x = *(struct dm_module *const *)a, *y = *(struct dm_module *const *)b;

	return (x->topo > y->topo) - (x->topo < y->topo);
}

int dm_graph_dep_lines(struct dm_graph *g)
{
	struct dm_module **reach = malloc((g->n_mods ? g->n_mods : 1) * sizeof(*reach));

	if (!reach)
		return -ENOMEM;
	for (size_t i = 0; i < g->n_mods; i++) {
		struct dm_module *m = g->mods[i];
		unsigned mark = ++g->stamp;
		size_t n = 0, len, out_len = strlen(m->outpath);
		char *line, *p;

		/* reach[] doubles as the work list: everything before `scan`
		 * has had its dependencies added. */
		m->stamp = mark;
		for (size_t j = 0; j < m->n_deps; j++) {
			if (m->deps[j]->stamp != mark) {
				m->deps[j]->stamp = mark;
				reach[n++] = m->deps[j];
			}
		}
		for (size_t scan = 0; scan < n; scan++) {
			struct dm_module *d = reach[scan];

			for (size_t j = 0; j < d->n_deps; j++) {
				if (d->deps[j]->stamp != mark) {
					d->deps[j]->stamp = mark;
					reach[n++] = d->deps[j];
				}
			}
		}
		qsort(reach, n, sizeof(*reach), cmp_topo);
		len = out_len + 1;
		for (size_t j = 0; j < n; j++)
			len += 1 + strlen(reach[j]->outpath);
		line = dm_arena_alloc(&g->arena, len + 1);
		if (!line) {
			free(reach);
			return -ENOMEM;
		}
		p = mempcpy(line, m->outpath, out_len);
		*p++ = ':';
		for (size_t j = 0; j < n; j++) {
			*p++ = ' ';
			p = stpcpy(p, reach[j]->outpath);
		}
		*p = '\0';
		m->dep_line = line;
		m->dep_line_len = len;
	}
	free(reach);
	return 0;
}

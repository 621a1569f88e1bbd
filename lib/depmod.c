/*
 * depmod.c — depmod's run: kernel symbols from Module.symvers or
 * System.map, finding the modules (the tree walk, external directories or
 * explicit files), reading and parsing them on every CPU, then the steps of
 * depgraph.c and the outputs of depmod-output.c.  Also the -A check.
 * With --incremental, the parsing takes what it can from the cache of
 * depmod-cache.c and gives the outputs the new cache to write.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "depgraph.h"
#include "depmod-cache.h"
#include "depmod-config.h"
#include "depmod-output.h"
#include "internal.h"

struct depmod {
	const struct mt_depmod_options *opts;
	struct dm_log log;
	char *dirname;		/* D */
	char *outdir;
	struct dm_config cfg;
	bool have_cfg;
	struct dm_graph graph;
	struct dm_arena *arenas;	/* one per parsing thread */
	unsigned n_arenas;
	/* --incremental */
	struct dm_cache *cache;		/* the previous run's, or NULL */
	struct dm_cache_key *keys;	/* of g->mods[i] in discovery order */
	size_t n_reused;
	char *new_cache;		/* to write; NULL: none, or unchanged */
	size_t new_cache_size;
};

/* <root>/<moduledir>/<version>; moduledir loses its leading '/'. */
static char *module_dir(const char *root, const struct mt_depmod_options *opts)
{
	const char *moduledir = opts->moduledir ? opts->moduledir : MODULE_DIRECTORY;
	char *dir;

	while (*moduledir == '/')
		moduledir++;
	if (asprintf(&dir, "%s/%s/%s", root ? root : "", moduledir, opts->version) < 0)
		return NULL;
	return dir;
}

/* A module file that this build can read: depmod skips the others. */
static bool has_module_suffix(const char *name, size_t len)
{
	int comp = mt_module_suffix(name, len);

	return comp >= 0 && mt_compression_supported((enum mt_compression)comp);
}

/* ---- kernel symbols ------------------------------------------------------ */

static const char *strip_prefix(const char *name, char prefix)
{
	return prefix && name[0] == prefix ? name + 1 : name;
}

static int add_kernel_symbol(struct depmod *dm, const char *name, uint64_t crc)
{
	size_t len = strlen(name);
	char *copy = dm_arena_strndup(&dm->graph.arena, name, len);

	if (!copy)
		return -ENOMEM;
	return dm_graph_add_symbol(&dm->graph, copy, dm_hash(copy, len), NULL, crc);
}

/* Module.symvers: "crc name vmlinux ..." lines give kernel symbols. */
static int parse_symvers_line(struct depmod *dm, char *line, const char *file, unsigned lineno)
{
	char *save, *crc, *name, *where, *end;
	uint64_t value;

	crc = strtok_r(line, " \t", &save);
	name = crc ? strtok_r(NULL, " \t", &save) : NULL;
	where = name ? strtok_r(NULL, " \t", &save) : NULL;
	if (!where || strcmp(where, "vmlinux") != 0)
		return 0;
	errno = 0;
	value = strtoull(crc, &end, 16);
	if (*end != '\0') {
		dm_msg(&dm->log, LOG_ERR, "%s:%u Invalid symbol version %s: %s\n", file, lineno, crc,
		       strerror(errno));
		return 0;
	}
	return add_kernel_symbol(dm, strip_prefix(name, dm->opts->symbol_prefix), value);
}

/* System.map: "addr type __ksymtab_name" lines give kernel symbols. */
static int parse_system_map_line(struct depmod *dm, char *line, const char *file,
				 unsigned lineno)
{
	static const char ksymtab[] = "__ksymtab_";
	char *first = strchr(line, ' '), *sym, *nl;

	sym = first ? strchr(first + 1, ' ') : NULL;
	if (!sym) {
		dm_msg(&dm->log, LOG_ERR, "%s:%u: invalid line: %s\n", file, lineno, line);
		return 0;
	}
	sym++;
	nl = strchr(sym, '\n');
	if (nl)
		*nl = '\0';
	sym = (char *)strip_prefix(sym, dm->opts->symbol_prefix);
	if (strncmp(sym, ksymtab, sizeof(ksymtab) - 1) != 0)
		return 0;
	return add_kernel_symbol(dm, sym + sizeof(ksymtab) - 1, 0);
}

static int load_kernel_symbols(struct depmod *dm)
{
	const char *file = dm->opts->symvers ? dm->opts->symvers : dm->opts->system_map;
	static const char *const always[] = { "__this_module", "_GLOBAL_OFFSET_TABLE_", "TOC." };
	FILE *fp;
	char *line = NULL;
	size_t size = 0;
	unsigned lineno = 0;
	int err = 0;

	if (!file)
		return 0;
	fp = fopen(file, "re");
	if (!fp) {
		err = -errno;
		dm_msg(&dm->log, LOG_CRIT, "could not load %s: %s\n", file, strerror(-err));
		return err;
	}
	while (err == 0 && getline(&line, &size, fp) >= 0) {
		lineno++;
		/* A symvers line keeps its newline: a third field "vmlinux\n"
		 * is not "vmlinux", as in kmod. */
		if (dm->opts->symvers)
			err = parse_symvers_line(dm, line, file, lineno);
		else
			err = parse_system_map_line(dm, line, file, lineno);
	}
	free(line);
	fclose(fp);
	for (size_t i = 0; err == 0 && i < sizeof(always) / sizeof(always[0]); i++)
		err = add_kernel_symbol(dm, always[i], 0);
	return err;
}

/* ---- finding modules ----------------------------------------------------- */

/* Directories on the walk's current path, to stop at symlink loops. */
struct walk_stack {
	dev_t dev[64];
	ino_t ino[64];
	unsigned depth;
};

/* A walk of a module directory, in raw directory order.  The -A freshness
 * check (quick) walks like kmod's: no exclude, stop at the first module
 * newer than modules.dep, and the path shown for an entry of an
 * unsupported type is whatever its buffer last held (it is only built for
 * directories and module files). */
struct walk {
	struct depmod *dm;
	bool external;
	bool quick;
	struct timespec dep_mtim;	/* quick: modules.dep's */
	size_t rel_start;	/* offset of the D-relative part in path */
	struct walk_stack stack;
	char path[PATH_MAX];
};

/* kmod's main branch compares to the nanosecond: a module written less
 * than a second after modules.dep is newer (34.2 compared seconds). */
static bool newer(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec > b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec > b->tv_nsec);
}

static bool skipped(const struct walk *w, const char *name)
{
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strcmp(name, "build") == 0 ||
	    strcmp(name, "source") == 0)
		return true;
	for (size_t i = 0; !w->quick && i < w->dm->cfg.n_excludes; i++)
		if (strcmp(name, w->dm->cfg.excludes[i]) == 0)
			return true;
	return false;
}

/* Enter a directory unless it is already on the path. */
static bool stack_push(struct walk_stack *s, dev_t dev, ino_t ino)
{
	if (s->depth == sizeof(s->dev) / sizeof(s->dev[0]))
		return false;
	for (unsigned i = 0; i < s->depth; i++)
		if (s->dev[i] == dev && s->ino[i] == ino)
			return false;
	s->dev[s->depth] = dev;
	s->ino[s->depth++] = ino;
	return true;
}

static int walk_dir(struct walk *w, int fd, size_t base_len);

static int walk_subdir(struct walk *w, int dfd, const char *name, size_t base_len,
		       dev_t dev, ino_t ino)
{
	int fd = -1, err;

	if (stack_push(&w->stack, dev, ino)) {
		fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			w->stack.depth--;
	} else {
		errno = ELOOP;
	}
	if (fd < 0) {
		dm_msg(&w->dm->log, LOG_ERR, "openat(%d, %s, O_RDONLY): %s\n", dfd, name,
		       strerror(errno));
		return 0;
	}
	err = walk_dir(w, fd, base_len);
	close(fd);
	w->stack.depth--;
	return err;
}

/* 0 to go on, 1 when the quick walk found a newer module, or -ENOMEM. */
static int walk_entry(struct walk *w, int dfd, const struct dirent64 *de, size_t base_len)
{
	const char *name = de->d_name;
	size_t len = strlen(name);
	dev_t dev = w->stack.dev[w->stack.depth - 1];
	ino_t ino = de->d_ino;
	struct stat st;
	bool is_dir;

	if (skipped(w, name))
		return 0;
	if (base_len + len + 2 > sizeof(w->path)) {
		dm_msg(&w->dm->log, LOG_ERR, "path too long: %.*s%s\n", (int)base_len, w->path, name);
		return 0;
	}
	if (!w->quick)
		memcpy(w->path + base_len, name, len + 1);
	if (de->d_type == DT_REG || de->d_type == DT_DIR) {
		is_dir = de->d_type == DT_DIR;
	} else {
		if (fstatat(dfd, name, &st, 0) < 0) {
			dm_msg(&w->dm->log, LOG_ERR, "fstatat(%d, %s): %s\n", dfd, name, strerror(errno));
			return 0;
		}
		if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
			dm_msg(&w->dm->log, LOG_ERR, "unsupported file type %s: %o\n", w->path,
			       st.st_mode & S_IFMT);
			return 0;
		}
		is_dir = S_ISDIR(st.st_mode);
		dev = st.st_dev;
		ino = st.st_ino;
	}
	if (is_dir) {
		memcpy(w->path + base_len, name, len);
		w->path[base_len + len] = '/';
		w->path[base_len + len + 1] = '\0';
		return walk_subdir(w, dfd, name, base_len + len + 1, dev, ino);
	}
	if (!has_module_suffix(name, len))
		return 0;
	memcpy(w->path + base_len, name, len + 1);
	if (w->quick)
		return fstatat(dfd, name, &st, 0) == 0 && newer(&st.st_mtim, &w->dep_mtim);
	return dm_graph_add(&w->dm->graph, w->path, w->external ? NULL : w->path + w->rel_start,
			    w->external, &w->dm->cfg);
}

static int walk_dir(struct walk *w, int fd, size_t base_len)
{
	/* getdents64 rather than readdir: no DIR allocation and no fcntl
	 * calls per directory; the order is the same raw order. */
	alignas(struct dirent64) char buf[8192];
	ssize_t n;
	int err;

	while ((n = getdents64(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < n; ) {
			const struct dirent64 *de = (const struct dirent64 *)(buf + off);

			err = walk_entry(w, fd, de, base_len);
			if (err != 0)
				return err;
			off += de->d_reclen;
		}
	}
	return 0;
}

/* Walk `root`: 0, 1 (quick: a newer module), or a negative errno when root
 * cannot be opened (reported) or memory runs out. */
static int walk_root(struct walk *w, const char *root)
{
	size_t len = strlen(root);
	struct stat st;
	int fd, err;

	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || len + 2 > sizeof(w->path)) {
		err = fd < 0 || len + 2 <= sizeof(w->path) ? -errno : -ENAMETOOLONG;
		dm_msg(&w->dm->log, LOG_ERR, "could not open directory %s: %s\n", root,
		       strerror(-err));
		if (fd >= 0)
			close(fd);
		return err;
	}
	w->stack.depth = 0;
	stack_push(&w->stack, st.st_dev, st.st_ino);
	memcpy(w->path, root, len);
	w->path[len] = '/';
	w->path[len + 1] = '\0';
	w->rel_start = len + 1;
	err = walk_dir(w, fd, len + 1);
	close(fd);
	return err;
}

static int find_modules(struct depmod *dm)
{
	struct walk *w = calloc(1, sizeof(*w));
	int err;

	if (!w)
		return -ENOMEM;
	*w = (struct walk){ .dm = dm };
	err = walk_root(w, dm->dirname);
	if (err < 0 && err != -ENOMEM)
		dm_msg(&dm->log, LOG_CRIT, "could not search modules: %s\n", strerror(-err));
	/* External directories are walked last-configured first. */
	w->external = true;
	for (size_t i = dm->cfg.n_externals; err >= 0 && i-- > 0; ) {
		err = walk_root(w, dm->cfg.externals[i]);
		if (err != -ENOMEM)
			err = 0;
	}
	free(w);
	return err;
}

static int add_files(struct depmod *dm)
{
	const struct mt_depmod_options *o = dm->opts;
	size_t dlen = strlen(dm->dirname);

	for (size_t i = 0; i < o->n_files; i++) {
		const char *path = o->files[i];
		struct stat st;
		int err;

		if (stat(path, &st) < 0) {
			err = -errno;
			dm_msg(&dm->log, LOG_CRIT, "could not create module %s: %s\n", path,
			       strerror(-err));
			return err;
		}
		err = dm_graph_add(&dm->graph, path,
				   strncmp(path, dm->dirname, dlen) == 0 && path[dlen] == '/'
					   ? path + dlen + 1 : NULL,
				   false, NULL);
		if (err == -EEXIST) {
			char name[NAME_MAX + 1];

			mt_modname_normalize(path, name, sizeof(name));
			dm_msg(&dm->log, LOG_ERR, "hash_add_unique %s: %s\n", name, strerror(EEXIST));
		}
		if (err < 0) {
			dm_msg(&dm->log, LOG_CRIT, "could not add module %s: %s\n", path,
			       strerror(-err));
			return err;
		}
	}
	return 0;
}

/* ---- parsing modules ----------------------------------------------------- */

static const char **copy_values(struct dm_arena *a, const struct mt_kv *kv, int count,
				const char *key, size_t *n)
{
	size_t key_len = strlen(key), k = 0;
	const char **v;

	*n = 0;
	for (int i = 0; i < count; i++)
		if (kv[i].key_len == key_len && memcmp(kv[i].key, key, key_len) == 0)
			(*n)++;
	if (*n == 0)
		return NULL;
	v = dm_arena_alloc(a, *n * sizeof(*v));
	if (!v)
		return NULL;
	for (int i = 0; i < count; i++) {
		if (kv[i].key_len == key_len && memcmp(kv[i].key, key, key_len) == 0) {
			v[k] = dm_arena_strndup(a, kv[i].value, kv[i].value_len);
			if (!v[k])
				return NULL;
			k++;
		}
	}
	return v;
}

static int copy_modinfo(struct dm_module *m, const struct mt_elf *elf, struct dm_arena *a)
{
	struct mt_kv *kv;
	int count = mt_elf_modinfo(elf, &kv);

	if (count < 0)
		return count == -ENOMEM ? count : 0;
	m->aliases = copy_values(a, kv, count, "alias", &m->n_aliases);
	m->softdeps = copy_values(a, kv, count, "softdep", &m->n_softdeps);
	m->weakdeps = copy_values(a, kv, count, "weakdep", &m->n_weakdeps);
	free(kv);
	if ((m->n_aliases && !m->aliases) || (m->n_softdeps && !m->softdeps) ||
	    (m->n_weakdeps && !m->weakdeps))
		return -ENOMEM;
	return 0;
}

static int copy_exports(struct dm_module *m, const struct mt_elf *elf, struct dm_arena *a,
			char prefix)
{
	struct mt_symbol *syms;
	int count = mt_elf_exports(elf, &syms);

	if (count < 0) {
		/* kmod goes on with the module's information and imports */
		if (count != -ENODATA)
			m->load_err = count;
		return count == -ENOMEM ? count : 0;
	}
	m->exports = dm_arena_alloc(a, (size_t)count * sizeof(*m->exports));
	if (!m->exports && count) {
		free(syms);
		return -ENOMEM;
	}
	for (int i = 0; i < count; i++) {
		const char *name = strip_prefix(syms[i].name, prefix);
		size_t len = strlen(name);
		char *copy = dm_arena_strndup(a, name, len);

		if (!copy) {
			free(syms);
			return -ENOMEM;
		}
		m->exports[i] = (struct dm_export){ copy, syms[i].crc, dm_hash(copy, len) };
	}
	m->n_exports = (size_t)count;
	free(syms);
	return 0;
}

static int copy_imports(struct dm_module *m, const struct mt_elf *elf, struct dm_arena *a,
			char prefix)
{
	struct mt_symbol *syms;
	int count = mt_elf_imports(elf, &syms);

	if (count < 0)
		return count == -ENOMEM ? count : 0;
	m->imports = dm_arena_alloc(a, (size_t)count * sizeof(*m->imports));
	if (!m->imports && count) {
		free(syms);
		return -ENOMEM;
	}
	for (int i = 0; i < count; i++) {
		const char *key = syms[i].name;
		size_t len = strlen(key);
		char *copy = dm_arena_strndup(a, key, len);

		if (!copy) {
			free(syms);
			return -ENOMEM;
		}
		if (key[0] == '.')
			key++;
		key = strip_prefix(key, prefix);
		m->imports[i] = (struct dm_import){
			.name = copy, .crc = syms[i].crc, .weak = syms[i].weak,
			.skip = (unsigned char)(key - syms[i].name),
			.hash = dm_hash(key, len - (size_t)(key - syms[i].name)),
		};
	}
	m->n_imports = (size_t)count;
	free(syms);
	return 0;
}

/* Sections whose contents depmod's queries read (besides the names). */
static const char *const wanted_sections[] = {
	".modinfo", ".symtab", ".strtab", "__versions", "__ksymtab_strings", NULL,
};

/* A parsing thread's state: its arena and its module reader. */
struct parser {
	struct dm_arena *arena;
	struct mt_module_reader reader;
	char prefix;
};

/* Everything depmod needs from one module, copied into the parser's arena.
 * A module that cannot be read keeps its load_err and no symbols; only
 * -ENOMEM fails. */
static int parse_module(struct dm_module *m, struct parser *p)
{
	const struct mt_elf *elf;
	struct mt_module *mod;
	int err;

	err = mt_module_read(&p->reader, m->path, &mod);
	if (err < 0) {
		m->load_err = err;
		return err == -ENOMEM ? err : 0;
	}
	mt_module_elf(mod, &elf);	/* made by the read: cannot fail */
	err = copy_exports(m, elf, p->arena, p->prefix);
	if (err >= 0)
		err = copy_modinfo(m, elf, p->arena);
	if (err >= 0)
		err = copy_imports(m, elf, p->arena, p->prefix);
	mt_module_close(mod);
	return err;
}

struct parse_job {
	struct depmod *dm;
	struct timespec start;	/* before any module is stat'ed */
	atomic_size_t next, reused;
	atomic_int err;
};

struct parse_worker {
	struct parse_job *job;
	struct parser parser;
};

/* Module i's results: from the cache when its file's key is there, else
 * parsed (and its key kept for the next cache). */
static int parse_or_reuse(struct parse_job *job, size_t i, struct parser *p)
{
	struct depmod *dm = job->dm;
	struct dm_module *m = dm->graph.mods[i];
	int found;

	if (dm->keys && dm_cache_stat(m->path, &job->start, &dm->keys[i]) && dm->cache) {
		found = dm_cache_fill(dm->cache, m, &dm->keys[i], p->arena);
		if (found != 0) {
			atomic_fetch_add(&job->reused, found > 0);
			return found < 0 ? found : 0;
		}
	}
	return parse_module(m, p);
}

/* Modules taken at a time: neighbours share a directory. */
#define PARSE_BATCH 8

static void *parse_worker(void *arg)
{
	struct parse_worker *w = arg;
	struct parse_job *job = w->job;
	struct dm_graph *g = &job->dm->graph;
	size_t first;

	while (atomic_load(&job->err) == 0 &&
	       (first = atomic_fetch_add(&job->next, PARSE_BATCH)) < g->n_mods) {
		for (size_t i = first; i < first + PARSE_BATCH && i < g->n_mods; i++) {
			int err = parse_or_reuse(job, i, &w->parser);

			if (err < 0)
				atomic_store(&job->err, err);
		}
	}
	mt_module_reader_release(&w->parser.reader);
	return NULL;
}

static int parse_modules(struct depmod *dm)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned n = dm->opts->threads ? dm->opts->threads : cpus > 0 ? (unsigned)cpus : 1;
	bool sparse = !(dm->opts->check_symbols && dm->opts->symvers);
	struct parse_job job = { .dm = dm };
	struct parse_worker *workers;
	pthread_t *tids;
	unsigned started = 1;

	if (n > dm->graph.n_mods)
		n = dm->graph.n_mods ? (unsigned)dm->graph.n_mods : 1;
	clock_gettime(CLOCK_REALTIME, &job.start);
	dm->arenas = calloc(n, sizeof(*dm->arenas));
	workers = calloc(n, sizeof(*workers));
	tids = calloc(n, sizeof(*tids));
	if (!dm->arenas || !workers || !tids) {
		free(workers);
		free(tids);
		return -ENOMEM;
	}
	dm->n_arenas = n;
	for (unsigned i = 0; i < n; i++) {
		workers[i] = (struct parse_worker){
			.job = &job,
			.parser = { .arena = &dm->arenas[i], .prefix = dm->opts->symbol_prefix },
		};
		/* Compact images unless the CRCs of exports are checked. */
		mt_module_reader_init(&workers[i].parser.reader, sparse ? wanted_sections : NULL);
	}
	/* The calling thread is worker 0. */
	for (; started < n; started++)
		if (pthread_create(&tids[started], NULL, parse_worker, &workers[started]) != 0)
			break;
	parse_worker(&workers[0]);
	for (unsigned i = 1; i < started; i++)
		pthread_join(tids[i], NULL);
	free(workers);
	free(tids);
	dm->n_reused = atomic_load(&job.reused);
	return atomic_load(&job.err);
}

static struct dm_cache_params cache_params(const struct mt_depmod_options *opts)
{
	return (struct dm_cache_params){
		.symbol_prefix = opts->symbol_prefix,
		.all_sections = opts->check_symbols && opts->symvers,
	};
}

/* --incremental, before the parsing: the previous cache and room for the
 * keys. */
static int open_cache(struct depmod *dm)
{
	struct dm_cache_params params = cache_params(dm->opts);
	char *path;
	int err;

	dm->keys = calloc(dm->graph.n_mods ? dm->graph.n_mods : 1, sizeof(*dm->keys));
	if (!dm->keys || asprintf(&path, "%s/%s", dm->outdir, DM_CACHE_NAME) < 0)
		return -ENOMEM;
	err = dm_cache_open(path, &params, &dm->log, &dm->cache);
	free(path);
	return err;
}

/* After the parsing, in discovery order: the cache to write, unless it
 * would be the previous one. */
static int make_cache(struct depmod *dm)
{
	struct dm_cache_params params = cache_params(dm->opts);

	dm_msg(&dm->log, LOG_INFO, "%zu of %zu modules from the cache\n", dm->n_reused,
	       dm->graph.n_mods);
	if (dm->opts->show || dm_cache_unchanged(dm->cache, dm->keys, dm->graph.n_mods))
		return 0;
	return dm_cache_build(dm->graph.mods, dm->keys, dm->graph.n_mods, dm->cache, &params,
			      &dm->new_cache, &dm->new_cache_size);
}

static int add_module_symbols(struct depmod *dm)
{
	struct dm_graph *g = &dm->graph;

	for (size_t i = 0; i < g->n_mods; i++) {
		struct dm_module *m = g->mods[i];

		if (m->load_err)
			dm_msg(&dm->log, LOG_ERR, "failed to load symbols from %s: %s\n", m->path,
			       strerror(-m->load_err));
		for (size_t j = 0; j < m->n_exports; j++) {
			int err = dm_graph_add_symbol(g, m->exports[j].name, m->exports[j].hash, m,
						      m->exports[j].crc);

			if (err < 0)
				return err;
		}
	}
	return 0;
}

/* ---- the run ------------------------------------------------------------- */

static int depmod_init(struct depmod *dm, const struct mt_ctx *ctx,
		       const struct mt_depmod_options *opts)
{
	*dm = (struct depmod){ .opts = opts, .log = { .ctx = ctx } };
	dm_graph_init(&dm->graph);
	dm->dirname = module_dir(opts->basedir, opts);
	dm->outdir = module_dir(opts->outdir ? opts->outdir : opts->basedir, opts);
	return dm->dirname && dm->outdir ? 0 : -ENOMEM;
}

static void depmod_release(struct depmod *dm)
{
	for (unsigned i = 0; i < dm->n_arenas; i++)
		dm_arena_release(&dm->arenas[i]);
	free(dm->arenas);
	dm_cache_close(dm->cache);
	free(dm->keys);
	free(dm->new_cache);
	dm_graph_release(&dm->graph);
	if (dm->have_cfg)
		dm_config_release(&dm->cfg);
	free(dm->dirname);
	free(dm->outdir);
}

static int depmod_steps(struct depmod *dm)
{
	const struct mt_depmod_options *opts = dm->opts;
	struct dm_resolve how = {
		.check = opts->check_symbols && (opts->symvers || opts->system_map),
		.check_crcs = opts->check_symbols && opts->symvers,
		.edges = opts->edges,
	};
	struct dm_output_options output_opts = {
		.dirname = dm->dirname, .outdir = dm->outdir, .show = opts->show,
		.layout = opts->layout, .warn_duplicates = opts->warn_duplicates,
		.threads = opts->threads,
	};
	struct dm_outputs *outputs;
	int err, finished;

	err = load_kernel_symbols(dm);
	if (err < 0)
		return err;
	if (opts->n_files > 0) {
		err = add_files(dm);
	} else {
		err = dm_config_load(&dm->cfg, opts->config_paths, opts->version, &dm->log);
		dm->have_cfg = err >= 0;
		if (err >= 0)
			err = find_modules(dm);
	}
	if (err >= 0 && opts->incremental)
		err = open_cache(dm);
	/* in discovery order: the modules of a directory come together */
	if (err >= 0)
		err = parse_modules(dm);
	if (err >= 0 && opts->incremental)
		err = make_cache(dm);
	if (err >= 0)
		err = dm_graph_sort(&dm->graph, dm->dirname, &dm->log);
	if (err < 0)
		return err;
	/* Every run removes what killed runs left of the cache's temporaries. */
	if (!opts->show) {
		output_opts.extra_name = DM_CACHE_NAME;
		output_opts.extra_data = dm->new_cache;
		output_opts.extra_size = dm->new_cache_size;
	}
	err = dm_outputs_start(&dm->graph, &output_opts, &dm->log, &outputs);
	if (err < 0)
		return err;
	err = add_module_symbols(dm);
	if (err >= 0)
		err = dm_graph_resolve(&dm->graph, &how, &dm->log);
	if (err >= 0)
		err = dm_graph_number(&dm->graph, &dm->log);
	if (err >= 0)
		err = dm_graph_dep_lines(&dm->graph);
	if (err >= 0)
		err = dm_graph_sort_symbols(&dm->graph);
	finished = dm_outputs_finish(outputs, err >= 0);
	return err < 0 ? err : finished;
}

int mt_depmod_run(const struct mt_ctx *ctx, const struct mt_depmod_options *opts)
{
	struct depmod dm;
	int err = depmod_init(&dm, ctx, opts);

	if (err >= 0)
		err = depmod_steps(&dm);
	if (err == -ENOMEM)
		dm_msg(&dm.log, LOG_CRIT, "%s\n", strerror(ENOMEM));
	depmod_release(&dm);
	return err;
}

/* ---- -A ------------------------------------------------------------------ */

int mt_depmod_up_to_date(const struct mt_ctx *ctx, const struct mt_depmod_options *opts)
{
	struct depmod dm;
	struct walk *w = NULL;
	struct stat st;
	int dfd, fresh = 0;

	if (depmod_init(&dm, ctx, opts) < 0)
		goto out;
	dfd = open(dm.outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fstatat(dfd, "modules.dep", &st, 0) < 0) {
		dm_msg(&dm.log, LOG_ERR, "could not fstatat(%s, modules.dep): %s\n", dm.outdir,
		       strerror(errno));
		if (dfd >= 0)
			close(dfd);
		goto out;
	}
	close(dfd);
	w = calloc(1, sizeof(*w));
	if (!w)
		goto out;
	*w = (struct walk){ .dm = &dm, .quick = true, .dep_mtim = st.st_mtim };
	fresh = walk_root(w, dm.dirname) == 0;
out:
	free(w);
	depmod_release(&dm);
	return fresh;
}

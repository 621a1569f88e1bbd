/*
 * test-exports-real.c — mt_elf_exports against the kernel build's own
 * record: every export of every module of an installed tree must appear in
 * the Module.symvers of the matching linux-headers package with the same
 * CRC and namespace, and every module entry of Module.symvers must be found.
 *
 * Module.symvers is $MT_SYMVERS, else that of the newest
 * /usr/src/linux-headers-* directory outside the -common packages (the one
 * tests/build-test-modules.sh builds against).  The tree is
 * /lib/modules/RELEASE/kernel, RELEASE being the UTS_RELEASE of
 * include/generated/utsrelease.h next to it.  A missing input (tap.h) when
 * either is absent.
 */
#include <errno.h>
#include <ftw.h>
#include <glob.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include "libmodtool.h"
#include "tap.h"

#define HEADERS_GLOB "/usr/src/linux-headers-*/Module.symvers"
#define MAX_REPORTS 10

/* A Module.symvers line: CRC, symbol, module path, export type, namespace. */
struct symvers_entry {
	const char *module;
	const char *symbol;
	const char *namespace;	/* "" for none */
	uint64_t crc;
	bool found;
};

/* What the walk over the tree gathers (nftw passes no context). */
static struct {
	size_t tree_len;		/* length of the tree path with its '/' */
	struct symvers_entry *entries;
	size_t n_entries;
	size_t modules, failures, exports, in_symvers, crc_equal, with_ns, ns_equal;
	int reports;
	double seconds;
} walk;

/* A "# " line for each of the first few mismatches. */
static void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void report(const char *fmt, ...)
{
	va_list ap;

	if (walk.reports++ >= MAX_REPORTS)
		return;
	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static int entry_cmp(const void *a, const void *b)
{
	const struct symvers_entry *x = a, *y = b;
	int r = strcmp(x->module, y->module);

	return r ? r : strcmp(x->symbol, y->symbol);
}

/* Module.symvers of the newest linux-headers package, or NULL (malloc'd). */
static char *find_symvers(void)
{
	const char *env = getenv("MT_SYMVERS");
	char *best = NULL;
	glob_t g;

	if (env)
		return strdup(env);
	if (glob(HEADERS_GLOB, 0, NULL, &g) != 0)
		return NULL;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		const char *p = g.gl_pathv[i];
		size_t len = strlen(p) - strlen("/Module.symvers");

		if (len >= 7 && memcmp(p + len - 7, "-common", 7) == 0)
			continue;
		if (!best || strverscmp(p, best) > 0)
			best = g.gl_pathv[i];
	}
	best = best ? strdup(best) : NULL;
	globfree(&g);
	return best;
}

/* /lib/modules/RELEASE/kernel for the headers holding `symvers`, or NULL. */
static char *find_tree(const char *symvers)
{
	const char *slash = strrchr(symvers, '/');
	char path[4096], line[256], release[128], *tree = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "%.*s/include/generated/utsrelease.h",
		 slash ? (int)(slash - symvers) : 1, slash ? symvers : ".");
	f = fopen(path, "r");
	if (!f)
		return NULL;
	while (!tree && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "#define UTS_RELEASE \"%127[^\"]\"", release) == 1 &&
		    asprintf(&tree, "/lib/modules/%s/kernel", release) < 0)
			tree = NULL;
	}
	fclose(f);
	return tree;
}

/* The module entries of Module.symvers (vmlinux left out), sorted; the
 * strings point into *text.  NULL when the file cannot be read. */
static struct symvers_entry *read_symvers(const char *path, char **text, size_t *count)
{
	struct symvers_entry *list = NULL;
	size_t n = 0, cap = 0, len = 0;
	char *line, *next, *field[5];
	FILE *f = fopen(path, "r");

	if (!f)
		return NULL;
	if (getdelim(text, &len, '\0', f) < 0) {
		fclose(f);
		return NULL;
	}
	fclose(f);
	for (line = *text; *line; line = next) {
		int nfields = 0;

		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		for (char *p = line; nfields < 5; p++) {
			field[nfields++] = p;
			p += strcspn(p, "\t");
			if (!*p)
				break;
			*p = '\0';
		}
		if (nfields < 4 || strcmp(field[2], "vmlinux") == 0)
			continue;
		if (n == cap) {
			struct symvers_entry *grown;

			cap = cap ? 2 * cap : 1024;
			grown = realloc(list, cap * sizeof(*list));
			if (!grown)
				abort();
			list = grown;
		}
		list[n++] = (struct symvers_entry){ .module = field[2], .symbol = field[1],
						    .namespace = nfields == 5 ? field[4] : "",
						    .crc = strtoull(field[0], NULL, 16) };
	}
	if (n > 0)
		qsort(list, n, sizeof(*list), entry_cmp);
	*count = n;
	return list;
}

/* Compare the exports of one module with its Module.symvers entries. */
static void check_exports(const char *module, const struct mt_symbol *syms, int n)
{
	for (int i = 0; i < n; i++) {
		struct symvers_entry key = { .module = module, .symbol = syms[i].name }, *e;
		const char *ns = syms[i].ns;

		walk.exports++;
		walk.with_ns += ns != NULL;
		e = bsearch(&key, walk.entries, walk.n_entries, sizeof(*walk.entries), entry_cmp);
		if (!e) {
			report("%s %s: not in Module.symvers", module, syms[i].name);
			continue;
		}
		walk.in_symvers++;
		e->found = true;
		if (syms[i].crc == e->crc)
			walk.crc_equal++;
		else
			report("%s %s: CRC %#llx, Module.symvers has %#llx", module, syms[i].name,
			       (unsigned long long)syms[i].crc, (unsigned long long)e->crc);
		if (strcmp(ns ? ns : "", e->namespace) == 0)
			walk.ns_equal++;
		else
			report("%s %s: namespace %s, Module.symvers has '%s'", module, syms[i].name,
			       ns ? ns : "(none)", e->namespace);
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	const char *rel = path + walk.tree_len, *ko = strstr(rel, ".ko");
	struct mt_file *file = NULL;
	struct mt_elf *elf = NULL;
	struct mt_symbol *syms;
	char module[4096];
	const void *data;
	size_t size;
	double start;
	int n;

	(void)st;
	(void)ftw;
	if (type != FTW_F || !ko || (ko[3] != '\0' && ko[3] != '.'))
		return 0;
	walk.modules++;
	snprintf(module, sizeof(module), "%.*s", (int)(ko - rel), rel);
	if (mt_file_open(path, &file) < 0 || mt_file_load(file, &data, &size) < 0 ||
	    mt_elf_open(data, size, path, &elf) < 0) {
		walk.failures++;
		report("%s: does not open: %s", module, mt_last_error());
		goto out;
	}
	start = now();
	n = mt_elf_exports(elf, &syms);
	walk.seconds += now() - start;
	if (n >= 0) {
		check_exports(module, syms, n);
		free(syms);
	} else if (n != -ENODATA) {
		walk.failures++;
		report("%s: exports fail: %s", module, mt_last_error());
	}
out:
	if (elf)
		mt_elf_close(elf);
	if (file)
		mt_file_close(file);
	return 0;
}

int main(void)
{
	char *symvers = find_symvers(), *tree = symvers ? find_tree(symvers) : NULL, *text = NULL;
	size_t unmatched = 0, entries_ns = 0;
	struct stat st;
	bool walked;

	if (!tree || stat(tree, &st) != 0) {
		free(symvers);
		free(tree);
		return tap_missing_input_all("no linux-headers Module.symvers with its installed module tree");
	}
	printf("# %s\n# %s\n", symvers, tree);
	walk.entries = read_symvers(symvers, &text, &walk.n_entries);
	tap_ok(walk.entries && walk.n_entries > 0, "Module.symvers: %zu exports of modules",
	       walk.n_entries);
	walk.tree_len = strlen(tree) + 1;
	walked = walk.entries && nftw(tree, visit, 16, FTW_PHYS) == 0;
	tap_ok(walked && walk.failures == 0, "%zu modules: all open and list their exports",
	       walk.modules);
	tap_ok(walk.exports > 0 && walk.in_symvers == walk.exports,
	       "%zu of %zu exports are in Module.symvers", walk.in_symvers, walk.exports);
	tap_ok(walk.exports > 0 && walk.crc_equal == walk.exports,
	       "%zu of %zu exports have the CRC of Module.symvers", walk.crc_equal, walk.exports);
	for (size_t i = 0; i < walk.n_entries; i++) {
		unmatched += !walk.entries[i].found;
		entries_ns += walk.entries[i].namespace[0] != '\0';
		if (!walk.entries[i].found)
			report("%s %s: in Module.symvers, not found", walk.entries[i].module,
			       walk.entries[i].symbol);
	}
	tap_ok(walk.exports > 0 && walk.ns_equal == walk.exports && walk.with_ns == entries_ns,
	       "%zu of %zu exports have the namespace of Module.symvers (%zu with one, %zu there)",
	       walk.ns_equal, walk.exports, walk.with_ns, entries_ns);
	tap_ok(walk.n_entries > 0 && unmatched == 0,
	       "every Module.symvers entry of a module was found (%zu missing)", unmatched);
	printf("# mt_elf_exports: %.1f ms for %zu modules (with the page faults of the files)\n",
	       walk.seconds * 1e3, walk.modules);
	free(walk.entries);
	free(text);
	free(symvers);
	free(tree);
	return tap_done();
}

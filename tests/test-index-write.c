/*
 * test-index-write.c — the binary index writer: the worked examples of
 * doc/index-format.md §9 byte for byte in both layouts (written to a stream that
 * cannot seek), value order with ties and duplicates, the empty index, bad
 * characters, write errors, a round trip of random wildcard keys through the
 * reader, and — when the real module tree is present — all five kmod 30
 * indexes rebuilt from their text sources and compared byte for byte.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fnmatch.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>
#include "libmodtool.h"
#include "module-tree.h"
#include "tap.h"
#define BYTES(literal) literal, sizeof(literal) - 1

static char dir[] = "/tmp/mt-test-index-write-XXXXXX";

static void bail(const char *what)
{
	printf("Bail out! %s\n", what);
	exit(1);
}

/* ---- output capture ------------------------------------------------------ */

/* A growing buffer behind a FILE with no seek function, like a pipe. */
struct sink {
	char *data;
	size_t size, cap;
};

static ssize_t sink_write(void *cookie, const char *buf, size_t len)
{
	struct sink *s = cookie;

	if (s->cap - s->size < len) {
		size_t cap = s->cap ? s->cap : 4096;

		while (cap - s->size < len)
			cap *= 2;
		s->data = realloc(s->data, cap);
		if (!s->data)
			bail("out of memory");
		s->cap = cap;
	}
	memcpy(s->data + s->size, buf, len);
	s->size += len;
	return (ssize_t)len;
}

/* Serialize through an unseekable stream; returns the writer's result. */
static int write_to_sink(struct mt_index_builder *b, enum mt_index_layout layout, struct sink *s)
{
	FILE *fp = fopencookie(s, "w", (cookie_io_functions_t){ .write = sink_write });
	int err;

	if (!fp)
		bail("fopencookie");
	*s = (struct sink){ 0 };
	err = mt_index_builder_write(b, fp, layout);
	if (fclose(fp) != 0 && err == 0)
		err = -EIO;
	return err;
}

static bool same_bytes(const struct sink *s, const char *want, size_t want_size)
{
	size_t i = 0;

	while (i < s->size && i < want_size && s->data[i] == want[i])
		i++;
	if (i == s->size && i == want_size)
		return true;
	printf("#   sizes %zu/%zu, first difference at offset %#zx\n", s->size, want_size, i);
	return false;
}

static const char *layout_name(enum mt_index_layout layout)
{
	return layout == MT_INDEX_LAYOUT_PREORDER ? "pre-order" : "post-order";
}

static void check_bytes(struct mt_index_builder *b, enum mt_index_layout layout,
			const char *want, size_t want_size, const char *what)
{
	struct sink s;
	int err = write_to_sink(b, layout, &s);

	tap_ok(err == 0 && same_bytes(&s, want, want_size), "%s, %s: byte for byte",
	       what, layout_name(layout));
	free(s.data);
}

static struct mt_index_builder *builder_new(void)
{
	struct mt_index_builder *b = mt_index_builder_new();

	if (!b)
		bail("mt_index_builder_new");
	return b;
}

static void add(struct mt_index_builder *b, const char *key, const char *value, unsigned prio)
{
	if (mt_index_builder_add(b, key, value, prio) != 0)
		bail(mt_last_error());
}

/* Write in `layout` to DIR/name and open it with the reader. */
static struct mt_index *reopen(struct mt_index_builder *b, enum mt_index_layout layout,
			       const char *name)
{
	char path[512];
	struct mt_index *idx;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "wb");
	if (!fp || mt_index_builder_write(b, fp, layout) != 0 || fclose(fp) != 0)
		bail("cannot write a test index");
	if (mt_index_open(path, &idx) != 0)
		bail(mt_last_error());
	return idx;
}

/* The reader's dump of an index, malloc'd. */
static char *dump_of(struct mt_index *idx)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	int err;

	if (!mem)
		bail("open_memstream");
	err = mt_index_dump(idx, mem, "");
	if (fclose(mem) != 0 || err != 0)
		bail("dump failed");
	return text;
}

/* ---- the worked examples of §9 ------------------------------------------- */

#include "index-examples.h"

static void test_examples(void)
{
	struct mt_index_builder *b = builder_new();

	add(b, "foo", "", 0);
	add(b, "fop", "", 0);
	add(b, "bar", "", 0);
	check_bytes(b, MT_INDEX_LAYOUT_PREORDER, BYTES(example_a_pre), "example A");
	check_bytes(b, MT_INDEX_LAYOUT_POSTORDER, BYTES(example_a_post), "example A");
	mt_index_builder_free(b);

	b = builder_new();
	add(b, "ab", "kernel/ab.ko:", 0);
	add(b, "ac", "kernel/ac.ko: kernel/ab.ko", 1);
	check_bytes(b, MT_INDEX_LAYOUT_PREORDER, BYTES(example_b_pre), "example B");
	check_bytes(b, MT_INDEX_LAYOUT_POSTORDER, BYTES(example_b_post), "example B");
	mt_index_builder_free(b);

	/* The same keys the other way round: the shape does not depend on order. */
	b = builder_new();
	add(b, "ac", "kernel/ac.ko: kernel/ab.ko", 1);
	add(b, "ab", "kernel/ab.ko:", 0);
	check_bytes(b, MT_INDEX_LAYOUT_POSTORDER, BYTES(example_b_post), "example B, keys reversed");
	mt_index_builder_free(b);

	b = builder_new();
	check_bytes(b, MT_INDEX_LAYOUT_PREORDER, BYTES(empty_index), "empty index");
	check_bytes(b, MT_INDEX_LAYOUT_POSTORDER, BYTES(empty_index), "empty index");
	mt_index_builder_free(b);
}

/* ---- value order, bad input, write errors -------------------------------- */

static void test_value_order(void)
{
	struct mt_index_builder *b = builder_new();
	struct mt_index *idx;
	char *text, *first;

	/* Head, tail and middle insertions, ties and a duplicate; the key "k"
	 * is later split by "kx" and "k" moves down under "" into a new node. */
	add(b, "kx", "x", 0);
	add(b, "k", "b", 1);
	add(b, "k", "a", 1);
	add(b, "k", "c", 0);
	add(b, "k", "e", 3);
	add(b, "k", "a", 1);
	add(b, "k", "d", 2);
	add(b, "k", "f", 3);
	add(b, "", "root", 7);
	for (int layout = 0; layout < 2; layout++) {
		idx = reopen(b, (enum mt_index_layout)layout, "order.bin");
		text = dump_of(idx);
		tap_is_str(text, " root\nk c\nk a\nk a\nk b\nk d\nk f\nk e\nkx x\n",
			   "%s: priority ascending, a new value before its equals, duplicates kept",
			   layout_name((enum mt_index_layout)layout));
		first = mt_index_lookup(idx, "k");
		tap_is_str(first, "c", "%s: exact lookup gives the lowest priority",
			   layout_name((enum mt_index_layout)layout));
		free(first);
		free(text);
		mt_index_close(idx);
	}
	mt_index_builder_free(b);
}

static void test_bad_characters(void)
{
	struct mt_index_builder *b = builder_new();
	int err;

	add(b, "foo", "", 0);
	add(b, "fop", "", 0);
	err = mt_index_builder_add(b, "fo\xe9", "mod", 0);
	tap_is_int(err, -EINVAL, "a key with a byte above 0x7f is rejected");
	tap_is_str(mt_last_error(),
		   "Module index: bad character '\xe9'=0xe9 - only 7-bit ASCII is supported: fo\xe9",
		   "the message names the character and the key");
	err = mt_index_builder_add(b, "fob", "m\x80od", 0);
	tap_is_int(err, -EINVAL, "a value with a byte above 0x7f is rejected");
	tap_is_str(mt_last_error(),
		   "Module index: bad character '\x80'=0x80 - only 7-bit ASCII is supported: m\x80od",
		   "the message names the character and the value");
	add(b, "bar", "", 0);
	check_bytes(b, MT_INDEX_LAYOUT_POSTORDER, BYTES(example_a_post),
		    "rejected keys leave the trie untouched");
	mt_index_builder_free(b);
}

static ssize_t failing_write(void *cookie, const char *buf, size_t len)
{
	(void)cookie, (void)buf, (void)len;
	errno = ENOSPC;
	return -1;
}

static void test_write_error(void)
{
	struct mt_index_builder *b = builder_new();
	FILE *fp = fopencookie(NULL, "w", (cookie_io_functions_t){ .write = failing_write });

	if (!fp)
		bail("fopencookie");
	add(b, "foo", "", 0);
	tap_is_int(mt_index_builder_write(b, fp, MT_INDEX_LAYOUT_PREORDER), -ENOSPC,
		   "a failing stream gives the stream's errno");
	fclose(fp);
	mt_index_builder_free(b);
}

/* ---- round trip of random keys through the reader ------------------------ */

struct entry {
	char key[2100];
	char value[16];
	unsigned priority;
	size_t seq;
};

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static unsigned rnd(unsigned n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (unsigned)(rng_state % n);
}

/* Keys over a small alphabet so that they share prefixes, with wildcards. */
static void random_key(char *key)
{
	static const char *const tokens[] = { "a", "b", "c", "a", "b", "c", "a", "b", ":",
					      "*", "?", "[ab]", "[!c]" };
	size_t len = 0;

	for (unsigned n = 1 + rnd(10); n > 0; n--) {
		const char *t = tokens[rnd(sizeof(tokens) / sizeof(tokens[0]))];

		memcpy(key + len, t, strlen(t));
		len += strlen(t);
	}
	key[len] = '\0';
}

/* Dump order: key bytewise, then priority, ties latest-inserted first. */
static int entry_order(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c != 0)
		return c;
	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	return x->seq < y->seq ? 1 : -1;
}

/* §8's definition of a stored pattern matching a literal query. */
static bool pattern_matches(const char *pattern, const char *query)
{
	size_t w = strcspn(pattern, "*?[");

	if (pattern[w] == '\0')
		return strcmp(pattern, query) == 0;
	return strncmp(pattern, query, w) == 0 && strlen(query) >= w &&
	       fnmatch(pattern + w, query + w, 0) == 0;
}

struct hit {
	unsigned priority;
	const char *value;
};

static int hit_order(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;

	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	return strcmp(x->value, y->value);
}

/* Compare a wildcard lookup with a brute-force scan as multisets; the
 * reader must also return them by priority ascending. */
static bool wild_lookup_agrees(struct mt_index *idx, const struct entry *entries, size_t count,
			       const char *query)
{
	struct mt_index_value *got;
	struct hit *want = malloc(count * sizeof(*want)), *have = malloc(count * sizeof(*have));
	size_t nwant = 0;
	bool ok = true;
	int n;

	if (!want || !have)
		bail("out of memory");
	for (size_t i = 0; i < count; i++)
		if (pattern_matches(entries[i].key, query))
			want[nwant++] = (struct hit){ entries[i].priority, entries[i].value };
	n = mt_index_lookup_wild(idx, query, &got);
	if (n < 0 || (size_t)n != nwant) {
		printf("#   query '%s': %d results, want %zu\n", query, n, nwant);
		free(want);
		free(have);
		if (n > 0)
			mt_index_values_free(got, n);
		return false;
	}
	for (int i = 0; i < n; i++) {
		have[i] = (struct hit){ got[i].priority, got[i].value };
		if (i > 0 && got[i].priority < got[i - 1].priority)
			ok = false;
	}
	qsort(have, (size_t)n, sizeof(*have), hit_order);
	qsort(want, nwant, sizeof(*want), hit_order);
	for (size_t i = 0; i < nwant && ok; i++)
		ok = hit_order(&have[i], &want[i]) == 0;
	if (!ok)
		printf("#   query '%s': results differ\n", query);
	free(have);
	free(want);
	mt_index_values_free(got, n);
	return ok;
}

static void test_round_trip(void)
{
	enum { COUNT = 4000, QUERIES = 400 };
	struct entry *entries = calloc(COUNT, sizeof(*entries));
	struct mt_index_builder *b = builder_new();
	char *want_dump = NULL;
	size_t want_len = 0;
	FILE *mem;

	if (!entries)
		bail("out of memory");
	for (size_t i = 0; i < COUNT; i++) {
		struct entry *e = &entries[i];

		if (i > 0 && rnd(20) == 0) {
			*e = entries[rnd((unsigned)i)];	/* a duplicate */
		} else if (i < 2) {
			/* Deep keys: a 2000-level chain and a split at its bottom. */
			memset(e->key, 'a', 2000);
			e->key[2000] = i ? 'b' : '\0';
			snprintf(e->value, sizeof(e->value), "deep%zu", i);
		} else {
			random_key(e->key);
			snprintf(e->value, sizeof(e->value), "v%u", rnd(1000));
			e->priority = rnd(20);
		}
		e->seq = i;
		add(b, e->key, e->value, e->priority);
	}

	mem = open_memstream(&want_dump, &want_len);
	if (!mem)
		bail("open_memstream");
	qsort(entries, COUNT, sizeof(*entries), entry_order);
	for (size_t i = 0; i < COUNT; i++)
		fprintf(mem, "%s %s\n", entries[i].key, entries[i].value);
	fclose(mem);

	for (int layout = 0; layout < 2; layout++) {
		const char *name = layout_name((enum mt_index_layout)layout);
		struct mt_index *idx = reopen(b, (enum mt_index_layout)layout, "random.bin");
		char *text = dump_of(idx);
		size_t bad_exact = 0, bad_wild = 0;
		char query[64];

		tap_ok(strcmp(text, want_dump) == 0, "%s: dump of %d random keys with "
		       "wildcards matches their sorted insertion", name, COUNT);
		free(text);
		for (size_t i = 0; i < COUNT; i++) {
			if (i > 0 && strcmp(entries[i - 1].key, entries[i].key) == 0)
				continue;
			char *first = mt_index_lookup(idx, entries[i].key);

			if (!first || strcmp(first, entries[i].value) != 0)
				bad_exact++;
			free(first);
		}
		tap_is_int(bad_exact, 0, "%s: exact lookup of every key gives its first value", name);
		char *absent = mt_index_lookup(idx, "abc:absent");
		tap_ok(!absent && errno == 0, "%s: an absent key is not found", name);
		free(absent);
		for (unsigned q = 0; q < QUERIES; q++) {
			size_t len = 0;

			for (unsigned n = rnd(12); n > 0; n--)
				query[len++] = "abc:"[rnd(4)];
			query[len] = '\0';
			if (!wild_lookup_agrees(idx, entries, COUNT, query))
				bad_wild++;
		}
		tap_is_int(bad_wild, 0, "%s: %d wildcard lookups agree with a brute-force match",
			   name, QUERIES);
		mt_index_close(idx);
	}
	free(want_dump);
	free(entries);
	mt_index_builder_free(b);
}

/* ---- the real module tree (§10) ------------------------------------------ */

static char *read_all(const char *path, size_t *size)
{
	FILE *fp = fopen(path, "rb");
	char *data = NULL;
	size_t cap = 0, len = 0, n;

	if (!fp)
		return NULL;
	do {
		if (cap - len < 65536) {
			cap = cap ? 2 * cap : 1 << 20;
			data = realloc(data, cap + 1);
			if (!data)
				bail("out of memory");
		}
		n = fread(data + len, 1, cap - len, fp);
		len += n;
	} while (n > 0);
	fclose(fp);
	data[len] = '\0';
	*size = len;
	return data;
}

struct module {
	char *name;
	unsigned idx;
};

struct tree {
	const char *dir;
	struct module *modules;
	size_t module_count;
};

static int module_order(const void *a, const void *b)
{
	return strcmp(((const struct module *)a)->name, ((const struct module *)b)->name);
}

static unsigned module_idx(const struct tree *t, const char *name)
{
	struct module key = { (char *)name, 0 };
	const struct module *m = bsearch(&key, t->modules, t->module_count, sizeof(key), module_order);

	if (!m) {
		printf("# no module '%s' in modules.dep\n", name);
		bail("modules.dep does not list a module of the alias files");
	}
	return m->idx;
}

static char *tree_file(const struct tree *t, const char *name, size_t *size)
{
	char path[512];
	char *data;

	snprintf(path, sizeof(path), "%s/%s", t->dir, name);
	data = read_all(path, size);
	if (!data)
		bail(path);
	return data;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Next line of a text in place (the '\n' becomes NUL), or NULL at the end. */
static char *next_line(char **pos)
{
	char *line = *pos, *nl;

	if (*line == '\0')
		return NULL;
	nl = strchr(line, '\n');
	if (nl) {
		*nl = '\0';
		*pos = nl + 1;
	} else {
		*pos = line + strlen(line);
	}
	return line;
}

static void build_dep(struct tree *t, struct mt_index_builder *b, char *text)
{
	size_t cap = 0;
	char name[256];

	for (char *line; (line = next_line(&text));) {
		char *colon = strchr(line, ':');

		if (!colon)
			bail("modules.dep line without ':'");
		*colon = '\0';
		if (mt_modname_normalize(line, name, sizeof(name)) < 0)
			bail("bad module path in modules.dep");
		*colon = ':';
		add(b, name, line, (unsigned)t->module_count);
		if (t->module_count == cap) {
			cap = cap ? 2 * cap : 4096;
			t->modules = realloc(t->modules, cap * sizeof(*t->modules));
			if (!t->modules)
				bail("out of memory");
		}
		t->modules[t->module_count].name = strdup(name);
		t->modules[t->module_count].idx = (unsigned)t->module_count;
		t->module_count++;
	}
	qsort(t->modules, t->module_count, sizeof(*t->modules), module_order);
}

/* "alias <key> <module>" lines of modules.alias or modules.symbols. */
static void build_alias_lines(struct tree *t, struct mt_index_builder *b, char *text,
			      bool normalize)
{
	char key[4096];

	for (char *line; (line = next_line(&text));) {
		char *alias = line + strlen("alias "), *module = strrchr(line, ' ');

		if (strncmp(line, "alias ", 6) != 0 || module < alias)
			continue;
		*module++ = '\0';
		if (!normalize)
			snprintf(key, sizeof(key), "%s", alias);
		else if (mt_alias_normalize(alias, key, sizeof(key)) < 0)
			continue;
		add(b, key, module, module_idx(t, module));
	}
}

static void build_alias(struct tree *t, struct mt_index_builder *b, char *text)
{
	build_alias_lines(t, b, text, true);
}

static void build_symbols(struct tree *t, struct mt_index_builder *b, char *text)
{
	build_alias_lines(t, b, text, false);
}

static void build_builtin(struct tree *t, struct mt_index_builder *b, char *text)
{
	char name[256];

	(void)t;
	for (char *line; (line = next_line(&text));)
		if (mt_modname_normalize(line, name, sizeof(name)) > 0)
			add(b, name, "", 0);
}

/* "<module>.alias=<alias>" records of modules.builtin.modinfo. */
static void build_builtin_alias(struct tree *t, struct mt_index_builder *b, char *text,
				size_t size)
{
	char key[4096];

	(void)t;
	for (char *rec = text; rec < text + size; rec += strlen(rec) + 1) {
		char *dot = strchr(rec, '.');

		if (!dot || strncmp(dot, ".alias=", 7) != 0)
			continue;
		if (mt_alias_normalize(dot + 7, key, sizeof(key)) < 0)
			continue;
		*dot = '\0';
		add(b, key, rec, 0);
		*dot = '.';
	}
}

enum source { DEP, ALIAS, SYMBOLS, BUILTIN, BUILTIN_ALIAS };

static const struct {
	const char *bin, *text;
} sources[] = {
	[DEP] = { "modules.dep.bin", "modules.dep" },
	[ALIAS] = { "modules.alias.bin", "modules.alias" },
	[SYMBOLS] = { "modules.symbols.bin", "modules.symbols" },
	[BUILTIN] = { "modules.builtin.bin", "modules.builtin" },
	[BUILTIN_ALIAS] = { "modules.builtin.alias.bin", "modules.builtin.modinfo" },
};

static void rebuild(struct tree *t, enum source which)
{
	const char *bin = sources[which].bin;
	size_t text_size, ref_size;
	char *text = tree_file(t, sources[which].text, &text_size);
	char *ref = tree_file(t, bin, &ref_size);
	struct mt_index_builder *b = builder_new();
	struct mt_index *ours, *theirs;
	char path[512], *ours_dump, *theirs_dump;
	double start, built, written;
	struct sink s;
	struct stat st;
	int err;

	start = now_ms();
	switch (which) {
	case DEP: build_dep(t, b, text); break;
	case ALIAS: build_alias(t, b, text); break;
	case SYMBOLS: build_symbols(t, b, text); break;
	case BUILTIN: build_builtin(t, b, text); break;
	case BUILTIN_ALIAS: build_builtin_alias(t, b, text, text_size); break;
	}
	built = now_ms();
	err = write_to_sink(b, MT_INDEX_LAYOUT_POSTORDER, &s);
	written = now_ms();
	printf("# %s: build %.2f ms (parsing included), write %.2f ms, %zu bytes\n",
	       bin, built - start, written - built, s.size);
	tap_ok(err == 0 && same_bytes(&s, ref, ref_size), "%s rebuilt in post-order "
	       "is kmod 30's file byte for byte", bin);
	free(s.data);

	/* Pre-order: the same records elsewhere, so same size and contents. */
	ours = reopen(b, MT_INDEX_LAYOUT_PREORDER, "real.bin");
	snprintf(path, sizeof(path), "%s/real.bin", dir);
	if (stat(path, &st) != 0)
		bail(path);
	snprintf(path, sizeof(path), "%s/%s", t->dir, bin);
	if (mt_index_open(path, &theirs) != 0)
		bail(mt_last_error());
	ours_dump = dump_of(ours);
	theirs_dump = dump_of(theirs);
	tap_ok((size_t)st.st_size == ref_size && strcmp(ours_dump, theirs_dump) == 0,
	       "%s rebuilt in pre-order has kmod 30's size and dump", bin);
	free(ours_dump);
	free(theirs_dump);
	mt_index_close(ours);
	mt_index_close(theirs);
	mt_index_builder_free(b);
	free(text);
	free(ref);
}

static void test_real_tree(const char *tree_dir)
{
	struct tree t = { .dir = tree_dir };
	char path[PATH_MAX + 64], why[PATH_MAX + 64];

	if (!tree_dir) {
		tap_missing_input("real module tree", "no module tree under /lib/modules (linux-image-amd64)");
		return;
	}
	snprintf(path, sizeof(path), "%s/modules.dep.bin", tree_dir);
	if (access(path, R_OK) != 0) {
		snprintf(why, sizeof(why), "%s has no indexes", tree_dir);
		tap_missing_input("real module tree", why);
		return;
	}
	for (enum source s = DEP; s <= BUILTIN_ALIAS; s++)
		rebuild(&t, s);
	for (size_t i = 0; i < t.module_count; i++)
		free(t.modules[i].name);
	free(t.modules);
}

int main(int argc, char **argv)
{
	const char *files[] = { "order.bin", "random.bin", "real.bin" };

	if (!mkdtemp(dir))
		bail("mkdtemp");
	test_examples();
	test_value_order();
	test_bad_characters();
	test_write_error();
	test_round_trip();
	test_real_tree(argc > 1 ? argv[1] : module_tree());
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[512];

		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
	return tap_done();
}

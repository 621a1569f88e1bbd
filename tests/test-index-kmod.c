/*
 * test-index-kmod.c — the index reader against libkmod (the oracle).  On a
 * real module directory (argv[1], else the installed tree: module-tree.h): the dumps of all five indexes byte for byte, exact lookups
 * of every key and every modules.dep line, and name resolution of module
 * names, exported symbols, real modaliases from /sys and modaliases made
 * from the stored alias patterns, compared with kmod_module_new_from_lookup().
 * On a small synthetic directory in both write orders: the order of
 * equal-priority results, which the real tree does not exercise.
 */
#include <errno.h>
#include <glob.h>
#include <stdbool.h>
#include <stdlib.h>
#include <syslog.h>
#include <unistd.h>
#include <libkmod.h>
#include "libmodtool.h"
#include "module-tree.h"
#include "tap.h"

enum { DEP, ALIAS, SYMBOLS, BUILTIN, BUILTIN_ALIAS, INDEX_COUNT };

static const struct {
	enum kmod_index type;
	const char *file;
	const char *prefix;	/* what modprobe -c puts in front of each line */
} kinds[INDEX_COUNT] = {
	[DEP] = { KMOD_INDEX_MODULES_DEP, "modules.dep.bin", "" },
	[ALIAS] = { KMOD_INDEX_MODULES_ALIAS, "modules.alias.bin", "alias " },
	[SYMBOLS] = { KMOD_INDEX_MODULES_SYMBOL, "modules.symbols.bin", "alias " },
	[BUILTIN] = { KMOD_INDEX_MODULES_BUILTIN, "modules.builtin.bin", "" },
	[BUILTIN_ALIAS] = { KMOD_INDEX_MODULES_BUILTIN_ALIAS, "modules.builtin.alias.bin", "" },
};

/* A dump split into lines: keys[i] and values[i] point into the text. */
struct dump {
	char *text;
	size_t size;
	char **keys, **values;
	size_t count;
};

/* A module directory as both libkmod and modtool see it. */
struct tree {
	const char *dir;
	const char *label;	/* in front of test names */
	struct kmod_ctx *kctx;
	struct mt_index *indexes[INDEX_COUNT];
	struct dump dumps[INDEX_COUNT];	/* libkmod's */
};

static void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p) {
		printf("Bail out! out of memory\n");
		exit(1);
	}
	return p;
}

static void read_all(FILE *fp, struct dump *d)
{
	size_t cap = 1 << 16, n;

	d->text = xmalloc(cap);
	d->size = 0;
	rewind(fp);
	while ((n = fread(d->text + d->size, 1, cap - d->size - 1, fp)) > 0) {
		d->size += n;
		if (cap - d->size == 1) {
			cap *= 2;
			d->text = realloc(d->text, cap);
			if (!d->text) {
				printf("Bail out! out of memory\n");
				exit(1);
			}
		}
	}
	d->text[d->size] = '\0';
}

/* Split "<prefix><key> <value>\n" lines in place. */
static void split_lines(struct dump *d, size_t prefix_len)
{
	size_t lines = 0;

	for (size_t i = 0; i < d->size; i++)
		lines += d->text[i] == '\n';
	d->keys = xmalloc(lines * sizeof(char *));
	d->values = xmalloc(lines * sizeof(char *));
	d->count = 0;
	for (char *line = d->text, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
		char *space = strchr(line + prefix_len, ' ');

		*nl = '\0';
		if (!space || space > nl)
			continue;
		*space = '\0';
		d->keys[d->count] = line + prefix_len;
		d->values[d->count++] = space + 1;
	}
}

static void check_dumps(struct tree *t)
{
	for (int k = 0; k < INDEX_COUNT; k++) {
		char path[4096];
		char *ours = NULL;
		size_t ours_size = 0;
		FILE *mem, *tmp;
		int err;

		snprintf(path, sizeof(path), "%s/%s", t->dir, kinds[k].file);
		err = mt_index_open(path, &t->indexes[k]);
		if (err == -ENOENT) {
			char what[256];

			snprintf(what, sizeof(what), "%s%s: dump", t->label, kinds[k].file);
			tap_missing_input(what, "no such file");
			continue;
		}
		tap_is_int(err, 0, "%s%s: opens", t->label, kinds[k].file);
		if (err < 0) {
			printf("# %s\n", mt_last_error());
			continue;
		}

		mem = open_memstream(&ours, &ours_size);
		tmp = tmpfile();
		if (!mem || !tmp) {
			printf("Bail out! cannot make temporary files\n");
			exit(1);
		}
		tap_is_int(mt_index_dump(t->indexes[k], mem, kinds[k].prefix), 0,
			   "%s%s: mt_index_dump succeeds", t->label, kinds[k].file);
		fclose(mem);
		tap_is_int(kmod_dump_index(t->kctx, kinds[k].type, fileno(tmp)), 0,
			   "%s%s: kmod_dump_index succeeds", t->label, kinds[k].file);
		read_all(tmp, &t->dumps[k]);
		fclose(tmp);

		const struct dump *want = &t->dumps[k];
		size_t same = 0;

		while (same < ours_size && same < want->size && ours[same] == want->text[same])
			same++;
		tap_ok(ours_size == want->size && same == ours_size,
		       "%s%s: dump identical to libkmod's (%zu bytes)", t->label, kinds[k].file,
		       want->size);
		if (ours_size != want->size || same != ours_size)
			printf("#   first difference at byte %zu of %zu/%zu\n", same, ours_size,
			       want->size);
		free(ours);
		split_lines(&t->dumps[k], strlen(kinds[k].prefix));
	}
}

static bool is_key(const struct dump *d, const char *key)
{
	size_t lo = 0, hi = d->count;

	/* dump lines are sorted bytewise by key */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = strcmp(d->keys[mid], key);

		if (cmp == 0)
			return true;
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* Every key gives the first value libkmod dumps for it; cut-down and
 * extended keys that are not keys give nothing. */
static void check_exact_keys(struct tree *t, int k)
{
	const struct dump *d = &t->dumps[k];
	size_t keys = 0, bad = 0;

	if (!t->indexes[k] || !d->count) {
		char what[256];

		snprintf(what, sizeof(what), "%s: exact lookups", kinds[k].file);
		tap_missing_input(what, "no index or no keys");
		return;
	}
	for (size_t i = 0; i < d->count; i++) {
		char probe[4096];
		char *got;

		if (i > 0 && strcmp(d->keys[i], d->keys[i - 1]) == 0)
			continue;
		keys++;
		got = mt_index_lookup(t->indexes[k], d->keys[i]);
		if (!got || strcmp(got, d->values[i]) != 0) {
			if (bad++ < 5)
				printf("#   %s: got '%s', want '%s'\n", d->keys[i], got ? got : "(null)",
				       d->values[i]);
		}
		free(got);

		snprintf(probe, sizeof(probe), "%s", d->keys[i]);
		probe[strlen(probe) - 1] = '\0';
		for (int pass = 0; pass < 2; pass++) {
			if (!is_key(d, probe)) {
				errno = EBADF;
				got = mt_index_lookup(t->indexes[k], probe);
				if (got || errno != 0) {
					if (bad++ < 5)
						printf("#   '%s' is no key but lookup gave '%s' (errno %d)\n",
						       probe, got ? got : "(null)", errno);
				}
				free(got);
			}
			snprintf(probe, sizeof(probe), "%s_x", d->keys[i]);
		}
	}
	tap_ok(bad == 0, "%s: exact lookup of all %zu keys (and non-keys around them)",
	       kinds[k].file, keys);
}

/* Each modules.dep line is the dep.bin value of its module's name. */
static void check_dep_text(struct tree *t)
{
	char path[4096], name[256], line[65536];
	size_t lines = 0, bad = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/modules.dep", t->dir);
	fp = fopen(path, "r");
	if (!fp || !t->indexes[DEP]) {
		tap_missing_input("modules.dep lines", "no modules.dep or modules.dep.bin");
		if (fp)
			fclose(fp);
		return;
	}
	while (fgets(line, sizeof(line), fp)) {
		char *colon = strchr(line, ':'), *got;

		line[strcspn(line, "\n")] = '\0';
		if (!colon)
			continue;
		*colon = '\0';
		if (mt_modname_normalize(line, name, sizeof(name)) < 0)
			continue;
		*colon = ':';
		lines++;
		got = mt_index_lookup(t->indexes[DEP], name);
		if (!got || strcmp(got, line) != 0) {
			if (bad++ < 5)
				printf("#   %s: got '%s', want '%s'\n", name, got ? got : "(null)", line);
		}
		free(got);
	}
	fclose(fp);
	tap_ok(lines > 0 && bad == 0, "modules.dep.bin: all %zu modules.dep lines found by name",
	       lines);
}

/* ---- name resolution compared with libkmod ------------------------------- */

struct names {
	char text[8192];
	size_t len;
	int count;
};

static void names_add(struct names *n, const char *name)
{
	n->len += (size_t)snprintf(n->text + n->len, sizeof(n->text) - n->len, "%s%s",
				   n->count++ ? " " : "", name);
	if (n->len >= sizeof(n->text))
		n->len = sizeof(n->text) - 1;
}

static bool resolve_exact(struct tree *t, int k, const char *query, struct names *out)
{
	char *value;

	if (!t->indexes[k])
		return false;
	value = mt_index_lookup(t->indexes[k], query);
	if (value)
		names_add(out, query);
	free(value);
	return value != NULL;
}

static bool resolve_wild(struct tree *t, int k, const char *query, struct names *out)
{
	struct mt_index_value *values;
	int n;

	if (!t->indexes[k])
		return false;
	n = mt_index_lookup_wild(t->indexes[k], query, &values);
	if (n < 0) {
		names_add(out, "<error>");
		return true;
	}
	for (int i = 0; i < n; i++)
		names_add(out, values[i].value);
	mt_index_values_free(values, n);
	return n > 0;
}

/* libkmod's lookup chain (doc/index-format.md §8) with no configuration: the
 * first index step with a result wins. */
static void resolve_ours(struct tree *t, const char *query, struct names *out)
{
	if (!strchr(query, ':') && resolve_exact(t, DEP, query, out))
		return;
	if (strncmp(query, "symbol:", 7) == 0 && resolve_wild(t, SYMBOLS, query, out))
		return;
	if (resolve_wild(t, ALIAS, query, out) || resolve_exact(t, BUILTIN, query, out))
		return;
	resolve_wild(t, BUILTIN_ALIAS, query, out);
}

static void resolve_kmod(struct tree *t, const char *query, struct names *out)
{
	struct kmod_list *list = NULL, *l;

	if (kmod_module_new_from_lookup(t->kctx, query, &list) < 0) {
		names_add(out, "<error>");
		return;
	}
	kmod_list_foreach(l, list) {
		struct kmod_module *mod = kmod_module_get_module(l);

		names_add(out, kmod_module_get_name(mod));
		kmod_module_unref(mod);
	}
	kmod_module_unref_list(list);
}

struct resolve_stats {
	size_t queries, found, results, bad;
};

static void compare_resolution(struct tree *t, const char *raw, struct resolve_stats *st)
{
	struct names ours = { .len = 0 }, theirs = { .len = 0 };
	char query[4096];

	/* libkmod normalizes the query first; invalid ones are not compared */
	if (mt_alias_normalize(raw, query, sizeof(query)) < 0)
		return;
	resolve_ours(t, query, &ours);
	resolve_kmod(t, raw, &theirs);
	st->queries++;
	st->found += theirs.count > 0;
	st->results += (size_t)theirs.count;
	if (strcmp(ours.text, theirs.text) != 0 && st->bad++ < 5)
		printf("#   %s: got '%s', want '%s'\n", raw, ours.text, theirs.text);
}

static void report(struct tree *t, const char *what, const struct resolve_stats *st)
{
	tap_ok(st->queries > 0 && st->bad == 0,
	       "%s%s: %zu queries (%zu resolved, %zu modules) resolve as with libkmod", t->label,
	       what, st->queries, st->found, st->results);
}

/* Every distinct key of an index as a query. */
static void resolve_keys(struct tree *t, int k, const char *what)
{
	const struct dump *d = &t->dumps[k];
	struct resolve_stats st = { 0 };

	if (!t->indexes[k] || !d->count) {
		char why[64];

		snprintf(why, sizeof(why), "no %s", kinds[k].file);
		tap_missing_input(what, why);
		return;
	}
	for (size_t i = 0; i < d->count; i++)
		if (i == 0 || strcmp(d->keys[i], d->keys[i - 1]) != 0)
			compare_resolution(t, d->keys[i], &st);
	report(t, what, &st);
}

static void resolve_sysfs(struct tree *t)
{
	struct resolve_stats st = { 0 };
	glob_t g;

	if (glob("/sys/bus/*/devices/*/modalias", 0, NULL, &g) != 0) {
		tap_skip("modaliases from /sys", "none readable on this machine");
		return;
	}
	for (size_t i = 0; i < g.gl_pathc; i++) {
		char line[4096];
		FILE *fp = fopen(g.gl_pathv[i], "r");

		if (!fp)
			continue;
		if (fgets(line, sizeof(line), fp)) {
			line[strcspn(line, "\n")] = '\0';
			if (line[0])
				compare_resolution(t, line, &st);
		}
		fclose(fp);
	}
	globfree(&g);
	if (st.queries == 0)
		tap_skip("modaliases from /sys", "none readable on this machine");
	else
		report(t, "modaliases from /sys", &st);
}

/* A string the pattern matches: '*' becomes `star`, '?' a digit, a bracket
 * its first member, an escape the escaped character.  False for negated
 * brackets, which have no simple member. */
static bool instantiate(const char *pattern, const char *star, char *out, size_t size)
{
	size_t n = 0;

	for (const char *p = pattern; *p; p++) {
		const char *piece = p;
		size_t len = 1;

		if (*p == '*') {
			piece = star;
			len = strlen(star);
		} else if (*p == '?') {
			piece = "7";
		} else if (*p == '[') {
			const char *end = strchr(p + 2, ']');

			if (p[1] == '!' || p[1] == '^' || p[1] == '\0' || !end)
				return false;
			piece = p + 1;
			p = end;
		} else if (*p == '\\' && p[1]) {
			piece = ++p;
		}
		if (n + len >= size)
			return false;
		memcpy(out + n, piece, len);
		n += len;
	}
	out[n] = '\0';
	return true;
}

/* Every stored pattern made into a query twice: wildcards as short and as
 * long as possible here. */
static void resolve_generated(struct tree *t, int k, const char *what)
{
	const struct dump *d = &t->dumps[k];
	struct resolve_stats st = { 0 };

	if (!t->indexes[k] || !d->count) {
		char why[64];

		snprintf(why, sizeof(why), "no %s", kinds[k].file);
		tap_missing_input(what, why);
		return;
	}
	for (size_t i = 0; i < d->count; i++) {
		char query[4096];

		if (i > 0 && strcmp(d->keys[i], d->keys[i - 1]) == 0)
			continue;
		if (instantiate(d->keys[i], "", query, sizeof(query)))
			compare_resolution(t, query, &st);
		if (instantiate(d->keys[i], "0A:x_y", query, sizeof(query)))
			compare_resolution(t, query, &st);
	}
	report(t, what, &st);
}

/* ---- directories ------------------------------------------------------- */

static bool tree_open(struct tree *t, const char *dir, const char *label)
{
	/* no modprobe.d: its aliases would take part in kmod's lookups */
	static const char *const no_config[] = { NULL };

	*t = (struct tree){ .dir = dir, .label = label };
	t->kctx = kmod_new(dir, no_config);
	/* a tree of indexes without module files would log every dependency */
	if (t->kctx)
		kmod_set_log_priority(t->kctx, LOG_CRIT);
	/* Without its mapped indexes libkmod falls back to a reader that
	 * orders equal-priority values differently; modprobe maps them. */
	return t->kctx && kmod_load_resources(t->kctx) == 0;
}

static void tree_close(struct tree *t)
{
	for (int k = 0; k < INDEX_COUNT; k++) {
		mt_index_close(t->indexes[k]);
		free(t->dumps[k].text);
		free(t->dumps[k].keys);
		free(t->dumps[k].values);
	}
	kmod_unref(t->kctx);
}

static void check_real_tree(const char *dir)
{
	struct tree t;

	if (!tree_open(&t, dir, "")) {
		tap_missing_input(dir, "libkmod cannot load its indexes");
		tree_close(&t);
		return;
	}
	printf("# module directory %s\n", dir);
	check_dumps(&t);
	check_exact_keys(&t, DEP);
	check_exact_keys(&t, BUILTIN);
	check_dep_text(&t);
	resolve_keys(&t, DEP, "module names");
	resolve_keys(&t, SYMBOLS, "exported symbols");
	resolve_keys(&t, BUILTIN, "built-in module names");
	resolve_sysfs(&t);
	resolve_generated(&t, ALIAS, "modaliases made from modules.alias.bin patterns");
	resolve_generated(&t, BUILTIN_ALIAS, "aliases made from modules.builtin.alias.bin patterns");
	tree_close(&t);
}

/* ---- tie order on a synthetic directory ---------------------------------- */

/* modules.alias.bin with a* -> y, a+ -> z1 then z2 (stored z2, z1) and
 * a+* -> x, all priority 0, in both write orders.  The real tree has no
 * equal-priority results with different values, so this is where libkmod
 * shows its tie order: "a+" collects y, x, z2, z1 and returns them reversed.
 * The literal '*' of "a*" reaches the a* node twice. */
static const char ties_pre[] =
	"\xb0\x07\xf4\x57" "\x00\x02\x00\x01" "\x20\x00\x00\x0c"
	"aa" "\x20\0\0\x12"				/* 0c root */
	"*+" "\x40\0\0\x1c" "\x60\0\0\x26"		/* 12 "a" */
	"\0\0\0\x01" "\0\0\0\0" "y\0"			/* 1c "a*" */
	"**" "\x40\0\0\x3e"				/* 26 "a+" */
	"\0\0\0\x02" "\0\0\0\0" "z2\0" "\0\0\0\0" "z1\0"
	"\0\0\0\x01" "\0\0\0\0" "x\0";			/* 3e "a+*" */

static const char ties_post[] =
	"\xb0\x07\xf4\x57" "\x00\x02\x00\x01" "\x20\x00\x00\x42"
	"\0\0\0\x01" "\0\0\0\0" "y\0"			/* 0c "a*" */
	"\0\0\0\x01" "\0\0\0\0" "x\0"			/* 16 "a+*" */
	"**" "\x40\0\0\x16"				/* 20 "a+" */
	"\0\0\0\x02" "\0\0\0\0" "z2\0" "\0\0\0\0" "z1\0"
	"*+" "\x40\0\0\x0c" "\x60\0\0\x20"		/* 38 "a" */
	"aa" "\x20\0\0\x38";				/* 42 root */

static const char empty_index[] = "\xb0\x07\xf4\x57" "\x00\x02\x00\x01" "\x00\x00\x00\x0c";

static void write_file(const char *dir, const char *name, const char *data, size_t size)
{
	char path[4096];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "wb");
	if (!fp || fwrite(data, 1, size, fp) != size || fclose(fp) != 0) {
		printf("Bail out! cannot write %s\n", path);
		exit(1);
	}
}

static void check_synthetic_tree(const char *alias_bin, size_t size, const char *label)
{
	static const char *const queries[] = { "a+", "a+x", "a*", "a", "a+*", "b" };
	char dir[] = "/tmp/mt-test-index-kmod-XXXXXX";
	struct resolve_stats st = { 0 };
	struct tree t;

	if (!mkdtemp(dir)) {
		printf("Bail out! mkdtemp failed\n");
		exit(1);
	}
	for (int k = 0; k < INDEX_COUNT; k++) {
		if (k == ALIAS)
			write_file(dir, kinds[k].file, alias_bin, size);
		else
			write_file(dir, kinds[k].file, empty_index, sizeof(empty_index) - 1);
	}
	if (tree_open(&t, dir, label)) {
		check_dumps(&t);
		for (size_t i = 0; i < sizeof(queries) / sizeof(queries[0]); i++)
			compare_resolution(&t, queries[i], &st);
		report(&t, "equal priorities", &st);
	} else {
		tap_ok(0, "%slibkmod loads the indexes", label);
	}
	tree_close(&t);
	for (int k = 0; k < INDEX_COUNT; k++) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/%s", dir, kinds[k].file);
		unlink(path);
	}
	rmdir(dir);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : module_tree();

	check_synthetic_tree(ties_pre, sizeof(ties_pre) - 1, "synthetic, kmod 34.2 layout: ");
	check_synthetic_tree(ties_post, sizeof(ties_post) - 1, "synthetic, kmod 30 layout: ");
	if (dir)
		check_real_tree(dir);
	else
		tap_missing_input("real module tree", "no module tree under /lib/modules (linux-image-amd64)");
	return tap_done();
}

/*
 * test-index.c — the binary index reader on hand-built files: the worked
 * examples of doc/index-format.md §9 in both write orders (kmod 30 post-order,
 * kmod 34.2 pre-order), wildcard matching and tie order (§8), the empty
 * index, and corrupt files, which must give errors and never crash.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include "libmodtool.h"
#include "tap.h"

#define BYTES(literal) literal, sizeof(literal) - 1

static char dir[] = "/tmp/mt-test-index-XXXXXX";

static const char *write_file(const char *name, const void *data, size_t size)
{
	static char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "wb");
	if (!fp || fwrite(data, 1, size, fp) != size || fclose(fp) != 0) {
		printf("Bail out! cannot write %s\n", path);
		exit(1);
	}
	return path;
}

/* ---- the worked examples of §9, byte for byte ---------------------------- */

#include "index-examples.h"

/* ---- a small trie writer (§5, §6) for files with many keys --------------- */

struct tvalue {
	const char *value;
	unsigned priority;
};

struct tnode {
	char prefix[64];
	struct tnode *child[128];
	struct tvalue values[8];
	int nvalues;
	uint32_t offset;
};

static struct tnode *tnode_new(const char *prefix)
{
	struct tnode *n = calloc(1, sizeof(*n));

	if (!n || strlen(prefix) >= sizeof(n->prefix)) {
		printf("Bail out! test trie node\n");
		exit(1);
	}
	strcpy(n->prefix, prefix);
	return n;
}

static void tnode_free(struct tnode *n)
{
	for (int c = 0; c < 128; c++)
		if (n->child[c])
			tnode_free(n->child[c]);
	free(n);
}

/* Sorted by priority; a new value goes in front of its equals. */
static void tnode_add_value(struct tnode *n, const char *value, unsigned priority)
{
	int i = 0;

	if (n->nvalues == (int)(sizeof(n->values) / sizeof(n->values[0]))) {
		printf("Bail out! too many test values\n");
		exit(1);
	}
	while (i < n->nvalues && n->values[i].priority < priority)
		i++;
	memmove(&n->values[i + 1], &n->values[i], sizeof(n->values[0]) * (size_t)(n->nvalues - i));
	n->values[i] = (struct tvalue){ value, priority };
	n->nvalues++;
}

static void trie_insert(struct tnode *n, const char *key, const char *value, unsigned priority)
{
	for (;;) {
		size_t i = 0;

		while (n->prefix[i] && n->prefix[i] == key[i])
			i++;
		if (n->prefix[i]) {
			struct tnode *tail = tnode_new(n->prefix + i + 1);

			memcpy(tail->child, n->child, sizeof(n->child));
			memcpy(tail->values, n->values, sizeof(n->values));
			tail->nvalues = n->nvalues;
			memset(n->child, 0, sizeof(n->child));
			n->nvalues = 0;
			n->child[(unsigned char)n->prefix[i]] = tail;
			n->prefix[i] = '\0';
		}
		key += i;
		if (!*key) {
			tnode_add_value(n, value, priority);
			return;
		}
		unsigned char c = (unsigned char)*key++;
		if (!n->child[c]) {
			n->child[c] = tnode_new(key);
			tnode_add_value(n->child[c], value, priority);
			return;
		}
		n = n->child[c];
	}
}

static bool child_range(const struct tnode *n, int *first, int *last)
{
	*first = 128;
	*last = -1;
	for (int c = 0; c < 128; c++) {
		if (n->child[c]) {
			if (*first == 128)
				*first = c;
			*last = c;
		}
	}
	return *last >= 0;
}

static size_t record_size(const struct tnode *n)
{
	size_t size = n->prefix[0] ? strlen(n->prefix) + 1 : 0;
	int first, last;

	if (child_range(n, &first, &last))
		size += 2 + 4 * (size_t)(last - first + 1);
	if (n->nvalues) {
		size += 4;
		for (int i = 0; i < n->nvalues; i++)
			size += 4 + strlen(n->values[i].value) + 1;
	}
	return size;
}

static uint32_t node_word(const struct tnode *n)
{
	int first, last;

	return (n->prefix[0] ? 0x80000000u : 0) | (n->nvalues ? 0x40000000u : 0) |
	       (child_range(n, &first, &last) ? 0x20000000u : 0) | n->offset;
}

static void place(struct tnode *n, bool pre_order, uint32_t *pos)
{
	if (pre_order) {
		n->offset = *pos;
		*pos += (uint32_t)record_size(n);
	}
	for (int c = 0; c < 128; c++)
		if (n->child[c])
			place(n->child[c], pre_order, pos);
	if (!pre_order) {
		n->offset = *pos;
		*pos += (uint32_t)record_size(n);
	}
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void write_records(const struct tnode *n, uint8_t *buf)
{
	uint8_t *p = buf + n->offset;
	int first, last;

	if (n->prefix[0]) {
		strcpy((char *)p, n->prefix);
		p += strlen(n->prefix) + 1;
	}
	if (child_range(n, &first, &last)) {
		*p++ = (uint8_t)first;
		*p++ = (uint8_t)last;
		for (int c = first; c <= last; c++, p += 4) {
			put32(p, n->child[c] ? node_word(n->child[c]) : 0);
			if (n->child[c])
				write_records(n->child[c], buf);
		}
	}
	if (n->nvalues) {
		put32(p, (uint32_t)n->nvalues);
		p += 4;
		for (int i = 0; i < n->nvalues; i++) {
			put32(p, n->values[i].priority);
			strcpy((char *)p + 4, n->values[i].value);
			p += 4 + strlen(n->values[i].value) + 1;
		}
	}
}

/* Serialize into a malloc'd buffer; returns its size. */
static size_t trie_serialize(struct tnode *root, bool pre_order, uint8_t **out)
{
	uint32_t end = 12;
	uint8_t *buf;

	place(root, pre_order, &end);
	buf = calloc(1, end);
	if (!buf) {
		printf("Bail out! out of memory\n");
		exit(1);
	}
	memcpy(buf, "\xb0\x07\xf4\x57\x00\x02\x00\x01", 8);
	put32(buf + 8, node_word(root));
	write_records(root, buf);
	*out = buf;
	return end;
}

struct entry {
	const char *key, *value;
	unsigned priority;
};

static struct tnode *trie_build(const struct entry *entries, size_t count)
{
	struct tnode *root = tnode_new("");

	for (size_t i = 0; i < count; i++)
		trie_insert(root, entries[i].key, entries[i].value, entries[i].priority);
	return root;
}

/* ---- checks -------------------------------------------------------------- */

static const char *layout_name(bool pre_order)
{
	return pre_order ? "kmod 34.2 layout" : "kmod 30 layout";
}

static void check_lookup(struct mt_index *idx, const char *what, const char *key, const char *want)
{
	char *got;
	int err;

	errno = EBADF;
	got = mt_index_lookup(idx, key);
	err = errno;
	tap_is_str(got, want, "%s: lookup '%s'", what, key);
	if (!got)
		tap_is_int(err, 0, "%s: lookup '%s' sets errno 0 for absent", what, key);
	free(got);
}

/* `want` lists "value:priority" in result order, space separated. */
static void check_wild(struct mt_index *idx, const char *what, const char *key, const char *want)
{
	struct mt_index_value *values;
	char got[512] = "";
	int n = mt_index_lookup_wild(idx, key, &values);

	for (int i = 0; i < n; i++) {
		size_t len = strlen(got);

		snprintf(got + len, sizeof(got) - len, "%s%s:%u", i ? " " : "",
			 values[i].value, values[i].priority);
	}
	if (n >= 0)
		mt_index_values_free(values, n);
	tap_is_str(n >= 0 ? got : NULL, want, "%s: wildcard lookup '%s'", what, key);
}

static void check_dump(struct mt_index *idx, const char *what, const char *prefix, const char *want)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	int err;

	if (!mem) {
		printf("Bail out! open_memstream\n");
		exit(1);
	}
	err = mt_index_dump(idx, mem, prefix);
	fclose(mem);
	tap_is_int(err, 0, "%s: dump succeeds", what);
	tap_is_str(text, want, "%s: dump with prefix '%s'", what, prefix);
	free(text);
}

static struct mt_index *open_ok(const char *path, const char *what)
{
	struct mt_index *idx = NULL;
	int err = mt_index_open(path, &idx);

	tap_is_int(err, 0, "%s: opens", what);
	if (err < 0) {
		printf("# %s\n", mt_last_error());
		return NULL;
	}
	return idx;
}

static void check_example_a(const char *bytes, size_t size, bool pre_order)
{
	char what[64];
	struct mt_index *idx;

	snprintf(what, sizeof(what), "example A, %s", layout_name(pre_order));
	idx = open_ok(write_file("a.bin", bytes, size), what);
	if (!idx)
		return;
	check_lookup(idx, what, "foo", "");
	check_lookup(idx, what, "fop", "");
	check_lookup(idx, what, "bar", "");
	check_lookup(idx, what, "fo", NULL);
	check_lookup(idx, what, "f", NULL);
	check_lookup(idx, what, "ba", NULL);
	check_lookup(idx, what, "barn", NULL);
	check_lookup(idx, what, "food", NULL);
	check_lookup(idx, what, "c", NULL);
	check_lookup(idx, what, "", NULL);
	check_wild(idx, what, "fop", ":0");
	check_wild(idx, what, "fox", "");
	check_dump(idx, what, "", "bar \nfoo \nfop \n");
	check_dump(idx, what, "alias ", "alias bar \nalias foo \nalias fop \n");
	mt_index_close(idx);
}

static void check_example_b(const char *bytes, size_t size, bool pre_order)
{
	char what[64];
	struct mt_index *idx;

	snprintf(what, sizeof(what), "example B, %s", layout_name(pre_order));
	idx = open_ok(write_file("b.bin", bytes, size), what);
	if (!idx)
		return;
	check_lookup(idx, what, "ab", "kernel/ab.ko:");
	check_lookup(idx, what, "ac", "kernel/ac.ko: kernel/ab.ko");
	check_lookup(idx, what, "a", NULL);
	check_lookup(idx, what, "ad", NULL);
	check_lookup(idx, what, "abc", NULL);
	check_wild(idx, what, "ac", "kernel/ac.ko: kernel/ab.ko:1");
	check_dump(idx, what, "", "ab kernel/ab.ko:\nac kernel/ac.ko: kernel/ab.ko\n");
	mt_index_close(idx);
}

/* The writer is test code too: it must reproduce §9 before it is trusted. */
static void check_writer(const char *what, const struct entry *entries, size_t count,
			 const char *pre, const char *post, size_t size)
{
	for (int pre_order = 0; pre_order <= 1; pre_order++) {
		struct tnode *root = trie_build(entries, count);
		uint8_t *buf;
		size_t len = trie_serialize(root, pre_order, &buf);

		tap_ok(len == size && memcmp(buf, pre_order ? pre : post, size) == 0,
		       "test writer reproduces %s, %s", what, layout_name(pre_order));
		free(buf);
		tnode_free(root);
	}
}

static struct mt_index *open_built(const struct entry *entries, size_t count, bool pre_order)
{
	struct tnode *root = trie_build(entries, count);
	uint8_t *buf;
	size_t len = trie_serialize(root, pre_order, &buf);
	struct mt_index *idx = open_ok(write_file("built.bin", buf, len), layout_name(pre_order));

	free(buf);
	tnode_free(root);
	return idx;
}

/* Stored keys are patterns; results sorted by priority (inserted here in
 * reverse, so file order cannot fake the sort). */
static const struct entry priority_entries[] = {
	{ "usb:*", "m7", 7 },
	{ "pci:w*", "m6", 6 },
	{ "pci:v13", "m5", 5 },
	{ "pci:v[0-9]2", "m4", 4 },
	{ "pci:v1?", "m3", 3 },
	{ "pci:v1*", "m2", 2 },
	{ "pci:v*", "m1", 1 },
	{ "pci:v12", "m0", 0 },
};

/* Equal priorities come out in reverse collection order: for "ab" the walk
 * collects a* (y), a? (w), ab* (x), then ab's own values in file order
 * (z2, z1: the later insert goes first). */
static const struct entry tie_entries[] = {
	{ "ab*", "x", 0 },
	{ "a*", "y", 0 },
	{ "ab", "z1", 0 },
	{ "a?", "w", 0 },
	{ "ab", "z2", 0 },
	{ "a[a-c]", "v", 1 },
};

/* A wildcard inside a node prefix ("x*b" is one node), bracket and escape
 * edges, and fnmatch flags 0 ('/' and leading '.' are ordinary). */
static const struct entry pattern_entries[] = {
	{ "x*b", "p", 0 },
	{ "x*b?z", "q", 1 },
	{ "x*bc", "r", 2 },
	{ "k[ab]", "b1", 0 },
	{ "kz", "b2", 1 },
	{ "k\\*", "b3", 2 },
	{ "d*", "d1", 0 },
};

static void check_wildcards(bool pre_order)
{
	const char *layout = layout_name(pre_order);
	struct mt_index *idx;

	idx = open_built(priority_entries, sizeof(priority_entries) / sizeof(priority_entries[0]),
			 pre_order);
	if (idx) {
		check_wild(idx, layout, "pci:v12", "m0:0 m1:1 m2:2 m3:3 m4:4");
		check_wild(idx, layout, "pci:v13", "m1:1 m2:2 m3:3 m5:5");
		check_wild(idx, layout, "pci:v1", "m1:1 m2:2");
		check_wild(idx, layout, "pci:v", "m1:1");
		check_wild(idx, layout, "pci:", "");
		check_wild(idx, layout, "pci:x", "");
		check_wild(idx, layout, "usb:v1/.x", "m7:7");
		check_lookup(idx, layout, "pci:v*", "m1");
		check_lookup(idx, layout, "pci:v1", NULL);
		check_dump(idx, layout, "alias ",
			   "alias pci:v* m1\nalias pci:v1* m2\nalias pci:v12 m0\nalias pci:v13 m5\n"
			   "alias pci:v1? m3\nalias pci:v[0-9]2 m4\nalias pci:w* m6\nalias usb:* m7\n");
		mt_index_close(idx);
	}

	idx = open_built(tie_entries, sizeof(tie_entries) / sizeof(tie_entries[0]), pre_order);
	if (idx) {
		check_wild(idx, layout, "ab", "z1:0 z2:0 x:0 w:0 y:0 v:1");
		check_wild(idx, layout, "abc", "x:0 y:0");
		check_wild(idx, layout, "ac", "w:0 y:0 v:1");
		/* a literal '*' in the query reaches the a* node twice, as in libkmod */
		check_wild(idx, layout, "a*", "y:0 w:0 y:0");
		check_lookup(idx, layout, "ab", "z2");
		check_dump(idx, layout, "", "a* y\na? w\na[a-c] v\nab z2\nab z1\nab* x\n");
		mt_index_close(idx);
	}

	idx = open_built(pattern_entries, sizeof(pattern_entries) / sizeof(pattern_entries[0]),
			 pre_order);
	if (idx) {
		check_wild(idx, layout, "xaab", "p:0");
		check_wild(idx, layout, "xabcz", "q:1");
		check_wild(idx, layout, "xbc", "r:2");
		check_wild(idx, layout, "xb", "p:0");
		check_wild(idx, layout, "x", "");
		check_wild(idx, layout, "ka", "b1:0");
		check_wild(idx, layout, "kc", "");
		check_wild(idx, layout, "kz", "b2:1");
		/* "k\*" is matched literally up to its first wildcard, so it does
		 * not match "k*" although fnmatch would; it does match "k\*". */
		check_wild(idx, layout, "k*", "");
		check_wild(idx, layout, "k\\zz", "b3:2");
		check_wild(idx, layout, "d/.x", "d1:0");
		mt_index_close(idx);
	}
}

static void check_empty(void)
{
	struct mt_index_value *values;
	struct mt_index *idx;

	check_writer("the empty index", NULL, 0, empty_index, empty_index, sizeof(empty_index) - 1);
	idx = open_ok(write_file("empty.bin", BYTES(empty_index)), "empty index");
	if (!idx)
		return;
	check_lookup(idx, "empty index", "foo", NULL);
	check_lookup(idx, "empty index", "", NULL);
	tap_is_int(mt_index_lookup_wild(idx, "foo", &values), 0, "empty index: no wildcard match");
	check_dump(idx, "empty index", "alias ", "");
	mt_index_close(idx);
}

/* ---- bad files ----------------------------------------------------------- */

static void check_open_fails(const char *what, const void *data, size_t size)
{
	const char *path = write_file("bad-header.bin", data, size);
	struct mt_index *idx;

	tap_is_int(mt_index_open(path, &idx), -EINVAL, "%s: rejected", what);
	tap_ok(strstr(mt_last_error(), path) != NULL, "%s: message names the file (%s)", what,
	       mt_last_error());
}

/* The file opens, but looking up `key` (and walking it all) meets the
 * corruption: every path reports EINVAL with a message naming the file. */
static void check_corrupt(const char *what, const void *data, size_t size, const char *key)
{
	const char *path = write_file("corrupt.bin", data, size);
	struct mt_index_value *values;
	struct mt_index *idx;
	FILE *devnull;
	char *value;
	int n;

	if (mt_index_open(path, &idx) < 0) {
		tap_ok(0, "%s: opens (%s)", what, mt_last_error());
		return;
	}
	errno = 0;
	value = mt_index_lookup(idx, key);
	tap_ok(!value && errno == EINVAL, "%s: lookup '%s' fails with EINVAL", what, key);
	tap_ok(strstr(mt_last_error(), path) != NULL, "%s: message names the file (%s)", what,
	       mt_last_error());
	free(value);
	n = mt_index_lookup_wild(idx, key, &values);
	tap_is_int(n, -EINVAL, "%s: wildcard lookup '%s' fails", what, key);
	if (n >= 0)
		mt_index_values_free(values, n);
	devnull = fopen("/dev/null", "w");
	tap_is_int(mt_index_dump(idx, devnull, ""), -EINVAL, "%s: dump fails", what);
	fclose(devnull);
	mt_index_close(idx);
}

static void check_patched(const char *what, const char *example, size_t size, size_t at,
			  const char *bytes, size_t count, const char *key)
{
	char buf[256];

	memcpy(buf, example, size);
	memcpy(buf + at, bytes, count);
	check_corrupt(what, buf, size, key);
}

/* A chain of nodes whose two children ('*' and '+') are the same next node:
 * a valid-looking path, but 2^levels walks through the shared subtree. */
static void check_shared_subtree(void)
{
	enum { LEVELS = 40 };
	uint8_t buf[12 + 10 * LEVELS + 10] = { 0xb0, 0x07, 0xf4, 0x57, 0, 2, 0, 1 };
	size_t pos = 12;
	struct mt_index_value *values;
	struct mt_index *idx;
	FILE *devnull;
	int n;

	put32(buf + 8, 0x20000000u | 12);
	for (int i = 0; i < LEVELS; i++, pos += 10) {
		uint32_t next = (uint32_t)(pos + 10) | (i + 1 < LEVELS ? 0x20000000u : 0x40000000u);

		buf[pos] = '*';
		buf[pos + 1] = '+';
		put32(buf + pos + 2, next);
		put32(buf + pos + 6, next);
	}
	put32(buf + pos, 1);	/* one value: priority 0, "v" */
	buf[pos + 8] = 'v';

	if (mt_index_open(write_file("shared.bin", buf, sizeof(buf)), &idx) < 0) {
		tap_ok(0, "shared subtree: opens (%s)", mt_last_error());
		return;
	}
	n = mt_index_lookup_wild(idx, "x", &values);
	tap_is_int(n, -EINVAL, "shared subtree: wildcard walk is stopped");
	if (n >= 0)
		mt_index_values_free(values, n);
	devnull = fopen("/dev/null", "w");
	tap_is_int(mt_index_dump(idx, devnull, ""), -EINVAL, "shared subtree: dump is stopped");
	fclose(devnull);
	mt_index_close(idx);
}

static void check_bad_files(void)
{
	const char *a = example_a_pre, *b = example_b_pre;
	size_t a_size = sizeof(example_a_pre) - 1, b_size = sizeof(example_b_pre) - 1;
	struct mt_index *idx;
	char buf[256];

	tap_is_int(mt_index_open("/nonexistent/modules.dep.bin", &idx), -ENOENT,
		   "missing file is ENOENT");
	check_open_fails("empty file", "", 0);
	check_open_fails("11-byte file", empty_index, 11);
	check_open_fails("old 0xB007FA57 magic", BYTES("\xb0\x07\xfa\x57\x00\x02\x00\x01\0\0\0\x0c"));
	check_open_fails("version 1.1", BYTES("\xb0\x07\xf4\x57\x00\x01\x00\x01\0\0\0\x0c"));
	check_open_fails("version 3.1", BYTES("\xb0\x07\xf4\x57\x00\x03\x00\x01\0\0\0\x0c"));

	memcpy(buf, empty_index, 12);
	memcpy(buf + 6, "\x00\x07", 2);
	idx = open_ok(write_file("minor.bin", buf, 12), "minor version 7 is ignored");
	mt_index_close(idx);

	check_patched("root offset past EOF", a, a_size, 8, "\x20\0\0\xff", 4, "foo");
	check_patched("root offset inside the header", a, a_size, 8, "\x20\0\0\x04", 4, "foo");
	check_patched("reserved node flag", a, a_size, 8, "\x30\0\0\x0c", 4, "foo");
	check_patched("child offset past EOF", a, a_size, 0x1e, "\xa0\0\x01\0", 4, "foo");
	check_patched("child without flags", a, a_size, 0x1e, "\0\0\0\x2e", 4, "foo");
	check_patched("child range last < first", a, a_size, 0x0c, "fb", 2, "foo");
	check_patched("child table past EOF", a, a_size, 0x0c, "b\x7f", 2, "foo");
	check_corrupt("unterminated value", b, b_size - 1, "ac");
	check_corrupt("unterminated prefix",
		      BYTES("\xb0\x07\xf4\x57\x00\x02\x00\x01\x20\0\0\x0c" "aa\xc0\0\0\x12" "bc"),
		      "abc");
	check_patched("value count 0x7fffffff", b, b_size, 0x1c, "\x7f\xff\xff\xff", 4, "ab");
	check_patched("value count 2 for one value", b, b_size, 0x32, "\0\0\0\x02", 4, "ac");
	check_patched("value count 0", b, b_size, 0x1c, "\0\0\0\0", 4, "ab");
	check_patched("node pointing to itself (34.2 layout)", b, b_size, 0x14, "\x20\0\0\x12", 4,
		      "ab");
	check_patched("child pointing back to the root (34.2 layout)", b, b_size, 0x18,
		      "\x20\0\0\x0c", 4, "acaac");
	check_patched("node pointing to itself (30 layout)", example_b_post, b_size, 0x47,
		      "\x20\0\0\x45", 4, "ab");
	check_patched("child pointing back to the root (30 layout)", example_b_post, b_size, 0x4b,
		      "\x20\0\0\x4f", 4, "acaac");
	check_shared_subtree();
}

int main(void)
{
	static const struct entry keys_a[] = {
		{ "foo", "", 0 }, { "fop", "", 0 }, { "bar", "", 0 },
	};
	static const struct entry keys_b[] = {
		{ "ab", "kernel/ab.ko:", 0 }, { "ac", "kernel/ac.ko: kernel/ab.ko", 1 },
	};

	if (!mkdtemp(dir)) {
		printf("Bail out! mkdtemp failed\n");
		return 1;
	}
	check_example_a(BYTES(example_a_pre), true);
	check_example_a(BYTES(example_a_post), false);
	check_example_b(BYTES(example_b_pre), true);
	check_example_b(BYTES(example_b_post), false);
	check_writer("example A", keys_a, 3, example_a_pre, example_a_post,
		     sizeof(example_a_pre) - 1);
	check_writer("example B", keys_b, 2, example_b_pre, example_b_post,
		     sizeof(example_b_pre) - 1);
	check_wildcards(true);
	check_wildcards(false);
	check_empty();
	check_bad_files();

	for (const char *name = "a.bin\0b.bin\0built.bin\0empty.bin\0bad-header.bin\0minor.bin\0"
				"corrupt.bin\0shared.bin\0"; *name; name += strlen(name) + 1) {
		char path[512];

		snprintf(path, sizeof(path), "%s/%s", dir, name);
		unlink(path);
	}
	rmdir(dir);
	return tap_done();
}

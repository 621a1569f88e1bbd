/*
 * index.c — reading the kmod binary trie indexes (modules.*.bin): mapping a
 * file, exact and wildcard lookups, and dumps (doc/index-format.md §2–§8).
 *
 * Nothing in the file is trusted.  Every node is parsed with bounds checks,
 * child offsets must move away from their parent in the file's write order
 * (so no path can loop), and whole-subtree walks may visit no more nodes than
 * the file can hold records (so shared subtrees cannot blow up the walk).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>
#include "internal.h"
#include "index-format.h"

/* Smallest record a node other than the root can have: a child block with a
 * single word (a value block needs at least 9 bytes). */
#define MIN_NODE_SIZE	6u

/* A value entry needs at least its priority and the terminating NUL. */
#define MIN_VALUE_SIZE	5u

struct mt_index {
	char *path;
	const uint8_t *data;
	size_t size;
	uint32_t root;
	bool children_after_parent;	/* kmod 34.2 pre-order, else kmod 30 post-order */
	size_t max_nodes;		/* upper bound on the records the file can hold */
	struct timespec mtime;		/* of the file when it was opened */
};

struct node {
	uint32_t offset;
	const char *prefix;		/* "" without the PREFIX flag */
	size_t prefix_len;
	unsigned first, last;
	const uint8_t *children;	/* NULL without a child block */
	uint32_t value_count;
	const uint8_t *values;		/* first value entry, NULL without values */
};

struct value_iter {
	const uint8_t *pos;
	uint32_t left;
	uint32_t node_offset;
};

struct value_entry {
	unsigned priority;
	const char *value;		/* NUL-terminated inside the mapping */
	size_t len;
};

static int corrupt(const struct mt_index *idx, uint32_t offset, const char *problem)
{
	return mt_fail(EINVAL, "%s: node at offset %#x: %s", idx->path, offset, problem);
}

static int parse_node(const struct mt_index *idx, uint32_t word, struct node *n)
{
	uint32_t offset = word & INDEX_NODE_OFFSET;
	const uint8_t *data = idx->data;
	size_t size = idx->size, pos = offset;

	*n = (struct node){ .offset = offset, .prefix = "" };
	if (word & INDEX_NODE_RESERVED)
		return corrupt(idx, offset, "reserved flag bit set");
	/* A flagless node has no record, so it may sit at EOF (empty index). */
	if (offset < INDEX_HEADER_SIZE || offset > size || (offset == size && (word & ~INDEX_NODE_OFFSET)))
		return corrupt(idx, offset, "offset outside the file");

	if (word & INDEX_NODE_PREFIX) {
		const uint8_t *nul = memchr(data + pos, 0, size - pos);

		if (!nul)
			return corrupt(idx, offset, "unterminated prefix");
		n->prefix = (const char *)data + pos;
		n->prefix_len = (size_t)(nul - (data + pos));
		pos += n->prefix_len + 1;
	}
	if (word & INDEX_NODE_CHILDS) {
		if (!mt_in_bounds(pos, 2, size))
			return corrupt(idx, offset, "child range past the end of the file");
		n->first = data[pos];
		n->last = data[pos + 1];
		if (n->first > n->last)
			return corrupt(idx, offset, "child range ends before it starts");
		pos += 2;
		if (!mt_in_bounds(pos, 4 * (n->last - n->first + 1), size))
			return corrupt(idx, offset, "child table past the end of the file");
		n->children = data + pos;
		pos += 4 * (n->last - n->first + 1);
	}
	if (word & INDEX_NODE_VALUES) {
		if (!mt_in_bounds(pos, 4, size))
			return corrupt(idx, offset, "value count past the end of the file");
		n->value_count = mt_get32(data + pos, true);
		pos += 4;
		if (n->value_count == 0 || n->value_count > (size - pos) / MIN_VALUE_SIZE)
			return corrupt(idx, offset, "value count does not fit in the file");
		n->values = data + pos;
	}
	return 0;
}

/* The child of `n` for character c: 1 with *child filled, 0 when there is
 * none, or a negative errno for a corrupt child word. */
static int child_node(const struct mt_index *idx, const struct node *n, unsigned char c,
		      struct node *child)
{
	uint32_t word, offset;

	if (!n->children || c < n->first || c > n->last)
		return 0;
	word = mt_get32(n->children + 4 * (c - n->first), true);
	if (word == 0)
		return 0;
	offset = word & INDEX_NODE_OFFSET;
	if (!(word & (INDEX_NODE_VALUES | INDEX_NODE_CHILDS)))
		return corrupt(idx, n->offset, "child node with neither values nor children");
	if (idx->children_after_parent ? offset <= n->offset : offset >= n->offset)
		return corrupt(idx, n->offset, "child out of write order (loop in the trie)");
	int err = parse_node(idx, word, child);
	return err < 0 ? err : 1;
}

static struct value_iter values_of(const struct node *n)
{
	return (struct value_iter){ n->values, n->value_count, n->offset };
}

/* Next value of a node in file order: 1 with *e filled, 0 at the end, or
 * -EINVAL. */
static int next_value(const struct mt_index *idx, struct value_iter *it, struct value_entry *e)
{
	size_t pos = (size_t)(it->pos - idx->data);
	const uint8_t *nul;

	*e = (struct value_entry){ 0 };
	if (it->left == 0)
		return 0;
	if (!mt_in_bounds(pos, 4, idx->size))
		return corrupt(idx, it->node_offset, "value past the end of the file");
	nul = memchr(it->pos + 4, 0, idx->size - pos - 4);
	if (!nul)
		return corrupt(idx, it->node_offset, "unterminated value");
	e->priority = mt_get32(it->pos, true);
	e->value = (const char *)it->pos + 4;
	e->len = (size_t)(nul - (it->pos + 4));
	it->pos = nul + 1;
	it->left--;
	return 1;
}

/* ---- opening ------------------------------------------------------------- */

/* mt_index_open, telling ctx (may be NULL) about a bad header in kmod's
 * words, as kmod_load_resources does. */
static int index_open(const struct mt_ctx *ctx, const char *path, struct mt_index **out)
{
	struct mt_index *idx;
	struct stat st;
	void *map;
	uint32_t version;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return mt_fail(errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		err = errno;
		close(fd);
		return mt_fail(err, "%s: %s", path, strerror(err));
	}
	if (st.st_size < INDEX_HEADER_SIZE) {
		close(fd);
		return mt_fail(EINVAL, "%s: too short for an index (%lld bytes)", path,
			       (long long)st.st_size);
	}
	if ((uint64_t)st.st_size > SIZE_MAX) {
		close(fd);
		return mt_fail(EFBIG, "%s: too large to map", path);
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	err = errno;
	close(fd);
	if (map == MAP_FAILED)
		return mt_fail(err, "%s: cannot map: %s", path, strerror(err));

	version = mt_get32((const uint8_t *)map + 4, true);
	if (mt_get32(map, true) != INDEX_MAGIC) {
		mt_log(ctx, LOG_ERR, "magic check fail: %x instead of %x\n", mt_get32(map, true),
		       INDEX_MAGIC);
		err = mt_fail(EINVAL, "%s: bad index magic", path);
		goto fail;
	}
	if (version >> 16 != INDEX_VERSION_MAJOR) {
		mt_log(ctx, LOG_ERR, "major version check fail: %u instead of %u\n", version >> 16,
		       INDEX_VERSION_MAJOR);
		err = mt_fail(EINVAL, "%s: unsupported index version %u.%u", path,
			      version >> 16, version & 0xffff);
		goto fail;
	}
	idx = calloc(1, sizeof(*idx));
	if (!idx || !(idx->path = strdup(path))) {
		free(idx);
		err = mt_fail(ENOMEM, "%s: out of memory", path);
		goto fail;
	}
	idx->data = map;
	idx->size = (size_t)st.st_size;
	idx->root = mt_get32(idx->data + 8, true);
	/* kmod 34.2 puts the root first, kmod 30 last (§6); a root at 12 in a
	 * kmod 30 file has no children, so the guess is safe. */
	idx->children_after_parent = (idx->root & INDEX_NODE_OFFSET) == INDEX_HEADER_SIZE;
	idx->max_nodes = 1 + (idx->size - INDEX_HEADER_SIZE) / MIN_NODE_SIZE;
	idx->mtime = st.st_mtim;
	*out = idx;
	return 0;

fail:
	munmap(map, (size_t)st.st_size);
	return err;
}

int mt_index_open(const char *path, struct mt_index **out)
{
	return index_open(NULL, path, out);
}

int mt_index_open_logged(const struct mt_ctx *ctx, const char *path, struct mt_index **out)
{
	return index_open(ctx, path, out);
}

bool mt_index_changed(const struct mt_index *idx)
{
	struct stat st;

	return stat(idx->path, &st) < 0 || st.st_mtim.tv_sec != idx->mtime.tv_sec ||
	       st.st_mtim.tv_nsec != idx->mtime.tv_nsec;
}

void mt_index_close(struct mt_index *idx)
{
	if (!idx)
		return;
	munmap((void *)idx->data, idx->size);
	free(idx->path);
	free(idx);
}

/* ---- exact lookup -------------------------------------------------------- */

/* The node's first value, malloc'd in *out (NULL without values); the whole
 * block is checked so that a corrupt one never half-works. */
static int first_value(const struct mt_index *idx, const struct node *n, char **out)
{
	struct value_iter it = values_of(n);
	struct value_entry first = { 0 }, e;
	int more;

	*out = NULL;
	if (!n->values)
		return 0;
	while ((more = next_value(idx, &it, &e)) > 0)
		if (!first.value)
			first = e;
	if (more < 0)
		return more;
	*out = strndup(first.value, first.len);
	return *out ? 0 : mt_fail(ENOMEM, "%s: out of memory", idx->path);
}

char *mt_index_lookup(struct mt_index *idx, const char *key)
{
	struct node n, child;
	const char *rest = key;
	char *value = NULL;
	int err = parse_node(idx, idx->root, &n);

	while (err >= 0) {
		if (strncmp(n.prefix, rest, n.prefix_len) != 0)
			break;
		rest += n.prefix_len;
		if (*rest == '\0') {
			err = first_value(idx, &n, &value);
			break;
		}
		err = child_node(idx, &n, (unsigned char)*rest, &child);
		if (err <= 0)
			break;
		n = child;
		rest++;
	}
	errno = err < 0 ? -err : 0;
	return value;
}

/* ---- subtree walks ------------------------------------------------------- */

struct frame {
	struct node node;
	unsigned next_child;		/* next character to try */
	size_t key_len;			/* key length before this node's edge */
};

/* State of a walk over whole subtrees: the key (or pattern) of the current
 * node and an explicit stack, so hostile depth cannot exhaust the C stack. */
struct walk {
	const struct mt_index *idx;
	char *key;
	size_t key_len, key_cap;
	struct frame *stack;
	size_t depth, stack_cap;
	/* when set, subtrees whose pattern prefix cannot match it are skipped */
	const char *prune_subject;
};

typedef int (*visit_fn)(struct walk *w, const struct node *n, void *ctx);

static void walk_release(struct walk *w)
{
	free(w->key);
	free(w->stack);
}

static int key_append(struct walk *w, const char *s, size_t len)
{
	if (mt_array_reserve(&w->key, &w->key_cap, w->key_len + len + 1, 1) < 0)
		return mt_fail(ENOMEM, "%s: out of memory", w->idx->path);
	memcpy(w->key + w->key_len, s, len);
	w->key_len += len;
	w->key[w->key_len] = '\0';
	return 0;
}

static void key_truncate(struct walk *w, size_t len)
{
	w->key_len = len;
	if (w->key)
		w->key[len] = '\0';
}

/* Enter a node: push it, and extend the key by its prefix from `skip` on. */
static int walk_push(struct walk *w, const struct node *n, size_t skip, size_t key_len)
{
	if (mt_array_reserve(&w->stack, &w->stack_cap, w->depth + 1, sizeof(*w->stack)) < 0)
		return mt_fail(ENOMEM, "%s: out of memory", w->idx->path);
	w->stack[w->depth++] = (struct frame){ *n, n->first, key_len };
	return key_append(w, n->prefix + skip, n->prefix_len - skip);
}

/* Visit `start` and every node below it, the node before its children
 * (pre-order) or after them.  w->key holds the current key appended to
 * whatever it held on entry, starting at prefix[skip] of `start`; it is
 * restored on return. */
static int walk_subtree(struct walk *w, const struct node *start, size_t skip,
			bool pre_order, visit_fn visit, void *ctx)
{
	size_t budget = w->idx->max_nodes, base = w->depth;
	int err;

	err = walk_push(w, start, skip, w->key_len);
	if (err == 0 && pre_order)
		err = visit(w, start, ctx);
	while (err >= 0 && w->depth > base) {
		struct frame *f = &w->stack[w->depth - 1];
		struct node child;

		if (!f->node.children || f->next_child > f->node.last) {
			if (!pre_order)
				err = visit(w, &f->node, ctx);
			key_truncate(w, f->key_len);
			w->depth--;
			continue;
		}
		char c = (char)f->next_child++;
		size_t key_len = w->key_len;

		err = child_node(w->idx, &f->node, (unsigned char)c, &child);
		if (err <= 0)
			continue;
		if (--budget == 0) {
			err = corrupt(w->idx, child.offset, "node reached twice (shared subtree)");
			break;
		}
		err = key_append(w, &c, 1);
		if (err == 0)
			err = walk_push(w, &child, 0, key_len);
		if (err == 0 && w->prune_subject && !mt_glob_could_match(w->key, w->prune_subject)) {
			key_truncate(w, key_len);
			w->depth--;
			continue;
		}
		if (err == 0 && pre_order)
			err = visit(w, &child, ctx);
	}
	if (err < 0) {
		if (w->depth > base)
			key_truncate(w, w->stack[base].key_len);
		w->depth = base;
	}
	return err < 0 ? err : 0;
}

/* ---- wildcard lookup ----------------------------------------------------- */

struct match {
	struct mt_index_value value;
	size_t seq;			/* collection order */
};

struct matches {
	struct match *items;
	size_t count, cap;
	const char *subject;		/* rest of the query the pattern must match */
};

static int add_values(const struct mt_index *idx, struct matches *m, const struct node *n)
{
	struct value_iter it = values_of(n);
	struct value_entry e;
	int more;

	while ((more = next_value(idx, &it, &e)) > 0) {
		char *copy;

		if (mt_array_reserve(&m->items, &m->cap, m->count + 1, sizeof(*m->items)) < 0 ||
		    !(copy = strndup(e.value, e.len)))
			return mt_fail(ENOMEM, "%s: out of memory", idx->path);
		m->items[m->count] = (struct match){ { copy, e.priority }, m->count };
		m->count++;
	}
	return more;
}

static int collect_if_matches(struct walk *w, const struct node *n, void *ctx)
{
	struct matches *m = ctx;

	if (!n->values || !mt_glob_match(w->key, m->subject))
		return 0;
	return add_values(w->idx, m, n);
}

/* Collect the matching values under `n`, whose pattern starts with `lead`
 * (the wildcard edge character, or "") then n's prefix from `skip` on. */
static int collect_subtree(struct walk *w, struct matches *m, const struct node *n,
			   const char *lead, size_t skip, const char *subject)
{
	int err;

	key_truncate(w, 0);
	err = key_append(w, lead, strlen(lead));
	if (err < 0)
		return err;
	m->subject = subject;
	w->prune_subject = subject;
	err = walk_subtree(w, n, skip, false, collect_if_matches, m);
	w->prune_subject = NULL;
	return err;
}

/* Priority ascending; among equals the later-collected value first, as a
 * libkmod insertion that puts a new value in front of its equals. */
static int match_order(const void *a, const void *b)
{
	const struct match *x = a, *y = b;

	if (x->value.priority != y->value.priority)
		return x->value.priority < y->value.priority ? -1 : 1;
	return x->seq < y->seq ? 1 : -1;
}

static bool is_wildcard(char c)
{
	return c == '*' || c == '?' || c == '[';
}

/* The §8 walk: follow the query literally, collecting every subtree that
 * starts with a wildcard on the way. */
static int search_wild(struct walk *w, struct matches *m, const char *query)
{
	const struct mt_index *idx = w->idx;
	struct node n, child;
	int err = parse_node(idx, idx->root, &n);

	while (err >= 0) {
		for (size_t j = 0; j < n.prefix_len; j++) {
			if (is_wildcard(n.prefix[j]))
				return collect_subtree(w, m, &n, "", j, query + j);
			if (n.prefix[j] != query[j])
				return 0;
		}
		query += n.prefix_len;
		for (const char *wild = "*?["; *wild && err >= 0; wild++) {
			err = child_node(idx, &n, (unsigned char)*wild, &child);
			if (err > 0)
				err = collect_subtree(w, m, &child, (char[]){ *wild, '\0' }, 0, query);
		}
		if (err < 0)
			return err;
		if (*query == '\0')
			return add_values(idx, m, &n);
		err = child_node(idx, &n, (unsigned char)*query, &child);
		if (err <= 0)
			return err;
		n = child;
		query++;
	}
	return err;
}

int mt_index_lookup_wild(struct mt_index *idx, const char *key, struct mt_index_value **out)
{
	struct walk w = { .idx = idx };
	struct matches m = { 0 };
	struct mt_index_value *values = NULL;
	int err;

	err = search_wild(&w, &m, key);
	walk_release(&w);
	if (err >= 0 && m.count > (size_t)INT_MAX)
		err = mt_fail(EOVERFLOW, "%s: too many matches", idx->path);
	if (err >= 0 && m.count > 0 && !(values = malloc(m.count * sizeof(*values))))
		err = mt_fail(ENOMEM, "%s: out of memory", idx->path);
	if (err < 0) {
		for (size_t i = 0; i < m.count; i++)
			free(m.items[i].value.value);
		free(m.items);
		return err;
	}
	if (m.count > 1)
		qsort(m.items, m.count, sizeof(*m.items), match_order);
	for (size_t i = 0; i < m.count; i++)
		values[i] = m.items[i].value;
	free(m.items);
	*out = values;
	return (int)m.count;
}

void mt_index_values_free(struct mt_index_value *values, int count)
{
	for (int i = 0; i < count; i++)
		free(values[i].value);
	free(values);
}

/* ---- every entry, and the dump --------------------------------------------- */

struct foreach {
	mt_index_entry_fn fn;
	void *data;
};

static int visit_values(struct walk *w, const struct node *n, void *ctx)
{
	struct foreach *f = ctx;
	struct value_iter it = values_of(n);
	struct value_entry e;
	int more = 0, err = 0;

	while (err == 0 && (more = next_value(w->idx, &it, &e)) > 0)
		err = f->fn(w->key, w->key_len, e.value, e.len, f->data);
	return err < 0 ? err : more;
}

int mt_index_foreach(struct mt_index *idx, mt_index_entry_fn fn, void *data)
{
	struct walk w = { .idx = idx };
	struct foreach f = { fn, data };
	struct node root;
	int err;

	err = parse_node(idx, idx->root, &root);
	if (err == 0)
		err = walk_subtree(&w, &root, 0, true, visit_values, &f);
	walk_release(&w);
	return err;
}

struct dump {
	FILE *out;
	const char *prefix;
};

static int dump_entry(const char *key, size_t key_len, const char *value, size_t value_len,
		      void *data)
{
	struct dump *d = data;

	fputs(d->prefix, d->out);
	fwrite(key, 1, key_len, d->out);
	putc(' ', d->out);
	fwrite(value, 1, value_len, d->out);
	putc('\n', d->out);
	return 0;
}

int mt_index_dump(struct mt_index *idx, FILE *out, const char *prefix)
{
	struct dump d = { out, prefix ? prefix : "" };
	int err = mt_index_foreach(idx, dump_entry, &d);

	if (err == 0 && ferror(out))
		err = mt_fail(EIO, "%s: writing the dump failed", idx->path);
	return err;
}

/*
 * index-write.c — building a kmod binary trie index (modules.*.bin) in memory
 * and serializing it in kmod 34.2's pre-order or kmod 30's post-order layout
 * (doc/index-format.md §1–§7).
 *
 * Nodes, strings and values live in a chunked arena, so a build costs a few
 * large allocations.  Every offset is computed before the first byte is
 * written, so the output is one sequential pass and may be a pipe.
 */
#include "config.h"

#include <errno.h>
#include <stdalign.h>
#include <stdlib.h>
#include "internal.h"
#include "index-format.h"

#define ARENA_CHUNK	(256u * 1024)
#define OUT_BUFFER	(64u * 1024)

struct value {
	struct value *next;
	uint32_t priority;
	size_t len;
	char text[];
};

/* One cache line: the trie is walked by pointer chasing, so node size and
 * placement set the speed of both building and writing. */
struct node {
	alignas(64) const char *prefix;	/* not NUL-terminated; may be shared */
	size_t prefix_len;
	struct node **children;		/* child_cap pointers, then child_cap characters */
	struct value *values, *last_value;	/* priority ascending */
	uint64_t values_size;		/* bytes of the value entries */
	uint32_t value_count;
	uint32_t offset;		/* set while writing */
	uint8_t child_count, child_cap;
};

struct chunk {
	struct chunk *next;
	size_t size, used;
	unsigned char data[];
};

struct mt_index_builder {
	struct chunk *chunks;		/* the newest, still being filled, first */
	struct node *root;
	size_t node_count;
};

/* ---- arena --------------------------------------------------------------- */

/* Make sure the current chunk has `bytes` free, so that the allocations of
 * one insertion cannot fail half-way and leave a malformed trie. */
static int arena_reserve(struct mt_index_builder *b, size_t bytes)
{
	struct chunk *c = b->chunks;
	size_t size = bytes > ARENA_CHUNK ? bytes : ARENA_CHUNK;

	if (c && c->size - c->used >= bytes)
		return 0;
	c = malloc(sizeof(*c) + size);
	if (!c)
		return mt_fail(ENOMEM, "Module index: out of memory");
	c->next = b->chunks;
	c->size = size;
	c->used = 0;
	b->chunks = c;
	return 0;
}

/* Carve from the space secured by arena_reserve(). */
static void *arena_take(struct mt_index_builder *b, size_t size, size_t align)
{
	struct chunk *c = b->chunks;
	uintptr_t free_at = (uintptr_t)(c->data + c->used);
	size_t start = c->used + (size_t)((align - free_at % align) % align);

	c->used = start + size;
	return c->data + start;
}

/* Worst case taken from the arena by one insertion: two nodes (a split and
 * a new leaf), the split node's one-entry child table, a grown child table,
 * the leaf's prefix and the value, each with alignment slack. */
static size_t insertion_bound(size_t key_len, size_t value_len)
{
	size_t entry = sizeof(struct node *) + 1;

	return 2 * sizeof(struct node) + entry + INDEX_CHILD_CHARS * entry
	       + key_len + sizeof(struct value) + value_len + 1
	       + 6 * alignof(struct node);
}

static struct node *new_node(struct mt_index_builder *b, const char *prefix, size_t prefix_len)
{
	struct node *n = arena_take(b, sizeof(*n), alignof(struct node));

	*n = (struct node){ .prefix = prefix, .prefix_len = prefix_len };
	b->node_count++;
	return n;
}

/* ---- building ------------------------------------------------------------ */

struct mt_index_builder *mt_index_builder_new(void)
{
	struct mt_index_builder *b = calloc(1, sizeof(*b));

	if (!b) {
		mt_fail(ENOMEM, "Module index: out of memory");
		return NULL;
	}
	if (arena_reserve(b, sizeof(struct node) + alignof(struct node)) < 0) {
		free(b);
		return NULL;
	}
	b->root = new_node(b, "", 0);
	return b;
}

void mt_index_builder_free(struct mt_index_builder *b)
{
	if (!b)
		return;
	while (b->chunks) {
		struct chunk *next = b->chunks->next;

		free(b->chunks);
		b->chunks = next;
	}
	free(b);
}

static int check_ascii(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p > 0x7f)
			return mt_fail(EINVAL, "Module index: bad character '%c'=0x%02x - "
				       "only 7-bit ASCII is supported: %s", *p, *p, s);
	return 0;
}

/* The characters of n's children, sorted ascending, after the pointers
 * (only for a node with a child table). */
static unsigned char *child_chars(const struct node *n)
{
	return (unsigned char *)(n->children + n->child_cap);
}

/* Index in n's sorted child table where c is or would be inserted. */
static unsigned child_slot(const struct node *n, unsigned char c)
{
	unsigned lo = 0, hi = n->child_count;
	const unsigned char *chars = hi ? child_chars(n) : NULL;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;

		if (chars[mid] < c)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void insert_child(struct mt_index_builder *b, struct node *n, unsigned slot,
			 unsigned char c, struct node *child)
{
	unsigned char *chars;

	if (n->child_count == n->child_cap) {
		unsigned cap = n->child_cap ? 2 * n->child_cap : 1;
		struct node **children = arena_take(b, cap * (sizeof(*children) + 1),
						    alignof(struct node *));

		if (n->child_count) {
			memcpy(children, n->children, n->child_count * sizeof(*children));
			memcpy(children + cap, child_chars(n), n->child_count);
		}
		n->children = children;
		n->child_cap = (uint8_t)cap;
	}
	chars = child_chars(n);
	memmove(chars + slot + 1, chars + slot, n->child_count - slot);
	memmove(n->children + slot + 1, n->children + slot,
		(n->child_count - slot) * sizeof(*n->children));
	chars[slot] = c;
	n->children[slot] = child;
	n->child_count++;
}

/* Cut n's prefix at `at`: the part after it, with all of n's values and
 * children, moves to a new child reached by prefix[at]. */
static void split_node(struct mt_index_builder *b, struct node *n, size_t at)
{
	struct node *tail = new_node(b, n->prefix + at + 1, n->prefix_len - at - 1);

	tail->children = n->children;
	tail->child_count = n->child_count;
	tail->child_cap = n->child_cap;
	tail->values = n->values;
	tail->last_value = n->last_value;
	tail->value_count = n->value_count;
	tail->values_size = n->values_size;

	n->prefix_len = at;
	n->children = NULL;
	n->child_count = n->child_cap = 0;
	n->values = n->last_value = NULL;
	n->value_count = 0;
	n->values_size = 0;
	insert_child(b, n, 0, (unsigned char)n->prefix[at], tail);
}

/* Place v before the first value of priority >= its own.  Values mostly
 * arrive in ascending priority (append) or all tied (prepend): both O(1). */
static void add_value(struct node *n, struct value *v)
{
	if (!n->values || v->priority <= n->values->priority) {
		v->next = n->values;
		n->values = v;
		if (!n->last_value)
			n->last_value = v;
	} else if (v->priority > n->last_value->priority) {
		n->last_value->next = v;
		n->last_value = v;
	} else {
		struct value *prev = n->values;

		while (prev->next->priority < v->priority)
			prev = prev->next;
		v->next = prev->next;
		prev->next = v;
	}
	n->value_count++;
	n->values_size += 4 + v->len + 1;
}

int mt_index_builder_add(struct mt_index_builder *b, const char *key,
			 const char *value, unsigned priority)
{
	size_t key_len = strlen(key), value_len = strlen(value);
	struct node *n = b->root;
	struct value *v;
	int err;

	err = check_ascii(key);
	if (err == 0)
		err = check_ascii(value);
	if (err == 0)
		err = arena_reserve(b, insertion_bound(key_len, value_len));
	if (err < 0)
		return err;

	v = arena_take(b, sizeof(*v) + value_len + 1, alignof(struct value));
	v->next = NULL;
	v->priority = priority;
	v->len = value_len;
	memcpy(v->text, value, value_len + 1);

	for (const char *rest = key;;) {
		size_t same = 0;

		/* The prefix holds no NUL, so the comparison stops where K ends. */
		while (same < n->prefix_len && n->prefix[same] == rest[same])
			same++;
		if (same < n->prefix_len)
			split_node(b, n, same);
		rest += same;
		if (*rest == '\0')
			break;

		unsigned char c = (unsigned char)*rest++;
		unsigned slot = child_slot(n, c);

		if (slot < n->child_count && child_chars(n)[slot] == c) {
			n = n->children[slot];
			continue;
		}
		size_t rest_len = key_len - (size_t)(rest - key);
		char *prefix = arena_take(b, rest_len, 1);
		struct node *leaf;

		memcpy(prefix, rest, rest_len);
		leaf = new_node(b, prefix, rest_len);
		insert_child(b, n, slot, c, leaf);
		n = leaf;
		break;
	}
	add_value(n, v);
	return 0;
}

/* ---- writing ------------------------------------------------------------- */

static uint32_t node_flags(const struct node *n)
{
	return (n->prefix_len ? INDEX_NODE_PREFIX : 0) | (n->values ? INDEX_NODE_VALUES : 0)
	       | (n->child_count ? INDEX_NODE_CHILDS : 0);
}

static uint64_t node_size(const struct node *n)
{
	uint64_t size = 0;

	if (n->prefix_len)
		size += n->prefix_len + 1;
	if (n->child_count) {
		const unsigned char *chars = child_chars(n);
		unsigned span = chars[n->child_count - 1] - chars[0] + 1u;

		size += 2 + 4 * (uint64_t)span;
	}
	if (n->values)
		size += 4 + (uint64_t)n->values_size;
	return size;
}

/* All nodes in file order.  Pre-order with children ascending is a plain
 * depth-first walk; post-order with children ascending is the reverse of a
 * pre-order walk with children descending, so that order is filled from the
 * end.  An explicit stack keeps deep tries off the C stack. */
static int file_order(const struct mt_index_builder *b, enum mt_index_layout layout,
		      struct node ***out)
{
	struct node **order = malloc(b->node_count * sizeof(*order));
	struct node **stack = malloc(b->node_count * sizeof(*stack));
	bool post = layout == MT_INDEX_LAYOUT_POSTORDER;
	size_t depth = 0, placed = 0;

	if (!order || !stack) {
		free(order);
		free(stack);
		return mt_fail(ENOMEM, "Module index: out of memory");
	}
	stack[depth++] = b->root;
	while (depth > 0) {
		struct node *n = stack[--depth];

		order[post ? b->node_count - 1 - placed : placed] = n;
		placed++;
		/* The child popped first goes on the stack last. */
		for (unsigned i = 0; i < n->child_count; i++)
			stack[depth++] = n->children[post ? i : n->child_count - 1 - i];
	}
	free(stack);
	*out = order;
	return 0;
}

struct output {
	FILE *fp;
	size_t used;
	unsigned char buf[OUT_BUFFER];
};

static void out_flush(struct output *o)
{
	fwrite(o->buf, 1, o->used, o->fp);
	o->used = 0;
}

static void out_bytes(struct output *o, const void *data, size_t len)
{
	if (len > OUT_BUFFER - o->used) {
		out_flush(o);
		if (len > OUT_BUFFER) {
			fwrite(data, 1, len, o->fp);
			return;
		}
	}
	memcpy(o->buf + o->used, data, len);
	o->used += len;
}

static void out_u32(struct output *o, uint32_t x)
{
	unsigned char be[4] = { x >> 24, x >> 16 & 0xff, x >> 8 & 0xff, x & 0xff };

	out_bytes(o, be, sizeof(be));
}

static uint32_t node_word(const struct node *n)
{
	return node_flags(n) | n->offset;
}

static void write_node(struct output *o, const struct node *n)
{
	if (n->prefix_len) {
		out_bytes(o, n->prefix, n->prefix_len);
		out_bytes(o, "", 1);
	}
	if (n->child_count) {
		const unsigned char *chars = child_chars(n);
		unsigned char range[2] = { chars[0], chars[n->child_count - 1] };
		unsigned next = chars[0];

		out_bytes(o, range, sizeof(range));
		for (unsigned i = 0; i < n->child_count; i++) {
			for (; next < chars[i]; next++)
				out_u32(o, 0);
			out_u32(o, node_word(n->children[i]));
			next++;
		}
	}
	if (n->values) {
		out_u32(o, n->value_count);
		for (const struct value *v = n->values; v; v = v->next) {
			out_u32(o, v->priority);
			out_bytes(o, v->text, v->len + 1);
		}
	}
}

int mt_index_builder_write(struct mt_index_builder *b, FILE *out, enum mt_index_layout layout)
{
	struct node **order = NULL;
	struct output *o;
	uint64_t pos = INDEX_HEADER_SIZE;
	int err;

	err = file_order(b, layout, &order);
	if (err < 0)
		return err;
	for (size_t i = 0; i < b->node_count; i++) {
		if (pos > INDEX_NODE_OFFSET) {
			free(order);
			return mt_fail(EFBIG, "Module index: too large for 28-bit offsets");
		}
		order[i]->offset = (uint32_t)pos;
		pos += node_size(order[i]);
	}

	o = malloc(sizeof(*o));
	if (!o) {
		free(order);
		return mt_fail(ENOMEM, "Module index: out of memory");
	}
	o->fp = out;
	o->used = 0;
	errno = 0;
	out_u32(o, INDEX_MAGIC);
	out_u32(o, INDEX_VERSION_MAJOR << 16 | INDEX_VERSION_MINOR);
	out_u32(o, node_word(b->root));
	for (size_t i = 0; i < b->node_count; i++)
		write_node(o, order[i]);
	out_flush(o);
	free(o);
	free(order);
	if (fflush(out) != 0 || ferror(out)) {
		err = errno ? errno : EIO;
		return mt_fail(err, "Module index: write failed: %s", strerror(err));
	}
	return 0;
}

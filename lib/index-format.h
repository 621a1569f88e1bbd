/*
 * index-format.h — the on-disk constants of kmod's binary trie indexes
 * (modules.*.bin), shared by the reader (index.c) and the writer
 * (index-write.c).  The format is described in doc/index-format.md.
 */
#ifndef LIBMODTOOL_INDEX_FORMAT_H
#define LIBMODTOOL_INDEX_FORMAT_H

/* Header: magic, version (major << 16 | minor), root node offset; all
 * 32-bit big-endian words. */
#define INDEX_MAGIC		0xB007F457u
#define INDEX_VERSION_MAJOR	2u
#define INDEX_VERSION_MINOR	1u
#define INDEX_HEADER_SIZE	12u

/* A node offset word: flags in the top bits, the file offset below. */
#define INDEX_NODE_PREFIX	0x80000000u	/* a NUL-terminated prefix string */
#define INDEX_NODE_VALUES	0x40000000u	/* a value block */
#define INDEX_NODE_CHILDS	0x20000000u	/* a child block */
#define INDEX_NODE_RESERVED	0x10000000u	/* never set by kmod */
#define INDEX_NODE_OFFSET	0x0FFFFFFFu

/* Children are reached by 7-bit characters. */
#define INDEX_CHILD_CHARS	128u

#endif

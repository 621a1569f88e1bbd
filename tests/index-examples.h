/*
 * index-examples.h — the worked examples of the index format specification
 * (doc/index-format.md §9) as bytes, in kmod 34.2's pre-order and kmod 30's
 * post-order layouts, and the empty index; shared by the reader's and the
 * writer's tests.  Sizes are sizeof - 1 (the literal's own NUL).
 */
#ifndef MT_INDEX_EXAMPLES_H
#define MT_INDEX_EXAMPLES_H

static const char example_a_pre[] =
	"\xb0\x07\xf4\x57" "\x00\x02\x00\x01" "\x20\x00\x00\x0c"
	"\x62\x66"				/* 0c root: 'b'..'f' */
	"\xc0\x00\x00\x22"			/*    'b' -> PREFIX|VALUES @22 */
	"\0\0\0\0" "\0\0\0\0" "\0\0\0\0"	/*    'c', 'd', 'e' */
	"\xa0\x00\x00\x2e"			/*    'f' -> PREFIX|CHILDS @2e */
	"ar\0" "\0\0\0\x01" "\0\0\0\0" "\0"	/* 22 "bar" */
	"o\0" "op" "\x40\0\0\x3a" "\x40\0\0\x43" /* 2e "fo" */
	"\0\0\0\x01" "\0\0\0\0" "\0"		/* 3a "foo" */
	"\0\0\0\x01" "\0\0\0\0" "\0";		/* 43 "fop" */

static const char example_a_post[] =
	"\xb0\x07\xf4\x57" "\x00\x02\x00\x01" "\x20\x00\x00\x36"
	"ar\0" "\0\0\0\x01" "\0\0\0\0" "\0"	/* 0c "bar" */
	"\0\0\0\x01" "\0\0\0\0" "\0"		/* 18 "foo" */
	"\0\0\0\x01" "\0\0\0\0" "\0"		/* 21 "fop" */
	"o\0" "op" "\x40\0\0\x18" "\x40\0\0\x21" /* 2a "fo" */
	"\x62\x66" "\xc0\0\0\x0c" "\0\0\0\0" "\0\0\0\0" "\0\0\0\0" "\xa0\0\0\x2a"; /* 36 root */

static const char example_b_pre[] =
	"\xb0\x07\xf4\x57" "\x00\x02\x00\x01" "\x20\x00\x00\x0c"
	"aa" "\x20\0\0\x12"			/* 0c root: 'a' -> CHILDS @12 */
	"bc" "\x40\0\0\x1c" "\x40\0\0\x32"	/* 12 "a" */
	"\0\0\0\x01" "\0\0\0\0" "kernel/ab.ko:\0"			/* 1c "ab" */
	"\0\0\0\x01" "\0\0\0\x01" "kernel/ac.ko: kernel/ab.ko\0";	/* 32 "ac" */

static const char example_b_post[] =
	"\xb0\x07\xf4\x57" "\x00\x02\x00\x01" "\x20\x00\x00\x4f"
	"\0\0\0\x01" "\0\0\0\0" "kernel/ab.ko:\0"			/* 0c "ab" */
	"\0\0\0\x01" "\0\0\0\x01" "kernel/ac.ko: kernel/ab.ko\0"	/* 22 "ac" */
	"bc" "\x40\0\0\x0c" "\x40\0\0\x22"	/* 45 "a" */
	"aa" "\x20\0\0\x45";			/* 4f root */

static const char empty_index[] = "\xb0\x07\xf4\x57" "\x00\x02\x00\x01" "\x00\x00\x00\x0c";

#endif

/*
 * test-json.c — the JSON writer: layout, escapes (control characters,
 * quotes, U+FFFD for each maximal ill-formed subpart of invalid UTF-8),
 * misuse and write errors reported by mt_json_finish.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "libmodtool.h"
#include "tap.h"

/* The document `build` writes, in a malloc'd string; *err the result of
 * mt_json_finish. */
static char *document(void (*build)(struct mt_json *j, const void *arg), const void *arg,
		      int *err)
{
	struct mt_json *j;
	char *buf = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&buf, &size);

	if (!out || mt_json_new(out, &j) < 0)
		abort();
	build(j, arg);
	*err = mt_json_finish(j);
	fclose(out);
	return buf;
}

static void one_string(struct mt_json *j, const void *arg)
{
	mt_json_string(j, arg);
}

static void check_string(const char *in, const char *want)
{
	int shown = (int)strlen(want) - 1;	/* without the line break */
	int err;
	char *got = document(one_string, in, &err);

	tap_is_int(err, 0, "string %.*s: finished", shown, want);
	tap_is_str(got, want, "string %.*s", shown, want);
	free(got);
}

static void nested(struct mt_json *j, const void *arg)
{
	(void)arg;
	mt_json_begin_object(j);
	mt_json_key(j, "a");
	mt_json_begin_array(j);
	mt_json_int(j, -12);
	mt_json_bool(j, true);
	mt_json_null(j);
	mt_json_begin_object(j);
	mt_json_end_object(j);
	mt_json_end_array(j);
	mt_json_key_len(j, "b\"c", 3);
	mt_json_begin_array(j);
	mt_json_end_array(j);
	mt_json_end_object(j);
}

static void unbalanced(struct mt_json *j, const void *arg)
{
	(void)arg;
	mt_json_begin_array(j);
}

static void key_in_array(struct mt_json *j, const void *arg)
{
	(void)arg;
	mt_json_begin_array(j);
	mt_json_key(j, "k");
	mt_json_end_array(j);
}

static void too_deep(struct mt_json *j, const void *arg)
{
	(void)arg;
	for (int i = 0; i < 40; i++)
		mt_json_begin_array(j);
	for (int i = 0; i < 40; i++)
		mt_json_end_array(j);
}

static void nothing(struct mt_json *j, const void *arg)
{
	(void)j;
	(void)arg;
}

int main(void)
{
	struct mt_json *j;
	char *got;
	FILE *full;
	int err;

	check_string("plain", "\"plain\"\n");
	check_string("q\"b\\s/", "\"q\\\"b\\\\s/\"\n");
	check_string("\b\f\n\r\t\x01\x1f\x7f", "\"\\b\\f\\n\\r\\t\\u0001\\u001f\\u007f\"\n");
	check_string("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7 \xf4\x8f\xbf\xbf",
		     "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7 \xf4\x8f\xbf\xbf\"\n");
	/* one U+FFFD per maximal subpart, as Python's "replace" */
	check_string("a\xff" "b", "\"a\\ufffdb\"\n");
	check_string("\xe2\x82", "\"\\ufffd\"\n");
	check_string("\xe2\x82x", "\"\\ufffdx\"\n");
	check_string("\xf0\x9f\x90", "\"\\ufffd\"\n");
	check_string("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"\n");	/* surrogate */
	check_string("\xc0\xaf", "\"\\ufffd\\ufffd\"\n");		/* overlong */
	check_string("\xe0\x80\x80", "\"\\ufffd\\ufffd\\ufffd\"\n");	/* overlong */
	check_string("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"\n");	/* > U+10FFFF */
	check_string("\x80\xbf", "\"\\ufffd\\ufffd\"\n");		/* lone continuations */

	got = document(nested, NULL, &err);
	tap_is_int(err, 0, "nested document: finished");
	tap_is_str(got, "{\n  \"a\": [\n    -12,\n    true,\n    null,\n    {}\n  ],\n"
			"  \"b\\\"c\": []\n}\n", "nested document: layout");
	free(got);

	got = document(unbalanced, NULL, &err);
	tap_is_int(err, -EINVAL, "an array left open: -EINVAL");
	free(got);
	got = document(key_in_array, NULL, &err);
	tap_is_int(err, -EINVAL, "a key in an array: -EINVAL");
	free(got);
	got = document(too_deep, NULL, &err);
	tap_is_int(err, -EINVAL, "nesting beyond the limit: -EINVAL");
	free(got);
	got = document(nothing, NULL, &err);
	tap_is_int(err, 0, "an empty writer: finished");
	tap_is_str(got, "", "an empty writer writes nothing");
	free(got);

	full = fopen("/dev/full", "w");
	if (full && mt_json_new(full, &j) == 0) {
		mt_json_string(j, "x");
		tap_is_int(mt_json_finish(j), -EIO, "a write error: -EIO");
		fclose(full);
	} else {
		tap_skip("a write error: -EIO", "no /dev/full");
	}
	return tap_done();
}

/*
 * json.c — a writer of JSON documents (RFC 8259) to a stdio stream: objects,
 * arrays, strings, integers, booleans and null, one value a line, indented
 * two spaces a level.  Strings come out as valid UTF-8 whatever bytes they
 * are given: '"', '\\' and the control characters U+0000..U+001F and U+007F
 * are escaped, and every ill-formed byte sequence is replaced by U+FFFD
 * (written \ufffd), one for each maximal subpart as the Unicode Standard
 * (chapter 3, "U+FFFD Substitution of Maximal Subparts") recommends — the
 * same result as Python's bytes.decode("utf-8", "replace").
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

#define MAX_DEPTH 32

struct mt_json {
	FILE *out;
	int depth;			/* open containers */
	unsigned count[MAX_DEPTH];	/* values (or keys) so far in each */
	bool after_key;			/* the next value is a member's */
	bool started;			/* something was written */
	int err;			/* -EINVAL: misuse (too deep, unbalanced) */
};

int mt_json_new(FILE *out, struct mt_json **json)
{
	struct mt_json *j = calloc(1, sizeof(*j));

	if (!j)
		return -ENOMEM;
	j->out = out;
	*json = j;
	return 0;
}

int mt_json_finish(struct mt_json *j)
{
	int err = j->err;

	if (!err && j->depth != 0)
		err = -EINVAL;
	if (j->started)
		fputc('\n', j->out);
	if (fflush(j->out) != 0 || ferror(j->out))
		err = err ? err : -EIO;
	free(j);
	return err;
}

/* Comma, line break and indentation before a value or key. */
static void separate(struct mt_json *j)
{
	j->started = true;
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->depth == 0)
		return;
	if (j->count[j->depth - 1]++)
		fputc(',', j->out);
	fputc('\n', j->out);
	for (int i = 0; i < j->depth; i++)
		fputs("  ", j->out);
}

static void open_container(struct mt_json *j, char c)
{
	separate(j);
	if (j->depth == MAX_DEPTH) {
		j->err = -EINVAL;
		return;
	}
	fputc(c, j->out);
	j->count[j->depth++] = 0;
}

static void close_container(struct mt_json *j, char c)
{
	if (j->depth == 0 || j->after_key) {
		j->err = -EINVAL;
		return;
	}
	if (j->count[--j->depth]) {
		fputc('\n', j->out);
		for (int i = 0; i < j->depth; i++)
			fputs("  ", j->out);
	}
	fputc(c, j->out);
}

void mt_json_begin_object(struct mt_json *j)
{
	open_container(j, '{');
}

void mt_json_end_object(struct mt_json *j)
{
	close_container(j, '}');
}

void mt_json_begin_array(struct mt_json *j)
{
	open_container(j, '[');
}

void mt_json_end_array(struct mt_json *j)
{
	close_container(j, ']');
}

/* Length of the well-formed UTF-8 sequence at s (Unicode Table 3-7), or
 * minus the length of its maximal subpart (at least 1) when ill-formed. */
static int utf8_sequence(const unsigned char *s, size_t len)
{
	unsigned char lo = 0x80, hi = 0xBF;
	int need;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		need = 1;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		need = 2;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		need = 3;
	else
		return -1;
	if (s[0] == 0xE0)
		lo = 0xA0;
	else if (s[0] == 0xED)
		hi = 0x9F;	/* no surrogates */
	else if (s[0] == 0xF0)
		lo = 0x90;
	else if (s[0] == 0xF4)
		hi = 0x8F;	/* nothing above U+10FFFF */
	for (int i = 1; i <= need; i++) {
		if ((size_t)i >= len || s[i] < lo || s[i] > hi)
			return -i;
		lo = 0x80;
		hi = 0xBF;
	}
	return need + 1;
}

static void write_string(struct mt_json *j, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	fputc('"', j->out);
	while (i < len) {
		unsigned char c = s[i];
		int n;

		if (c == '"' || c == '\\') {
			fputc('\\', j->out);
			fputc(c, j->out);
			i++;
			continue;
		}
		if (c < 0x20 || c == 0x7F) {
			static const char short_escape[0x20] = {
				['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't',
			};

			if (c < 0x20 && short_escape[c])
				fprintf(j->out, "\\%c", short_escape[c]);
			else
				fprintf(j->out, "\\u%04x", c);
			i++;
			continue;
		}
		n = utf8_sequence(s + i, len - i);
		if (n < 0) {
			fputs("\\ufffd", j->out);
			i += (size_t)-n;
		} else {
			fwrite(s + i, 1, (size_t)n, j->out);
			i += (size_t)n;
		}
	}
	fputc('"', j->out);
}

void mt_json_key_len(struct mt_json *j, const char *key, size_t len)
{
	if (j->depth == 0 || j->after_key) {
		j->err = -EINVAL;
		return;
	}
	separate(j);
	write_string(j, key, len);
	fputs(": ", j->out);
	j->after_key = true;
}

void mt_json_key(struct mt_json *j, const char *key)
{
	mt_json_key_len(j, key, strlen(key));
}

void mt_json_string_len(struct mt_json *j, const char *s, size_t len)
{
	separate(j);
	write_string(j, s, len);
}

void mt_json_string(struct mt_json *j, const char *s)
{
	mt_json_string_len(j, s, strlen(s));
}

void mt_json_int(struct mt_json *j, long long value)
{
	separate(j);
	fprintf(j->out, "%lld", value);
}

void mt_json_bool(struct mt_json *j, bool value)
{
	separate(j);
	fputs(value ? "true" : "false", j->out);
}

void mt_json_null(struct mt_json *j)
{
	separate(j);
	fputs("null", j->out);
}

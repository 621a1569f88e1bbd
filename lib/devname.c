/*
 * devname.c — reading modules.devname, depmod's list of the device nodes
 * that modules ask for with a devname: tag, which `kmod static-nodes` turns
 * into nodes created before any module is loaded: one
 * "MODULE DEVNAME TYPEMAJOR:MINOR" entry a line ("fuse fuse c10:229"),
 * '#' lines being comments.  Every field is checked, and the node path must
 * stay below /dev.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>
#include "internal.h"

/* What separates the fields (what kmod's sscanf("%s") stops at). */
#define FIELD_SEPARATORS " \t\r\v\f\n"

void mt_devnames_free(struct mt_devname *list, int count)
{
	if (!list)
		return;
	for (int i = 0; i < count; i++)
		free(list[i].module);
	free(list);
}

/* A decimal number without sign up to UINT_MAX, ending at `end`. */
static bool parse_number(const char *s, const char *end, unsigned *out)
{
	unsigned long long value = 0;

	if (s == end)
		return false;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9')
			return false;
		value = value * 10 + (unsigned)(*s - '0');
		if (value > UINT_MAX)
			return false;
	}
	*out = (unsigned)value;
	return true;
}

/* "fuse", "net/tun": a relative path without empty, "." or ".."
 * components, so that /dev/DEVNAME lies below /dev. */
static bool valid_devname(const char *name)
{
	const char *p = name;

	for (;;) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);

		if (len == 0 || (len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		if (!slash)
			return true;
		p = slash + 1;
	}
}

/* Parse one line (NUL-terminated, newline removed) into `entry`, or say in
 * `why` what is wrong with it. */
static int parse_line(char *line, struct mt_devname *entry, char *why, size_t why_size)
{
	char *fields[3], *save = NULL, *tok, *colon, *text;
	int n = 0;

	for (tok = strtok_r(line, FIELD_SEPARATORS, &save); tok;
	     tok = strtok_r(NULL, FIELD_SEPARATORS, &save)) {
		if (n == 3) {
			snprintf(why, why_size, "more than 3 fields");
			return -EINVAL;
		}
		fields[n++] = tok;
	}
	if (n < 3) {
		snprintf(why, why_size, "%d field%s instead of 3 (MODULE DEVNAME TYPEMAJOR:MINOR)",
			 n, n == 1 ? "" : "s");
		return -EINVAL;
	}
	if (!valid_devname(fields[1])) {
		snprintf(why, why_size, "device name '%s' does not stay below /dev", fields[1]);
		return -EINVAL;
	}
	if (fields[2][0] != 'c' && fields[2][0] != 'b') {
		snprintf(why, why_size, "device '%s' is neither c(haracter) nor b(lock)", fields[2]);
		return -EINVAL;
	}
	colon = strchr(fields[2], ':');
	if (!colon || !parse_number(fields[2] + 1, colon, &entry->major) ||
	    !parse_number(colon + 1, colon + strlen(colon), &entry->minor)) {
		snprintf(why, why_size, "device '%s' is not TYPEMAJOR:MINOR with decimal numbers",
			 fields[2]);
		return -EINVAL;
	}
	entry->type = fields[2][0];

	/* The two names in one allocation, owned by `module`. */
	text = malloc(strlen(fields[0]) + strlen(fields[1]) + 2);
	if (!text)
		return -ENOMEM;
	entry->module = text;
	entry->devname = stpcpy(text, fields[0]) + 1;
	strcpy(entry->devname, fields[1]);
	return 0;
}

int mt_devnames_read(const struct mt_ctx *ctx, const char *path, struct mt_devname **out,
		     int *bad)
{
	struct mt_devname *list = NULL;
	int count = 0, err = 0;
	char *line = NULL, why[256];
	unsigned long lineno = 0;
	size_t size = 0;
	ssize_t len;
	FILE *fp;

	*bad = 0;
	fp = fopen(path, "re");
	if (!fp)
		return mt_fail(errno, "could not open %s: %s", path, strerror(errno));
	while ((len = getline(&line, &size, fp)) >= 0) {
		struct mt_devname entry;

		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (line[0] == '#')
			continue;
		if (strlen(line) != (size_t)len) {
			mt_log(ctx, LOG_ERR, "%s:%lu: invalid devname entry: a NUL byte in the line\n",
			       path, lineno);
			(*bad)++;
			continue;
		}
		err = parse_line(line, &entry, why, sizeof(why));
		if (err == -EINVAL) {
			mt_log(ctx, LOG_ERR, "%s:%lu: invalid devname entry: %s\n", path, lineno, why);
			(*bad)++;
			err = 0;
			continue;
		}
		if (err == 0 && MT_ARRAY_APPEND(list, count, entry) < 0) {
			free(entry.module);
			err = -ENOMEM;
		}
		if (err < 0) {
			err = mt_fail(ENOMEM, "%s: out of memory", path);
			break;
		}
	}
	if (err == 0 && ferror(fp))
		err = mt_fail(errno ? errno : EIO, "could not read %s: %s", path,
			      strerror(errno ? errno : EIO));
	free(line);
	fclose(fp);
	if (err < 0) {
		mt_devnames_free(list, count);
		return err;
	}
	*out = list;
	return count;
}

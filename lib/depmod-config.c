/*
 * depmod-config.c — depmod.d configuration: which files are read (the
 * default directories or the -C paths, listed by conf-list.c, with kmod's
 * depmod messages) and the commands in them: search, override, external,
 * exclude (include and make_map_files are accepted and ignored).
 */
#include "config.h"

#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include "depmod-config.h"
#include "internal.h"

/* kmod's list, from the configured directories (see config.c). */
static const char *const default_paths[] = {
	SYSCONFDIR "/depmod.d",
	"/run/depmod.d",
	"/usr/local/lib/depmod.d",
	DISTCONFDIR "/depmod.d",
	"/lib/depmod.d",
	NULL,
};

/* kmod's depmod messages about the files it lists and skips. */
static void report_file(void *data, enum mt_conf_event event, const char *dir, const char *name,
			int err)
{
	const struct dm_log *log = data;

	switch (event) {
	case MT_CONF_NO_PATH:
		dm_msg(log, LOG_DEBUG, "could not stat '%s': %s\n", name, strerror(err));
		break;
	case MT_CONF_NO_DIR:
		dm_msg(log, LOG_DEBUG, "could not open '%s': %s\n", dir, strerror(err));
		break;
	case MT_CONF_NOT_CONF:
		dm_msg(log, LOG_INFO, "All cfg files need .conf: %s/%s\n", dir, name);
		break;
	case MT_CONF_NO_STAT:
		break;
	case MT_CONF_SUBDIR:
		dm_msg(log, LOG_ERR, "Directories inside directories are not supported: %s/%s\n",
		       dir, name);
		break;
	case MT_CONF_DUPLICATE:
		dm_msg(log, LOG_DEBUG, "Ignoring duplicate config file: %s%s%s\n", dir ? dir : "",
		       dir ? "/" : "", name);
		break;
	case MT_CONF_DIR_DONE:
		dm_msg(log, LOG_DEBUG, "parsed configuration files from %s\n", dir);
		break;
	}
}

/* The most copies of its atoms an extended regex asks regcomp for.  glibc
 * copies an atom once per repetition a {m,n} bound allows, nested bounds
 * multiply (and "+" doubles: x+ is xx*), and its automaton grows with the
 * square of the copies: a line like "override m ((x{1,200}){1,200}){1,200}
 * d" or one with "x++++++++++++++++++++++++" would take gigabytes (as it does
 * in kmod's depmod).  Real version patterns need a handful. */
#define REGEX_COPIES_MAX 1000
#define REGEX_NESTING_MAX 32

/* The copies regcomp makes of the atom before the operator at *p: 2 for
 * "+" (read as "xx*"), N for a bound "{M,N}" or "{N}", M + 1 for "{M,}";
 * *p is then moved to the operator's last character.  0 for anything else
 * (a '{' opening no bound is a character). */
static size_t regex_copies(const char **p)
{
	const char *s = *p;
	char *q;
	unsigned long m, n;

	if (*s == '+')
		return 2;
	if (*s != '{' || s[1] < '0' || s[1] > '9')
		return 0;
	m = n = strtoul(s + 1, &q, 10);
	if (*q == ',') {
		q++;
		n = *q >= '0' && *q <= '9' ? strtoul(q, &q, 10) : m + 1;
	}
	if (*q != '}')
		return 0;
	*p = q;
	return (m > n ? m : n) ?: 1;
}

/* Whether regcomp would make at most REGEX_COPIES_MAX atoms of `pattern`:
 * a group counts its atoms and one for itself (so that copies of "()"
 * count too), a bound or "+" multiplies the atom or group before it, anything else ([...] sets, escapes, characters) is one atom. */
static bool regex_small(const char *pattern)
{
	size_t atoms[REGEX_NESTING_MAX + 1] = { 0 }, last = 0, copies;
	int depth = 0;

	for (const char *p = pattern; *p; p++) {
		if (*p == '(') {
			if (depth == REGEX_NESTING_MAX)
				return false;
			atoms[++depth] = 0;
			last = 0;
			continue;
		}
		if (*p == ')' && depth > 0) {
			last = atoms[depth--] + 1;	/* the group's own node */
			atoms[depth] += last;
		} else if ((copies = regex_copies(&p)) > 0) {
			if (last > REGEX_COPIES_MAX / copies)
				return false;
			atoms[depth] += last * (copies - 1);
			last *= copies;
		} else {
			if (*p == '\\' && p[1]) {
				p++;
			} else if (*p == '[') {
				p += p[1] == '^' ? 2 : 1;
				p += *p == ']';		/* a member when first */
				p += strcspn(p, "]");
			}
			if (!*p)
				break;
			last = 1;
			atoms[depth]++;
		}
		if (atoms[depth] > REGEX_COPIES_MAX)
			return false;
	}
	return true;
}

/* KVER of override and external: "*" or an extended regex found anywhere
 * in the version.  1 or 0; an invalid regex matches nothing; -E2BIG for
 * one too big to compile (regex_small). */
static int version_matches(const char *pattern, const char *version)
{
	regex_t re;
	bool match;

	if (strcmp(pattern, "*") == 0)
		return 1;
	if (!regex_small(pattern))
		return -E2BIG;
	if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
		return 0;
	match = regexec(&re, version, 0, NULL, 0) == 0;
	regfree(&re);
	return match;
}

/* A line whose kernel pattern did not match (kmod's message) or is too big
 * to compile (`match` -E2BIG). */
static void report_version(const struct dm_log *log, const char *file, unsigned lineno,
			   const char *cmd, const char *pattern, int match)
{
	if (match == -E2BIG)
		dm_msg(log, LOG_ERR, "%s:%u: ignoring %s: the kernel pattern '%s' needs more than "
		       "%d copies of its parts\n", file, lineno, cmd, pattern, REGEX_COPIES_MAX);
	else if (strcmp(cmd, "override") == 0)
		dm_msg(log, LOG_INFO, "%s:%u: override kernel did not match %s\n", file, lineno,
		       pattern);
	else
		dm_msg(log, LOG_INFO, "%s:%u: external directory did not match %s\n", file,
		       lineno, pattern);
}

static int push_string(char ***v, size_t *n, char *s)
{
	if (!s || MT_ARRAY_APPEND(*v, *n, s) < 0) {
		free(s);
		return -ENOMEM;
	}
	return 0;
}

static int add_search(struct dm_config *cfg, const char *word)
{
	struct dm_search *s;

	if (mt_array_room(&cfg->searches, cfg->n_searches, sizeof(*s)) < 0)
		return -ENOMEM;
	s = &cfg->searches[cfg->n_searches];
	s->path = strdup(word);
	if (!s->path)
		return -ENOMEM;
	s->len = strlen(word);
	s->type = strcmp(word, "built-in") == 0 ? DM_SEARCH_BUILTIN
		: strcmp(word, "external") == 0 ? DM_SEARCH_EXTERNAL : DM_SEARCH_DIR;
	cfg->n_searches++;
	return 0;
}

/* One logical line (continuations joined); `lineno` is its last line. */
static int parse_line(struct dm_config *cfg, char *line, const char *file, unsigned lineno,
		      const char *version, const struct dm_log *log)
{
	static const char sep[] = " \t";
	char *save, *cmd, *a, *b, *c, *word;
	int err = 0, match;

	if (line[0] == '#')
		return 0;
	cmd = strtok_r(line, sep, &save);
	if (!cmd)
		return 0;
	if (strcmp(cmd, "search") == 0) {
		while (err == 0 && (word = strtok_r(NULL, sep, &save)))
			err = add_search(cfg, word);
		return err;
	}
	if (strcmp(cmd, "exclude") == 0) {
		while (err == 0 && (word = strtok_r(NULL, sep, &save)))
			err = push_string(&cfg->excludes, &cfg->n_excludes, strdup(word));
		return err;
	}
	if (strcmp(cmd, "include") == 0 || strcmp(cmd, "make_map_files") == 0) {
		dm_msg(log, LOG_INFO, "%s:%u: command %s not implemented yet\n", file, lineno, cmd);
		return 0;
	}
	a = strtok_r(NULL, sep, &save);
	b = strtok_r(NULL, sep, &save);
	if (strcmp(cmd, "override") == 0 && a && b && (c = strtok_r(NULL, sep, &save))) {
		char *path;

		match = version_matches(b, version);
		if (match <= 0) {
			report_version(log, file, lineno, "override", b, match);
			return 0;
		}
		if (asprintf(&path, "%s/%s", c, a) < 0)
			return -ENOMEM;
		return push_string(&cfg->overrides, &cfg->n_overrides, path);
	}
	if (strcmp(cmd, "external") == 0 && a && b) {
		match = version_matches(a, version);
		if (match <= 0) {
			report_version(log, file, lineno, "external", a, match);
			return 0;
		}
		return push_string(&cfg->externals, &cfg->n_externals, strdup(b));
	}
	dm_msg(log, LOG_ERR, "%s:%u: ignoring bad line starting with '%s'\n", file, lineno, cmd);
	return 0;
}

static int parse_file(struct dm_config *cfg, const char *path, const char *version,
		      const struct dm_log *log)
{
	FILE *fp = fopen(path, "re");
	char *buf = NULL, *line = NULL;
	size_t buf_size = 0, len = 0, cap = 0;
	unsigned lineno = 0;
	ssize_t got;
	int err = 0;

	if (!fp) {
		dm_msg(log, LOG_DEBUG, "could not open '%s': %s\n", path, strerror(errno));
		return 0;
	}
	/* Join "\\\n" continuations; a logical line is numbered by its last
	 * physical line, as kmod does. */
	while (err == 0 && (got = getline(&buf, &buf_size, fp)) >= 0) {
		bool more = false;
		size_t n = (size_t)got;

		lineno++;
		if (n > 0 && buf[n - 1] == '\n') {
			n--;
			if (n > 0 && buf[n - 1] == '\\') {
				n--;
				more = true;
			}
		}
		if (mt_array_reserve(&line, &cap, len + n + 1, 1) < 0) {
			err = -ENOMEM;
			break;
		}
		memcpy(line + len, buf, n);
		len += n;
		line[len] = '\0';
		if (more)
			continue;
		err = parse_line(cfg, line, path, lineno, version, log);
		len = 0;
	}
	if (err == 0 && len > 0)
		err = parse_line(cfg, line, path, lineno, version, log);
	free(buf);
	free(line);
	fclose(fp);
	return err;
}

int dm_config_load(struct dm_config *cfg, const char *const *paths, const char *version,
		   const struct dm_log *log)
{
	/* A FIFO or device would block or never end. */
	const struct mt_conf_lister how = { .regular_only = true, .report = report_file,
					    .data = (void *)log };
	struct mt_conf_list list = { 0 };
	int err = 0;

	*cfg = (struct dm_config){ 0 };
	if (!paths)
		paths = default_paths;
	for (; err == 0 && *paths; paths++)
		err = mt_conf_list_add_path(&list, *paths, &how);
	for (size_t i = 0; err == 0 && i < list.n; i++)
		err = parse_file(cfg, list.files[i].path, version, log);
	mt_conf_list_release(&list);

	/* Without any search directive, "updates" beats everything else. */
	if (err == 0 && cfg->n_searches == 0)
		err = add_search(cfg, "updates");
	if (err < 0)
		dm_config_release(cfg);
	return err;
}

void dm_config_release(struct dm_config *cfg)
{
	for (size_t i = 0; i < cfg->n_searches; i++)
		free(cfg->searches[i].path);
	for (size_t i = 0; i < cfg->n_overrides; i++)
		free(cfg->overrides[i]);
	for (size_t i = 0; i < cfg->n_externals; i++)
		free(cfg->externals[i]);
	for (size_t i = 0; i < cfg->n_excludes; i++)
		free(cfg->excludes[i]);
	free(cfg->searches);
	free(cfg->overrides);
	free(cfg->externals);
	free(cfg->excludes);
	*cfg = (struct dm_config){ 0 };
}

/*
 * depmod-config.c — depmod.d configuration: which files are read (the
 * default directories or the -C paths, *.conf names, the first file of a
 * name wins, all parsed in file-name order) and the commands in them:
 * search, override, external, exclude (include and make_map_files are
 * accepted and ignored).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "depmod-config.h"
#include "internal.h"

static const char *const default_paths[] = {
	"/etc/depmod.d",
	"/run/depmod.d",
	"/usr/local/lib/depmod.d",
	"/usr/lib/depmod.d",
	"/lib/depmod.d",
	NULL,
};

/* A file to parse: shown as `path`, sorted and deduplicated on `name`. */
struct conf_file {
	char *path;
	const char *name;	/* points into path */
};

struct conf_list {
	struct conf_file *files;
	size_t n, cap;
};

/* Insert `dir`/`name` (or the file `name` itself when dir is NULL) in
 * order of base name; a base name already present keeps its first file. */
static int list_insert(struct conf_list *list, const char *dir, const char *name,
		       const struct dm_log *log)
{
	const char *base = dir || !strrchr(name, '/') ? name : strrchr(name, '/') + 1;
	size_t lo = 0, hi = list->n;
	struct conf_file *f;
	char *path;
	int cmp;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		cmp = strcmp(list->files[mid].name, base);
		if (cmp == 0) {
			dm_msg(log, LOG_DEBUG, "Ignoring duplicate config file: %s%s%s\n",
			       dir ? dir : "", dir ? "/" : "", name);
			return 0;
		}
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (list->n == list->cap) {
		size_t cap = list->cap ? list->cap * 2 : 16;

		f = realloc(list->files, cap * sizeof(*f));
		if (!f)
			return -ENOMEM;
		list->files = f;
		list->cap = cap;
	}
	if (dir ? asprintf(&path, "%s/%s", dir, name) < 0 : !(path = strdup(name)))
		return -ENOMEM;
	f = &list->files[lo];
	memmove(f + 1, f, (list->n - lo) * sizeof(*f));
	f->path = path;
	f->name = path + strlen(path) - strlen(base);
	list->n++;
	return 0;
}

static bool has_conf_suffix(const char *name)
{
	size_t len = strlen(name);

	return len >= 5 && strcmp(name + len - 5, ".conf") == 0;
}

static int list_dir(struct conf_list *list, const char *dir, const struct dm_log *log)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int err = 0;

	if (!d) {
		dm_msg(log, LOG_DEBUG, "could not open '%s': %s\n", dir, strerror(errno));
		return 0;
	}
	while (err == 0 && (de = readdir(d))) {
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		if (!has_conf_suffix(de->d_name)) {
			dm_msg(log, LOG_INFO, "All cfg files need .conf: %s/%s\n", dir, de->d_name);
			continue;
		}
		if (fstatat(dirfd(d), de->d_name, &st, 0) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			dm_msg(log, LOG_ERR, "Directories inside directories are not supported: %s/%s\n",
			       dir, de->d_name);
			continue;
		}
		/* a FIFO or device would block or never end */
		if (S_ISREG(st.st_mode))
			err = list_insert(list, dir, de->d_name, log);
	}
	closedir(d);
	if (err == 0)
		dm_msg(log, LOG_DEBUG, "parsed configuration files from %s\n", dir);
	return err;
}

/* KVER of override and external: "*" or an extended regex found anywhere
 * in the version.  An invalid regex matches nothing. */
static bool version_matches(const char *pattern, const char *version)
{
	regex_t re;
	bool match;

	if (strcmp(pattern, "*") == 0)
		return true;
	if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
		return false;
	match = regexec(&re, version, 0, NULL, 0) == 0;
	regfree(&re);
	return match;
}

static int push_string(char ***v, size_t *n, char *s)
{
	char **grown;

	if (!s)
		return -ENOMEM;
	grown = realloc(*v, (*n + 1) * sizeof(**v));
	if (!grown) {
		free(s);
		return -ENOMEM;
	}
	*v = grown;
	grown[(*n)++] = s;
	return 0;
}

static int add_search(struct dm_config *cfg, const char *word)
{
	struct dm_search *grown = realloc(cfg->searches, (cfg->n_searches + 1) * sizeof(*grown));
	struct dm_search *s;

	if (!grown)
		return -ENOMEM;
	cfg->searches = grown;
	s = &grown[cfg->n_searches];
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
	int err = 0;

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

		if (!version_matches(b, version)) {
			dm_msg(log, LOG_INFO, "%s:%u: override kernel did not match %s\n",
			       file, lineno, b);
			return 0;
		}
		if (asprintf(&path, "%s/%s", c, a) < 0)
			return -ENOMEM;
		return push_string(&cfg->overrides, &cfg->n_overrides, path);
	}
	if (strcmp(cmd, "external") == 0 && a && b) {
		if (!version_matches(a, version)) {
			dm_msg(log, LOG_INFO, "%s:%u: external directory did not match %s\n",
			       file, lineno, a);
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
		if (len + n + 1 > cap) {
			char *grown = realloc(line, len + n + 64);

			if (!grown) {
				err = -ENOMEM;
				break;
			}
			line = grown;
			cap = len + n + 64;
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
	struct conf_list list = { 0 };
	int err = 0;

	*cfg = (struct dm_config){ 0 };
	if (!paths)
		paths = default_paths;
	for (; err == 0 && *paths; paths++) {
		struct stat st;

		if (stat(*paths, &st) < 0) {
			dm_msg(log, LOG_DEBUG, "could not stat '%s': %s\n", *paths, strerror(errno));
			continue;
		}
		if (S_ISDIR(st.st_mode))
			err = list_dir(&list, *paths, log);
		else
			err = list_insert(&list, NULL, *paths, log);
	}
	for (size_t i = 0; err == 0 && i < list.n; i++)
		err = parse_file(cfg, list.files[i].path, version, log);
	for (size_t i = 0; i < list.n; i++)
		free(list.files[i].path);
	free(list.files);

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

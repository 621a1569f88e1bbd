/*
 * config.c — the modprobe.d configuration: which files are read (the default
 * directories or the -C paths, DIRNAME/modules.softdep and modules.weakdep),
 * their line syntax and directives, the options and blacklist given on the
 * kernel command line, the queries modprobe makes on the result, its
 * entries one by one and in the `modprobe -c` rendering, and whether the
 * paths read have changed since.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>
#include <sys/stat.h>
#include <unistd.h>
#include "internal.h"

#define KERNEL_CMDLINE "/proc/cmdline"
#define KERNEL_CMDLINE_MAX 4095	/* bytes of the command line that are read */

/* kmod's list, from the configured directories (a DISTCONFDIR of /lib
 * names /lib/modprobe.d twice, as kmod does; the second adds nothing). */
static const char *const default_paths[] = {
	SYSCONFDIR "/modprobe.d",
	"/run/modprobe.d",
	"/usr/local/lib/modprobe.d",
	DISTCONFDIR "/modprobe.d",
	"/lib/modprobe.d",
};

/* A growing array of `count` elements of one type. */
struct vec {
	void *data;
	int count;
};

struct option {
	char *name;
	char *value;
};

struct command {
	char *name;
	char *command;
};

struct dep_name {
	char *name;
	bool is_post;
};

/* A softdep or weakdep entry: its names in line order, each flagged as a
 * post dependency or not (weakdep names are all "pre"), the two lists the
 * query hands out, and the value as `modprobe -c` shows it. */
struct dep {
	char *name;
	struct vec names;	/* struct dep_name */
	const char **pre;
	const char **post;
	int npre;
	int npost;
	char *value;
};

/* A configuration path that was read, and its modification time then. */
struct stamp {
	char *path;
	struct timespec mtime;
};

struct mt_config {
	const struct mt_ctx *ctx;	/* where messages about it go */
	struct vec aliases;	/* struct mt_config_alias */
	struct vec blacklist;	/* char * */
	struct vec options;	/* struct option */
	struct vec installs;	/* struct command */
	struct vec removes;	/* struct command */
	struct vec softdeps;	/* struct dep */
	struct vec weakdeps;	/* struct dep */
	struct vec stamps;	/* struct stamp */
};

/* ---- small helpers -------------------------------------------------------- */

/* Room for one more element; returns the new (zeroed) slot or NULL. */
static void *vec_push(struct vec *v, size_t elsize)
{
	char *slot;

	if (v->count == INT_MAX || mt_array_room(&v->data, (size_t)v->count, elsize) < 0)
		return NULL;
	slot = (char *)v->data + (size_t)v->count++ * elsize;
	memset(slot, 0, elsize);
	return slot;
}

/* Whitespace as C-locale isspace() sees it. */
static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* Length of the run of non-whitespace characters starting at s. */
static size_t word_len(const char *s)
{
	size_t len = 0;

	while (s[len] && !is_space(s[len]))
		len++;
	return len;
}

/* The next word of *s (words are separated by spaces and tabs): the word is
 * NUL-terminated in place and *s moves past the one character that ended
 * it.  NULL when no word is left. */
static char *next_word(char **s)
{
	char *word = *s + strspn(*s, " \t");
	char *end = word + strcspn(word, " \t");

	if (!*word) {
		*s = word;
		return NULL;
	}
	if (*end) {
		*end = '\0';
		*s = end + 1;
	} else {
		*s = end;
	}
	return word;
}

/* A configuration name normalized like an alias into a new string:
 * 0, -EINVAL (unmatched bracket) or -ENOMEM. */
static int normalize_dup(const char *name, char **out)
{
	size_t size = strlen(name) + 1;
	char *buf = malloc(size);
	int ret;

	if (!buf)
		return -ENOMEM;
	ret = mt_alias_normalize(name, buf, size);
	if (ret < 0) {
		free(buf);
		return -EINVAL;
	}
	*out = buf;
	return 0;
}

/* ---- storing entries ------------------------------------------------------ */

static int add_alias(struct mt_config *cfg, const char *pattern, const char *modname)
{
	struct mt_config_alias *alias;
	char *norm_pattern, *norm_modname;
	int err = normalize_dup(pattern, &norm_pattern);

	if (err < 0)
		return err;
	err = normalize_dup(modname, &norm_modname);
	if (err < 0) {
		free(norm_pattern);
		return err;
	}
	alias = vec_push(&cfg->aliases, sizeof(*alias));
	if (!alias) {
		free(norm_pattern);
		free(norm_modname);
		return -ENOMEM;
	}
	alias->pattern = norm_pattern;
	alias->modname = norm_modname;
	return 0;
}

/* A blacklist entry stored as given (the caller normalizes if needed). */
static int add_blacklist(struct mt_config *cfg, const char *name)
{
	char **slot, *copy = strdup(name);

	if (!copy)
		return -ENOMEM;
	slot = vec_push(&cfg->blacklist, sizeof(*slot));
	if (!slot) {
		free(copy);
		return -ENOMEM;
	}
	*slot = copy;
	return 0;
}

/* An options entry for an already normalized name (taken); tabs in the
 * value become spaces. */
static int add_option(struct mt_config *cfg, char *name, const char *value)
{
	struct option *opt;
	char *copy = strdup(value);

	if (!copy) {
		free(name);
		return -ENOMEM;
	}
	for (char *p = copy; (p = strchr(p, '\t')); p++)
		*p = ' ';
	opt = vec_push(&cfg->options, sizeof(*opt));
	if (!opt) {
		free(name);
		free(copy);
		return -ENOMEM;
	}
	opt->name = name;
	opt->value = copy;
	return 0;
}

/* An install or remove entry for an already normalized name (taken). */
static int add_command(struct vec *list, char *name, const char *command)
{
	struct command *cmd;
	char *copy = strdup(command);

	if (!copy) {
		free(name);
		return -ENOMEM;
	}
	cmd = vec_push(list, sizeof(*cmd));
	if (!cmd) {
		free(name);
		free(copy);
		return -ENOMEM;
	}
	cmd->name = name;
	cmd->command = copy;
	return 0;
}

static void dep_release(struct dep *dep)
{
	struct dep_name *names = dep->names.data;

	for (int i = 0; i < dep->names.count; i++)
		free(names[i].name);
	free(names);
	free(dep->pre);
	free(dep->post);
	free(dep->name);
	free(dep->value);
}

static int dep_add_name(struct dep *dep, const char *name, size_t len, bool is_post)
{
	struct dep_name *slot;
	char *copy = strndup(name, len);

	if (!copy)
		return -ENOMEM;
	slot = vec_push(&dep->names, sizeof(*slot));
	if (!slot) {
		free(copy);
		return -ENOMEM;
	}
	slot->name = copy;
	slot->is_post = is_post;
	return 0;
}

enum dep_mode {
	DEP_NONE,	/* softdep before any "pre:" or "post:" */
	DEP_PRE,
	DEP_POST,
	DEP_WEAK,	/* weakdep: every token is a name */
};

/* Handle one dependency token: "pre:" and "post:" switch a softdep's list
 * and other tokens go to the current one (none before the first switch);
 * weakdep names are kept as "pre" names. */
static int dep_token(struct dep *dep, const char *tok, size_t len, enum dep_mode *mode)
{
	if (*mode == DEP_WEAK)
		return dep_add_name(dep, tok, len, false);
	if (len == 4 && memcmp(tok, "pre:", 4) == 0)
		*mode = DEP_PRE;
	else if (len == 5 && memcmp(tok, "post:", 5) == 0)
		*mode = DEP_POST;
	else if (*mode != DEP_NONE)
		return dep_add_name(dep, tok, len, *mode == DEP_POST);
	return 0;
}

/* Split REST into whitespace-separated tokens.  As in kmod, a single
 * whitespace character opening REST directly before a token stays part of
 * that token (so `softdep foo  pre: a` has no "pre:" switch). */
static int dep_split(struct dep *dep, const char *rest, bool with_modes)
{
	enum dep_mode mode = with_modes ? DEP_NONE : DEP_WEAK;
	const char *s = rest;
	int err = 0;

	if (is_space(s[0]) && s[1] && !is_space(s[1])) {
		size_t len = 1 + word_len(s + 1);

		err = dep_token(dep, s, len, &mode);
		s += len;
	}
	while (err == 0) {
		size_t len;

		while (is_space(*s))
			s++;
		if (!*s)
			break;
		len = word_len(s);
		err = dep_token(dep, s, len, &mode);
		s += len;
	}
	return err;
}

/* Fill the pre and post lists from the flagged names. */
static int dep_lists(struct dep *dep)
{
	const struct dep_name *names = dep->names.data;
	size_t count = (size_t)dep->names.count;

	if (count == 0)
		return 0;
	dep->pre = calloc(count, sizeof(*dep->pre));
	dep->post = calloc(count, sizeof(*dep->post));
	if (!dep->pre || !dep->post)
		return -ENOMEM;
	for (size_t i = 0; i < count; i++) {
		if (names[i].is_post)
			dep->post[dep->npost++] = names[i].name;
		else
			dep->pre[dep->npre++] = names[i].name;
	}
	return 0;
}

/* The names of `dep` from the first to the last one of the given kind,
 * everything in between included (kmod shows that span), appended to out. */
static void put_span(const struct dep *dep, bool is_post, FILE *out)
{
	const struct dep_name *names = dep->names.data;
	int first = -1, last = -1;

	for (int i = 0; i < dep->names.count; i++) {
		if (names[i].is_post == is_post) {
			if (first < 0)
				first = i;
			last = i;
		}
	}
	for (int i = first; first >= 0 && i <= last; i++)
		fprintf(out, "%s%s", i == first ? "" : " ", names[i].name);
}

/* The value as kmod shows it: a softdep's "pre: " and "post: " spans, glued
 * together, parts without names left out; a weakdep's names. */
static int dep_render(struct dep *dep, bool with_modes)
{
	size_t size;
	FILE *out = open_memstream(&dep->value, &size);

	if (!out)
		return -ENOMEM;
	if (!with_modes) {
		put_span(dep, false, out);
	} else {
		if (dep->npre) {
			fputs("pre: ", out);
			put_span(dep, false, out);
		}
		if (dep->npost) {
			fputs("post: ", out);
			put_span(dep, true, out);
		}
	}
	if (fclose(out) != 0) {
		free(dep->value);
		dep->value = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* A softdep (with_modes) or weakdep entry for an already normalized name
 * (taken). */
static int add_dep(struct vec *list, char *name, const char *rest, bool with_modes)
{
	struct dep dep = { .name = name };
	struct dep *slot;
	int err = dep_split(&dep, rest, with_modes);

	if (err == 0)
		err = dep_lists(&dep);
	if (err == 0)
		err = dep_render(&dep, with_modes);
	if (err == 0) {
		slot = vec_push(list, sizeof(*slot));
		if (!slot)
			err = -ENOMEM;
		else
			*slot = dep;
	}
	if (err < 0)
		dep_release(&dep);
	return err;
}

/* ---- configuration files -------------------------------------------------- */

/* The directives.  Each gets the line after its keyword and returns 0,
 * -EINVAL for a bad line, or -ENOMEM. */

static int directive_alias(struct mt_config *cfg, char *args)
{
	char *pattern = next_word(&args);
	char *modname = next_word(&args);

	if (!pattern || !modname)
		return -EINVAL;
	return add_alias(cfg, pattern, modname);
}

static int directive_blacklist(struct mt_config *cfg, char *args)
{
	char *word = next_word(&args), *name;
	int err;

	if (!word)
		return -EINVAL;
	err = normalize_dup(word, &name);
	if (err < 0)
		return err;
	err = add_blacklist(cfg, name);
	free(name);
	return err;
}

/* The NAME word (normalized, in *name) and the non-empty REST after the
 * single character ending it. */
static int name_and_rest(char *args, char **name, char **rest)
{
	char *word = next_word(&args);

	if (!word || !*args)
		return -EINVAL;
	*rest = args;
	return normalize_dup(word, name);
}

static int directive_options(struct mt_config *cfg, char *args)
{
	char *name, *rest;
	int err = name_and_rest(args, &name, &rest);

	return err < 0 ? err : add_option(cfg, name, rest);
}

static int directive_install(struct mt_config *cfg, char *args)
{
	char *name, *rest;
	int err = name_and_rest(args, &name, &rest);

	return err < 0 ? err : add_command(&cfg->installs, name, rest);
}

static int directive_remove(struct mt_config *cfg, char *args)
{
	char *name, *rest;
	int err = name_and_rest(args, &name, &rest);

	return err < 0 ? err : add_command(&cfg->removes, name, rest);
}

static int directive_softdep(struct mt_config *cfg, char *args)
{
	char *name, *rest;
	int err = name_and_rest(args, &name, &rest);

	return err < 0 ? err : add_dep(&cfg->softdeps, name, rest, true);
}

static int directive_weakdep(struct mt_config *cfg, char *args)
{
	char *name, *rest;
	int err = name_and_rest(args, &name, &rest);

	return err < 0 ? err : add_dep(&cfg->weakdeps, name, rest, false);
}

static const struct {
	const char *keyword;
	int (*parse)(struct mt_config *cfg, char *args);
} directives[] = {
	{ "alias", directive_alias },
	{ "blacklist", directive_blacklist },
	{ "options", directive_options },
	{ "install", directive_install },
	{ "remove", directive_remove },
	{ "softdep", directive_softdep },
	{ "weakdep", directive_weakdep },
};

/* One logical line: 0, or -ENOMEM. */
static int parse_line(struct mt_config *cfg, char *line, const char *file, unsigned lineno)
{
	char *args = line, *keyword;
	int err = -EINVAL;

	if (line[0] == '\0' || line[0] == '#')
		return 0;
	keyword = next_word(&args);
	if (!keyword)
		return 0;
	if (strcmp(keyword, "include") == 0 || strcmp(keyword, "config") == 0) {
		mt_log(cfg->ctx, LOG_ERR, "%s: command %s is deprecated and not parsed anymore\n",
		       file, keyword);
		return 0;
	}
	for (size_t i = 0; i < sizeof(directives) / sizeof(directives[0]); i++) {
		if (strcmp(keyword, directives[i].keyword) == 0) {
			err = directives[i].parse(cfg, args);
			break;
		}
	}
	if (err == -EINVAL) {
		mt_log(cfg->ctx, LOG_ERR, "%s line %u: ignoring bad line starting with '%s'\n",
		       file, lineno, keyword);
		return 0;
	}
	return err;
}

/* Read one logical line into *buf: a backslash before a newline joins the
 * next physical line, before any other character stands for it, and is
 * dropped before the end of the file.  *lineno grows by the physical lines
 * read.  1 for a line, 0 at the end of the file, -ENOMEM. */
static int read_line(FILE *fp, char **buf, size_t *cap, unsigned *lineno)
{
	size_t len = 0;
	unsigned lines = 0;

	for (;;) {
		int c = getc_unlocked(fp);

		if (c == '\\') {
			c = getc_unlocked(fp);
			if (c == '\n') {
				lines++;
				continue;
			}
		}
		if (c == EOF && len == 0)
			return 0;
		if (mt_array_reserve(buf, cap, len + 2, 1) < 0)
			return -ENOMEM;
		if (c == EOF || c == '\n') {
			(*buf)[len] = '\0';
			*lineno += lines + 1;
			return 1;
		}
		(*buf)[len++] = (char)c;
	}
}

/* Parse one file; an unopenable one is skipped.  0 or -ENOMEM. */
static int parse_file(struct mt_config *cfg, const char *path)
{
	FILE *fp = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;
	int ret;

	if (!fp)
		return 0;
	while ((ret = read_line(fp, &line, &cap, &lineno)) > 0) {
		ret = parse_line(cfg, line, path, lineno);
		if (ret < 0)
			break;
	}
	free(line);
	fclose(fp);
	return ret;
}

/* kmod's messages about the modprobe.d files it skips. */
static void report_file(void *data, enum mt_conf_event event, const char *dir, const char *name,
			int err)
{
	const struct mt_ctx *ctx = data;

	switch (event) {
	case MT_CONF_NO_DIR:
		mt_log(ctx, LOG_ERR, "opendir(%s): %s\n", dir, strerror(err));
		break;
	case MT_CONF_NO_STAT:
		mt_log(ctx, LOG_ERR, "Cannot stat directory entry: %s/%s\n", dir, name);
		break;
	case MT_CONF_SUBDIR:
		mt_log(ctx, LOG_ERR, "Directories inside directories are not supported: %s/%s\n",
		       dir, name);
		break;
	case MT_CONF_NO_PATH:
	case MT_CONF_NOT_CONF:
	case MT_CONF_DUPLICATE:
	case MT_CONF_DIR_DONE:
		break;
	}
}

/* ---- the kernel command line ---------------------------------------------- */

enum cmdline_phase {
	CMDLINE_MODULE,		/* before the first '.' */
	CMDLINE_PARAM,		/* after it, before any '=' */
	CMDLINE_VALUE,		/* after the '=' */
	CMDLINE_IGNORE,		/* malformed: skipped up to the next separator */
};

struct cmdline_token {
	char *module;		/* start of the module name */
	char *dot;		/* the '.' ending it */
	char *eq;		/* the '=' opening the value, or NULL */
	bool requote;		/* the token began with a '"' */
	enum cmdline_phase phase;
};

/* A module name that failed normalization as kmod reports it: dashes made
 * underscores up to the offending bracket. */
static void normalize_prefix(char *name)
{
	for (char *p = name; *p; p++) {
		if (*p == ']')
			return;
		if (*p == '[') {
			p = strchr(p, ']');
			if (!p)
				return;
		} else if (*p == '-') {
			*p = '_';
		}
	}
}

/* A complete MODULE.PARAM[=VALUE] token ending at `end`: a blacklist for
 * modprobe.blacklist=, else options.  0 or -ENOMEM. */
static int cmdline_entry(struct mt_config *cfg, const struct cmdline_token *tok, char *end)
{
	char *param = tok->dot + 1, *name;
	int err = 0;

	*tok->dot = '\0';
	*end = '\0';
	if (tok->requote) {
		/* The boot loader quoted the whole token: quote the value
		 * instead (the closing quote, which only a value can hold
		 * without the token being ignored, is already there). */
		int head_len = (int)(tok->eq + 1 - param);	/* "PARAM=" */

		if (asprintf(&param, "%.*s\"%s", head_len, param, tok->eq + 1) < 0)
			return -ENOMEM;
	}
	if (strcmp(tok->module, "modprobe") == 0 && strncmp(param, "blacklist=", 10) == 0) {
		char *list = param + 10;

		for (char *item; err == 0 && (item = strsep(&list, ","));)
			err = add_blacklist(cfg, item);
	} else {
		err = normalize_dup(tok->module, &name);
		if (err == -EINVAL) {
			normalize_prefix(tok->module);
			mt_log(cfg->ctx, LOG_ERR, "Ignoring bad option on kernel command line "
			       "while parsing module name: '%s'\n", tok->module);
			err = 0;
		} else if (err == 0) {
			err = add_option(cfg, name, param);
		}
	}
	if (param != tok->dot + 1)
		free(param);
	return err;
}

/* Parse the command line in buf (modified).  Tokens are separated by
 * whitespace; '"' toggles quoting, which may open a token or appear in a
 * value (where it protects whitespace); anywhere else it, a second '.', an
 * '=' before the '.', or quoted whitespace outside the value make the token
 * ignored.  A value left open at the end is dropped.  0 or -ENOMEM. */
static int cmdline_parse(struct mt_config *cfg, char *buf)
{
	struct cmdline_token tok = { .module = buf, .phase = CMDLINE_MODULE };
	bool quoted = false;
	int err = 0;

	for (char *p = buf; err == 0; p++) {
		char c = *p;

		if (c == '"') {
			quoted = !quoted;
			if (quoted && tok.phase == CMDLINE_MODULE && p == tok.module) {
				tok.requote = true;
				tok.module = p + 1;
			} else if (tok.phase != CMDLINE_VALUE) {
				tok.phase = CMDLINE_IGNORE;
			}
		} else if (c == '\0' || is_space(c)) {
			if (quoted) {
				if (tok.phase != CMDLINE_VALUE)
					tok.phase = CMDLINE_IGNORE;
			} else {
				if (tok.phase == CMDLINE_PARAM || tok.phase == CMDLINE_VALUE)
					err = cmdline_entry(cfg, &tok, p);
				tok = (struct cmdline_token){ .module = p + 1,
							      .phase = CMDLINE_MODULE };
			}
			if (c == '\0')
				break;
		} else if (c == '.') {
			if (tok.phase == CMDLINE_MODULE) {
				tok.dot = p;
				tok.phase = CMDLINE_PARAM;
			} else if (tok.phase == CMDLINE_PARAM) {
				tok.phase = CMDLINE_IGNORE;
			}
		} else if (c == '=') {
			if (tok.phase == CMDLINE_PARAM) {
				tok.eq = p;
				tok.phase = CMDLINE_VALUE;
			} else if (tok.phase == CMDLINE_MODULE) {
				tok.phase = CMDLINE_IGNORE;
			}
		}
	}
	return err;
}

/* The first KERNEL_CMDLINE_MAX bytes of /proc/cmdline; a missing file
 * gives nothing.  0 or -ENOMEM. */
static int parse_kernel_cmdline(struct mt_config *cfg)
{
	char buf[KERNEL_CMDLINE_MAX + 1];
	size_t len = 0;
	int fd = open(KERNEL_CMDLINE, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	while (len < KERNEL_CMDLINE_MAX) {
		ssize_t n = read(fd, buf + len, KERNEL_CMDLINE_MAX - len);

		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			mt_log(cfg->ctx, LOG_ERR, "could not read from '%s': %s\n", KERNEL_CMDLINE,
			       strerror(errno));
			close(fd);
			return 0;
		}
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return cmdline_parse(cfg, buf);
}

/* ---- the configuration object --------------------------------------------- */

/* Every file to read, in parsing order: DIRNAME/modules.softdep and
 * modules.weakdep, listed whether they exist or not, and the paths.
 * 0 or -ENOMEM. */
static int list_files(struct mt_conf_list *files, const struct mt_ctx *ctx,
		      const char *const *paths, int npaths)
{
	const struct mt_conf_lister lister = { .report = report_file, .data = (void *)ctx };
	int err;

	err = mt_conf_list_add(files, ctx->dirname, "modules.softdep", &lister);
	if (err == 0)
		err = mt_conf_list_add(files, ctx->dirname, "modules.weakdep", &lister);
	for (int i = 0; err == 0 && i < npaths; i++)
		err = mt_conf_list_add_path(files, paths[i], &lister);
	return err;
}

/* The modification time of each path that exists, as kmod keeps them for
 * kmod_validate_resources.  0 or -ENOMEM. */
static int record_stamps(struct mt_config *cfg, const char *const *paths, int npaths)
{
	for (int i = 0; i < npaths; i++) {
		struct stat st;
		struct stamp *stamp;

		if (stat(paths[i], &st) < 0)
			continue;
		stamp = vec_push(&cfg->stamps, sizeof(*stamp));
		if (!stamp || !(stamp->path = strdup(paths[i])))
			return -ENOMEM;
		stamp->mtime = st.st_mtim;
	}
	return 0;
}

bool mt_config_changed(const struct mt_config *cfg)
{
	const struct stamp *stamps = cfg->stamps.data;

	for (int i = 0; i < cfg->stamps.count; i++) {
		struct stat st;

		if (stat(stamps[i].path, &st) < 0 || st.st_mtim.tv_sec != stamps[i].mtime.tv_sec ||
		    st.st_mtim.tv_nsec != stamps[i].mtime.tv_nsec)
			return true;
	}
	return false;
}

int mt_config_read(struct mt_ctx *ctx, const char *const *paths, int npaths,
		   struct mt_config **out)
{
	struct mt_config *cfg = calloc(1, sizeof(*cfg));
	struct mt_conf_list files = { 0 };
	int err;

	if (!cfg)
		return mt_fail(ENOMEM, "configuration: out of memory");
	cfg->ctx = ctx;
	if (!paths) {
		paths = default_paths;
		npaths = (int)(sizeof(default_paths) / sizeof(default_paths[0]));
	}
	err = record_stamps(cfg, paths, npaths);
	if (err == 0)
		err = list_files(&files, ctx, paths, npaths);
	for (size_t i = 0; err == 0 && i < files.n; i++)
		err = parse_file(cfg, files.files[i].path);
	mt_conf_list_release(&files);
	if (err == 0)
		err = parse_kernel_cmdline(cfg);
	if (err < 0) {
		mt_config_free(cfg);
		return mt_fail(-err, "configuration: %s", strerror(-err));
	}
	*out = cfg;
	return 0;
}

void mt_config_free(struct mt_config *cfg)
{
	struct mt_config_alias *aliases;
	struct option *options;
	struct command *commands;
	struct dep *deps;
	struct stamp *stamps;
	char **names;

	if (!cfg)
		return;
	aliases = cfg->aliases.data;
	for (int i = 0; i < cfg->aliases.count; i++) {
		free((char *)aliases[i].pattern);
		free((char *)aliases[i].modname);
	}
	names = cfg->blacklist.data;
	for (int i = 0; i < cfg->blacklist.count; i++)
		free(names[i]);
	options = cfg->options.data;
	for (int i = 0; i < cfg->options.count; i++) {
		free(options[i].name);
		free(options[i].value);
	}
	commands = cfg->installs.data;
	for (int i = 0; i < cfg->installs.count; i++) {
		free(commands[i].name);
		free(commands[i].command);
	}
	commands = cfg->removes.data;
	for (int i = 0; i < cfg->removes.count; i++) {
		free(commands[i].name);
		free(commands[i].command);
	}
	deps = cfg->softdeps.data;
	for (int i = 0; i < cfg->softdeps.count; i++)
		dep_release(&deps[i]);
	deps = cfg->weakdeps.data;
	for (int i = 0; i < cfg->weakdeps.count; i++)
		dep_release(&deps[i]);
	stamps = cfg->stamps.data;
	for (int i = 0; i < cfg->stamps.count; i++)
		free(stamps[i].path);
	free(cfg->stamps.data);
	free(cfg->aliases.data);
	free(cfg->blacklist.data);
	free(cfg->options.data);
	free(cfg->installs.data);
	free(cfg->removes.data);
	free(cfg->softdeps.data);
	free(cfg->weakdeps.data);
	free(cfg);
}

/* ---- queries --------------------------------------------------------------- */

const struct mt_config_alias *mt_config_aliases(const struct mt_config *cfg, int *count)
{
	*count = cfg->aliases.count;
	return cfg->aliases.data;
}

static bool option_applies(const struct option *opt, const char *name, const char *alias_pattern)
{
	return strcmp(opt->name, name) == 0 ||
	       (alias_pattern && strcmp(opt->name, alias_pattern) == 0);
}

char *mt_config_options(const struct mt_config *cfg, const char *name, const char *alias_pattern)
{
	const struct option *opts = cfg->options.data;
	size_t size = 0;
	char *joined, *end;

	for (int i = 0; i < cfg->options.count; i++) {
		if (option_applies(&opts[i], name, alias_pattern))
			size += strlen(opts[i].value) + 1;
	}
	errno = 0;
	if (size == 0)
		return NULL;
	joined = malloc(size);
	if (!joined)
		return NULL;
	end = joined;
	for (int i = 0; i < cfg->options.count; i++) {
		if (!option_applies(&opts[i], name, alias_pattern))
			continue;
		if (end != joined)
			*end++ = ' ';
		end = stpcpy(end, opts[i].value);
	}
	return joined;
}

static const char *find_command(const struct vec *list, const char *name, bool exact)
{
	const struct command *cmds = list->data;

	for (int i = 0; i < list->count; i++) {
		if (exact ? strcmp(cmds[i].name, name) == 0 : mt_glob_match(cmds[i].name, name))
			return cmds[i].command;
	}
	return NULL;
}

const char *mt_config_install(const struct mt_config *cfg, const char *name, bool exact)
{
	return find_command(&cfg->installs, name, exact);
}

const char *mt_config_remove(const struct mt_config *cfg, const char *name, bool exact)
{
	return find_command(&cfg->removes, name, exact);
}

bool mt_config_blacklisted(const struct mt_config *cfg, const char *name)
{
	char *const *names = cfg->blacklist.data;

	for (int i = 0; i < cfg->blacklist.count; i++) {
		if (strcmp(names[i], name) == 0)
			return true;
	}
	return false;
}

int mt_config_softdeps(const struct mt_config *cfg, const char *name,
		       const char *const **pre, int *npre,
		       const char *const **post, int *npost)
{
	const struct dep *deps = cfg->softdeps.data;

	for (int i = 0; i < cfg->softdeps.count; i++) {
		if (mt_glob_match(deps[i].name, name)) {
			*pre = deps[i].pre;
			*npre = deps[i].npre;
			*post = deps[i].post;
			*npost = deps[i].npost;
			return 1;
		}
	}
	*pre = *post = NULL;
	*npre = *npost = 0;
	return 0;
}

int mt_config_weakdeps(const struct mt_config *cfg, const char *name, const char *const **names,
		       int *count)
{
	const struct dep *deps = cfg->weakdeps.data;

	for (int i = 0; i < cfg->weakdeps.count; i++) {
		if (mt_glob_match(deps[i].name, name)) {
			*names = deps[i].pre;
			*count = deps[i].npre;
			return 1;
		}
	}
	*names = NULL;
	*count = 0;
	return 0;
}

/* ---- the entries, one by one, and modprobe -c ------------------------------ */

int mt_config_entry(const struct mt_config *cfg, enum mt_config_kind kind, int index,
		    const char **key, const char **value)
{
	static const size_t count_offset[] = {
		[MT_CONFIG_BLACKLIST] = offsetof(struct mt_config, blacklist.count),
		[MT_CONFIG_INSTALL] = offsetof(struct mt_config, installs.count),
		[MT_CONFIG_REMOVE] = offsetof(struct mt_config, removes.count),
		[MT_CONFIG_ALIAS] = offsetof(struct mt_config, aliases.count),
		[MT_CONFIG_OPTIONS] = offsetof(struct mt_config, options.count),
		[MT_CONFIG_SOFTDEP] = offsetof(struct mt_config, softdeps.count),
		[MT_CONFIG_WEAKDEP] = offsetof(struct mt_config, weakdeps.count),
	};

	if ((unsigned)kind >= sizeof(count_offset) / sizeof(count_offset[0]) || index < 0 ||
	    index >= *(const int *)((const char *)cfg + count_offset[kind]))
		return 0;
	switch (kind) {
	case MT_CONFIG_BLACKLIST:
		*key = ((char *const *)cfg->blacklist.data)[index];
		*value = NULL;
		break;
	case MT_CONFIG_INSTALL:
	case MT_CONFIG_REMOVE: {
		const struct command *cmd = (const struct command *)(kind == MT_CONFIG_INSTALL ?
			cfg->installs.data : cfg->removes.data) + index;

		*key = cmd->name;
		*value = cmd->command;
		break;
	}
	case MT_CONFIG_ALIAS:
		*key = ((const struct mt_config_alias *)cfg->aliases.data)[index].pattern;
		*value = ((const struct mt_config_alias *)cfg->aliases.data)[index].modname;
		break;
	case MT_CONFIG_OPTIONS:
		*key = ((const struct option *)cfg->options.data)[index].name;
		*value = ((const struct option *)cfg->options.data)[index].value;
		break;
	case MT_CONFIG_SOFTDEP:
	case MT_CONFIG_WEAKDEP: {
		const struct dep *dep = (const struct dep *)(kind == MT_CONFIG_SOFTDEP ?
			cfg->softdeps.data : cfg->weakdeps.data) + index;

		*key = dep->name;
		*value = dep->value;
		break;
	}
	}
	return 1;
}

int mt_config_entry_deps(const struct mt_config *cfg, enum mt_config_kind kind, int index,
			 const char *const **pre, int *npre, const char *const **post, int *npost)
{
	const struct vec *list = kind == MT_CONFIG_SOFTDEP ? &cfg->softdeps :
				 kind == MT_CONFIG_WEAKDEP ? &cfg->weakdeps : NULL;
	const struct dep *dep;

	if (!list || index < 0 || index >= list->count)
		return 0;
	dep = (const struct dep *)list->data + index;
	*pre = dep->pre;
	*npre = dep->npre;
	*post = dep->post;
	*npost = dep->npost;
	return 1;
}

void mt_config_dump(const struct mt_config *cfg, FILE *out)
{
	static const char *const keywords[] = {
		[MT_CONFIG_BLACKLIST] = "blacklist", [MT_CONFIG_INSTALL] = "install",
		[MT_CONFIG_REMOVE] = "remove", [MT_CONFIG_ALIAS] = "alias",
		[MT_CONFIG_OPTIONS] = "options", [MT_CONFIG_SOFTDEP] = "softdep",
		[MT_CONFIG_WEAKDEP] = "weakdep",
	};
	const char *key, *value;

	for (enum mt_config_kind k = MT_CONFIG_BLACKLIST; k <= MT_CONFIG_WEAKDEP; k++) {
		for (int i = 0; mt_config_entry(cfg, k, i, &key, &value); i++) {
			if (value)
				fprintf(out, "%s %s %s\n", keywords[k], key, value);
			else
				fprintf(out, "%s %s\n", keywords[k], key);
		}
	}
}

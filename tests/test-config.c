/*
 * test-config.c — TAP unit test of the modprobe.d configuration (config.c):
 * the file list, the syntax, every directive, the kernel command line, the
 * queries, the `modprobe -c` rendering, and hostile input.
 *
 * Reading a configuration always reads /proc/cmdline, and by default the system's
 * modprobe.d directories, so the tests run under the shim (from $MT_SHIM or
 * argv[1]): the test builds a temporary root, then re-executes itself under
 * LD_PRELOAD as "--unit ROOT".
 *
 * "test-config --dump [-d DIRNAME] [-C PATH]..." prints mt_config_dump() of
 * that configuration (the default directories without -C) and the library's
 * messages on stderr; tests/test-config.sh compares it with kmod's
 * `modprobe -c`.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>
#include "internal.h"
#include "tap.h"

/* ---- --dump ---------------------------------------------------------------- */

static void print_message(int priority, const char *msg, void *data)
{
	(void)priority;
	(void)data;
	fputs(msg, stderr);
}

static int dump_main(int argc, char **argv)
{
	const char **paths = calloc((size_t)argc + 1, sizeof(*paths));
	const char *dirname = NULL;
	struct mt_ctx *ctx = NULL;
	int npaths = 0, err;

	if (!paths)
		return 1;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "-d") == 0 && i + 1 < argc) {
			dirname = argv[++i];
		} else if (strcmp(argv[i], "-C") == 0 && i + 1 < argc) {
			paths[npaths++] = argv[++i];
		} else {
			fprintf(stderr, "usage: test-config --dump [-d DIRNAME] [-C PATH]...\n");
			free(paths);
			return 2;
		}
	}
	err = mt_ctx_new(dirname, &ctx);
	if (err >= 0) {
		mt_ctx_set_log_fn(ctx, print_message, NULL);
		err = mt_ctx_load_config(ctx, npaths ? paths : NULL, npaths);
	}
	free(paths);
	if (err < 0) {
		fprintf(stderr, "test-config: %s\n", mt_last_error());
		mt_ctx_free(ctx);
		return 1;
	}
	mt_config_dump(mt_ctx_config(ctx), stdout);
	mt_ctx_free(ctx);
	return 0;
}

/* ---- fixtures (under the shim) ------------------------------------------------ */

static const char *root;	/* the fake system */
static char moddir[PATH_MAX];	/* ROOT/lib/modules/VER: DIRNAME */
static struct mt_ctx *moddir_ctx;	/* the context of moddir */

/* Messages the library reported since the last take_log(). */
static char *log_text;
static size_t log_len;

static void record_message(int priority, const char *msg, void *data)
{
	size_t len = strlen(msg);
	char *grown;

	(void)data;
	if (priority != LOG_ERR)
		len = 0;
	grown = realloc(log_text, log_len + len + 1);
	if (!grown)
		abort();
	memcpy(grown + log_len, msg, len + 1);
	log_text = grown;
	log_len += len;
}

/* What take_log() and dump() returned last. */
static char *taken, *dumped;

/* The recorded messages (valid until the next call); "" if none. */
static const char *take_log(void)
{
	free(taken);
	taken = log_text ? log_text : strdup("");
	log_text = NULL;
	log_len = 0;
	return taken;
}

/* ROOT/REL; the strings live until the end of the tests. */
static char **root_paths;
static int nroot_paths;

static const char *path_in_root(const char *rel)
{
	char **grown = realloc(root_paths, sizeof(*root_paths) * (size_t)(nroot_paths + 1));

	if (!grown || asprintf(&grown[nroot_paths], "%s/%s", root, rel) < 0)
		abort();
	root_paths = grown;
	return root_paths[nroot_paths++];
}

static void make_dirs(const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	mkdir(path, 0755);
}

/* Write `len` bytes to ROOT/REL, creating its directories. */
static void write_bytes(const char *rel, const void *data, size_t len)
{
	char dir[PATH_MAX], *slash;
	FILE *fp;

	snprintf(dir, sizeof(dir), "%s", rel);
	slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		make_dirs(dir);
	}
	fp = fopen(path_in_root(rel), "we");
	if (!fp || fwrite(data, 1, len, fp) != len || fclose(fp) != 0) {
		printf("Bail out! cannot write %s\n", rel);
		exit(1);
	}
}

static void write_text(const char *rel, const char *text)
{
	write_bytes(rel, text, strlen(text));
}

static void set_cmdline(const char *text)
{
	write_text("proc/cmdline", text);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* Remove ROOT/REL and everything below it. */
static void remove_tree(const char *rel)
{
	nftw(path_in_root(rel), remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* The configuration with the -C paths given (NULL-terminated list; NULL
 * itself for the defaults), for the context of moddir. */
static struct mt_config *load(const char *const *paths)
{
	struct mt_config *cfg = NULL;
	int npaths = 0;
	int err;

	while (paths && paths[npaths])
		npaths++;
	err = mt_config_read(moddir_ctx, paths, npaths, &cfg);
	if (err < 0) {
		printf("Bail out! mt_config_read: %s\n", mt_last_error());
		exit(1);
	}
	return cfg;
}

/* mt_config_dump() as a string (valid until the next call). */
static const char *dump(const struct mt_config *cfg)
{
	size_t size;
	FILE *fp;

	free(dumped);
	dumped = NULL;
	fp = open_memstream(&dumped, &size);
	if (!fp)
		abort();
	mt_config_dump(cfg, fp);
	fclose(fp);
	return dumped;
}

/* Whether `text` has the line `line`. */
static bool has_line(const char *text, const char *line)
{
	size_t len = strlen(line);

	for (const char *p = text; (p = strstr(p, line)); p++) {
		if ((p == text || p[-1] == '\n') && p[len] == '\n')
			return true;
	}
	return false;
}

/* Load the single file ROOT/cfg/test.conf holding `text` and compare the
 * dump and the messages (FILE stands for the file's path in `messages`). */
static void check_file(const char *desc, const char *text, const char *want_dump,
		       const char *want_messages)
{
	const char *paths[] = { path_in_root("cfg/test.conf"), NULL };
	char want_log[8192], *out = want_log;
	struct mt_config *cfg;

	remove_tree("cfg");
	write_text("cfg/test.conf", text);
	for (const char *m = want_messages; *m; m++) {
		if (strncmp(m, "FILE", 4) == 0) {
			out += sprintf(out, "%s", paths[0]);
			m += 3;
		} else {
			*out++ = *m;
		}
	}
	*out = '\0';
	take_log();
	cfg = load(paths);
	tap_is_str(dump(cfg), want_dump, "%s: dump", desc);
	tap_is_str(take_log(), want_log, "%s: messages", desc);
	mt_config_free(cfg);
}

/* ---- tests ------------------------------------------------------------------ */

static void test_syntax(void)
{
	check_file("continuation lines and escapes",
		   "alias a\\\nb c\n"
		   "al\\ias \\x\\-y m\\\\n\n"
		   "install i-1 cmd\\\targ \\\n  more\n"
		   "remove r \\\\\n",
		   "install i_1 cmd\targ   more\n"
		   "remove r \\\n"
		   "alias ab c\n"
		   "alias x_y m\\n\n",
		   "");
	check_file("a comment swallows its continuation",
		   "# comment \\\nalias hidden h\nalias shown s\n",
		   "alias shown s\n", "");
	check_file("a trailing backslash at the end of the file is dropped",
		   "alias a b\\", "alias a b\n", "");
	check_file("a lone backslash at the end of the file",
		   "alias a b\n\\", "alias a b\n", "");
	check_file("a last line without newline", "blacklist x", "blacklist x\n", "");
	check_file("empty, blank and comment lines",
		   "\n#x\n \n\t\n#\n  # indented\nblacklist b\n",
		   "blacklist b\n",
		   "FILE line 6: ignoring bad line starting with '#'\n");
	check_file("line numbers count physical lines",
		   "bad1 \\\n\\\nx\nalias ok o\n\nbad2\n",
		   "alias ok o\n",
		   "FILE line 3: ignoring bad line starting with 'bad1'\n"
		   "FILE line 6: ignoring bad line starting with 'bad2'\n");
	{
		static const char text[] = "alias a\0junk b\noptions o x\0y\nalias q w\n";

		remove_tree("cfg");
		write_bytes("cfg/nul.conf", text, sizeof(text) - 1);
		take_log();
		{
			const char *paths[] = { path_in_root("cfg"), NULL };
			struct mt_config *cfg = load(paths);

			tap_is_str(dump(cfg), "alias q w\noptions o x\n",
				   "NUL bytes: the rest of the line is ignored");
			tap_ok(strstr(take_log(), "nul.conf line 1: ignoring bad line starting with 'alias'\n") != NULL,
			       "NUL bytes: the truncated line is reported");
			mt_config_free(cfg);
		}
	}
	check_file("carriage returns and vertical tabs are part of words",
		   "alias cr m\r\nalias vt\vx m\n",
		   "alias cr m\r\nalias vt\vx m\n", "");
	check_file("keywords are case-sensitive; words split on spaces and tabs",
		   "ALIAS x y\n\talias\tp-q \t r-s extra words\n",
		   "alias p_q r_s\n",
		   "FILE line 1: ignoring bad line starting with 'ALIAS'\n");
}

static void test_directives(void)
{
	check_file("alias normalization and bad brackets",
		   "alias [a-b]-c-[x-y] d-e\nalias a[ b\nalias a b[\nalias a] b\n"
		   "alias a-* m-[0-9]\n",
		   "alias [a-b]_c_[x-y] d_e\nalias a_* m_[0-9]\n",
		   "FILE line 2: ignoring bad line starting with 'alias'\n"
		   "FILE line 3: ignoring bad line starting with 'alias'\n"
		   "FILE line 4: ignoring bad line starting with 'alias'\n");
	check_file("missing words",
		   "alias\nalias a\nalias a \nblacklist\nblacklist  \noptions foo\noptions foo \n"
		   "install foo\ninstall foo \nremove foo\nsoftdep foo\nsoftdep foo \n"
		   "weakdep foo\nweakdep foo \n",
		   "",
		   "FILE line 1: ignoring bad line starting with 'alias'\n"
		   "FILE line 2: ignoring bad line starting with 'alias'\n"
		   "FILE line 3: ignoring bad line starting with 'alias'\n"
		   "FILE line 4: ignoring bad line starting with 'blacklist'\n"
		   "FILE line 5: ignoring bad line starting with 'blacklist'\n"
		   "FILE line 6: ignoring bad line starting with 'options'\n"
		   "FILE line 7: ignoring bad line starting with 'options'\n"
		   "FILE line 8: ignoring bad line starting with 'install'\n"
		   "FILE line 9: ignoring bad line starting with 'install'\n"
		   "FILE line 10: ignoring bad line starting with 'remove'\n"
		   "FILE line 11: ignoring bad line starting with 'softdep'\n"
		   "FILE line 12: ignoring bad line starting with 'softdep'\n"
		   "FILE line 13: ignoring bad line starting with 'weakdep'\n"
		   "FILE line 14: ignoring bad line starting with 'weakdep'\n");
	check_file("bad brackets in every directive",
		   "blacklist a]\noptions a[ x\ninstall a[ x\nremove a] y\nsoftdep a[ pre: x\n"
		   "weakdep a] b\n",
		   "",
		   "FILE line 1: ignoring bad line starting with 'blacklist'\n"
		   "FILE line 2: ignoring bad line starting with 'options'\n"
		   "FILE line 3: ignoring bad line starting with 'install'\n"
		   "FILE line 4: ignoring bad line starting with 'remove'\n"
		   "FILE line 5: ignoring bad line starting with 'softdep'\n"
		   "FILE line 6: ignoring bad line starting with 'weakdep'\n");
	check_file("options: REST after one separator, tabs become spaces",
		   "options foo  \noptions tab\ta=1\tb=2 \noptions  sp  x \n",
		   "options foo  \noptions tab a=1 b=2 \noptions sp  x \n", "");
	check_file("install and remove keep their command raw",
		   "install snd-* /sbin/x\t--y;  z \nremove a-b\t\tcmd\n",
		   "install snd_* /sbin/x\t--y;  z \nremove a_b \tcmd\n", "");
	check_file("deprecated commands",
		   "include /etc/x\nconfig y\ninclude\n", "",
		   "FILE: command include is deprecated and not parsed anymore\n"
		   "FILE: command config is deprecated and not parsed anymore\n"
		   "FILE: command include is deprecated and not parsed anymore\n");
	check_file("softdep modes and rendering",
		   "softdep foo pre: a b post: c d\n"
		   "softdep ext4 pre: mbcache crc16 post: crc16 pre: jbd2\n"
		   "softdep cifs gcm\n"
		   "softdep post-only post:  z  \n"
		   "softdep spaces pre:  x \t y\vz\n"
		   "softdep glued pre:x post:y\n"
		   "softdep modes pre: post:\n",
		   "softdep foo pre: a bpost: c d\n"
		   "softdep ext4 pre: mbcache crc16 crc16 jbd2post: crc16\n"
		   "softdep cifs \n"
		   "softdep post_only post: z\n"
		   "softdep spaces pre: x y z\n"
		   "softdep glued \n"
		   "softdep modes \n", "");
	check_file("softdep: one leading whitespace sticks to the first token",
		   "softdep one  pre: a\nsoftdep tab \tpre: b\nsoftdep two   pre: c\n"
		   "softdep name  a pre: d\n",
		   "softdep one \nsoftdep tab \nsoftdep two pre: c\nsoftdep name pre: d\n", "");
	check_file("weakdep names and rendering",
		   "weakdep a-b x-y z\nweakdep sticky  first second\nweakdep none  \n"
		   "weakdep modes pre: p post: q\n",
		   "weakdep a_b x-y z\nweakdep sticky  first second\nweakdep none \n"
		   "weakdep modes pre: p post: q\n",
		   "");
	check_file("category order of the dump",
		   "weakdep w x\nsoftdep s pre: x\noptions o x\nalias a x\nremove r x\n"
		   "install i x\nblacklist b\n",
		   "blacklist b\ninstall i x\nremove r x\nalias a x\noptions o x\n"
		   "softdep s pre: x\nweakdep w x\n",
		   "");
}

static void test_queries(void)
{
	const char *paths[] = { path_in_root("cfg"), NULL };
	const char *const *pre, *const *post;
	const struct mt_config_alias *aliases;
	int npre, npost, count, found;
	struct mt_config *cfg;
	char *opts;

	remove_tree("cfg");
	write_text("cfg/q.conf",
		   "alias my* crc16\n"
		   "alias my-alias snd-foo\n"
		   "options my* a=1\n"
		   "options mything b=2\n"
		   "options crc16 c=3\n"
		   "options crc16  d=4 \n"
		   "install snd-* echo first\n"
		   "install snd-foo echo exact\n"
		   "remove snd-foo echo rm-exact\n"
		   "remove snd-* echo rm-glob\n"
		   "blacklist bad-mod\n"
		   "softdep btrfs pre: blake2b-256\n"
		   "softdep btrfs pre: xxhash64\n"
		   "softdep btrfs pre: sha256\n"
		   "softdep btr* post: crc32c\n"
		   "softdep ext4 pre: a post: b pre: c\n"
		   "softdep cifs gcm\n"
		   "weakdep ext4 loop\n"
		   "weakdep ext* dummy x-y\n");
	set_cmdline("modprobe.blacklist=bar-baz,cmd-mod crc16.e=5\n");
	cfg = load(paths);

	aliases = mt_config_aliases(cfg, &count);
	tap_is_int(count, 2, "aliases: count");
	tap_ok(count == 2 && strcmp(aliases[0].pattern, "my*") == 0 && strcmp(aliases[0].modname, "crc16") == 0 &&
	       strcmp(aliases[1].pattern, "my_alias") == 0 && strcmp(aliases[1].modname, "snd_foo") == 0,
	       "aliases: normalized, in order");

	opts = mt_config_options(cfg, "crc16", "my*");
	tap_is_str(opts, "a=1 c=3  d=4  e=5", "options: name and alias pattern, config then cmdline order");
	free(opts);
	opts = mt_config_options(cfg, "crc16", NULL);
	tap_is_str(opts, "c=3  d=4  e=5", "options: by name only");
	free(opts);
	opts = mt_config_options(cfg, "crc16", "mything");
	tap_is_str(opts, "b=2 c=3  d=4  e=5", "options: exact compare with the alias pattern");
	free(opts);
	errno = EBADF;
	opts = mt_config_options(cfg, "nothing", "nope");
	tap_ok(opts == NULL && errno == 0, "options: NULL (errno 0) when none");

	tap_is_str(mt_config_install(cfg, "snd_foo", false), "echo first", "install: first fnmatch match");
	tap_is_str(mt_config_install(cfg, "snd_foo", true), "echo exact", "install: exact name");
	tap_is_str(mt_config_install(cfg, "snd_bar", true), NULL, "install: no exact match");
	tap_is_str(mt_config_install(cfg, "other", false), NULL, "install: no match");
	tap_is_str(mt_config_remove(cfg, "snd_foo", false), "echo rm-exact", "remove: first match");
	tap_is_str(mt_config_remove(cfg, "snd_x", false), "echo rm-glob", "remove: pattern");
	tap_is_str(mt_config_remove(cfg, "snd_x", true), NULL, "remove: exact");

	tap_ok(mt_config_blacklisted(cfg, "bad_mod"), "blacklist: normalized from the file");
	tap_ok(!mt_config_blacklisted(cfg, "bad-mod"), "blacklist: compared exactly");
	tap_ok(mt_config_blacklisted(cfg, "bar-baz") && !mt_config_blacklisted(cfg, "bar_baz"),
	       "blacklist: the command line's entries are not normalized");
	tap_ok(mt_config_blacklisted(cfg, "cmd-mod"), "blacklist: every command line entry");

	found = mt_config_softdeps(cfg, "btrfs", &pre, &npre, &post, &npost);
	tap_ok(found == 1 && npre == 1 && strcmp(pre[0], "blake2b-256") == 0 && npost == 0,
	       "softdeps: only the first matching entry");
	found = mt_config_softdeps(cfg, "btrx", &pre, &npre, &post, &npost);
	tap_ok(found == 1 && npre == 0 && npost == 1 && strcmp(post[0], "crc32c") == 0,
	       "softdeps: the name is an fnmatch pattern");
	found = mt_config_softdeps(cfg, "ext4", &pre, &npre, &post, &npost);
	tap_ok(found == 1 && npre == 2 && strcmp(pre[0], "a") == 0 && strcmp(pre[1], "c") == 0 &&
	       npost == 1 && strcmp(post[0], "b") == 0, "softdeps: pre and post lists");
	found = mt_config_softdeps(cfg, "xfs", &pre, &npre, &post, &npost);
	tap_ok(found == 0 && npre == 0 && npost == 0 && !pre && !post, "softdeps: none");

	found = mt_config_weakdeps(cfg, "ext4", &pre, &npre);
	tap_ok(found == 1 && npre == 1 && strcmp(pre[0], "loop") == 0,
	       "weakdeps: only the first matching entry");
	found = mt_config_weakdeps(cfg, "ext3", &pre, &npre);
	tap_ok(found == 1 && npre == 2 && strcmp(pre[0], "dummy") == 0 && strcmp(pre[1], "x-y") == 0,
	       "weakdeps: a pattern, the names as written");
	found = mt_config_weakdeps(cfg, "xfs", &pre, &npre);
	tap_ok(found == 0 && npre == 0 && !pre, "weakdeps: none");

	/* The entries one by one: key and value as modprobe -c shows them. */
	{
		static const struct {
			enum mt_config_kind kind;
			int index;
			const char *key, *value;
		} want[] = {
			{ MT_CONFIG_BLACKLIST, 0, "bad_mod", NULL },
			{ MT_CONFIG_BLACKLIST, 2, "cmd-mod", NULL },
			{ MT_CONFIG_INSTALL, 1, "snd_foo", "echo exact" },
			{ MT_CONFIG_REMOVE, 1, "snd_*", "echo rm-glob" },
			{ MT_CONFIG_ALIAS, 1, "my_alias", "snd_foo" },
			{ MT_CONFIG_OPTIONS, 3, "crc16", " d=4 " },
			{ MT_CONFIG_OPTIONS, 4, "crc16", "e=5" },
			{ MT_CONFIG_SOFTDEP, 3, "btr*", "post: crc32c" },
			{ MT_CONFIG_SOFTDEP, 4, "ext4", "pre: a b cpost: b" },
			{ MT_CONFIG_SOFTDEP, 5, "cifs", "" },
			{ MT_CONFIG_WEAKDEP, 1, "ext*", "dummy x-y" },
		};
		const char *key, *value;

		for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
			found = mt_config_entry(cfg, want[i].kind, want[i].index, &key, &value);
			tap_ok(found == 1 && strcmp(key, want[i].key) == 0 &&
			       (want[i].value ? value && strcmp(value, want[i].value) == 0 : !value),
			       "entry %d of kind %d: %s %s", want[i].index, want[i].kind, want[i].key,
			       want[i].value ? want[i].value : "(no value)");
		}
		tap_is_int(mt_config_entry(cfg, MT_CONFIG_SOFTDEP, 6, &key, &value), 0,
			   "entries: 0 past the last");
		tap_is_int(mt_config_entry(cfg, MT_CONFIG_ALIAS, -1, &key, &value), 0,
			   "entries: 0 before the first");
		tap_is_int(mt_config_entry(cfg, (enum mt_config_kind)42, 0, &key, &value), 0,
			   "entries: 0 for an unknown kind");
	}
	mt_config_free(cfg);
	remove_tree("cfg");
	set_cmdline("");
}

static void test_cmdline(void)
{
	const char *none[] = { path_in_root("no-such-dir"), NULL };
	struct mt_config *cfg;
	char big[5000];

	set_cmdline("modprobe.blacklist=foo,bar-baz snd-hda.model=auto \"parport.dyndbg=file a.c +p\" "
		    "noval.param a-b.c-d=e-f bad.a.b=1 .y=2\n");
	take_log();
	cfg = load(none);
	tap_is_str(dump(cfg),
		   "blacklist foo\nblacklist bar-baz\n"
		   "options snd_hda model=auto\noptions parport dyndbg=\"file a.c +p\"\n"
		   "options noval param\noptions a_b c-d=e-f\noptions  y=2\n",
		   "cmdline: the specification's example");
	tap_is_str(take_log(), "", "cmdline: no messages");
	mt_config_free(cfg);

	set_cmdline("x=y.z p.q.r=s a.\"b\" \"a.b c.d=e\" a.b=\"x y\"z c.d=a\"b c\"d "
		    "modprobe.blacklist=a,,b modprobe.blacklist modprobe.foo=1 t.u=\"v\tw\" "
		    "e.f=1\tg.h=2\ri.j=3 last.p=\"unterminated k.l=1");
	cfg = load(none);
	tap_is_str(dump(cfg),
		   "blacklist a\nblacklist \nblacklist b\n"
		   "options a b=\"x y\"z\noptions c d=a\"b c\"d\noptions modprobe blacklist\n"
		   "options modprobe foo=1\noptions t u=\"v w\"\noptions e f=1\n"
		   "options g h=2\noptions i j=3\n",
		   "cmdline: malformed tokens, quotes, empty blacklist items, whitespace");
	mt_config_free(cfg);

	set_cmdline("a-[x.p=1 b-]-c.q=2 ok-1.r=3\n");
	take_log();
	cfg = load(none);
	tap_is_str(dump(cfg), "options ok_1 r=3\n", "cmdline: bad module names are skipped");
	tap_is_str(take_log(),
		   "Ignoring bad option on kernel command line while parsing module name: 'a_[x'\n"
		   "Ignoring bad option on kernel command line while parsing module name: 'b_]-c'\n",
		   "cmdline: bad module names are reported, dashes converted up to the bracket");
	mt_config_free(cfg);

	/* 4088 bytes of padding, then a token cut at byte 4095. */
	memset(big, 'x', 4088);
	for (int i = 7; i < 4088; i += 8)
		big[i] = ' ';
	snprintf(big + 4088, sizeof(big) - 4088, "ab.cd=efghij kl.mn=op\n");
	set_cmdline(big);
	cfg = load(none);
	tap_is_str(dump(cfg), "options ab cd=e\n", "cmdline: only the first 4095 bytes");
	mt_config_free(cfg);

	write_bytes("proc/cmdline", "a.b=1\0c.d=2\n", 12);
	cfg = load(none);
	tap_is_str(dump(cfg), "options a b=1\n", "cmdline: a NUL byte ends it");
	mt_config_free(cfg);

	remove_tree("proc/cmdline");
	cfg = load(none);
	tap_is_str(dump(cfg), "", "cmdline: missing");
	mt_config_free(cfg);

	make_dirs("proc/cmdline");
	take_log();
	cfg = load(none);
	tap_is_str(take_log(), "could not read from '/proc/cmdline': Is a directory\n",
		   "cmdline: unreadable");
	mt_config_free(cfg);
	remove_tree("proc/cmdline");
	set_cmdline("");
}

static void test_files(void)
{
	const char *cfgdir[] = { path_in_root("cfg"), NULL };
	const char *empty[] = { NULL };
	struct mt_config *cfg;
	char want[4096];

	/* The default directories, in precedence order. */
	write_text("etc/modprobe.d/a.conf", "alias etc-a x\n");
	write_text("run/modprobe.d/a.conf", "alias run-a x\n");
	write_text("run/modprobe.d/b.conf", "alias run-b x\n");
	write_text("usr/local/lib/modprobe.d/b.conf", "alias local-b x\n");
	write_text("usr/local/lib/modprobe.d/c.conf", "alias local-c x\n");
	write_text("usr/lib/modprobe.d/c.conf", "alias usr-c x\n");
	write_text("usr/lib/modprobe.d/d.conf", "alias usr-d x\n");
	write_text("lib/modprobe.d/d.conf", "alias lib-d x\n");
	write_text("lib/modprobe.d/0.conf", "alias lib-0 x\n");
	write_text("etc/modprobe.d/e.conf", "alias etc-e x\n");
	cfg = load(NULL);
	tap_is_str(dump(cfg),
		   "alias lib_0 x\nalias etc_a x\nalias run_b x\nalias local_c x\n"
		   "alias usr_d x\nalias etc_e x\n",
		   "files: default directories merged by name, earlier ones shadowing");
	mt_config_free(cfg);
	cfg = load(cfgdir);
	tap_is_str(dump(cfg), "", "files: -C replaces the default directories");
	mt_config_free(cfg);

	/* DIRNAME/modules.softdep and modules.weakdep sort under their names
	 * and win clashes. */
	write_text("cfg/aliases.conf", "softdep first pre: x\n");
	write_text("cfg/systemd.conf", "softdep last pre: x\n");
	write_text("cfg/modules.softdep.conf", "softdep conf pre: x\n");
	write_text("lib/modules/9.9/modules.softdep", "softdep moddir pre: x\n");
	write_text("lib/modules/9.9/modules.weakdep", "weakdep wd x y\n");
	write_text("other/modules.softdep", "softdep shadowed pre: x\n");
	write_text("other/modules.weakdep", "weakdep shadowed x\n");
	{
		const char *paths[] = { path_in_root("cfg"), path_in_root("other/modules.softdep"),
					path_in_root("other/modules.weakdep"), NULL };

		cfg = load(paths);
		tap_is_str(dump(cfg),
			   "softdep first pre: x\nsoftdep moddir pre: x\nsoftdep conf pre: x\n"
			   "softdep last pre: x\n"
			   "weakdep wd x y\n",
			   "files: DIRNAME/modules.softdep and modules.weakdep sorted in, winning clashes");
		mt_config_free(cfg);
	}
	cfg = load(empty);
	tap_is_str(dump(cfg), "softdep moddir pre: x\nweakdep wd x y\n",
		   "files: an empty path list still reads DIRNAME's files");
	mt_config_free(cfg);
	{
		struct mt_config *nodir;
		struct mt_ctx *elsewhere;

		make_dirs("lib/modules/none");
		tap_ok(mt_ctx_new(path_in_root("lib/modules/none"), &elsewhere) == 0 &&
		       mt_config_read(elsewhere, empty, 0, &nodir) == 0,
		       "files: a DIRNAME without modules.softdep");
		tap_is_str(dump(nodir), "", "files: no DIRNAME files, no modules.softdep");
		mt_config_free(nodir);
		mt_ctx_free(elsewhere);
		remove_tree("lib/modules/none");
	}
	remove_tree("lib/modules/9.9/modules.softdep");
	remove_tree("lib/modules/9.9/modules.weakdep");
	{
		const char *paths[] = { path_in_root("other/modules.softdep"), NULL };

		cfg = load(paths);
		tap_is_str(dump(cfg), "", "files: a missing DIRNAME/modules.softdep still shadows");
		mt_config_free(cfg);
	}
	remove_tree("cfg");
	remove_tree("other");

	/* Filters, subdirectories, single files. */
	write_text("cfg/.hidden.conf", "alias hidden x\n");
	write_text("cfg/x.conf.bak", "alias bak x\n");
	write_text("cfg/conf", "alias conf x\n");
	write_text("cfg/x.alias", "alias dotalias x\n");
	write_text("cfg/ok.conf", "alias ok x\n");
	write_text("cfg/sub.conf/inner.conf", "alias inner x\n");
	write_text("cfg/sub/inner.conf", "alias inner2 x\n");
	write_text("cfg/deep.conf/a/b/c/d.conf", "alias deep x\n");
	write_text("single.txt", "alias single x\n");
	write_text(".dotfile", "alias dotfile x\n");
	symlink("/nonexistent/target", path_in_root("cfg/dangling.conf"));
	symlink("loop.conf", path_in_root("cfg/loop.conf"));
	symlink("ok.conf", path_in_root("cfg/link.conf"));
	{
		const char *paths[] = { path_in_root("cfg"), path_in_root("single.txt"),
					path_in_root(".dotfile"), path_in_root("missing"),
					path_in_root("cfg/loop.conf"), NULL };
		const char *log;

		take_log();
		cfg = load(paths);
		tap_is_str(dump(cfg), "alias dotfile x\nalias ok x\nalias ok x\nalias single x\n",
			   "files: filters, symlinks, single files by basename");
		log = take_log();
		snprintf(want, sizeof(want), "Directories inside directories are not supported: %s/sub.conf\n",
			 paths[0]);
		tap_ok(strstr(log, want) != NULL, "files: subdirectory reported");
		snprintf(want, sizeof(want), "Directories inside directories are not supported: %s/deep.conf\n",
			 paths[0]);
		tap_ok(strstr(log, want) != NULL, "files: nested subdirectories reported once");
		snprintf(want, sizeof(want), "Cannot stat directory entry: %s/dangling.conf\n", paths[0]);
		tap_ok(strstr(log, want) != NULL, "files: dangling symlink reported");
		snprintf(want, sizeof(want), "Cannot stat directory entry: %s/loop.conf\n", paths[0]);
		tap_ok(strstr(log, want) != NULL, "files: symlink loop reported");
		tap_ok(!strstr(log, "inner") && !strstr(log, "missing") && !strstr(log, "sub/"),
		       "files: nothing else reported");
		mt_config_free(cfg);
	}
	remove_tree("cfg");
	remove_tree("single.txt");
	remove_tree(".dotfile");
	remove_tree("etc");
	remove_tree("run");
	remove_tree("usr");
	remove_tree("lib/modprobe.d");
}

static void test_hostile(void)
{
	const char *cfgdir[] = { path_in_root("cfg"), NULL };
	struct mt_config *cfg;
	size_t size = 4 << 20;
	char *big = malloc(size + 64), *p;
	unsigned seed = 12345;
	const char *d, *log;
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int sock;

	if (!big)
		abort();
	/* A 4 MB options line with 600000 words, then an alias line of one
	 * 4 MB word. */
	p = big + sprintf(big, "options big ");
	while ((size_t)(p - big) < size - 16)
		p += sprintf(p, "x=%u ", (unsigned)(p - big) % 1000);
	strcpy(p, "\nalias ");
	p += strlen(p);
	write_bytes("cfg/a-long.conf", big, (size_t)(p - big));
	memset(big, 'y', size);
	big[size] = '\n';
	{
		FILE *fp = fopen(path_in_root("cfg/a-long.conf"), "ae");

		if (!fp || fwrite(big, 1, size + 1, fp) != size + 1 || fclose(fp) != 0)
			abort();
	}
	/* Binary junk, and junk made of the characters that matter. */
	for (size_t i = 0; i < 200000; i++) {
		seed = seed * 1103515245u + 12345u;
		big[i] = (char)(seed >> 16);
	}
	write_bytes("cfg/b-junk.conf", big, 200000);
	for (size_t i = 0; i < 200000; i++) {
		static const char set[] = " \t\n\\#[]-.=\"pre:post:aliasoptionssoftdepweakdep";

		seed = seed * 1103515245u + 12345u;
		big[i] = set[(seed >> 16) % (sizeof(set) - 1)];
	}
	write_bytes("cfg/c-soup.conf", big, 200000);
	write_text("cfg/d-backslashes.conf", "\\\\\\\n\\\n\\");
	/* A socket stats fine but cannot be opened. */
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path_in_root("cfg/e-socket.conf"));
	sock = socket(AF_UNIX, SOCK_STREAM, 0);
	if (sock < 0 || bind(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		abort();
	write_text("cfg/f-last.conf", "alias last x\n");
	make_dirs("lib/modules/9.9/modules.softdep");
	set_cmdline("");
	for (size_t i = 0; i < 4095; i++) {
		static const char set[] = " \t\n\"\"..==,-[]amodprobe.blacklist=";

		seed = seed * 1103515245u + 12345u;
		big[i] = set[(seed >> 16) % (sizeof(set) - 1)];
	}
	write_bytes("proc/cmdline", big, 4095);
	take_log();
	cfg = load(cfgdir);
	d = dump(cfg);
	log = take_log();
	p = strstr(d, "options big x=12 ");
	tap_ok(p && strchr(p + 1, '\n') - p > (ptrdiff_t)size - 32, "hostile: the 4 MB line is read whole");
	tap_ok(strstr(log, "a-long.conf line 2: ignoring bad line starting with 'alias'\n") != NULL,
	       "hostile: the 4 MB word gives a bad line");
	tap_ok(has_line(d, "alias last x") && !strstr(log, "e-socket") && !strstr(log, "modules.softdep"),
	       "hostile: junk, an unopenable file and a directory for modules.softdep are survived");
	mt_config_free(cfg);
	close(sock);
	remove_tree("cfg");
	remove_tree("lib/modules/9.9/modules.softdep");
	set_cmdline("");
	free(big);
}

static int unit_main(const char *fake_root)
{
	root = fake_root;
	snprintf(moddir, sizeof(moddir), "%s/lib/modules/9.9", root);
	make_dirs("lib/modules/9.9");
	set_cmdline("");
	if (mt_ctx_new(moddir, &moddir_ctx) < 0) {
		printf("Bail out! mt_ctx_new: %s\n", mt_last_error());
		return 1;
	}
	mt_ctx_set_log_fn(moddir_ctx, record_message, NULL);
	mt_ctx_set_log_priority(moddir_ctx, LOG_DEBUG);

	test_syntax();
	test_directives();
	test_queries();
	test_cmdline();
	test_files();
	test_hostile();

	mt_ctx_free(moddir_ctx);
	free(log_text);
	free(taken);
	free(dumped);
	for (int i = 0; i < nroot_paths; i++)
		free(root_paths[i]);
	free(root_paths);
	return tap_done();
}

/* ---- the parent: a root, then the tests under the shim -------------------- */

int main(int argc, char **argv)
{
	char template[PATH_MAX], shim_path[PATH_MAX], *canonical, *env;
	const char *tmp = getenv("TMPDIR"), *shim = getenv("MT_SHIM");
	int status;
	pid_t pid;

	if (argc > 1 && strcmp(argv[1], "--dump") == 0)
		return dump_main(argc - 2, argv + 2);
	if (argc == 3 && strcmp(argv[1], "--unit") == 0)
		return unit_main(argv[2]);

	if (!shim || !*shim)
		shim = argc > 1 ? argv[1] : NULL;
	if (!shim) {
		return tap_missing_input_all("no shim given (set MT_SHIM or pass its path)");
	}
	if (!realpath(shim, shim_path)) {
		printf("Bail out! shim %s: %s\n", shim, strerror(errno));
		return 1;
	}
	snprintf(template, sizeof(template), "%s/test-config.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(template) || !(canonical = realpath(template, NULL))) {
		printf("Bail out! cannot create a temporary root in %s\n", template);
		return 1;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		const char *preload = getenv("LD_PRELOAD"), *asan = getenv("ASAN_OPTIONS");

		if (asprintf(&env, "%s%s%s", shim_path, preload ? ":" : "", preload ? preload : "") < 0)
			_exit(1);
		setenv("LD_PRELOAD", env, 1);
		if (asprintf(&env, "%s%sverify_asan_link_order=0", asan ? asan : "", asan ? ":" : "") < 0)
			_exit(1);
		setenv("ASAN_OPTIONS", env, 1);
		setenv("MT_SHIM_ROOT", canonical, 1);
		unsetenv("MT_SHIM_FAIL");
		execl("/proc/self/exe", argv[0], "--unit", canonical, (char *)NULL);
		printf("Bail out! cannot re-execute the test: %s\n", strerror(errno));
		_exit(1);
	}
	status = -1;
	if (pid > 0)
		waitpid(pid, &status, 0);
	nftw(canonical, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(canonical);
	if (pid < 0 || !WIFEXITED(status)) {
		printf("Bail out! the test under the shim did not finish\n");
		return 1;
	}
	return WEXITSTATUS(status);
}

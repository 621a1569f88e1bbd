/*
 * modinfo — show information about kernel modules, as kmod's modinfo does.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "libmodtool.h"
#include "log.h"
#include "common.h"
#include "kmod.h"

static const char *field;
static char separator = '\n';
static struct mt_json *json;	/* --json: the document being written */

#define OPT_JSON 256

/* The module's object in the --json document; the message of a failure
 * also goes to stderr. */
static int show_module_json(struct mt_ctx *ctx, const char *operand, const struct mt_modref *mod)
{
	int err = mt_json_module_info(ctx, json, operand, mod);

	if (err < 0)
		ERR("%s\n", mt_last_error());
	return err;
}

/* An operand that names no module: the message on stderr and, with --json,
 * in the document. */
static void not_found(const char *operand, const char *what)
{
	char msg[PATH_MAX + 64];

	snprintf(msg, sizeof(msg), "%s %s not found.", what, operand);
	ERR("%s\n", msg);
	if (json)
		mt_json_operand_error(json, operand, msg);
}

/* The list goes out with fwrite_unlocked: printf's format parsing per field
 * was a tenth of the time of a modinfo of every module. */
static void put(const char *s, size_t len)
{
	fwrite_unlocked(s, 1, len, stdout);
}

/* "KEY:" padded to kmod's 16 columns. */
static void put_key(const char *key, size_t len)
{
	static const char spaces[] = "               ";

	put(key, len);
	putc_unlocked(':', stdout);
	if (len < 15)
		put(spaces, 15 - len);
}

static void put_line(const char *s, size_t len)
{
	put(s, len);
	putc_unlocked(separator, stdout);
}

static void invalid_parm(const struct mt_kv *kv, void *data)
{
	(void)data;
	ERR("Found invalid \"%.*s=%.*s\": missing ':'\n", (int)kv->key_len, kv->key,
	    (int)kv->value_len, kv->value);
}

static int print_params(const struct mt_kv *list, int count, bool full)
{
	struct mt_param *params;
	int n = mt_params_merge(list, count, &params, invalid_parm, NULL);

	if (n < 0)
		return n;
	/* kmod lists parameters in reverse order of first appearance. */
	for (int i = n - 1; i >= 0; i--) {
		const struct mt_param *p = &params[i];

		if (full)
			put_key("parm", 4);
		put(p->name, p->name_len);
		putc_unlocked(':', stdout);
		if (!p->desc) {
			if (!full)
				put(" (", 2);
			put(p->type, p->type_len);
			if (!full)
				putc_unlocked(')', stdout);
		} else {
			put(p->desc, p->desc_len);
			if (p->type) {
				put(" (", 2);
				put(p->type, p->type_len);
				putc_unlocked(')', stdout);
			}
		}
		putc_unlocked(separator, stdout);
	}
	free(params);
	return 0;
}

static bool kv_key_is(const struct mt_kv *kv, const char *key)
{
	return kv->key_len == strlen(key) && memcmp(kv->key, key, kv->key_len) == 0;
}

static int show_module(struct mt_ctx *ctx, const struct mt_modref *mod)
{
	const char *filename = mod->path;
	const struct mt_kv *list;
	struct mt_info *info;
	int count, err = 0;

	if (!filename) {
		if (!field)
			printf("%-16s%s%c", "name:", mod->name, separator);
		else if (strcmp(field, "name") == 0)
			printf("%s%c", mod->name, separator);
		filename = "(builtin)";
	}
	if (field && strcmp(field, "filename") == 0) {
		printf("%s%c", filename, separator);
		return 0;
	}
	if (!field)
		printf("%-16s%s%c", "filename:", filename, separator);

	count = mt_module_info(ctx, mod, &info, &list);
	if (count == -ENOENT && !mod->path)
		return 0;	/* a kernel without modules.builtin.modinfo */
	if (count < 0) {
		ERR("could not get modinfo from '%s': %s\n", mod->name, strerror(-count));
		return count;
	}

	if (field && strcmp(field, "parm") == 0) {
		err = print_params(list, count, false);
	} else {
		for (int i = 0; i < count; i++) {
			const struct mt_kv *kv = &list[i];

			if (field) {
				if (kv->key_len == strlen(field) && memcmp(kv->key, field, kv->key_len) == 0)
					put_line(kv->value, kv->value_len);
			} else if (kv_key_is(kv, "parm") || kv_key_is(kv, "parmtype")) {
				continue;
			} else if (separator == '\0') {
				put(kv->key, kv->key_len);
				putc_unlocked('=', stdout);
				put_line(kv->value, kv->value_len);
			} else {
				put_key(kv->key, kv->key_len);
				put_line(kv->value, kv->value_len);
			}
		}
		if (!field)
			err = print_params(list, count, true);
	}
	mt_info_free(info);
	return err;
}

static int show_path(struct mt_ctx *ctx, const char *arg)
{
	struct mt_modref mod = { 0 };
	char name[PATH_MAX];
	int err;

	err = mt_modname_normalize(arg, name, sizeof(name));
	if (err >= 0) {
		mod.name = name;
		mod.path = mt_path_absolute(arg);
		err = mod.path ? 0 : -ENOMEM;
	}
	if (err < 0) {
		not_found(arg, "Module");
		return err;
	}
	err = json ? show_module_json(ctx, arg, &mod) : show_module(ctx, &mod);
	free(mod.path);
	return err;
}

static int show_lookup(struct mt_ctx *ctx, const char *arg, bool name_only)
{
	struct mt_modref *mods;
	int n, err = 0;

	n = mt_lookup(ctx, arg, name_only ? MT_LOOKUP_NAME_ONLY : 0, &mods);
	if (n <= 0) {
		if (name_only)
			not_found(arg, "Module name");
		else if (n < 0)
			not_found(arg, "Module alias");
		else
			not_found(arg, "Module");
		return n < 0 ? n : -ENOENT;
	}
	for (int i = 0; i < n; i++) {
		int ret = json ? show_module_json(ctx, arg, &mods[i]) : show_module(ctx, &mods[i]);

		if (ret < 0)
			err = ret;
	}
	mt_modrefs_free(mods, n);
	return err;
}

static void usage(const char *prog)
{
	printf("Usage:\n"
	       "\t%s [options] <modulename|filename> [args]\n"
	       "Options:\n"
	       "\t-a, --author                Print only 'author'\n"
	       "\t-d, --description           Print only 'description'\n"
	       "\t-l, --license               Print only 'license'\n"
	       "\t-p, --parameters            Print only 'parm'\n"
	       "\t-n, --filename              Print only 'filename'\n"
	       "\t-0, --null                  Use \\0 instead of \\n\n"
	       "\t-m, --modname               Handle argument as module name instead of alias or filename\n"
	       "\t-F, --field=FIELD           Print only provided FIELD\n"
	       "\t-k, --set-version=VERSION   Use VERSION instead of `uname -r`\n"
	       "\t-b, --basedir=DIR           Use DIR as filesystem root for " MODULE_DIRECTORY "\n"
	       "\t    --json                  Print one JSON document\n"
	       "\t-V, --version               Show version\n"
	       "\t-h, --help                  Show this help\n", prog);
}

int modinfo_main(int argc, char *argv[])
{
	static const struct option options[] = {
		{ "author", no_argument, NULL, 'a' },
		{ "description", no_argument, NULL, 'd' },
		{ "license", no_argument, NULL, 'l' },
		{ "parameters", no_argument, NULL, 'p' },
		{ "filename", no_argument, NULL, 'n' },
		{ "null", no_argument, NULL, '0' },
		{ "modname", no_argument, NULL, 'm' },
		{ "field", required_argument, NULL, 'F' },
		{ "set-version", required_argument, NULL, 'k' },
		{ "basedir", required_argument, NULL, 'b' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *root = NULL, *kversion = NULL;
	char *dirname = NULL;
	bool name_only = false, want_json = false;
	struct mt_ctx *ctx;
	int opt, err = 0;

	log_open(argv[0], false);
	while ((opt = getopt_long(argc, argv, "adlpn0mF:k:b:Vh", options, NULL)) != -1) {
		switch (opt) {
		case 'a': field = "author"; break;
		case 'd': field = "description"; break;
		case 'l': field = "license"; break;
		case 'p': field = "parm"; break;
		case 'n': field = "filename"; break;
		case '0': separator = '\0'; break;
		case 'm': name_only = true; break;
		case 'F': field = optarg; break;
		case 'k': kversion = optarg; break;
		case 'b': root = optarg; break;
		case OPT_JSON: want_json = true; break;
		case 'V': print_version(); return EXIT_SUCCESS;
		case 'h': usage(program_name(argv[0])); return EXIT_SUCCESS;
		default:	/* getopt has printed the complaint */
			return EXIT_FAILURE;
		}
	}
	if (want_json && (field || separator == '\0')) {
		ERR("--json cannot be combined with -0 or with -F, -a, -d, -l, -p, -n.\n");
		return EXIT_FAILURE;
	}
	if (optind >= argc) {
		ERR("missing module or filename.\n");
		return EXIT_FAILURE;
	}
	dirname = module_dirname(root, kversion);
	if (!dirname && (root || kversion))
		return EXIT_FAILURE;
	if (mt_ctx_new(dirname, &ctx) < 0) {
		ERR("%s\n", mt_last_error());
		free(dirname);
		return EXIT_FAILURE;
	}
	log_library_messages(ctx);
	if (want_json) {
		if (mt_json_new(stdout, &json) < 0) {
			ERR("out of memory\n");
			mt_ctx_free(ctx);
			free(dirname);
			return EXIT_FAILURE;
		}
		mt_json_begin_array(json);
	}
	for (int i = optind; i < argc; i++) {
		const char *arg = argv[i];
		struct stat st;
		int ret;

		if (name_only)
			ret = show_lookup(ctx, arg, true);
		else if (mt_module_suffix(arg, strlen(arg)) >= 0 && stat(arg, &st) == 0 && S_ISREG(st.st_mode))
			ret = show_path(ctx, arg);
		else
			ret = show_lookup(ctx, arg, false);
		if (ret < 0)
			err = ret;
	}
	if (json) {
		mt_json_end_array(json);
		int ret = mt_json_finish(json);

		if (ret < 0) {
			ERR("could not write the JSON document: %s\n", strerror(-ret));
			err = ret;
		}
	}
	mt_ctx_free(ctx);
	free(dirname);
	return err < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

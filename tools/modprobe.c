/*
 * modprobe — load and remove modules with their dependencies, and query the
 * configuration, as kmod's modprobe does.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "libmodtool.h"
#include "log.h"
#include "common.h"
#include "kmod.h"

enum action { ACT_INSERT, ACT_REMOVE, ACT_SHOW_CONFIG, ACT_SHOW_MODVERSIONS, ACT_SHOW_EXPORTS };

static struct {
	enum action action;
	bool all, resolve_alias, first_time, ignore_commands, use_blacklist;
	bool show_depends, dry_run, remove_holders, verbose_show;
	unsigned force;		/* MT_INSERT_FORCE_* */
	unsigned long wait_msec;
	bool wait;
	int log_priority;	/* the level of "LOG" messages: FATAL, WARNING with -a */
} opt = { .log_priority = LOG_CRIT };

static struct mt_ctx *ctx;
static struct mt_json *json;	/* --json: the document being written */

#define LOG(...) log_msg(opt.log_priority, __VA_ARGS__)

static void usage(const char *prog)
{
	printf("Usage:\n"
	       "\t%s [options] [-i] [-b] modulename\n"
	       "\t%s [options] -a [-i] [-b] modulename [modulename...]\n"
	       "\t%s [options] -r [-i] modulename\n"
	       "\t%s [options] -r -a [-i] modulename [modulename...]\n"
	       "\t%s [options] -c\n"
	       "\t%s [options] --dump-modversions filename\n"
	       "Management Options:\n"
	       "\t-a, --all                   Consider every non-argument to\n"
	       "\t                            be a module name to be inserted\n"
	       "\t                            or removed (-r)\n"
	       "\t-r, --remove                Remove modules instead of inserting\n"
	       "\t    --remove-dependencies   Deprecated: use --remove-holders\n"
	       "\t    --remove-holders        Also remove module holders (implies -r)\n"
	       "\t-w, --wait <MSEC>           When removing a module, wait up to MSEC for\n"
	       "\t                            module's refcount to become 0 so it can be\n"
	       "\t                            removed (use together with -r)\n"
	       "\t    --first-time            Fail if module already inserted or removed\n"
	       "\t-i, --ignore-install        Ignore install commands\n"
	       "\t-i, --ignore-remove         Ignore remove commands\n"
	       "\t-b, --use-blacklist         Apply blacklist to resolved alias.\n"
	       "\t-f, --force                 Force module insertion or removal.\n"
	       "\t                            implies --force-modversions and\n"
	       "\t                            --force-vermagic\n"
	       "\t    --force-modversion      Ignore module's version\n"
	       "\t    --force-vermagic        Ignore module's version magic\n"
	       "\n"
	       "Query Options:\n"
	       "\t-R, --show-alias            Only lookup and print alias and exit\n"
	       "\t    --resolve-alias         Same as --show-alias\n"
	       "\t-D, --show-depends          Only print module dependencies and exit\n"
	       "\t-c, --showconfig            Print out known configuration and exit\n"
	       "\t-c, --show-config           Same as --showconfig\n"
	       "\t    --show-modversions      Dump module symbol version and exit\n"
	       "\t    --dump-modversions      Same as --show-modversions\n"
	       "\t    --show-exports          Only print module exported symbol versions and exit\n"
	       "\t    --json                  With -D or -c: print one JSON document\n"
	       "\n"
	       "General Options:\n"
	       "\t-n, --dry-run               Do not execute operations, just print out\n"
	       "\t-n, --show                  Same as --dry-run\n"
	       "\t-C, --config=FILE           Use FILE instead of default search paths\n"
	       "\t-d, --dirname=DIR           Use DIR as filesystem root for " MODULE_DIRECTORY "\n"
	       "\t-S, --set-version=VERSION   Use VERSION instead of `uname -r`\n"
	       "\t-s, --syslog                print to syslog, not stderr\n"
	       "\t-q, --quiet                 disable messages\n"
	       "\t-v, --verbose               enables more messages\n"
	       "\t-V, --version               show version\n"
	       "\t-h, --help                  show this help\n",
	       prog, prog, prog, prog, prog, prog);
}

/* ---- inserting ---------------------------------------------------------------- */

static void show_action(const struct mt_probe_action *a, void *data)
{
	(void)data;
	if (!opt.verbose_show)
		return;
	if (a->install_command)
		printf("install %s %s\n", a->install_command, a->options);
	else if (a->path)
		printf("insmod %s %s\n", a->path, a->options);
	else if (a->builtin)
		printf("builtin %s\n", a->name);
}

static unsigned probe_flags(void)
{
	unsigned flags = opt.force;

	if (opt.dry_run || opt.show_depends)
		flags |= MT_PROBE_DRY_RUN;
	if (opt.show_depends)
		flags |= MT_PROBE_IGNORE_LOADED;
	if (opt.first_time)
		flags |= MT_PROBE_FAIL_ON_LOADED;
	if (opt.ignore_commands)
		flags |= MT_PROBE_IGNORE_COMMAND;
	flags |= opt.use_blacklist ? MT_PROBE_BLACKLIST : MT_PROBE_BLACKLIST_ALIAS_ONLY;
	return flags;
}

/* An operand that names no module: the message and, with --json, its
 * object in the document. */
static void not_found(const char *operand, const char *msg)
{
	LOG("%s\n", msg);
	if (json)
		mt_json_operand_error(json, operand, msg);
}

static int insert_one(const char *arg, const char *params)
{
	struct mt_modref *mods;
	char msg[PATH_MAX * 2 + 64];
	int n, err = 0;

	if (strncmp(arg, "/", 1) == 0 || strncmp(arg, "./", 2) == 0) {
		n = mt_lookup_path(ctx, arg, &mods);
		if (n < 0) {
			snprintf(msg, sizeof(msg), "Failed to get module from path %s: %s", arg,
				 strerror(-n));
			not_found(arg, msg);
			return n;
		}
	} else {
		n = mt_lookup(ctx, arg, 0, &mods);
		if (n <= 0) {
			snprintf(msg, sizeof(msg), "Module %s not found in directory %s", arg,
				 mt_ctx_dirname(ctx));
			not_found(arg, msg);
			return n < 0 ? n : -ENOENT;
		}
	}
	for (int i = 0; i < n; i++) {
		if (opt.resolve_alias) {
			printf("%s\n", mods[i].name);
			continue;
		}
		if (json) {
			err = mt_json_show_depends(ctx, json, arg, &mods[i], probe_flags(), params);
			if (err < 0)
				ERR("%s\n", mt_last_error());
			continue;
		}
		err = mt_probe_insert(ctx, &mods[i], probe_flags(), params, show_action, NULL);
		if (err < 0)
			ERR("could not insert '%s': %s\n", mods[i].name, mt_probe_strerror(err));
	}
	mt_modrefs_free(mods, n);
	return err;
}

/* ---- removing ----------------------------------------------------------------- */

static unsigned remove_flags(void)
{
	unsigned flags = opt.force ? MT_REMOVE_FORCE : 0;

	if (opt.dry_run || opt.show_depends)
		flags |= MT_PROBE_DRY_RUN;
	if (opt.show_depends)
		flags |= MT_PROBE_IGNORE_LOADED;
	if (opt.first_time)
		flags |= MT_PROBE_FAIL_ON_LOADED;
	if (opt.ignore_commands)
		flags |= MT_PROBE_IGNORE_COMMAND;
	if (opt.remove_holders)
		flags |= MT_PROBE_REMOVE_HOLDERS;
	if (opt.wait)
		flags |= MT_PROBE_WAIT;
	return flags;
}

/* Removal's SHOW lines reach stdout before any command's output. */
static void show(const char *fmt, const char *arg)
{
	if (opt.verbose_show) {
		printf(fmt, arg);
		fflush(stdout);
	}
}

/* kmod's modprobe wording for what a removal does and why it refuses. */
static void show_removal(const struct mt_remove_event *event, void *data)
{
	(void)data;
	switch (event->kind) {
	case MT_REMOVE_DELETING:
		show("rmmod %s\n", event->name);
		break;
	case MT_REMOVE_RUNNING_COMMAND:
		show("remove %s\n", event->command);
		break;
	case MT_REMOVE_BUILTIN:
		LOG("Module %s is builtin.\n", event->name);
		break;
	case MT_REMOVE_NOT_LOADED:
		LOG("Module %s is not in kernel.\n", event->name);
		break;
	case MT_REMOVE_IN_USE:
		LOG("Module %s is in use.\n", event->name);
		break;
	case MT_REMOVE_COMMAND_FAILED:
		LOG("Error running remove command for %s\n", event->name);
		break;
	case MT_REMOVE_SLEEP_FAILED:
		ERR("Failed to sleep: %s\n", strerror(-event->err));
		break;
	default:
		break;
	}
}

static int remove_one(const char *arg)
{
	struct mt_modref *mods;
	int n, err = 0;

	n = mt_lookup(ctx, arg, 0, &mods);
	if (n < 0)
		return n;
	if (n == 0) {
		LOG("Module %s not found.\n", arg);
		return -ENOENT;
	}
	for (int i = 0; i < n && err >= 0; i++)
		err = mt_probe_remove(ctx, mods[i].name, remove_flags(), opt.wait_msec, show_removal, NULL);
	mt_modrefs_free(mods, n);
	return err;
}

/* ---- queries ------------------------------------------------------------------ */

static int dump_config_json(void)
{
	int err = mt_json_config(ctx, json);

	if (err < 0)
		ERR("%s\n", mt_last_error());
	return err;
}

static int dump_config(void)
{
	if (json)
		return dump_config_json();
	mt_config_dump(mt_ctx_config(ctx), stdout);
	fputs("\n# End of configuration files. Dumping indexes now:\n\n", stdout);
	/* a missing or unreadable index dumps nothing */
	mt_ctx_dump_index(ctx, MT_INDEX_ALIAS, stdout);
	mt_ctx_dump_index(ctx, MT_INDEX_SYMBOLS, stdout);
	fflush(stdout);
	return 0;
}

/* The file of the first module a name or alias resolves to (kmod's main
 * branch accepts one where 34.2 wanted a path), malloc'd; NULL when none has
 * a file. */
static char *module_file(const char *name)
{
	struct mt_modref *mods;
	char *path = NULL;
	int n = mt_lookup(ctx, name, 0, &mods);

	for (int i = 0; i < n && !path; i++) {
		if (mods[i].path)
			path = strdup(mods[i].path);
	}
	if (n > 0)
		mt_modrefs_free(mods, n);
	return path;
}

static int show_symbols(const char *arg, bool exports)
{
	struct mt_module *mod = NULL;
	struct mt_symbol *syms = NULL;
	const struct mt_elf *elf;
	char *found = NULL;
	const char *path = arg;
	int n;

	if (access(arg, F_OK) != 0) {
		path = found = module_file(arg);
		if (!path) {
			LOG("Module %s not found.\n", arg);
			return -ENOENT;
		}
	}
	n = mt_module_open(path, &mod);
	if (n >= 0)
		n = mt_module_elf(mod, &elf);
	if (n >= 0)
		n = exports ? mt_elf_exports(elf, &syms) : mt_elf_versions(elf, &syms);
	if (n < 0)
		LOG("could not get %s of %s: %s\n", exports ? "symbols" : "modversions", path,
		    strerror(-n));
	for (int i = 0; i < n; i++)
		printf("0x%08llx\t%s\n", (unsigned long long)syms[i].crc, syms[i].name);
	free(syms);
	mt_module_close(mod);
	free(found);
	return n < 0 ? n : 0;
}

/* ---- options -------------------------------------------------------------------- */

/* MODPROBE_OPTIONS as words, kmod's way: each space ends a word (so two
 * spaces make an empty one); a quote opening a word encloses it, a quote
 * inside a word is dropped with its partner. */
static int split_env_options(const char *env, char ***out)
{
	char *buf = strdup(env), *word, *w, **vec = NULL;
	char quote = 0;
	int count = 0;

	if (!buf)
		return -ENOMEM;
	vec = malloc(sizeof(*vec) * (strlen(env) + 2));
	if (!vec) {
		free(buf);
		return -ENOMEM;
	}
	word = w = buf;
	for (const char *s = env; *s; s++) {
		if (quote) {
			if (*s != quote) {
				*w++ = *s;
			} else if (word[0] == '\x01') {
				/* a quoted word ends at its closing quote */
				*w = '\0';
				vec[count++] = word + 1;
				word = w = w + 1;
			}
			if (*s == quote)
				quote = 0;
			continue;
		}
		if (*s == ' ') {
			*w = '\0';
			vec[count++] = word;
			word = w = w + 1;
		} else if (*s == '"' || *s == '\'') {
			quote = *s;
			if (w == word)
				*w++ = '\x01';	/* marks a word opened by a quote */
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
	if (w > word)
		vec[count++] = word[0] == '\x01' ? word + 1 : word;
	vec[count] = NULL;
	*out = vec;
	return count;
}

static void append_env_option(const char *flag, const char *value)
{
	const char *old = getenv("MODPROBE_OPTIONS");
	char *joined;

	if (asprintf(&joined, "%s%s%s%s%s", old ? old : "", old ? " " : "", flag,
		     value ? " " : "", value ? value : "") < 0 ||
	    setenv("MODPROBE_OPTIONS", joined, 1) < 0)
		ERR("could not append value to $MODPROBE_OPTIONS\n");
	free(joined);
}

int modprobe_main(int argc, char *argv[])
{
	enum { OPT_REMOVE_HOLDERS = 256, OPT_FIRST_TIME, OPT_FORCE_VERMAGIC,
	       OPT_FORCE_MODVERSION, OPT_SHOW_MODVERSIONS, OPT_SHOW_EXPORTS, OPT_JSON };
	static const struct option options[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "remove", no_argument, NULL, 'r' },
		{ "remove-dependencies", no_argument, NULL, OPT_REMOVE_HOLDERS },
		{ "remove-holders", no_argument, NULL, OPT_REMOVE_HOLDERS },
		{ "wait", required_argument, NULL, 'w' },
		{ "show-alias", no_argument, NULL, 'R' },
		/* kmod's main branch calls the old name deprecated; 34.2 scripts use it */
		{ "resolve-alias", no_argument, NULL, 'R' },
		{ "first-time", no_argument, NULL, OPT_FIRST_TIME },
		{ "ignore-install", no_argument, NULL, 'i' },
		{ "ignore-remove", no_argument, NULL, 'i' },
		{ "use-blacklist", no_argument, NULL, 'b' },
		{ "force", no_argument, NULL, 'f' },
		{ "force-modversion", no_argument, NULL, OPT_FORCE_MODVERSION },
		{ "force-vermagic", no_argument, NULL, OPT_FORCE_VERMAGIC },
		{ "show-depends", no_argument, NULL, 'D' },
		{ "showconfig", no_argument, NULL, 'c' },
		{ "show-config", no_argument, NULL, 'c' },
		{ "show-modversions", no_argument, NULL, OPT_SHOW_MODVERSIONS },
		{ "dump-modversions", no_argument, NULL, OPT_SHOW_MODVERSIONS },
		{ "show-exports", no_argument, NULL, OPT_SHOW_EXPORTS },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "show", no_argument, NULL, 'n' },
		{ "config", required_argument, NULL, 'C' },
		{ "dirname", required_argument, NULL, 'd' },
		{ "set-version", required_argument, NULL, 'S' },
		{ "syslog", no_argument, NULL, 's' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *root = NULL, *kversion = NULL, *env;
	bool show_config = false, show_modversions = false, show_exports = false, remove = false;
	bool use_syslog = false, quiet = false, want_json = false;
	int opt_c, verbose = 0, nconfig = 0, err = 0, nargs;
	char **args = argv, *dirname = NULL, *end;

	env = getenv("MODPROBE_OPTIONS");
	if (env) {
		char **words;
		int n = split_env_options(env, &words);

		args = n < 0 ? NULL : malloc(sizeof(*args) * (size_t)(argc + n + 1));
		if (!args) {
			fprintf(stderr, "%s: ERROR: Could not prepend options from environment\n",
				program_name(argv[0]));
			return EXIT_FAILURE;
		}
		args[0] = argv[0];
		memcpy(args + 1, words, sizeof(*args) * (size_t)n);
		memcpy(args + 1 + n, argv + 1, sizeof(*args) * (size_t)argc);
		argc += n;
		free(words);
	}
	/* each -C takes an argument: there are fewer than argc of them */
	const char *config_paths[argc];

	log_open(args[0], false);
	while ((opt_c = getopt_long(argc, args, "arRibfDcnC:d:S:sqvVhw:", options, NULL)) != -1) {
		switch (opt_c) {
		case 'a': opt.all = true; opt.log_priority = LOG_WARNING; break;
		case 'r': remove = true; break;
		/* kmod's main branch: removing holders means removing */
		case OPT_REMOVE_HOLDERS: opt.remove_holders = true; remove = true; break;
		case 'w':
			errno = 0;
			opt.wait_msec = strtoul(optarg, &end, 0);
			if (!*optarg || *end || errno) {
				ERR("unexpected wait value '%s'.\n", optarg);
				return EXIT_FAILURE;
			}
			opt.wait = true;
			break;
		case 'R': opt.resolve_alias = true; break;
		case OPT_FIRST_TIME: opt.first_time = true; break;
		case 'i': opt.ignore_commands = true; break;
		case 'b': opt.use_blacklist = true; break;
		case 'f': opt.force = MT_INSERT_FORCE_MODVERSION | MT_INSERT_FORCE_VERMAGIC; break;
		case OPT_FORCE_MODVERSION: opt.force |= MT_INSERT_FORCE_MODVERSION; break;
		case OPT_FORCE_VERMAGIC: opt.force |= MT_INSERT_FORCE_VERMAGIC; break;
		case 'D': opt.show_depends = true; break;
		case 'c': show_config = true; break;
		case OPT_SHOW_MODVERSIONS: show_modversions = true; break;
		case OPT_SHOW_EXPORTS: show_exports = true; break;
		case OPT_JSON: want_json = true; break;
		case 'n': opt.dry_run = true; break;
		case 'C':
			config_paths[nconfig++] = optarg;
			append_env_option("-C", optarg);
			break;
		case 'd': root = optarg; break;
		case 'S': kversion = optarg; break;
		case 's': use_syslog = true; append_env_option("-s", NULL); break;
		case 'q': quiet = true; append_env_option("-q", NULL); break;
		case 'v': verbose++; append_env_option("-v", NULL); break;
		case 'V': print_version(); return EXIT_SUCCESS;
		case 'h': usage(program_name(args[0])); return EXIT_SUCCESS;
		default: return EXIT_FAILURE;
		}
	}
	nargs = argc - optind;
	if (!use_syslog && fcntl(STDERR_FILENO, F_GETFD) < 0)
		use_syslog = true;
	log_open(args[0], use_syslog);
	/* the actions that print something structured: -c, and -D of insertion */
	if (want_json && !show_config &&
	    (!opt.show_depends || remove || opt.resolve_alias || show_modversions || show_exports)) {
		ERR("--json needs -c or -D, and cannot be combined with -r, -R, --show-modversions or --show-exports.\n");
		return EXIT_FAILURE;
	}
	if (nargs == 0 && !show_config) {
		ERR("missing parameters. See -h.\n");
		return EXIT_FAILURE;
	}
	/* kmod's main branch prints a dry run's steps without -v too. */
	opt.verbose_show = opt.show_depends || opt.dry_run || verbose > 0;

	dirname = module_dirname(root, kversion);
	if (!dirname && (root || kversion))
		return EXIT_FAILURE;
	if (mt_ctx_new(dirname, &ctx) < 0) {
		ERR("kmod_new() failed!\n");
		return EXIT_FAILURE;
	}
	log_library_messages(ctx);
	if (mt_ctx_load_config(ctx, nconfig ? config_paths : NULL, nconfig) < 0) {
		ERR("%s\n", mt_last_error());
		return EXIT_FAILURE;
	}
	mt_ctx_set_log_priority(ctx, log_set_threshold(quiet ? LOG_EMERG : LOG_WARNING + verbose));
	if (want_json) {
		if (mt_json_new(stdout, &json) < 0) {
			ERR("out of memory\n");
			return EXIT_FAILURE;
		}
		if (!show_config)
			mt_json_begin_array(json);
	}

	if (show_config) {
		err = dump_config();
	} else if (show_modversions || show_exports) {
		err = show_symbols(args[optind], show_exports);
	} else if (remove) {
		for (int i = optind; i < argc; i++) {
			int ret = remove_one(args[i]);

			if (ret < 0)
				err = ret;
		}
	} else if (opt.all) {
		for (int i = optind; i < argc; i++) {
			int ret = insert_one(args[i], NULL);

			if (ret < 0)
				err = ret;
		}
	} else {
		char *params = module_params(nargs - 1, args + optind + 1);

		err = params ? insert_one(args[optind], params) : -ENOMEM;
		free(params);
	}
	if (json) {
		int ret;

		if (!show_config)
			mt_json_end_array(json);
		ret = mt_json_finish(json);
		if (ret < 0) {
			ERR("could not write the JSON document: %s\n", strerror(-ret));
			err = ret;
		}
	}
	fflush(stdout);
	mt_ctx_free(ctx);
	free(dirname);
	if (args != argv)
		free(args);
	log_close();
	return err < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

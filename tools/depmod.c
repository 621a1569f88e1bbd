/*
 * depmod — generate modules.dep and the other module indexes, as kmod's
 * depmod does (kmod 34.2 options and outputs).
 *
 * Two supported settings of modtool's, documented in depmod(8), come from
 * the environment: MT_INDEX_LAYOUT=postorder writes the .bin files in kmod
 * 30's node order, and MT_DEPMOD_THREADS=N parses the modules with N
 * threads instead of one per CPU.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include "libmodtool.h"
#include "libmodtool.h"
#include "log.h"
#include "common.h"
#include "kmod.h"

static void usage(const char *prog)
{
	printf("Usage:\n"
	       "\t%s -[aA] [options] [forced_version]\n"
	       "\t%s [options] version module_file...\n"
	       "\n"
	       "The whole module directory is processed unless module files (absolute\n"
	       "paths) follow the version and neither -a nor -A is given.\n"
	       "\n"
	       "Options:\n"
	       "\t-a, --all            Probe all modules\n"
	       "\t-A, --quick          Only do the work if a module is newer than modules.dep\n"
	       "\t-e, --errsyms        Report unresolved symbols (needs -E or -F)\n"
	       "\t-n, --show           Write the text outputs to stdout, touch no file\n"
	       "\t    --dry-run        Same as --show\n"
	       "\t-P, --symbol-prefix=C  Architecture symbol prefix character\n"
	       "\t-C, --config=PATH    Read depmod.d configuration from PATH (repeatable)\n"
	       "\t-v, --verbose        More messages (repeatable)\n"
	       "\t-w, --warn           Warn about duplicate index entries\n"
	       "\t    --incremental    Parse only the modules changed since the last\n"
	       "\t                     --incremental run (keeps a cache beside the indexes)\n"
	       "\t-V, --version        Show version\n"
	       "\t-h, --help           Show this help\n"
	       "\n"
	       "Options for cross-building:\n"
	       "\t-b, --basedir=DIR    Root directory the module directory lies under\n"
	       "\t-m, --moduledir=DIR  Module directory instead of " MODULE_DIRECTORY "\n"
	       "\t-o, --outdir=DIR     Write the outputs under DIR instead of the basedir\n"
	       "\t-E, --symvers=FILE   Kernel symbols and CRCs from Module.symvers\n"
	       "\t-F, --filesyms=FILE  Kernel symbols from System.map\n", prog, prog);
}

/* "<u>.<u>" at the start, as kmod requires of a version argument. */
static bool is_version_number(const char *s)
{
	unsigned a, b;

	return sscanf(s, "%u.%u", &a, &b) == 2;
}

static char *absolute_or_die(const char *path)
{
	char *abs = mt_path_absolute(path);

	if (!abs)
		FATAL("%s: %s\n", path, strerror(errno ? errno : ENOMEM));
	return abs;
}

/* Long options of modtool's own, past every character. */
enum { OPT_INCREMENTAL = 256 };

int depmod_main(int argc, char *argv[])
{
	static const struct option options[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "quick", no_argument, NULL, 'A' },
		{ "basedir", required_argument, NULL, 'b' },
		{ "moduledir", required_argument, NULL, 'm' },
		{ "outdir", required_argument, NULL, 'o' },
		{ "config", required_argument, NULL, 'C' },
		{ "symvers", required_argument, NULL, 'E' },
		{ "filesyms", required_argument, NULL, 'F' },
		{ "errsyms", no_argument, NULL, 'e' },
		{ "symbol-prefix", required_argument, NULL, 'P' },
		{ "warn", no_argument, NULL, 'w' },
		{ "show", no_argument, NULL, 'n' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ "incremental", no_argument, NULL, OPT_INCREMENTAL },
		{ NULL, 0, NULL, 0 },
	};
	struct mt_depmod_options opts = { .layout = MT_INDEX_LAYOUT_PREORDER };
	const char **config_paths = calloc((size_t)argc + 1, sizeof(*config_paths));
	char *basedir = NULL, *outdir = NULL, *version = NULL;
	const char *layout = getenv("MT_INDEX_LAYOUT"), *threads = getenv("MT_DEPMOD_THREADS");
	bool all = false, quick = false;
	int opt, verbose = 0, n_config = 0, status;
	struct mt_ctx *ctx = NULL;
	struct utsname u;

	log_open(argv[0], false);
	if (!config_paths || mt_ctx_new(NULL, &ctx) < 0)
		FATAL("%s\n", config_paths ? mt_last_error() : strerror(ENOMEM));
	log_library_messages(ctx);
	while ((opt = getopt_long(argc, argv, "aAb:m:o:C:E:F:eP:wnvVh", options, NULL)) != -1) {
		switch (opt) {
		case 'a': all = true; break;
		case 'A': quick = true; break;
		case 'b': free(basedir); basedir = absolute_or_die(optarg); break;
		case 'm': opts.moduledir = optarg; break;
		case 'o': free(outdir); outdir = absolute_or_die(optarg); break;
		case 'C': config_paths[n_config++] = optarg; break;
		case 'E': opts.symvers = optarg; break;
		case 'F': opts.system_map = optarg; break;
		case 'e': opts.check_symbols = true; break;
		case 'P':
			if (optarg[0] == '\0' || optarg[1] != '\0')
				FATAL("-P only takes a single char\n");
			opts.symbol_prefix = optarg[0];
			break;
		case 'w': opts.warn_duplicates = true; break;
		case 'n': opts.show = stdout; break;
		case OPT_INCREMENTAL: opts.incremental = true; break;
		case 'v': verbose++; break;
		case 'V':
			print_version();
			status = EXIT_SUCCESS;
			goto out;
		case 'h':
			usage(program_name(argv[0]));
			status = EXIT_SUCCESS;
			goto out;
		default:	/* getopt has printed the complaint */
			status = EXIT_FAILURE;
			goto out;
		}
	}
	mt_ctx_set_log_priority(ctx, log_set_threshold(LOG_WARNING + verbose));
	if (verbose > 0)
		opts.edges = stdout;
	if (opts.check_symbols && !opts.symvers && !opts.system_map) {
		WRN("-e needs -E or -F\n");
		opts.check_symbols = false;
	}
	if (layout && strcmp(layout, "postorder") == 0)
		opts.layout = MT_INDEX_LAYOUT_POSTORDER;
	else if (layout && strcmp(layout, "preorder") != 0)
		FATAL("MT_INDEX_LAYOUT must be 'preorder' or 'postorder', not '%s'\n", layout);
	if (threads) {
		char *end;
		unsigned long n = strtoul(threads, &end, 10);

		if (*threads == '\0' || *end != '\0' || n == 0 || n > 1024)
			FATAL("MT_DEPMOD_THREADS must be a number from 1 to 1024\n");
		opts.threads = (unsigned)n;
	}

	if (optind < argc) {
		if (!is_version_number(argv[optind])) {
			ERR("Bad version passed %s\n", argv[optind]);
			status = EXIT_FAILURE;
			goto out;
		}
		version = argv[optind++];
	} else {
		if (uname(&u) < 0)
			FATAL("uname() failed: %s\n", strerror(errno));
		version = u.release;
	}
	opts.version = version;
	opts.basedir = basedir;
	opts.outdir = outdir;
	opts.config_paths = n_config ? config_paths : NULL;

	if (quick) {
		/* -A decides between nothing and a full run. */
		if (opts.show || mt_depmod_up_to_date(ctx, &opts)) {
			status = EXIT_SUCCESS;
			goto out;
		}
		all = true;
	}
	if (!all && optind < argc) {
		for (int i = optind; i < argc; i++)
			if (argv[i][0] != '/')
				FATAL("%s: not absolute path.\n", argv[i]);
		opts.files = (const char *const *)(argv + optind);
		opts.n_files = (size_t)(argc - optind);
	}
	status = mt_depmod_run(ctx, &opts) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
out:
	mt_ctx_free(ctx);
	free(basedir);
	free(outdir);
	free(config_paths);
	log_close();
	return status;
}

/*
 * insmod — load one module file into the kernel, as kmod's insmod does.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "libmodtool.h"
#include "log.h"
#include "common.h"
#include "kmod.h"

static void usage(const char *prog)
{
	printf("Usage:\n"
	       "\t%s [options] filename [args]\n"
	       "Options:\n"
	       "\t-f, --force       DANGEROUS: forces a module load, may cause\n"
	       "\t                  data corruption and crash your machine;\n"
	       "\t                  implies --force-modversion and --force-vermagic\n"
	       "\t    --force-modversion  Ignore the module's symbol versions\n"
	       "\t    --force-vermagic    Ignore the module's version magic\n"
	       "\t-s, --syslog      print to syslog, not stderr\n"
	       "\t-v, --verbose     enables more messages\n"
	       "\t-V, --version     show version\n"
	       "\t-h, --help        show this help\n", prog);
}

int insmod_main(int argc, char *argv[])
{
	enum { OPT_FORCE_MODVERSION = 256, OPT_FORCE_VERMAGIC };
	/* The two --force-* options are kmod main's, as modprobe's. */
	static const struct option options[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "force-modversion", no_argument, NULL, OPT_FORCE_MODVERSION },
		{ "force-vermagic", no_argument, NULL, OPT_FORCE_VERMAGIC },
		{ "syslog", no_argument, NULL, 's' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned flags = 0;
	bool use_syslog = false;
	int opt, verbose = 0, err;
	const char *filename;
	struct mt_ctx *ctx;
	struct stat st;
	char *params;

	while ((opt = getopt_long(argc, argv, "fsvVh", options, NULL)) != -1) {
		switch (opt) {
		case 'f': flags |= MT_INSERT_FORCE_MODVERSION | MT_INSERT_FORCE_VERMAGIC; break;
		case OPT_FORCE_MODVERSION: flags |= MT_INSERT_FORCE_MODVERSION; break;
		case OPT_FORCE_VERMAGIC: flags |= MT_INSERT_FORCE_VERMAGIC; break;
		case 's': use_syslog = true; break;
		case 'v': verbose++; break;
		case 'V': print_version(); return EXIT_SUCCESS;
		case 'h': usage(program_name(argv[0])); return EXIT_SUCCESS;
		default: return EXIT_FAILURE;
		}
	}
	log_open(argv[0], use_syslog);
	if (optind >= argc) {
		ERR("missing filename.\n");
		return EXIT_FAILURE;
	}
	filename = argv[optind];
	if (strcmp(filename, "-") == 0) {
		ERR("this tool does not support loading from stdin!\n");
		return EXIT_FAILURE;
	}
	params = module_params(argc - optind - 1, argv + optind + 1);
	if (!params) {
		ERR("could not gather module options: out-of-memory\n");
		return EXIT_FAILURE;
	}
	if (mt_ctx_new(NULL, &ctx) < 0) {
		ERR("%s\n", mt_last_error());
		free(params);
		return EXIT_FAILURE;
	}
	mt_ctx_set_log_priority(ctx, log_set_threshold(LOG_ERR + verbose));
	log_library_messages(ctx);

	err = 0;
	if (stat(filename, &st) < 0) {
		ERR("could not load module %s: %s\n", filename, strerror(errno));
		err = -errno;
	} else {
		err = mt_insert_module(ctx, filename, params, flags);
		if (err < 0)
			ERR("could not insert module %s: %s\n", filename, insert_strerror(err));
	}
	mt_ctx_free(ctx);
	free(params);
	log_close();
	return err < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

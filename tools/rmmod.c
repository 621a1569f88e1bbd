/*
 * rmmod — remove modules from the kernel, as kmod's rmmod does.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "libmodtool.h"
#include "log.h"
#include "common.h"
#include "kmod.h"

static void usage(const char *prog)
{
	printf("Usage:\n"
	       "\t%s [options] modulename ...\n"
	       "Options:\n"
	       "\t-f, --force       forces a module unload and may crash your\n"
	       "\t                  machine. This requires Forced Module Removal\n"
	       "\t                  option in your kernel. DANGEROUS\n"
	       "\t-s, --syslog      print to syslog, not stderr\n"
	       "\t-v, --verbose     enables more messages\n"
	       "\t-V, --version     show version\n"
	       "\t-h, --help        show this help\n", prog);
}

/* kmod's rmmod wording for a module that cannot be removed. */
static void show_refusal(const struct mt_remove_event *event, void *data)
{
	(void)data;
	switch (event->kind) {
	case MT_REMOVE_BUILTIN:
		ERR("Module %s is builtin.\n", event->name);
		break;
	case MT_REMOVE_NOT_LOADED:
		ERR("Module %s is not currently loaded\n", event->name);
		break;
	case MT_REMOVE_HELD:
		/* three messages make one line, exactly as kmod 34.2 prints it */
		ERR("Module %s is in use by:", event->name);
		for (int i = 0; i < event->nholders; i++)
			ERR(" %s", event->holders[i]);
		ERR("\n");
		break;
	case MT_REMOVE_IN_USE:
		ERR("Module %s is in use\n", event->name);
		break;
	case MT_REMOVE_UNSUPPORTED:
		ERR("Module unloading is not supported\n");
		break;
	default:
		break;
	}
}

int rmmod_main(int argc, char *argv[])
{
	static const struct option options[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "syslog", no_argument, NULL, 's' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool use_syslog = false, force = false;
	int opt, verbose = 0, status = EXIT_SUCCESS;
	struct mt_ctx *ctx;

	while ((opt = getopt_long(argc, argv, "fsvVh", options, NULL)) != -1) {
		switch (opt) {
		case 'f': force = true; break;
		case 's': use_syslog = true; break;
		case 'v': verbose++; break;
		case 'V': print_version(); return EXIT_SUCCESS;
		case 'h': usage(program_name(argv[0])); return EXIT_SUCCESS;
		default: return EXIT_FAILURE;
		}
	}
	log_open(argv[0], use_syslog);
	if (optind >= argc) {
		ERR("missing module name.\n");
		return EXIT_FAILURE;
	}
	if (mt_ctx_new(NULL, &ctx) < 0) {
		ERR("%s\n", mt_last_error());
		return EXIT_FAILURE;
	}
	mt_ctx_set_log_priority(ctx, log_set_threshold(LOG_ERR + verbose));
	log_library_messages(ctx);

	for (int i = optind; i < argc; i++) {
		const char *arg = argv[i];
		char name[PATH_MAX];
		int err;

		/* a file path names its module by its basename */
		err = mt_modname_normalize(arg, name, sizeof(name));
		if (err < 0) {
			ERR("could not use module %s: %s\n", arg, strerror(-err));
			status = EXIT_FAILURE;
			break;
		}
		if (!force && mt_remove_check(ctx, name, show_refusal, NULL) < 0) {
			status = EXIT_FAILURE;
			continue;
		}
		err = mt_remove_module(ctx, name, force ? MT_REMOVE_FORCE : 0);
		if (err < 0) {
			ERR("could not remove module %s: %s\n", arg, strerror(-err));
			status = EXIT_FAILURE;
		}
	}
	mt_ctx_free(ctx);
	log_close();
	return status;
}

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

/* kmod's checks before removal: built-in, not loaded, holders, use count. */
static int check_removable(struct mt_ctx *ctx, const char *name)
{
	char **holders;
	long refcnt;
	int state, n, err;

	state = mt_module_initstate(ctx, name);
	if (state == MT_INITSTATE_BUILTIN) {
		ERR("Module %s is builtin.\n", name);
		return -ENOENT;
	}
	if (state <= MT_INITSTATE_NONE) {
		if (state < 0)
			ERR("%s\n", mt_last_error());
		ERR("Module %s is not currently loaded\n", name);
		return -ENOENT;
	}
	n = mt_module_holders(name, &holders);
	if (n < 0)
		ERR("%s\n", mt_last_error());
	if (n > 0) {
		/* three messages make one line, exactly as kmod 34.2 prints it */
		ERR("Module %s is in use by:", name);
		for (int i = 0; i < n; i++)
			ERR(" %s", holders[i]);
		ERR("\n");
		mt_strv_free(holders, n);
		return -EBUSY;
	}
	err = mt_module_refcnt(name, &refcnt);
	if (err == -EINVAL)
		ERR("%s\n", mt_last_error());
	if (err == -ENOENT) {
		ERR("Module unloading is not supported\n");
		return err;
	}
	if (err < 0)
		return err;
	if (refcnt > 0) {
		ERR("Module %s is in use\n", name);
		return -EBUSY;
	}
	return 0;
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
	log_set_threshold(LOG_ERR + verbose);
	log_library_messages();

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
		if (!force && check_removable(ctx, name) < 0) {
			status = EXIT_FAILURE;
			continue;
		}
		err = mt_remove_module(name, force ? MT_REMOVE_FORCE : 0);
		if (err < 0) {
			ERR("could not remove module %s: %s\n", arg, strerror(-err));
			status = EXIT_FAILURE;
		}
	}
	mt_ctx_free(ctx);
	log_close();
	return status;
}

/*
 * closure — `kmod closure`: the files an initramfs needs for some modules
 * (named, the loaded ones, or those the devices' modaliases ask for): the
 * module files in load order, the built-in modules among them, and their
 * firmware, as lines, NUL-terminated records or one JSON document.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include "libmodtool.h"
#include "log.h"
#include "common.h"
#include "kmod.h"

#define OPT_JSON 256
#define OPT_LOADED 257
#define OPT_DEVICES 258

static void usage(void)
{
	printf("Usage:\n"
	       "\tkmod closure [options] [module|alias|modalias|filename...]\n"
	       "\n"
	       "kmod closure prints the files an initramfs needs for the modules: each module\n"
	       "with its dependencies, soft and weak dependencies, and their firmware.\n"
	       "\n"
	       "Options:\n"
	       "\t    --loaded                The modules of /proc/modules too\n"
	       "\t    --devices               The modules of the modaliases under /sys/devices too\n"
	       "\t    --json                  Print one JSON document\n"
	       "\t-0, --null                  End each line with \\0 instead of \\n\n"
	       "\t-C, --config=FILE           Use FILE instead of the default modprobe.d configuration\n"
	       "\t-k, --set-version=VERSION   Use VERSION instead of `uname -r`\n"
	       "\t-b, --basedir=DIR           Use DIR as filesystem root for " MODULE_DIRECTORY
	       " and /lib/firmware\n"
	       "\t-h, --help                  Show this help\n");
}

static void print_text(const struct mt_closure *c, char end)
{
	const struct mt_closure_firmware *fws;
	const struct mt_closure_module *mods;
	int nmods, nfws;

	mods = mt_closure_modules(c, &nmods);
	fws = mt_closure_firmware(c, &nfws);
	for (int i = 0; i < nmods; i++) {
		if (mods[i].path)
			printf("module %s%c", mods[i].path, end);
		else
			printf("builtin %s%c", mods[i].name, end);
	}
	for (int i = 0; i < nfws; i++)
		for (int k = 0; k < fws[i].nfiles; k++)
			printf("firmware %s%c", fws[i].files[k], end);
}

int closure_main(int argc, char *argv[])
{
	static const struct option options[] = {
		{ "loaded", no_argument, NULL, OPT_LOADED },
		{ "devices", no_argument, NULL, OPT_DEVICES },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "null", no_argument, NULL, '0' },
		{ "config", required_argument, NULL, 'C' },
		{ "set-version", required_argument, NULL, 'k' },
		{ "basedir", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *root = NULL, *kversion = NULL, **configs;
	bool loaded = false, devices = false, want_json = false;
	char end = '\n', *dirname = NULL;
	int opt, nconfigs = 0, status = EXIT_FAILURE, err = 0;
	struct mt_closure *closure = NULL;
	struct mt_ctx *ctx = NULL;
	struct utsname u;

	log_open(argv[0], false);
	configs = calloc((size_t)argc, sizeof(*configs));
	if (!configs) {
		ERR("out of memory\n");
		return EXIT_FAILURE;
	}
	while ((opt = getopt_long(argc, argv, "0C:k:b:h", options, NULL)) != -1) {
		switch (opt) {
		case OPT_LOADED: loaded = true; break;
		case OPT_DEVICES: devices = true; break;
		case OPT_JSON: want_json = true; break;
		case '0': end = '\0'; break;
		case 'C': configs[nconfigs++] = optarg; break;
		case 'k': kversion = optarg; break;
		case 'b': root = optarg; break;
		case 'h':
			usage();
			free(configs);
			return EXIT_SUCCESS;
		default:	/* getopt has printed the complaint */
			free(configs);
			return EXIT_FAILURE;
		}
	}
	if (want_json && end == '\0') {
		ERR("--json cannot be combined with -0.\n");
		goto out;
	}
	if (optind >= argc && !loaded && !devices) {
		ERR("missing module, --loaded or --devices.\n");
		goto out;
	}
	if (!kversion) {
		if (uname(&u) < 0) {
			ERR("uname() failed: %s\n", strerror(errno));
			goto out;
		}
		kversion = u.release;
	}
	dirname = module_dirname(root, kversion);
	if (!dirname)
		goto out;
	if (mt_ctx_new(dirname, &ctx) < 0) {
		ERR("%s\n", mt_last_error());
		goto out;
	}
	log_library_messages(ctx);
	/* missing firmware and loaded modules the directory lacks are warnings */
	if (mt_ctx_log_priority(ctx) < LOG_WARNING)
		mt_ctx_set_log_priority(ctx, LOG_WARNING);
	err = mt_ctx_load_config(ctx, nconfigs ? configs : NULL, nconfigs);
	if (err >= 0)
		err = mt_closure_new(ctx, root, kversion, &closure);
	if (err < 0) {
		ERR("%s\n", err == -ENOMEM ? strerror(ENOMEM) : mt_last_error());
		goto out;
	}
	for (int i = optind; i < argc && err >= 0; i++) {
		int n = mt_closure_add(closure, argv[i]);

		if (n == 0)
			ERR("module %s not found in %s.\n", argv[i], dirname);
		else if (n < 0)
			ERR("%s: %s\n", argv[i], n == -ENOMEM ? strerror(ENOMEM) : mt_last_error());
		if (n <= 0)
			err = n < 0 ? n : -ENOENT;
	}
	if (err >= 0 && loaded) {
		err = mt_closure_add_loaded(closure);
		if (err < 0)
			ERR("%s\n", err == -ENOMEM ? strerror(ENOMEM) : mt_last_error());
	}
	if (err >= 0 && devices) {
		err = mt_closure_add_devices(closure);
		if (err < 0)
			ERR("%s\n", err == -ENOMEM ? strerror(ENOMEM) : mt_last_error());
	}
	if (err < 0)
		goto out;

	if (want_json) {
		struct mt_json *json;

		if (mt_json_new(stdout, &json) < 0) {
			ERR("out of memory\n");
			goto out;
		}
		mt_json_closure(json, ctx, root, kversion, closure);
		err = mt_json_finish(json);
	} else {
		print_text(closure, end);
		err = fflush(stdout) == 0 && !ferror(stdout) ? 0 : -EIO;
	}
	if (err < 0)
		ERR("could not write to standard output: %s\n", strerror(-err));
	else
		status = EXIT_SUCCESS;
out:
	mt_closure_free(closure);
	mt_ctx_free(ctx);
	free(dirname);
	free(configs);
	return status;
}

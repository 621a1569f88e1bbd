/*
 * lsmod — list the loaded modules from /proc/modules, as kmod's lsmod does.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "libmodtool.h"
#include "log.h"
#include "common.h"
#include "kmod.h"

#define OPT_JSON 256

static void usage(const char *prog)
{
	printf("Usage:\n"
	       "\t%s [options]\n"
	       "Options:\n"
	       "\t-s, --syslog      print to syslog, not stderr\n"
	       "\t-v, --verbose     enables more messages\n"
	       "\t    --json        print one JSON document\n"
	       "\t-V, --version     show version\n"
	       "\t-h, --help        show this help\n", prog);
}

/* One row: name, size, use count and holders; values that cannot be read
 * show as negative errnos, as kmod prints them. */
static void print_module(const char *name)
{
	long refcnt = 0, size = 0;
	char **holders;
	int err, n;

	err = mt_module_refcnt(name, &refcnt);
	if (err == -EINVAL)
		ERR("%s\n", mt_last_error());
	if (err < 0)
		refcnt = err;
	err = mt_module_size(name, &size);
	if (err == -EINVAL)
		ERR("%s\n", mt_last_error());
	if (err < 0)
		size = err;
	printf("%-19s %8ld  %ld", name, size, refcnt);
	n = mt_module_holders(name, &holders);
	if (n < 0) {
		ERR("%s\n", mt_last_error());
	} else {
		for (int i = 0; i < n; i++)
			printf("%c%s", i ? ',' : ' ', holders[i]);
		mt_strv_free(holders, n);
	}
	putchar('\n');
}

static void report_problem(const char *msg, void *data)
{
	(void)data;
	ERR("%s\n", msg);
}

static int print_json(void)
{
	struct mt_json *json;
	int err;

	if (mt_json_new(stdout, &json) < 0) {
		ERR("out of memory\n");
		return EXIT_FAILURE;
	}
	err = mt_json_loaded_modules(json, report_problem, NULL);
	if (err < 0) {
		ERR("%s\n", mt_last_error());
		ERR("could not get list of modules: %s\n", strerror(-err));
		mt_json_finish(json);
		log_close();
		return EXIT_FAILURE;
	}
	err = mt_json_finish(json);
	if (err < 0)
		ERR("could not write the JSON document: %s\n", strerror(-err));
	log_close();
	return err < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

int lsmod_main(int argc, char *argv[])
{
	static const struct option options[] = {
		{ "syslog", no_argument, NULL, 's' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool use_syslog = false, want_json = false;
	int opt, verbose = 0, n;
	char **names;

	while ((opt = getopt_long(argc, argv, "svVh", options, NULL)) != -1) {
		switch (opt) {
		case 's': use_syslog = true; break;
		case 'v': verbose++; break;
		case OPT_JSON: want_json = true; break;
		case 'V': print_version(); return EXIT_SUCCESS;
		case 'h': usage(program_name(argv[0])); return EXIT_SUCCESS;
		default: return EXIT_FAILURE;
		}
	}
	log_open(argv[0], use_syslog);
	if (optind < argc) {
		ERR("too many arguments provided.\n");
		return EXIT_FAILURE;
	}
	log_set_threshold(LOG_ERR + verbose);
	if (want_json)
		return print_json();

	n = mt_loaded_modules(&names);
	if (n < 0) {
		ERR("%s\n", mt_last_error());
		ERR("could not get list of modules: %s\n", strerror(-n));
		log_close();
		return EXIT_FAILURE;
	}
	puts("Module                  Size  Used by");
	for (int i = 0; i < n; i++)
		print_module(names[i]);
	mt_strv_free(names, n);
	log_close();
	return EXIT_SUCCESS;
}

/*
 * static-nodes — `kmod static-nodes`: the device nodes listed in the running
 * kernel's modules.devname, in one of kmod's three formats, for
 * systemd's kmod-static-nodes.service (--format=tmpfiles) and for people.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <syslog.h>
#include "libmodtool.h"
#include "common.h"
#include "kmod.h"

static void write_human(FILE *out, const struct mt_devname *e)
{
	fprintf(out, "Module: %s\n"
		"\tDevice node: /dev/%s\n"
		"\t\tType: %s device\n"
		"\t\tMajor: %u\n"
		"\t\tMinor: %u\n",
		e->module, e->devname, e->type == 'c' ? "character" : "block", e->major, e->minor);
}

/* systemd-tmpfiles lines; a node in a subdirectory gets the directory first. */
static void write_tmpfiles(FILE *out, const struct mt_devname *e)
{
	const char *slash = strrchr(e->devname, '/');

	if (slash)
		fprintf(out, "d /dev/%.*s 0755 - - -\n", (int)(slash - e->devname), e->devname);
	fprintf(out, "%c! /dev/%s 0600 - - - %u:%u\n", e->type, e->devname, e->major, e->minor);
}

static void write_devname(FILE *out, const struct mt_devname *e)
{
	fprintf(out, "%s %s %c%u:%u\n", e->module, e->devname, e->type, e->major, e->minor);
}

static const struct format {
	const char *name;
	const char *description;
	void (*write)(FILE *out, const struct mt_devname *entry);
} formats[] = {
	{ "human", "(default) a human readable format. Do not parse.", write_human },
	{ "tmpfiles", "the tmpfiles.d(5) format used by systemd-tmpfiles.", write_tmpfiles },
	{ "devname", "the modules.devname format.", write_devname },
};

static void usage(void)
{
	printf("Usage:\n"
	       "\tkmod static-nodes [options]\n"
	       "\n"
	       "kmod static-nodes outputs the static-node information of the currently running kernel.\n"
	       "\n"
	       "Options:\n"
	       "\t-f, --format=FORMAT  choose format to use: see \"Formats\"\n"
	       "\t-o, --output=FILE    write output to file\n"
	       "\t-h, --help           show this help\n"
	       "\n"
	       "Formats:\n");
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		printf("\t%-12s %s\n", formats[i].name, formats[i].description);
}

/* The library's messages about modules.devname, as kmod words its own. */
static void print_message(int priority, const char *msg, void *data)
{
	(void)data;
	fprintf(stderr, "%s: %s", priority <= LOG_ERR ? "Error" : "Warning", msg);
}

int static_nodes_main(int argc, char *argv[])
{
	static const struct option options[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct format *format = &formats[0];
	const char *output = NULL;
	struct mt_devname *entries;
	struct mt_ctx *ctx;
	char path[PATH_MAX];
	struct utsname u;
	int opt, n, bad, status;
	bool failed;
	FILE *out;

	while ((opt = getopt_long(argc, argv, "o:f:h", options, NULL)) != -1) {
		switch (opt) {
		case 'o':
			output = optarg;
			break;
		case 'f':
			format = NULL;
			for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
				if (strcmp(formats[i].name, optarg) == 0)
					format = &formats[i];
			if (!format) {
				fprintf(stderr, "Unknown format: '%s'.\n", optarg);
				usage();
				return EXIT_FAILURE;
			}
			break;
		case 'h':
			usage();
			return EXIT_SUCCESS;
		default:	/* getopt has printed the complaint */
			return EXIT_FAILURE;
		}
	}

	if (uname(&u) < 0) {
		fputs("Error: uname failed!\n", stderr);
		return EXIT_FAILURE;
	}
	if ((size_t)snprintf(path, sizeof(path), MODULE_DIRECTORY "/%s/modules.devname",
			     u.release) >= sizeof(path)) {
		fprintf(stderr, "Error: could not open " MODULE_DIRECTORY
			"/%s/modules.devname - path too long\n", u.release);
		return EXIT_FAILURE;
	}
	if (mt_ctx_new(NULL, &ctx) < 0) {
		fprintf(stderr, "Error: %s\n", mt_last_error());
		return EXIT_FAILURE;
	}
	/* every message about the file, as kmod prints its own */
	mt_ctx_set_log_fn(ctx, print_message, NULL);
	mt_ctx_set_log_priority(ctx, LOG_DEBUG);
	n = mt_devnames_read(ctx, path, &entries, &bad);
	mt_ctx_free(ctx);
	if (n == -ENOENT) {
		/* a kernel without one: nothing to create, and no failure */
		fprintf(stderr, "Warning: %s not found - ignoring\n", path);
		return EXIT_SUCCESS;
	}
	if (n < 0) {
		fprintf(stderr, "Error: %s\n", mt_last_error());
		return EXIT_FAILURE;
	}

	out = stdout;
	if (output) {
		int err = mkdir_parents(output);

		if (err < 0) {
			fprintf(stderr, "Error: could not create parent directory for %s - %s.\n",
				output, strerror(-err));
			mt_devnames_free(entries, n);
			return EXIT_FAILURE;
		}
		out = fopen(output, "we");
		if (!out) {
			fprintf(stderr, "Error: could not create %s - %s\n", output, strerror(errno));
			mt_devnames_free(entries, n);
			return EXIT_FAILURE;
		}
	}
	for (int i = 0; i < n; i++)
		format->write(out, &entries[i]);
	mt_devnames_free(entries, n);

	status = bad ? EXIT_FAILURE : EXIT_SUCCESS;
	failed = ferror(out);
	failed |= (out == stdout ? fflush(out) : fclose(out)) != 0;
	if (failed) {
		fprintf(stderr, "Error: could not write %s - %s\n",
			output ? output : "to standard output", strerror(errno ? errno : EIO));
		status = EXIT_FAILURE;
	}
	return status;
}

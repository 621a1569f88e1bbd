/*
 * kmod — the one binary behind all the programs, as kmod's: called as
 * insmod, rmmod, lsmod, modinfo, modprobe or depmod (the installed symlinks)
 * it is that tool; called as kmod it takes a command: help, list (= lsmod),
 * static-nodes or closure.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common.h"
#include "kmod.h"

struct program {
	const char *name;
	int (*main)(int argc, char *argv[]);
	const char *help;
};

/* What `kmod COMMAND` runs; help is handled here. */
static const struct program commands[] = {
	{ "help", NULL, "Show help message" },
	{ "list", lsmod_main, "list currently loaded modules" },
	{ "static-nodes", static_nodes_main,
	  "outputs the static-node information installed with the currently running kernel" },
	{ "closure", closure_main,
	  "lists the module and firmware files an initramfs needs for modules" },
};

/* The tools run by name, in kmod's order. */
static const struct program tools[] = {
	{ "lsmod", lsmod_main, "compat lsmod command" },
	{ "rmmod", rmmod_main, "compat rmmod command" },
	{ "insmod", insmod_main, "compat insmod command" },
	{ "modinfo", modinfo_main, "compat modinfo command" },
	{ "modprobe", modprobe_main, "compat modprobe command" },
	{ "depmod", depmod_main, "compat depmod command" },
};

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

static void usage(const char *prog)
{
	printf("kmod - Manage kernel modules: list, load, unload, etc\n"
	       "Usage:\n"
	       "\t%s [options] command [command_options]\n"
	       "\n"
	       "Options:\n"
	       "\t-V, --version     show version\n"
	       "\t-h, --help        show this help\n"
	       "\n"
	       "Commands:\n", prog);
	for (size_t i = 0; i < COUNT(commands); i++)
		printf("  %-12s %s\n", commands[i].name, commands[i].help);
	puts("\nkmod also handles gracefully if called from following symlinks:");
	for (size_t i = 0; i < COUNT(tools); i++)
		printf("  %-12s %s\n", tools[i].name, tools[i].help);
}

static int kmod_main(int argc, char *argv[])
{
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *command;
	int opt;

	/* '+': options stop at the command, whose own options follow it */
	while ((opt = getopt_long(argc, argv, "+hV", options, NULL)) != -1) {
		switch (opt) {
		case 'h': usage(program_name(argv[0])); return EXIT_SUCCESS;
		case 'V': print_version(); return EXIT_SUCCESS;
		default: return EXIT_FAILURE;	/* getopt has printed the complaint */
		}
	}
	if (optind >= argc) {
		fputs("missing command\n", stderr);
		usage(program_name(argv[0]));
		return EXIT_FAILURE;
	}
	command = argv[optind];
	for (size_t i = 0; i < COUNT(commands); i++) {
		if (strcmp(commands[i].name, command) != 0)
			continue;
		/* The command runs with argv starting at its name (its messages
		 * and usage say "list", "static-nodes"), as kmod does. */
		argc -= optind;
		argv += optind;
		optind = 0;	/* a fresh getopt scan */
		if (!commands[i].main) {
			usage(program_name(argv[0]));
			return EXIT_SUCCESS;
		}
		return commands[i].main(argc, argv);
	}
	fprintf(stderr, "invalid command '%s'\n", command);
	usage(program_name(argv[0]));
	return EXIT_FAILURE;
}

int main(int argc, char *argv[])
{
	const char *name;

	if (argc < 1)
		return EXIT_FAILURE;
	name = program_name(argv[0]);
	if (strcmp(name, "kmod") == 0)
		return kmod_main(argc, argv);
	for (size_t i = 0; i < COUNT(tools); i++)
		if (strcmp(name, tools[i].name) == 0)
			return tools[i].main(argc, argv);
	fprintf(stderr, "%s: unknown program name: the kmod binary runs as kmod, depmod, insmod, "
		"lsmod, modinfo, modprobe or rmmod\n", name);
	return EXIT_FAILURE;
}

/*
 * genmod.c — the genmod command: writes one synthetic module for the shell
 * tests (depmod trees and the like) through the writer of genmod-lib.c.
 *
 *   genmod -o FILE [--class 32|64] [--big-endian] [--machine N]
 *          [--modinfo KEY=VAL]... [--export NAME[:CRC[:NAMESPACE]]]...
 *          [--ksymtab-only] [--abs-crcs] [--import NAME[:weak]]...
 *          [--version NAME:CRC]... [--name MODNAME] [--build-id HEX]
 *
 * CRCs are numbers in C syntax (0x1234); exports default to CRC 0.  An export
 * with a NAMESPACE gives every export a struct kernel_symbol in __ksymtab
 * with its relocations (genmod_spec's ksymtab).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "genmod.h"

static void usage(void)
{
	fputs("usage: genmod -o FILE [--class 32|64] [--big-endian] [--machine N]\n"
	      "              [--modinfo KEY=VAL]... [--export NAME[:CRC[:NAMESPACE]]]...\n"
	      "              [--ksymtab-only] [--abs-crcs] [--import NAME[:weak]]...\n"
	      "              [--version NAME:CRC]... [--name MODNAME] [--build-id HEX]\n",
	      stderr);
}

static void error(const char *fmt, const char *arg)
{
	fputs("genmod: ", stderr);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
}

static bool parse_number(const char *s, uint64_t *value)
{
	char *end;

	errno = 0;
	*value = strtoull(s, &end, 0);
	return *s != '\0' && *s != '-' && *end == '\0' && errno == 0;
}

/* Bytes of an even number of hex digits, at most 64 of them. */
static bool parse_hex(const char *s, unsigned char *bytes, size_t *len)
{
	size_t n = strlen(s);

	if (n == 0 || n % 2 || n / 2 > 64 || strspn(s, "0123456789abcdefABCDEF") != n)
		return false;
	for (size_t i = 0; i < n / 2; i++) {
		char pair[3] = { s[2 * i], s[2 * i + 1], '\0' };

		bytes[i] = (unsigned char)strtoul(pair, NULL, 16);
	}
	*len = n / 2;
	return true;
}

/* Split "NAME:SUFFIX" at the first ':' (in place); NULL suffix when none. */
static char *split_suffix(char *arg)
{
	char *colon = strchr(arg, ':');

	if (!colon)
		return NULL;
	*colon = '\0';
	return colon + 1;
}

/* Fill `spec` from the command line; false after printing an error. */
static bool parse_args(int argc, char **argv, struct genmod_spec *spec, const char **output,
		       const char **modinfo, struct genmod_symbol *exports,
		       struct genmod_ksymtab *ksymtab, struct genmod_symbol *imports,
		       struct genmod_symbol *versions)
{
	static const struct option options[] = {
		{ "class", required_argument, NULL, 'c' },
		{ "big-endian", no_argument, NULL, 'b' },
		{ "machine", required_argument, NULL, 'm' },
		{ "modinfo", required_argument, NULL, 'i' },
		{ "export", required_argument, NULL, 'e' },
		{ "ksymtab-only", no_argument, NULL, 'k' },
		{ "abs-crcs", no_argument, NULL, 'a' },
		{ "import", required_argument, NULL, 'u' },
		{ "version", required_argument, NULL, 'v' },
		{ "name", required_argument, NULL, 'n' },
		{ "build-id", required_argument, NULL, 'B' },
		{ 0 }
	};
	static unsigned char build_id[64];
	uint64_t number;
	char *suffix, *ns;
	int opt;

	while ((opt = getopt_long(argc, argv, "o:", options, NULL)) != -1) {
		switch (opt) {
		case 'o':
			*output = optarg;
			break;
		case 'c':
			if (strcmp(optarg, "32") != 0 && strcmp(optarg, "64") != 0) {
				error("invalid class '%s' (32 or 64)", optarg);
				return false;
			}
			spec->elf_class = (unsigned)atoi(optarg);
			break;
		case 'b':
			spec->big_endian = true;
			break;
		case 'm':
			if (!parse_number(optarg, &number) || number == 0 || number > 0xffff) {
				error("invalid machine '%s'", optarg);
				return false;
			}
			spec->machine = (unsigned)number;
			break;
		case 'i':
			modinfo[spec->n_modinfo++] = optarg;
			break;
		case 'e':
			suffix = split_suffix(optarg);
			ns = suffix ? split_suffix(suffix) : NULL;
			if (suffix && !parse_number(suffix, &exports[spec->n_exports].crc)) {
				error("invalid CRC '%s'", suffix);
				return false;
			}
			ksymtab[spec->n_exports].namespace = ns;
			exports[spec->n_exports++].name = optarg;
			if (ns)
				spec->ksymtab = ksymtab;
			break;
		case 'k':
			spec->ksymtab_only = true;
			break;
		case 'a':
			spec->abs_crcs = true;
			break;
		case 'u':
			suffix = split_suffix(optarg);
			if (suffix && strcmp(suffix, "weak") != 0) {
				error("invalid import flag '%s' (only 'weak')", suffix);
				return false;
			}
			imports[spec->n_imports].weak = suffix != NULL;
			imports[spec->n_imports++].name = optarg;
			break;
		case 'v':
			suffix = split_suffix(optarg);
			if (!suffix || !parse_number(suffix, &versions[spec->n_versions].crc)) {
				error("--version needs NAME:CRC, got '%s'", optarg);
				return false;
			}
			versions[spec->n_versions++].name = optarg;
			break;
		case 'n':
			spec->name = optarg;
			break;
		case 'B':
			if (!parse_hex(optarg, build_id, &spec->build_id_len)) {
				error("invalid build id '%s' (1 to 64 bytes in hex)", optarg);
				return false;
			}
			spec->build_id = build_id;
			break;
		default:
			usage();
			return false;
		}
	}
	if (!*output || optind != argc) {
		usage();
		return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	/* Each option takes at most two argv slots, so argc bounds every list. */
	const char **modinfo = calloc((size_t)argc, sizeof(*modinfo));
	struct genmod_symbol *exports = calloc((size_t)argc, sizeof(*exports));
	struct genmod_ksymtab *ksymtab = calloc((size_t)argc, sizeof(*ksymtab));
	struct genmod_symbol *imports = calloc((size_t)argc, sizeof(*imports));
	struct genmod_symbol *versions = calloc((size_t)argc, sizeof(*versions));
	struct genmod_spec spec = { .elf_class = 64, .modinfo = modinfo, .exports = exports,
				    .imports = imports, .versions = versions };
	const char *output = NULL;
	int status = 1, err;

	if (!modinfo || !exports || !ksymtab || !imports || !versions)
		error("%s", strerror(ENOMEM));
	else if (parse_args(argc, argv, &spec, &output, modinfo, exports, ksymtab, imports,
			    versions)) {
		err = genmod_write(&spec, output);
		if (err == -EINVAL)
			error("%s: a module or __versions name is too long for its field", output);
		else if (err < 0)
			fprintf(stderr, "genmod: %s: %s\n", output, strerror(-err));
		else
			status = 0;
	}
	free(modinfo);
	free(exports);
	free(ksymtab);
	free(imports);
	free(versions);
	return status;
}

/*
 * gentree.c — writes a synthetic module tree for the scaling rows of the
 * bench: COUNT modules under DIR/kernel/, a hundred to a directory, each
 * with a few exports, imports of exports of earlier modules (see GROUP),
 * __versions for them, aliases and the
 * .modinfo fields a distribution's modules carry.  The same COUNT always
 * gives the same tree.
 *
 *   bench/gentree DIR COUNT
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "../tests/genmod.h"

#define EXPORTS 6
#define IMPORTS 4
#define PER_DIR 100
#define GROUP 16

static int make_dir(const char *path)
{
	return mkdir(path, 0755) == 0 || errno == EEXIST ? 0 : -errno;
}

int main(int argc, char **argv)
{
	char path[PATH_MAX], names[EXPORTS + IMPORTS][32], info[5][64], modname[32];
	struct genmod_symbol exports[EXPORTS], imports[IMPORTS], versions[IMPORTS];
	const char *modinfo[5];
	unsigned long count;
	unsigned seed = 1;

	if (argc != 3 || (count = strtoul(argv[2], NULL, 10)) == 0) {
		fputs("usage: gentree DIR COUNT\n", stderr);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/kernel", argv[1]);
	if (make_dir(argv[1]) < 0 || make_dir(path) < 0) {
		fprintf(stderr, "gentree: cannot make %s: %s\n", path, strerror(errno));
		return 1;
	}
	for (unsigned long m = 0; m < count; m++) {
		struct genmod_spec spec = {
			.elf_class = 64, .modinfo = modinfo, .n_modinfo = 5,
			.exports = exports, .n_exports = EXPORTS,
			.imports = imports, .versions = versions, .name = modname,
		};
		int err;

		snprintf(modname, sizeof(modname), "m%06lu", m);
		for (unsigned e = 0; e < EXPORTS; e++) {
			snprintf(names[e], sizeof(names[e]), "m%06lu_sym%u", m, e);
			exports[e] = (struct genmod_symbol){ .name = names[e], .crc = m * EXPORTS + e };
		}
		/* Imports from earlier modules of its group and from the core
		 * group, the first one: the transitive dependencies stay a
		 * few dozen, as in a real tree, and the outputs grow as the tree. */
		for (unsigned i = 0; m > 0 && i < IMPORTS; i++) {
			unsigned long base = i == 0 || m % GROUP == 0 ? 0 : m - m % GROUP;
			unsigned long span = (m < base + GROUP ? m : base + GROUP) - base;
			unsigned long from;
			unsigned sym;

			seed = seed * 1103515245u + 12345u;
			from = base + (seed >> 8) % span;
			sym = (seed >> 4) % EXPORTS;
			snprintf(names[EXPORTS + i], sizeof(names[0]), "m%06lu_sym%u", from, sym);
			imports[i] = (struct genmod_symbol){ .name = names[EXPORTS + i] };
			versions[i] = (struct genmod_symbol){
				.name = names[EXPORTS + i], .crc = from * EXPORTS + sym,
			};
			spec.n_imports = spec.n_versions = i + 1;
		}
		snprintf(info[0], sizeof(info[0]), "alias=pci:v%08lXd*sv*sd*bc*sc*i*", m);
		snprintf(info[1], sizeof(info[1]), "alias=of:N*T*Cgen,dev%lu", m);
		snprintf(info[2], sizeof(info[2]), "description=synthetic module %lu", m);
		snprintf(info[3], sizeof(info[3]), "license=GPL");
		snprintf(info[4], sizeof(info[4]), "vermagic=6.1.0 SMP mod_unload modversions");
		for (int i = 0; i < 5; i++)
			modinfo[i] = info[i];
		if (m % PER_DIR == 0) {
			snprintf(path, sizeof(path), "%s/kernel/d%04lu", argv[1], m / PER_DIR);
			if (make_dir(path) < 0) {
				fprintf(stderr, "gentree: cannot make %s: %s\n", path, strerror(errno));
				return 1;
			}
		}
		snprintf(path, sizeof(path), "%s/kernel/d%04lu/%s.ko", argv[1], m / PER_DIR, modname);
		err = genmod_write(&spec, path);
		if (err < 0) {
			fprintf(stderr, "gentree: %s: %s\n", path, strerror(-err));
			return 1;
		}
	}
	return 0;
}

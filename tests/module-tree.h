/*
 * module-tree.h — the installed Debian kernel's module directory for the C
 * tests, found as module_tree() of tests/common.sh finds it for the shell
 * tests: $MT_MODULE_TREE, else the newest /lib/modules/RELEASE holding a
 * modules.dep.bin (not the running kernel's: build machines do not run the
 * kernel they build for).  Never a release written into a test.
 */
#ifndef MT_MODULE_TREE_H
#define MT_MODULE_TREE_H

#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The directory, or NULL when there is none. */
static inline const char *module_tree(void)
{
	static char tree[PATH_MAX];
	const char *env = getenv("MT_MODULE_TREE"), *best = NULL;
	glob_t g;

	if (env && *env) {
		size_t len = (size_t)snprintf(tree, sizeof(tree), "%s", env);

		while (len > 1 && tree[len - 1] == '/')
			tree[--len] = '\0';
		return tree;
	}
	if (glob("/lib/modules/*/modules.dep.bin", 0, NULL, &g) != 0)
		return NULL;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		if (!best || strverscmp(g.gl_pathv[i], best) > 0)
			best = g.gl_pathv[i];
	}
	snprintf(tree, sizeof(tree), "%.*s", (int)(strrchr(best, '/') - best), best);
	globfree(&g);
	return tree;
}

/* The release a module directory is named after: its last component. */
static inline const char *module_tree_release(const char *tree)
{
	const char *slash = strrchr(tree, '/');

	return slash && slash[1] ? slash + 1 : tree;
}

#endif

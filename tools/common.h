/*
 * common.h — small helpers every tool shares: program name, version line,
 * module directory, module parameters, output directories.
 */
#ifndef MT_TOOLS_COMMON_H
#define MT_TOOLS_COMMON_H

/* basename of argv[0] */
const char *program_name(const char *argv0);

/* -V: "kmod version 34.2 (modtool N)", a first line that scripts reading
 * kmod's version still parse, then the compiled-in features as kmod lists
 * them ("+ZSTD +XZ +ZLIB +OPENSSL"), on stdout. */
void print_version(void);

/* The module directory for -b/-d ROOT and -k/-S VERSION: ROOT (default "")
 * + MODULE_DIRECTORY + "/" + VERSION (default: the running kernel's), made
 * absolute.  NULL when neither is given (the library's default), or after
 * reporting a failure — tell them apart by the arguments. */
char *module_dirname(const char *root, const char *kversion);

/* Module parameters from the words after the module operand: joined by
 * spaces, a value containing a space quoted (kmod's rule).  malloc'd. */
char *module_params(int count, char *const words[]);

/* mkdir -p of the directories leading to `path` (not `path` itself),
 * 0755.  0 or -errno. */
int mkdir_parents(const char *path);

/* kmod's wording for a failed module insertion (err is -errno). */
const char *insert_strerror(int err);

#endif

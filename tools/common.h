/*
 * common.h — small helpers every tool shares: program name, version line,
 * module directory, module parameters.
 */
#ifndef MT_TOOLS_COMMON_H
#define MT_TOOLS_COMMON_H

#define MODULE_DIRECTORY "/lib/modules"

/* basename of argv[0] */
const char *program_name(const char *argv0);

/* "modtool version N" and the compiled-in features, on stdout. */
void print_version(void);

/* The module directory for -b/-d ROOT and -k/-S VERSION: ROOT (default "")
 * + MODULE_DIRECTORY + "/" + VERSION (default: the running kernel's), made
 * absolute.  NULL when neither is given (the library's default), or after
 * reporting a failure — tell them apart by the arguments. */
char *module_dirname(const char *root, const char *kversion);

/* Module parameters from the words after the module operand: joined by
 * spaces, a value containing a space quoted (kmod's rule).  malloc'd. */
char *module_params(int count, char *const words[]);

/* kmod's wording for a failed module insertion (err is -errno). */
const char *insert_strerror(int err);

#endif

/*
 * libmodtool — public API.
 *
 * Errors: a function returning int gives >= 0 on success (0, a count, or
 * 1/0 for found/absent, as its comment says) and a negative errno on
 * failure.  When a failure has a cause worth telling (a file, a line, a
 * byte), mt_last_error() then describes it in one line naming the file and
 * the problem; it means something only right after a failed call.  A
 * function returning a pointer says in its comment what NULL means.
 *
 * Messages: what the library notices along the way (a configuration line it
 * skips, a module depmod cannot read) goes to the log function of the
 * context the work is for (mt_ctx_set_log_fn), never to a process-wide
 * one; the library itself prints nothing and never exits.
 *
 * Pointers returned into a mapped module or index stay valid until that
 * object is closed.
 */
#ifndef LIBMODTOOL_H
#define LIBMODTOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- errors (error.c) ---------------------------------------------------- */

/* Message of the last failure in the calling thread ("" if none). */
const char *mt_last_error(void);

/* ---- the context (ctx.c) ------------------------------------------------- */

/* A module directory, the modprobe.d configuration read for it, its
 * indexes (opened on first use), and where messages about work done in it
 * go. */
struct mt_ctx;
struct mt_config;

/* A context for `dirname`; NULL means MODULE_DIRECTORY/<uname release>,
 * where MODULE_DIRECTORY is configure's --with-module-directory
 * (/lib/modules).  It has no log function, and its log priority is
 * $KMOD_LOG as libkmod reads it (a number, or a word starting with "err",
 * "info" or "debug"; another word is 0), else LOG_ERR. */
int mt_ctx_new(const char *dirname, struct mt_ctx **out);
void mt_ctx_free(struct mt_ctx *ctx);
const char *mt_ctx_dirname(const struct mt_ctx *ctx);

/* Receives each message (a syslog priority; the text ends in '\n'). */
typedef void (*mt_log_fn)(int priority, const char *msg, void *data);

/* Where the context's messages go; NULL: nowhere. */
void mt_ctx_set_log_fn(struct mt_ctx *ctx, mt_log_fn fn, void *data);

/* Messages of a priority above this one (less urgent) are dropped. */
void mt_ctx_set_log_priority(struct mt_ctx *ctx, int priority);
int mt_ctx_log_priority(const struct mt_ctx *ctx);

/* Read the configuration as kmod does, replacing one read before: `paths`
 * (NULL: the default directories SYSCONFDIR/modprobe.d, /run/modprobe.d,
 * /usr/local/lib/modprobe.d, DISTCONFDIR/modprobe.d, /lib/modprobe.d, with
 * configure's --sysconfdir (/etc) and --with-distconfdir (/usr/lib); else
 * the -C list, files or directories) merged by file name, plus
 * DIRNAME/modules.softdep and DIRNAME/modules.weakdep, then /proc/cmdline.
 * Bad lines are logged and skipped.  0 or -errno. */
int mt_ctx_load_config(struct mt_ctx *ctx, const char *const *paths, int npaths);

/* The configuration lookups and probing consult: NULL until loaded. */
const struct mt_config *mt_ctx_config(const struct mt_ctx *ctx);

/* The binary indexes of a module directory. */
enum mt_index_id {
	MT_INDEX_DEP,			/* modules.dep.bin */
	MT_INDEX_ALIAS,			/* modules.alias.bin */
	MT_INDEX_SYMBOLS,		/* modules.symbols.bin */
	MT_INDEX_BUILTIN,		/* modules.builtin.bin */
	MT_INDEX_BUILTIN_ALIAS,		/* modules.builtin.alias.bin */
	MT_INDEX_COUNT
};

/* An index is opened on first use and kept; one that cannot be opened
 * (missing, or with a bad header, such as the empty built-in indexes depmod
 * writes when their sources are missing) counts as missing, as in kmod. */

/* Every entry of the context's index `id` as "KEY VALUE" lines, in the
 * index's order, with "alias " before those of the alias and symbol
 * indexes, as kmod dumps them.  0; -ENOENT when the index is missing, or
 * -errno when it is corrupt. */
int mt_ctx_dump_index(struct mt_ctx *ctx, enum mt_index_id id, FILE *out);

/* Open every index now, as kmod_load_resources does: anew, in kmod's order
 * (dep, alias, symbols, builtin alias, builtin), a bad header logged in
 * kmod's words; only modules.builtin.alias.bin may be missing.  They stay
 * open until mt_ctx_unload_indexes.  0 (also when already loaded), or the
 * -errno of the first index that cannot be opened, none kept open then. */
int mt_ctx_load_indexes(struct mt_ctx *ctx);

/* Close every index (loaded or opened on demand); the next use opens it
 * anew. */
void mt_ctx_unload_indexes(struct mt_ctx *ctx);

/* What mt_ctx_validate finds, as kmod_validate_resources says it. */
enum mt_resources {
	MT_RESOURCES_OK = 0,		/* what was read is what is on disk */
	MT_RESOURCES_RELOAD = 1,	/* an open index changed: unload them */
	MT_RESOURCES_RECREATE = 2,	/* the configuration changed: a new context */
};

/* RECREATE when a configuration path that was read (a directory or a file
 * given; its modification time) changed or is gone, else RELOAD when the
 * file of an open index did, else OK. */
int mt_ctx_validate(const struct mt_ctx *ctx);

/* ---- names and paths (names.c) ------------------------------------------- */

/* Module name of a name, as kmod spells a name it is given (libkmod's
 * kmod_module_new_from_name, modinfo -m): up to the first '.', '-' -> '_',
 * a directory part kept, possibly empty.  Returns the length, or
 * -ENAMETOOLONG. */
int mt_name_normalize(const char *name, char *buf, size_t size);

/* Module name of a path or name: basename up to the first '.', '-' -> '_'.
 * Returns the length, or -ENAMETOOLONG / -EINVAL (empty result). */
int mt_modname_normalize(const char *path, char *buf, size_t size);

/* Alias normalization: '-' -> '_' outside [...] brackets, brackets copied
 * verbatim.  Returns the length, or -EINVAL for an unmatched bracket. */
int mt_alias_normalize(const char *alias, char *buf, size_t size);

/* `path` made absolute by prefixing the working directory (no clean-up, as
 * kmod does); malloc'd, NULL (errno set) on failure. */
char *mt_path_absolute(const char *path);

/* ---- module files (file.c) ----------------------------------------------- */

enum mt_compression {
	MT_COMPRESSION_NONE,
	MT_COMPRESSION_GZIP,
	MT_COMPRESSION_XZ,
	MT_COMPRESSION_ZSTD,
};

struct mt_file;

/* Open a module file; compression is detected by magic bytes.  -EINVAL for a
 * file shorter than the longest magic, other errno from open/read. */
int mt_file_open(const char *path, struct mt_file **out);
void mt_file_close(struct mt_file *file);
int mt_file_fd(const struct mt_file *file);
const char *mt_file_path(const struct mt_file *file);
enum mt_compression mt_file_compression(const struct mt_file *file);

/* The (decompressed) contents: mapped for plain files, decompressed once and
 * cached otherwise.  -ENOTSUP when the format was compiled out. */
int mt_file_load(struct mt_file *file, const void **data, size_t *size);

/* The compression the suffix of a module file name says (".ko", ".ko.gz",
 * ".ko.xz", ".ko.zst": the first `len` bytes of `name` end in it, after at
 * least one byte), or -ENOENT when they end in none. */
int mt_module_suffix(const char *name, size_t len);

/* "gzip", "xz", "zstd" or NULL for MT_COMPRESSION_NONE. */
const char *mt_compression_name(enum mt_compression comp);
bool mt_compression_supported(enum mt_compression comp);

/* ---- ELF modules (elf.c) ------------------------------------------------- */

struct mt_elf;

/* Validate an ELF relocatable image (any class, byte order, machine).  The
 * image must stay valid while the mt_elf lives.  `name` is used in messages.
 * -ENOEXEC: not ELF; -EINVAL: malformed headers. */
int mt_elf_open(const void *data, size_t size, const char *name, struct mt_elf **out);
void mt_elf_close(struct mt_elf *elf);

unsigned mt_elf_class(const struct mt_elf *elf);          /* 32 or 64 */
bool mt_elf_big_endian(const struct mt_elf *elf);
unsigned mt_elf_machine(const struct mt_elf *elf);

/* First section (index >= 1) named `name` whose contents lie inside the
 * image.  -ENODATA when there is none. */
int mt_elf_section(const struct mt_elf *elf, const char *name,
		   const void **data, size_t *size);

/* A .modinfo entry: key/value point into the image and are NOT
 * NUL-terminated; use the lengths. */
struct mt_kv {
	const char *key;
	const char *value;
	size_t key_len;
	size_t value_len;
};

/* All .modinfo strings in order (split at the first '=').  Returns the count
 * (array in *out, free() it) or -ENODATA without .modinfo. */
int mt_elf_modinfo(const struct mt_elf *elf, struct mt_kv **out);

/* Value of the first .modinfo `key`, or NULL. */
const char *mt_kv_find(const struct mt_kv *list, int count, const char *key, size_t *len);

struct mt_symbol {
	const char *name;	/* NUL-terminated, inside the image */
	/* Exports only: the namespace given to EXPORT_SYMBOL_NS (NUL-terminated,
	 * inside the image); NULL when there is none or it cannot be read. */
	const char *ns;
	uint64_t crc;
	bool weak;
};

/* __versions entries (CRC + name); a leading '.' of the name is dropped.
 * Returns the count (array in *out, free() it), -ENODATA, or -EINVAL. */
int mt_elf_versions(const struct mt_elf *elf, struct mt_symbol **out);

/* Exported symbols: __crc_* symbols of .symtab with their CRCs, else the
 * strings of __ksymtab_strings with CRC 0.  Count or -ENODATA / -EINVAL. */
int mt_elf_exports(const struct mt_elf *elf, struct mt_symbol **out);

/* Undefined symbols of .symtab in table order (weak flagged; SPARC register
 * symbols skipped), then __versions names not among them.  Count or errno. */
int mt_elf_imports(const struct mt_elf *elf, struct mt_symbol **out);

/* Name stored in .gnu.linkonce.this_module (struct module's name field). */
int mt_elf_module_name(const struct mt_elf *elf, char *buf, size_t size);

/* The descriptor of the NT_GNU_BUILD_ID note (owner "GNU") of section
 * .note.gnu.build-id, inside the image: 0, -ENODATA when there is no such
 * section or note, -EINVAL when a note runs past the section or the build id
 * is empty. */
int mt_elf_build_id(const struct mt_elf *elf, const void **id, size_t *len);

#define MT_STRIP_MODVERSIONS 0x1	/* clear SHF_ALLOC of __versions */
#define MT_STRIP_VERMAGIC 0x2		/* blank the vermagic= string */

/* Write into `copy` (a same-sized copy of the image elf was opened on) what
 * forced loading needs: -ENODATA when asked to strip the vermagic of a
 * .modinfo that has none. */
int mt_elf_strip(const struct mt_elf *elf, void *copy, unsigned flags);

/* ---- opening modules (module.c) ------------------------------------------ */

struct mt_module;

/* The one way from a module's path to its file, its decompressed image and
 * its ELF view.  Only the file is opened here (as mt_file_open does); the
 * image and the ELF view are made on first use and kept until the module
 * is closed. */
int mt_module_open(const char *path, struct mt_module **out);
void mt_module_close(struct mt_module *mod);

/* The open file: its descriptor, path and compression. */
struct mt_file *mt_module_file(const struct mt_module *mod);

/* The (decompressed) contents, as mt_file_load gives them. */
int mt_module_image(struct mt_module *mod, const void **data, size_t *size);

/* The image as ELF (mt_elf_open, named by the path); owned by the module. */
int mt_module_elf(struct mt_module *mod, const struct mt_elf **elf);

/* ---- appended signatures (signature.c) ----------------------------------- */

struct mt_signature {
	const char *id_type;		/* "PKCS#7", "X509", "PGP" */
	const char *hash_algo;		/* e.g. "sha256", "unknown" */
	char *signer;			/* allocated, may be "" */
	unsigned char *key_id;		/* allocated */
	size_t key_id_len;
	unsigned char *signature;	/* allocated */
	size_t signature_len;
};

/* Parse the "~Module signature appended~" trailer of a decompressed module;
 * why PKCS#7 details are missing (libcrypto cannot be loaded) is logged to
 * ctx (may be NULL).  -ENODATA when the module carries no valid signature. */
int mt_signature_parse(const struct mt_ctx *ctx, const void *data, size_t size,
		       struct mt_signature *out);
void mt_signature_release(struct mt_signature *sig);

/* ---- binary indexes, reading (index.c) ----------------------------------- */

struct mt_index;

/* Map a modules.*.bin file; -EINVAL for a bad magic/version/size. */
int mt_index_open(const char *path, struct mt_index **out);
void mt_index_close(struct mt_index *idx);

/* Exact lookup: the first value (lowest priority) of `key`, malloc'd; NULL
 * with errno 0 when absent, NULL with errno set on a corrupt index. */
char *mt_index_lookup(struct mt_index *idx, const char *key);

struct mt_index_value {
	char *value;		/* malloc'd */
	unsigned priority;
};

/* Wildcard lookup: stored keys are fnmatch patterns matched against `key`.
 * Returns the count (array in *out sorted as libkmod does; free with
 * mt_index_values_free) or a negative errno for a corrupt index. */
int mt_index_lookup_wild(struct mt_index *idx, const char *key,
			 struct mt_index_value **out);
void mt_index_values_free(struct mt_index_value *values, int count);

/* Pre-order dump: "<prefix><key> <value>\n" for every value. */
int mt_index_dump(struct mt_index *idx, FILE *out, const char *prefix);

/* ---- string vectors (strv.c) --------------------------------------------- */

/* Free a string vector (array of `count` malloc'd strings) returned by the
 * library. */
void mt_strv_free(char **strv, int count);

/* ---- the running kernel (kernel.c) ---------------------------------------- */

/* Normalized names of /proc/modules in file order: count (vector in *out). */
int mt_loaded_modules(char ***out);

/* /sys/module/NAME/refcnt.  -errno if unreadable, -EINVAL if not a number. */
int mt_module_refcnt(const char *name, long *refcnt);

/* /sys/module/NAME/coresize, else the size field of /proc/modules;
 * -errno when /sys/module/NAME does not exist. */
int mt_module_size(const char *name, long *size);

/* Normalized entries of /sys/module/NAME/holders in directory order. */
int mt_module_holders(const char *name, char ***out);

/* The taint flags of /sys/module/NAME/taint ("" for none, letters as
 * /proc/modules shows them in parentheses), NUL-terminated in buf without
 * the line break.  -errno if unreadable (-ENOENT for a module without the
 * file: built in, or an older kernel). */
int mt_module_taint(const char *name, char *buf, size_t size);

/* A loaded module's section, as /sys/module/NAME/sections lists it. */
struct mt_section {
	char *name;
	unsigned long address;
};

/* The entries of /sys/module/NAME/sections in directory order, each with
 * the hexadecimal address its file holds.  The count (array in *out, free
 * with mt_sections_free), or -errno with a message in kmod's words: of
 * opening the directory, or of the first entry that cannot be read (-EINVAL
 * for one that holds no address). */
int mt_module_sections(const char *name, struct mt_section **out);
void mt_sections_free(struct mt_section *sections, int count);

/* The decompressor of the running kernel (/sys/module/compression), or
 * MT_COMPRESSION_NONE.  -EINVAL (with a message) for an unknown one. */
int mt_kernel_compression(enum mt_compression *out);

enum mt_initstate {
	MT_INITSTATE_NONE,	/* not loaded */
	MT_INITSTATE_BUILTIN,
	MT_INITSTATE_LIVE,
	MT_INITSTATE_COMING,
	MT_INITSTATE_GOING,
};

/* State of module NAME as the kernel shows it: /sys/module/NAME/initstate,
 * COMING while only the directory exists, never BUILTIN (the module
 * directory knows that: mt_module_initstate).  -EINVAL for an unknown
 * state. */
int mt_kernel_initstate(const char *name);

#define MT_INSERT_FORCE_MODVERSION 0x1	/* = MODULE_INIT_IGNORE_MODVERSIONS */
#define MT_INSERT_FORCE_VERMAGIC 0x2	/* = MODULE_INIT_IGNORE_VERMAGIC */

/* Load a module file: finit_module on the file (flagged compressed when the
 * kernel decompresses that format itself), else, or if the kernel lacks
 * finit_module, init_module with the decompressed image (stripped of
 * version checks when forced).  Failures are logged to ctx.  0 or the
 * kernel's -errno. */
int mt_insert_module(struct mt_ctx *ctx, const char *path, const char *params, unsigned flags);

#define MT_REMOVE_FORCE 0x1	/* O_TRUNC: remove even if in use */
#define MT_REMOVE_QUIET 0x2	/* do not log the failure */

/* delete_module(name, O_NONBLOCK[|O_TRUNC]); a failure is logged to ctx
 * unless MT_REMOVE_QUIET.  0 or -errno. */
int mt_remove_module(struct mt_ctx *ctx, const char *name, unsigned flags);

/* ---- name resolution (lookup.c) ------------------------------------------ */

struct mt_modref {
	char *name;		/* module name */
	char *path;		/* absolute path, NULL for built-in or unknown */
	char **deps;		/* absolute paths of its modules.dep dependencies, */
	int ndeps;		/* in line order (none if no path) */
	char *alias;		/* the alias it was found through, or NULL */
	bool builtin;
};

#define MT_LOOKUP_NAME_ONLY 0x1	/* modinfo -m: dep, builtin, builtin alias, by the
				 * query's mt_name_normalize'd name */

/* Resolve a name, alias or "symbol:" query in kmod's order: configuration
 * aliases, modules.dep.bin, modules.symbols.bin, configured install/remove
 * commands, modules.alias.bin, modules.builtin.bin and
 * modules.builtin.alias.bin; a missing index skips its step.  Returns the
 * count (possibly 0; array in *out, free with mt_modrefs_free) or -errno. */
int mt_lookup(struct mt_ctx *ctx, const char *query, unsigned flags, struct mt_modref **out);
void mt_modrefs_free(struct mt_modref *refs, int count);

/* The modules the first `softdep` entry matching module NAME names, each
 * name resolved as mt_lookup does (one that cannot be is logged and
 * skipped), in line order: pre in *pre (*npre of them), post in *post; none
 * without such an entry.  Free both with mt_modrefs_free.  0 or -ENOMEM. */
int mt_module_softdeps(struct mt_ctx *ctx, const char *name, struct mt_modref **pre, int *npre,
		       struct mt_modref **post, int *npost);

/* The modules the first `weakdep` entry matching module NAME names,
 * resolved likewise: the count (array in *out, free with mt_modrefs_free)
 * or -ENOMEM. */
int mt_module_weakdeps(struct mt_ctx *ctx, const char *name, struct mt_modref **out);

/* A module named by its file (modprobe /dir/mod.ko): the name of the
 * file's basename, the path made absolute and the modules.dep.bin
 * dependencies of that name.  Returns 1 (the one result in *out, free with
 * mt_modrefs_free) or -errno (of stat() when there is no such file). */
int mt_lookup_path(struct mt_ctx *ctx, const char *path, struct mt_modref **out);

/* Fill ref->path and ref->deps from the modules.dep.bin line of ref->name
 * (relative paths made absolute in the module directory): 1 when found, 0
 * when absent, -errno. */
int mt_module_dep(struct mt_ctx *ctx, struct mt_modref *ref);

/* 1 if NAME is in modules.builtin.bin, 0 if not (or no index), or -errno. */
int mt_module_builtin(struct mt_ctx *ctx, const char *name);

/* State of module NAME: BUILTIN when it is in the context's
 * modules.builtin.bin, else mt_kernel_initstate(). */
int mt_module_initstate(struct mt_ctx *ctx, const char *name);

/* True when NAME is live or built in. */
bool mt_module_in_kernel(struct mt_ctx *ctx, const char *name);

/* ---- module information (modinfo.c) -------------------------------------- */

struct mt_info;

/* The information kmod lists for a module (modinfo's fields, libkmod's
 * kmod_module_get_info): for a module file (mod->path), its .modinfo
 * entries in order, then build-id when it has a build id note (colon-joined
 * uppercase hex bytes, as kmod's main branch adds it; a malformed note is
 * logged to ctx as a warning and left out), then, when it is signed,
 * sig_id, signer, sig_key, sig_hashalgo and signature (the key id and the
 * signature as colon-joined hex bytes, with a line break and two tabs after
 * every 20th); for a
 * built-in module (no path), its entries in the context's
 * modules.builtin.modinfo (the first run of "NAME." records).  Why a
 * compressed module cannot be read is logged to ctx.  Returns the count
 * (the list in *list, valid until mt_info_free(*info)), or -errno:
 * -ENOENT for a built-in module when there is no modules.builtin.modinfo. */
int mt_module_info(struct mt_ctx *ctx, const struct mt_modref *mod, struct mt_info **info,
		   const struct mt_kv **list);
void mt_info_free(struct mt_info *info);

/* A parameter merged from "parm=NAME:DESC" and "parmtype=NAME:TYPE" entries;
 * desc/type are NULL when absent.  Strings are not NUL-terminated. */
struct mt_param {
	const char *name, *desc, *type;
	size_t name_len, desc_len, type_len;
};

/* Merge the parameters of an information list in order of first appearance
 * (later entries overwrite).  An entry without ':' is passed to `invalid`
 * and skipped.  Count (array in *out, free() it) or -ENOMEM. */
int mt_params_merge(const struct mt_kv *list, int count, struct mt_param **out,
		    void (*invalid)(const struct mt_kv *kv, void *data), void *data);

/* ---- firmware files (firmware.c) ----------------------------------------- */

/* Firmware NAME as the kernel's direct lookup finds it for kernel release
 * RELEASE in the root ROOT (NULL or "": /): the first regular file among
 * NAME, then NAME.zst, then NAME.xz, each tried in ROOT/lib/firmware/
 * updates/RELEASE, ROOT/lib/firmware/updates, ROOT/lib/firmware/RELEASE and
 * ROOT/lib/firmware; symbolic links are followed inside ROOT (an absolute
 * target is taken in ROOT too, at most 40 of them).  Returns the number of
 * paths in *files (free with mt_strv_free): the path found, the links it
 * leads through, then the file, all with ROOT; 0 when there is none; or
 * -EINVAL for a name that is absolute or has a "." or ".." component or
 * an empty or slashed release (with a message). */
int mt_firmware_find(const char *root, const char *release, const char *name, char ***files);

/* The firmware names a pattern (an fnmatch pattern, as some firmware:
 * fields are) stands for: the paths relative to the search path's
 * directories, without the .zst or .xz the search adds, that match it in
 * any of them, each once, directory by directory.  The count (names in
 * *names, free with mt_strv_free) or -EINVAL as for mt_firmware_find. */
int mt_firmware_glob(const char *root, const char *release, const char *pattern, char ***names);

/* ---- the initramfs closure (closure.c) ----------------------------------- */

/* Why a module is in a closure. */
enum mt_closure_reason {
	MT_CLOSURE_NAMED,		/* an operand names it */
	MT_CLOSURE_DEPENDENCY,		/* in the modules.dep line of required_by */
	MT_CLOSURE_PRE_SOFTDEP,		/* a softdep pre: of required_by */
	MT_CLOSURE_POST_SOFTDEP,	/* a softdep post: of required_by */
	MT_CLOSURE_WEAKDEP,		/* a weakdep of required_by */
};

struct mt_closure_module {
	char *name;
	char *path;			/* absolute; NULL when built in */
	bool builtin;
	enum mt_closure_reason reason;
	char *required_by;		/* the module it is there for; NULL: named */
	char **firmware;		/* its firmware: fields, in order */
	int nfirmware;
};

struct mt_closure_firmware {
	char *name;			/* as a firmware: field names it (or a
					 * file a pattern field matches) */
	char *module;			/* the first module naming it */
	char **files;			/* mt_firmware_find's paths; none: missing */
	int nfiles;
};

/* The files an initramfs needs for some modules, for the context's module
 * directory and configuration, the firmware looked up in ROOT (NULL: /)
 * for kernel release RELEASE.  The modules come in modprobe's load order,
 * each once, at its first place: for a module resolved from an operand (or
 * a soft or weak dependency), its modules.dep dependencies from the end of
 * the line, each preceded by the closures of its pre soft dependencies and
 * followed by those of its post soft and weak dependencies, then the same
 * for the module itself.  Each listed module's firmware follows as it is
 * listed, each name once; a missing one is logged to the context as a
 * warning and kept without files.  A module that has neither a file nor is
 * built in (an alias of the configuration to nothing) is logged and left
 * out.  0 or -ENOMEM. */
struct mt_closure;
int mt_closure_new(struct mt_ctx *ctx, const char *root, const char *release,
		   struct mt_closure **out);
void mt_closure_free(struct mt_closure *c);

/* Add the closure of an operand: a module file (a name with a module
 * suffix that is a regular file: mt_lookup_path), else a name, alias or
 * modalias (mt_lookup).  The number of modules it names (0: none), or
 * -errno (a module whose information cannot be read: with a message). */
int mt_closure_add(struct mt_closure *c, const char *operand);

/* Add the modules of /proc/modules (mt_loaded_modules), each looked up as
 * an operand; one the module directory does not have is logged as a
 * warning.  Their number, or -errno. */
int mt_closure_add_loaded(struct mt_closure *c);

/* Add the modules the modalias file of every device below /sys/devices
 * stands for (most stand for none), directories in name order, symbolic
 * links not followed.  0, or -errno (/sys/devices cannot be opened: with a
 * message). */
int mt_closure_add_devices(struct mt_closure *c);

/* What was added so far: the modules and the firmware, in order. */
const struct mt_closure_module *mt_closure_modules(const struct mt_closure *c, int *count);
const struct mt_closure_firmware *mt_closure_firmware(const struct mt_closure *c, int *count);

/* ---- JSON documents (json.c) --------------------------------------------- */

/* A JSON writer to a stdio stream, one value a line, indented.  Strings
 * are written as UTF-8 whatever bytes they hold: '"', '\\' and control
 * characters (U+0000..U+001F, U+007F) escaped, every ill-formed byte
 * sequence replaced by \ufffd (one per maximal subpart, as Python's
 * decode("utf-8", "replace") does).  Misuse (a key outside an object,
 * unbalanced or too deep nesting) is reported by mt_json_finish. */
struct mt_json;

/* 0 or -ENOMEM. */
int mt_json_new(FILE *out, struct mt_json **json);

/* End the document with a line break (nothing when nothing was written:
 * a document abandoned before its first value), flush and free the
 * writer: 0,
 * -EINVAL after misuse, or -EIO when the stream had a write error. */
int mt_json_finish(struct mt_json *json);

void mt_json_begin_object(struct mt_json *json);
void mt_json_end_object(struct mt_json *json);
void mt_json_begin_array(struct mt_json *json);
void mt_json_end_array(struct mt_json *json);
/* A member's key, inside an object; its value follows. */
void mt_json_key(struct mt_json *json, const char *key);
void mt_json_key_len(struct mt_json *json, const char *key, size_t len);
void mt_json_string(struct mt_json *json, const char *s);
void mt_json_string_len(struct mt_json *json, const char *s, size_t len);
void mt_json_int(struct mt_json *json, long long value);
void mt_json_bool(struct mt_json *json, bool value);
void mt_json_null(struct mt_json *json);

/* ---- the tools' JSON documents (json-docs.c) ------------------------------ */

/* One module's object of modinfo --json (keys in man/modinfo.8): operand
 * (the argument that named it), name, filename (null for a built-in
 * module), builtin, and info — every key of mt_module_info's list in order
 * of first appearance, each an array of its values (depends split at
 * commas; sig_key and signature without line breaks), parm and parmtype
 * merged into parm: [{name, description, type}] (null when absent) in order
 * of first appearance.  When the information cannot be read the object has
 * error (the message mt_last_error() then holds too) in place of info, and
 * the result is -errno; else 0.  An invalid parm entry is logged to ctx. */
int mt_json_module_info(struct mt_ctx *ctx, struct mt_json *json, const char *operand,
			const struct mt_modref *mod);

/* modinfo --json's object for an operand that names no module:
 * {operand, error}. */
void mt_json_operand_error(struct mt_json *json, const char *operand, const char *error);

/* Receives what lsmod reports about broken module state (one line, no
 * line break). */
typedef void (*mt_json_problem_fn)(const char *msg, void *data);

/* lsmod --json (keys in man/lsmod.8): an array of {name, size, use_count,
 * holders, state, taint} for the modules of /proc/modules in file order;
 * what cannot be read is null (state: /sys/module/NAME/initstate as
 * "live", "coming" or "going"; taint: /sys/module/NAME/taint's letters),
 * and each broken value lsmod's text reports goes to `problem` too.  0, or
 * -errno (with mt_last_error()) when /proc/modules cannot be read, before
 * anything is written. */
int mt_json_loaded_modules(struct mt_json *json, mt_json_problem_fn problem, void *data);

/* One object of modprobe --show-depends --json (keys in man/modprobe.8)
 * for module `top` (a lookup result) that `operand` named: operand, name,
 * alias, load — the probe's load list in order, each entry {name, alias,
 * path, builtin, options, install, reason, of, weakdeps} as
 * mt_probe_insert_with shows it (`flags` and `params` as there, always a
 * dry run ignoring what is loaded) with the entry's configured weak
 * dependencies — and blacklisted.  When the probe fails the object has
 * error too (the message mt_last_error() then holds) and the result is
 * -errno; else 0. */
int mt_json_show_depends(struct mt_ctx *ctx, struct mt_json *json, const char *operand,
			 const struct mt_modref *top, unsigned flags, const char *params);

/* modprobe -c --json (keys in man/modprobe.8): the context's configuration
 * entries of each kind in mt_config_entry's order (softdeps with their
 * "pre:" and "post:" lists, weakdeps with their names), then the entries of
 * modules.alias.bin and modules.symbols.bin as mt_ctx_dump_index gives
 * them (null for an index that cannot be opened).  0, or -errno (with
 * mt_last_error()) when an index is corrupt: its entries are cut short and
 * its object has the error. */
int mt_json_config(struct mt_ctx *ctx, struct mt_json *json);
/* kmod closure --json (keys in man/kmod.8, data/closure.schema.json): an
 * object {module_directory, firmware_root, release, modules: [{name, path,
 * builtin, reason, required_by, firmware}], firmware: [{name, module,
 * found, files}]} with the closure's lists in order; reason is "named",
 * "dependency", "pre-softdep", "post-softdep" or "weakdep". */
void mt_json_closure(struct mt_json *json, const struct mt_ctx *ctx, const char *root,
		     const char *release, const struct mt_closure *c);

/* ---- static device nodes (devname.c) ------------------------------------- */

/* An entry of modules.devname: a node that a module's devname: tag asks
 * for, to be created before the module is loaded. */
struct mt_devname {
	char *module;		/* module name */
	char *devname;		/* node path below /dev: "fuse", "net/tun" */
	char type;		/* 'c' (character) or 'b' (block) */
	unsigned major, minor;
};

/* Read a modules.devname file (depmod writes DIRNAME/modules.devname):
 * "MODULE DEVNAME TYPEMAJOR:MINOR" lines with decimal numbers, '#' lines
 * being comments.  A bad line (wrong field count, unknown type, bad number,
 * a DEVNAME that leaves /dev) is logged to ctx (may be NULL; LOG_ERR,
 * "PATH:LINE: invalid devname entry: ..."), skipped and counted
 * in *bad.  Returns the number of entries in file order (array in *out,
 * free with mt_devnames_free), or -errno (-ENOENT: no such file). */
int mt_devnames_read(const struct mt_ctx *ctx, const char *path, struct mt_devname **out,
		     int *bad);
void mt_devnames_free(struct mt_devname *list, int count);

/* ---- binary indexes, writing (index-write.c) ------------------------------ */

struct mt_index_builder;

enum mt_index_layout {
	MT_INDEX_LAYOUT_PREORDER,	/* kmod 34.2: root first (the default) */
	MT_INDEX_LAYOUT_POSTORDER,	/* kmod 30: children first, root last */
};

struct mt_index_builder *mt_index_builder_new(void);
void mt_index_builder_free(struct mt_index_builder *b);

/* Add a value under a key (7-bit ASCII; -EINVAL otherwise, with a message).
 * Values are kept sorted by priority, a new value going before existing
 * ones of equal priority; duplicates are kept. */
int mt_index_builder_add(struct mt_index_builder *b, const char *key,
			 const char *value, unsigned priority);

/* Serialize the trie to `out` in the given layout.  0 or -errno. */
int mt_index_builder_write(struct mt_index_builder *b, FILE *out, enum mt_index_layout layout);

/* ---- modprobe.d configuration and the kernel command line (config.c) ----- */

/* What a context's configuration (mt_ctx_load_config) says. */

struct mt_config_alias {
	const char *pattern;	/* normalized fnmatch pattern */
	const char *modname;	/* normalized module name */
};

/* `alias` entries in configuration order. */
const struct mt_config_alias *mt_config_aliases(const struct mt_config *cfg, int *count);

/* Options for module `name`: every `options` entry whose name equals `name`
 * (or `alias_pattern` when not NULL), joined by single spaces in
 * configuration order; NULL when none.  malloc'd. */
char *mt_config_options(const struct mt_config *cfg, const char *name, const char *alias_pattern);

/* The command of the first `install` / `remove` entry whose name, as an
 * fnmatch pattern, matches `name`; NULL when none.  With `exact`, the entry
 * name must equal `name` (name resolution step 4). */
const char *mt_config_install(const struct mt_config *cfg, const char *name, bool exact);
const char *mt_config_remove(const struct mt_config *cfg, const char *name, bool exact);

/* `blacklist` entries (including modprobe.blacklist= of the command line). */
bool mt_config_blacklisted(const struct mt_config *cfg, const char *name);

/* Soft dependencies of the first `softdep` entry matching `name` (fnmatch):
 * 1 when found (vectors point into cfg), 0 when none. */
int mt_config_softdeps(const struct mt_config *cfg, const char *name,
		       const char *const **pre, int *npre,
		       const char *const **post, int *npost);

/* Weak dependencies of the first `weakdep` entry matching `name` (fnmatch):
 * 1 when found (the names, in line order, point into cfg), 0 when none. */
int mt_config_weakdeps(const struct mt_config *cfg, const char *name, const char *const **names,
		       int *count);

/* The kinds of configuration entries, in the order modprobe -c shows them. */
enum mt_config_kind {
	MT_CONFIG_BLACKLIST,
	MT_CONFIG_INSTALL,
	MT_CONFIG_REMOVE,
	MT_CONFIG_ALIAS,
	MT_CONFIG_OPTIONS,
	MT_CONFIG_SOFTDEP,
	MT_CONFIG_WEAKDEP,
};

/* Entry `index` (from 0, in configuration order) of one kind, as modprobe
 * -c shows it and libkmod's configuration iterators give it: the key (the
 * normalized name or pattern) and the value (NULL for a blacklist entry;
 * the command; the module of an alias; the options with tabs as spaces; a
 * softdep's "pre: " and "post: " parts in kmod's rendering, "" when it has
 * neither; a weakdep's names).  Both point into cfg.  1, or 0 past the
 * last entry. */
int mt_config_entry(const struct mt_config *cfg, enum mt_config_kind kind, int index,
		    const char **key, const char **value);

/* modprobe -c: every entry of every kind, "KIND KEY VALUE" ("blacklist
 * KEY"), in kmod's order and rendering. */
void mt_config_dump(const struct mt_config *cfg, FILE *out);

/* ---- loading with dependencies, as modprobe does (probe.c) ---------------- */

#define MT_PROBE_DRY_RUN		0x010	/* -n: show, do nothing */
#define MT_PROBE_IGNORE_LOADED		0x020	/* -D: act as if nothing were loaded */
#define MT_PROBE_FAIL_ON_LOADED		0x040	/* --first-time */
#define MT_PROBE_IGNORE_COMMAND		0x080	/* -i: the top module's softdeps and install command */
#define MT_PROBE_BLACKLIST		0x100	/* -b: blacklist applies to named modules too */
#define MT_PROBE_BLACKLIST_ALIAS_ONLY	0x200	/* default: blacklist applies to aliases */
#define MT_PROBE_BLACKLIST_ALL		0x1000	/* and to every module of the load list
						 * (libkmod's APPLY_BLACKLIST_ALL) */
/* MT_INSERT_FORCE_MODVERSION and MT_INSERT_FORCE_VERMAGIC pass through. */

/* Returned (positive) when the module was skipped as blacklisted. */
#define MT_PROBE_BLACKLISTED 1

/* Why a module is in a probe's load list. */
enum mt_probe_reason {
	MT_PROBE_REQUESTED,		/* the module asked for */
	MT_PROBE_DEPENDENCY,		/* in the modules.dep line of `of` */
	MT_PROBE_SOFTDEP_PRE,		/* a "pre:" soft dependency of `of` */
	MT_PROBE_SOFTDEP_POST,		/* a "post:" soft dependency of `of` */
};

/* What a probe does for one entry of its load list. */
struct mt_probe_action {
	const char *name;
	const char *alias;		/* the alias it was found through, or NULL */
	const char *path;		/* module file, NULL if none (also given
					 * with an install command) */
	const char *install_command;	/* run instead of inserting (unsubstituted) */
	const char *options;		/* parameters ("" when none) */
	bool builtin;			/* no path: built in */
	enum mt_probe_reason reason;	/* why the entry is in the list */
	const char *of;			/* the module whose dependency it is, NULL
					 * for MT_PROBE_REQUESTED */
};

typedef void (*mt_probe_show_fn)(const struct mt_probe_action *action, void *data);

/* Load `top` (a lookup result) with its dependencies and soft dependencies
 * in kmod's order, using the context's configuration.  `params` go to the
 * top module.  `show` (may be NULL) sees each action before it happens.
 * 0, MT_PROBE_BLACKLISTED, or -errno of the failing required module
 * (-EEXIST: already loaded with MT_PROBE_FAIL_ON_LOADED). */
int mt_probe_insert(struct mt_ctx *ctx, const struct mt_modref *top, unsigned flags,
		    const char *params, mt_probe_show_fn show, void *data);

/* What mt_probe_insert_with tells its caller, and what it lets it do. */
struct mt_probe_callbacks {
	mt_probe_show_fn show;		/* may be NULL */
	/* Runs an install command instead of mt_run_command (libkmod's
	 * run_install): `command` has $CMDLINE_OPTS replaced by the action's
	 * options, and what it returns is the entry's result.  May be NULL. */
	int (*run_install)(const struct mt_probe_action *action, const char *command,
			   void *data);
	void *data;			/* for both */
};

/* mt_probe_insert with the callbacks of `cb`.  With MT_PROBE_BLACKLIST_ALL,
 * blacklisted entries are dropped from the load list (all of them gone:
 * MT_PROBE_BLACKLISTED).  The loop goes on after an entry whose result is
 * positive (run_install's); the last entry's result is returned.  Since
 * run_install may return MT_PROBE_BLACKLISTED's value too, *blacklisted
 * (may be NULL) tells whether the blacklist stopped the probe. */
int mt_probe_insert_with(struct mt_ctx *ctx, const struct mt_modref *top, unsigned flags,
			 const char *params, const struct mt_probe_callbacks *cb, bool *blacklisted);

/* What a probe's result means, in kmod's words: -EEXIST "Module already in
 * kernel", -ENOENT (a module without a file, or the kernel's complaint)
 * "Unknown symbol in module, or unknown parameter (see dmesg)", else
 * strerror(-err). */
const char *mt_probe_strerror(int err);

/* Run an install or remove command through /bin/sh with $CMDLINE_OPTS
 * replaced by `options` and MODPROBE_MODULE set.  0, or -EINVAL (logged)
 * when it cannot run or exits non-zero. */
int mt_run_command(struct mt_ctx *ctx, const char *kind, const char *command, const char *module,
		   const char *options);

/* ---- removing, as rmmod and modprobe -r do (remove.c) -------------------- */

/* What a removal reports: the steps it takes, before each, and why it
 * refuses.  The caller words them. */
enum mt_remove_event_kind {
	MT_REMOVE_DELETING,		/* delete_module(name) follows (dry runs too) */
	MT_REMOVE_RUNNING_COMMAND,	/* name's remove `command` follows (dry runs too) */
	MT_REMOVE_BUILTIN,		/* refused: built in */
	MT_REMOVE_NOT_LOADED,		/* refused: not loaded */
	MT_REMOVE_HELD,			/* refused: `holders` use it */
	MT_REMOVE_IN_USE,		/* refused: its use count is above 0 */
	MT_REMOVE_UNSUPPORTED,		/* refused: no refcnt, the kernel cannot unload */
	MT_REMOVE_COMMAND_FAILED,	/* its remove command failed */
	MT_REMOVE_SLEEP_FAILED,		/* sleeping before another try failed */
};

struct mt_remove_event {
	enum mt_remove_event_kind kind;
	const char *name;		/* the module */
	const char *command;		/* MT_REMOVE_RUNNING_COMMAND: as configured */
	const char *const *holders;	/* MT_REMOVE_HELD: their names */
	int nholders;
	int err;			/* what the call returns for a refusal or
					 * failure: -errno */
};

typedef void (*mt_remove_show_fn)(const struct mt_remove_event *event, void *data);

/* rmmod's checks before delete_module: a module built in, not loaded, held
 * by other modules, in use, or that the kernel cannot unload is refused
 * with the event shown (`show` may be NULL).  Unreadable sysfs entries are
 * logged.  0 when removable, else -ENOENT, -EBUSY, or the -errno of reading
 * the use count. */
int mt_remove_check(struct mt_ctx *ctx, const char *name, mt_remove_show_fn show, void *data);

#define MT_PROBE_REMOVE_HOLDERS	0x400	/* --remove-holders: remove its holders first */
#define MT_PROBE_WAIT		0x800	/* -w: retry a busy module for wait_msec */
/* MT_REMOVE_FORCE passes through. */

/* Remove module `name` as modprobe -r does, in kmod's order: its post soft
 * dependencies, its holders (MT_PROBE_REMOVE_HOLDERS), the module itself
 * (its remove command, else delete_module, retried while busy with
 * MT_PROBE_WAIT), its modules.dep dependencies whose use count fell to 0,
 * then its pre soft dependencies.  Only the module's own refusal or failure
 * counts.  As in kmod's main branch, a module removed earlier in the same
 * call is skipped; so is one reached again while its own removal is under
 * way (a soft dependency loop).  Of the probe flags: MT_PROBE_DRY_RUN, MT_PROBE_IGNORE_LOADED
 * (no state or use count checks), MT_PROBE_FAIL_ON_LOADED (--first-time: a
 * module not loaded is refused), MT_PROBE_IGNORE_COMMAND (no soft
 * dependencies or remove commands, all the way down).  `show` (may be
 * NULL) sees each step before it happens and each refusal; the library
 * logs delete_module failures.  0 or -errno. */
int mt_probe_remove(struct mt_ctx *ctx, const char *name, unsigned flags,
		    unsigned long wait_msec, mt_remove_show_fn show, void *data);

/* ---- depmod (depmod-config.c, depgraph.c, depmod.c, depmod-output.c) ---- */

/* One call does what kmod's depmod does for a module directory
 * D = <basedir><moduledir>/<version>: read the depmod.d configuration, find
 * the modules, parse them in parallel, resolve symbols and dependencies, and
 * write modules.dep, .alias, .softdep, .weakdep, .symbols, .devname and the
 * five binary indexes (or print the text ones with `show`).  Diagnostics go
 * to the log function of the context given with the options, in kmod's
 * wording (the context's module directory plays no part); after a LOG_CRIT
 * message the library only returns an error, so the log function may exit. */
struct mt_depmod_options {
	const char *basedir;	/* absolute, or NULL: "" */
	const char *moduledir;	/* NULL: MODULE_DIRECTORY (/lib/modules);
				 * leading '/' optional */
	const char *version;	/* kernel release, e.g. "6.1.0-1-amd64" */
	const char *outdir;	/* absolute; NULL: basedir.  Outputs go to
				 * <outdir><moduledir>/<version>, created 0755 */
	const char *const *config_paths;	/* NULL-terminated; NULL: the
						 * default depmod.d directories,
						 * as for modprobe.d */
	const char *const *files;	/* absolute module paths: only these
					 * modules, no configuration */
	size_t n_files;
	const char *symvers;	/* -E Module.symvers: kernel symbols and CRCs */
	const char *system_map;	/* -F System.map (ignored with symvers) */
	char symbol_prefix;	/* -P; '\0' for none */
	bool check_symbols;	/* -e: report unknown symbols and CRC mismatches
				 * (needs symvers or system_map) */
	bool warn_duplicates;	/* -w: report duplicate index keys */
	FILE *edges;		/* -v: "<path> needs "<sym>": <path>" lines; NULL: off */
	FILE *show;		/* -n: the text outputs go here, nothing is
				 * written to disk; NULL: write files */
	enum mt_index_layout layout;	/* of the .bin files */
	unsigned threads;	/* threads; 0: one per CPU */
	bool incremental;	/* --incremental: parse only the modules whose
				 * file changed since the cache of the last
				 * such run (<outdir>/modules.depmod-cache.bin,
				 * not written with show); the outputs are
				 * the same as without */
};

/* Generate every output.  0 on success; a negative errno after the problem
 * has been logged (e.g. -ELOOP for dependency cycles, nothing written). */
int mt_depmod_run(const struct mt_ctx *ctx, const struct mt_depmod_options *opts);

/* -A: 1 when <outdir>/modules.dep exists and no module under D is newer
 * (to the nanosecond, as kmod's main branch compares; 34.2 compared whole
 * seconds), 0 when a full run is needed. */
int mt_depmod_up_to_date(const struct mt_ctx *ctx, const struct mt_depmod_options *opts);

#ifdef __cplusplus
}
#endif
#endif

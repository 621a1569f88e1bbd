/*
 * shim.c — LD_PRELOAD library that fakes a system for the tool tests.
 *
 * It owns three fakes, all driven by environment variables (see shim.md):
 * system paths (/lib/modules, /etc, /proc, /sys, ...) are redirected into
 * $MT_SHIM_ROOT; uname() reports $MT_SHIM_UNAME_R; the module syscalls are
 * emulated on the fake /sys/module and /proc/modules, logged to $MT_SHIM_LOG,
 * made to fail on request through $MT_SHIM_FAIL and to take time through
 * $MT_SHIM_DELAY.  The real kernel's module syscalls are never reached.
 * Besides, $MT_SHIM_FS_FAIL makes a few file calls fail as on a filesystem
 * or kernel without them, or on a failing disk.
 */

/* The wrappers define the plain and the "64" entry points themselves, so
 * the headers must not rename or inline them. */
#undef _FORTIFY_SOURCE
#undef _FILE_OFFSET_BITS
#undef _TIME_BITS
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <linux/module.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include "libmodtool.h"

/* Entry points glibc exports but no header (or only a fortified header)
 * declares. */
int __xstat(int ver, const char *path, struct stat *st);
int __xstat64(int ver, const char *path, struct stat64 *st);
int __lxstat(int ver, const char *path, struct stat *st);
int __lxstat64(int ver, const char *path, struct stat64 *st);
int __fxstatat(int ver, int dirfd, const char *path, struct stat *st, int flags);
int __fxstatat64(int ver, int dirfd, const char *path, struct stat64 *st, int flags);
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);
ssize_t __readlink_chk(const char *path, char *buf, size_t len, size_t buflen);
ssize_t __readlinkat_chk(int dirfd, const char *path, char *buf, size_t len, size_t buflen);
char *__realpath_chk(const char *path, char *resolved, size_t resolvedlen);
char *__getcwd_chk(char *buf, size_t size, size_t buflen);
int finit_module(int fd, const char *params, int flags);
int init_module(void *image, unsigned long len, const char *params);
int delete_module(const char *name, unsigned int flags);

/* The kernel's MODULE_NAME_LEN on 64-bit: longest name + NUL. */
#define MODULE_NAME_SIZE 56
#define MAX_SYMLINKS 40

static void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void fatal(const char *fmt, ...)
{
	va_list ap;

	fputs("mt-shim: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	_exit(127);
}

/* ---- the next definition of a wrapped function ------------------------------ */

/* Resolved on first use, not in a constructor: the process may call a wrapper
 * before this library's constructors have run. */
static void *next_symbol(void **slot, const char *name)
{
	void *fn = __atomic_load_n(slot, __ATOMIC_ACQUIRE);

	if (!fn) {
		fn = dlsym(RTLD_NEXT, name);
		if (!fn)
			fatal("no definition of %s after the shim", name);
		__atomic_store_n(slot, fn, __ATOMIC_RELEASE);
	}
	return fn;
}

#define NEXT(fn) ({ \
	static void *next_slot_; \
	(__typeof__(&fn))next_symbol(&next_slot_, #fn); \
})

/* ---- path redirection -------------------------------------------------------- */

static const char *const redirected_prefixes[] = {
	"/lib/modules", "/lib/modprobe.d", "/lib/depmod.d",
	"/usr/lib/modules", "/usr/lib/modprobe.d", "/usr/lib/depmod.d",
	"/usr/local/lib/modprobe.d", "/usr/local/lib/depmod.d",
	"/etc", "/run", "/proc", "/sys",
};

static const char *shim_root(void)
{
	const char *root = getenv("MT_SHIM_ROOT");

	return root && *root ? root : NULL;
}

/* The part of `path` after `prefix` when the path is the prefix or lies below
 * it, comparing whole components; runs of '/' in the path count as one. */
static const char *after_prefix(const char *path, const char *prefix)
{
	while (*prefix == '/') {
		size_t n;

		if (*path != '/')
			return NULL;
		while (*path == '/')
			path++;
		prefix++;
		n = strcspn(prefix, "/");
		if (strncmp(path, prefix, n) != 0 || (path[n] != '/' && path[n] != '\0'))
			return NULL;
		path += n;
		prefix += n;
	}
	return path;
}

/* /proc/self, /proc/thread-self and /proc/PID describe the real process;
 * a rootfs cannot fake them. */
static bool is_process_entry(const char *rest)
{
	size_t n;

	while (*rest == '/')
		rest++;
	n = strcspn(rest, "/");
	if ((n == 4 && !strncmp(rest, "self", n)) || (n == 11 && !strncmp(rest, "thread-self", n)))
		return true;
	return n > 0 && strspn(rest, "0123456789") == n;
}

static bool is_redirected(const char *path)
{
	for (size_t i = 0; i < sizeof(redirected_prefixes) / sizeof(redirected_prefixes[0]); i++) {
		const char *rest = after_prefix(path, redirected_prefixes[i]);

		if (rest)
			return strcmp(redirected_prefixes[i], "/proc") != 0 || !is_process_entry(rest);
	}
	return false;
}

/* Length of the root without trailing slashes. */
static size_t root_length(const char *root)
{
	size_t len = strlen(root);

	while (len > 0 && root[len - 1] == '/')
		len--;
	return len;
}

/* A path already inside the root (say, one built from getcwd()) is not
 * mapped a second time, which matters when the root lies under /run. */
static bool inside_root(const char *path, const char *root)
{
	size_t len = root_length(root);

	return !strncmp(path, root, len) && (path[len] == '/' || path[len] == '\0');
}

/* Points *path at ROOT + *path in buf when the path is redirected.  False with
 * errno ENAMETOOLONG when that does not fit. */
static bool map_path(const char **path, char buf[PATH_MAX])
{
	const char *root = shim_root();

	if (!root || !*path || !is_redirected(*path) || inside_root(*path, root))
		return true;
	if (snprintf(buf, PATH_MAX, "%s%s", root, *path) >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return false;
	}
	*path = buf;
	return true;
}

/* The inverse of map_path() for a canonical path from the kernel. */
static void unmap_in_place(char *path)
{
	const char *root = shim_root();
	size_t len;

	if (!root)
		return;
	len = root_length(root);
	if (!strncmp(path, root, len) && path[len] == '/' && is_redirected(path + len))
		memmove(path, path + len, strlen(path + len) + 1);
}

/* ---- wrappers of path-taking libc functions ------------------------------------ */

static int injected_fs_errno(const char *call);

static int fs_failure(int err)
{
	errno = err;
	return -1;
}

/* A wrapper that maps its parameter `path` and calls the next definition. */
#define PATH_WRAPPER(type, failure, fn, params, args) \
	type fn params \
	{ \
		char buf_[PATH_MAX]; \
		return map_path(&path, buf_) ? NEXT(fn) args : failure; \
	}

#define OPEN_NEEDS_MODE(flags) (((flags) & O_CREAT) || ((flags) & O_TMPFILE) == O_TMPFILE)

/* open() and friends read their mode argument only when flags need one. */
#define OPEN_WRAPPER(fn, params, args) \
	int fn params \
	{ \
		mode_t mode = 0; \
		char buf_[PATH_MAX]; \
		int err_; \
		if (OPEN_NEEDS_MODE(flags)) { \
			va_list ap; \
			va_start(ap, flags); \
			mode = va_arg(ap, mode_t); \
			va_end(ap); \
		} \
		if ((flags & O_TMPFILE) == O_TMPFILE && (err_ = injected_fs_errno("tmpfile"))) \
			return fs_failure(err_); \
		return map_path(&path, buf_) ? NEXT(fn) args : -1; \
	}

OPEN_WRAPPER(open, (const char *path, int flags, ...), (path, flags, mode))
OPEN_WRAPPER(open64, (const char *path, int flags, ...), (path, flags, mode))
OPEN_WRAPPER(openat, (int dirfd, const char *path, int flags, ...), (dirfd, path, flags, mode))
OPEN_WRAPPER(openat64, (int dirfd, const char *path, int flags, ...), (dirfd, path, flags, mode))
PATH_WRAPPER(int, -1, __open_2, (const char *path, int flags), (path, flags))
PATH_WRAPPER(int, -1, __open64_2, (const char *path, int flags), (path, flags))
PATH_WRAPPER(int, -1, __openat_2, (int dirfd, const char *path, int flags), (dirfd, path, flags))
PATH_WRAPPER(int, -1, __openat64_2, (int dirfd, const char *path, int flags), (dirfd, path, flags))
PATH_WRAPPER(FILE *, NULL, fopen, (const char *path, const char *mode), (path, mode))
PATH_WRAPPER(FILE *, NULL, fopen64, (const char *path, const char *mode), (path, mode))

PATH_WRAPPER(int, -1, stat, (const char *path, struct stat *st), (path, st))
PATH_WRAPPER(int, -1, stat64, (const char *path, struct stat64 *st), (path, st))
PATH_WRAPPER(int, -1, lstat, (const char *path, struct stat *st), (path, st))
PATH_WRAPPER(int, -1, lstat64, (const char *path, struct stat64 *st), (path, st))
PATH_WRAPPER(int, -1, fstatat, (int dirfd, const char *path, struct stat *st, int flags),
	     (dirfd, path, st, flags))
PATH_WRAPPER(int, -1, fstatat64, (int dirfd, const char *path, struct stat64 *st, int flags),
	     (dirfd, path, st, flags))
PATH_WRAPPER(int, -1, __xstat, (int ver, const char *path, struct stat *st), (ver, path, st))
PATH_WRAPPER(int, -1, __xstat64, (int ver, const char *path, struct stat64 *st), (ver, path, st))
PATH_WRAPPER(int, -1, __lxstat, (int ver, const char *path, struct stat *st), (ver, path, st))
PATH_WRAPPER(int, -1, __lxstat64, (int ver, const char *path, struct stat64 *st), (ver, path, st))
PATH_WRAPPER(int, -1, __fxstatat, (int ver, int dirfd, const char *path, struct stat *st, int flags),
	     (ver, dirfd, path, st, flags))
PATH_WRAPPER(int, -1, __fxstatat64, (int ver, int dirfd, const char *path, struct stat64 *st, int flags),
	     (ver, dirfd, path, st, flags))
PATH_WRAPPER(int, -1, statx, (int dirfd, const char *path, int flags, unsigned int mask, struct statx *stx),
	     (dirfd, path, flags, mask, stx))
PATH_WRAPPER(int, -1, access, (const char *path, int mode), (path, mode))
PATH_WRAPPER(int, -1, faccessat, (int dirfd, const char *path, int mode, int flags),
	     (dirfd, path, mode, flags))

typedef int dirent_filter(const struct dirent *);
typedef int dirent_compar(const struct dirent **, const struct dirent **);
typedef int dirent64_filter(const struct dirent64 *);
typedef int dirent64_compar(const struct dirent64 **, const struct dirent64 **);

PATH_WRAPPER(DIR *, NULL, opendir, (const char *path), (path))
PATH_WRAPPER(int, -1, scandir,
	     (const char *path, struct dirent ***list, dirent_filter *filter, dirent_compar *compar),
	     (path, list, filter, compar))
PATH_WRAPPER(int, -1, scandir64,
	     (const char *path, struct dirent64 ***list, dirent64_filter *filter, dirent64_compar *compar),
	     (path, list, filter, compar))
PATH_WRAPPER(int, -1, scandirat,
	     (int dirfd, const char *path, struct dirent ***list, dirent_filter *filter, dirent_compar *compar),
	     (dirfd, path, list, filter, compar))
PATH_WRAPPER(int, -1, scandirat64,
	     (int dirfd, const char *path, struct dirent64 ***list, dirent64_filter *filter,
	      dirent64_compar *compar),
	     (dirfd, path, list, filter, compar))

PATH_WRAPPER(ssize_t, -1, readlink, (const char *path, char *out, size_t len), (path, out, len))
PATH_WRAPPER(ssize_t, -1, readlinkat, (int dirfd, const char *path, char *out, size_t len),
	     (dirfd, path, out, len))
PATH_WRAPPER(ssize_t, -1, __readlink_chk, (const char *path, char *out, size_t len, size_t outlen),
	     (path, out, len, outlen))
PATH_WRAPPER(ssize_t, -1, __readlinkat_chk,
	     (int dirfd, const char *path, char *out, size_t len, size_t outlen),
	     (dirfd, path, out, len, outlen))

PATH_WRAPPER(int, -1, chdir, (const char *path), (path))
PATH_WRAPPER(int, -1, mkdir, (const char *path, mode_t mode), (path, mode))
PATH_WRAPPER(int, -1, mkdirat, (int dirfd, const char *path, mode_t mode), (dirfd, path, mode))
PATH_WRAPPER(int, -1, rmdir, (const char *path), (path))
PATH_WRAPPER(int, -1, unlink, (const char *path), (path))
PATH_WRAPPER(int, -1, unlinkat, (int dirfd, const char *path, int flags), (dirfd, path, flags))

int rename(const char *from, const char *to)
{
	char from_buf[PATH_MAX], to_buf[PATH_MAX];

	return map_path(&from, from_buf) && map_path(&to, to_buf) ? NEXT(rename)(from, to) : -1;
}

int renameat(int from_dirfd, const char *from, int to_dirfd, const char *to)
{
	char from_buf[PATH_MAX], to_buf[PATH_MAX];

	return map_path(&from, from_buf) && map_path(&to, to_buf)
		? NEXT(renameat)(from_dirfd, from, to_dirfd, to) : -1;
}

int renameat2(int from_dirfd, const char *from, int to_dirfd, const char *to, unsigned int flags)
{
	char from_buf[PATH_MAX], to_buf[PATH_MAX];

	return map_path(&from, from_buf) && map_path(&to, to_buf)
		? NEXT(renameat2)(from_dirfd, from, to_dirfd, to, flags) : -1;
}

int linkat(int from_dirfd, const char *from, int to_dirfd, const char *to, int flags)
{
	char from_buf[PATH_MAX], to_buf[PATH_MAX];
	int err = injected_fs_errno("linkat");

	if (err)
		return fs_failure(err);
	return map_path(&from, from_buf) && map_path(&to, to_buf)
		? NEXT(linkat)(from_dirfd, from, to_dirfd, to, flags) : -1;
}

int fsync(int fd)
{
	int err = injected_fs_errno("fsync");

	return err ? fs_failure(err) : NEXT(fsync)(fd);
}

int fdatasync(int fd)
{
	int err = injected_fs_errno("fsync");

	return err ? fs_failure(err) : NEXT(fdatasync)(fd);
}

/* The mkstemp() family fills in the template's XXXXXX: with a redirected
 * template the result is copied back without the root. */
static int mapped_mkostemp(char *template, int flags)
{
	char buf[PATH_MAX];
	const char *mapped = template;
	int fd;

	if (!map_path(&mapped, buf))
		return -1;
	if (mapped == template)
		return NEXT(mkostemp64)(template, flags);
	fd = NEXT(mkostemp64)(buf, flags);
	if (fd >= 0)
		strcpy(template, buf + strlen(shim_root()));
	return fd;
}

int mkstemp(char *template)
{
	return mapped_mkostemp(template, 0);
}

int mkstemp64(char *template)
{
	return mapped_mkostemp(template, 0);
}

int mkostemp(char *template, int flags)
{
	return mapped_mkostemp(template, flags);
}

int mkostemp64(char *template, int flags)
{
	return mapped_mkostemp(template, flags);
}

/* nftw() hands the caller the paths it walks: they are shown unmapped.  The
 * caller's function and the length to strip are kept per thread and restored
 * after the walk, so a callback may start a walk of its own. */
static __thread __nftw_func_t nftw_caller_fn;
static __thread __nftw64_func_t nftw64_caller_fn;
static __thread size_t nftw_root_len;

static int nftw_unmapped(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	struct FTW view = { .base = ftw->base - (int)nftw_root_len, .level = ftw->level };

	return nftw_caller_fn(path + nftw_root_len, st, type, &view);
}

static int nftw64_unmapped(const char *path, const struct stat64 *st, int type, struct FTW *ftw)
{
	struct FTW view = { .base = ftw->base - (int)nftw_root_len, .level = ftw->level };

	return nftw64_caller_fn(path + nftw_root_len, st, type, &view);
}

int nftw(const char *dir, __nftw_func_t fn, int fd_limit, int flags)
{
	const char *mapped = dir;
	char buf[PATH_MAX];
	__nftw_func_t outer_fn = nftw_caller_fn;
	size_t outer_root_len = nftw_root_len;
	int ret;

	if (!map_path(&mapped, buf))
		return -1;
	if (mapped == dir)
		return NEXT(nftw)(dir, fn, fd_limit, flags);
	nftw_caller_fn = fn;
	nftw_root_len = strlen(shim_root());
	ret = NEXT(nftw)(mapped, nftw_unmapped, fd_limit, flags);
	nftw_caller_fn = outer_fn;
	nftw_root_len = outer_root_len;
	return ret;
}

int nftw64(const char *dir, __nftw64_func_t fn, int fd_limit, int flags)
{
	const char *mapped = dir;
	char buf[PATH_MAX];
	__nftw64_func_t outer_fn = nftw64_caller_fn;
	size_t outer_root_len = nftw_root_len;
	int ret;

	if (!map_path(&mapped, buf))
		return -1;
	if (mapped == dir)
		return NEXT(nftw64)(dir, fn, fd_limit, flags);
	nftw64_caller_fn = fn;
	nftw_root_len = strlen(shim_root());
	ret = NEXT(nftw64)(mapped, nftw64_unmapped, fd_limit, flags);
	nftw64_caller_fn = outer_fn;
	nftw_root_len = outer_root_len;
	return ret;
}

/* ---- paths the process is shown ---------------------------------------------------- */

static char *unmapped_getcwd(char *buf, size_t size)
{
	char *cwd = NEXT(getcwd)(buf, size);

	if (cwd)
		unmap_in_place(cwd);
	return cwd;
}

char *getcwd(char *buf, size_t size)
{
	return unmapped_getcwd(buf, size);
}

char *__getcwd_chk(char *buf, size_t size, size_t buflen)
{
	if (size > buflen)
		fatal("__getcwd_chk: buffer overflow");
	return unmapped_getcwd(buf, size);
}

/* Whether path is a proper ancestor of a redirected prefix (/usr, /lib, ...).
 * The fake view takes those as plain directories: on a merged-/usr host the
 * real /lib -> usr/lib link would otherwise lead /lib/modules out of the
 * root's lib/modules and into its usr/lib/modules. */
static bool is_prefix_ancestor(const char *path)
{
	for (size_t i = 0; i < sizeof(redirected_prefixes) / sizeof(redirected_prefixes[0]); i++) {
		const char *rest = after_prefix(redirected_prefixes[i], path);

		if (rest && *rest)
			return true;
	}
	return false;
}

/* Drops the last component of the first *len bytes of path. */
static void drop_last_component(const char *path, size_t *len)
{
	while (*len > 0 && path[--*len] != '/')
		;
}

/* realpath() as seen inside the fake system: the walk reads every symlink
 * through the redirection, so absolute link targets stay inside the root. */
static char *fake_view_realpath(const char *path, char *resolved)
{
	char todo[PATH_MAX], out[PATH_MAX], buf[PATH_MAX], target[PATH_MAX];
	size_t out_len = 0;
	char *next;
	int links = 0;

	if (!path) {
		errno = EINVAL;
		return NULL;
	}
	if (!*path) {
		errno = ENOENT;
		return NULL;
	}
	if (path[0] == '/') {
		if (snprintf(todo, sizeof(todo), "%s", path) >= (int)sizeof(todo))
			goto too_long;
	} else {
		size_t cwd_len;

		if (!unmapped_getcwd(todo, sizeof(todo)))
			return NULL;
		cwd_len = strlen(todo);
		if (snprintf(todo + cwd_len, sizeof(todo) - cwd_len, "/%s", path) >= (int)(sizeof(todo) - cwd_len))
			goto too_long;
	}

	next = todo;
	for (;;) {
		const char *component, *real;
		struct stat st;
		size_t n;

		while (*next == '/')
			next++;
		if (!*next)
			break;
		component = next;
		n = strcspn(component, "/");
		next += n;
		if (n == 1 && component[0] == '.')
			continue;
		if (n == 2 && component[0] == '.' && component[1] == '.') {
			drop_last_component(out, &out_len);
			continue;
		}
		if (out_len + 1 + n >= sizeof(out))
			goto too_long;
		out[out_len++] = '/';
		memcpy(out + out_len, component, n);
		out_len += n;
		out[out_len] = '\0';

		if (is_prefix_ancestor(out))
			continue;
		real = out;
		if (!map_path(&real, buf) || NEXT(lstat)(real, &st) < 0)
			return NULL;
		if (S_ISLNK(st.st_mode)) {
			ssize_t target_len;
			size_t rest_len = strlen(next);

			if (++links > MAX_SYMLINKS) {
				errno = ELOOP;
				return NULL;
			}
			target_len = NEXT(readlink)(real, target, sizeof(target));
			if (target_len < 0)
				return NULL;
			if ((size_t)target_len + rest_len >= sizeof(todo))
				goto too_long;
			/* todo becomes the link target followed by what was left. */
			memmove(todo + target_len, next, rest_len + 1);
			memcpy(todo, target, (size_t)target_len);
			next = todo;
			if (target[0] == '/')
				out_len = 0;
			else
				drop_last_component(out, &out_len);
		} else if (!S_ISDIR(st.st_mode) && *next) {
			errno = ENOTDIR;
			return NULL;
		}
	}
	if (out_len == 0)
		out[out_len++] = '/';
	out[out_len] = '\0';
	if (resolved)
		return memcpy(resolved, out, out_len + 1);
	return strdup(out);

too_long:
	errno = ENAMETOOLONG;
	return NULL;
}

char *realpath(const char *path, char *resolved)
{
	return shim_root() ? fake_view_realpath(path, resolved) : NEXT(realpath)(path, resolved);
}

char *__realpath_chk(const char *path, char *resolved, size_t resolvedlen)
{
	if (resolvedlen < PATH_MAX)
		fatal("__realpath_chk: buffer overflow");
	return realpath(path, resolved);
}

/* ---- uname --------------------------------------------------------------------- */

int uname(struct utsname *buf)
{
	const char *release = getenv("MT_SHIM_UNAME_R");

	if (NEXT(uname)(buf) < 0)
		return -1;
	if (release)
		snprintf(buf->release, sizeof(buf->release), "%s", release);
	return 0;
}

/* ---- module names ---------------------------------------------------------------- */

static bool valid_module_name(const char *name)
{
	return *name && strlen(name) < MODULE_NAME_SIZE && !strchr(name, '/') &&
	       strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

/* The first non-empty "name=" entry of an ELF image's .modinfo section,
 * read with the library's ELF reader (lib/elf.c, built into the shim). */
static bool modinfo_name(const void *img, size_t size, char name[MODULE_NAME_SIZE])
{
	struct mt_elf *elf;
	struct mt_kv *kv;
	bool found = false;
	int n;

	if (mt_elf_open(img, size, "init_module image", &elf) < 0)
		return false;
	n = mt_elf_modinfo(elf, &kv);
	for (int i = 0; i < n && !found; i++) {
		if (kv[i].key_len == 4 && memcmp(kv[i].key, "name", 4) == 0 &&
		    kv[i].value_len > 0 && kv[i].value_len < MODULE_NAME_SIZE) {
			memcpy(name, kv[i].value, kv[i].value_len);
			name[kv[i].value_len] = '\0';
			found = true;
		}
	}
	if (n >= 0)
		free(kv);
	mt_elf_close(elf);
	return found && valid_module_name(name);
}

/* The module name of an open file: .modinfo's name= for an uncompressed ELF
 * file, else the file's basename up to the first '.' with '-' -> '_'. */
static void module_name_of_fd(int fd, const struct stat *st, bool compressed, char name[MODULE_NAME_SIZE])
{
	char link[32], path[PATH_MAX];
	const char *base;
	ssize_t len;
	size_t n;

	if (st && S_ISREG(st->st_mode) && st->st_size > 0 && !compressed) {
		void *img = mmap(NULL, (size_t)st->st_size, PROT_READ, MAP_PRIVATE, fd, 0);

		if (img != MAP_FAILED) {
			bool found = modinfo_name(img, (size_t)st->st_size, name);

			munmap(img, (size_t)st->st_size);
			if (found)
				return;
		}
	}
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	len = NEXT(readlink)(link, path, sizeof(path) - 1);
	if (len > 0) {
		path[len] = '\0';
		base = strrchr(path, '/');
		base = base ? base + 1 : path;
		n = strcspn(base, ".");
		if (n > 0 && n < MODULE_NAME_SIZE) {
			for (size_t i = 0; i < n; i++)
				name[i] = base[i] == '-' ? '_' : base[i];
			name[n] = '\0';
			if (valid_module_name(name))
				return;
		}
	}
	strcpy(name, "unknown");
}

/* ---- the call log ------------------------------------------------------------------ */

static void *xmalloc(size_t size)
{
	void *p = malloc(size);

	if (!p)
		fatal("out of memory");
	return p;
}

/* params as a double-quoted string: '"' and '\' get a backslash, control
 * bytes become \xHH.  NULL is shown unquoted as (null). */
static char *quote(const char *s)
{
	char *out, *p;

	if (!s)
		return strcpy(xmalloc(sizeof("(null)")), "(null)");
	out = p = xmalloc(strlen(s) * 4 + 3);
	*p++ = '"';
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			*p++ = '\\';
			*p++ = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			p += sprintf(p, "\\x%02x", c);
		} else {
			*p++ = (char)c;
		}
	}
	*p++ = '"';
	*p = '\0';
	return out;
}

/* Appends one line to $MT_SHIM_LOG with a single write, so the lines of
 * concurrent processes do not interleave. */
static void log_call(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void log_call(const char *fmt, ...)
{
	const char *log = getenv("MT_SHIM_LOG");
	struct iovec iov[2];
	va_list ap;
	char *line;
	int fd, n;

	if (!log || !*log)
		return;
	va_start(ap, fmt);
	n = vasprintf(&line, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatal("out of memory");
	fd = NEXT(open)(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		fatal("cannot open MT_SHIM_LOG %s: %s", log, strerror(errno));
	iov[0] = (struct iovec){ line, (size_t)n };
	iov[1] = (struct iovec){ "\n", 1 };
	if (writev(fd, iov, 2) != n + 1)
		fatal("cannot write MT_SHIM_LOG %s", log);
	close(fd);
	free(line);
}

/* Writes an init_module image to $MT_SHIM_IMAGES/NAME.ko, so that a test
 * can see what the kernel would have received (a forced load's stripped
 * copy, say). */
static void save_image(const char *name, const void *image, unsigned long len)
{
	const char *dir = getenv("MT_SHIM_IMAGES");
	char *path;
	int fd;

	if (!dir || !*dir || !image)
		return;
	if (asprintf(&path, "%s/%s.ko", dir, name) < 0)
		fatal("out of memory");
	fd = NEXT(open)(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, image, len) != (ssize_t)len)
		fatal("cannot write MT_SHIM_IMAGES file %s", path);
	close(fd);
	free(path);
}

/* ---- failure injection -------------------------------------------------------------- */

#define ERRNO_NAME(e) { #e, e }
static const struct {
	const char *name;
	int value;
} errno_names[] = {
	ERRNO_NAME(EEXIST), ERRNO_NAME(ENOENT), ERRNO_NAME(ENOEXEC), ERRNO_NAME(EINVAL),
	ERRNO_NAME(ENOSYS), ERRNO_NAME(EPERM), ERRNO_NAME(EBUSY), ERRNO_NAME(EAGAIN),
	ERRNO_NAME(ESRCH), ERRNO_NAME(EFAULT), ERRNO_NAME(ENOMEM), ERRNO_NAME(EWOULDBLOCK),
	ERRNO_NAME(EACCES), ERRNO_NAME(EIO), ERRNO_NAME(ENODATA), ERRNO_NAME(ENOKEY),
	ERRNO_NAME(EKEYREJECTED), ERRNO_NAME(EBADMSG), ERRNO_NAME(ENOTSUP), ERRNO_NAME(EOPNOTSUPP),
	ERRNO_NAME(ETXTBSY), ERRNO_NAME(EBADF), ERRNO_NAME(EISDIR), ERRNO_NAME(ENOSPC),
	ERRNO_NAME(EROFS),
};

/* An errno by name, or as a decimal number; 0 if it is neither. */
static int parse_errno(const char *s, size_t len)
{
	char *end;
	long v;

	for (size_t i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
		if (strlen(errno_names[i].name) == len && !strncmp(s, errno_names[i].name, len))
			return errno_names[i].value;
	if (len == 0 || strspn(s, "0123456789") != len)
		return 0;
	v = strtol(s, &end, 10);
	return v > 0 && v < 4096 ? (int)v : 0;
}

static bool is_call(const char *const *calls, const char *s, size_t len)
{
	for (; *calls; calls++)
		if (strlen(*calls) == len && !strncmp(s, *calls, len))
			return true;
	return false;
}

static const char *const module_calls[] = { "finit_module", "init_module", "delete_module", NULL };
static const char *const fs_calls[] = { "tmpfile", "linkat", "fsync", NULL };

/* The value of the first entry "[NAME@]CALL:VALUE" of the list in $var
 * that is for `call` (and `name`), or 0.  Entries name a module only where
 * `name` is given.  Every entry is checked, so a typo anywhere stops the
 * process loudly. */
static int entry_value(const char *var, const char *const *calls, const char *call,
		       const char *name, int (*parse)(const char *s, size_t len))
{
	const char *spec = getenv(var);
	int found = 0;

	for (const char *next = spec; next && *next;) {
		const char *entry = next, *end = entry + strcspn(entry, ","), *colon, *at, *call_name;
		size_t call_len;
		int value;

		next = *end ? end + 1 : end;
		while (entry < end && (*entry == ' ' || *entry == '\t'))
			entry++;
		while (end > entry && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if (entry == end)
			continue;
		colon = memchr(entry, ':', (size_t)(end - entry));
		at = colon ? memchr(entry, '@', (size_t)(colon - entry)) : NULL;
		call_name = at ? at + 1 : entry;
		call_len = colon ? (size_t)(colon - call_name) : 0;
		value = colon ? parse(colon + 1, (size_t)(end - colon - 1)) : 0;
		if (!value || !is_call(calls, call_name, call_len) || at == entry || (at && !name))
			fatal("bad %s entry '%.*s' (want %sCALL:%s)", var, (int)(end - entry), entry,
			      name ? "[MODULE@]" : "", parse == parse_errno ? "ERRNO" : "MS");
		if (!found && strlen(call) == call_len && !strncmp(call, call_name, call_len) &&
		    (!at || (strlen(name) == (size_t)(at - entry) && !strncmp(name, entry, (size_t)(at - entry)))))
			found = value;
	}
	return found;
}

/* The errno $MT_SHIM_FAIL injects into `call` on module `name`, or 0. */
static int injected_errno(const char *call, const char *name)
{
	return entry_value("MT_SHIM_FAIL", module_calls, call, name, parse_errno);
}

/* The errno $MT_SHIM_FS_FAIL injects into a file call, or 0. */
static int injected_fs_errno(const char *call)
{
	return entry_value("MT_SHIM_FS_FAIL", fs_calls, call, NULL, parse_errno);
}

/* Milliseconds, 1 to 600000; 0 if not. */
static int parse_ms(const char *s, size_t len)
{
	long v;

	if (len == 0 || len > 6 || strspn(s, "0123456789") < len)
		return 0;
	v = strtol(s, NULL, 10);
	return v > 0 && v <= 600000 ? (int)v : 0;
}

/* Sleep as long as $MT_SHIM_DELAY asks for `call` on module `name`: the
 * time for a test to interrupt the caller in the middle of its work. */
static void delay(const char *call, const char *name)
{
	int ms = entry_value("MT_SHIM_DELAY", module_calls, call, name, parse_ms);
	struct timespec left = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (ms && nanosleep(&left, &left) < 0 && errno == EINTR)
		;
}

/* ---- the fake kernel state ------------------------------------------------------------ */

/* ROOT + the formatted relative path.  False when it does not fit. */
static bool root_path(char buf[PATH_MAX], const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool root_path(char buf[PATH_MAX], const char *fmt, ...)
{
	int root_len = snprintf(buf, PATH_MAX, "%s", shim_root()), n;
	va_list ap;

	if (root_len >= PATH_MAX)
		return false;
	va_start(ap, fmt);
	n = vsnprintf(buf + root_len, (size_t)(PATH_MAX - root_len), fmt, ap);
	va_end(ap);
	return n < PATH_MAX - root_len;
}

/* mkdir -p of ROOT + rel; returns 0 or an errno. */
static int make_root_dirs(const char *rel)
{
	char path[PATH_MAX];
	size_t root_len;

	if (!root_path(path, "%s", rel))
		return ENAMETOOLONG;
	root_len = strlen(shim_root());
	for (char *p = path + root_len + 1;; p++) {
		bool last = *p == '\0';

		if (*p != '/' && !last)
			continue;
		*p = '\0';
		if (NEXT(mkdir)(path, 0755) < 0 && errno != EEXIST)
			return errno;
		if (last)
			return 0;
		*p = '/';
	}
}

/* Writes (or appends) `text` to dir/file; returns 0 or an errno. */
static int write_file(const char *dir, const char *file, int mode_flags, const char *text)
{
	char path[PATH_MAX];
	size_t len = strlen(text);
	int fd, err = 0;

	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path))
		return ENAMETOOLONG;
	fd = NEXT(open)(path, O_WRONLY | O_CREAT | O_CLOEXEC | mode_flags, 0644);
	if (fd < 0)
		return errno;
	if (write(fd, text, len) != (ssize_t)len)
		err = errno ? errno : EIO;
	close(fd);
	return err;
}

/* Reads dir/file into buf as a string; false if it cannot be opened. */
static bool read_file(const char *dir, const char *file, char *buf, size_t size)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path))
		return false;
	fd = NEXT(open)(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, size - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return n >= 0;
}

static bool root_exists(const char *rel)
{
	char path[PATH_MAX];
	struct stat st;

	return root_path(path, "%s", rel) && NEXT(stat)(path, &st) == 0;
}

/* What a kernel shows after loading `name`; returns 0 or an errno. */
static int fake_load(const char *name, unsigned long long size)
{
	char dir[PATH_MAX], holders[PATH_MAX], text[64 + MODULE_NAME_SIZE], proc[PATH_MAX];
	int err;

	if (!root_path(dir, "/sys/module/%s", name) || !root_path(holders, "/sys/module/%s/holders", name) ||
	    !root_path(proc, "/proc"))
		return ENAMETOOLONG;
	err = make_root_dirs("/sys/module");
	if (err)
		return err;
	if (NEXT(mkdir)(dir, 0755) < 0)
		return errno;
	snprintf(text, sizeof(text), "%llu\n", size);
	err = write_file(dir, "initstate", O_TRUNC, "live\n") ?:
	      write_file(dir, "refcnt", O_TRUNC, "0\n") ?:
	      write_file(dir, "coresize", O_TRUNC, text);
	if (err)
		return err;
	if (NEXT(mkdir)(holders, 0755) < 0)
		return errno;
	err = make_root_dirs("/proc");
	if (err)
		return err;
	snprintf(text, sizeof(text), "%s %llu 0 - Live 0x0000000000000000\n", name, size);
	return write_file(proc, "modules", O_APPEND, text);
}

static bool has_holders(const char *module_dir)
{
	char path[PATH_MAX];
	struct dirent *e;
	bool found = false;
	DIR *d;

	if (snprintf(path, sizeof(path), "%s/holders", module_dir) >= (int)sizeof(path))
		return false;
	d = NEXT(opendir)(path);
	if (!d)
		return false;
	while (!found && (e = readdir(d)))
		found = strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return found;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return (type == FTW_DP ? NEXT(rmdir)(path) : NEXT(unlink)(path)) < 0 ? -1 : 0;
}

/* Rewrites ROOT/proc/modules without the line of `name`; 0 or an errno. */
static int drop_proc_modules_line(const char *name)
{
	char path[PATH_MAX], *line = NULL, *kept = NULL;
	size_t line_size = 0, kept_len = 0, name_len = strlen(name);
	FILE *in, *out;
	int err = 0;

	if (!root_path(path, "/proc/modules"))
		return ENAMETOOLONG;
	in = NEXT(fopen)(path, "re");
	if (!in)
		return errno == ENOENT ? 0 : errno;
	out = open_memstream(&kept, &kept_len);
	if (!out)
		fatal("out of memory");
	while (getline(&line, &line_size, in) > 0)
		if (strncmp(line, name, name_len) != 0 || line[name_len] != ' ')
			fputs(line, out);
	free(line);
	fclose(in);
	if (fclose(out) != 0)
		fatal("out of memory");
	errno = 0;
	out = NEXT(fopen)(path, "we");
	if (!out || fwrite(kept, 1, kept_len, out) != kept_len)
		err = errno ? errno : EIO;
	if (out && fclose(out) != 0 && !err)
		err = errno;
	free(kept);
	return err;
}

/* What the kernel's delete_module checks and undoes; returns 0 or an errno. */
static int fake_unload(const char *name, unsigned int flags)
{
	char dir[PATH_MAX], text[64];

	if (!valid_module_name(name) || !root_path(dir, "/sys/module/%s", name))
		return ENOENT;
	/* Built-in modules have a /sys/module directory but no initstate. */
	if (!read_file(dir, "initstate", text, sizeof(text)))
		return ENOENT;
	if (has_holders(dir))
		return EWOULDBLOCK;
	if (strcmp(text, "live\n") != 0)
		return EBUSY;
	if (read_file(dir, "refcnt", text, sizeof(text)) && strtol(text, NULL, 10) > 0 && !(flags & O_TRUNC))
		return EWOULDBLOCK;
	errno = 0;
	if (NEXT(nftw)(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
		return errno ? errno : EIO;
	return drop_proc_modules_line(name);
}

/* ---- the module syscalls ----------------------------------------------------------------- */

static long syscall_result(int err)
{
	if (!err)
		return 0;
	errno = err;
	return -1;
}

/* Without a root the calls fail as they would for an unprivileged user. */
static int root_errno(void)
{
	return shim_root() ? 0 : EPERM;
}

static long fake_finit_module(int fd, const char *params, int flags)
{
	const int known_flags = MODULE_INIT_IGNORE_MODVERSIONS | MODULE_INIT_IGNORE_VERMAGIC |
				MODULE_INIT_COMPRESSED_FILE;
	char name[MODULE_NAME_SIZE], *quoted = quote(params);
	struct stat st;
	bool have_st = fstat(fd, &st) == 0;
	int fd_flags = fcntl(fd, F_GETFL), err;

	module_name_of_fd(fd, have_st ? &st : NULL, flags & MODULE_INIT_COMPRESSED_FILE, name);
	log_call("finit_module %s params=%s flags=0x%x", name, quoted, (unsigned int)flags);
	free(quoted);

	delay("finit_module", name);
	err = injected_errno("finit_module", name) ?: root_errno();
	if (!err && (flags & ~known_flags))
		err = EINVAL;
	if (!err && (!have_st || fd_flags < 0 || (fd_flags & O_ACCMODE) == O_WRONLY))
		err = EBADF;
	if (!err && !params)
		err = EFAULT;
	if (!err && !S_ISREG(st.st_mode))
		err = EINVAL;
	/* A kernel that cannot decompress has no /sys/module/compression. */
	if (!err && (flags & MODULE_INIT_COMPRESSED_FILE) && !root_exists("/sys/module/compression"))
		err = EINVAL;
	if (!err)
		err = fake_load(name, (unsigned long long)st.st_size);
	return syscall_result(err);
}

static long fake_init_module(const void *image, unsigned long len, const char *params)
{
	char name[MODULE_NAME_SIZE], *quoted = quote(params);
	int err;

	if (!image || !modinfo_name(image, len, name))
		strcpy(name, "unknown");
	log_call("init_module %s len=%lu params=%s", name, len, quoted);
	free(quoted);
	save_image(name, image, len);

	delay("init_module", name);
	err = injected_errno("init_module", name) ?: root_errno();
	if (!err && (!image || !params))
		err = EFAULT;
	if (!err)
		err = fake_load(name, len);
	return syscall_result(err);
}

static long fake_delete_module(const char *name, unsigned int flags)
{
	int err;

	log_call("delete_module %s flags=0x%x", name ? name : "(null)", flags);
	delay("delete_module", name ? name : "");
	err = injected_errno("delete_module", name ? name : "") ?: root_errno();
	if (!err && !name)
		err = EFAULT;
	if (!err)
		err = fake_unload(name, flags);
	return syscall_result(err);
}

long syscall(long number, ...)
{
	long arg[6];
	va_list ap;

	/* Like glibc's syscall(): always take six arguments. */
	va_start(ap, number);
	for (int i = 0; i < 6; i++)
		arg[i] = va_arg(ap, long);
	va_end(ap);

	switch (number) {
	case SYS_finit_module:
		return fake_finit_module((int)arg[0], (const char *)arg[1], (int)arg[2]);
	case SYS_init_module:
		return fake_init_module((const void *)arg[0], (unsigned long)arg[1], (const char *)arg[2]);
	case SYS_delete_module:
		return fake_delete_module((const char *)arg[0], (unsigned int)arg[1]);
	}
	return NEXT(syscall)(number, arg[0], arg[1], arg[2], arg[3], arg[4], arg[5]);
}

int finit_module(int fd, const char *params, int flags)
{
	return (int)fake_finit_module(fd, params, flags);
}

int init_module(void *image, unsigned long len, const char *params)
{
	return (int)fake_init_module(image, len, params);
}

int delete_module(const char *name, unsigned int flags)
{
	return (int)fake_delete_module(name, flags);
}

/*
 * test-shim.c — TAP self-test of the LD_PRELOAD shim (tests/shim.c).
 *
 * The shim comes from $MT_SHIM or argv[1].  The test builds a temporary
 * rootfs, then re-executes itself as a helper ("--helper OP ARGS...") under
 * LD_PRELOAD; each helper run performs one call and prints one line, which
 * the parent checks together with the rootfs and the shim's call log.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
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
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"

#define RELEASE "9.8.7-shimtest"
#define MODDIR "/lib/modules/" RELEASE

/* ---- helper mode: runs under the shim ------------------------------------------ */

static void print_errno(void)
{
	printf("error %s\n", strerrorname_np(errno));
}

static void print_ok(bool ok)
{
	if (ok)
		puts("ok");
	else
		print_errno();
}

static void op_read(char **arg)
{
	char buf[4096];
	ssize_t n;
	int fd = open(arg[0], O_RDONLY);

	if (fd < 0)
		return print_errno();
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0)
		return print_errno();
	fwrite(buf, 1, (size_t)n, stdout);
}

static void op_openat(char **arg)
{
	char buf[4096];
	ssize_t n;
	int fd = openat(AT_FDCWD, arg[0], O_RDONLY);

	if (fd < 0)
		return print_errno();
	n = read(fd, buf, sizeof(buf));
	close(fd);
	fwrite(buf, 1, n > 0 ? (size_t)n : 0, stdout);
}

static void op_fopen(char **arg)
{
	char line[256];
	FILE *f = fopen(arg[0], "r");

	if (!f)
		return print_errno();
	if (fgets(line, sizeof(line), f))
		fputs(line, stdout);
	fclose(f);
}

static void op_create(char **arg)
{
	int fd = open(arg[0], O_WRONLY | O_CREAT | O_EXCL, 0640);

	print_ok(fd >= 0 && write(fd, "created\n", 8) == 8 && close(fd) == 0);
}

static void op_stat(char **arg)
{
	struct stat st;

	if (stat(arg[0], &st) < 0)
		return print_errno();
	printf("ino=%llu size=%lld\n", (unsigned long long)st.st_ino, (long long)st.st_size);
}

static void op_lstat(char **arg)
{
	struct stat st;

	if (lstat(arg[0], &st) < 0)
		return print_errno();
	puts(S_ISLNK(st.st_mode) ? "symlink" : "not a symlink");
}

static void op_fstatat(char **arg)
{
	struct stat st;

	if (fstatat(AT_FDCWD, arg[0], &st, 0) < 0)
		return print_errno();
	printf("size=%lld\n", (long long)st.st_size);
}

static void op_statx(char **arg)
{
	struct statx stx;

	if (statx(AT_FDCWD, arg[0], 0, STATX_SIZE, &stx) < 0)
		return print_errno();
	printf("size=%llu\n", (unsigned long long)stx.stx_size);
}

static void op_access(char **arg)
{
	print_ok(access(arg[0], R_OK) == 0);
}

static void op_faccessat(char **arg)
{
	print_ok(faccessat(AT_FDCWD, arg[0], R_OK, 0) == 0);
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Prints n strings sorted, space-separated, and frees them. */
static void print_sorted(char **names, size_t n)
{
	qsort(names, n, sizeof(*names), compare_strings);
	for (size_t i = 0; i < n; i++) {
		printf("%s%s", i ? " " : "", names[i]);
		free(names[i]);
	}
	putchar('\n');
}

static void op_opendir(char **arg)
{
	char *names[64];
	size_t n = 0;
	struct dirent *e;
	DIR *d = opendir(arg[0]);

	if (!d)
		return print_errno();
	while ((e = readdir(d)) && n < 64)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			names[n++] = strdup(e->d_name);
	closedir(d);
	print_sorted(names, n);
}

static int not_dot(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

static void op_scandir(char **arg)
{
	struct dirent **list;
	int n = scandir(arg[0], &list, not_dot, alphasort);

	if (n < 0)
		return print_errno();
	for (int i = 0; i < n; i++) {
		printf("%s%s", i ? " " : "", list[i]->d_name);
		free(list[i]);
	}
	putchar('\n');
	free(list);
}

static char *walked[64];
static size_t walked_count;

static int record_walk(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	if (walked_count < 64 && asprintf(&walked[walked_count], "%s(%s)", path, path + ftw->base) > 0)
		walked_count++;
	return 0;
}

static void op_nftw(char **arg)
{
	if (nftw(arg[0], record_walk, 8, FTW_PHYS) != 0)
		return print_errno();
	print_sorted(walked, walked_count);
}

static void op_readlink(char **arg)
{
	char buf[PATH_MAX];
	ssize_t n = readlink(arg[0], buf, sizeof(buf) - 1);

	if (n < 0)
		return print_errno();
	printf("%.*s\n", (int)n, buf);
}

static void op_realpath(char **arg)
{
	char *path = realpath(arg[0], NULL);

	if (!path)
		return print_errno();
	puts(path);
	free(path);
}

static void op_chdir(char **arg)
{
	char cwd[PATH_MAX];

	if (chdir(arg[0]) < 0 || !getcwd(cwd, sizeof(cwd)))
		return print_errno();
	puts(cwd);
}

static void op_chdir_realpath(char **arg)
{
	if (chdir(arg[0]) < 0)
		return print_errno();
	op_realpath(arg + 1);
}

static void op_mkdir(char **arg)
{
	print_ok(mkdir(arg[0], 0755) == 0);
}

static void op_rmdir(char **arg)
{
	print_ok(rmdir(arg[0]) == 0);
}

static void op_unlink(char **arg)
{
	print_ok(unlink(arg[0]) == 0);
}

static void op_rename(char **arg)
{
	print_ok(rename(arg[0], arg[1]) == 0);
}

static void op_link(char **arg)
{
	print_ok(linkat(AT_FDCWD, arg[0], AT_FDCWD, arg[1], 0) == 0);
}

/* An unnamed file in directory arg[0], linked as arg[1] through /proc. */
static void op_tmpfile(char **arg)
{
	char proc_path[64];
	int fd = open(arg[0], O_TMPFILE | O_WRONLY, 0644);

	if (fd < 0)
		return print_errno();
	snprintf(proc_path, sizeof(proc_path), "/proc/self/fd/%d", fd);
	print_ok(write(fd, "unnamed\n", 8) == 8 &&
		 linkat(AT_FDCWD, proc_path, AT_FDCWD, arg[1], AT_SYMLINK_FOLLOW) == 0);
	close(fd);
}

static void op_fsync(char **arg)
{
	int fd = open(arg[0], O_RDONLY);

	if (fd < 0)
		return print_errno();
	if (fsync(fd) < 0) {
		printf("fsync ");
		print_errno();
	} else if (fdatasync(fd) < 0) {
		printf("fdatasync ");
		print_errno();
	} else {
		puts("ok");
	}
	close(fd);
}

/* How long a module call took: under 100 ms, under 300 ms, or more. */
static void op_timed_delete(char **arg)
{
	struct timespec t0, t1;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	syscall(SYS_delete_module, arg[0], O_NONBLOCK);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	puts(ms < 100 ? "under 100 ms" : ms < 300 ? "under 300 ms" : "300 ms or more");
}

static void op_mkstemp(char **arg)
{
	int fd = mkstemp(arg[0]);

	if (fd < 0)
		return print_errno();
	close(fd);
	puts(arg[0]);
}

static void op_uname(char **arg)
{
	struct utsname u;

	(void)arg;
	if (uname(&u) < 0)
		return print_errno();
	puts(u.release);
}

static void op_getpid(char **arg)
{
	(void)arg;
	puts(syscall(SYS_getpid) == getpid() ? "same pid" : "different pid");
}

/* The module calls by symbol: glibc 2.36 exports init_module and
 * delete_module but not finit_module, so all three are looked up. */
static void *module_symbol(const char *name)
{
	void *fn = dlsym(RTLD_DEFAULT, name);

	if (!fn) {
		printf("no symbol %s\n", name);
		exit(0);
	}
	return fn;
}

static const char *params_arg(const char *arg)
{
	return strcmp(arg, "NULL") == 0 ? NULL : arg;
}

static void op_finit(char **arg)
{
	int fd = open(arg[0], O_RDONLY), flags = (int)strtol(arg[2], NULL, 0);
	const char *params = params_arg(arg[1]);
	long ret;

	if (fd < 0)
		return print_errno();
	if (strcmp(arg[3], "symbol") == 0)
		ret = ((int (*)(int, const char *, int))module_symbol("finit_module"))(fd, params, flags);
	else
		ret = syscall(SYS_finit_module, fd, params, flags);
	print_ok(ret == 0);
	close(fd);
}

/* The file's contents placed so they end at a page boundary followed by an
 * inaccessible page: any read past the image faults. */
static void *guarded_image(const char *path, size_t *len)
{
	long page = sysconf(_SC_PAGESIZE);
	struct stat st;
	size_t pages;
	char *map;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st) < 0)
		return NULL;
	*len = (size_t)st.st_size;
	pages = (*len + (size_t)page - 1) / (size_t)page + 1;
	map = mmap(NULL, pages * (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED)
		return NULL;
	mprotect(map + (pages - 1) * (size_t)page, (size_t)page, PROT_NONE);
	map += (pages - 1) * (size_t)page - *len;
	if (read(fd, map, *len) != (ssize_t)*len)
		return NULL;
	close(fd);
	return map;
}

static void op_init(char **arg)
{
	const char *params = params_arg(arg[1]);
	size_t len;
	void *image = guarded_image(arg[0], &len);
	long ret;

	if (!image)
		return print_errno();
	if (strcmp(arg[2], "symbol") == 0)
		ret = ((int (*)(void *, unsigned long, const char *))module_symbol("init_module"))(image, len, params);
	else
		ret = syscall(SYS_init_module, image, len, params);
	print_ok(ret == 0);
}

static void op_delete(char **arg)
{
	unsigned int flags = (unsigned int)strtoul(arg[1], NULL, 0);
	long ret;

	if (strcmp(arg[2], "symbol") == 0)
		ret = ((int (*)(const char *, unsigned int))module_symbol("delete_module"))(arg[0], flags);
	else
		ret = syscall(SYS_delete_module, arg[0], flags);
	print_ok(ret == 0);
}

static const struct {
	const char *name;
	int args;
	void (*run)(char **arg);
} helper_ops[] = {
	{ "read", 1, op_read },
	{ "openat", 1, op_openat },
	{ "fopen", 1, op_fopen },
	{ "create", 1, op_create },
	{ "stat", 1, op_stat },
	{ "lstat", 1, op_lstat },
	{ "fstatat", 1, op_fstatat },
	{ "statx", 1, op_statx },
	{ "access", 1, op_access },
	{ "faccessat", 1, op_faccessat },
	{ "opendir", 1, op_opendir },
	{ "scandir", 1, op_scandir },
	{ "nftw", 1, op_nftw },
	{ "readlink", 1, op_readlink },
	{ "realpath", 1, op_realpath },
	{ "chdir", 1, op_chdir },
	{ "chdir-realpath", 2, op_chdir_realpath },
	{ "mkdir", 1, op_mkdir },
	{ "rmdir", 1, op_rmdir },
	{ "unlink", 1, op_unlink },
	{ "rename", 2, op_rename },
	{ "mkstemp", 1, op_mkstemp },
	{ "link", 2, op_link },
	{ "tmpfile", 2, op_tmpfile },
	{ "fsync", 1, op_fsync },
	{ "timed-delete", 1, op_timed_delete },
	{ "uname", 0, op_uname },
	{ "getpid", 0, op_getpid },
	{ "finit", 4, op_finit },
	{ "init", 3, op_init },
	{ "delete", 3, op_delete },
};

static int helper_main(int argc, char **argv)
{
	for (size_t i = 0; i < sizeof(helper_ops) / sizeof(helper_ops[0]); i++) {
		if (argc == 1 + helper_ops[i].args && strcmp(argv[0], helper_ops[i].name) == 0) {
			helper_ops[i].run(argv + 1);
			return 0;
		}
	}
	fprintf(stderr, "test-shim: bad helper call %s\n", argc ? argv[0] : "(none)");
	return 2;
}

/* ---- fixtures ---------------------------------------------------------------------- */

/* The fake root, the shim's log, a real directory outside the root, and an
 * empty root; short enough that paths built from them fit in PATH_MAX. */
static char root[1024], log_path[1100], outside[1100], bare_root[1100], images[1100];
static const char *shim;

static const char *in_root(const char *rel)
{
	static char buf[4][PATH_MAX];
	static int next;
	char *p = buf[next++ % 4];

	snprintf(p, PATH_MAX, "%s%s", root, rel);
	return p;
}

static void put_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || write(fd, data, len) != (ssize_t)len || close(fd) < 0) {
		printf("Bail out! cannot write %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

static void put_text(const char *path, const char *text)
{
	put_file(path, text, strlen(text));
}

static void make_dirs(const char *path)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(buf, 0755);
			*p = '/';
		}
	}
	mkdir(buf, 0755);
}

/* Whole file as a string ("" if unreadable); static buffer. */
static const char *slurp(const char *path)
{
	static char buf[8192];
	ssize_t n = -1;
	int fd = open(path, O_RDONLY);

	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
	}
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* Up to `size` bytes of a file; -1 when it cannot be read. */
static ssize_t read_bytes(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, size);

	if (fd >= 0)
		close(fd);
	return n;
}

/* Whether two files (of less than 8 KiB) hold the same bytes. */
static bool same_file(const char *a, const char *b)
{
	static char x[8192], y[8192];
	ssize_t nx = read_bytes(a, x, sizeof(x)), ny = read_bytes(b, y, sizeof(y));

	return nx > 0 && nx == ny && (size_t)nx < sizeof(x) && memcmp(x, y, (size_t)nx) == 0;
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static void put_uint(unsigned char *p, size_t width, uint64_t v, bool big)
{
	for (size_t i = 0; i < width; i++)
		p[big ? width - 1 - i : i] = (unsigned char)(v >> (8 * i));
}

#define PUT(base, type, member, value) \
	put_uint((base) + offsetof(type, member), sizeof(((type *)0)->member), value, big)

/* An ELF relocatable image with the sections .shstrtab and .modinfo; the
 * .modinfo size written to its header can be overridden to corrupt it. */
static size_t build_elf(unsigned char *img, bool is64, bool big, const char *modinfo,
			size_t modinfo_len, uint64_t modinfo_header_size)
{
	static const char shstrtab[] = "\0.shstrtab\0.modinfo";
	size_t ehsize = is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	size_t shsize = is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
	size_t strtab_off = ehsize, info_off = strtab_off + sizeof(shstrtab);
	size_t shoff = (info_off + modinfo_len + 7) & ~(size_t)7;
	const struct { size_t name, type, off, size; } sections[3] = {
		{ 0, SHT_NULL, 0, 0 },
		{ 1, SHT_STRTAB, strtab_off, sizeof(shstrtab) },
		{ 11, SHT_PROGBITS, info_off, modinfo_header_size ? modinfo_header_size : modinfo_len },
	};

	memset(img, 0, shoff + 3 * shsize);
	memcpy(img, ELFMAG, SELFMAG);
	img[EI_CLASS] = is64 ? ELFCLASS64 : ELFCLASS32;
	img[EI_DATA] = big ? ELFDATA2MSB : ELFDATA2LSB;
	img[EI_VERSION] = EV_CURRENT;
	memcpy(img + strtab_off, shstrtab, sizeof(shstrtab));
	memcpy(img + info_off, modinfo, modinfo_len);
	if (is64) {
		PUT(img, Elf64_Ehdr, e_type, ET_REL);
		PUT(img, Elf64_Ehdr, e_machine, EM_X86_64);
		PUT(img, Elf64_Ehdr, e_shoff, shoff);
		PUT(img, Elf64_Ehdr, e_ehsize, ehsize);
		PUT(img, Elf64_Ehdr, e_shentsize, shsize);
		PUT(img, Elf64_Ehdr, e_shnum, 3);
		PUT(img, Elf64_Ehdr, e_shstrndx, 1);
	} else {
		PUT(img, Elf32_Ehdr, e_type, ET_REL);
		PUT(img, Elf32_Ehdr, e_machine, EM_PPC);
		PUT(img, Elf32_Ehdr, e_shoff, shoff);
		PUT(img, Elf32_Ehdr, e_ehsize, ehsize);
		PUT(img, Elf32_Ehdr, e_shentsize, shsize);
		PUT(img, Elf32_Ehdr, e_shnum, 3);
		PUT(img, Elf32_Ehdr, e_shstrndx, 1);
	}
	for (size_t i = 0; i < 3; i++) {
		unsigned char *sh = img + shoff + i * shsize;

		if (is64) {
			PUT(sh, Elf64_Shdr, sh_name, sections[i].name);
			PUT(sh, Elf64_Shdr, sh_type, sections[i].type);
			PUT(sh, Elf64_Shdr, sh_offset, sections[i].off);
			PUT(sh, Elf64_Shdr, sh_size, sections[i].size);
		} else {
			PUT(sh, Elf32_Shdr, sh_name, sections[i].name);
			PUT(sh, Elf32_Shdr, sh_type, sections[i].type);
			PUT(sh, Elf32_Shdr, sh_offset, sections[i].off);
			PUT(sh, Elf32_Shdr, sh_size, sections[i].size);
		}
	}
	return shoff + 3 * shsize;
}

static const char elf64_modinfo[] = "license=GPL\0name=mt_elf64\0vermagic=x";
static const char elf32_modinfo[] = "name=mt_elf32\0author=me";
static const char noname_modinfo[] = "license=GPL\0description=no name";
static size_t elf64_size, elf32_size;

static void make_rootfs(void)
{
	unsigned char img[1024];
	char path[PATH_MAX];
	size_t n;

	make_dirs(in_root("/etc/modprobe.d"));
	make_dirs(in_root("/etcetera"));
	make_dirs(in_root("/proc"));
	make_dirs(in_root("/run"));
	make_dirs(in_root("/sys/module"));
	make_dirs(in_root("/usr/lib/modprobe.d"));
	make_dirs(in_root(MODDIR "/kernel/sub"));
	put_text(in_root("/etc/x"), "fake etc\n");
	put_text(in_root("/etc/modprobe.d/a.conf"), "options a x=1\n");
	put_text(in_root("/etcetera/x"), "must not be reached\n");
	put_text(in_root("/proc/modules"), "base_mod 100 0 - Live 0x0000000000000000\n");
	put_text(in_root("/proc/cmdline"), "root=/dev/fake quiet\n");
	put_text(in_root(MODDIR "/modules.dep"), "kernel/renamed.ko:\n");
	put_text(in_root(MODDIR "/kernel/junk-mod.ko"), "this is not ELF\n");
	put_text(in_root(MODDIR "/kernel/builtin-mod.ko"), "not ELF either\n");
	put_text(in_root(MODDIR "/kernel/comp-mod.ko.xz"), "\xfd" "7zXZ compressed bytes\n");
	if (symlink("/etc/x", in_root("/etc/link")) < 0 ||
	    symlink("../" RELEASE "/kernel", in_root(MODDIR "/kernel-link")) < 0) {
		printf("Bail out! symlink: %s\n", strerror(errno));
		exit(1);
	}

	elf64_size = build_elf(img, true, false, elf64_modinfo, sizeof(elf64_modinfo), 0);
	put_file(in_root(MODDIR "/kernel/renamed.ko"), img, elf64_size);
	elf32_size = build_elf(img, false, true, elf32_modinfo, sizeof(elf32_modinfo), 0);
	put_file(in_root(MODDIR "/kernel/sub/be32.ko"), img, elf32_size);
	n = build_elf(img, true, true, noname_modinfo, sizeof(noname_modinfo), 0);
	put_file(in_root(MODDIR "/kernel/noname-mod.ko"), img, n);
	n = build_elf(img, true, false, elf64_modinfo, sizeof(elf64_modinfo), 0x10000);
	put_file(in_root(MODDIR "/kernel/oversized.ko"), img, n);
	/* Cut inside the section headers. */
	n = build_elf(img, false, false, elf32_modinfo, sizeof(elf32_modinfo), 0);
	put_file(in_root(MODDIR "/kernel/truncated.ko"), img, n - 20);

	make_dirs(in_root("/sys/module/builtin_mod/parameters"));

	/* A real directory with a relative etc/x, for the relative-path check. */
	snprintf(path, sizeof(path), "%s/etc", outside);
	make_dirs(path);
	snprintf(path, sizeof(path), "%s/etc/x", outside);
	put_text(path, "relative\n");
}

/* ---- running the helper -------------------------------------------------------------- */

struct helper_env {
	const char *program;	/* run this instead of the helper */
	const char *root;	/* MT_SHIM_ROOT, default the test's root */
	const char *fail;	/* MT_SHIM_FAIL */
	const char *fs_fail;	/* MT_SHIM_FS_FAIL */
	const char *delay;	/* MT_SHIM_DELAY */
	const char *cwd;	/* working directory, default unchanged */
	const char *images;	/* MT_SHIM_IMAGES */
	bool no_root;		/* leave MT_SHIM_ROOT unset */
	bool no_uname;		/* leave MT_SHIM_UNAME_R unset */
};

static const struct helper_env plain_env;

/* Runs the helper (or env->program with argv[0] first) with the given
 * NULL-terminated arguments under the shim; returns its stdout and stderr
 * (caller frees) and sets *status. */
static char *run_helper(const struct helper_env *env, int *status, ...)
{
	const char *args[16] = { "test-shim", "--helper" };
	size_t argc = 2, len = 0;
	char *out = malloc(65536);
	int pipefd[2], wstatus;
	va_list ap;
	ssize_t n;
	pid_t pid;

	va_start(ap, status);
	while (argc < 15 && (args[argc] = va_arg(ap, const char *)))
		argc++;
	va_end(ap);
	args[argc] = NULL;

	fflush(stdout);
	if (!out || pipe(pipefd) < 0 || (pid = fork()) < 0) {
		printf("Bail out! cannot start the helper: %s\n", strerror(errno));
		exit(1);
	}
	if (pid == 0) {
		const char *preload = getenv("LD_PRELOAD"), *asan = getenv("ASAN_OPTIONS");
		char buf[PATH_MAX * 2];

		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		close(pipefd[0]);
		close(pipefd[1]);
		snprintf(buf, sizeof(buf), "%s%s%s", preload ? preload : "", preload ? ":" : "", shim);
		setenv("LD_PRELOAD", buf, 1);
		/* A sanitized helper would refuse to start with the shim loaded first. */
		snprintf(buf, sizeof(buf), "%s%sverify_asan_link_order=0", asan ? asan : "", asan ? ":" : "");
		setenv("ASAN_OPTIONS", buf, 1);
		setenv("MT_SHIM_LOG", log_path, 1);
		unsetenv("MT_SHIM_FAIL");
		unsetenv("MT_SHIM_FS_FAIL");
		unsetenv("MT_SHIM_DELAY");
		unsetenv("MT_SHIM_ROOT");
		unsetenv("MT_SHIM_UNAME_R");
		unsetenv("MT_SHIM_IMAGES");
		if (env->images)
			setenv("MT_SHIM_IMAGES", env->images, 1);
		if (env->fail)
			setenv("MT_SHIM_FAIL", env->fail, 1);
		if (env->fs_fail)
			setenv("MT_SHIM_FS_FAIL", env->fs_fail, 1);
		if (env->delay)
			setenv("MT_SHIM_DELAY", env->delay, 1);
		if (!env->no_root)
			setenv("MT_SHIM_ROOT", env->root ? env->root : root, 1);
		if (!env->no_uname)
			setenv("MT_SHIM_UNAME_R", RELEASE, 1);
		if (env->cwd && chdir(env->cwd) < 0)
			_exit(3);
		if (env->program)
			execv(env->program, (char **)args + 2);
		else
			execv("/proc/self/exe", (char **)args);
		_exit(4);
	}
	close(pipefd[1]);
	while (len < 65535 && (n = read(pipefd[0], out + len, 65535 - len)) > 0)
		len += (size_t)n;
	out[len] = '\0';
	close(pipefd[0]);
	waitpid(pid, &wstatus, 0);
	*status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
	return out;
}

/* "op arg arg" for test names; static buffer. */
static const char *describe(const char *first, ...)
{
	static char buf[1024];
	size_t len = (size_t)snprintf(buf, sizeof(buf), "%s", first);
	const char *arg;
	va_list ap;

	va_start(ap, first);
	while ((arg = va_arg(ap, const char *)) && len < sizeof(buf))
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, " %s", arg);
	va_end(ap);
	return buf;
}

static void check_output(char *out, int status, const char *want, const char *name)
{
	bool ok = status == 0 && strcmp(out, want) == 0;

	tap_ok(ok, "%s", name);
	if (!ok)
		printf("#   got '%s' (exit status %d), want '%s'\n", out, status, want);
	free(out);
}

/* Runs the helper with the arguments after `want` and checks that it exits
 * with status 0 after printing exactly `want`. */
#define CHECK(env, want, ...) do { \
	int status_; \
	char *out_ = run_helper(env, &status_, __VA_ARGS__, (const char *)NULL); \
	check_output(out_, status_, want, describe(__VA_ARGS__, (const char *)NULL)); \
} while (0)

/* The shim's log since the last call, then cleared; static buffer. */
static const char *take_log(void)
{
	const char *text = slurp(log_path);

	unlink(log_path);
	return text;
}

/* ---- the checks ------------------------------------------------------------------------ */

static void test_redirection(void)
{
	char want[PATH_MAX + 64];
	struct stat st;
	Dl_info libc;
	ssize_t n;
	struct helper_env in_outside = { .cwd = outside };

	CHECK(&plain_env, "fake etc\n", "read", "/etc/x");
	CHECK(&plain_env, "fake etc\n", "read", "//etc//x");
	CHECK(&plain_env, "fake etc\n", "openat", "/etc/x");
	CHECK(&plain_env, "fake etc\n", "fopen", "/etc/x");
	CHECK(&plain_env, "root=/dev/fake quiet\n", "read", "/proc/cmdline");
	CHECK(&plain_env, "kernel/renamed.ko:\n", "read", MODDIR "/modules.dep");
	CHECK(&plain_env, "error ENOENT\n", "read", "/etc/passwd");
	CHECK(&plain_env, "error ENOENT\n", "read", "/etcetera/x");
	CHECK(&in_outside, "relative\n", "read", "etc/x");

	stat(in_root("/proc/modules"), &st);
	snprintf(want, sizeof(want), "ino=%llu size=%lld\n", (unsigned long long)st.st_ino, (long long)st.st_size);
	CHECK(&plain_env, want, "stat", "/proc/modules");
	stat("/usr/lib", &st);
	snprintf(want, sizeof(want), "ino=%llu size=%lld\n", (unsigned long long)st.st_ino, (long long)st.st_size);
	CHECK(&plain_env, want, "stat", "/usr/lib");
	CHECK(&plain_env, "size=9\n", "fstatat", "/etc/x");
	CHECK(&plain_env, "size=9\n", "statx", "/etc/x");
	CHECK(&plain_env, "symlink\n", "lstat", "/etc/link");
	CHECK(&plain_env, "ok\n", "access", "/etc/modprobe.d/a.conf");
	CHECK(&plain_env, "ok\n", "faccessat", "/usr/lib/modprobe.d");
	CHECK(&plain_env, "error ENOENT\n", "access", "/etc/passwd");
	CHECK(&plain_env, "a.conf\n", "opendir", "/etc/modprobe.d");
	CHECK(&plain_env, "kernel kernel-link modules.dep\n", "scandir", MODDIR);
	CHECK(&plain_env, "/etc/x\n", "readlink", "/etc/link");

	/* Other syscalls and the process's own /proc entries stay real. */
	CHECK(&plain_env, "same pid\n", "getpid");
	n = readlink("/proc/self/exe", want, sizeof(want) - 2);
	strcpy(want + (n > 0 ? n : 0), "\n");
	CHECK(&plain_env, want, "readlink", "/proc/self/exe");

	/* Programs that are not sanitized (like the shell that runs modprobe's
	 * install commands) work under the shim too. */
	CHECK(&(struct helper_env){ .program = "/bin/cat" }, "fake etc\n", "cat", "/etc/x");

	/* The libraries of the real system stay reachable. */
	if (dladdr((void *)printf, &libc) && libc.dli_fname[0] == '/' && stat(libc.dli_fname, &st) == 0) {
		snprintf(want, sizeof(want), "ino=%llu size=%lld\n", (unsigned long long)st.st_ino,
			 (long long)st.st_size);
		CHECK(&plain_env, want, "stat", libc.dli_fname);
	} else {
		tap_ok(false, "find the path of libc");
	}

	/* A path already inside a root that lies under a redirected prefix is
	 * not mapped a second time. */
	CHECK(&(struct helper_env){ .root = "/etc" }, "ok\n", "access", "/etc/passwd");

	/* Without a root nothing is redirected. */
	stat("/etc", &st);
	snprintf(want, sizeof(want), "ino=%llu size=%lld\n", (unsigned long long)st.st_ino, (long long)st.st_size);
	CHECK(&(struct helper_env){ .no_root = true }, want, "stat", "/etc");
}

static void test_paths_shown(void)
{
	CHECK(&plain_env, "/etc/x\n", "realpath", "/etc/link");
	CHECK(&plain_env, MODDIR "/kernel/sub\n", "realpath", MODDIR "/kernel-link/./sub/");
	CHECK(&plain_env, MODDIR "/modules.dep\n", "chdir-realpath", MODDIR "/kernel", "../kernel-link/../modules.dep");
	CHECK(&plain_env, "error ENOENT\n", "realpath", "/etc/missing");
	CHECK(&plain_env, "error ENOTDIR\n", "realpath", "/etc/x/");
	CHECK(&plain_env, MODDIR "/kernel\n", "chdir", MODDIR "/kernel");
	CHECK(&plain_env,
	      "/lib/modules(modules) " MODDIR "(" RELEASE ") " MODDIR "/kernel(kernel) " MODDIR "/kernel-link(kernel-link) "
	      MODDIR "/kernel/builtin-mod.ko(builtin-mod.ko) " MODDIR "/kernel/comp-mod.ko.xz(comp-mod.ko.xz) "
	      MODDIR "/kernel/junk-mod.ko(junk-mod.ko) " MODDIR "/kernel/noname-mod.ko(noname-mod.ko) "
	      MODDIR "/kernel/oversized.ko(oversized.ko) " MODDIR "/kernel/renamed.ko(renamed.ko) "
	      MODDIR "/kernel/sub(sub) " MODDIR "/kernel/sub/be32.ko(be32.ko) " MODDIR "/kernel/truncated.ko(truncated.ko) "
	      MODDIR "/modules.dep(modules.dep)\n",
	      "nftw", "/lib/modules");
}

static void test_changes(void)
{
	struct stat st;
	int status;
	char *out;

	CHECK(&plain_env, "ok\n", "create", "/run/new");
	tap_ok(stat(in_root("/run/new"), &st) == 0 && (st.st_mode & 0777) == 0640,
	       "create gave ROOT/run/new mode 0640 (the variadic mode was passed on)");
	CHECK(&plain_env, "ok\n", "mkdir", "/run/dir");
	CHECK(&plain_env, "ok\n", "rename", "/run/new", "/run/dir/moved");
	tap_ok(exists(in_root("/run/dir/moved")) && !exists(in_root("/run/new")), "rename moved the file inside ROOT");
	CHECK(&plain_env, "ok\n", "unlink", "/run/dir/moved");
	CHECK(&plain_env, "ok\n", "rmdir", "/run/dir");
	tap_ok(!exists(in_root("/run/dir")), "unlink and rmdir removed ROOT/run/dir");

	out = run_helper(&plain_env, &status, "mkstemp", "/run/tmpXXXXXX", (const char *)NULL);
	out[strcspn(out, "\n")] = '\0';
	tap_ok(strncmp(out, "/run/tmp", 8) == 0 && strlen(out) == 14 && strcmp(out, "/run/tmpXXXXXX") != 0 &&
	       exists(in_root(out)), "mkstemp filled in the template and created the file in ROOT (%s)", out);
	free(out);
}

static void test_uname(void)
{
	struct utsname u;
	char want[sizeof(u.release) + 1];

	CHECK(&plain_env, RELEASE "\n", "uname");
	uname(&u);
	snprintf(want, sizeof(want), "%s\n", u.release);
	CHECK(&(struct helper_env){ .no_uname = true }, want, "uname");
}

/* Checks the state a load of `name` created: sysfs files and the line at
 * the end of /proc/modules. */
static void check_loaded(const char *name, size_t size)
{
	char dir[2048], path[PATH_MAX], want[256];
	const char *modules;
	DIR *holders;
	struct dirent *e;
	int entries = 0;

	snprintf(dir, sizeof(dir), "%s/sys/module/%s", root, name);
	snprintf(path, sizeof(path), "%s/initstate", dir);
	tap_is_str(slurp(path), "live\n", "%s: initstate", name);
	snprintf(path, sizeof(path), "%s/refcnt", dir);
	tap_is_str(slurp(path), "0\n", "%s: refcnt", name);
	snprintf(path, sizeof(path), "%s/coresize", dir);
	snprintf(want, sizeof(want), "%zu\n", size);
	tap_is_str(slurp(path), want, "%s: coresize", name);
	snprintf(path, sizeof(path), "%s/holders", dir);
	holders = opendir(path);
	while (holders && (e = readdir(holders)))
		entries += e->d_name[0] != '.';
	tap_ok(holders && entries == 0, "%s: holders/ exists and is empty", name);
	if (holders)
		closedir(holders);
	modules = slurp(in_root("/proc/modules"));
	snprintf(want, sizeof(want), "\n%s %zu 0 - Live 0x0000000000000000\n", name, size);
	tap_ok(strlen(modules) >= strlen(want) && !strcmp(modules + strlen(modules) - strlen(want), want),
	       "%s: last line of /proc/modules", name);
}

static bool loaded(const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/sys/module/%s", root, name);
	return exists(path);
}

static void test_loading(void)
{
	char want[256], path[PATH_MAX], *out;
	int status;

	take_log();
	CHECK(&plain_env, "ok\n", "finit", MODDIR "/kernel/renamed.ko", "a=1 b=\"x y\" c=\\", "0", "syscall");
	tap_is_str(take_log(), "finit_module mt_elf64 params=\"a=1 b=\\\"x y\\\" c=\\\\\" flags=0x0\n",
		   "finit logs the .modinfo name and the quoted params");
	check_loaded("mt_elf64", elf64_size);

	CHECK(&plain_env, "error EEXIST\n", "finit", MODDIR "/kernel/renamed.ko", "", "3", "symbol");
	tap_is_str(take_log(), "finit_module mt_elf64 params=\"\" flags=0x3\n", "a failed finit is logged too");

	CHECK(&plain_env, "ok\n", "finit", MODDIR "/kernel/junk-mod.ko", "", "0", "symbol");
	tap_is_str(take_log(), "finit_module junk_mod params=\"\" flags=0x0\n",
		   "finit of a non-ELF file names it after the file");
	check_loaded("junk_mod", 16);
	CHECK(&plain_env, "ok\n", "finit", MODDIR "/kernel/noname-mod.ko", "", "0", "syscall");
	tap_ok(loaded("noname_mod"), "finit of an ELF without name= names it after the file");

	take_log();
	CHECK(&plain_env, "ok\n", "init", MODDIR "/kernel/sub/be32.ko", "p=\t", "syscall");
	snprintf(want, sizeof(want), "init_module mt_elf32 len=%zu params=\"p=\\x09\"\n", elf32_size);
	tap_is_str(take_log(), want, "init_module finds name= in a big-endian ELF32 image");
	check_loaded("mt_elf32", elf32_size);

	CHECK(&plain_env, "ok\n", "init", MODDIR "/kernel/junk-mod.ko", "", "symbol");
	tap_is_str(take_log(), "init_module unknown len=16 params=\"\"\n", "init_module of a non-ELF image");
	tap_ok(loaded("unknown"), "... loads it as 'unknown'");
	CHECK(&plain_env, "error EEXIST\n", "init", MODDIR "/kernel/oversized.ko", "", "syscall");
	tap_ok(strstr(take_log(), "init_module unknown ") != NULL, "a .modinfo beyond the image is not read");
	CHECK(&plain_env, "error EEXIST\n", "init", MODDIR "/kernel/truncated.ko", "", "syscall");
	tap_ok(strstr(take_log(), "init_module unknown ") != NULL, "truncated section headers are not read");
	CHECK(&plain_env, "error EFAULT\n", "init", MODDIR "/kernel/sub/be32.ko", "NULL", "syscall");
	tap_ok(strstr(take_log(), "params=(null)\n") != NULL, "NULL params are logged as (null)");

	CHECK(&plain_env, "error EEXIST\n", "finit", MODDIR "/kernel/builtin-mod.ko", "", "0", "syscall");
	CHECK(&plain_env, "error EINVAL\n", "finit", MODDIR "/kernel/renamed.ko", "", "8", "syscall");

	take_log();
	CHECK(&plain_env, "error EINVAL\n", "finit", MODDIR "/kernel/comp-mod.ko.xz", "", "4", "syscall");
	put_text(in_root("/sys/module/compression"), "xz\n");
	CHECK(&plain_env, "ok\n", "finit", MODDIR "/kernel/comp-mod.ko.xz", "", "4", "syscall");
	tap_is_str(take_log(),
		   "finit_module comp_mod params=\"\" flags=0x4\nfinit_module comp_mod params=\"\" flags=0x4\n",
		   "compressed finit is named after the file and logged with flags=0x4");
	tap_ok(loaded("comp_mod"), "compressed finit loads with /sys/module/compression present");

	CHECK(&(struct helper_env){ .no_root = true }, "error EPERM\n", "finit", "/dev/null", "", "0", "syscall");
	take_log();

	/* A load creates /sys/module and /proc when the root lacks them. */
	mkdir(bare_root, 0755);
	CHECK(&(struct helper_env){ .root = bare_root }, "ok\n", "finit", in_root(MODDIR "/kernel/junk-mod.ko"), "", "0",
	      "syscall");
	snprintf(path, sizeof(path), "%s/proc/modules", bare_root);
	tap_is_str(slurp(path), "junk_mod 16 0 - Live 0x0000000000000000\n", "... into a root without /proc");
	snprintf(path, sizeof(path), "%s/sys/module/junk_mod/initstate", bare_root);
	tap_is_str(slurp(path), "live\n", "... and without /sys");
	take_log();

	/* MT_SHIM_IMAGES keeps what init_module received, failed calls too;
	 * finit_module leaves nothing. */
	mkdir(images, 0755);
	CHECK(&(struct helper_env){ .images = images }, "error EEXIST\n", "init",
	      MODDIR "/kernel/sub/be32.ko", "", "syscall");
	snprintf(path, sizeof(path), "%s/mt_elf32.ko", images);
	tap_ok(same_file(path, in_root(MODDIR "/kernel/sub/be32.ko")),
	       "MT_SHIM_IMAGES: the image as NAME.ko, byte for byte");
	CHECK(&(struct helper_env){ .images = images }, "error EEXIST\n", "finit",
	      MODDIR "/kernel/renamed.ko", "", "0", "syscall");
	snprintf(path, sizeof(path), "%s/mt_elf64.ko", images);
	tap_ok(!exists(path), "MT_SHIM_IMAGES: nothing for finit_module");
	snprintf(path, sizeof(path), "%s/nosuch", images);
	out = run_helper(&(struct helper_env){ .images = path }, &status, "init",
			 MODDIR "/kernel/sub/be32.ko", "", "syscall", (const char *)NULL);
	tap_ok(status == 127 && strstr(out, "mt-shim: cannot write MT_SHIM_IMAGES file "),
	       "an unwritable MT_SHIM_IMAGES stops the process (status %d)", status);
	free(out);
	take_log();
}

static void test_unloading(void)
{
	const char *modules;

	CHECK(&plain_env, "ok\n", "delete", "mt_elf64", "0x800", "syscall");
	tap_is_str(take_log(), "delete_module mt_elf64 flags=0x800\n", "delete_module is logged");
	modules = slurp(in_root("/proc/modules"));
	tap_ok(!loaded("mt_elf64") && !strstr(modules, "mt_elf64 ") && strstr(modules, "base_mod 100 ") &&
	       strstr(modules, "\njunk_mod "), "delete_module removed sysfs and only its /proc/modules line");
	CHECK(&plain_env, "error ENOENT\n", "delete", "mt_elf64", "0x800", "symbol");
	CHECK(&plain_env, "error ENOENT\n", "delete", "builtin_mod", "0x800", "syscall");
	CHECK(&plain_env, "error ENOENT\n", "delete", "../../etc", "0x800", "syscall");

	/* EWOULDBLOCK is EAGAIN on Linux. */
	put_text(in_root("/sys/module/junk_mod/refcnt"), "1\n");
	CHECK(&plain_env, "error EAGAIN\n", "delete", "junk_mod", "0x800", "syscall");
	CHECK(&plain_env, "ok\n", "delete", "junk_mod", "0xa00", "syscall");
	tap_ok(!loaded("junk_mod"), "O_TRUNC removes a module in use");

	put_text(in_root("/sys/module/mt_elf32/holders/other"), "");
	CHECK(&plain_env, "error EAGAIN\n", "delete", "mt_elf32", "0xa00", "syscall");
	unlink(in_root("/sys/module/mt_elf32/holders/other"));
	put_text(in_root("/sys/module/mt_elf32/initstate"), "coming\n");
	CHECK(&plain_env, "error EBUSY\n", "delete", "mt_elf32", "0x800", "syscall");
	put_text(in_root("/sys/module/mt_elf32/initstate"), "live\n");
	CHECK(&plain_env, "ok\n", "delete", "mt_elf32", "0x800", "symbol");
	take_log();
}

static void test_injection(void)
{
	struct helper_env env = { 0 };
	int status;
	char *out;

	env.fail = "finit_module:ENOSYS";
	CHECK(&env, "error ENOSYS\n", "finit", MODDIR "/kernel/renamed.ko", "", "0", "syscall");
	tap_ok(!loaded("mt_elf64"), "an injected failure changes no state");
	tap_is_str(take_log(), "finit_module mt_elf64 params=\"\" flags=0x0\n", "an injected failure is logged");

	env.fail = "mt_elf64@finit_module:EBUSY";
	CHECK(&env, "error EBUSY\n", "finit", MODDIR "/kernel/renamed.ko", "", "0", "syscall");
	CHECK(&env, "ok\n", "finit", MODDIR "/kernel/junk-mod.ko", "", "0", "syscall");

	env.fail = " init_module:ENOEXEC , delete_module:EPERM,";
	CHECK(&env, "error ENOEXEC\n", "init", MODDIR "/kernel/renamed.ko", "", "syscall");
	CHECK(&env, "error EPERM\n", "delete", "junk_mod", "0x800", "syscall");
	tap_ok(loaded("junk_mod"), "an injected delete_module failure keeps the module");

	env.fail = "other@delete_module:EBUSY,junk_mod@delete_module:EWOULDBLOCK";
	CHECK(&env, "error EAGAIN\n", "delete", "junk_mod", "0x800", "syscall");
	env.fail = "delete_module:EPERM,junk_mod@delete_module:EBUSY";
	CHECK(&env, "error EPERM\n", "delete", "junk_mod", "0x800", "syscall");
	env.fail = "delete_module:16";
	CHECK(&env, "error EBUSY\n", "delete", "junk_mod", "0x800", "syscall");

	env.fail = "finit_module:EWHAT";
	out = run_helper(&env, &status, "finit", MODDIR "/kernel/renamed.ko", "", "0", "syscall", (const char *)NULL);
	tap_ok(status == 127 && strstr(out, "mt-shim: bad MT_SHIM_FAIL entry 'finit_module:EWHAT'"),
	       "an unknown errno name stops the process (status %d)", status);
	free(out);
	env.fail = "finit_module";
	out = run_helper(&env, &status, "finit", MODDIR "/kernel/renamed.ko", "", "0", "syscall", (const char *)NULL);
	tap_ok(status == 127, "an entry without ':ERRNO' stops the process");
	free(out);
	take_log();
}

static void test_fs_injection(void)
{
	struct helper_env env = { 0 };
	int status;
	char *out;

	put_text(in_root("/run/linked"), "linked\n");
	CHECK(&plain_env, "ok\n", "link", "/run/linked", "/run/link2");
	tap_ok(exists(in_root("/run/link2")), "linkat made ROOT/run/link2");
	CHECK(&plain_env, "ok\n", "tmpfile", "/run", "/run/unnamed");
	tap_is_str(slurp(in_root("/run/unnamed")), "unnamed\n", "an O_TMPFILE file linked into ROOT");
	CHECK(&plain_env, "ok\n", "fsync", "/run/unnamed");

	env.fs_fail = "tmpfile:EOPNOTSUPP";
	CHECK(&env, "error EOPNOTSUPP\n", "tmpfile", "/run", "/run/unnamed2");
	CHECK(&env, "ok\n", "create", "/run/named");
	env.fs_fail = "linkat:ENOENT";
	CHECK(&env, "error ENOENT\n", "link", "/run/linked", "/run/link3");
	CHECK(&env, "error ENOENT\n", "tmpfile", "/run", "/run/unnamed3");
	tap_ok(!exists(in_root("/run/link3")) && !exists(in_root("/run/unnamed3")),
	       "a failed linkat made no file");
	env.fs_fail = " fsync:EIO ,";
	CHECK(&env, "fsync error EIO\n", "fsync", "/run/unnamed");
	env.fs_fail = "x@fsync:EIO";
	out = run_helper(&env, &status, "fsync", "/run/unnamed", (const char *)NULL);
	tap_ok(status == 127 && strstr(out, "mt-shim: bad MT_SHIM_FS_FAIL entry 'x@fsync:EIO'"),
	       "a file call entry naming a module stops the process (status %d)", status);
	free(out);
	env.fs_fail = "write:EIO";
	out = run_helper(&env, &status, "fsync", "/run/unnamed", (const char *)NULL);
	tap_ok(status == 127, "an unknown file call stops the process");
	free(out);
}

static void test_delay(void)
{
	struct helper_env env = { 0 };
	int status;
	char *out;

	env.delay = "delete_module:300";
	CHECK(&env, "300 ms or more\n", "timed-delete", "nosuch");
	env.delay = "other@delete_module:300, delete_module:100";
	CHECK(&env, "under 300 ms\n", "timed-delete", "nosuch");
	env.delay = "finit_module:300";
	CHECK(&env, "under 100 ms\n", "timed-delete", "nosuch");
	tap_is_str(take_log(), "delete_module nosuch flags=0x800\n"
		   "delete_module nosuch flags=0x800\n"
		   "delete_module nosuch flags=0x800\n", "delayed calls are logged as usual");
	env.delay = "delete_module:0";
	out = run_helper(&env, &status, "timed-delete", "nosuch", (const char *)NULL);
	tap_ok(status == 127 && strstr(out, "mt-shim: bad MT_SHIM_DELAY entry 'delete_module:0' "
					    "(want [MODULE@]CALL:MS)"),
	       "a delay of 0 ms stops the process (status %d)", status);
	free(out);
	take_log();
}

static int remove_path(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

/* Registered with atexit(), so that a bail-out cleans up too. */
static void remove_temporaries(void)
{
	nftw(root, remove_path, 16, FTW_DEPTH | FTW_PHYS);
	nftw(outside, remove_path, 16, FTW_DEPTH | FTW_PHYS);
	nftw(bare_root, remove_path, 16, FTW_DEPTH | FTW_PHYS);
	nftw(images, remove_path, 16, FTW_DEPTH | FTW_PHYS);
	unlink(log_path);
}

int main(int argc, char **argv)
{
	char shim_path[PATH_MAX], template[PATH_MAX], *canonical;
	const char *tmp = getenv("TMPDIR");

	if (argc > 1 && strcmp(argv[1], "--helper") == 0)
		return helper_main(argc - 2, argv + 2);

	shim = getenv("MT_SHIM");
	if (!shim || !*shim)
		shim = argc > 1 ? argv[1] : NULL;
	if (!shim) {
		return tap_missing_input_all("no shim given (set MT_SHIM or pass its path)");
	}
	if (!realpath(shim, shim_path)) {
		printf("Bail out! shim %s: %s\n", shim, strerror(errno));
		return 1;
	}
	shim = shim_path;

	snprintf(template, sizeof(template), "%s/test-shim.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	/* The root must be canonical for getcwd() results to be recognized. */
	if (!mkdtemp(template) || !(canonical = realpath(template, NULL)) || strlen(canonical) >= sizeof(root)) {
		printf("Bail out! cannot create a temporary root in %s\n", template);
		return 1;
	}
	strcpy(root, canonical);
	free(canonical);
	atexit(remove_temporaries);
	snprintf(log_path, sizeof(log_path), "%s.log", root);
	snprintf(outside, sizeof(outside), "%s.outside", root);
	snprintf(bare_root, sizeof(bare_root), "%s.bare", root);
	snprintf(images, sizeof(images), "%s.images", root);
	make_rootfs();

	test_redirection();
	test_paths_shown();
	test_changes();
	test_uname();
	test_loading();
	test_unloading();
	test_injection();
	test_fs_injection();
	test_delay();

	return tap_done();
}

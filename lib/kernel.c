/*
 * kernel.c — the kernel interface: the module list in /proc/modules, each
 * module's state under /sys/module/NAME (its use count, size, holders, taint
 * flags and section addresses), the kernel's own decompressor,
 * and loading and removing modules (finit_module, init_module,
 * delete_module).  init_module and delete_module are glibc's functions, so
 * that an LD_PRELOAD harness sees them; glibc 2.36 has no finit_module,
 * which goes through syscall().
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <syslog.h>
#include <sys/stat.h>
#include <unistd.h>
#include "internal.h"

#define PROC_MODULES "/proc/modules"
#define SYS_MODULE "/sys/module"
#define MODULE_INIT_COMPRESSED_FILE 4u

/* Exported by glibc, declared by none of its headers. */
int init_module(void *image, unsigned long len, const char *params);
int delete_module(const char *name, unsigned int flags);

int mt_loaded_modules(char ***out)
{
	char *line = NULL, name[PATH_MAX];
	size_t cap = 0;
	char **names = NULL;
	int count = 0, err = 0;
	FILE *fp;

	fp = fopen(PROC_MODULES, "re");
	if (!fp)
		return mt_fail(errno, "could not open %s: %s", PROC_MODULES, strerror(errno));
	while (getline(&line, &cap, fp) > 0) {
		char *tok = strtok(line, " \t\n");

		if (!tok || mt_modname_normalize(tok, name, sizeof(name)) < 0)
			continue;
		if (mt_strv_push(&names, &count, name) < 0) {
			err = mt_fail(ENOMEM, "%s: out of memory", PROC_MODULES);
			break;
		}
	}
	free(line);
	fclose(fp);
	if (err < 0) {
		mt_strv_free(names, count);
		return err;
	}
	*out = names;
	return count;
}

/* Read a sysfs file holding a decimal number followed by whitespace.
 * -errno when the file cannot be opened, -EINVAL when it holds no number
 * (with a message, as that means a broken sysfs rather than an absent one). */
static int read_sys_long(const char *path, long *value)
{
	char buf[64], *end;
	ssize_t got;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	got = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (got < 0)
		return mt_fail(errno, "could not read integer from '%s': '%s'", path, strerror(errno));
	buf[got] = '\0';
	errno = 0;
	*value = strtol(buf, &end, 10);
	if (end == buf || errno || !isspace((unsigned char)*end))
		return mt_fail(EINVAL, "could not read integer from '%s': '%s'", path,
			       strerror(EINVAL));
	return 0;
}

int mt_module_refcnt(const char *name, long *refcnt)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), SYS_MODULE "/%s/refcnt", name);
	return read_sys_long(path, refcnt);
}

/* Second field of NAME's line in /proc/modules. */
static int proc_modules_size(const char *name, long *size)
{
	char *line = NULL, *tok, *save, *end;
	size_t cap = 0;
	int err = -ENOENT;
	FILE *fp;

	fp = fopen(PROC_MODULES, "re");
	if (!fp)
		return -errno;
	while (getline(&line, &cap, fp) > 0) {
		tok = strtok_r(line, " \t\n", &save);
		if (!tok || strcmp(tok, name) != 0)
			continue;
		tok = strtok_r(NULL, " \t\n", &save);
		if (tok) {
			*size = strtol(tok, &end, 10);
			if (end != tok && *end == '\0') {
				err = 0;
				break;
			}
		}
		err = mt_fail(EINVAL, "invalid line format in %s for %s", PROC_MODULES, name);
		break;
	}
	free(line);
	fclose(fp);
	return err;
}

int mt_module_size(const char *name, long *size)
{
	char path[PATH_MAX];
	struct stat st;
	int err;

	snprintf(path, sizeof(path), SYS_MODULE "/%s", name);
	if (stat(path, &st) < 0)
		return -errno;
	snprintf(path, sizeof(path), SYS_MODULE "/%s/coresize", name);
	err = read_sys_long(path, size);
	if (err == -EINVAL)
		return mt_fail(EINVAL, "failed to read coresize from " SYS_MODULE "/%s", name);
	if (err < 0)
		return proc_modules_size(name, size);
	return 0;
}

int mt_module_holders(const char *name, char ***out)
{
	char path[PATH_MAX], holder[PATH_MAX];
	char **names = NULL;
	struct dirent *ent;
	int count = 0;
	DIR *dir;

	snprintf(path, sizeof(path), SYS_MODULE "/%s/holders", name);
	dir = opendir(path);
	if (!dir)
		return mt_fail(errno, "could not open '%s': %s", path, strerror(errno));
	while ((ent = readdir(dir))) {
		if (ent->d_name[0] == '.')
			continue;
		if (mt_modname_normalize(ent->d_name, holder, sizeof(holder)) < 0)
			continue;
		if (mt_strv_push(&names, &count, holder) < 0) {
			closedir(dir);
			mt_strv_free(names, count);
			return mt_fail(ENOMEM, "%s: out of memory", path);
		}
	}
	closedir(dir);
	*out = names;
	return count;
}

int mt_module_taint(const char *name, char *buf, size_t size)
{
	char path[PATH_MAX];
	ssize_t got;
	int fd;

	snprintf(path, sizeof(path), SYS_MODULE "/%s/taint", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	got = read(fd, buf, size - 1);
	close(fd);
	if (got < 0)
		return mt_fail(errno, "could not read '%s': %s", path, strerror(errno));
	while (got > 0 && isspace((unsigned char)buf[got - 1]))
		got--;
	buf[got] = '\0';
	return 0;
}

void mt_sections_free(struct mt_section *sections, int count)
{
	if (!sections)
		return;
	for (int i = 0; i < count; i++)
		free(sections[i].name);
	free(sections);
}

/* The hexadecimal address a sections file holds, followed by whitespace.
 * Like kmod, the message carries what errno the parse left: 0 ("Success")
 * for a file that holds no number. */
static int read_section(int dir_fd, const char *dir, const char *name, unsigned long *address)
{
	char buf[64], *end;
	ssize_t got;
	int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return mt_fail(errno, "could not open '%s/%s': %s", dir, name, strerror(errno));
	got = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (got < 0)
		return mt_fail(errno, "could not read long from '%s/%s': %s", dir, name,
			       strerror(errno));
	buf[got] = '\0';
	errno = 0;
	*address = strtoul(buf, &end, 16);
	if (end == buf || !isspace((unsigned char)*end))
		return mt_fail(EINVAL, "could not read long from '%s/%s': %s", dir, name,
			       strerror(errno));
	return 0;
}

int mt_module_sections(const char *name, struct mt_section **out)
{
	char path[PATH_MAX];
	struct mt_section *list = NULL;
	struct dirent *ent;
	int count = 0, err = 0;
	DIR *dir;

	snprintf(path, sizeof(path), SYS_MODULE "/%s/sections", name);
	dir = opendir(path);
	if (!dir)
		return mt_fail(errno, "could not open '%s': %s", path, strerror(errno));
	while (err == 0 && (ent = readdir(dir))) {
		struct mt_section section = { 0 };

		if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0)
			continue;
		err = read_section(dirfd(dir), path, ent->d_name, &section.address);
		if (err < 0)
			break;
		section.name = strdup(ent->d_name);
		if (!section.name || MT_ARRAY_APPEND(list, count, section) < 0) {
			free(section.name);
			err = mt_fail(ENOMEM, "%s: out of memory", path);
		}
	}
	closedir(dir);
	if (err < 0) {
		mt_sections_free(list, count);
		return err;
	}
	*out = list;
	return count;
}

int mt_kernel_compression(enum mt_compression *out)
{
	static const char *const path = SYS_MODULE "/compression";
	char buf[32];
	ssize_t got;
	int fd;

	*out = MT_COMPRESSION_NONE;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	got = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (got < 0)
		return mt_fail(errno, "%s: %s", path, strerror(errno));
	buf[got] = '\0';
	if (strcmp(buf, "zstd\n") == 0)
		*out = MT_COMPRESSION_ZSTD;
	else if (strcmp(buf, "xz\n") == 0)
		*out = MT_COMPRESSION_XZ;
	else if (strcmp(buf, "gzip\n") == 0)
		*out = MT_COMPRESSION_GZIP;
	else
		return mt_fail(EINVAL, "unknown kernel compression in %s: %s", path, buf);
	return 0;
}

int mt_kernel_initstate(const char *name)
{
	static const char *const states[] = {
		[MT_INITSTATE_LIVE] = "live\n",
		[MT_INITSTATE_COMING] = "coming\n",
		[MT_INITSTATE_GOING] = "going\n",
	};
	char path[PATH_MAX], buf[32];
	struct stat st;
	ssize_t got;
	int fd;

	snprintf(path, sizeof(path), SYS_MODULE "/%s/initstate", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		/* the directory appears before initstate while a module loads */
		snprintf(path, sizeof(path), SYS_MODULE "/%s", name);
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
			return MT_INITSTATE_COMING;
		return MT_INITSTATE_NONE;
	}
	got = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (got < 0)
		return mt_fail(errno, "could not read '%s': %s", path, strerror(errno));
	buf[got] = '\0';
	for (int s = MT_INITSTATE_LIVE; s <= MT_INITSTATE_GOING; s++)
		if (strcmp(buf, states[s]) == 0)
			return s;
	return mt_fail(EINVAL, "unknown %s: '%s'", path, buf);
}

static long sys_finit_module(int fd, const char *params, unsigned flags)
{
	return syscall(__NR_finit_module, fd, params, flags);
}

/* init_module with the whole (decompressed) image, stripped of version
 * checks on a private copy when forced. */
static int insert_image(struct mt_ctx *ctx, struct mt_module *mod, const char *params,
			unsigned flags)
{
	const void *data;
	void *copy = NULL;
	size_t size;
	int err;

	err = mt_module_image(mod, &data, &size);
	if (err < 0) {
		mt_log(ctx, LOG_ERR, "%s\n", mt_last_error());
		return err;
	}
	if (flags & (MT_INSERT_FORCE_MODVERSION | MT_INSERT_FORCE_VERMAGIC)) {
		const struct mt_elf *elf;

		err = mt_module_elf(mod, &elf);
		if (err < 0)
			return err;
		copy = malloc(size);
		if (!copy)
			return mt_fail(ENOMEM, "%s: out of memory", mt_file_path(mt_module_file(mod)));
		memcpy(copy, data, size);
		err = mt_elf_strip(elf, copy,
				   (flags & MT_INSERT_FORCE_MODVERSION ? MT_STRIP_MODVERSIONS : 0) |
				   (flags & MT_INSERT_FORCE_VERMAGIC ? MT_STRIP_VERMAGIC : 0));
		if (err < 0) {
			mt_log(ctx, LOG_ERR, "Failed to strip version information: %s\n", strerror(-err));
			free(copy);
			return err;
		}
		data = copy;
	}
	err = init_module((void *)data, size, params) < 0 ? -errno : 0;
	free(copy);
	return err;
}

int mt_insert_module(struct mt_ctx *ctx, const char *path, const char *params, unsigned flags)
{
	enum mt_compression kernel_comp, comp;
	struct mt_module *mod;
	struct mt_file *file;
	int err;

	err = mt_module_open(path, &mod);
	if (err < 0)
		return err;
	if (mt_kernel_compression(&kernel_comp) < 0)
		mt_log(ctx, LOG_ERR, "%s", mt_last_error());
	file = mt_module_file(mod);
	comp = mt_file_compression(file);
	err = -ENOSYS;
	/* The kernel reads the file itself unless it cannot decompress it. */
	if (comp == MT_COMPRESSION_NONE || comp == kernel_comp) {
		unsigned kflags = flags & (MT_INSERT_FORCE_MODVERSION | MT_INSERT_FORCE_VERMAGIC);

		if (comp != MT_COMPRESSION_NONE)
			kflags |= MODULE_INIT_COMPRESSED_FILE;
		err = sys_finit_module(mt_file_fd(file), params, kflags) < 0 ? -errno : 0;
	}
	if (err == -ENOSYS)
		err = insert_image(ctx, mod, params, flags);
	if (err < 0)
		mt_log(ctx, LOG_INFO, "Failed to insert module '%s': %s\n", path, strerror(-err));
	mt_module_close(mod);
	return err;
}

int mt_remove_module(struct mt_ctx *ctx, const char *name, unsigned flags)
{
	unsigned kflags = O_NONBLOCK | (flags & MT_REMOVE_FORCE ? O_TRUNC : 0);

	if (delete_module(name, kflags) < 0) {
		int err = errno;

		if (!(flags & MT_REMOVE_QUIET))
			mt_log(ctx, LOG_ERR, "could not remove '%s': %s\n", name, strerror(err));
		return mt_fail(err, "could not remove '%s': %s", name, strerror(err));
	}
	return 0;
}

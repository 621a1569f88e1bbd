/*
 * module.c — opening a module: the one way from a path to its file
 * (file.c), its decompressed image and its ELF view (elf.c), made as they
 * are first needed; and the reader a thread uses for many modules, which
 * reads plain files into reused buffers, only the sections it is asked for,
 * opening each file relative to the directory of the last one.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "internal.h"

struct mt_module {
	struct mt_file *file;	/* NULL: read by a reader */
	const void *image;	/* NULL until loaded */
	size_t size;
	size_t tail_size;	/* the image's last bytes that are the file's last */
	struct mt_elf *elf;	/* NULL until opened */
};

int mt_module_open(const char *path, struct mt_module **out)
{
	struct mt_module *mod = calloc(1, sizeof(*mod));
	int err;

	if (!mod)
		return mt_fail(ENOMEM, "%s: out of memory", path);
	err = mt_file_open(path, &mod->file);
	if (err < 0) {
		free(mod);
		return err;
	}
	*out = mod;
	return 0;
}

void mt_module_close(struct mt_module *mod)
{
	if (!mod)
		return;
	mt_elf_close(mod->elf);
	mt_file_close(mod->file);
	free(mod);
}

struct mt_file *mt_module_file(const struct mt_module *mod)
{
	return mod->file;
}

int mt_module_image(struct mt_module *mod, const void **data, size_t *size)
{
	if (!mod->image) {
		int err = mt_file_load(mod->file, &mod->image, &mod->size);

		if (err < 0)
			return err;
		mod->tail_size = mod->size;
	}
	*data = mod->image;
	*size = mod->size;
	return 0;
}

int mt_module_tail(struct mt_module *mod, const void **data, size_t *size)
{
	const void *image;
	size_t image_size;
	int err = mt_module_image(mod, &image, &image_size);

	if (err < 0)
		return err;
	*data = (const unsigned char *)image + (image_size - mod->tail_size);
	*size = mod->tail_size;
	return 0;
}

int mt_module_elf(struct mt_module *mod, const struct mt_elf **elf)
{
	if (!mod->elf) {
		const void *data;
		size_t size;
		int err = mt_module_image(mod, &data, &size);

		if (err >= 0)
			err = mt_elf_open(data, size, mt_file_path(mod->file), &mod->elf);
		if (err < 0)
			return err;
	}
	*elf = mod->elf;
	return 0;
}

/* ---- the reader ----------------------------------------------------------- */

void mt_module_reader_init(struct mt_module_reader *r, const char *const *sections)
{
	*r = (struct mt_module_reader){ .sections = sections, .dir_fd = -1 };
}

void mt_module_reader_release(struct mt_module_reader *r)
{
	if (r->dir_fd >= 0)
		close(r->dir_fd);
	mt_elf_buffers_release(&r->buffers);
	r->dir_fd = -1;
}

/* Open `path`, relative to the reader's directory when it is the path's.
 * The directory is opened at its second module: a reader used once (as
 * modinfo's, one per module) opens the path alone. */
static int open_in_dir(struct mt_module_reader *r, const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t len = slash ? (size_t)(slash - path) + 1 : 0;

	if (len == 0 || len >= sizeof(r->dir))
		return open(path, O_RDONLY | O_CLOEXEC);
	if (len != r->dir_len || memcmp(path, r->dir, len) != 0) {
		if (r->dir_fd >= 0)
			close(r->dir_fd);
		r->dir_fd = -1;
		memcpy(r->dir, path, len);
		r->dir[len] = '\0';
		r->dir_len = len;
		return open(path, O_RDONLY | O_CLOEXEC);
	}
	if (r->dir_fd < 0)
		r->dir_fd = open(r->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (r->dir_fd < 0)
		return open(path, O_RDONLY | O_CLOEXEC);
	return openat(r->dir_fd, path + len, O_RDONLY | O_CLOEXEC);
}

int mt_module_read_plain(struct mt_module_reader *r, const char *path, struct mt_module **out)
{
	struct mt_module *mod = calloc(1, sizeof(*mod));
	struct stat st;
	int fd, err = -ENOEXEC;

	if (!mod)
		return mt_fail(ENOMEM, "%s: out of memory", path);
	fd = open_in_dir(r, path);
	if (fd < 0 || fstat(fd, &st) < 0) {
		err = mt_fail(errno, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(mod);
		return err;
	}
	if (S_ISREG(st.st_mode))
		err = mt_elf_read(fd, (size_t)st.st_size, r->sections, r->tail, &r->buffers, path,
				  &mod->elf);
	close(fd);
	if (err < 0) {
		free(mod);
		return err;
	}
	mod->image = r->buffers.image;
	mod->size = r->buffers.image_size;
	mod->tail_size = r->buffers.tail_size;
	*out = mod;
	return 0;
}

int mt_module_read(struct mt_module_reader *r, const char *path, struct mt_module **out)
{
	const struct mt_elf *elf;
	struct mt_module *mod;
	int err = mt_module_read_plain(r, path, out);

	if (err != -ENOEXEC)
		return err;
	/* compressed, or not a module at all: the library judges */
	err = mt_module_open(path, &mod);
	if (err >= 0) {
		err = mt_module_elf(mod, &elf);
		if (err < 0)
			mt_module_close(mod);
	}
	if (err >= 0)
		*out = mod;
	return err;
}

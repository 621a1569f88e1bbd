/*
 * modinfo.c — a module's information list, as modinfo shows it and libkmod
 * returns it: a module file's .modinfo entries with its build id and its
 * signature's, or a built-in module's list in modules.builtin.modinfo; and
 * the parameters merged from parm/parmtype entries.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <stdio.h>
#include <syslog.h>
#include <unistd.h>
#include "internal.h"

static int push_kv(struct mt_kv **list, int *count, const char *s, size_t len)
{
	const char *eq = memchr(s, '=', len);

	if (mt_array_room(list, (size_t)*count, sizeof(**list)) < 0)
		return -ENOMEM;
	(*list)[*count] = (struct mt_kv){
		.key = s,
		.key_len = eq ? (size_t)(eq - s) : len,
		.value = eq ? eq + 1 : s + len,
		.value_len = eq ? len - (size_t)(eq - s) - 1 : 0,
	};
	(*count)++;
	return 0;
}

/* A module's list and what it points into. */
struct mt_info {
	struct mt_kv *kv;
	int count;
	size_t cap;
	struct mt_module *mod;		/* a module file's image */
	struct mt_module_reader reader;	/* what mod was read into */
	void *map;			/* modules.builtin.modinfo, mapped */
	size_t map_size;
	char *owned[6];			/* the build id's and the signature's values */
	int owned_count;
};

/* The list of built-in module `name` from DIRNAME/modules.builtin.modinfo:
 * its first run of "name." records.  Count (0 if the module has none), or
 * -errno (-ENOENT: no such file). */
static int builtin_modinfo(const char *dirname, const char *name, struct mt_info *info)
{
	char path[PATH_MAX];
	size_t name_len = strlen(name);
	const char *p, *end;
	struct stat st;
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/modules.builtin.modinfo", dirname);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return mt_fail(errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		err = mt_fail(errno, "%s: %s", path, strerror(errno));
		close(fd);
		return err;
	}
	if (st.st_size > 0) {
		void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);

		if (map == MAP_FAILED) {
			err = mt_fail(errno, "%s: cannot map: %s", path, strerror(errno));
			close(fd);
			return err;
		}
		info->map = map;
		info->map_size = (size_t)st.st_size;
	}
	close(fd);

	/* NUL-terminated "MODNAME.key=value" records; the module's entries are
	 * the first contiguous run carrying its prefix. */
	p = info->map;
	end = info->map_size ? p + info->map_size : p;	/* an empty file is not mapped */
	while (p < end) {
		const char *nul = memchr(p, '\0', (size_t)(end - p));
		size_t len = nul ? (size_t)(nul - p) : (size_t)(end - p);
		const char *dot = memchr(p, '.', len);

		if (!dot)
			return mt_fail(EINVAL, "%s: record without a module name", path);
		if ((size_t)(dot - p) == name_len && memcmp(p, name, name_len) == 0) {
			if (push_kv(&info->kv, &info->count, dot + 1, len - name_len - 1) < 0)
				return -ENOMEM;
		} else if (info->count) {
			break;
		}
		p = nul ? nul + 1 : end;
	}
	return info->count;
}

/* "AB:CD:..."; with `wrap`, a line break and two tabs after every 20th
 * byte, as kmod shows key ids and signatures. */
static char *hex_string(const unsigned char *bytes, size_t len, bool wrap)
{
	/* by hand: sprintf per byte took a fifth of modinfo's time */
	static const char digits[] = "0123456789ABCDEF";
	char *out = malloc(len * 6 + 1), *p = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		*p++ = digits[bytes[i] >> 4];
		*p++ = digits[bytes[i] & 15];
		if (i + 1 < len) {
			*p++ = ':';
			if (wrap && (i + 1) % 20 == 0)
				p = stpcpy(p, "\n\t\t");
		}
	}
	*p = '\0';
	return out;
}

/* Append key=value to a module file's list; the list owns value. */
static int append(struct mt_info *info, const char *key, char *value)
{
	if (!value)
		return -ENOMEM;
	info->owned[info->owned_count++] = value;
	if (mt_array_reserve(&info->kv, &info->cap, (size_t)info->count + 1, sizeof(*info->kv)) < 0)
		return -ENOMEM;
	info->kv[info->count++] = (struct mt_kv){ key, value, strlen(key), strlen(value) };
	return 0;
}

/* kmod main's build-id entry: the build id bytes as
 * /sys/module/NAME/notes/.note.gnu.build-id holds them after the note
 * header. */
static int append_build_id(const struct mt_ctx *ctx, struct mt_info *info, const struct mt_elf *elf)
{
	const void *id;
	size_t len;
	int err = mt_elf_build_id(elf, &id, &len);

	if (err == -EINVAL)
		mt_log(ctx, LOG_WARNING, "%s\n", mt_last_error());
	if (err < 0)
		return 0;
	return append(info, "build-id", hex_string(id, len, false));
}

static int append_signature(const struct mt_ctx *ctx, struct mt_info *info, const char *path)
{
	struct mt_module *whole = NULL;
	struct mt_signature sig;
	const void *data;
	size_t size;
	int err;

	err = mt_module_tail(info->mod, &data, &size);
	/* A signature claiming more than the tail read with the sections
	 * (the end of a plain file after its section table): the whole file,
	 * as kmod reads it. */
	if (err >= 0 && mt_signature_span(data, size) > size && !mt_module_file(info->mod)) {
		err = mt_module_open(path, &whole);
		if (err >= 0)
			err = mt_module_image(whole, &data, &size);
	}
	if (err < 0 || mt_signature_parse(ctx, data, size, &sig) < 0) {
		mt_module_close(whole);
		return 0;
	}
	mt_module_close(whole);
	err = append(info, "sig_id", strdup(sig.id_type));
	if (err >= 0)
		err = append(info, "signer", strdup(sig.signer));
	if (err >= 0)
		err = append(info, "sig_key", hex_string(sig.key_id, sig.key_id_len, true));
	if (err >= 0)
		err = append(info, "sig_hashalgo", strdup(sig.hash_algo));
	if (err >= 0)
		err = append(info, "signature", hex_string(sig.signature, sig.signature_len, true));
	mt_signature_release(&sig);
	return err;
}

/* What the list shows of a module file: its .modinfo, its build id and the
 * tail holding its signature. */
static const char *const shown_sections[] = { ".modinfo", ".note.gnu.build-id", NULL };

static int file_modinfo(struct mt_ctx *ctx, const char *path, struct mt_info *info)
{
	const struct mt_elf *elf;
	const void *data;
	size_t size;
	int err;

	/* A plain file is read in a few preads of what is shown: mapping it
	 * whole took a third of the time of a modinfo of every module. */
	info->reader.sections = shown_sections;
	info->reader.tail = true;
	err = mt_module_read_plain(&info->reader, path, &info->mod);
	if (err == -ENOEXEC) {
		err = mt_module_open(path, &info->mod);
		if (err >= 0)
			err = mt_module_image(info->mod, &data, &size);
		/* say why a compressed module could not be read */
		if ((err == -EINVAL || err == -ELIBACC || err == -ENOTSUP) && info->mod &&
		    mt_file_compression(mt_module_file(info->mod)) != MT_COMPRESSION_NONE)
			mt_log(ctx, LOG_ERR, "%s\n", mt_last_error());
	}
	if (err >= 0)
		err = mt_module_elf(info->mod, &elf);
	if (err >= 0)
		err = info->count = mt_elf_modinfo(elf, &info->kv);
	info->cap = (size_t)info->count;
	if (err >= 0)
		err = append_build_id(ctx, info, elf);
	if (err >= 0)
		err = append_signature(ctx, info, path);
	return err < 0 ? err : info->count;
}

int mt_module_info(struct mt_ctx *ctx, const struct mt_modref *mod, struct mt_info **info,
		   const struct mt_kv **list)
{
	struct mt_info *in = calloc(1, sizeof(*in));
	int n;

	if (!in)
		return mt_fail(ENOMEM, "%s: out of memory", mod->name);
	mt_module_reader_init(&in->reader, NULL);
	n = mod->path ? file_modinfo(ctx, mod->path, in)
		      : builtin_modinfo(ctx->dirname, mod->name, in);
	if (n < 0) {
		mt_info_free(in);
		return n;
	}
	*info = in;
	*list = in->kv;
	return n;
}

void mt_info_free(struct mt_info *info)
{
	if (!info)
		return;
	free(info->kv);
	mt_module_close(info->mod);
	mt_module_reader_release(&info->reader);
	if (info->map_size)
		munmap(info->map, info->map_size);
	for (int i = 0; i < info->owned_count; i++)
		free(info->owned[i]);
	free(info);
}

static bool key_is(const struct mt_kv *kv, const char *key)
{
	return kv->key_len == strlen(key) && memcmp(kv->key, key, kv->key_len) == 0;
}

int mt_params_merge(const struct mt_kv *list, int count, struct mt_param **out,
		    void (*invalid)(const struct mt_kv *kv, void *data), void *data)
{
	struct mt_param *params = NULL;
	int n = 0;

	for (int i = 0; i < count; i++) {
		const struct mt_kv *kv = &list[i];
		bool is_type = key_is(kv, "parmtype");
		const char *colon;
		struct mt_param *p = NULL;
		size_t name_len;

		if (!is_type && !key_is(kv, "parm"))
			continue;
		colon = memchr(kv->value, ':', kv->value_len);
		if (!colon) {
			if (invalid)
				invalid(kv, data);
			continue;
		}
		name_len = (size_t)(colon - kv->value);
		for (int j = 0; j < n; j++) {
			if (params[j].name_len == name_len &&
			    memcmp(params[j].name, kv->value, name_len) == 0) {
				p = &params[j];
				break;
			}
		}
		if (!p) {
			if (mt_array_room(&params, (size_t)n, sizeof(*params)) < 0) {
				free(params);
				return -ENOMEM;
			}
			p = &params[n++];
			*p = (struct mt_param){ .name = kv->value, .name_len = name_len };
		}
		if (is_type) {
			p->type = colon + 1;
			p->type_len = kv->value_len - name_len - 1;
		} else {
			p->desc = colon + 1;
			p->desc_len = kv->value_len - name_len - 1;
		}
	}
	*out = params;
	return n;
}

/*
 * info.c — what a module's file (or, for a built-in module,
 * modules.builtin.modinfo) says, as kmod's lists: the information list
 * (mt_module_info), the __versions entries, the exported symbols and the
 * symbols it needs, with their accessors and free functions.  The lists
 * own copies: they outlive the module file.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

struct info_entry {
	char *key;
	char value[];
};

struct symbol_entry {
	uint64_t crc;
	int bind;		/* dependency symbols only */
	char name[];
};

int kmod_module_get_info(const struct kmod_module *mod, struct kmod_list **list)
{
	struct kmod_module *m = (struct kmod_module *)mod;
	const struct mt_kv *kv;
	struct mt_modref ref;
	struct mt_info *info;
	int n, err = 0;

	if (!mod || !list)
		return -ENOENT;
	lk_mt(mod->ctx, __func__);
	lk_module_ref(m, &ref);
	/* kmod: a built-in module's list is modules.builtin.modinfo's */
	if (ref.builtin)
		ref.path = NULL;
	else if (!ref.path)
		return -ENOENT;
	n = mt_module_info(mod->ctx->mt, &ref, &info, &kv);
	if (n < 0)
		return lk_section_err(n);
	for (int i = 0; i < n && err == 0; i++) {
		struct info_entry *e = malloc(sizeof(*e) + kv[i].value_len + 1);

		if (!e || !(e->key = strndup(kv[i].key, kv[i].key_len))) {
			free(e);
			err = -ENOMEM;
			break;
		}
		memcpy(e->value, kv[i].value, kv[i].value_len);
		e->value[kv[i].value_len] = '\0';
		err = lk_list_append(list, e);
		if (err < 0) {
			free(e->key);
			free(e);
		}
	}
	mt_info_free(info);
	if (err < 0) {
		kmod_module_info_free_list(*list);
		*list = NULL;
		return err;
	}
	return n;
}

const char *kmod_module_info_get_key(const struct kmod_list *entry)
{
	return entry ? ((const struct info_entry *)entry->data)->key : NULL;
}

const char *kmod_module_info_get_value(const struct kmod_list *entry)
{
	return entry ? ((const struct info_entry *)entry->data)->value : NULL;
}

static void info_entry_free(void *data)
{
	struct info_entry *e = data;

	free(e->key);
	free(e);
}

void kmod_module_info_free_list(struct kmod_list *list)
{
	lk_list_free(list, info_entry_free);
}

/* The symbols a libmodtool ELF query gives, as a list of copies. */
static int symbol_list(const struct kmod_module *mod,
		       int (*query)(const struct mt_elf *elf, struct mt_symbol **out),
		       bool with_bind, struct kmod_list **list)
{
	struct mt_module *file;
	const struct mt_elf *elf;
	struct mt_symbol *symbols;
	int n, err;

	if (!mod || !list)
		return -ENOENT;
	lk_mt(mod->ctx, __func__);
	err = lk_module_file((struct kmod_module *)mod, &file);
	if (err == 0)
		err = mt_module_elf(file, &elf);
	if (err < 0)
		return err;
	n = query(elf, &symbols);
	if (n < 0)
		return lk_section_err(n);
	for (int i = 0; i < n && err == 0; i++) {
		size_t len = strlen(symbols[i].name);
		struct symbol_entry *e = malloc(sizeof(*e) + len + 1);

		if (!e) {
			err = -ENOMEM;
			break;
		}
		e->crc = symbols[i].crc;
		e->bind = with_bind ? (symbols[i].weak ? KMOD_SYMBOL_WEAK : KMOD_SYMBOL_UNDEF)
				    : KMOD_SYMBOL_NONE;
		memcpy(e->name, symbols[i].name, len + 1);
		err = lk_list_append(list, e);
		if (err < 0)
			free(e);
	}
	free(symbols);
	if (err < 0) {
		lk_list_free(*list, free);
		*list = NULL;
		return err;
	}
	return n;
}

int kmod_module_get_versions(const struct kmod_module *mod, struct kmod_list **list)
{
	return symbol_list(mod, mt_elf_versions, false, list);
}

int kmod_module_get_symbols(const struct kmod_module *mod, struct kmod_list **list)
{
	return symbol_list(mod, mt_elf_exports, false, list);
}

int kmod_module_get_dependency_symbols(const struct kmod_module *mod, struct kmod_list **list)
{
	return symbol_list(mod, mt_elf_imports, true, list);
}

static const struct symbol_entry *symbol_of(const struct kmod_list *entry)
{
	return entry ? entry->data : NULL;
}

const char *kmod_module_version_get_symbol(const struct kmod_list *entry)
{
	return entry ? symbol_of(entry)->name : NULL;
}

uint64_t kmod_module_version_get_crc(const struct kmod_list *entry)
{
	return entry ? symbol_of(entry)->crc : 0;
}

void kmod_module_versions_free_list(struct kmod_list *list)
{
	lk_list_free(list, free);
}

const char *kmod_module_symbol_get_symbol(const struct kmod_list *entry)
{
	return entry ? symbol_of(entry)->name : NULL;
}

uint64_t kmod_module_symbol_get_crc(const struct kmod_list *entry)
{
	return entry ? symbol_of(entry)->crc : 0;
}

void kmod_module_symbols_free_list(struct kmod_list *list)
{
	lk_list_free(list, free);
}

const char *kmod_module_dependency_symbol_get_symbol(const struct kmod_list *entry)
{
	return entry ? symbol_of(entry)->name : NULL;
}

int kmod_module_dependency_symbol_get_bind(const struct kmod_list *entry)
{
	return entry ? symbol_of(entry)->bind : 0;
}

uint64_t kmod_module_dependency_symbol_get_crc(const struct kmod_list *entry)
{
	return entry ? symbol_of(entry)->crc : 0;
}

void kmod_module_dependency_symbols_free_list(struct kmod_list *list)
{
	lk_list_free(list, free);
}

/*
 * kernel.c — modules and the running kernel: the loaded modules, each
 * one's state, use count, holders, sections and size, and loading and
 * removing, alone or with dependencies (mt_probe_insert_with).  kmod's
 * flags and initstate values are mapped onto libmodtool's; the adapter's
 * own messages are those kmod gives for the same failures.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include "internal.h"

int kmod_module_new_from_loaded(struct kmod_ctx *ctx, struct kmod_list **list)
{
	char **names;
	int n, err = 0;

	if (!ctx || !list)
		return -ENOENT;
	n = mt_loaded_modules(&names);
	if (n < 0) {
		lk_mt(ctx, __func__);
		lk_log_last_error(ctx);
		return n;
	}
	*list = NULL;
	for (int i = 0; i < n && err == 0; i++) {
		struct kmod_module *mod;

		err = lk_module_get(ctx, names[i], NULL, &mod);
		if (err == 0 && (err = lk_list_append(list, mod)) < 0)
			kmod_module_unref(mod);
	}
	mt_strv_free(names, n);
	if (err < 0) {
		kmod_module_unref_list(*list);
		*list = NULL;
	}
	return err;
}

const char *kmod_module_initstate_str(enum kmod_module_initstate state)
{
	switch (state) {
	case KMOD_MODULE_BUILTIN:
		return "builtin";
	case KMOD_MODULE_LIVE:
		return "live";
	case KMOD_MODULE_COMING:
		return "coming";
	case KMOD_MODULE_GOING:
		return "going";
	default:
		return NULL;
	}
}

int kmod_module_get_initstate(const struct kmod_module *mod)
{
	int state;

	if (!mod)
		return -ENOENT;
	lk_mt(mod->ctx, __func__);
	if (lk_module_builtin((struct kmod_module *)mod))
		return KMOD_MODULE_BUILTIN;
	state = mt_kernel_initstate(mod->name);
	switch (state) {
	case MT_INITSTATE_LIVE:
		return KMOD_MODULE_LIVE;
	case MT_INITSTATE_COMING:
		return KMOD_MODULE_COMING;
	case MT_INITSTATE_GOING:
		return KMOD_MODULE_GOING;
	case MT_INITSTATE_NONE:
		return -ENOENT;		/* kmod: the errno of opening initstate */
	default:
		lk_log_last_error(mod->ctx);
		return state;
	}
}

int kmod_module_get_refcnt(const struct kmod_module *mod)
{
	long refcnt;
	int err;

	if (!mod)
		return -ENOENT;
	err = mt_module_refcnt(mod->name, &refcnt);
	/* kmod tells why a use count cannot be read, not that it is absent */
	if (err == -EINVAL) {
		lk_mt(mod->ctx, __func__);
		lk_log_last_error(mod->ctx);
	}
	return err < 0 ? err : (int)refcnt;
}

struct kmod_list *kmod_module_get_holders(const struct kmod_module *mod)
{
	struct kmod_list *list = NULL;
	char **names;
	int n;

	if (!mod)
		return NULL;
	lk_mt(mod->ctx, __func__);
	n = mt_module_holders(mod->name, &names);
	if (n < 0) {
		lk_log_last_error(mod->ctx);
		return NULL;
	}
	for (int i = 0; i < n; i++) {
		struct kmod_module *holder;
		int err = lk_module_get(mod->ctx, names[i], NULL, &holder);

		if (err == 0 && (err = lk_list_append(&list, holder)) < 0)
			kmod_module_unref(holder);
		if (err < 0) {
			kmod_module_unref_list(list);
			list = NULL;
			break;
		}
	}
	mt_strv_free(names, n);
	return list;
}

struct section_entry {
	unsigned long address;
	char name[];
};

struct kmod_list *kmod_module_get_sections(const struct kmod_module *mod)
{
	struct kmod_list *list = NULL;
	struct mt_section *sections;
	int n;

	if (!mod)
		return NULL;
	lk_mt(mod->ctx, __func__);
	n = mt_module_sections(mod->name, &sections);
	if (n < 0) {
		lk_log_last_error(mod->ctx);
		return NULL;
	}
	for (int i = 0; i < n; i++) {
		size_t len = strlen(sections[i].name);
		struct section_entry *e = malloc(sizeof(*e) + len + 1);

		if (!e || lk_list_append(&list, e) < 0) {
			free(e);
			kmod_module_section_free_list(list);
			list = NULL;
			break;
		}
		e->address = sections[i].address;
		memcpy(e->name, sections[i].name, len + 1);
	}
	mt_sections_free(sections, n);
	return list;
}

const char *kmod_module_section_get_name(const struct kmod_list *entry)
{
	return entry ? ((const struct section_entry *)entry->data)->name : NULL;
}

unsigned long kmod_module_section_get_address(const struct kmod_list *entry)
{
	return entry ? ((const struct section_entry *)entry->data)->address : (unsigned long)-1;
}

void kmod_module_section_free_list(struct kmod_list *list)
{
	lk_list_free(list, free);
}

long kmod_module_get_size(const struct kmod_module *mod)
{
	long size;
	int err;

	if (!mod)
		return -ENOENT;
	err = mt_module_size(mod->name, &size);
	if (err == -EINVAL) {
		lk_mt(mod->ctx, __func__);
		lk_log_last_error(mod->ctx);
	}
	return err < 0 ? err : size;
}

/* kmod's insert flags as libmodtool's. */
static unsigned insert_flags(unsigned flags)
{
	return (flags & KMOD_INSERT_FORCE_VERMAGIC ? MT_INSERT_FORCE_VERMAGIC : 0) |
	       (flags & KMOD_INSERT_FORCE_MODVERSION ? MT_INSERT_FORCE_MODVERSION : 0);
}

int kmod_module_insert_module(struct kmod_module *mod, unsigned int flags, const char *options)
{
	const char *path;

	if (!mod)
		return -ENOENT;
	lk_mt(mod->ctx, __func__);
	path = kmod_module_get_path(mod);
	if (!path) {
		lk_log(mod->ctx, LOG_ERR, "could not find module by name='%s'\n", mod->name);
		return -ENOENT;
	}
	return mt_insert_module(mod->ctx->mt, path, options ? options : "", insert_flags(flags));
}

int kmod_module_remove_module(struct kmod_module *mod, unsigned int flags)
{
	if (!mod)
		return -ENOENT;
	return mt_remove_module(lk_mt(mod->ctx, __func__), mod->name,
				(flags & KMOD_REMOVE_FORCE ? MT_REMOVE_FORCE : 0) |
				(flags & KMOD_REMOVE_NOLOG ? MT_REMOVE_QUIET : 0));
}

/* ---- probing ------------------------------------------------------------------ */

struct probe_callbacks {
	struct kmod_ctx *ctx;
	int (*run_install)(struct kmod_module *m, const char *cmdline, void *data);
	void *data;
	void (*print_action)(struct kmod_module *m, bool install, const char *options);
};

/* The module an action is for, a new reference. */
static struct kmod_module *action_module(struct kmod_ctx *ctx, const struct mt_probe_action *a)
{
	struct kmod_module *mod;

	return lk_module_get(ctx, a->name, a->alias, &mod) < 0 ? NULL : mod;
}

static void show_action(const struct mt_probe_action *action, void *data)
{
	const struct probe_callbacks *cb = data;
	struct kmod_module *mod;

	if (!cb->print_action || !(mod = action_module(cb->ctx, action)))
		return;
	cb->print_action(mod, action->install_command != NULL, action->options);
	kmod_module_unref(mod);
}

static int run_install(const struct mt_probe_action *action, const char *command, void *data)
{
	const struct probe_callbacks *cb = data;
	struct kmod_module *mod = action_module(cb->ctx, action);
	int err;

	if (!mod)
		return -ENOMEM;
	err = cb->run_install(mod, command, cb->data);
	kmod_module_unref(mod);
	return err;
}

int kmod_module_probe_insert_module(struct kmod_module *mod, unsigned int flags,
				    const char *extra_options,
				    int (*run_install_fn)(struct kmod_module *m, const char *cmdline,
							  void *data),
				    const void *data,
				    void (*print_action)(struct kmod_module *m, bool install,
							 const char *options))
{
	struct probe_callbacks cb = {
		.run_install = run_install_fn, .data = (void *)data, .print_action = print_action,
	};
	const struct mt_probe_callbacks mt_cb = {
		.show = show_action, .run_install = run_install_fn ? run_install : NULL, .data = &cb,
	};
	unsigned mt_flags = insert_flags(flags);
	struct mt_modref top;
	bool blacklisted;
	int err;

	if (!mod)
		return -ENOENT;
	cb.ctx = mod->ctx;
	if (flags & KMOD_PROBE_IGNORE_COMMAND)
		mt_flags |= MT_PROBE_IGNORE_COMMAND;
	if (flags & KMOD_PROBE_IGNORE_LOADED)
		mt_flags |= MT_PROBE_IGNORE_LOADED;
	if (flags & KMOD_PROBE_DRY_RUN)
		mt_flags |= MT_PROBE_DRY_RUN;
	if (flags & KMOD_PROBE_FAIL_ON_LOADED)
		mt_flags |= MT_PROBE_FAIL_ON_LOADED;
	if (flags & KMOD_PROBE_APPLY_BLACKLIST_ALL)
		mt_flags |= MT_PROBE_BLACKLIST | MT_PROBE_BLACKLIST_ALL;
	if (flags & KMOD_PROBE_APPLY_BLACKLIST)
		mt_flags |= MT_PROBE_BLACKLIST;
	if (flags & KMOD_PROBE_APPLY_BLACKLIST_ALIAS_ONLY)
		mt_flags |= MT_PROBE_BLACKLIST_ALIAS_ONLY;
	lk_mt(mod->ctx, __func__);
	lk_module_ref(mod, &top);
	err = mt_probe_insert_with(mod->ctx->mt, &top, mt_flags, extra_options, &mt_cb,
				   &blacklisted);
	if (!blacklisted)
		return err;
	/* kmod returns the flag that made the blacklist apply */
	if (mod->alias && (flags & KMOD_PROBE_APPLY_BLACKLIST_ALIAS_ONLY))
		return KMOD_PROBE_APPLY_BLACKLIST_ALIAS_ONLY;
	if (flags & KMOD_PROBE_APPLY_BLACKLIST_ALL)
		return KMOD_PROBE_APPLY_BLACKLIST_ALL;
	return KMOD_PROBE_APPLY_BLACKLIST;
}

/*
 * json-docs.c — the machine-readable documents the tools print with --json,
 * written through json.c: a module's information as modinfo --json shows it
 * (from modinfo.c's list), the loaded modules as lsmod --json shows them
 * (from kernel.c), a load list as modprobe --show-depends --json shows it
 * (the actions of probe.c, each with why it is there) and the configuration
 * as modprobe -c --json shows it (config.c's entries and the alias and
 * symbol indexes), and the initramfs closure as kmod closure shows it
 * (from closure.c).  Their keys are the ones man/modinfo.8, man/lsmod.8,
 * man/modprobe.8 and man/kmod.8 document and the schemas in data/ describe.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <syslog.h>
#include "internal.h"

static bool same_key(const struct mt_kv *a, const struct mt_kv *b)
{
	return a->key_len == b->key_len && memcmp(a->key, b->key, a->key_len) == 0;
}

static bool key_is(const struct mt_kv *kv, const char *key)
{
	return kv->key_len == strlen(key) && memcmp(kv->key, key, kv->key_len) == 0;
}

/* sig_key and signature without the line breaks modinfo's text puts in. */
static void write_hex(struct mt_json *j, const char *value, size_t len)
{
	char *flat = malloc(len + 1);
	size_t n = 0;

	if (!flat) {
		mt_json_string_len(j, value, len);
		return;
	}
	for (size_t i = 0; i < len; i++) {
		if (len - i >= 3 && memcmp(value + i, "\n\t\t", 3) == 0)
			i += 2;
		else
			flat[n++] = value[i];
	}
	mt_json_string_len(j, flat, n);
	free(flat);
}

/* The values of list[first]'s key, from `first` on, as one array. */
static void write_values(struct mt_json *j, const struct mt_kv *list, int count, int first)
{
	const struct mt_kv *key = &list[first];
	bool depends = key_is(key, "depends");
	bool hex = key_is(key, "sig_key") || key_is(key, "signature");

	mt_json_begin_array(j);
	for (int i = first; i < count; i++) {
		const struct mt_kv *kv = &list[i];
		const char *p = kv->value, *end = kv->value + kv->value_len;

		if (!same_key(kv, key))
			continue;
		if (hex) {
			write_hex(j, kv->value, kv->value_len);
			continue;
		}
		if (!depends) {
			mt_json_string_len(j, kv->value, kv->value_len);
			continue;
		}
		/* "a,b,c"; nothing for an empty list */
		while (p < end) {
			const char *comma = memchr(p, ',', (size_t)(end - p));
			const char *stop = comma ? comma : end;

			if (stop > p)
				mt_json_string_len(j, p, (size_t)(stop - p));
			p = stop + 1;
		}
	}
	mt_json_end_array(j);
}

static void invalid_parm(const struct mt_kv *kv, void *data)
{
	mt_log(data, LOG_ERR, "Found invalid \"%.*s=%.*s\": missing ':'\n", (int)kv->key_len,
	       kv->key, (int)kv->value_len, kv->value);
}

static void write_optional(struct mt_json *j, const char *key, const char *s, size_t len)
{
	mt_json_key(j, key);
	if (s)
		mt_json_string_len(j, s, len);
	else
		mt_json_null(j);
}

static int write_params(struct mt_ctx *ctx, struct mt_json *j, const struct mt_kv *list,
			int count)
{
	struct mt_param *params;
	int n = mt_params_merge(list, count, &params, invalid_parm, ctx);

	if (n < 0)
		return n;
	mt_json_begin_array(j);
	for (int i = 0; i < n; i++) {
		mt_json_begin_object(j);
		mt_json_key(j, "name");
		mt_json_string_len(j, params[i].name, params[i].name_len);
		write_optional(j, "description", params[i].desc, params[i].desc_len);
		write_optional(j, "type", params[i].type, params[i].type_len);
		mt_json_end_object(j);
	}
	mt_json_end_array(j);
	free(params);
	return 0;
}

/* Each key in order of first appearance; parm and parmtype as one "parm". */
static int write_info(struct mt_ctx *ctx, struct mt_json *j, const struct mt_kv *list, int count)
{
	bool params_done = false;
	int err = 0;

	mt_json_begin_object(j);
	for (int i = 0; i < count && err >= 0; i++) {
		bool seen = false;

		if (key_is(&list[i], "parm") || key_is(&list[i], "parmtype")) {
			if (!params_done) {
				mt_json_key(j, "parm");
				err = write_params(ctx, j, list, count);
				params_done = true;
			}
			continue;
		}
		for (int k = 0; k < i && !seen; k++)
			seen = same_key(&list[k], &list[i]);
		if (seen)
			continue;
		mt_json_key_len(j, list[i].key, list[i].key_len);
		write_values(j, list, count, i);
	}
	mt_json_end_object(j);
	return err;
}

static void write_identity(struct mt_json *j, const char *operand, const struct mt_modref *mod)
{
	mt_json_key(j, "operand");
	mt_json_string(j, operand);
	mt_json_key(j, "name");
	mt_json_string(j, mod->name);
	mt_json_key(j, "filename");
	if (mod->path)
		mt_json_string(j, mod->path);
	else
		mt_json_null(j);
	mt_json_key(j, "builtin");
	mt_json_bool(j, mod->builtin);
}

int mt_json_module_info(struct mt_ctx *ctx, struct mt_json *j, const char *operand,
			const struct mt_modref *mod)
{
	const struct mt_kv *list = NULL;
	struct mt_info *info = NULL;
	int count, err = 0;

	count = mt_module_info(ctx, mod, &info, &list);
	if (count == -ENOENT && !mod->path)
		count = 0;	/* a kernel without modules.builtin.modinfo */
	mt_json_begin_object(j);
	write_identity(j, operand, mod);
	if (count >= 0) {
		mt_json_key(j, "info");
		err = write_info(ctx, j, list, count);
	} else {
		err = mt_fail(-count, "could not get modinfo from '%s': %s", mod->name,
			      strerror(-count));
		mt_json_key(j, "error");
		mt_json_string(j, mt_last_error());
	}
	mt_json_end_object(j);
	mt_info_free(info);
	return err;
}

void mt_json_operand_error(struct mt_json *j, const char *operand, const char *error)
{
	mt_json_begin_object(j);
	mt_json_key(j, "operand");
	mt_json_string(j, operand);
	mt_json_key(j, "error");
	mt_json_string(j, error);
	mt_json_end_object(j);
}

static void write_number(struct mt_json *j, const char *key, int err, long value)
{
	mt_json_key(j, key);
	if (err < 0)
		mt_json_null(j);
	else
		mt_json_int(j, value);
}

static void write_loaded(struct mt_json *j, const char *name, mt_json_problem_fn problem,
			 void *data)
{
	static const char *const states[] = {
		[MT_INITSTATE_LIVE] = "live",
		[MT_INITSTATE_COMING] = "coming",
		[MT_INITSTATE_GOING] = "going",
	};
	char taint[64];
	long size = 0, refcnt = 0;
	char **holders;
	int err, refcnt_err, n, state;

	mt_json_begin_object(j);
	mt_json_key(j, "name");
	mt_json_string(j, name);
	/* what lsmod's text reports, in its order: a broken number, holders */
	refcnt_err = mt_module_refcnt(name, &refcnt);
	if (refcnt_err == -EINVAL)
		problem(mt_last_error(), data);
	err = mt_module_size(name, &size);
	if (err == -EINVAL)
		problem(mt_last_error(), data);
	write_number(j, "size", err, size);
	write_number(j, "use_count", refcnt_err, refcnt);
	mt_json_key(j, "holders");
	n = mt_module_holders(name, &holders);
	if (n < 0) {
		problem(mt_last_error(), data);
		mt_json_null(j);
	} else {
		mt_json_begin_array(j);
		for (int i = 0; i < n; i++)
			mt_json_string(j, holders[i]);
		mt_json_end_array(j);
		mt_strv_free(holders, n);
	}
	mt_json_key(j, "state");
	state = mt_kernel_initstate(name);
	if (state < 0)
		problem(mt_last_error(), data);
	if (state > MT_INITSTATE_BUILTIN)
		mt_json_string(j, states[state]);
	else
		mt_json_null(j);
	mt_json_key(j, "taint");
	err = mt_module_taint(name, taint, sizeof(taint));
	if (err < 0 && err != -ENOENT)
		problem(mt_last_error(), data);
	if (err < 0)
		mt_json_null(j);
	else
		mt_json_string(j, taint);
	mt_json_end_object(j);
}

int mt_json_loaded_modules(struct mt_json *j, mt_json_problem_fn problem, void *data)
{
	char **names;
	int n = mt_loaded_modules(&names);

	if (n < 0)
		return n;
	mt_json_begin_array(j);
	for (int i = 0; i < n; i++)
		write_loaded(j, names[i], problem, data);
	mt_json_end_array(j);
	mt_strv_free(names, n);
	return 0;
}

/* ---- modprobe --show-depends --json -------------------------------------- */

static void write_names(struct mt_json *j, const char *const *names, int n)
{
	mt_json_begin_array(j);
	for (int i = 0; i < n; i++)
		mt_json_string(j, names[i]);
	mt_json_end_array(j);
}

static void write_string_or_null(struct mt_json *j, const char *key, const char *s)
{
	write_optional(j, key, s, s ? strlen(s) : 0);
}

struct load_doc {
	struct mt_ctx *ctx;
	struct mt_json *j;
};

/* One entry of the load list, as the probe shows it. */
static void write_action(const struct mt_probe_action *a, void *data)
{
	static const char *const reasons[] = {
		[MT_PROBE_REQUESTED] = "requested",
		[MT_PROBE_DEPENDENCY] = "dependency",
		[MT_PROBE_SOFTDEP_PRE] = "softdep-pre",
		[MT_PROBE_SOFTDEP_POST] = "softdep-post",
	};
	const struct load_doc *doc = data;
	const struct mt_config *cfg = mt_ctx_config(doc->ctx);
	const char *const *weak = NULL;
	struct mt_json *j = doc->j;
	int nweak = 0;

	mt_json_begin_object(j);
	mt_json_key(j, "name");
	mt_json_string(j, a->name);
	write_string_or_null(j, "alias", a->alias);
	write_string_or_null(j, "path", a->path);
	mt_json_key(j, "builtin");
	mt_json_bool(j, a->builtin);
	mt_json_key(j, "options");
	mt_json_string(j, a->options);
	write_string_or_null(j, "install", a->install_command);
	mt_json_key(j, "reason");
	mt_json_string(j, reasons[a->reason]);
	write_string_or_null(j, "of", a->of);
	if (cfg)
		mt_config_weakdeps(cfg, a->name, &weak, &nweak);
	mt_json_key(j, "weakdeps");
	write_names(j, weak, nweak);
	mt_json_end_object(j);
}

int mt_json_show_depends(struct mt_ctx *ctx, struct mt_json *j, const char *operand,
			 const struct mt_modref *top, unsigned flags, const char *params)
{
	struct load_doc doc = { ctx, j };
	const struct mt_probe_callbacks cb = { .show = write_action, .data = &doc };
	bool blacklisted;
	int err;

	mt_json_begin_object(j);
	mt_json_key(j, "operand");
	mt_json_string(j, operand);
	mt_json_key(j, "name");
	mt_json_string(j, top->name);
	write_string_or_null(j, "alias", top->alias);
	mt_json_key(j, "load");
	mt_json_begin_array(j);
	err = mt_probe_insert_with(ctx, top, flags | MT_PROBE_DRY_RUN | MT_PROBE_IGNORE_LOADED,
				   params, &cb, &blacklisted);
	mt_json_end_array(j);
	mt_json_key(j, "blacklisted");
	mt_json_bool(j, blacklisted);
	if (err < 0) {
		err = mt_fail(-err, "could not insert '%s': %s", top->name, mt_probe_strerror(err));
		mt_json_key(j, "error");
		mt_json_string(j, mt_last_error());
	}
	mt_json_end_object(j);
	return err < 0 ? err : 0;
}

/* ---- modprobe -c --json -------------------------------------------------- */

/* Each entry of one kind as an object of two members named k1 and k2 (the
 * entry's key and value); a blacklist's as a bare name. */
static void write_entries(struct mt_json *j, const struct mt_config *cfg, enum mt_config_kind kind,
			  const char *k1, const char *k2)
{
	const char *key, *value;

	mt_json_begin_array(j);
	for (int i = 0; cfg && mt_config_entry(cfg, kind, i, &key, &value); i++) {
		if (kind == MT_CONFIG_BLACKLIST) {
			mt_json_string(j, key);
			continue;
		}
		mt_json_begin_object(j);
		mt_json_key(j, k1);
		mt_json_string(j, key);
		if (kind == MT_CONFIG_SOFTDEP || kind == MT_CONFIG_WEAKDEP) {
			const char *const *pre = NULL, *const *post = NULL;
			int npre = 0, npost = 0;

			mt_config_entry_deps(cfg, kind, i, &pre, &npre, &post, &npost);
			mt_json_key(j, kind == MT_CONFIG_SOFTDEP ? "pre" : k2);
			write_names(j, pre, npre);
			if (kind == MT_CONFIG_SOFTDEP) {
				mt_json_key(j, "post");
				write_names(j, post, npost);
			}
		} else {
			mt_json_key(j, k2);
			mt_json_string(j, value);
		}
		mt_json_end_object(j);
	}
	mt_json_end_array(j);
}

static int write_index_entry(const char *key, size_t key_len, const char *value, size_t value_len,
			     void *data)
{
	struct mt_json *j = data;

	mt_json_begin_object(j);
	mt_json_key(j, "alias");
	mt_json_string_len(j, key, key_len);
	mt_json_key(j, "module");
	mt_json_string_len(j, value, value_len);
	mt_json_end_object(j);
	return 0;
}

/* {file, entries}: entries null when the index is missing or unreadable (as
 * modprobe -c then dumps nothing), cut short with an error when corrupt. */
static int write_index(struct mt_ctx *ctx, struct mt_json *j, enum mt_index_id id)
{
	struct mt_index *idx = mt_ctx_index(ctx, id);
	char path[PATH_MAX];
	int err = 0;

	snprintf(path, sizeof(path), "%s/%s", mt_ctx_dirname(ctx), mt_index_file(id));
	mt_json_begin_object(j);
	mt_json_key(j, "file");
	mt_json_string(j, path);
	mt_json_key(j, "entries");
	if (idx) {
		mt_json_begin_array(j);
		err = mt_index_foreach(idx, write_index_entry, j);
		mt_json_end_array(j);
	} else {
		mt_json_null(j);
	}
	if (err < 0) {
		mt_json_key(j, "error");
		mt_json_string(j, mt_last_error());
	}
	mt_json_end_object(j);
	return err;
}

int mt_json_config(struct mt_ctx *ctx, struct mt_json *j)
{
	const struct mt_config *cfg = mt_ctx_config(ctx);
	int err, ret;

	mt_json_begin_object(j);
	mt_json_key(j, "blacklist");
	write_entries(j, cfg, MT_CONFIG_BLACKLIST, NULL, NULL);
	mt_json_key(j, "install");
	write_entries(j, cfg, MT_CONFIG_INSTALL, "module", "command");
	mt_json_key(j, "remove");
	write_entries(j, cfg, MT_CONFIG_REMOVE, "module", "command");
	mt_json_key(j, "alias");
	write_entries(j, cfg, MT_CONFIG_ALIAS, "alias", "module");
	mt_json_key(j, "options");
	write_entries(j, cfg, MT_CONFIG_OPTIONS, "module", "options");
	mt_json_key(j, "softdep");
	write_entries(j, cfg, MT_CONFIG_SOFTDEP, "module", NULL);
	mt_json_key(j, "weakdep");
	write_entries(j, cfg, MT_CONFIG_WEAKDEP, "module", "modules");
	mt_json_key(j, "indexes");
	mt_json_begin_object(j);
	mt_json_key(j, "alias");
	err = write_index(ctx, j, MT_INDEX_ALIAS);
	mt_json_key(j, "symbols");
	ret = write_index(ctx, j, MT_INDEX_SYMBOLS);
	mt_json_end_object(j);
	mt_json_end_object(j);
	return ret < 0 ? ret : err;	/* the failure mt_last_error() describes */
}

/* ---- kmod closure --json ------------------------------------------------- */

void mt_json_closure(struct mt_json *j, const struct mt_ctx *ctx, const char *root,
		     const char *release, const struct mt_closure *c)
{
	static const char *const reasons[] = {
		[MT_CLOSURE_NAMED] = "named",
		[MT_CLOSURE_DEPENDENCY] = "dependency",
		[MT_CLOSURE_PRE_SOFTDEP] = "pre-softdep",
		[MT_CLOSURE_POST_SOFTDEP] = "post-softdep",
		[MT_CLOSURE_WEAKDEP] = "weakdep",
	};
	const struct mt_closure_module *mods;
	const struct mt_closure_firmware *fws;
	int nmods, nfws;

	mods = mt_closure_modules(c, &nmods);
	fws = mt_closure_firmware(c, &nfws);
	mt_json_begin_object(j);
	write_string_or_null(j, "module_directory", mt_ctx_dirname(ctx));
	write_string_or_null(j, "firmware_root", root && *root ? root : "/");
	write_string_or_null(j, "release", release);
	mt_json_key(j, "modules");
	mt_json_begin_array(j);
	for (int i = 0; i < nmods; i++) {
		mt_json_begin_object(j);
		write_string_or_null(j, "name", mods[i].name);
		write_string_or_null(j, "path", mods[i].path);
		mt_json_key(j, "builtin");
		mt_json_bool(j, mods[i].builtin);
		write_string_or_null(j, "reason", reasons[mods[i].reason]);
		write_string_or_null(j, "required_by", mods[i].required_by);
		mt_json_key(j, "firmware");
		write_names(j, (const char *const *)mods[i].firmware, mods[i].nfirmware);
		mt_json_end_object(j);
	}
	mt_json_end_array(j);
	mt_json_key(j, "firmware");
	mt_json_begin_array(j);
	for (int i = 0; i < nfws; i++) {
		mt_json_begin_object(j);
		write_string_or_null(j, "name", fws[i].name);
		write_string_or_null(j, "module", fws[i].module);
		mt_json_key(j, "found");
		mt_json_bool(j, fws[i].nfiles > 0);
		mt_json_key(j, "files");
		write_names(j, (const char *const *)fws[i].files, fws[i].nfiles);
		mt_json_end_object(j);
	}
	mt_json_end_array(j);
	mt_json_end_object(j);
}

/*
 * json-docs.c — the machine-readable documents the tools print with --json,
 * written through json.c: a module's information as modinfo --json shows it
 * (from modinfo.c's list) and the loaded modules as lsmod --json shows them
 * (from kernel.c), and the initramfs closure as kmod closure shows it
 * (from closure.c).  Their keys are the ones man/modinfo.8 and man/lsmod.8
 * and man/kmod.8 document and data/modinfo.schema.json,
 * data/lsmod.schema.json and data/closure.schema.json describe.
 */
#include "config.h"

#include <errno.h>
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

static void write_strings(struct mt_json *j, const char *key, char *const *strv, int n)
{
	mt_json_key(j, key);
	mt_json_begin_array(j);
	for (int i = 0; i < n; i++)
		mt_json_string(j, strv[i]);
	mt_json_end_array(j);
}

static void write_string_or_null(struct mt_json *j, const char *key, const char *s)
{
	mt_json_key(j, key);
	if (s)
		mt_json_string(j, s);
	else
		mt_json_null(j);
}

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
		write_strings(j, "firmware", mods[i].firmware, mods[i].nfirmware);
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
		write_strings(j, "files", fws[i].files, fws[i].nfiles);
		mt_json_end_object(j);
	}
	mt_json_end_array(j);
	mt_json_end_object(j);
}

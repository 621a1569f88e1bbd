/*
 * probe.c — loading a module as modprobe does: its load list (modules.dep
 * dependencies, soft dependencies and install commands, in kmod's order,
 * each entry with why it is there), then each entry inserted or its install
 * command run.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <syslog.h>
#include "internal.h"

/* A module taking part in one probe; identity is name plus alias. */
struct pmod {
	struct mt_modref ref;
	struct pmod **deps;	/* modules.dep dependencies, reversed */
	int ndeps;
	bool deps_loaded, visited, required, ignorecmd;
};

/* An entry of the load list, with why it is there. */
struct load_entry {
	struct pmod *mod;
	enum mt_probe_reason reason;
	const struct pmod *of;	/* whose dependency or softdep; NULL: the top */
};

struct probe {
	struct mt_ctx *ctx;
	const struct mt_config *cfg;
	struct pmod **mods;
	int nmods;
	struct load_entry *list;	/* the load list; modules may repeat */
	int nlist;
};

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static int push(struct pmod ***vec, int *count, struct pmod *m)
{
	return MT_ARRAY_APPEND(*vec, *count, m);
}

/* The probe's module for a lookup result (taking over its strings). */
static struct pmod *get_mod(struct probe *p, struct mt_modref *ref)
{
	struct pmod *m;

	for (int i = 0; i < p->nmods; i++) {
		m = p->mods[i];
		if (strcmp(m->ref.name, ref->name) == 0 && same_str(m->ref.alias, ref->alias)) {
			mt_modref_release(ref);
			return m;
		}
	}
	m = calloc(1, sizeof(*m));
	if (!m || push(&p->mods, &p->nmods, m) < 0) {
		free(m);
		mt_modref_release(ref);
		return NULL;
	}
	m->ref = *ref;
	m->deps_loaded = ref->path != NULL || ref->builtin;
	return m;
}

/* The probe's module for a dependency: named after its file. */
static struct pmod *get_mod_by_path(struct probe *p, const char *path)
{
	char name[PATH_MAX];
	struct mt_modref ref = { 0 };

	if (mt_modname_normalize(path, name, sizeof(name)) < 0)
		return NULL;
	ref.name = strdup(name);
	ref.path = strdup(path);
	if (!ref.name || !ref.path) {
		mt_modref_release(&ref);
		return NULL;
	}
	return get_mod(p, &ref);
}

/* m's modules.dep dependencies, deepest first (the line read right to left). */
static int load_deps(struct probe *p, struct pmod *m)
{
	int err;

	if (!m->deps_loaded) {
		m->deps_loaded = true;
		err = mt_module_dep(p->ctx, &m->ref);
		if (err < 0)
			return err;
	}
	if (m->deps)
		return 0;
	for (int i = m->ref.ndeps - 1; i >= 0; i--) {
		struct pmod *d = get_mod_by_path(p, m->ref.deps[i]);

		if (!d || push(&m->deps, &m->ndeps, d) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* The probe's modules for soft dependency names, in order. */
static int resolve_softdeps(struct probe *p, const char *const *names, int n,
			    struct pmod ***out, int *count)
{
	struct mt_modref *refs;
	int nrefs = mt_lookup_softdeps(p->ctx, names, n, &refs);

	if (nrefs < 0)
		return nrefs;
	for (int i = 0; i < nrefs; i++) {
		struct pmod *m = get_mod(p, &refs[i]);

		if (!m || push(out, count, m) < 0) {
			for (i++; i < nrefs; i++)
				mt_modref_release(&refs[i]);
			free(refs);
			return -ENOMEM;
		}
	}
	free(refs);
	return 0;
}

static int append(struct probe *p, struct pmod *m, enum mt_probe_reason reason,
		  const struct pmod *of)
{
	struct load_entry e = { .mod = m, .reason = reason, .of = of };

	return MT_ARRAY_APPEND(p->list, p->nlist, e);
}

static int visit(struct probe *p, struct pmod *x, bool required, bool ignore_commands,
		 enum mt_probe_reason reason, const struct pmod *of);

/* y with its soft dependencies around it; y is in the list for `reason`. */
static int expand(struct probe *p, struct pmod *y, enum mt_probe_reason reason,
		  const struct pmod *of)
{
	const char *const *pre_names = NULL, *const *post_names = NULL;
	struct pmod **pre = NULL, **post = NULL;
	int npre = 0, npost = 0, npre_names = 0, npost_names = 0, err = 0;

	if (p->cfg && mt_config_softdeps(p->cfg, y->ref.name, &pre_names, &npre_names,
					 &post_names, &npost_names) > 0) {
		err = resolve_softdeps(p, pre_names, npre_names, &pre, &npre);
		if (err >= 0)
			err = resolve_softdeps(p, post_names, npost_names, &post, &npost);
	}
	for (int i = 0; i < npre && err >= 0; i++)
		err = visit(p, pre[i], false, false, MT_PROBE_SOFTDEP_PRE, y);
	if (err >= 0)
		err = append(p, y, reason, of);
	y->ignorecmd = npre || npost;
	for (int i = 0; i < npost && err >= 0; i++)
		err = visit(p, post[i], false, false, MT_PROBE_SOFTDEP_POST, y);
	free(pre);
	free(post);
	return err;
}

static int visit(struct probe *p, struct pmod *x, bool required, bool ignore_commands,
		 enum mt_probe_reason reason, const struct pmod *of)
{
	int err;

	if (x->visited)
		return 0;
	x->visited = true;
	err = load_deps(p, x);
	if (err < 0)
		return err;
	if (required) {
		x->required = true;
		for (int i = 0; i < x->ndeps; i++)
			x->deps[i]->required = true;
	}
	for (int i = 0; i < x->ndeps; i++) {
		err = expand(p, x->deps[i], MT_PROBE_DEPENDENCY, x);
		if (err < 0)
			return err;
	}
	if (!ignore_commands)
		return expand(p, x, reason, of);
	x->ignorecmd = true;
	return append(p, x, reason, of);
}

static void probe_release(struct probe *p)
{
	for (int i = 0; i < p->nmods; i++) {
		mt_modref_release(&p->mods[i]->ref);
		free(p->mods[i]->deps);
		free(p->mods[i]);
	}
	free(p->mods);
	free(p->list);
}

/* Configured options, then (for the top module) the command line's; kmod
 * leaves a space after configured options even when nothing follows. */
static char *probe_options(struct probe *p, const struct pmod *m, const char *params)
{
	char *cfg = p->cfg ? mt_config_options(p->cfg, m->ref.name, m->ref.alias) : NULL;
	char *out;

	if (!cfg && (!params || !*params))
		return strdup("");
	if (!cfg)
		return strdup(params);
	if (asprintf(&out, "%s %s", cfg, params ? params : "") < 0)
		out = NULL;
	free(cfg);
	return out;
}

const char *mt_probe_strerror(int err)
{
	switch (err) {
	case -EEXIST:
		return "Module already in kernel";
	case -ENOENT:
		return "Unknown symbol in module, or unknown parameter (see dmesg)";
	default:
		return strerror(-err);
	}
}

/* `command` with every $CMDLINE_OPTS replaced by `options`. */
static char *substitute_options(const char *command, const char *options)
{
	static const char var[] = "$CMDLINE_OPTS";
	size_t n = 0, vlen = sizeof(var) - 1, olen = strlen(options);
	const char *s;
	char *out, *o;

	for (s = command; (s = strstr(s, var)); s += vlen)
		n++;
	out = o = malloc(strlen(command) + n * olen + 1);
	if (!out)
		return NULL;
	for (s = command; *s; ) {
		if (strncmp(s, var, vlen) == 0) {
			o = stpcpy(o, options);
			s += vlen;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	return out;
}

int mt_run_command(struct mt_ctx *ctx, const char *kind, const char *command, const char *module,
		   const char *options)
{
	char *cmd = substitute_options(command, options);
	int status;

	if (!cmd)
		return -ENOMEM;
	setenv("MODPROBE_MODULE", module, 1);
	status = system(cmd);
	unsetenv("MODPROBE_MODULE");
	if (status == -1) {
		mt_log(ctx, LOG_ERR, "Could not run %s command '%s' for module %s: %s\n", kind, cmd, module,
		       strerror(errno));
		free(cmd);
		return -EINVAL;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		free(cmd);
		return 0;
	}
	mt_log(ctx, LOG_ERR, "Error running %s command '%s' for module %s: retcode %d\n", kind, cmd,
	       module, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	free(cmd);
	return -EINVAL;
}

/* The install command of an entry, run by the caller's run_install when it
 * has one. */
static int run_install(struct probe *p, const struct mt_probe_action *action,
		       const struct mt_probe_callbacks *cb)
{
	char *cmd;
	int err;

	if (!cb->run_install)
		return mt_run_command(p->ctx, "install", action->install_command, action->name,
				      action->options);
	cmd = substitute_options(action->install_command, action->options);
	if (!cmd)
		return -ENOMEM;
	err = cb->run_install(action, cmd, cb->data);
	free(cmd);
	return err;
}

static int run_entry(struct probe *p, const struct load_entry *e, unsigned flags,
		     const char *params, const struct mt_probe_callbacks *cb)
{
	struct pmod *m = e->mod;
	const char *install = p->cfg ? mt_config_install(p->cfg, m->ref.name, false) : NULL;
	struct mt_probe_action action = {
		.name = m->ref.name, .alias = m->ref.alias, .path = m->ref.path,
		.builtin = !m->ref.path &&
			   mt_module_initstate(p->ctx, m->ref.name) == MT_INITSTATE_BUILTIN,
		.reason = e->reason, .of = e->of ? e->of->ref.name : NULL,
	};
	char *options;
	int err = 0;

	if (!(flags & MT_PROBE_IGNORE_LOADED) && mt_module_in_kernel(p->ctx, m->ref.name))
		return -EEXIST;
	options = probe_options(p, m, params);
	if (!options)
		return -ENOMEM;
	action.options = options;
	if (install && !m->ignorecmd) {
		action.install_command = install;
		if (cb->show)
			cb->show(&action, cb->data);
		if (!(flags & MT_PROBE_DRY_RUN))
			err = run_install(p, &action, cb);
	} else {
		if (cb->show)
			cb->show(&action, cb->data);
		if (!(flags & MT_PROBE_DRY_RUN)) {
			if (!m->ref.path) {
				mt_log(p->ctx, LOG_ERR, "could not find module by name='%s'\n", m->ref.name);
				err = -ENOENT;
			} else {
				err = mt_insert_module(p->ctx, m->ref.path, options,
						       flags & (MT_INSERT_FORCE_MODVERSION |
								MT_INSERT_FORCE_VERMAGIC));
			}
		}
	}
	free(options);
	return err;
}

/* MT_PROBE_BLACKLIST_ALL: the load list without its blacklisted entries. */
static void drop_blacklisted(struct probe *p)
{
	int kept = 0;

	for (int i = 0; i < p->nlist; i++) {
		if (!mt_config_blacklisted(p->cfg, p->list[i].mod->ref.name))
			p->list[kept++] = p->list[i];
	}
	p->nlist = kept;
}

int mt_probe_insert(struct mt_ctx *ctx, const struct mt_modref *top, unsigned flags,
		    const char *params, mt_probe_show_fn show, void *data)
{
	const struct mt_probe_callbacks cb = { .show = show, .data = data };

	return mt_probe_insert_with(ctx, top, flags, params, &cb, NULL);
}

int mt_probe_insert_with(struct mt_ctx *ctx, const struct mt_modref *top, unsigned flags,
			 const char *params, const struct mt_probe_callbacks *cb, bool *blacklisted)
{
	struct probe p = { .ctx = ctx, .cfg = mt_ctx_config(ctx) };
	struct mt_modref copy;
	struct pmod *m;
	int err = 0;

	if (blacklisted)
		*blacklisted = false;
	if (!(flags & MT_PROBE_IGNORE_LOADED) && mt_module_in_kernel(ctx, top->name))
		return flags & MT_PROBE_FAIL_ON_LOADED ? -EEXIST : 0;
	if (p.cfg && mt_config_blacklisted(p.cfg, top->name) &&
	    ((flags & MT_PROBE_BLACKLIST) || ((flags & MT_PROBE_BLACKLIST_ALIAS_ONLY) && top->alias))) {
		if (blacklisted)
			*blacklisted = true;
		return MT_PROBE_BLACKLISTED;
	}
	if (mt_modref_copy(&copy, top) < 0)
		return -ENOMEM;
	m = get_mod(&p, &copy);	/* takes over copy's strings */
	if (!m) {
		probe_release(&p);
		return -ENOMEM;
	}
	err = visit(&p, m, true, flags & MT_PROBE_IGNORE_COMMAND, MT_PROBE_REQUESTED, NULL);
	if (err >= 0 && p.cfg && (flags & MT_PROBE_BLACKLIST_ALL)) {
		drop_blacklisted(&p);
		if (p.nlist == 0) {
			if (blacklisted)
				*blacklisted = true;
			err = MT_PROBE_BLACKLISTED;
		}
	}
	for (int i = 0; i < p.nlist && err >= 0; i++) {
		struct pmod *e = p.list[i].mod;

		err = run_entry(&p, &p.list[i], flags, e == m ? params : NULL, cb);
		if (err == -EEXIST && e == m && (flags & MT_PROBE_FAIL_ON_LOADED))
			break;
		if (err == -EEXIST || !e->required)
			err = 0;
	}
	probe_release(&p);
	return err;
}

/*
 * closure.c — what an initramfs needs for some modules: the modules
 * themselves, everything modprobe would load with them (modules.dep
 * dependencies, pre and post soft dependencies, recursively), their weak
 * dependencies, and the firmware files their firmware: fields name, found
 * as the kernel finds them (firmware.c).  Names, aliases and paths resolve
 * through lookup.c, the firmware fields come from modinfo.c; what is
 * decided here is only the order, which is modprobe's load order (probe.c
 * builds the same one to load a module) with weak dependencies after the
 * module naming them, each module listed once, at its first place.  Also the
 * operands an image builder asks about: the loaded modules (kernel.c) and
 * the modaliases of the devices under /sys/devices.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>
#include "internal.h"

/* Directory levels below /sys/devices, far more than sysfs nests. */
#define MAX_SYSFS_DEPTH 64

struct mt_closure {
	struct mt_ctx *ctx;
	char *root;			/* of the firmware search path */
	char *release;
	struct mt_closure_module *mods;
	int nmods;
	struct mt_closure_firmware *fws;
	int nfws;
	/* the modules a traversal has met, by name, and how far each got */
	struct state {
		char *name;
		bool visited, expanding;
	} *states;
	int nstates;
};

int mt_closure_new(struct mt_ctx *ctx, const char *root, const char *release,
		   struct mt_closure **out)
{
	struct mt_closure *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->ctx = ctx;
	c->root = strdup(root ? root : "");
	c->release = strdup(release);
	if (!c->root || !c->release) {
		mt_closure_free(c);
		return -ENOMEM;
	}
	*out = c;
	return 0;
}

void mt_closure_free(struct mt_closure *c)
{
	if (!c)
		return;
	for (int i = 0; i < c->nmods; i++) {
		free(c->mods[i].name);
		free(c->mods[i].path);
		free(c->mods[i].required_by);
		mt_strv_free(c->mods[i].firmware, c->mods[i].nfirmware);
	}
	for (int i = 0; i < c->nfws; i++) {
		free(c->fws[i].name);
		free(c->fws[i].module);
		mt_strv_free(c->fws[i].files, c->fws[i].nfiles);
	}
	for (int i = 0; i < c->nstates; i++)
		free(c->states[i].name);
	free(c->mods);
	free(c->fws);
	free(c->states);
	free(c->root);
	free(c->release);
	free(c);
}

const struct mt_closure_module *mt_closure_modules(const struct mt_closure *c, int *count)
{
	*count = c->nmods;
	return c->mods;
}

const struct mt_closure_firmware *mt_closure_firmware(const struct mt_closure *c, int *count)
{
	*count = c->nfws;
	return c->fws;
}

static struct state *get_state(struct mt_closure *c, const char *name)
{
	struct state *st;

	for (int i = 0; i < c->nstates; i++)
		if (strcmp(c->states[i].name, name) == 0)
			return &c->states[i];
	if (mt_array_room(&c->states, (size_t)c->nstates, sizeof(*c->states)) < 0)
		return NULL;
	st = &c->states[c->nstates];
	*st = (struct state){ .name = strdup(name) };
	if (!st->name)
		return NULL;
	c->nstates++;
	return st;
}

static bool listed(const struct mt_closure *c, const char *name)
{
	for (int i = 0; i < c->nmods; i++)
		if (strcmp(c->mods[i].name, name) == 0)
			return true;
	return false;
}

/* Firmware `name` (no pattern) that `module` names: found once, listed
 * once; a missing file is logged and listed without files. */
static int add_firmware(struct mt_closure *c, const char *module, const char *name)
{
	struct mt_closure_firmware *fw;
	char **files;
	int n;

	for (int i = 0; i < c->nfws; i++)
		if (strcmp(c->fws[i].name, name) == 0)
			return 0;
	n = mt_firmware_find(c->root, c->release, name, &files);
	if (n < 0) {
		mt_log(c->ctx, LOG_WARNING, "%s: %s\n", module, mt_last_error());
		return 0;
	}
	if (n == 0)
		mt_log(c->ctx, LOG_WARNING, "%s: firmware %s not found\n", module, name);
	if (mt_array_room(&c->fws, (size_t)c->nfws, sizeof(*c->fws)) < 0) {
		mt_strv_free(files, n);
		return -ENOMEM;
	}
	fw = &c->fws[c->nfws];
	*fw = (struct mt_closure_firmware){
		.name = strdup(name), .module = strdup(module), .files = files, .nfiles = n,
	};
	c->nfws++;
	return fw->name && fw->module ? 0 : -ENOMEM;
}

/* A firmware: field, a name or (as some drivers declare a family) a
 * pattern, which stands for the files it matches in the search path. */
static int add_firmware_field(struct mt_closure *c, const char *module, const char *value)
{
	char **names;
	int n, err = 0;

	if (!strpbrk(value, "*?["))
		return add_firmware(c, module, value);
	n = mt_firmware_glob(c->root, c->release, value, &names);
	if (n < 0) {
		mt_log(c->ctx, LOG_WARNING, "%s: %s\n", module, mt_last_error());
		return 0;
	}
	if (n == 0)
		mt_log(c->ctx, LOG_WARNING, "%s: no firmware matches %s\n", module, value);
	for (int i = 0; i < n && err >= 0; i++)
		err = add_firmware(c, module, names[i]);
	mt_strv_free(names, n);
	return err;
}

/* The firmware: fields of a listed module, and their files. */
static int read_firmware(struct mt_closure *c, struct mt_closure_module *m)
{
	struct mt_modref ref = { .name = m->name, .path = m->path, .builtin = m->builtin };
	const struct mt_kv *list;
	struct mt_info *info;
	int n, err = 0;

	n = mt_module_info(c->ctx, &ref, &info, &list);
	if (n == -ENOENT && !m->path)
		return 0;	/* a kernel without modules.builtin.modinfo */
	if (n < 0)
		return mt_fail(-n, "%s: cannot read its information: %s", m->path ? m->path : m->name,
			       strerror(-n));
	for (int i = 0; i < n && err >= 0; i++) {
		char *value;

		if (list[i].key_len != 8 || memcmp(list[i].key, "firmware", 8) != 0)
			continue;
		value = strndup(list[i].value, list[i].value_len);
		err = value ? mt_strv_push(&m->firmware, &m->nfirmware, value) : -ENOMEM;
		free(value);
	}
	mt_info_free(info);
	for (int i = 0; i < m->nfirmware && err >= 0; i++)
		err = add_firmware_field(c, m->name, m->firmware[i]);
	return err;
}

static int list_module(struct mt_closure *c, const char *name, const char *path, bool builtin,
		       enum mt_closure_reason reason, const char *by)
{
	struct mt_closure_module *m;

	if (mt_array_room(&c->mods, (size_t)c->nmods, sizeof(*c->mods)) < 0)
		return -ENOMEM;
	m = &c->mods[c->nmods];
	*m = (struct mt_closure_module){
		.name = strdup(name),
		.path = path ? strdup(path) : NULL,
		.builtin = builtin,
		.reason = reason,
		.required_by = by ? strdup(by) : NULL,
	};
	c->nmods++;
	if (!m->name || (path && !m->path) || (by && !m->required_by))
		return -ENOMEM;
	return read_firmware(c, m);
}

static int visit(struct mt_closure *c, const struct mt_modref *ref, enum mt_closure_reason reason,
		 const char *by);

static int visit_all(struct mt_closure *c, struct mt_modref *refs, int n,
		     enum mt_closure_reason reason, const char *by)
{
	int err = 0;

	for (int i = 0; i < n && err >= 0; i++)
		err = visit(c, &refs[i], reason, by);
	mt_modrefs_free(refs, n);
	return err;
}

/* One module with its soft and weak dependencies: pre ones (with their
 * own closures) before it, post and weak ones after, as modprobe loads a
 * module of its load list; its modules.dep dependencies are the caller's. */
static int expand(struct mt_closure *c, const char *name, const char *path, bool builtin,
		  enum mt_closure_reason reason, const char *by)
{
	struct mt_modref *pre, *post, *weak;
	int npre, npost, nweak, err;
	struct state *st = get_state(c, name);

	if (!st)
		return -ENOMEM;
	if (st->expanding || listed(c, name))
		return 0;
	st->expanding = true;
	err = mt_module_softdeps(c->ctx, name, &pre, &npre, &post, &npost);
	if (err < 0)
		return err;
	err = visit_all(c, pre, npre, MT_CLOSURE_PRE_SOFTDEP, name);
	if (err >= 0 && !listed(c, name))
		err = list_module(c, name, path, builtin, reason, by);
	if (err >= 0)
		err = visit_all(c, post, npost, MT_CLOSURE_POST_SOFTDEP, name);
	else
		mt_modrefs_free(post, npost);
	if (err < 0)
		return err;
	nweak = mt_module_weakdeps(c->ctx, name, &weak);
	if (nweak < 0)
		return nweak;
	return visit_all(c, weak, nweak, MT_CLOSURE_WEAKDEP, name);
}

/* A module resolved by lookup: its modules.dep dependencies deepest first
 * (the line read from its end, as modprobe does), each with its soft
 * dependencies, then the module itself. */
static int visit(struct mt_closure *c, const struct mt_modref *ref, enum mt_closure_reason reason,
		 const char *by)
{
	struct state *st = get_state(c, ref->name);
	int err = 0;

	if (!st)
		return -ENOMEM;
	if (st->visited || st->expanding || listed(c, ref->name))
		return 0;
	st->visited = true;
	if (!ref->path && !ref->builtin) {
		mt_log(c->ctx, LOG_WARNING, "%s: no module file, and not built in\n", ref->name);
		return 0;
	}
	for (int i = ref->ndeps - 1; i >= 0 && err >= 0; i--) {
		char name[PATH_MAX];

		err = mt_modname_normalize(ref->deps[i], name, sizeof(name));
		if (err >= 0)
			err = expand(c, name, ref->deps[i], false, MT_CLOSURE_DEPENDENCY, ref->name);
	}
	if (err < 0)
		return err;
	return expand(c, ref->name, ref->path, ref->builtin, reason, by);
}

/* An operand names a file when it has a module suffix and is one, as
 * modinfo and modprobe tell. */
static bool names_file(const char *operand)
{
	struct stat st;

	return mt_module_suffix(operand, strlen(operand)) >= 0 && stat(operand, &st) == 0 &&
	       S_ISREG(st.st_mode);
}

int mt_closure_add(struct mt_closure *c, const char *operand)
{
	struct mt_modref *refs;
	int n, found = 0, err = 0;

	if (names_file(operand))
		n = mt_lookup_path(c->ctx, operand, &refs);
	else
		n = mt_lookup(c->ctx, operand, 0, &refs);
	if (n < 0)
		return n;
	for (int i = 0; i < n && err >= 0; i++) {
		found += refs[i].path || refs[i].builtin;
		err = visit(c, &refs[i], MT_CLOSURE_NAMED, NULL);
	}
	mt_modrefs_free(refs, n);
	return err < 0 ? err : found;
}

int mt_closure_add_loaded(struct mt_closure *c)
{
	char **names;
	int n = mt_loaded_modules(&names), err = 0;

	if (n < 0)
		return n;
	for (int i = 0; i < n && err >= 0; i++) {
		err = mt_closure_add(c, names[i]);
		if (err == 0)
			mt_log(c->ctx, LOG_WARNING, "%s: loaded, but not in %s\n", names[i],
			       mt_ctx_dirname(c->ctx));
	}
	mt_strv_free(names, n);
	return err < 0 ? err : n;
}

/* The modalias file of a device directory: the modules its alias stands
 * for (none for most devices). */
static int add_modalias(struct mt_closure *c, int dir_fd)
{
	char alias[4096];
	ssize_t len;
	int fd, err;

	fd = openat(dir_fd, "modalias", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	len = read(fd, alias, sizeof(alias) - 1);
	close(fd);
	if (len <= 0)
		return 0;
	alias[len] = '\0';
	alias[strcspn(alias, "\n")] = '\0';
	if (!alias[0])
		return 0;
	err = mt_closure_add(c, alias);
	/* a modalias no module claims, or one no lookup accepts */
	return err == -EINVAL || err == -ENAMETOOLONG ? 0 : err;
}

/* Every device below the directory open on dir_fd (consumed), depth-first
 * in name order (alphasort), so that the order is the same on every run;
 * symbolic links (subsystem, driver, ...) are not followed, so the walk
 * sees each device once. */
static int walk_devices(struct mt_closure *c, int dir_fd, int depth)
{
	struct dirent **entries = NULL;
	int n, err;

	err = add_modalias(c, dir_fd);
	n = err < 0 || depth == MAX_SYSFS_DEPTH ? 0 : scandirat(dir_fd, ".", &entries, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		const struct dirent *e = entries[i];

		if (err >= 0 && e->d_name[0] != '.' && (e->d_type == DT_DIR || e->d_type == DT_UNKNOWN)) {
			int fd = openat(dir_fd, e->d_name,
					O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (fd >= 0)
				err = walk_devices(c, fd, depth + 1);
		}
		free(entries[i]);
	}
	free(entries);
	close(dir_fd);
	return err;
}

int mt_closure_add_devices(struct mt_closure *c)
{
	static const char devices[] = "/sys/devices";
	int fd = open(devices, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return mt_fail(errno, "could not open %s: %s", devices, strerror(errno));
	return walk_devices(c, fd, 0);
}

/*
 * depmod-output.c — depmod's output files: the text files (modules.dep,
 * .alias, .softdep, .weakdep, .symbols, .devname) and the binary indexes
 * (.dep.bin, .alias.bin, .symbols.bin, .builtin.bin, .builtin.alias.bin).
 *
 * Every file is generated into memory by a pool of threads (what needs only
 * the parsed modules starts while the dependencies are still being worked
 * out), and the files are written in kmod's order as they become ready,
 * aside, to be put in place together once all are (depmod-write.c): a
 * failure leaves every previous file as it was.  A generator's messages are
 * given at its file's turn, so output and messages are those of a
 * sequential run.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "depmod-output.h"
#include "depmod-write.h"
#include "internal.h"

struct message {
	int priority;
	char *text;
};

/* What a generator is given: the module set, read only, the options that
 * shape the files, and where its messages go. */
struct gen {
	const struct dm_graph *graph;
	const struct dm_output_options *opts;
	const struct dm_log *log;
};

/* One output file being generated. */
struct task {
	const struct output *output;
	struct gen in;
	struct dm_log log;		/* in.log: collects into messages */
	struct message *messages;
	size_t n_messages;
	char *data;			/* the file's contents */
	size_t size;
	int err;
};

/* What an output needs before it can be generated. */
enum phase {
	PHASE_MODULES,	/* the parsed modules in their final order */
	PHASE_GRAPH,	/* also the symbols and the dependencies */
};

struct output {
	const char *name;
	int (*generate)(const struct gen *in, FILE *out);
	bool binary;
	enum phase phase;
	/* Generation order within the phase, highest first: in PHASE_MODULES
	 * the costliest first, so that it runs while the dependencies are
	 * computed; in PHASE_GRAPH the files written first, with the symbol
	 * index ahead of its cheaper text form. */
	unsigned priority;
};

static void collect(void *data, int priority, const char *fmt, va_list ap)
{
	struct task *t = data;
	char *text;

	if (vasprintf(&text, fmt, ap) < 0)
		return;
	if (MT_ARRAY_APPEND(t->messages, t->n_messages, ((struct message){ priority, text })) < 0)
		free(text);
}

/* ---- text files ---------------------------------------------------------- */

static int gen_dep(const struct gen *in, FILE *out)
{
	const struct dm_graph *g = in->graph;

	for (size_t i = 0; i < g->n_mods; i++) {
		fwrite(g->mods[i]->dep_line, 1, g->mods[i]->dep_line_len, out);
		putc('\n', out);
	}
	return 0;
}

static int gen_alias(const struct gen *in, FILE *out)
{
	const struct dm_graph *g = in->graph;

	fputs("# Aliases extracted from modules themselves.\n", out);
	for (size_t i = 0; i < g->n_mods; i++)
		for (size_t j = 0; j < g->mods[i]->n_aliases; j++)
			fprintf(out, "alias %s %s\n", g->mods[i]->aliases[j], g->mods[i]->name);
	return 0;
}

static int gen_softdep(const struct gen *in, FILE *out)
{
	const struct dm_graph *g = in->graph;

	fputs("# Soft dependencies extracted from modules themselves.\n", out);
	for (size_t i = 0; i < g->n_mods; i++)
		for (size_t j = 0; j < g->mods[i]->n_softdeps; j++)
			fprintf(out, "softdep %s %s\n", g->mods[i]->name, g->mods[i]->softdeps[j]);
	return 0;
}

static int gen_weakdep(const struct gen *in, FILE *out)
{
	const struct dm_graph *g = in->graph;

	fputs("# Weak dependencies extracted from modules themselves.\n", out);
	for (size_t i = 0; i < g->n_mods; i++)
		for (size_t j = 0; j < g->mods[i]->n_weakdeps; j++)
			fprintf(out, "weakdep %s %s\n", g->mods[i]->name, g->mods[i]->weakdeps[j]);
	return 0;
}

static int gen_symbols(const struct gen *in, FILE *out)
{
	const struct dm_graph *g = in->graph;

	fputs("# Aliases for symbols, used by symbol_request().\n", out);
	for (size_t i = 0; i < g->n_owned; i++)
		fprintf(out, "alias symbol:%s %s\n", g->owned[i]->name, g->owned[i]->owner->name);
	return 0;
}

/* The device node of a module: the last devname: alias and the last
 * char-/block-major alias (scanf rules) before both are known. */
static int gen_devname(const struct gen *in, FILE *out)
{
	const struct dm_graph *g = in->graph;
	bool header = false;

	for (size_t i = 0; i < g->n_mods; i++) {
		const struct dm_module *m = g->mods[i];
		const char *devname = NULL;
		unsigned major = 0, minor = 0;
		char type = '\0';

		for (size_t j = 0; j < m->n_aliases && !(devname && type); j++) {
			const char *alias = m->aliases[j];

			if (strncmp(alias, "devname:", 8) == 0)
				devname = alias + 8;
			else if (alias[0] == 'c' && sscanf(alias, "char-major-%u-%u", &major, &minor) == 2)
				type = 'c';
			else if (alias[0] == 'b' && sscanf(alias, "block-major-%u-%u", &major, &minor) == 2)
				type = 'b';
		}
		if (!devname)
			continue;
		if (!type) {
			dm_msg(in->log, LOG_ERR,
			       "Module '%s' has devname (%s) but lacks major and minor information. Ignoring.\n",
			       m->name, devname);
			continue;
		}
		if (!header) {
			fputs("# Device nodes to trigger on-demand module loading.\n", out);
			header = true;
		}
		fprintf(out, "%s %s %c%u:%u\n", m->name, devname, type, major, minor);
	}
	return 0;
}

/* ---- binary indexes ------------------------------------------------------ */

/* kmod 34.2 stops on a byte outside 7-bit ASCII in any index string. */
static int check_ascii(const struct gen *in, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p >= 0x80) {
			dm_msg(in->log, LOG_CRIT,
			       "Module index: bad character '%c'=0x%x - only 7-bit ASCII is supported:\n%s\n",
			       *p, *p, s);
			return -EILSEQ;
		}
	}
	return 0;
}

static int index_add(const struct gen *in, struct mt_index_builder *b, const char *key,
		     const char *value, unsigned priority)
{
	int err = check_ascii(in, key);

	if (err == 0)
		err = check_ascii(in, value);
	if (err == 0)
		err = mt_index_builder_add(b, key, value, priority);
	return err;
}

static int index_finish(const struct gen *in, struct mt_index_builder *b, int err, FILE *out)
{
	if (err >= 0)
		err = mt_index_builder_write(b, out, in->opts->layout);
	mt_index_builder_free(b);
	return err;
}

static int gen_dep_bin(const struct gen *in, FILE *out)
{
	const struct dm_graph *g = in->graph;
	struct mt_index_builder *b = mt_index_builder_new();
	int err = 0;

	if (!b)
		return -ENOMEM;
	for (size_t i = 0; err >= 0 && i < g->n_mods; i++)
		err = index_add(in, b, g->mods[i]->name, g->mods[i]->dep_line, g->mods[i]->idx);
	return index_finish(in, b, err, out);
}

/* A normalized alias of modules.alias.bin, in insertion order. */
struct alias_key {
	char *key;
	const struct dm_module *m;
	size_t seq;
	bool duplicate;
};

static int cmp_alias_key(const void *a, const void *b)
{
	const struct alias_key *x = *(struct alias_key *const *)a, *y = *(struct alias_key *const *)b;
	int r = strcmp(x->key, y->key);

	if (r == 0)
		r = strcmp(x->m->name, y->m->name);
	return r ? r : (x->seq > y->seq) - (x->seq < y->seq);
}

/* For -w: mark every entry equal (key and module) to an earlier one. */
static int mark_duplicates(struct alias_key *keys, size_t n)
{
	struct alias_key **sorted = malloc((n ? n : 1) * sizeof(*sorted));

	if (!sorted)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		sorted[i] = &keys[i];
	qsort(sorted, n, sizeof(*sorted), cmp_alias_key);
	for (size_t i = 1; i < n; i++)
		sorted[i]->duplicate = strcmp(sorted[i]->key, sorted[i - 1]->key) == 0 &&
				       sorted[i]->m == sorted[i - 1]->m;
	free(sorted);
	return 0;
}

static int gen_alias_bin(const struct gen *in, FILE *out)
{
	const struct dm_graph *g = in->graph;
	struct mt_index_builder *b = mt_index_builder_new();
	struct alias_key *keys = NULL;
	char *text = NULL, *p;
	size_t n = 0, bytes = 0;
	int err = 0;

	for (size_t i = 0; i < g->n_mods; i++)
		for (size_t j = 0; j < g->mods[i]->n_aliases; j++, n++)
			bytes += strlen(g->mods[i]->aliases[j]) + 1;
	keys = malloc((n ? n : 1) * sizeof(*keys));
	text = malloc(bytes ? bytes : 1);
	if (!b || !keys || !text) {
		err = -ENOMEM;
		goto out;
	}
	n = 0;
	p = text;
	for (size_t i = 0; i < g->n_mods; i++) {
		const struct dm_module *m = g->mods[i];

		for (size_t j = 0; j < m->n_aliases; j++) {
			size_t size = strlen(m->aliases[j]) + 1;

			if (mt_alias_normalize(m->aliases[j], p, size) < 0) {
				dm_msg(in->log, LOG_WARNING, "Unmatched bracket in %s\n", m->aliases[j]);
				continue;
			}
			keys[n] = (struct alias_key){ .key = p, .m = m, .seq = n };
			n++;
			p += size;
		}
	}
	if (in->opts->warn_duplicates)
		err = mark_duplicates(keys, n);
	for (size_t i = 0; err >= 0 && i < n; i++) {
		if (keys[i].duplicate)
			dm_msg(in->log, LOG_WARNING, "duplicate module alias:\n%s %s\n", keys[i].key,
			       keys[i].m->name);
		err = index_add(in, b, keys[i].key, keys[i].m->name, keys[i].m->idx);
	}
out:
	free(keys);
	free(text);
	return b ? index_finish(in, b, err, out) : err;
}

static int gen_symbols_bin(const struct gen *in, FILE *out)
{
	const struct dm_graph *g = in->graph;
	struct mt_index_builder *b = mt_index_builder_new();
	char *key = NULL;
	size_t key_size = 0;
	int err = b ? 0 : -ENOMEM;

	for (size_t i = 0; err >= 0 && i < g->n_owned; i++) {
		const struct dm_symbol *sym = g->owned[i];
		size_t len = strlen(sym->name);

		if (mt_array_reserve(&key, &key_size, len + 8, 1) < 0) {
			err = -ENOMEM;
			break;
		}
		memcpy(key, "symbol:", 7);
		memcpy(key + 7, sym->name, len + 1);
		err = index_add(in, b, key, sym->owner->name, sym->owner->idx);
	}
	free(key);
	return b ? index_finish(in, b, err, out) : err;
}

/* D/<name>, whole and NUL-terminated; NULL after kmod's warning when it
 * cannot be read (the index is then an empty file). */
static char *read_input(const struct gen *in, const char *name, size_t *size)
{
	const char *dirname = in->opts->dirname;
	char path[PATH_MAX], *text;

	snprintf(path, sizeof(path), "%s/%s", dirname, name);
	text = dm_read_file(path, size);
	if (!text)
		dm_msg(in->log, LOG_WARNING, "could not open %s at %s: %s\n", name, dirname,
		       strerror(errno));
	return text;
}

static bool is_ascii_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int gen_builtin_bin(const struct gen *in, FILE *out)
{
	struct mt_index_builder *b;
	char name[PATH_MAX], *text;
	size_t size;
	int err = 0;

	text = read_input(in, "modules.builtin", &size);
	if (!text)
		return 0;
	b = mt_index_builder_new();
	if (!b) {
		free(text);
		return -ENOMEM;
	}
	for (char *line = text, *next; err >= 0 && line < text + size; line = next) {
		char *nl = memchr(line, '\n', (size_t)(text + size - line));
		char saved;

		/* The newline stays in the line: kmod takes the module name
		 * from it as it is, so a line "noext\n" gives the key "noext\n". */
		next = nl ? nl + 1 : text + size;
		saved = *next;
		*next = '\0';
		if (!is_ascii_letter(line[0]))
			dm_msg(in->log, LOG_ERR, "Invalid modules.builtin line: %s\n", line);
		else if (mt_modname_normalize(line, name, sizeof(name)) > 0)
			err = index_add(in, b, name, "", 0);
		*next = saved;
	}
	free(text);
	return index_finish(in, b, err, out);
}

static int gen_builtin_alias_bin(const struct gen *in, FILE *out)
{
	struct mt_index_builder *b;
	char *text, *key, *end;
	size_t size;
	int err = 0;

	text = read_input(in, "modules.builtin.modinfo", &size);
	if (!text)
		return 0;
	b = mt_index_builder_new();
	key = malloc(size + 1);
	if (!b || !key) {
		free(text);
		free(key);
		mt_index_builder_free(b);
		return -ENOMEM;
	}
	/* Records "<mod>.<key>=<value>" each end with a NUL; an unterminated
	 * last one is ignored, and so are empty module names and values. */
	for (char *rec = text; err >= 0 && (end = memchr(rec, '\0', size - (size_t)(rec - text)));
	     rec = end + 1) {
		char *dot = strchr(rec, '.'), *eq = dot ? strchr(dot + 1, '=') : NULL;

		if (!eq || dot == rec || eq - dot - 1 != 5 || memcmp(dot + 1, "alias", 5) != 0 ||
		    eq[1] == '\0')
			continue;
		if (mt_alias_normalize(eq + 1, key, size + 1) < 0) {
			dm_msg(in->log, LOG_WARNING, "Unmatched bracket in %s\n", eq + 1);
			continue;
		}
		*dot = '\0';
		err = index_add(in, b, key, rec, 0);
		*dot = '.';
	}
	free(key);
	free(text);
	return index_finish(in, b, err, out);
}

/* ---- generating ----------------------------------------------------------- */

/* In kmod's write order. */
static const struct output outputs[] = {
	{ "modules.dep", gen_dep, false, PHASE_GRAPH, 4 },
	{ "modules.dep.bin", gen_dep_bin, true, PHASE_GRAPH, 3 },
	{ "modules.alias", gen_alias, false, PHASE_MODULES, 6 },
	{ "modules.alias.bin", gen_alias_bin, true, PHASE_MODULES, 7 },
	{ "modules.softdep", gen_softdep, false, PHASE_MODULES, 4 },
	{ "modules.weakdep", gen_weakdep, false, PHASE_MODULES, 3 },
	{ "modules.symbols", gen_symbols, false, PHASE_GRAPH, 1 },
	{ "modules.symbols.bin", gen_symbols_bin, true, PHASE_GRAPH, 2 },
	{ "modules.builtin.bin", gen_builtin_bin, true, PHASE_MODULES, 2 },
	{ "modules.builtin.alias.bin", gen_builtin_alias_bin, true, PHASE_MODULES, 1 },
	{ "modules.devname", gen_devname, false, PHASE_MODULES, 5 },
};
#define N_OUTPUTS (sizeof(outputs) / sizeof(outputs[0]))

struct dm_outputs {
	struct dm_output_options opts;
	const struct dm_log *log;
	struct task tasks[N_OUTPUTS];
	struct task *queue[N_OUTPUTS];
	bool done[N_OUTPUTS];		/* by index in outputs[] */
	size_t n_queue;
	size_t next, limit;		/* queue[next] is the next to take, if < limit */
	bool closing;			/* no more tasks will become available */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t helpers[N_OUTPUTS];
	size_t n_helpers;
};

static void run_task(struct task *t)
{
	FILE *fp = open_memstream(&t->data, &t->size);

	if (!fp) {
		t->err = -ENOMEM;
		return;
	}
	t->err = t->output->generate(&t->in, fp);
	if (fclose(fp) != 0 && t->err >= 0)
		t->err = -ENOMEM;
}

/* Run the next available task; the lock is held on entry and on return. */
static bool take_task(struct dm_outputs *o)
{
	struct task *t;

	if (o->next >= o->limit)
		return false;
	t = o->queue[o->next++];
	pthread_mutex_unlock(&o->lock);
	run_task(t);
	pthread_mutex_lock(&o->lock);
	o->done[t - o->tasks] = true;
	pthread_cond_broadcast(&o->cond);
	return true;
}

static void *helper(void *arg)
{
	struct dm_outputs *o = arg;

	pthread_mutex_lock(&o->lock);
	for (;;) {
		if (take_task(o))
			continue;
		if (o->closing)
			break;
		pthread_cond_wait(&o->cond, &o->lock);
	}
	pthread_mutex_unlock(&o->lock);
	return NULL;
}

/* Queue the outputs of a phase (the text ones only with -n) by priority. */
static void queue_phase(struct dm_outputs *o, enum phase phase)
{
	size_t first = o->n_queue;

	for (size_t i = 0; i < N_OUTPUTS; i++) {
		size_t k;

		if (outputs[i].phase != phase || (o->opts.show && outputs[i].binary))
			continue;
		k = o->n_queue++;
		while (k > first && o->queue[k - 1]->output->priority < outputs[i].priority) {
			o->queue[k] = o->queue[k - 1];
			k--;
		}
		o->queue[k] = &o->tasks[i];
	}
}

int dm_outputs_start(const struct dm_graph *g, const struct dm_output_options *opts,
		     const struct dm_log *log, struct dm_outputs **out)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t threads = opts->threads ? opts->threads : cpus > 1 ? (size_t)cpus : 1;
	struct dm_outputs *o = calloc(1, sizeof(*o));

	if (!o)
		return -ENOMEM;
	o->opts = *opts;
	o->log = log;
	for (size_t i = 0; i < N_OUTPUTS; i++) {
		struct task *t = &o->tasks[i];

		*t = (struct task){ .output = &outputs[i], .log = { .collect = collect, .data = t } };
		t->in = (struct gen){ .graph = g, .opts = &o->opts, .log = &t->log };
	}
	queue_phase(o, PHASE_MODULES);
	o->limit = o->n_queue;	/* PHASE_GRAPH waits for dm_outputs_finish */
	queue_phase(o, PHASE_GRAPH);
	pthread_mutex_init(&o->lock, NULL);
	pthread_cond_init(&o->cond, NULL);
	/* The calling thread computes the dependencies meanwhile. */
	for (; o->n_helpers + 1 < threads && o->n_helpers < N_OUTPUTS; o->n_helpers++)
		if (pthread_create(&o->helpers[o->n_helpers], NULL, helper, o) != 0)
			break;
	*out = o;
	return 0;
}

/* Give a task's messages, then its failure if any. */
static int finish_task(const struct dm_outputs *o, const struct task *t)
{
	bool fatal = false;

	for (size_t i = 0; i < t->n_messages; i++) {
		fatal |= t->messages[i].priority == LOG_CRIT;
		dm_msg(o->log, t->messages[i].priority, "%s", t->messages[i].text);
	}
	if (t->err < 0 && !fatal)
		dm_msg(o->log, LOG_ERR, "Could not write index '%s': %s\n", t->output->name,
		       strerror(-t->err));
	return t->err;
}

/* Wait until output i is generated, generating meanwhile. */
static void wait_for(struct dm_outputs *o, size_t i)
{
	pthread_mutex_lock(&o->lock);
	while (!o->done[i])
		if (!take_task(o))
			pthread_cond_wait(&o->cond, &o->lock);
	pthread_mutex_unlock(&o->lock);
}

/* The files in kmod's order, each as soon as it is generated: on stdout
 * (-n), or written aside and put in place together once all are. */
static int write_all(struct dm_outputs *o)
{
	const struct dm_output_options *opts = &o->opts;
	const char *names[N_OUTPUTS + 1];
	struct dm_write *w = NULL;
	int err = 0;

	if (!opts->show) {
		for (size_t i = 0; i < N_OUTPUTS; i++)
			names[i] = outputs[i].name;
		names[N_OUTPUTS] = opts->extra_name;
		err = dm_write_begin(opts->outdir, names, N_OUTPUTS + (opts->extra_name != NULL),
				     o->log, &w);
	}
	for (size_t i = 0; err >= 0 && i < N_OUTPUTS; i++) {
		const struct task *t = &o->tasks[i];

		if (opts->show && outputs[i].binary)
			continue;
		wait_for(o, i);
		err = finish_task(o, t);
		if (err < 0)
			break;
		if (opts->show)
			err = fwrite(t->data, 1, t->size, opts->show) == t->size ? 0 : -EIO;
		else
			err = dm_write_file(w, t->output->name, t->data, t->size);
	}
	if (err >= 0 && w && opts->extra_name && opts->extra_data)
		err = dm_write_file(w, opts->extra_name, opts->extra_data, opts->extra_size);
	if (opts->show)
		return err >= 0 && fflush(opts->show) != 0 ? -EIO : err;
	if (!w)
		return err;
	if (err < 0) {
		dm_write_abort(w);
		return err;
	}
	return dm_write_commit(w);
}

int dm_outputs_finish(struct dm_outputs *o, bool write)
{
	int err = 0;

	pthread_mutex_lock(&o->lock);
	o->limit = write ? o->n_queue : o->next;
	pthread_cond_broadcast(&o->cond);
	pthread_mutex_unlock(&o->lock);
	if (write)
		err = write_all(o);
	pthread_mutex_lock(&o->lock);
	o->limit = o->next;	/* after a failure nothing more is generated */
	o->closing = true;
	pthread_cond_broadcast(&o->cond);
	pthread_mutex_unlock(&o->lock);
	for (size_t i = 0; i < o->n_helpers; i++)
		pthread_join(o->helpers[i], NULL);
	for (size_t i = 0; i < N_OUTPUTS; i++) {
		for (size_t j = 0; j < o->tasks[i].n_messages; j++)
			free(o->tasks[i].messages[j].text);
		free(o->tasks[i].messages);
		free(o->tasks[i].data);
	}
	pthread_mutex_destroy(&o->lock);
	pthread_cond_destroy(&o->cond);
	free(o);
	return err;
}

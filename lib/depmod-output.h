/*
 * depmod-output.h — depmod's output files (depmod-output.c), generated
 * from the module set (depgraph.h) and written in kmod's order.  Not part
 * of the API.
 */
#ifndef LIBMODTOOL_DEPMOD_OUTPUT_H
#define LIBMODTOOL_DEPMOD_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>
#include "libmodtool.h"
#include "depgraph.h"
#include "depmod-log.h"

/* What the outputs are made of besides the module set, and where they go. */
struct dm_output_options {
	const char *dirname;	/* D: modules.builtin and .builtin.modinfo */
	const char *outdir;	/* the files go there, created 0755 */
	FILE *show;		/* -n: the text outputs go here instead */
	enum mt_index_layout layout;	/* of the .bin files */
	bool warn_duplicates;	/* -w: report duplicate aliases */
	unsigned threads;	/* generating threads; 0: one per CPU */
	/* One more file, written last with the outputs (not with show), or
	 * NULL; with extra_data NULL only the temporaries killed runs left of
	 * it are removed (data and size are read when the files are written). */
	const char *extra_name;
	const char *extra_data;
	size_t extra_size;
};

/* The output files of the module set g.  Start generating, once the
 * modules are parsed and in their final order, what needs nothing more (in
 * other threads); finish once the dependencies are known: generate the
 * rest and write every file in kmod's order (or the text ones on
 * opts->show), all or none of them (a failure anywhere, in a generator or
 * on the disk, changes no file), or with write false (dependency cycles)
 * throw everything away.  g and log must stay valid until finished. */
struct dm_outputs;
int dm_outputs_start(const struct dm_graph *g, const struct dm_output_options *opts,
		     const struct dm_log *log, struct dm_outputs **out);
int dm_outputs_finish(struct dm_outputs *o, bool write);

#endif

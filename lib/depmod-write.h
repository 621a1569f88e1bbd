/*
 * depmod-write.h — replacing depmod's output files in their directory all
 * or nothing (depmod-write.c).  Below depmod-output.c; not part of the API.
 */
#ifndef LIBMODTOOL_DEPMOD_WRITE_H
#define LIBMODTOOL_DEPMOD_WRITE_H

#include <stddef.h>
#include "depmod-log.h"

/* A set of files being written into one directory.  Begin creates the
 * directory (mkdir -p, 0755), waits for any other depmod writing it and
 * removes the temporaries that killed runs left of the files called names;
 * each file (one of names; name and data stay valid until the end) is then
 * written aside in full and synced; commit puts them all in place,
 * abort throws them away and leaves the directory as it was.  Every failure
 * is logged (naming the directory, the file and the error) and returned as
 * a negative errno; after a failed write only abort remains. */
struct dm_write;
int dm_write_begin(const char *dir, const char *const *names, size_t n_names,
		   const struct dm_log *log, struct dm_write **out);
int dm_write_file(struct dm_write *w, const char *name, const char *data, size_t size);
/* Both free w. */
int dm_write_commit(struct dm_write *w);
void dm_write_abort(struct dm_write *w);

#endif

/*
 * depmod-write.c — depmod's output files replaced all or nothing: none is
 * renamed into place before every one is written whole and on disk, so a
 * depmod that fails or is killed part-way leaves the previous files as they
 * were, and nothing beside them.
 *
 * Each file is written to an unnamed file of the output directory
 * (O_TMPFILE, which the kernel frees if the process dies), every write
 * checked, and synced at once in a thread of its own: the syncs overlap
 * each other (a journalling filesystem commits them together) and the
 * generation of the next files.  At the commit each sync is checked; then
 * each file is linked under kmod's temporary name
 * "<name>.<pid>.<usec>.<sec>" and closed, and only once all are, renamed
 * over <name> in turn (the files replaced are held open meanwhile, so that
 * freeing them does not lengthen the time the temporary names exist); the
 * directory is synced last.  Where the filesystem has no O_TMPFILE, or a file cannot
 * be linked (no /proc, and a kernel that allows AT_EMPTY_PATH to privileged
 * users only), the file is written under its temporary name, as kmod does.
 *
 * Writers of a directory take turns through an advisory lock (flock) on the
 * directory, so two depmods never mix their files, and the one holding it
 * removes the temporaries of its names whose process is gone: what a killed
 * run (ours or kmod's) left.  The lock is advisory: kmod does not take it,
 * and where the filesystem has no flock the files are written without it.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include "depmod-write.h"
#include "internal.h"

/* One file written aside. */
struct staged {
	const char *name;
	const char *data;		/* kept for writing it again under tmp */
	size_t size;
	int fd;				/* until it is synced and closed, else -1 */
	bool named;			/* tmp exists in the directory */
	bool syncing;			/* syncer runs: sync_err once joined */
	pthread_t syncer;
	int sync_err;
	int previous;			/* O_PATH of the file it replaces, or -1 */
	char tmp[NAME_MAX + 1];
};

struct dm_write {
	const char *dir;
	const struct dm_log *log;
	int dfd;			/* holds the lock */
	bool no_tmpfile;		/* the filesystem has no O_TMPFILE */
	struct staged *files;		/* room for every one of the names */
	size_t n_files, max_files;
};

/* mkdir -p, new directories with mode 0755. */
static int make_dirs(const char *dir)
{
	char *copy = strdup(dir);
	int err = 0;

	if (!copy)
		return -ENOMEM;
	for (char *p = copy + 1; ; p++) {
		char c = *p;

		if (c != '/' && c != '\0')
			continue;
		*p = '\0';
		if (mkdir(copy, 0755) < 0 && errno != EEXIST) {
			err = -errno;
			break;
		}
		*p = c;
		if (c == '\0')
			break;
	}
	free(copy);
	return err;
}

/* Wait for the lock; a filesystem without flock writes without it. */
static void lock_dir(const struct dm_write *w)
{
	if (flock(w->dfd, LOCK_EX | LOCK_NB) == 0 || errno != EWOULDBLOCK)
		return;
	dm_msg(w->log, LOG_NOTICE, "waiting for another depmod writing %s\n", w->dir);
	while (flock(w->dfd, LOCK_EX) < 0 && errno == EINTR)
		;
}

/* A decimal number as printf's %i/%li writes it (no sign, no leading zero)
 * up to max; *p moves past it. */
static bool parse_decimal(const char **p, unsigned long long max, unsigned long long *value)
{
	const char *s = *p;
	unsigned long long v = 0;

	if (*s < '0' || *s > '9' || (s[0] == '0' && s[1] >= '0' && s[1] <= '9'))
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (max - (unsigned long long)(*s - '0')) / 10)
			return false;
		v = v * 10 + (unsigned long long)(*s - '0');
	}
	*p = s;
	*value = v;
	return true;
}

/* Whether entry is "<one of names>.<pid>.<usec>.<sec>", and its pid. */
static bool is_temporary(const char *entry, const char *const *names, size_t n_names, pid_t *pid)
{
	for (size_t i = 0; i < n_names; i++) {
		size_t len = strlen(names[i]);
		unsigned long long p, usec, sec;
		const char *s;

		if (strncmp(entry, names[i], len) != 0 || entry[len] != '.')
			continue;
		s = entry + len + 1;
		if (parse_decimal(&s, INT_MAX, &p) && p > 0 && *s++ == '.' &&
		    parse_decimal(&s, 999999, &usec) && *s++ == '.' &&
		    parse_decimal(&s, LONG_MAX, &sec) && *s == '\0') {
			*pid = (pid_t)p;
			return true;
		}
	}
	return false;
}

/* Remove the temporaries of names whose process is gone.  A live process
 * keeps its own (a kmod depmod, which does not lock, may be writing it); a
 * pid that was reused keeps one until that process ends too. */
static void remove_stale(const struct dm_write *w, const char *const *names, size_t n_names)
{
	int fd = openat(w->dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((e = readdir(d))) {
		struct stat st;
		pid_t pid;

		if (!is_temporary(e->d_name, names, n_names, &pid) || pid == getpid())
			continue;
		if (e->d_type != DT_REG &&
		    (e->d_type != DT_UNKNOWN ||
		     fstatat(w->dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		     !S_ISREG(st.st_mode)))
			continue;
		if (kill(pid, 0) == 0 || errno != ESRCH)
			continue;
		if (unlinkat(w->dfd, e->d_name, 0) == 0)
			dm_msg(w->log, LOG_NOTICE, "removed %s/%s, left by an interrupted depmod\n",
			       w->dir, e->d_name);
		else if (errno != ENOENT)
			dm_msg(w->log, LOG_WARNING, "could not remove %s/%s: %s\n", w->dir,
			       e->d_name, strerror(errno));
	}
	closedir(d);
}

int dm_write_begin(const char *dir, const char *const *names, size_t n_names,
		   const struct dm_log *log, struct dm_write **out)
{
	struct dm_write *w;
	int err = make_dirs(dir);

	if (err < 0) {
		dm_msg(log, LOG_CRIT, "could not create directory %s: %s\n", dir, strerror(-err));
		return err;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	*w = (struct dm_write){ .dir = dir, .log = log, .max_files = n_names };
	/* not grown: the syncers hold pointers to the files */
	w->files = calloc(n_names ? n_names : 1, sizeof(*w->files));
	if (!w->files) {
		free(w);
		return -ENOMEM;
	}
	w->dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (w->dfd < 0) {
		err = -errno;
		dm_msg(log, LOG_CRIT, "could not open directory %s: %s\n", dir, strerror(-err));
		free(w->files);
		free(w);
		return err;
	}
	lock_dir(w);
	remove_stale(w, names, n_names);
	*out = w;
	return 0;
}

static int write_whole(int fd, const char *data, size_t size)
{
	size_t done = 0;

	while (done < size) {
		ssize_t got = write(fd, data + done, size - done);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return got < 0 ? -errno : -EIO;
		done += (size_t)got;
	}
	return 0;
}

/* fdatasync, where the file can be synced at all. */
static int sync_file(int fd)
{
	return fdatasync(fd) == 0 || errno == EINVAL ? 0 : -errno;
}

static void temporary_name(struct staged *f)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	snprintf(f->tmp, sizeof(f->tmp), "%s.%ld.%ld.%ld", f->name, (long)getpid(),
		 (long)tv.tv_usec, (long)tv.tv_sec);
}

/* Create f under its temporary name and write it there. */
static int write_named(const struct dm_write *w, struct staged *f)
{
	temporary_name(f);
	f->fd = openat(w->dfd, f->tmp, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
	if (f->fd < 0)
		return -errno;
	f->named = true;
	return write_whole(f->fd, f->data, f->size);
}

static int failed(const struct dm_write *w, const struct staged *f, int err)
{
	dm_msg(w->log, LOG_ERR, "Could not create index '%s' in %s: %s (no index was changed)\n",
	       f->name, w->dir, strerror(-err));
	return err;
}

static void *syncer(void *arg)
{
	struct staged *f = arg;

	f->sync_err = sync_file(f->fd);
	return NULL;
}

int dm_write_file(struct dm_write *w, const char *name, const char *data, size_t size)
{
	struct staged *f;
	int err;

	if (w->n_files == w->max_files)
		return -EINVAL;
	f = &w->files[w->n_files++];
	*f = (struct staged){ .name = name, .data = data, .size = size, .fd = -1, .previous = -1 };
	if (!w->no_tmpfile) {
		f->fd = openat(w->dfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
		/* EISDIR: a kernel older than O_TMPFILE */
		if (f->fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL))
			w->no_tmpfile = true;
		else if (f->fd < 0)
			return failed(w, f, -errno);
	}
	if (w->no_tmpfile)
		err = write_named(w, f);
	else
		err = write_whole(f->fd, data, size);
	if (err < 0)
		return failed(w, f, err);
	/* Without a thread, the commit syncs it. */
	f->syncing = pthread_create(&f->syncer, NULL, syncer, f) == 0;
	return 0;
}

/* The result of f's sync, which may still be running. */
static int synced(struct staged *f)
{
	if (!f->syncing)
		return sync_file(f->fd);
	pthread_join(f->syncer, NULL);
	f->syncing = false;
	return f->sync_err;
}

/* Give an unnamed file its temporary name: through /proc, which works for
 * every user, else by descriptor (AT_EMPTY_PATH), which older kernels allow
 * only with CAP_DAC_READ_SEARCH.  Both fail with ENOENT when unavailable. */
static int link_tmpfile(const struct dm_write *w, struct staged *f)
{
	char proc_path[64];

	temporary_name(f);
	snprintf(proc_path, sizeof(proc_path), "/proc/self/fd/%d", f->fd);
	if (linkat(AT_FDCWD, proc_path, w->dfd, f->tmp, AT_SYMLINK_FOLLOW) < 0 &&
	    (errno != ENOENT || linkat(f->fd, "", w->dfd, f->tmp, AT_EMPTY_PATH) < 0))
		return -errno;
	f->named = true;
	return 0;
}

/* Give synced f its temporary name (writing it again there if it cannot
 * be linked), and close it. */
static int settle(const struct dm_write *w, struct staged *f)
{
	int err = 0;

	if (!f->named) {
		err = link_tmpfile(w, f);
		if (err == -ENOENT) {
			close(f->fd);
			err = write_named(w, f);
			if (err == 0)
				err = sync_file(f->fd);
		}
	}
	if (f->fd >= 0 && close(f->fd) < 0 && err == 0 && errno != EINTR)
		err = -errno;
	f->fd = -1;
	return err < 0 ? failed(w, f, err) : 0;
}

static void release(struct dm_write *w)
{
	for (size_t i = 0; i < w->n_files; i++) {
		if (w->files[i].syncing)
			pthread_join(w->files[i].syncer, NULL);
		if (w->files[i].fd >= 0)
			close(w->files[i].fd);
		if (w->files[i].previous >= 0)
			close(w->files[i].previous);
		if (w->files[i].named)
			unlinkat(w->dfd, w->files[i].tmp, 0);
	}
	close(w->dfd);
	free(w->files);
	free(w);
}

void dm_write_abort(struct dm_write *w)
{
	release(w);
}

int dm_write_commit(struct dm_write *w)
{
	int err = 0;

	for (size_t i = 0; err == 0 && i < w->n_files; i++) {
		struct staged *f = &w->files[i];

		err = synced(f);
		if (err < 0)
			failed(w, f, err);
		/* Held open, the previous file is freed when this closes, not
		 * in the rename, which stays a quick change of the directory. */
		f->previous = openat(w->dfd, f->name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	}
	/* The names appear only now, for as short a time as can be: the
	 * debris of a run killed here is removed by the next one. */
	for (size_t i = 0; err == 0 && i < w->n_files; i++)
		err = settle(w, &w->files[i]);
	/* Nothing has changed until here; a rename that fails (an I/O error)
	 * leaves the files before it replaced. */
	for (size_t i = 0; err == 0 && i < w->n_files; i++) {
		struct staged *f = &w->files[i];

		if (renameat(w->dfd, f->tmp, w->dfd, f->name) < 0) {
			err = -errno;
			dm_msg(w->log, LOG_ERR, "could not rename %s to %s in %s: %s\n", f->tmp,
			       f->name, w->dir, strerror(-err));
			break;
		}
		f->named = false;
	}
	if (err == 0 && fsync(w->dfd) < 0 && errno != EINVAL) {
		err = -errno;
		dm_msg(w->log, LOG_ERR, "could not sync directory %s: %s\n", w->dir,
		       strerror(-err));
	}
	release(w);
	return err;
}

/*
 * firmware.c — where the kernel finds a firmware file: the direct
 * file-system lookup of its firmware loader, in a root of one's choosing.
 * It tries the name in /lib/firmware/updates/RELEASE, /lib/firmware/updates,
 * /lib/firmware/RELEASE and /lib/firmware, then the name with ".zst" in the
 * four, then with ".xz": the first regular file wins.  A symbolic link on
 * the way is followed inside the root, and every link is reported with the
 * file, since an image needs both.  The firmware_class.path parameter and
 * the fallbacks (user space, EFI) are the running kernel's, not a root's,
 * and play no part.
 */
#include "config.h"

#include <errno.h>
#include <dirent.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "internal.h"

/* Links followed for one file, as the kernel's path walk allows. */
#define MAX_LINKS 40

static const char *const suffixes[] = { "", ".zst", ".xz" };

/* The search path's directories below the root, in the kernel's order. */
static int search_dirs(const char *release, char dirs[4][PATH_MAX])
{
	if (!*release || strchr(release, '/') ||
	    (size_t)snprintf(dirs[0], PATH_MAX, "/lib/firmware/updates/%s", release) >= PATH_MAX)
		return -EINVAL;
	strcpy(dirs[1], "/lib/firmware/updates");
	snprintf(dirs[2], PATH_MAX, "/lib/firmware/%s", release);
	strcpy(dirs[3], "/lib/firmware");
	return 0;
}

/* Collapse "." and ".." components and runs of '/' of an absolute path,
 * in place; ".." at the top stays at the top, as in the root. */
static void clean_path(char *path)
{
	char *out = path, *p = path;

	while (*p) {
		size_t len;

		while (*p == '/')
			p++;
		len = strcspn(p, "/");
		if (len == 0 || (len == 1 && p[0] == '.')) {
			/* nothing to keep */
		} else if (len == 2 && p[0] == '.' && p[1] == '.') {
			while (out > path && *--out != '/')
				;
		} else {
			*out++ = '/';
			memmove(out, p, len);
			out += len;
		}
		p += len;
	}
	if (out == path)
		*out++ = '/';
	*out = '\0';
}

/* The link at `link` (a path inside the root, without it) replaced by its
 * `target`, cleaned: an absolute target stays in the root, a relative one
 * is taken from the link's directory. */
static int link_target(char *link, const char *target)
{
	size_t len = target[0] == '/' ? 0 : (size_t)(strrchr(link, '/') + 1 - link);

	if (len + strlen(target) >= PATH_MAX)
		return -ENAMETOOLONG;
	strcpy(link + len, target);
	clean_path(link);
	return 0;
}

/* Follow `path` (inside the root) to a regular file: 1 with every path
 * on the way (the links, then the file; with the root) in *files, 0 when
 * there is none (*files NULL), or -errno. */
static int follow(const char *root, const char *path, char ***files, int *nfiles)
{
	char cur[PATH_MAX], full[PATH_MAX], target[PATH_MAX];
	int err = 0;

	*files = NULL;
	*nfiles = 0;
	snprintf(cur, sizeof(cur), "%s", path);
	for (int hops = 0; err >= 0; hops++) {
		struct stat st;
		ssize_t len;

		if ((size_t)snprintf(full, sizeof(full), "%s%s", root, cur) >= sizeof(full)) {
			err = -ENAMETOOLONG;
			break;
		}
		if (lstat(full, &st) < 0)
			break;
		if (S_ISREG(st.st_mode)) {
			err = mt_strv_push(files, nfiles, full);
			if (err >= 0)
				return 1;
			break;
		}
		if (!S_ISLNK(st.st_mode) || hops == MAX_LINKS)
			break;
		len = readlink(full, target, sizeof(target) - 1);
		if (len <= 0)
			break;
		target[len] = '\0';
		err = mt_strv_push(files, nfiles, full);
		if (err >= 0)
			err = link_target(cur, target);
	}
	/* no file at the end: nothing to report */
	mt_strv_free(*files, *nfiles);
	*files = NULL;
	*nfiles = 0;
	return err;
}

/* A name the kernel could look up below its directories: relative, with
 * no "." or ".." component. */
static bool valid_name(const char *name)
{
	const char *p = name;

	if (name[0] == '\0' || name[0] == '/')
		return false;
	while (*p) {
		size_t len = strcspn(p, "/");

		if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p += len;
		p += *p == '/';
	}
	return true;
}

int mt_firmware_find(const char *root, const char *release, const char *name, char ***files)
{
	char dirs[4][PATH_MAX], path[PATH_MAX];
	int nfiles = 0, err;

	*files = NULL;
	if (!root)
		root = "";
	if (!valid_name(name))
		return mt_fail(EINVAL, "invalid firmware name '%s'", name);
	err = search_dirs(release, dirs);
	if (err < 0)
		return mt_fail(-err, "invalid kernel release '%s'", release);
	for (size_t s = 0; s < sizeof(suffixes) / sizeof(suffixes[0]); s++) {
		for (int d = 0; d < 4; d++) {
			if ((size_t)snprintf(path, sizeof(path), "%s/%s%s", dirs[d], name,
					     suffixes[s]) >= sizeof(path))
				return mt_fail(ENAMETOOLONG, "invalid firmware name '%s'", name);
			err = follow(root, path, files, &nfiles);
			if (err < 0)
				return mt_fail(-err, "firmware %s: %s", name, strerror(-err));
			if (err > 0)
				return nfiles;
		}
	}
	return 0;
}

/* Strip a compression suffix the search adds. */
static void strip_suffix(char *name)
{
	size_t len = strlen(name);

	for (size_t s = 1; s < sizeof(suffixes) / sizeof(suffixes[0]); s++) {
		size_t n = strlen(suffixes[s]);

		if (len > n && strcmp(name + len - n, suffixes[s]) == 0) {
			name[len - n] = '\0';
			return;
		}
	}
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The paths below `dir` (relative to it; `rel` is the part walked so far,
 * ending in '/' or empty) that match `pattern` with `suffix` after its last
 * component, as glob(3) matches, pushed to *found.  Through opendir, so
 * that a shim sees the walk. */
static int match_below(const char *dir, const char *rel, const char *pattern, const char *suffix,
		       char ***found, int *nfound)
{
	const char *slash = strchr(pattern, '/');
	size_t comp_len = slash ? (size_t)(slash - pattern) : strlen(pattern);
	char path[PATH_MAX], want[PATH_MAX];
	struct dirent *e;
	int err = 0;
	DIR *d;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, rel) >= sizeof(path) ||
	    (size_t)snprintf(want, sizeof(want), "%.*s%s", (int)comp_len, pattern,
			     slash ? "" : suffix) >= sizeof(want))
		return 0;
	d = opendir(path);
	if (!d)
		return 0;
	while (err >= 0 && (e = readdir(d))) {
		char next[PATH_MAX];
		struct stat st;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
		    fnmatch(want, e->d_name, FNM_PERIOD) != 0 ||
		    (size_t)snprintf(next, sizeof(next), "%s%s%s", rel, e->d_name, slash ? "/" : "") >=
			    sizeof(next))
			continue;
		if (!slash)
			err = mt_strv_push(found, nfound, next);
		else if (snprintf(path, sizeof(path), "%s/%s", dir, next) > 0 && stat(path, &st) == 0 &&
			 S_ISDIR(st.st_mode))
			err = match_below(dir, next, slash + 1, suffix, found, nfound);
	}
	closedir(d);
	return err;
}

int mt_firmware_glob(const char *root, const char *release, const char *pattern, char ***names)
{
	char dirs[4][PATH_MAX], dir[PATH_MAX];
	int count = 0, err;

	*names = NULL;
	if (!root)
		root = "";
	if (!valid_name(pattern))
		return mt_fail(EINVAL, "invalid firmware name '%s'", pattern);
	err = search_dirs(release, dirs);
	if (err < 0)
		return mt_fail(-err, "invalid kernel release '%s'", release);
	for (int d = 0; d < 4 && err >= 0; d++) {
		for (size_t s = 0; s < sizeof(suffixes) / sizeof(suffixes[0]) && err >= 0; s++) {
			char **found = NULL;
			int nfound = 0;

			if ((size_t)snprintf(dir, sizeof(dir), "%s%s", root, dirs[d]) >= sizeof(dir))
				continue;
			err = match_below(dir, "", pattern, suffixes[s], &found, &nfound);
			/* in glob(3)'s order */
			if (nfound > 1)
				qsort(found, (size_t)nfound, sizeof(*found), compare_strings);
			for (int i = 0; i < nfound && err >= 0; i++) {
				bool known = false;

				strip_suffix(found[i]);
				for (int k = 0; k < count && !known; k++)
					known = strcmp((*names)[k], found[i]) == 0;
				if (!known)
					err = mt_strv_push(names, &count, found[i]);
			}
			mt_strv_free(found, nfound);
		}
	}
	if (err < 0) {
		mt_strv_free(*names, count);
		*names = NULL;
		return err;
	}
	return count;
}

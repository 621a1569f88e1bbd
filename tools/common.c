/*
 * common.c — helpers shared by the tools (see common.h).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include "libmodtool.h"
#include "common.h"
#include "log.h"

const char *program_name(const char *argv0)
{
	const char *slash = strrchr(argv0, '/');

	return slash ? slash + 1 : argv0;
}

void print_version(void)
{
	printf("kmod version %s (modtool %s)\n%cZSTD %cXZ %cZLIB %cOPENSSL\n",
	       KMOD_COMPAT_VERSION, PACKAGE_VERSION,
	       mt_compression_supported(MT_COMPRESSION_ZSTD) ? '+' : '-',
	       mt_compression_supported(MT_COMPRESSION_XZ) ? '+' : '-',
	       mt_compression_supported(MT_COMPRESSION_GZIP) ? '+' : '-',
#ifdef ENABLE_OPENSSL
	       '+'
#else
	       '-'
#endif
	       );
}

char *module_params(int count, char *const words[])
{
	size_t len = 1;
	char *out, *p;

	for (int i = 0; i < count; i++)
		len += strlen(words[i]) + 3;
	out = p = malloc(len);
	if (!out)
		return NULL;
	*p = '\0';
	for (int i = 0; i < count; i++) {
		const char *w = words[i], *eq = strchr(w, '=');

		if (i)
			*p++ = ' ';
		if (eq && eq[1] != '"' && eq[1] != '\'' && strchr(eq + 1, ' '))
			p += sprintf(p, "%.*s\"%s\"", (int)(eq + 1 - w), w, eq + 1);
		else
			p = stpcpy(p, w);
	}
	*p = '\0';
	return out;
}

int mkdir_parents(const char *path)
{
	char *copy = strdup(path), *p;
	struct stat st;
	int err = 0;

	if (!copy)
		return -ENOMEM;
	for (p = strchr(copy + 1, '/'); p; p = strchr(p + 1, '/')) {
		if (p[-1] == '/')
			continue;	/* a run of slashes */
		*p = '\0';
		if (mkdir(copy, 0755) < 0) {
			int mkdir_err = errno;

			/* an existing directory is fine, whatever mkdir said */
			if (stat(copy, &st) < 0)
				err = -mkdir_err;
			else if (!S_ISDIR(st.st_mode))
				err = -ENOTDIR;
		}
		*p = '/';
		if (err < 0)
			break;
	}
	free(copy);
	return err;
}

const char *insert_strerror(int err)
{
	switch (-err) {
	case ENOEXEC: return "Invalid module format";
	case ENOENT: return "Unknown symbol in module";
	case ESRCH: return "Module has wrong symbol version";
	case EINVAL: return "Invalid parameters";
	default: return strerror(-err);
	}
}

char *module_dirname(const char *root, const char *kversion)
{
	struct utsname u;
	char *dirname, *abs;

	if (!root && !kversion)
		return NULL;
	if (!kversion && uname(&u) < 0) {
		ERR("uname() failed: %s\n", strerror(errno));
		return NULL;
	}
	if (asprintf(&dirname, "%s" MODULE_DIRECTORY "/%s", root ? root : "",
		     kversion ? kversion : u.release) < 0)
		return NULL;
	if (strlen(dirname) >= PATH_MAX) {
		ERR("bad directory %s: path too long\n", dirname);
		free(dirname);
		return NULL;
	}
	if (dirname[0] == '/')
		return dirname;
	abs = mt_path_absolute(dirname);
	free(dirname);
	return abs;
}

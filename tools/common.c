/*
 * common.c — helpers shared by the tools (see common.h).
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "libmodtool.h"
#include "common.h"

const char *program_name(const char *argv0)
{
	const char *slash = strrchr(argv0, '/');

	return slash ? slash + 1 : argv0;
}

void print_version(void)
{
	printf("modtool version %s\n%cZSTD %cXZ %cZLIB %cOPENSSL\n", PACKAGE_VERSION,
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

char *make_absolute(const char *path)
{
	char cwd[PATH_MAX], *out;

	if (path[0] == '/')
		return strdup(path);
	if (!getcwd(cwd, sizeof(cwd)))
		return NULL;
	if (asprintf(&out, "%s/%s", cwd, path) < 0)
		return NULL;
	return out;
}

/*
 * dlib.c — the optional libraries behind gzip, xz and zstd modules and the
 * details of PKCS#7 signatures.  By default each is opened with dlopen, by
 * the soname configure found, the first time it is needed: a tool that meets
 * no compressed module and no signature never loads zlib, liblzma, libzstd
 * or libcrypto.  With --disable-dlopen they are linked and the tables point
 * straight at their functions.
 */
#include "config.h"

#define MT_OPTIONAL_LIBS
#include "internal.h"

#ifdef ENABLE_DLOPEN
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

/* One library, settled once by load(). */
struct optional_lib {
	const char *soname;
	const char *purpose;			/* what needs it: "xz-compressed module" */
	const char *(*resolve)(void *handle);	/* fills the table; NULL or a missing symbol */
	bool loaded;
	char failure[256];			/* why it could not be loaded */
};

static void load(struct optional_lib *lib)
{
	void *handle = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
	const char *missing;

	if (!handle) {
		const char *why = dlerror();

		snprintf(lib->failure, sizeof(lib->failure), "%s", why ? why : "dlopen failed");
		return;
	}
	missing = lib->resolve(handle);
	if (missing) {
		snprintf(lib->failure, sizeof(lib->failure), "%s has no %s", lib->soname, missing);
		dlclose(handle);
		return;
	}
	lib->loaded = true;
}

static int check_loaded(const struct optional_lib *lib, const char *subject)
{
	if (lib->loaded)
		return 0;
	return mt_fail(ELIBACC, "%s: %s but %s cannot be loaded: %s",
		       subject, lib->purpose, lib->soname, lib->failure);
}

/* Inside a resolver: fill table->sym from `handle`, or give up naming it. */
#define RESOLVE(sym) \
	if (!(table->sym = (__typeof__(table->sym))dlsym(handle, #sym))) \
		return #sym;

/* A library's table, its resolver, and mt_load_<name>() loading it once. */
#define OPTIONAL_LIB(name, SYMBOLS, soname, purpose)				\
	static struct mt_##name name##_table;					\
	static const char *resolve_##name(void *handle)				\
	{									\
		struct mt_##name *table = &name##_table;			\
		SYMBOLS(RESOLVE)						\
		return NULL;							\
	}									\
	static struct optional_lib name##_lib = { soname, purpose, resolve_##name, false, "" }; \
	static void load_##name(void)						\
	{									\
		load(&name##_lib);						\
	}									\
	int mt_load_##name(const char *subject, const struct mt_##name **out)	\
	{									\
		static pthread_once_t once = PTHREAD_ONCE_INIT;			\
		int err;							\
										\
		pthread_once(&once, load_##name);				\
		err = check_loaded(&name##_lib, subject);			\
		if (err == 0)							\
			*out = &name##_table;					\
		return err;							\
	}

#else

#define DIRECT(sym) .sym = sym,

/* A library's table, filled at link time. */
#define OPTIONAL_LIB(name, SYMBOLS, soname, purpose)				\
	static const struct mt_##name name##_table = { SYMBOLS(DIRECT) };	\
	int mt_load_##name(const char *subject, const struct mt_##name **out)	\
	{									\
		(void)subject;							\
		*out = &name##_table;						\
		return 0;							\
	}

#endif

#ifdef ENABLE_ZLIB
OPTIONAL_LIB(zlib, MT_ZLIB_SYMBOLS, ZLIB_SONAME, "gzip-compressed module")
#endif
#ifdef ENABLE_XZ
OPTIONAL_LIB(xz, MT_XZ_SYMBOLS, XZ_SONAME, "xz-compressed module")
#endif
#ifdef ENABLE_ZSTD
OPTIONAL_LIB(zstd, MT_ZSTD_SYMBOLS, ZSTD_SONAME, "zstd-compressed module")
#endif
#ifdef ENABLE_OPENSSL
OPTIONAL_LIB(crypto, MT_CRYPTO_SYMBOLS, OPENSSL_SONAME, "PKCS#7 signature")
#endif

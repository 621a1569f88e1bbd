/*
 * dlib.c — the optional libraries behind gzip, xz and zstd modules and the
 * details of PKCS#7 signatures.  By default each is opened with dlopen, by
 * the soname configure found, the first time it is needed: a tool that meets
 * no compressed module and no signature never loads zlib, liblzma, libzstd
 * or libcrypto.  Each such library is declared in a .note.dlopen ELF note
 * (systemd's ELF dlopen metadata), from which packagers derive the
 * dependency that DT_NEEDED no longer shows.  With --disable-dlopen they
 * are linked and the tables point straight at their functions.
 */
#include "config.h"

#define MT_OPTIONAL_LIBS
#include "internal.h"

#ifdef ENABLE_DLOPEN
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
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

/* A .note.dlopen note: owner "FDO", type 0x407c0c0a, and as descriptor a
 * NUL-terminated JSON array of one object naming the library, 4-byte
 * aligned and padded, in an allocated read-only section. */
#define DLOPEN_NOTE_OWNER "FDO"
#define DLOPEN_NOTE_TYPE 0x407c0c0aU
#define DLOPEN_NOTE(name, feature, description, priority, soname)		\
	static const struct {							\
		uint32_t namesz, descsz, type;					\
		char owner[sizeof(DLOPEN_NOTE_OWNER)];				\
		_Alignas(4) char desc[sizeof(DLOPEN_NOTE_JSON(feature, description, priority, soname))]; \
	} name##_dlopen_note							\
	__attribute__((used, section(".note.dlopen"), aligned(4))) = {		\
		sizeof(DLOPEN_NOTE_OWNER),					\
		sizeof(DLOPEN_NOTE_JSON(feature, description, priority, soname)), \
		DLOPEN_NOTE_TYPE,						\
		DLOPEN_NOTE_OWNER,						\
		DLOPEN_NOTE_JSON(feature, description, priority, soname),	\
	};
#define DLOPEN_NOTE_JSON(feature, description, priority, soname)		\
	"[{\"soname\":[\"" soname "\"],\"feature\":\"" feature			\
	"\",\"description\":\"" description "\",\"priority\":\"" priority "\"}]"

/* Inside a resolver: fill table->sym from `handle`, or give up naming it. */
#define RESOLVE(sym) \
	if (!(table->sym = (__typeof__(table->sym))dlsym(handle, #sym))) \
		return #sym;

/* A library's note, table, resolver, and mt_load_<name>() loading it once. */
#define OPTIONAL_LIB(name, SYMBOLS, soname, purpose, feature, description, priority) \
	DLOPEN_NOTE(name, feature, description, priority, soname)		\
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
#define OPTIONAL_LIB(name, SYMBOLS, soname, purpose, feature, description, priority) \
	static const struct mt_##name name##_table = { SYMBOLS(DIRECT) };	\
	int mt_load_##name(const char *subject, const struct mt_##name **out)	\
	{									\
		(void)subject;							\
		*out = &name##_table;						\
		return 0;							\
	}

#endif

/* Compressed modules are common (distributions compress them), hence
 * "recommended"; signature details only enrich modinfo: "suggested". */
#ifdef ENABLE_ZLIB
OPTIONAL_LIB(zlib, MT_ZLIB_SYMBOLS, ZLIB_SONAME, "gzip-compressed module",
	     "zlib", "Support for gzip-compressed modules", "recommended")
#endif
#ifdef ENABLE_XZ
OPTIONAL_LIB(xz, MT_XZ_SYMBOLS, XZ_SONAME, "xz-compressed module",
	     "xz", "Support for xz-compressed modules", "recommended")
#endif
#ifdef ENABLE_ZSTD
OPTIONAL_LIB(zstd, MT_ZSTD_SYMBOLS, ZSTD_SONAME, "zstd-compressed module",
	     "zstd", "Support for zstd-compressed modules", "recommended")
#endif
#ifdef ENABLE_OPENSSL
OPTIONAL_LIB(crypto, MT_CRYPTO_SYMBOLS, OPENSSL_SONAME, "PKCS#7 signature",
	     "openssl", "Signer and key details of PKCS#7 module signatures", "suggested")
#endif

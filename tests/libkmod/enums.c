/*
 * enums.c — every constant and enum of libkmod.h with its value and size,
 * for tests/libkmod-header.sh, which builds it against Debian's header and
 * against libkmod/libkmod.h and compares the two outputs.  It also uses the
 * list macros.
 */
#include <stdio.h>
#include <libkmod.h>

#define V(c) printf("%s %lld %zu\n", #c, (long long)(c), sizeof(c))
#define S(t) printf("sizeof(%s) %zu\n", #t, sizeof(t))

int main(void)
{
	struct kmod_list *entry = NULL, *list = NULL;
	int n = 0;

	V(KMOD_RESOURCES_OK); V(KMOD_RESOURCES_MUST_RELOAD); V(KMOD_RESOURCES_MUST_RECREATE);
	V(KMOD_INDEX_MODULES_DEP); V(KMOD_INDEX_MODULES_ALIAS); V(KMOD_INDEX_MODULES_SYMBOL);
	V(KMOD_INDEX_MODULES_BUILTIN_ALIAS); V(KMOD_INDEX_MODULES_BUILTIN); V(_KMOD_INDEX_PAD);
	V(KMOD_REMOVE_FORCE); V(KMOD_REMOVE_NOWAIT); V(KMOD_REMOVE_NOLOG);
	V(KMOD_INSERT_FORCE_VERMAGIC); V(KMOD_INSERT_FORCE_MODVERSION);
	V(KMOD_PROBE_FORCE_VERMAGIC); V(KMOD_PROBE_FORCE_MODVERSION); V(KMOD_PROBE_IGNORE_COMMAND);
	V(KMOD_PROBE_IGNORE_LOADED); V(KMOD_PROBE_DRY_RUN); V(KMOD_PROBE_FAIL_ON_LOADED);
	V(KMOD_PROBE_APPLY_BLACKLIST_ALL); V(KMOD_PROBE_APPLY_BLACKLIST);
	V(KMOD_PROBE_APPLY_BLACKLIST_ALIAS_ONLY);
	V(KMOD_FILTER_BLACKLIST); V(KMOD_FILTER_BUILTIN);
	V(KMOD_MODULE_BUILTIN); V(KMOD_MODULE_LIVE); V(KMOD_MODULE_COMING); V(KMOD_MODULE_GOING);
	V(_KMOD_MODULE_PAD);
	V(KMOD_SYMBOL_NONE); V(KMOD_SYMBOL_LOCAL); V(KMOD_SYMBOL_GLOBAL); V(KMOD_SYMBOL_WEAK);
	V(KMOD_SYMBOL_UNDEF);
	S(enum kmod_resources); S(enum kmod_index); S(enum kmod_remove); S(enum kmod_insert);
	S(enum kmod_probe); S(enum kmod_filter); S(enum kmod_module_initstate);
	S(enum kmod_symbol_bind);
	kmod_list_foreach(entry, list)
		n++;
	kmod_list_foreach_reverse(entry, list)
		n++;
	printf("empty list: %d entries\n", n);
	return 0;
}

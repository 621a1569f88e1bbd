#!/bin/sh
# libkmod-abi.sh [LIBRARY] — the exported functions and version nodes of a
# libkmod.so.2 against Debian's (objdump -T): the same names at the same
# versions, plus kmod 34.2's kmod_module_new_from_name_lookup@@LIBKMOD_30
# (Debian's kmod 30 has it at LIBKMOD_5, which stays, as a non-default
# version) and kmod_config_get_weakdeps, kmod_module_get_weakdeps at
# LIBKMOD_33; each node inheriting the one before; the soname libkmod.so.2;
# and a program linked against Debian's libkmod that binds every function
# at start-up (LD_BIND_NOW) starting on it.
#
# LIBRARY: by default this tree's libkmod/.libs/libkmod.so.2 when built.
# Always checked too: a library made here from libkmod/libkmod.sym, one
# empty function per name and the .symver alias, proving that the version
# script and that alias give the exports above.
. "${top_srcdir:-$(dirname "$0")/..}/tests/common.sh"

: "${CC:=cc}"
command -v objdump > /dev/null || missing_input_all "objdump is not installed"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf 'int main(void) { return 0; }\n' > "$work/t.c"
"$CC" -o "$work/t" "$work/t.c" -lkmod 2>/dev/null || missing_input_all "Debian's libkmod is not installed"
DEBIAN=$(ldd "$work/t" 2>/dev/null | sed -n 's/^[[:space:]]*libkmod\.so\.2 => \([^ ]*\) .*/\1/p')
[ -n "$DEBIAN" ] || { "$CC" -Wl,--no-as-needed -o "$work/t" "$work/t.c" -lkmod &&
	DEBIAN=$(ldd "$work/t" | sed -n 's/^[[:space:]]*libkmod\.so\.2 => \([^ ]*\) .*/\1/p'); }
[ -n "$DEBIAN" ] || missing_input_all "Debian's libkmod.so.2 is not found"
SYM=$top_srcdir/libkmod/libkmod.sym

exports() {	# exports LIB — "NAME VERSION" per function, "(VERSION)" when not the default
	objdump -T "$1" | awk '$0 ~ / DF / && $0 !~ /\*UND\*/ { print $NF, $(NF - 1) }' | sort
}

# The expected exports: Debian's, the LIBKMOD_30 default of
# kmod_module_new_from_name_lookup, Debian's LIBKMOD_5 one as non-default,
# and the LIBKMOD_33 pair.
exports "$DEBIAN" | sed 's/^kmod_module_new_from_name_lookup LIBKMOD_5$/kmod_module_new_from_name_lookup (LIBKMOD_5)/' > "$work/want"
printf '%s\n' 'kmod_module_new_from_name_lookup LIBKMOD_30' 'kmod_config_get_weakdeps LIBKMOD_33' \
	'kmod_module_get_weakdeps LIBKMOD_33' >> "$work/want"
sort -o "$work/want" "$work/want"
[ "$(wc -l < "$work/want")" = 76 ] && grep -qx 'kmod_module_new_from_name_lookup (LIBKMOD_5)' "$work/want"
ok $? "Debian's libkmod.so.2: 73 functions, kmod_module_new_from_name_lookup at LIBKMOD_5"

# A program that references every function of Debian's header, linked
# against Debian's library, with every symbol bound at start-up.
grep -o 'kmod_[a-z_]*;' "$SYM" | tr -d ';' | sort -u > "$work/all-names"
grep -v weakdeps "$work/all-names" > "$work/names"
{
	printf '%s\n' '#include <libkmod.h>' '#include <stdio.h>' \
		'#pragma GCC diagnostic ignored "-Wdeprecated-declarations"' \
		'static void *const used[] = {'
	sed 's/.*/\t(void *)\&&,/' "$work/names"
	printf '%s\n' '};' \
		'int main(void) { printf("%zu functions\n", sizeof(used) / sizeof(used[0])); return 0; }'
} > "$work/refs.c"
"$CC" -std=gnu11 -o "$work/refs" "$work/refs.c" -lkmod
ok $? "a program referencing Debian's 73 functions links against Debian's libkmod"

check_library() {	# check_library LABEL LIB
	exports "$2" > "$work/got"
	same "$work/want" "$work/got"
	ok $? "$1: the functions and versions of Debian's, with kmod 34.2's nodes"
	objdump -p "$2" | awk '/^Version definitions:/ { on = 1; next } /^$/ { on = 0 }
		on && NF == 4 && $1 > 1 { if (v != "") print v; v = $4 } on && NF == 1 { print v, $1; v = "" }
		END { if (v != "") print v }' > "$work/nodes"
	# Each node's definition is followed by the node it inherits.
	printf '%s\n' LIBKMOD_5 'LIBKMOD_6 LIBKMOD_5' 'LIBKMOD_22 LIBKMOD_6' 'LIBKMOD_30 LIBKMOD_22' \
		'LIBKMOD_33 LIBKMOD_30' > "$work/nodes.want"
	same "$work/nodes.want" "$work/nodes"
	ok $? "$1: version nodes LIBKMOD_5 < 6 < 22 < 30 < 33"
	objdump -p "$2" | grep -q '^ *SONAME *libkmod\.so\.2$'
	ok $? "$1: soname libkmod.so.2"
	mkdir -p "$work/dir" && rm -f "$work/dir/libkmod.so.2" && cp "$2" "$work/dir/libkmod.so.2" &&
		[ "$(LD_BIND_NOW=1 LD_LIBRARY_PATH="$work/dir" "$work/refs")" = "73 functions" ]
	ok $? "$1: a binary linked against Debian's libkmod starts on it, every function bound"
}

# The proof library: libkmod.sym, one empty function per name.
{
	grep -v '^kmod_module_new_from_name_lookup$' "$work/all-names" |
		sed 's/.*/void &(void);\nvoid &(void) {}/'
	printf '%s\n' 'void mt_name_lookup(void);' 'void mt_name_lookup(void) {}' \
		'void mt_name_lookup_5(void);' 'void mt_name_lookup_5(void) {}' \
		'__asm__(".symver mt_name_lookup, kmod_module_new_from_name_lookup@@LIBKMOD_30");' \
		'__asm__(".symver mt_name_lookup_5, kmod_module_new_from_name_lookup@LIBKMOD_5");'
} > "$work/proof.c"
"$CC" -shared -fPIC -o "$work/proof.so" "$work/proof.c" -Wl,-soname,libkmod.so.2 \
	-Wl,--version-script="$SYM"
ok $? "libkmod.sym links a shared library"
check_library "libkmod.sym with the .symver alias" "$work/proof.so"

LIB=${1:-$top_builddir/libkmod/.libs/libkmod.so.2}
if [ -f "$LIB" ]; then
	check_library "$LIB" "$LIB"
else
	skip "this tree's libkmod.so.2" "not built"
fi

done_testing

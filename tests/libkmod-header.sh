#!/bin/sh
# libkmod-header.sh — libkmod/libkmod.h against Debian's libkmod.h (kmod 30):
# every function declared with the same prototype (gcc -aux-info), plus
# exactly kmod 33's kmod_config_get_weakdeps and kmod_module_get_weakdeps;
# the same enum values and sizes and list macros (tests/libkmod/enums.c
# built against each); kmod_module_get_filtered_blacklist deprecated in
# both; every differential program compiling with -Werror against ours; and
# libkmod/libkmod.pc saying libkmod 34.2, -lkmod.
. "${top_srcdir:-$(dirname "$0")/..}/tests/common.sh"

: "${CC:=cc}"
OURS=$top_srcdir/libkmod
echo '#include <stdio.h>' | "$CC" -E -x c - > /dev/null 2>&1 || missing_input_all "no C compiler ($CC)"
echo '#include <libkmod.h>' | "$CC" -E -x c - > /dev/null 2>&1 || missing_input_all "Debian's libkmod.h is not installed (libkmod-dev)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo '#include <libkmod.h>' > "$work/h.c"

prototypes() {	# prototypes OUT [-I DIR]
	out=$1
	shift
	"$CC" -std=gnu11 -fsyntax-only -aux-info "$work/aux" "$@" "$work/h.c" &&
		sed -n 's|^/\* [^*]* \*/ ||p' "$work/aux" | grep ' kmod_' | sort > "$out"
}
if "$CC" -fsyntax-only -aux-info /dev/null "$work/h.c" 2>/dev/null; then
	prototypes "$work/debian" && prototypes "$work/ours" -I "$OURS" &&
		{ cat "$work/debian"
		  echo 'extern int kmod_module_get_weakdeps (const struct kmod_module *, struct kmod_list **);'
		  echo 'extern struct kmod_config_iter *kmod_config_get_weakdeps (const struct kmod_ctx *);'
		} | sort > "$work/want" && [ "$(wc -l < "$work/debian")" = 73 ]
	same "$work/want" "$work/ours"
	ok $? "the 73 functions of Debian's header with the same prototypes, and kmod 33's two"
else
	skip "prototypes" "$CC has no -aux-info"
fi

"$CC" -std=gnu11 -o "$work/enums-debian" "$top_srcdir/tests/libkmod/enums.c" -lkmod &&
	"$CC" -std=gnu11 -I "$OURS" -o "$work/enums-ours" "$top_srcdir/tests/libkmod/enums.c" -lkmod &&
	"$work/enums-debian" > "$work/enums.want" && "$work/enums-ours" > "$work/enums.got" &&
	same "$work/enums.want" "$work/enums.got" && [ "$(wc -l < "$work/enums.got")" = 44 ]
ok $? "the same enum values and sizes, and the list macros"

printf '#include <libkmod.h>\nint f(void) { return kmod_module_get_filtered_blacklist(0, 0, 0); }\n' > "$work/dep.c"
! "$CC" -std=gnu11 -Werror=deprecated-declarations -fsyntax-only "$work/dep.c" 2>/dev/null &&
	! "$CC" -std=gnu11 -Werror=deprecated-declarations -fsyntax-only -I "$OURS" "$work/dep.c" 2>/dev/null &&
	"$CC" -std=gnu11 -Wno-deprecated-declarations -Werror -fsyntax-only -I "$OURS" "$work/dep.c"
ok $? "kmod_module_get_filtered_blacklist is deprecated in both headers"

for f in "$top_srcdir"/tests/libkmod/*.c; do
	"$CC" -D_GNU_SOURCE ${MT_WARN_CFLAGS:--std=gnu11 -Wall -Wextra} -Werror -fsyntax-only \
		-I "$OURS" "$f"
	ok $? "$(basename "$f") compiles with -Werror against libkmod/libkmod.h"
done

pc=$top_builddir/libkmod/libkmod.pc
if [ -f "$pc" ] && command -v pkg-config > /dev/null; then
	[ "$(PKG_CONFIG_PATH=$top_builddir/libkmod pkg-config --modversion libkmod)" = 34.2 ] &&
		PKG_CONFIG_PATH=$top_builddir/libkmod pkg-config --libs libkmod | grep -q -- '-lkmod *$' &&
		grep -qx 'Name: libkmod' "$pc" && grep -qx 'Cflags: -I${includedir}' "$pc"
	ok $? "libkmod.pc: libkmod 34.2, -lkmod"
else
	missing_input "libkmod.pc" "libkmod/libkmod.pc is not configured, or no pkg-config"
fi

done_testing

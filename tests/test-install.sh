#!/bin/sh
# test-install.sh — make install as a distribution runs it: a fresh build
# configured --prefix=/usr --bindir=/bin --sbindir=/sbin (Debian's kmod
# layout) and --with-module-directory=/usr/lib/modules (openSUSE's), staged
# with DESTDIR.  The tree holds kmod in /bin and the six tools as symlinks
# to it in /sbin, libmodtool, libkmod.so.2 (kmod's file name) with
# libkmod.h and libkmod.pc, the manual pages, kmod.pc with kmod's
# variables, empty modprobe.d and depmod.d directories; the staged programs
# and a program linked against Debian's libkmod, run on the staged one,
# look for modules under /usr/lib/modules; make uninstall removes it all;
# configure --disable-libkmod leaves libkmod.so.2 out.
. "${top_srcdir:-$(dirname "$0")/..}/tests/common.sh"

[ -f "${MT_SHIM:-}" ] || skip_all "the shim is not built"
[ -x "$top_srcdir/configure" ] || skip_all "no configure script"
[ -e "$top_srcdir/config.status" ] && skip_all "the source tree is configured in place"
command -v pkg-config > /dev/null || skip_all "pkg-config is not installed"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
build=$work/build
dest=$work/dest
mkdir -p "$build"

# The parent make's job server is not ours.
unset MAKEFLAGS MFLAGS MAKELEVEL
(cd "$build" && "$top_srcdir/configure" -q --prefix=/usr --bindir=/bin --sbindir=/sbin \
	--with-module-directory=/usr/lib/modules CFLAGS=-O0 &&
	make -s -j2 > "$work/make.log" 2>&1 &&
	make -s install DESTDIR="$dest" >> "$work/make.log" 2>&1)
rc=$?
[ "$rc" = 0 ] || sed 's/^/# /' "$work/make.log" | tail -n 20
ok $rc "configure, make and make install DESTDIR=... succeed"
[ "$rc" = 0 ] || { done_testing; exit; }
(cd "$dest" && find . | sort) | sed 's/^/# /'

# The programs.
[ -f "$dest/bin/kmod" ] && [ ! -L "$dest/bin/kmod" ] && [ -x "$dest/bin/kmod" ] &&
	[ "$(head -c 4 "$dest/bin/kmod" | tail -c 3)" = ELF ]
ok $? "kmod is a program in /bin"
for t in insmod rmmod lsmod modinfo modprobe depmod; do
	[ -L "$dest/sbin/$t" ] && [ "$(readlink "$dest/sbin/$t")" = ../bin/kmod ] &&
		[ "$(readlink -f "$dest/sbin/$t")" = "$(readlink -f "$dest/bin/kmod")" ]
	ok $? "/sbin/$t is a symlink to ../bin/kmod"
done
[ "$(find "$dest/bin" "$dest/sbin" ! -type d | wc -l)" = 7 ]
ok $? "nothing else in /bin and /sbin"

# Library, header, pkg-config files, manual pages.
libdir=$dest/usr/lib
ls "$libdir"/libmodtool.so.0* > /dev/null 2>&1 && [ -f "$dest/usr/include/libmodtool.h" ] &&
	[ -f "$libdir/pkgconfig/libmodtool.pc" ]
ok $? "libmodtool, its header and libmodtool.pc"
[ -f "$libdir/libkmod.so.2.4.0" ] && [ "$(readlink "$libdir/libkmod.so.2")" = libkmod.so.2.4.0 ] &&
	[ -f "$dest/usr/include/libkmod.h" ] && [ -f "$libdir/pkgconfig/libkmod.pc" ] &&
	[ "$(PKG_CONFIG_PATH=$libdir/pkgconfig pkg-config --modversion libkmod)" = 34.2 ]
ok $? "libkmod.so.2 (libkmod.so.2.4.0, as kmod's), libkmod.h and libkmod.pc 34.2"
missing=
for m in man8/kmod.8 man8/insmod.8 man8/rmmod.8 man8/lsmod.8 man8/modinfo.8 \
	man8/modprobe.8 man8/depmod.8 man5/modprobe.d.5 man5/depmod.d.5 man5/modules.dep.5; do
	[ -s "$dest/usr/share/man/$m" ] || missing="$missing $m"
done
[ -z "$missing" ] || echo "# missing:$missing"
[ -z "$missing" ]
ok $? "the manual pages, kmod.8 among them"
python3 -c 'import json, sys; [json.load(open(f)) for f in sys.argv[1:]]' \
	"$dest/usr/share/modtool/modinfo.schema.json" "$dest/usr/share/modtool/lsmod.schema.json" \
	"$dest/usr/share/modtool/modprobe-show-depends.schema.json" \
	"$dest/usr/share/modtool/modprobe-config.schema.json" \
	"$dest/usr/share/modtool/closure.schema.json"
ok $? "the JSON Schemas of modinfo, lsmod, modprobe and kmod closure --json in /usr/share/modtool"

# kmod.pc as kmod installs it.
pc() {	# pc VARIABLE
	PKG_CONFIG_PATH=$dest/usr/share/pkgconfig PKG_CONFIG_LIBDIR=/nonexistent \
		pkg-config --variable="$1" kmod
}
compressions=
grep -q '^#define ENABLE_ZSTD 1' "$build/config.h" && compressions="$compressions zstd"
grep -q '^#define ENABLE_XZ 1' "$build/config.h" && compressions="$compressions xz"
grep -q '^#define ENABLE_ZLIB 1' "$build/config.h" && compressions="$compressions zlib"
signatures=legacy
grep -q '^#define ENABLE_OPENSSL 1' "$build/config.h" && signatures="PKCS7 legacy"
[ -f "$dest/usr/share/pkgconfig/kmod.pc" ] && sed 's/^/# /' "$dest/usr/share/pkgconfig/kmod.pc"
[ "$(pc sysconfdir)" = /etc ] && [ "$(pc distconfdir)" = /usr/lib ] &&
	[ "$(pc module_directory)" = /usr/lib/modules ] &&
	[ "$(pc module_compressions)" = "${compressions# }" ] &&
	[ "$(pc module_signatures)" = "$signatures" ] &&
	[ "$(PKG_CONFIG_PATH=$dest/usr/share/pkgconfig pkg-config --modversion kmod)" = 34.2 ]
ok $? "kmod.pc: sysconfdir, distconfdir, module_directory, module_compressions, module_signatures, version"

# The empty configuration directories.
for d in etc/modprobe.d etc/depmod.d usr/lib/modprobe.d usr/lib/depmod.d; do
	[ -d "$dest/$d" ] && [ -z "$(ls -A "$dest/$d")" ]
	ok $? "/$d is installed, empty"
done

# The staged programs run, and look under /usr/lib/modules.
export LD_LIBRARY_PATH="$libdir"
"$dest/sbin/modprobe" -V > "$work/out" 2>&1 && head -n 1 "$work/out" | grep -q '^kmod version 34.2 (modtool '
ok $? "the staged modprobe runs: $(head -n 1 "$work/out")"
"$dest/sbin/modinfo" -h | grep -q 'filesystem root for /usr/lib/modules$'
ok $? "modinfo -h names /usr/lib/modules"
VER=9.9.9-test
root=$work/root
mkdir -p "$root/usr/lib/modules/$VER/kernel/fs" "$root/lib" "$root/proc" "$root/sys/module"
: > "$root/proc/modules"
"$top_builddir/tests/genmod" -o "$root/usr/lib/modules/$VER/kernel/fs/mt_a.ko" --name mt_a \
	--modinfo name=mt_a --modinfo license=GPL --modinfo "vermagic=$VER SMP" \
	--modinfo alias=devname:mt-a --modinfo alias=char-major-10-99
shim() {
	MT_SHIM_ROOT=$root MT_SHIM_UNAME_R=$VER LD_PRELOAD=$MT_SHIM "$@"
}
shim "$dest/sbin/depmod" > "$work/out" 2>&1 && [ -f "$root/usr/lib/modules/$VER/modules.dep.bin" ] &&
	[ ! -e "$root/lib/modules" ]
ok $? "depmod writes the indexes in /usr/lib/modules/VERSION"
shim "$dest/sbin/modinfo" -F filename mt_a > "$work/out" 2>&1
echo "/usr/lib/modules/$VER/kernel/fs/mt_a.ko" | same - "$work/out"
ok $? "modinfo finds the module under /usr/lib/modules"
shim "$dest/sbin/modprobe" --show-depends mt_a > "$work/out" 2>&1
echo "insmod /usr/lib/modules/$VER/kernel/fs/mt_a.ko " | same - "$work/out"
ok $? "modprobe resolves the module under /usr/lib/modules"
shim "$dest/bin/kmod" static-nodes -f devname > "$work/out" 2>&1
echo "mt_a mt-a c10:99" | same - "$work/out"
ok $? "kmod static-nodes reads /usr/lib/modules/VERSION/modules.devname"
unset LD_LIBRARY_PATH
cat > "$work/lk.c" <<'EOF'
#include <libkmod.h>
#include <stdio.h>
int main(void)
{
	struct kmod_ctx *ctx = kmod_new(NULL, NULL);
	struct kmod_list *list = NULL;
	struct kmod_module *mod;

	if (!ctx || kmod_module_new_from_lookup(ctx, "devname:mt-a", &list) < 0 || !list)
		return 1;
	mod = kmod_module_get_module(list);
	printf("%s %s %s\n", kmod_get_dirname(ctx), kmod_module_get_name(mod),
	       kmod_module_get_path(mod));
	kmod_module_unref(mod);
	kmod_module_unref_list(list);
	kmod_unref(ctx);
	return 0;
}
EOF
if ${CC:-cc} -o "$work/lk" "$work/lk.c" -lkmod 2>/dev/null; then
	LD_LIBRARY_PATH=$libdir shim "$work/lk" > "$work/out" 2>&1 &&
		LD_LIBRARY_PATH=$libdir ldd "$work/lk" | grep -q "$libdir/libkmod\.so\.2" &&
		echo "/usr/lib/modules/$VER mt_a /usr/lib/modules/$VER/kernel/fs/mt_a.ko" | same - "$work/out"
	ok $? "a program linked against Debian's libkmod runs on the staged one, under /usr/lib/modules"
else
	skip "the staged libkmod.so.2 with a program" "Debian's libkmod-dev is not installed"
fi

(cd "$build" && make -s uninstall DESTDIR="$dest" > "$work/make.log" 2>&1)
[ $? = 0 ] && [ -z "$(find "$dest" ! -type d)" ]
ok $? "make uninstall removes every file and link"

mkdir "$work/no-libkmod"
(cd "$work/no-libkmod" && "$top_srcdir/configure" -q --disable-libkmod > /dev/null 2>&1) &&
	! grep -q '^[a-z_0-9]* = libkmod/libkmod\.la' "$work/no-libkmod/Makefile" &&
	grep -q '^[a-z_0-9]* = libkmod/libkmod\.la' "$build/Makefile"
ok $? "configure --disable-libkmod builds no libkmod.so.2"
done_testing

#!/bin/sh
# test-install.sh — make install as a distribution runs it: a fresh build
# configured --prefix=/usr --bindir=/bin --sbindir=/sbin (Debian's kmod
# layout) and --with-module-directory=/usr/lib/modules (openSUSE's), staged
# with DESTDIR.  The tree holds kmod in /bin and the six tools as symlinks
# to it in /sbin, the manual pages, kmod.pc with kmod's variables, empty
# modprobe.d and depmod.d directories; the staged programs run and look
# for modules under /usr/lib/modules; make uninstall removes it all.
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
missing=
for m in man8/kmod.8 man8/insmod.8 man8/rmmod.8 man8/lsmod.8 man8/modinfo.8 \
	man8/modprobe.8 man8/depmod.8 man5/modprobe.d.5 man5/depmod.d.5 man5/modules.dep.5; do
	[ -s "$dest/usr/share/man/$m" ] || missing="$missing $m"
done
[ -z "$missing" ] || echo "# missing:$missing"
[ -z "$missing" ]
ok $? "the manual pages, kmod.8 among them"

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

(cd "$build" && make -s uninstall DESTDIR="$dest" > "$work/make.log" 2>&1)
[ $? = 0 ] && [ -z "$(find "$dest" ! -type d)" ]
ok $? "make uninstall removes every file and link"
done_testing

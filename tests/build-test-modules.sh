#!/bin/sh
# build-test-modules.sh — build modtool's test kernel modules out of tree.
#
# Usage: build-test-modules.sh OUTDIR
#
# Copies testsuite-data/modules/ to OUTDIR and builds it there against the
# kernel build directory of an installed linux-headers package (not the one
# of the running kernel). The last line on stdout is "release <version>".
#
# Environment:
#   MT_KBUILD_DIR      kernel build directory to use instead of searching
#   MT_HEADERS_ROOT    where to search for linux-headers-* (default /usr/src)
#   MT_MODULES_SRCDIR  module sources (default: ../testsuite-data/modules
#                      next to this script)
#
# Exit status: 0 built or up to date, 77 no kernel headers (automake SKIP),
# 1 error or build failure.

set -eu

die() {
	echo "build-test-modules: $*" >&2
	exit 1
}

[ $# -eq 1 ] || die "usage: $0 OUTDIR"

scriptdir=$(cd "$(dirname "$0")" && pwd)
srcdir=${MT_MODULES_SRCDIR:-$scriptdir/../testsuite-data/modules}
[ -f "$srcdir/Kbuild" ] || die "no Kbuild in $srcdir"
srcdir=$(cd "$srcdir" && pwd)

# A kernel build directory has a Makefile and a Module.symvers; Debian's
# linux-headers-*-common packages have neither Module.symvers nor a config.
is_kbuild_dir() {
	[ -f "$1/Makefile" ] && [ -f "$1/Module.symvers" ]
}

if [ -n "${MT_KBUILD_DIR:-}" ]; then
	is_kbuild_dir "$MT_KBUILD_DIR" ||
		die "MT_KBUILD_DIR=$MT_KBUILD_DIR has no Makefile and Module.symvers"
	kdir=$MT_KBUILD_DIR
else
	root=${MT_HEADERS_ROOT:-/usr/src}
	kdir=$(for symvers in "$root"/linux-headers-*/Module.symvers; do
		d=${symvers%/Module.symvers}
		case $d in *-common) continue ;; esac
		if is_kbuild_dir "$d"; then echo "$d"; fi
	done | sort -V | tail -n 1)
fi
if [ -z "$kdir" ]; then
	echo "SKIP: no kernel headers found (install linux-headers-amd64)" >&2
	exit 77
fi
kdir=$(cd "$kdir" && pwd)

# The release modules get in their vermagic is UTS_RELEASE; Debian's
# include/config/kernel.release holds the upstream version instead, so it is
# only a fallback.
release=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' \
	"$kdir/include/generated/utsrelease.h" 2>/dev/null || true)
if [ -z "$release" ] && [ -f "$kdir/include/config/kernel.release" ]; then
	release=$(cat "$kdir/include/config/kernel.release")
fi
[ -n "$release" ] || die "cannot tell the kernel release of $kdir"

mkdir -p "$1" || die "cannot create $1"
outdir=$(cd "$1" && pwd)
[ "$outdir" != "$srcdir" ] || die "OUTDIR must not be the source directory"

# Up to date when built against the same kbuild directory and every .ko is
# newer than every source file.
up_to_date() {
	[ -f "$outdir/.kbuild-dir" ] || return 1
	[ "$(cat "$outdir/.kbuild-dir")" = "$kdir" ] || return 1
	for c in "$srcdir"/*.c; do
		ko=$outdir/$(basename "$c" .c).ko
		[ -f "$ko" ] || return 1
		[ -z "$(find "$srcdir" -newer "$ko" \( -name Kbuild -o -name '*.c' \))" ] ||
			return 1
	done
	return 0
}

if ! up_to_date; then
	rm -f "$outdir/.kbuild-dir"
	cp "$srcdir"/Kbuild "$srcdir"/*.c "$outdir"/ ||
		die "cannot copy sources to $outdir"
	jobs=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
	# Settings of an enclosing make (e.g. "make check CC=...") must not
	# leak into kbuild.
	if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES \
		make -j"$jobs" -C "$kdir" M="$outdir" modules \
		>"$outdir/build.log" 2>&1; then
		cat "$outdir/build.log" >&2
		die "module build failed (log: $outdir/build.log)"
	fi
	for c in "$srcdir"/*.c; do
		[ -f "$outdir/$(basename "$c" .c).ko" ] ||
			die "$(basename "$c" .c).ko was not built (log: $outdir/build.log)"
	done
	echo "$kdir" >"$outdir/.kbuild-dir"
fi

echo "release $release"

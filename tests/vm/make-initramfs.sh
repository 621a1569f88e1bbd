#!/bin/sh
# make-initramfs.sh — pack the initramfs of modtool's VM tests: busybox,
# our tools with the shared libraries they load, the test modules (plus
# compressed, vermagic-damaged and garbage variants), the real kernel
# modules the scenarios use, /init and the scenario scripts.
#
# Usage: make-initramfs.sh [-b BUILDDIR] [-m TESTMODULES] [-r RELEASE] OUT.cpio.gz
#   -b  build tree holding tools/.libs/ and lib/.libs/ (default: $top_builddir,
#       else the source tree)
#   -m  directory of the built test modules (default BUILDDIR/tests/test-modules)
#   -r  kernel release whose installed modules are copied (default: the
#       release in hello.ko's vermagic)
# Environment: MT_BUSYBOX (default /bin/busybox), MT_MODULES_ROOT (default
# /lib/modules).
#
# Image layout: /bin (busybox applets), /mt/bin (our kmod, the tools
# symlinks to it), /mt/lib (our libraries; other libraries and the dynamic
# loader keep their host paths), /mt/modules (test modules), /mt/lib.sh,
# /mt/scenarios/NAME.sh (from tests/vm/scenario-NAME.sh, and
# transcript.sh), /lib/modules/RELEASE/...

set -eu

die() {
	echo "make-initramfs: $*" >&2
	exit 1
}

vmdir=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/vm/stage.sh
. "$vmdir/stage.sh"
builddir=${top_builddir:-$(cd "$vmdir/../.." && pwd)}
testmods=
release=
while getopts b:m:r: opt; do
	case $opt in
	b) builddir=$OPTARG ;;
	m) testmods=$OPTARG ;;
	r) release=$OPTARG ;;
	*) die "usage: $0 [-b BUILDDIR] [-m TESTMODULES] [-r RELEASE] OUT.cpio.gz" ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || die "usage: $0 [-b BUILDDIR] [-m TESTMODULES] [-r RELEASE] OUT.cpio.gz"
out=$1
builddir=$(cd "$builddir" && pwd) || die "no build tree $builddir"
testmods=${testmods:-$builddir/tests/test-modules}
[ -f "$testmods/hello.ko" ] || die "no hello.ko in $testmods (run build-test-modules.sh)"

# Kernel modules from the installed tree, with their modules.dep
# dependencies, at their usual paths. crc-itu-t: a small signed library
# module without dependencies or side effects, and with a dash in its name;
# btrfs with its dependencies and the targets of its and libcrc32c's soft
# dependencies (crc32c, blake2b-256) for the modprobe scenario.
kernel_modules="crc-itu-t btrfs crc32c-intel crc32c_generic blake2b_generic"

stage=$(mktemp -d "${TMPDIR:-/tmp}/mt-initramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT
trap 'exit 1' INT TERM
mkdir -p "$stage/dev" "$stage/proc" "$stage/sys" "$stage/tmp" \
	"$stage/mt/modules" "$stage/mt/scenarios"

stage_busybox "$stage"
stage_tools "$stage" "$builddir"

# Test modules and their variants.
cp "$testmods"/*.ko "$stage/mt/modules/"
m=$stage/mt/modules
xz --check=crc32 -c "$m/hello.ko" >"$m/hello.ko.xz"
zstd -q -c "$m/hello.ko" >"$m/hello.ko.zst"
gzip -n -c "$m/hello.ko" >"$m/hello.ko.gz"

# hello-badmagic.ko: hello.ko with the release and first flag of its
# vermagic overwritten in place by as many x's, so only the kernel's vermagic
# check fails (with modversions the kernel compares the text after the
# release, hence the flag).
cp "$m/hello.ko" "$m/hello-badmagic.ko"
match=$(grep -obUa 'vermagic=[^ ]* [^ ]*' "$m/hello.ko") ||
	die "no vermagic in hello.ko"
[ "$(echo "$match" | wc -l)" -eq 1 ] || die "several vermagic strings in hello.ko"
offset=$((${match%%:*} + 9))
magic=${match#*:vermagic=}
printf '%s' "$magic" | sed 's/[^ ]/x/g' |
	dd of="$m/hello-badmagic.ko" bs=1 seek="$offset" conv=notrunc 2>/dev/null
cmp -s "$m/hello.ko" "$m/hello-badmagic.ko" && die "vermagic rewrite changed nothing"
[ "$(wc -c <"$m/hello.ko")" -eq "$(wc -c <"$m/hello-badmagic.ko")" ] ||
	die "vermagic rewrite changed the size"

# garbage.ko: text that no loader or decompressor accepts.
i=0
while [ $i -lt 64 ]; do
	echo "this is not a kernel module"
	i=$((i + 1))
done >"$m/garbage.ko"

[ -n "$release" ] || release=${magic%% *}
modroot=${MT_MODULES_ROOT:-/lib/modules}
moddir=$modroot/$release
[ -f "$moddir/modules.dep" ] || die "no $moddir/modules.dep (install linux-image-$release)"
for km in $kernel_modules; do
	paths=$(awk -v want="$km.ko" -F: '{
		n = split($1, p, "/")
		if (p[n] == want) { print $1; print $2; exit }
	}' "$moddir/modules.dep")
	[ -n "$paths" ] || die "$km is not in $moddir/modules.dep"
	for p in $paths; do
		mkdir -p "$stage/lib/modules/$release/$(dirname "$p")"
		cp "$moddir/$p" "$stage/lib/modules/$release/$p"
	done
done

# What depmod reads besides the modules, and our test modules under extra/
# (not the cycle pair, which depmod must refuse).  kmod's depmod, when the
# host has it, indexes this tree once here: its text outputs are the
# reference the scenarios compare ours with.
for f in modules.order modules.builtin modules.builtin.modinfo; do
	[ -f "$moddir/$f" ] && cp "$moddir/$f" "$stage/lib/modules/$release/$f"
done
mkdir -p "$stage/lib/modules/$release/extra"
for tm in "$testmods"/*.ko; do
	case $tm in */mt_cycle_*) continue ;; esac
	cp "$tm" "$stage/lib/modules/$release/extra/"
done
kmod_depmod=${MT_KMOD_DEPMOD:-/usr/sbin/depmod}
if [ -x "$kmod_depmod" ] && "$kmod_depmod" -b "$stage" "$release" 2>/dev/null; then
	mkdir -p "$stage/mt/reference"
	for f in modules.dep modules.alias modules.softdep modules.symbols modules.devname; do
		mv "$stage/lib/modules/$release/$f" "$stage/mt/reference/$f"
	done
	rm -f "$stage/lib/modules/$release"/modules.*.bin
fi

install -m 755 "$vmdir/init" "$stage/init"
cp "$vmdir/lib.sh" "$stage/mt/lib.sh"
for s in "$vmdir"/scenario-*.sh; do
	name=${s##*/scenario-}
	cp "$s" "$stage/mt/scenarios/$name"
done
cp "$vmdir/transcript.sh" "$stage/mt/scenarios/transcript.sh"

mkdir -p "$(dirname "$out")"
(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
	gzip -n >"$out.tmp"
mv "$out.tmp" "$out"

#!/bin/sh
# make-systemd-vm.sh — the disk and initramfs of the systemd VM scenario: a
# Debian 12 userland with systemd (make-rootfs.sh, cached between runs),
# the installed kernel's whole module tree, and modtool's `make install`
# (--prefix=/usr --bindir=/bin --sbindir=/sbin) over kmod's programs;
# booted through a small initramfs made with our tools.
#
# Usage: make-systemd-vm.sh [-b BUILDDIR] -r RELEASE WORKDIR
#   -b  build tree (default: $top_builddir, else the source tree)
#   -r  kernel release whose module tree goes on the disk
# Writes WORKDIR/disk.img (ext4, the root file system) and
# WORKDIR/initrd.cpio.gz.
# Environment: MT_ROOTFS_CACHE (make-rootfs.sh's CACHEDIR), MT_MODULES_ROOT
# (default /lib/modules), MT_BUSYBOX (see stage.sh).
#
# On the disk: our programs, and Debian's kmod kept in /mt/debian (not in
# PATH, with links lsmod and modprobe) for the scenario to compare with;
# Debian's and our libkmod.so.2 in /mt/libkmod/{debian,ours}, the path of
# Debian's in /mt/libkmod/place, for boot-init; the module indexes written by
# our installed depmod (Debian's depmod's text outputs for the same tree in
# /mt/reference); units that run depmod -a at boot (mt-depmod.service) and
# the scenario after multi-user.target (mt-scenario.service); /mt/lib.sh,
# /mt/run-scenario and /mt/scenarios/{systemd,transcript}.sh from
# tests/vm/systemd/.
#
# Exit status: 0 made, 77 cannot be made here (not root, or see
# make-rootfs.sh), 1 failure.

set -eu

die() {
	echo "make-systemd-vm: $*" >&2
	exit 1
}

vmdir=$(cd "$(dirname "$0")" && pwd)
sysdir=$vmdir/systemd
# shellcheck source=tests/vm/stage.sh
. "$vmdir/stage.sh"
builddir=${top_builddir:-$(cd "$vmdir/../.." && pwd)}
release=
while getopts b:r: opt; do
	case $opt in
	b) builddir=$OPTARG ;;
	r) release=$OPTARG ;;
	*) die "usage: $0 [-b BUILDDIR] -r RELEASE WORKDIR" ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] && [ -n "$release" ] || die "usage: $0 [-b BUILDDIR] -r RELEASE WORKDIR"
builddir=$(cd "$builddir" && pwd) || die "no build tree $builddir"
mkdir -p "$1"
work=$(cd "$1" && pwd)
moddir=${MT_MODULES_ROOT:-/lib/modules}/$release
[ -f "$moddir/modules.order" ] || die "no module tree $moddir (install linux-image-$release)"
if [ "$(id -u)" -ne 0 ]; then
	echo "make-systemd-vm: making the disk needs root (its files keep their owners)" >&2
	exit 77
fi
rootfs=$("$vmdir/make-rootfs.sh" ${MT_ROOTFS_CACHE:+"$MT_ROOTFS_CACHE"}) || exit $?

# Our installation in Debian's layout: kmod in /bin, the tools' links in
# /sbin, the library in /usr/lib, which the dynamic loader searches without
# a cache.
destdir=$work/destdir
install_build "$builddir" "$destdir" "$work/install.log"

# The disk's tree, in hard links to the cached root file system and the
# module tree where they are on one file system: from here on files are
# only added or replaced (tar and depmod unlink or rename), never written
# into.
stage=$work/stage
rm -rf "$stage"
link_copy() {	# link_copy FROM TO
	cp -al "$1" "$2" 2>/dev/null || { rm -rf "$2"; cp -a "$1" "$2"; }
}
link_copy "$rootfs" "$stage"
kmods=$stage/usr/lib/modules/$release
mkdir -p "$stage/usr/lib/modules"
link_copy "$moddir" "$kmods"
rm -f "$kmods/build" "$kmods/source"

# Only depmod's inputs stay; Debian's depmod (kmod's, in the image) writes
# the reference outputs, then ours, installed, the indexes of the first
# boot, as a kernel package's installation would.
outputs="modules.dep modules.dep.bin modules.alias modules.alias.bin modules.softdep
	modules.weakdep modules.symbols modules.symbols.bin modules.builtin.bin
	modules.builtin.alias.bin modules.devname"
for f in $outputs; do
	rm -f "$kmods/$f"
done
chroot "$stage" /sbin/depmod -a "$release" || die "Debian's depmod failed in the image"
mkdir -p "$stage/mt/reference"
for f in modules.dep modules.alias modules.softdep modules.symbols modules.devname; do
	mv "$kmods/$f" "$stage/mt/reference/$f"
done
for f in $outputs; do
	rm -f "$kmods/$f"
done
# kmod runs as a tool when called by another name than kmod.
mkdir -p "$stage/mt/debian"
cp "$stage/usr/bin/kmod" "$stage/mt/debian/kmod"
for t in lsmod modprobe; do
	ln -s kmod "$stage/mt/debian/$t"
done

(cd "$destdir" && tar -cf - .) | (cd "$stage" && tar -xf - --keep-directory-symlink) ||
	die "copying the installation into the image failed"
# libkmod.so.2 where Debian's package has it, which the dynamic loader
# finds first (ld.so.cache): boot-init puts there Debian's or ours, as the
# kernel command line says (mt.libkmod=debian|ours).
libkmod=$(chroot "$stage" dpkg -L libkmod2 | grep '/libkmod\.so\.2\.[0-9.]*$' | head -n 1)
[ -n "$libkmod" ] && [ -f "$stage$libkmod" ] || die "no libkmod.so.2 of Debian's libkmod2 in the image"
[ -f "$destdir/usr/lib/libkmod.so.2" ] || die "make install installed no libkmod.so.2 (configure --disable-libkmod?)"
mkdir -p "$stage/mt/libkmod/debian" "$stage/mt/libkmod/ours"
cp "$stage$libkmod" "$stage/mt/libkmod/debian/libkmod.so.2"
cp -L "$destdir/usr/lib/libkmod.so.2" "$stage/mt/libkmod/ours/libkmod.so.2"
echo "$libkmod" >"$stage/mt/libkmod/place"
chroot "$stage" /sbin/depmod -a "$release" || die "our depmod failed in the image"

cp "$vmdir/lib.sh" "$stage/mt/lib.sh"
install -m 755 "$sysdir/run-scenario" "$stage/mt/run-scenario"
mkdir -p "$stage/mt/scenarios"
for s in "$sysdir"/scenario-*.sh; do
	name=${s##*/scenario-}
	cp "$s" "$stage/mt/scenarios/$name"
done
cp "$sysdir/transcript.sh" "$stage/mt/scenarios/transcript.sh"
units=$stage/etc/systemd/system
install -m 644 "$sysdir/mt-depmod.service" "$sysdir/mt-scenario.service" "$units/"
mkdir -p "$units/sysinit.target.wants" "$units/multi-user.target.wants"
ln -s ../mt-depmod.service "$units/sysinit.target.wants/mt-depmod.service"
ln -s ../mt-scenario.service "$units/multi-user.target.wants/mt-scenario.service"
mkdir -p "$stage/etc/modules-load.d"
cp "$sysdir/modules-load.conf" "$stage/etc/modules-load.d/mt.conf"

# Room for depmod's outputs and the journal.
size=$(($(du -sm "$stage" | cut -f1) * 5 / 4 + 256))
rm -f "$work/disk.img"
mkfs.ext4 -q -F -L mt-root -d "$stage" "$work/disk.img" "${size}M" >/dev/null ||
	die "mkfs.ext4 failed"

# The initramfs: busybox, our modprobe, and the modules of the disk and its
# file system with what our modprobe says they need, indexed by our depmod.
boot_modules="virtio_pci virtio_blk ext4"
initramfs=$work/initramfs
rm -rf "$initramfs"
mkdir -p "$initramfs/dev" "$initramfs/proc" "$initramfs/sys" "$initramfs/newroot"
stage_busybox "$initramfs"
stage_tools "$initramfs" "$builddir"
paths=$(chroot "$stage" /sbin/modprobe -S "$release" --show-depends -a $boot_modules |
	sed -n "s|^insmod /lib/modules/$release/\([^ ]*\) *$|\1|p" | sort -u)
[ -n "$paths" ] || die "modprobe --show-depends found none of $boot_modules"
for p in $paths; do
	mkdir -p "$initramfs/lib/modules/$release/$(dirname "$p")"
	cp "$kmods/$p" "$initramfs/lib/modules/$release/$p"
done
for f in modules.order modules.builtin modules.builtin.modinfo; do
	cp "$kmods/$f" "$initramfs/lib/modules/$release/$f"
done
depmod=$(built_tool "$builddir" depmod) || die "depmod is not built in $builddir"
LD_LIBRARY_PATH="$builddir/lib/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
	"$depmod" -b "$initramfs" "$release" || die "our depmod failed on the initramfs"
install -m 755 "$sysdir/boot-init" "$initramfs/init"
(cd "$initramfs" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
	gzip -n >"$work/initrd.cpio.gz.tmp"
mv "$work/initrd.cpio.gz.tmp" "$work/initrd.cpio.gz"
rm -rf "$stage" "$initramfs"

#!/bin/sh
# vm-transcript.sh — the README main job's walk-throughs on a real kernel,
# with the programs of BUILDDIR.  IMAGE initramfs (the default): builds the
# test modules and the test initramfs and prints what tests/vm/transcript.sh
# ran there; IMAGE systemd: makes the systemd disk (Debian 12 with our
# installation, tests/vm/make-systemd-vm.sh) and prints what
# tests/vm/systemd/transcript.sh shows once it has booted.  Each command
# is printed as "$ COMMAND", then its output.
#
# Usage: vm-transcript.sh BUILDDIR [IMAGE]
# Environment: MT_VM_KERNEL (default /boot/vmlinuz-RELEASE of the headers the
# modules are built with, or of the installed module tree for systemd),
# MT_VM_TIMEOUT (seconds, default 180; 600 for systemd), MT_QEMU,
# MT_BUSYBOX, MT_ROOTFS_CACHE (see tests/vm/).
set -eu

die() {
	echo "vm-transcript: $*" >&2
	exit 1
}

[ $# -eq 1 ] || [ $# -eq 2 ] || die "usage: $0 BUILDDIR [initramfs|systemd]"
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$1" && pwd) || die "no build tree $1"
image=${2:-initramfs}

case $image in
initramfs)
	work=$build/tests/vm-transcript.d
	mkdir -p "$work"
	release=$("$top/tests/build-test-modules.sh" "$work/modules" | sed -n 's/^release //p')
	[ -n "$release" ] || die "building the test modules failed"
	"$top/tests/vm/make-initramfs.sh" -b "$build" -m "$work/modules" -r "$release" \
		"$work/initrd.cpio.gz"
	timeout=${MT_VM_TIMEOUT:-180}
	set --
	;;
systemd)
	work=$build/tests/vm-systemd-transcript.d
	mkdir -p "$work"
	# module_tree: the installed module tree, as the tests find it.
	# shellcheck source=tests/common.sh
	top_srcdir=$top top_builddir=$build . "$top/tests/common.sh"
	tree=$(module_tree)
	[ -n "$tree" ] || die "no installed module tree (install linux-image-amd64)"
	release=${tree##*/}
	"$top/tests/vm/make-systemd-vm.sh" -b "$build" -r "$release" "$work" ||
		die "making the systemd disk failed"
	timeout=${MT_VM_TIMEOUT:-600}
	set -- -c 2 -m 1024 -d "$work/disk.img"
	;;
*) die "unknown image '$image' (initramfs or systemd)" ;;
esac
kernel=${MT_VM_KERNEL:-/boot/vmlinuz-$release}
[ -r "$kernel" ] || die "no readable kernel image $kernel (install linux-image-$release)"

status=0
"$top/tests/vm/run-vm.sh" "$@" "$kernel" "$work/initrd.cpio.gz" transcript "$timeout" \
	>"$work/console.log" 2>&1 || status=$?
[ "$status" -ne 124 ] || die "the VM did not finish in time (log: $work/console.log)"

tr -d '\r' <"$work/console.log" |
	sed -n '/MT-BEGIN transcript$/,/^MT-END transcript /p' >"$work/transcript.out"
grep -q '^MT-END transcript ' "$work/transcript.out" ||
	die "the transcript did not run to its end (log: $work/console.log)"
sed '1d;$d' "$work/transcript.out"

#!/bin/sh
# vm-transcript.sh — the README main job's walk-through on a real kernel:
# builds the test modules and an initramfs with the tools of BUILDDIR, boots
# the installed Debian kernel in qemu and prints what tests/vm/transcript.sh
# ran there (each command as "$ COMMAND", then its output).
#
# Usage: vm-transcript.sh BUILDDIR
# Environment: MT_VM_KERNEL (default /boot/vmlinuz-RELEASE of the headers the
# modules are built with), MT_VM_TIMEOUT (seconds, default 180), MT_QEMU,
# MT_BUSYBOX (see tests/vm/).
set -eu

die() {
	echo "vm-transcript: $*" >&2
	exit 1
}

[ $# -eq 1 ] || die "usage: $0 BUILDDIR"
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$1" && pwd) || die "no build tree $1"
work=$build/tests/vm-transcript.d
mkdir -p "$work"

release=$("$top/tests/build-test-modules.sh" "$work/modules" | sed -n 's/^release //p')
[ -n "$release" ] || die "building the test modules failed"
kernel=${MT_VM_KERNEL:-/boot/vmlinuz-$release}
[ -r "$kernel" ] || die "no readable kernel image $kernel (install linux-image-$release)"
"$top/tests/vm/make-initramfs.sh" -b "$build" -m "$work/modules" -r "$release" \
	"$work/initrd.cpio.gz"

status=0
"$top/tests/vm/run-vm.sh" "$kernel" "$work/initrd.cpio.gz" transcript \
	"${MT_VM_TIMEOUT:-180}" >"$work/console.log" 2>&1 || status=$?
[ "$status" -ne 124 ] || die "the VM did not finish in time (log: $work/console.log)"

tr -d '\r' <"$work/console.log" |
	sed -n '/MT-BEGIN transcript$/,/^MT-END transcript /p' >"$work/transcript.out"
grep -q '^MT-END transcript ' "$work/transcript.out" ||
	die "the transcript did not run to its end (log: $work/console.log)"
sed '1d;$d' "$work/transcript.out"

#!/bin/sh
# run-vm.sh — boot a kernel with one of modtool's test initramfs images
# (and maybe a disk) in qemu (TCG, no KVM needed) and copy the serial
# console to stdout.
#
# Usage: run-vm.sh [-c CPUS] [-d DISK] [-m MEMORY] KERNEL INITRD SCENARIO [TIMEOUT]
#   -c        virtual CPUs (default 1)
#   -d        a raw disk image as the virtio disk /dev/vda, and root=/dev/vda
#             on the kernel command line (tests/vm/systemd/boot-init)
#   -m        memory in MiB (default 512)
#   SCENARIO  passed as mt.scenario=SCENARIO (tests/vm/lib.sh)
#   TIMEOUT   seconds before the VM is killed (default 180)
# Environment: MT_QEMU (default qemu-system-x86_64), MT_VM_APPEND (extra
# kernel command line words).
#
# Exit status: qemu's (0 after the VM powers off), 124 on timeout.

set -eu

usage() {
	echo "usage: $0 [-c CPUS] [-d DISK] [-m MEMORY] KERNEL INITRD SCENARIO [TIMEOUT]" >&2
	exit 2
}
cpus=1
disk=
memory=512
while getopts c:d:m: opt; do
	case $opt in
	c) cpus=$OPTARG ;;
	d) disk=$OPTARG ;;
	m) memory=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 3 ] && [ $# -le 4 ] || usage
qemu=${MT_QEMU:-qemu-system-x86_64}
kernel=$1 initrd=$2 timeout=${4:-180}
append="console=ttyS0 panic=-1 quiet loglevel=4 mt.scenario=$3"
set --
if [ -n "$disk" ]; then
	set -- -drive "file=$disk,format=raw,if=virtio"
	append="$append root=/dev/vda"
fi

# -nographic puts the serial port and qemu's monitor on stdio; stdin is
# closed so nothing reaches the monitor. panic=-1 with -no-reboot turns a
# kernel panic (e.g. /init dying) into a prompt exit.  No display: nothing
# reads it, and a booting system would load the DRM stack for it.
exec timeout -k 10 "$timeout" "$qemu" -nographic -no-reboot -m "$memory" \
	-accel tcg -cpu max -smp "$cpus" -vga none -net none \
	-kernel "$kernel" -initrd "$initrd" \
	-append "$append ${MT_VM_APPEND:-}" "$@" \
	</dev/null

#!/bin/sh
# run-vm.sh — boot a kernel with one of modtool's test initramfs images
# in qemu (TCG, no KVM needed) and copy the serial console to stdout.
#
# Usage: run-vm.sh KERNEL INITRD SCENARIO [TIMEOUT]
#   SCENARIO  passed as mt.scenario=SCENARIO for /init (tests/vm/init)
#   TIMEOUT   seconds before the VM is killed (default 180)
# Environment: MT_QEMU (default qemu-system-x86_64), MT_VM_APPEND (extra
# kernel command line words).
#
# Exit status: qemu's (0 after /init powers off), 124 on timeout.

set -eu

if [ $# -lt 3 ] || [ $# -gt 4 ]; then
	echo "usage: $0 KERNEL INITRD SCENARIO [TIMEOUT]" >&2
	exit 2
fi
qemu=${MT_QEMU:-qemu-system-x86_64}

# -nographic puts the serial port and qemu's monitor on stdio; stdin is
# closed so nothing reaches the monitor. panic=-1 with -no-reboot turns a
# kernel panic (e.g. /init dying) into a prompt exit.
exec timeout -k 10 "${4:-180}" "$qemu" -nographic -no-reboot -m 512 \
	-accel tcg -cpu max -smp 1 -net none \
	-kernel "$1" -initrd "$2" \
	-append "console=ttyS0 panic=-1 quiet loglevel=4 mt.scenario=$3 ${MT_VM_APPEND:-}" \
	</dev/null

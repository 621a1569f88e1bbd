#!/bin/sh
# vm-systemd.sh — tests/vm/systemd/scenario-systemd.sh: a Debian 12
# userland with systemd and udev booted under qemu on our installed
# programs (make install over kmod's), checking the units that use module
# tools, static device nodes, the kernel's request_module(), modprobe and
# lsmod, and a boot with no failed unit; then the same disk booted again
# with our libkmod.so.2 in place of Debian's
# (tests/vm/systemd/scenario-libkmod.sh): udev's coldplug, systemd-modules-load
# and udevadm test-builtin on it.  See tests/vm/host-test.sh and
# tests/vm/make-systemd-vm.sh.
# shellcheck source=tests/common.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/common.sh"
scenario=systemd
scenario_tools="insmod rmmod lsmod modinfo modprobe depmod"
vm_image=systemd
vm_boots="systemd:mt.libkmod=debian libkmod:mt.libkmod=ours"
# shellcheck source=tests/vm/host-test.sh
. "$top_srcdir/tests/vm/host-test.sh"

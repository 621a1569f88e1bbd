#!/bin/sh
# vm-modprobe.sh — tests/vm/scenario-modprobe.sh (depmod over part of the
# real Debian tree, then modprobe loading and removing with dependencies,
# soft dependencies, aliases and install commands) in a qemu VM; see
# tests/vm/host-test.sh.
# shellcheck source=tests/common.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/common.sh"
scenario=modprobe
scenario_tools="insmod rmmod lsmod modinfo modprobe depmod"
# shellcheck source=tests/vm/host-test.sh
. "$top_srcdir/tests/vm/host-test.sh"

#!/bin/sh
# vm-insmod.sh — tests/vm/scenario-insmod.sh (insmod, rmmod, lsmod and
# modinfo against a real kernel) in a qemu VM; see tests/vm/host-test.sh.
# shellcheck source=tests/common.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/common.sh"
scenario=insmod
scenario_tools="insmod rmmod lsmod modinfo"
# shellcheck source=tests/vm/host-test.sh
. "$top_srcdir/tests/vm/host-test.sh"

#!/bin/sh
# main-job.sh — set up, build, and show what modtool does: modinfo of the
# hello test module and of real modules of the installed Debian kernel, then
# a real kernel in a VM: insmod/lsmod/rmmod of the hello module, depmod,
# and modprobe of btrfs with its dependencies and back, all with our tools;
# last, Debian 12 with systemd booted on our installed programs: the units
# that use module tools, the modules the boot loaded, and the boot time.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/setup.sh"
cd "$top"
./autogen.sh > /dev/null 2>&1
mkdir -p build-main
cd build-main
[ -f Makefile ] || "$top/configure" -q
make -s -j"$(nproc)"

modules=$PWD/tests/test-modules
echo "== building the test modules against the installed kernel headers"
release=$("$top/tests/build-test-modules.sh" "$modules" | sed -n 's/^release //p')
echo "built for $release"

export LD_LIBRARY_PATH="$PWD/lib/.libs"
run() {
	echo
	echo "\$ $*"
	"$@"
}
run tools/.libs/modinfo "$modules/hello.ko"
run tools/.libs/modinfo -k "$release" ext4
run tools/.libs/modinfo -k "$release" -F depends btrfs

echo
echo "== booting the Debian kernel in a VM with our tools (takes a few seconds)"
"$top/scripts/vm-transcript.sh" "$PWD"

echo
echo "== booting Debian 12 with systemd on our installed programs (about two minutes)"
"$top/scripts/vm-transcript.sh" "$PWD" systemd

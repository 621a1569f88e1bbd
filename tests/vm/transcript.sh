# shellcheck shell=sh
# transcript.sh — the README's walk-through, run in the VM as
# mt.scenario=transcript: each command is echoed as "$ COMMAND" and followed
# by its real output. Sourced by the VM's /init (tests/vm/init).
#
# Commands named like our tools run /mt/bin/NAME (busybox's shell would
# otherwise pick its own applets); the others are busybox's.

run() {	# run COMMAND [ARG...]
	echo "\$ $*"
	cmd=$1
	shift
	if [ -x "/mt/bin/$cmd" ]; then
		"/mt/bin/$cmd" "$@" 2>&1
	else
		"$cmd" "$@" 2>&1
	fi
	echo
}

cd /mt/modules || exit 1
echo "# Loading and removing one module"
echo
run insmod hello.ko greeting=42
run lsmod
run cat /sys/module/hello/parameters/greeting
run modinfo hello.ko
run rmmod hello
echo '$ dmesg | grep hello'
dmesg | grep hello
echo

# depmod over this image's part of the Debian tree, then modprobe with
# dependencies and soft dependencies, and back.
echo "# Indexing the modules, then loading btrfs with its dependencies"
echo
run depmod
run modprobe -v btrfs
run lsmod
run modprobe -r -v btrfs
run lsmod
